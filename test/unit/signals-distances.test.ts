// Stop and take distances returned by signals are checked (one pass over both when they are
// right): E_STRATEGY naming the field and the first wrong bar, stopDistance's values before
// takeDistance's (and before a takeDistance of the wrong length); NaN and 0 are allowed, and the
// warm-up bars are not checked. And entries and exits as targets, long only and with shorts.
import { describe, expect, it } from 'vitest';
import { EngineError, backtest, synthetic } from '../../src/index.js';
import type { StrategyDefinition } from '../../src/index.js';
import { createInProcessEvaluator } from '../../src/pool/in-process.js';
import { resolveStrategy } from '../../src/strategy/load.js';
import { entriesToTargets } from '../../src/strategy/signals.js';

const m = synthetic({ bars: 300, seed: 3 });

const def: StrategyDefinition = {
  name: 'distances-probe',
  genes: [{ name: 'mode', min: 0, max: 9, kind: 'int', default: 0 }],
  signals(ctx, p) {
    const n = ctx.length;
    const entries = new Uint8Array(n);
    const exits = new Uint8Array(n);
    for (let t = 20; t < n; t += 20) entries[t] = 1;
    for (let t = 30; t < n; t += 20) exits[t] = 1;
    const stop = new Float64Array(n).fill(1.5);
    const take = new Float64Array(n).fill(3);
    const mode = p.mode!;
    if (mode === 1) stop[50] = -1;
    if (mode === 2) take[60] = Infinity;
    if (mode === 3) {
      take[10] = -2;
      stop[80] = Infinity;
    }
    if (mode === 4) {
      stop[80] = -0.5;
      return { entries, exits, stopDistance: stop, takeDistance: take.subarray(1) };
    }
    if (mode === 5) return { entries, exits, stopDistance: stop, takeDistance: take.subarray(1) };
    if (mode === 6) {
      const plain = Array.from(take);
      plain[70] = -3;
      return { entries, exits, stopDistance: Array.from(stop), takeDistance: plain };
    }
    if (mode === 7) {
      stop.fill(NaN, 0, 100);
      take.fill(0, 100, 200);
    }
    if (mode === 8) return { entries, exits, takeDistance: Float64Array.from(take, (x, t) => (t === 40 ? -1 : x)) };
    // mode 9: wrong values in the warm-up only (ctx.start is 100 in the evaluator below)
    if (mode === 9) {
      stop[ctx.start - 1] = -1;
      take[0] = Infinity;
    }
    return { entries, exits, stopDistance: stop, takeDistance: take };
  },
};

function errorOf(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected a throw');
}

describe('stop and take distances', async () => {
  const s = await resolveStrategy(def);
  it.each([
    [1, /signals returned stopDistance\[50\] = -1; a distance is a price difference >= 0/],
    [2, /signals returned takeDistance\[60\] = Infinity; a distance/],
    [3, /stopDistance\[80\] = Infinity/], // take's bar 10 is earlier, stop's values come first
    [4, /stopDistance\[80\] = -0.5/], // before the takeDistance of the wrong length
    [5, /takeDistance of length 299; ctx has 300 bars/],
    [6, /takeDistance\[70\] = -3/], // plain arrays
    [8, /takeDistance\[40\] = -1/], // take alone
  ])('mode %d', (mode, pattern) => {
    for (const backend of ['ts', 'wasm'] as const) {
      const e = errorOf(() => backtest(m, s, { mode }, { backend }));
      expect(e.code).toBe('E_STRATEGY');
      expect(e.message).toContain('{"mode":' + String(mode) + '}');
      expect(e.message).toMatch(pattern);
    }
  });

  it('NaN and 0 are allowed; with distances right the backtest runs and stops trades', () => {
    const a = backtest(m, s, { mode: 0 }, { backend: 'wasm' });
    const b = backtest(m, s, { mode: 7 }, { backend: 'wasm' });
    expect(a.metrics.trades).toBeGreaterThan(3);
    expect(b.metrics.trades).toBeGreaterThan(3);
    expect(backtest(m, s, { mode: 0 }, { backend: 'ts' }).metrics).toEqual(a.metrics);
  });

  it('the warm-up bars are not checked', async () => {
    const ev = createInProcessEvaluator({ market: m, backend: 'wasm' });
    const out = await ev.evaluate(s, Float64Array.of(9, 0), { start: 100, end: 300 });
    expect(out.length).toBeGreaterThan(0);
    await expect(ev.evaluate(s, Float64Array.of(1), { start: 40, end: 300 })).rejects.toMatchObject({ code: 'E_STRATEGY' });
  });
});

describe('entries and exits as targets', () => {
  const e = [0, 1, 1, 0, 1, 0, 1, 0, 0, 1];
  const x = [1, 0, 0, 1, 1, 1, 0, 0, 1, 0];
  it('long only: an exit of a long is 0, an entry 1 (again while long too), the rest NaN; nothing before start', () => {
    expect(Array.from(entriesToTargets(e, x, null, null, 10, false))).toEqual([NaN, 1, 1, 0, 1, 0, 1, NaN, 0, 1]);
    expect(Array.from(entriesToTargets(e, x, null, null, 10, true, 3))).toEqual([NaN, NaN, NaN, NaN, 1, 0, 1, NaN, 0, 1]);
    // Short entries with shorts off change nothing.
    expect(Array.from(entriesToTargets(e, x, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], x, 10, false))).toEqual([NaN, 1, 1, 0, 1, 0, 1, NaN, 0, 1]);
  });
  it('with shorts: a short exit closes a short only, a long exit a long only', () => {
    const se = [1, 0, 0, 0, 0, 0, 0, 1, 0, 0];
    const sx = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    expect(Array.from(entriesToTargets(e, x, se, sx, 10, true))).toEqual([-1, 1, 1, 0, 1, 0, 1, -1, 0, 1]);
    expect(Array.from(entriesToTargets(e, x, se, null, 10, true, 7))).toEqual([NaN, NaN, NaN, NaN, NaN, NaN, NaN, -1, NaN, 1]);
  });
});
