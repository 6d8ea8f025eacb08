// The strategy module contract: defineStrategy's checks, loading modules, what signals may
// return (and the E_STRATEGY errors when it does not), ctx, the indicator cache, the registry.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError, backtest, defineStrategy, synthetic, STRATEGY_NAMES, getStrategy, strategyDigest } from '../../src/index.js';
import type { StrategyDefinition } from '../../src/index.js';
import { createInProcessEvaluator } from '../../src/pool/in-process.js';
import { IndicatorCache } from '../../src/strategy/indicator-cache.js';
import { entriesToTargets } from '../../src/strategy/signals.js';
import { loadStrategyModule, resolveStrategy } from '../../src/strategy/load.js';
import { genomeProblem } from '../../src/strategy/strategy.js';
import { createContext } from '../../src/strategy/context.js';
import { createTsKernels } from '../../src/kernels/ts-kernels.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/strategies/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'evoquant-mod-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function engineError(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected a throw');
}

async function engineErrorAsync(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected a rejection');
}

const ok: StrategyDefinition = {
  name: 'always-long',
  genes: [{ name: 'k', min: 1, max: 5, kind: 'int', default: 2 }],
  signals: (ctx) => ({ target: new Float64Array(ctx.length).fill(1) }),
};

describe('defineStrategy', () => {
  it('returns the definition unchanged', () => {
    expect(defineStrategy(ok)).toBe(ok);
  });
  it.each([
    ['name', { ...ok, name: 'Bad Name' }, /strategy\.name: must be lower-case/],
    ['kind', { ...ok, genes: [{ ...ok.genes[0]!, kind: 'float' }] }, /genes\[0\] \(k\)\.kind: must be "int" or "real"/],
    ['default outside bounds', { ...ok, genes: [{ ...ok.genes[0]!, default: 9 }] }, /genes\[0\] \(k\)\.default: must be in \[1, 5\], got 9/],
    ['min above max', { ...ok, genes: [{ ...ok.genes[0]!, min: 6 }] }, /genes\[0\] \(k\)\.max: must be >= min/],
    ['int bound not an integer', { ...ok, genes: [{ ...ok.genes[0]!, max: 5.5 }] }, /\.max: must be an integer/],
    ['duplicate gene', { ...ok, genes: [ok.genes[0]!, ok.genes[0]!] }, /genes\[1\] \(k\)\.name: is used twice/],
    ['no genes', { ...ok, genes: [] }, /genes: must be a non-empty array/],
    ['no signals', { ...ok, signals: undefined }, /signals: must be a function/],
    ['bad sizing', { ...ok, sizing: 'all-in' }, /sizing: must be "fraction" or "risk"/],
  ])('rejects %s with E_CONFIG naming the field', (_label, def, pattern) => {
    const e = engineError(() => defineStrategy(def as unknown as StrategyDefinition));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toMatch(pattern);
  });
});

describe('loading modules', () => {
  it('a plain-object module importing nothing is checked when loaded, naming its file', async () => {
    const e = await engineErrorAsync(loadStrategyModule(fixture('bad-default.mjs')));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toContain('bad-default.mjs');
    expect(e.message).toMatch(/genes\[0\] \(period\)\.default: must be in \[5, 50\], got 80/);
  });
  // (Under vitest the import goes through its transformer, which words a syntax error its own
  // way; test/cli/strategy-cli.test.ts sees Node's SyntaxError.)
  it('a syntax error or a throw at import is E_STRATEGY naming the file', async () => {
    for (const [f, what] of [['syntax-error.mjs', /SyntaxError|Parse fail/], ['throws-at-import.mjs', /boom at import/]] as const) {
      const e = await engineErrorAsync(loadStrategyModule(fixture(f)));
      expect(e.code).toBe('E_STRATEGY');
      expect(e.message).toContain(f);
      expect(e.message).toMatch(what);
    }
  });
  it('a missing file or a wrong extension is E_CONFIG', async () => {
    expect((await engineErrorAsync(loadStrategyModule(join(tmp, 'nope.mjs')))).code).toBe('E_CONFIG');
    expect((await engineErrorAsync(loadStrategyModule(join(tmp, 'x.ts')))).message).toMatch(/\.mjs or \.js/);
  });
  it('the digest is the sha256 of the file and follows its content; a changed file is imported afresh', async () => {
    const file = join(tmp, 'flip.mjs');
    const src = (v: number): string => `export default { name: 'flip', genes: [{ name: 'k', min: 1, max: 2, kind: 'int', default: 1 }], signals: (ctx) => ({ target: new Float64Array(ctx.length).fill(${v}) }) };\n`;
    writeFileSync(file, src(1));
    const a = await loadStrategyModule(file);
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await strategyDigest(file)).toBe(a.digest);
    writeFileSync(file, src(-1));
    const b = await loadStrategyModule(file);
    expect(b.digest).not.toBe(a.digest);
    const m = synthetic({ bars: 300 });
    expect(backtest(m, a, {}, { backend: 'ts' }).trades[0]!.direction).toBe(1);
    expect(backtest(m, b, {}, { backend: 'ts' }).trades[0]!.direction).toBe(-1);
    await expect(loadStrategyModule(file, { expectDigest: a.digest })).rejects.toThrow(/changed since the run started/);
  });
});

describe('signals are checked: E_STRATEGY naming the strategy, its file and the genome', async () => {
  const s = await loadStrategyModule(fixture('broken-signals.mjs'));
  const m = synthetic({ bars: 200 });
  it.each([
    [0, /target of length 199; ctx has 200 bars/],
    [1, /target\[0\] = 2; a target is in \[-1, 1\]/],
    [2, /signals threw RangeError: mode 2 is not supported at throwFromHere \(.*broken-signals\.mjs:\d+:\d+\)/],
    [3, /must return \{ target \} or \{ entries, exits \}/],
  ])('mode %d', (mode, pattern) => {
    const e = engineError(() => backtest(m, s, { mode }, { backend: 'ts' }));
    expect(e.code).toBe('E_STRATEGY');
    expect(e.message).toContain('strategy broken-signals (');
    expect(e.message).toContain('broken-signals.mjs');
    expect(e.message).toContain(`{"mode":${mode}}`);
    expect(e.message).toMatch(pattern);
  });
  it('through an evaluator too (the same error, not a crash)', async () => {
    const ev = createInProcessEvaluator({ market: m, backend: 'wasm' });
    await expect(ev.evaluate(s, Float64Array.of(0, 2))).rejects.toMatchObject({ code: 'E_STRATEGY' });
  });
});

describe('entries and exits as targets', () => {
  it('follows the side last entered; an exit wins over an entry on its bar; shorts only when on', () => {
    const e = [0, 1, 0, 0, 0, 0, 1, 0];
    const x = [1, 0, 1, 1, 0, 0, 0, 0];
    const se = [0, 0, 0, 1, 1, 0, 0, 0];
    const sx = [0, 0, 0, 0, 0, 1, 1, 0];
    expect(Array.from(entriesToTargets(e, x, se, sx, 8, true))).toEqual([NaN, 1, 0, -1, -1, 0, 1, NaN]);
    expect(Array.from(entriesToTargets(e, x, se, sx, 8, false))).toEqual([NaN, 1, 0, NaN, NaN, NaN, 1, NaN]);
  });
});

describe('ctx and the indicator cache', () => {
  it('ctx holds the window\'s bars after its warm-up; indicators are computed once per span and parameters', async () => {
    const seen: number[] = [];
    const def: StrategyDefinition = {
      name: 'probe',
      genes: [{ name: 'k', min: 2, max: 9, kind: 'int', default: 3 }, { name: 'j', min: 0, max: 9, kind: 'int', default: 0 }],
      signals(ctx, p) {
        seen.push(ctx.length, ctx.start, ctx.close[0]!, ctx.time[ctx.start]!);
        const a = ctx.ind.sma(ctx.close, p.k!);
        const b = ctx.ind.atr(ctx.high, ctx.low, ctx.close, p.k!);
        ctx.ind.bands(b, p.k!, 20, 80, 1.5, 0.5);
        return { target: a.map((v) => (v > ctx.close[0]! ? 1 : NaN)) };
      },
    };
    const m = synthetic({ bars: 500 });
    const s = await resolveStrategy(def);
    const ev = createInProcessEvaluator({ market: m, backend: 'ts' });
    // Four genomes, two distinct k: each of sma, atr and bands computed twice, asked for four times.
    await ev.evaluate(s, Float64Array.of(3, 0, 3, 1, 4, 0, 4, 1), { start: 100, end: 400 });
    // The window [100, 400) with all its history: ctx spans [0, 400) and the window starts at 100.
    expect(seen.slice(0, 4)).toEqual([400, 100, m.close[0], m.time[100]]);
    expect(ev.stats()).toMatchObject({ indicatorMisses: 6, indicatorHits: 6 });
  });
  it('is bounded in bytes, least recently used out first', () => {
    const c = new IndicatorCache(3 * 800);
    const make = (): Float64Array => new Float64Array(100);
    for (const k of ['a', 'b', 'c']) c.get(k, make);
    c.get('a', make);
    c.get('d', make);
    expect(c.stats()).toMatchObject({ entries: 3, bytes: 2400, hits: 1, misses: 4 });
    c.get('b', make);
    expect(c.stats().misses).toBe(5);
    c.get('a', make);
    expect(c.stats().hits).toBe(2);
  });
});

describe('the registry', () => {
  it('holds the five built-ins, each found by name; the sma-cross rule lives in its repair', () => {
    expect([...STRATEGY_NAMES]).toEqual(['sma-cross', 'stoch-rsi-bands', 'ema-cross', 'bollinger-reversion', 'donchian-breakout']);
    const sma = getStrategy('sma-cross');
    expect(sma.fused).not.toBeNull();
    expect(getStrategy('ema-cross').fused).toBeNull();
    expect(genomeProblem(sma, Float64Array.of(20, 10), 0)).toMatch(/repair changes fast 20 -> 10, slow 10 -> 20/);
    expect(genomeProblem(sma, Float64Array.of(10, 20), 0)).toBeNull();
    const g = Float64Array.of(40, 40);
    sma.repair(g, 0);
    expect(Array.from(g)).toEqual([40, 41]);
    expect(() => getStrategy('nope')).toThrow(/unknown strategy "nope"/);
  });
  it('the three module-API built-ins trade on GOOG-like data with their defaults, on both backends alike', () => {
    const m = synthetic({ bars: 3000, seed: 7 });
    for (const name of ['ema-cross', 'bollinger-reversion', 'donchian-breakout']) {
      const w = backtest(m, name, {}, { backend: 'wasm' });
      const t = backtest(m, name, {}, { backend: 'ts' });
      expect(w.metrics.trades, name).toBeGreaterThan(5);
      expect(w.metrics, name).toEqual(t.metrics);
      expect(Array.from(w.equity)).toEqual(Array.from(t.equity));
    }
    // ema-cross's stop: some trades end at it.
    expect(backtest(m, 'ema-cross', { stopAtr: 1 }).trades.some((x) => x.exitReason === 'stop')).toBe(true);
  });
  it('ema-cross targets the crosses of its EMAs (ctx.ind.cross) and stops at stopAtr x ATR', () => {
    const m = synthetic({ bars: 2000, seed: 11 });
    const k = createTsKernels();
    const ctx = createContext(k, m, { start: 0, end: m.length }, 0, new IndicatorCache());
    const p = { fast: 9, slow: 40, atrPeriod: 14, stopAtr: 2.5 };
    const out = getStrategy('ema-cross').definition.signals(ctx, { ...p }) as { target: Float64Array; stopDistance: Float64Array };
    const f = k.ema(m.close, p.fast);
    const sl = k.ema(m.close, p.slow);
    const atr = k.atr(m.high, m.low, m.close, p.atrPeriod);
    let crosses = 0;
    for (let t = 1; t < m.length; t++) {
      const want = f[t - 1]! <= sl[t - 1]! && f[t]! > sl[t]! ? 1 : f[t - 1]! >= sl[t - 1]! && f[t]! < sl[t]! ? -1 : NaN;
      expect(out.target[t], `target[${t}]`).toBe(want);
      expect(out.stopDistance[t], `stopDistance[${t}]`).toBe(p.stopAtr * atr[t]!);
      if (!Number.isNaN(want)) crosses++;
    }
    expect(crosses).toBeGreaterThan(10);
  });
});
