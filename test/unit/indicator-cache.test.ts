// The indicator cache behind ctx.ind: a segmented LRU (what is asked for again outlives a stream
// of series asked for once), and ctx.ind.stochRsi cached in stages (the RSI on rsiK alone, the
// raw StochRSI on rsiK and stochK) with the whole kernel's bits and errors.
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../src/errors.js';
import { synthetic } from '../../src/data/synthetic.js';
import { createTsKernels } from '../../src/kernels/ts-kernels.js';
import { createWasmKernels } from '../../src/kernels/wasm/loader.js';
import { createContext } from '../../src/strategy/context.js';
import { IndicatorCache } from '../../src/strategy/indicator-cache.js';
import { sameBits } from '../helpers/shared.js';

describe('IndicatorCache', () => {
  it('keeps a series asked for again while series asked for once come and go (plain LRU would not)', () => {
    const c = new IndicatorCache(10 * 800);
    const make = (): Float64Array => new Float64Array(100);
    c.get('shared', make);
    c.get('shared', make); // a hit: protected
    // 30 series of their own, each asked for once: ten times what would push `shared` out of an LRU.
    for (let i = 0; i < 30; i++) c.get(`own${i}`, make);
    const misses = c.stats().misses;
    c.get('shared', make);
    expect(c.stats().misses).toBe(misses);
    expect(c.stats()).toMatchObject({ hits: 2, misses: 31, entries: 10, bytes: 8000 });
    // Their own ones went in order, oldest first: own20 .. own29 but the one `shared` holds.
    c.get('own29', make);
    expect(c.stats().misses).toBe(31);
    c.get('own20', make);
    expect(c.stats().misses).toBe(32);
  });

  it('a value asked for as shared starts protected: one-off series do not push it out before its second use', () => {
    const c = new IndicatorCache(10 * 800);
    const make = (): Float64Array => new Float64Array(100);
    c.get('rsi', make, true);
    c.get('once', make);
    for (let i = 0; i < 30; i++) c.get(`own${i}`, make);
    c.get('rsi', make);
    expect(c.stats()).toMatchObject({ hits: 1, misses: 32 });
    c.get('once', make); // not shared: gone
    expect(c.stats().misses).toBe(33);
  });

  it('protected holds at most 80% of the budget: its least recently used go back on probation', () => {
    const c = new IndicatorCache(10 * 800);
    const make = (): Float64Array => new Float64Array(100);
    for (let i = 0; i < 10; i++) {
      c.get(`p${i}`, make);
      c.get(`p${i}`, make);
    }
    // p0 and p1 were put back on probation; two new series push them out, not p2 .. p9.
    c.get('x', make);
    c.get('y', make);
    const misses = c.stats().misses;
    for (let i = 2; i < 10; i++) c.get(`p${i}`, make);
    expect(c.stats().misses).toBe(misses);
    c.get('p0', make);
    expect(c.stats().misses).toBe(misses + 1);
    expect(c.stats().bytes).toBeLessThanOrEqual(8000);
  });
});

describe('ctx.ind.stochRsi in stages', () => {
  const m = synthetic({ bars: 600, seed: 5 });
  for (const kernels of [createTsKernels(), createWasmKernels({ variant: 'release' })]) {
    it(`${kernels.name}: the kernel's four series, bit for bit; the RSI and the raw StochRSI computed once each`, () => {
      const cache = new IndicatorCache();
      const ctx = createContext(kernels, m, { start: 0, end: m.length }, 0, cache);
      const params: [number, number, number, number][] = [[14, 14, 3, 3], [14, 14, 5, 2], [14, 9, 3, 3], [7, 9, 1, 1], [14, 14, 3, 3]];
      for (const [a, b, c, d] of params) {
        const got = ctx.ind.stochRsi(ctx.close, a, b, c, d);
        const want = kernels.stochRsi(m.close, a, b, c, d);
        for (const f of ['rsi', 'stoch', 'k', 'd'] as const) expect(sameBits(got[f], want[f]), `${a},${b},${c},${d} ${f}`).toBe(true);
      }
      // rsi: 14 and 7 (2 misses, 3 hits); stochOf: (14, 14), (14, 9), (7, 9) (3 misses, 2 hits);
      // %K: 5 distinct of 5 but the repeat (4 misses, 1 hit); %D: the same (4 misses, 1 hit).
      expect(cache.stats()).toMatchObject({ misses: 2 + 3 + 4 + 4, hits: 3 + 2 + 1 + 1 });
      // The RSI stage is asked for as shared: a stream of one-off series does not push it out.
      const small = new IndicatorCache(6 * 600 * 8);
      const c2 = createContext(kernels, m, { start: 0, end: m.length }, 0, small);
      c2.ind.stochRsi(c2.close, 14, 14, 3, 3);
      for (let k = 2; k < 40; k++) c2.ind.sma(c2.close, k);
      const before = small.stats().misses;
      c2.ind.rsi(c2.close, 14);
      expect(small.stats().misses).toBe(before);
      // ctx.ind.rsi is the same cached series.
      expect(ctx.ind.rsi(ctx.close, 14)).toBe(ctx.ind.stochRsi(ctx.close, 14, 30, 2, 2).rsi);
    });

    it(`${kernels.name}: periods the stages would not take go to the whole kernel (E_KERNEL naming stochRsi)`, () => {
      const ctx = createContext(kernels, m, { start: 0, end: m.length }, 0, new IndicatorCache());
      for (const bad of [[0, 14, 3, 3], [14, 14, 0, 3], [14, -1, 3, 3]] as [number, number, number, number][]) {
        let err: unknown = null;
        try {
          ctx.ind.stochRsi(ctx.close, ...bad);
        } catch (e) {
          err = e;
        }
        expect(isEngineError(err) && err.code === 'E_KERNEL' && err.message.includes('stochRsi'), String(err)).toBe(true);
      }
    });
  }
});
