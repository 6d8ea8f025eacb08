// README "Windows and warm-up" (a): a window's signals are those of the same bars in a run over
// the whole series. For every built-in and a module, on every backend: the window's ctx gives the
// very values of the full-series signals on the window's bars; and the window's backtest (fused
// kernel or generic simulator, with all its history as warm-up) equals, to the bit, the
// full-series signals of the strategy's module form cut to the window and simulated on the
// window's bars alone. With warmup 0 a window keeps the cold start's bits (a market holding only
// its bars), and periodsPerYear stays estimated from the window's own timestamps.
import { describe, expect, it } from 'vitest';
import { loadCsv } from '../../src/data/csv.js';
import type { MarketData } from '../../src/data/market.js';
import { marketFromArrays } from '../../src/data/market.js';
import { synthetic } from '../../src/data/synthetic.js';
import { randomGenome } from '../../src/genome/canonical.js';
import type { Window } from '../../src/kernels/kernel-set.js';
import { CFG_PERIODS_PER_YEAR, MET_LENGTH, MET_TRADES } from '../../src/kernels/layout.js';
import { Random } from '../../src/random.js';
import { createContext } from '../../src/strategy/context.js';
import { backtestStrategy, evaluateStrategy, windowSpan } from '../../src/strategy/run.js';
import { genesToParams } from '../../src/strategy/strategy.js';
import type { Strategy } from '../../src/strategy/strategy.js';
import { DATA } from '../helpers/shared.js';
import { BACKENDS, cases, cut, execution, expectSameBacktest, expectSameBits, rawSignals, reference } from '../helpers/warmup.js';

function genomesOf(s: Strategy, count: number, seed: number): Float64Array[] {
  const rng = new Random(seed);
  const out: Float64Array[] = [Float64Array.from(s.genes.map((g) => g.default))];
  for (let i = 1; i < count; i++) {
    const g = new Float64Array(s.genes.length);
    randomGenome(rng, s, g, 0);
    out.push(g);
  }
  return out;
}

function slice(m: MarketData, w: Window): MarketData {
  const cols = { time: m.time, open: m.open, high: m.high, low: m.low, close: m.close, volume: m.volume };
  return marketFromArrays(Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, v.slice(w.start, w.end)])) as never, 'slice');
}

const all = await cases();
const markets: [string, MarketData, Window[]][] = [
  ['synthetic', synthetic({ bars: 3000, seed: 9 }), [{ start: 2100, end: 3000 }, { start: 900, end: 1500 }]],
  ['GOOG', await loadCsv(DATA('GOOG.csv')), []],
];
markets[1]![2].push({ start: Math.floor(markets[1]![1].length * 0.7), end: markets[1]![1].length });

describe.each(all.map((c) => [c.label, c] as const))('%s', (_label, c) => {
  for (const [mname, market, windows] of markets) {
    for (const [bname, k] of BACKENDS) {
      it(`${bname}, ${mname}: the window's signals and backtest are the full series' on its bars`, () => {
        let trades = 0;
        for (const window of windows) {
          const exec = execution(c.strategy, market, c.options, window);
          const { span, origin } = windowSpan(window, exec.cfg);
          // All history: the span is the series up to the window's end.
          expect(span).toEqual({ start: 0, end: window.end });
          expect(origin).toBe(window.start);
          for (const genes of genomesOf(c.strategy, 4, 17)) {
            const label = `${mname} [${window.start}, ${window.end}) ${Array.from(genes).join(',')}`;
            // The signals: ctx of the window (with its warm-up) against ctx of the whole series.
            const ctx = createContext(k, market, span, origin, null);
            expect(ctx.start).toBe(window.start);
            const own = c.strategy.definition.signals(ctx, genesToParams(c.strategy, genes));
            const full = rawSignals(k, market, c.strategy, genes, market.length);
            expect(cut(own, origin, ctx.length), label).toEqual(cut(full, window.start, window.end));
            // The backtest: fused kernel or simulator, against the module form's full-series signals.
            const got = backtestStrategy(k, market, window, c.strategy, genes, exec, null, { equity: true, trades: true });
            expectSameBacktest(label, got, reference(k, market, c, genes, window));
            expect(got.equity!.length).toBe(window.end - window.start);
            trades += got.metrics[MET_TRADES]!;
          }
        }
        expect(trades).toBeGreaterThan(0);
      });
    }
  }

  it('the population path (batch kernels) gives every genome its single backtest\'s metrics, with warm-up', () => {
    const [, market, windows] = markets[0]!;
    const window = windows[0]!;
    const gs = genomesOf(c.strategy, 24, 5);
    const flat = new Float64Array(gs.length * c.strategy.genes.length);
    gs.forEach((g, i) => flat.set(g, i * c.strategy.genes.length));
    for (const [bname, k] of BACKENDS) {
      const exec = execution(c.strategy, market, c.options, window);
      const batch = evaluateStrategy(k, market, window, c.strategy, flat, gs.length, exec, null)!;
      gs.forEach((g, i) => {
        const one = backtestStrategy(k, market, window, c.strategy, g, exec, null).metrics;
        expectSameBits(`${bname} genome ${i}`, batch.subarray(i * MET_LENGTH, (i + 1) * MET_LENGTH), one);
      });
    }
  });

  it('warmup 0 keeps the cold start\'s bits: the window as a market holding only its bars', () => {
    const [, market, windows] = markets[0]!;
    for (const window of windows) {
      const alone = slice(market, window);
      const cold = execution(c.strategy, market, { ...c.options, warmup: 0 }, window);
      const whole = execution(c.strategy, alone, { ...c.options, warmup: 0 }, { start: 0, end: alone.length });
      // periodsPerYear is estimated from the window's own bars, with or without warm-up.
      expect(cold.cfg[CFG_PERIODS_PER_YEAR]).toBe(whole.cfg[CFG_PERIODS_PER_YEAR]);
      expect(execution(c.strategy, market, c.options, window).cfg[CFG_PERIODS_PER_YEAR]).toBe(whole.cfg[CFG_PERIODS_PER_YEAR]);
      for (const [bname, k] of BACKENDS) {
        for (const genes of genomesOf(c.strategy, 3, 23)) {
          const a = backtestStrategy(k, market, window, c.strategy, genes, cold, null, { equity: true, trades: true });
          const b = backtestStrategy(k, alone, { start: 0, end: alone.length }, c.strategy, genes, whole, null, { equity: true, trades: true });
          expectSameBacktest(`${bname} ${Array.from(genes).join(',')}`, a, b);
        }
      }
    }
  });
});

describe('the warmup option', () => {
  const [, market] = markets[0]!;
  const c = all[0]!;
  it('caps the bars before a window: span [max(0, start - warmup), end)', () => {
    const w = { start: 2100, end: 3000 };
    expect(windowSpan(w, execution(c.strategy, market, { warmup: 300 }, w).cfg)).toMatchObject({ span: { start: 1800, end: 3000 }, origin: 300 });
    expect(windowSpan(w, execution(c.strategy, market, { warmup: 5000 }, w).cfg)).toMatchObject({ span: { start: 0, end: 3000 }, origin: 2100 });
    expect(windowSpan(w, execution(c.strategy, market, { warmup: 0 }, w).cfg)).toMatchObject({ span: w, origin: 0 });
    expect(windowSpan(w, execution(c.strategy, market, { warmup: null }, w).cfg)).toMatchObject({ span: { start: 0, end: 3000 }, origin: 2100 });
    // The first window of a series has what the series has.
    const first = { start: 0, end: 900 };
    expect(windowSpan(first, execution(c.strategy, market, {}, first).cfg)).toMatchObject({ span: first, origin: 0 });
  });
  it('a capped warm-up is the window run on a market that starts warmup bars before it', () => {
    const w = { start: 2100, end: 3000 };
    const from = { start: 1800, end: 3000 };
    const alone = slice(market, from);
    for (const cc of all) {
      for (const [bname, k] of BACKENDS) {
        for (const genes of genomesOf(cc.strategy, 2, 3)) {
          const a = backtestStrategy(k, market, w, cc.strategy, genes, execution(cc.strategy, market, { ...cc.options, warmup: 300 }, w), null, { equity: true, trades: true });
          const inner = { start: 300, end: alone.length };
          const exec = execution(cc.strategy, alone, { ...cc.options }, inner);
          const b = backtestStrategy(k, alone, inner, cc.strategy, genes, exec, null, { equity: true, trades: true });
          expectSameBacktest(`${cc.label} ${bname}`, a, b);
        }
      }
    }
  });
  it('is refused unless a non-negative integer (or all history)', () => {
    const w = { start: 100, end: 900 };
    for (const bad of [-1, 1.5, Number.NaN, '10']) {
      expect(() => execution(c.strategy, market, { warmup: bad as number }, w)).toThrow(/warmup: must be a non-negative integer/);
    }
    expect(execution(c.strategy, market, { warmup: Infinity }, w).cfg).toEqual(execution(c.strategy, market, {}, w).cfg);
  });
});
