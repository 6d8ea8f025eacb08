// README "Windows and warm-up" (b): no bar after a window influences it. Every bar after `end` is
// changed and the window's metrics, equity and trades keep their bits, for every built-in and a
// module, single and population paths, with all history, a capped warm-up and a cold start, on
// every backend (wasm release, wasm debug, the TS twins), which also agree with each other to
// the bit (the twin contract with warm-up).
import { describe, expect, it } from 'vitest';
import type { MarketData } from '../../src/data/market.js';
import { marketFromArrays } from '../../src/data/market.js';
import { synthetic } from '../../src/data/synthetic.js';
import { randomGenome } from '../../src/genome/canonical.js';
import { CFG_ORIGIN, MET_LENGTH, MET_TRADES } from '../../src/kernels/layout.js';
import type { RawBacktest } from '../../src/kernels/kernel-set.js';
import { Random } from '../../src/random.js';
import { backtestStrategy, evaluateStrategy } from '../../src/strategy/run.js';
import { BACKENDS, cases, execution, expectSameBacktest, expectSameBits } from '../helpers/warmup.js';

/** The market with every bar from `end` on replaced by another random walk (valid OHLC). */
function otherFuture(m: MarketData, end: number): MarketData {
  const alt = synthetic({ bars: m.length, seed: 4242 });
  const scale = m.close[end - 1]! / alt.close[end - 1]!;
  const col = (a: Float64Array, b: Float64Array, s: number): Float64Array => {
    const c = a.slice();
    for (let t = end; t < m.length; t++) c[t] = b[t]! * s;
    return c;
  };
  return marketFromArrays({
    time: m.time, open: col(m.open, alt.open, scale), high: col(m.high, alt.high, scale), low: col(m.low, alt.low, scale),
    close: col(m.close, alt.close, scale), volume: col(m.volume, alt.volume, 1),
  }, 'other future');
}

const all = await cases();
const market = synthetic({ bars: 2500, seed: 21 });
const window = { start: 1200, end: 1800 };
const future = otherFuture(market, window.end);

describe.each(all.map((c) => [c.label, c] as const))('%s', (_label, c) => {
  const G = c.strategy.genes.length;
  const P = 16;
  const rng = new Random(77);
  const genomes = new Float64Array(P * G);
  for (let i = 0; i < P; i++) randomGenome(rng, c.strategy, genomes, i * G);

  it('changes after the window\'s end change nothing in it; every backend gives the same bits', () => {
    expect(future.close[window.end]).not.toBe(market.close[window.end]);
    expect(future.close[window.end - 1]).toBe(market.close[window.end - 1]);
    for (const warmup of [undefined, 250, 0]) {
      const o = { ...c.options, ...(warmup === undefined ? {} : { warmup }) };
      let firstBatch: Float64Array | null = null;
      let firstSingles: RawBacktest[] | null = null;
      for (const [bname, k] of BACKENDS) {
        const label = `warmup ${String(warmup)} ${bname}`;
        const exec = execution(c.strategy, market, o, window);
        const execF = execution(c.strategy, future, o, window);
        expectSameBits(`${label} config`, exec.cfg, execF.cfg);
        const batch = evaluateStrategy(k, market, window, c.strategy, genomes, P, exec, null)!;
        expectSameBits(`${label} population`, batch, evaluateStrategy(k, future, window, c.strategy, genomes, P, execF, null));
        const singles: RawBacktest[] = [];
        for (let i = 0; i < 4; i++) {
          const g = genomes.subarray(i * G, (i + 1) * G);
          const a = backtestStrategy(k, market, window, c.strategy, g, exec, null, { equity: true, trades: true });
          expectSameBacktest(`${label} genome ${i}`, a, backtestStrategy(k, future, window, c.strategy, g, execF, null, { equity: true, trades: true }));
          singles.push(a);
        }
        // The twin contract: every backend the first one's bits.
        if (firstBatch === null) {
          firstBatch = batch;
          firstSingles = singles;
        } else {
          expectSameBits(`${label} population vs ${BACKENDS[0]![0]}`, batch, firstBatch);
          singles.forEach((s, i) => expectSameBacktest(`${label} genome ${i} vs ${BACKENDS[0]![0]}`, s, firstSingles![i]!));
        }
      }
      let trades = 0;
      for (let i = 0; i < P; i++) trades += firstBatch![i * MET_LENGTH + MET_TRADES]!;
      expect(trades).toBeGreaterThan(0);
    }
  });

  it('warm-up changes the window\'s results (the test above could see a difference)', () => {
    const [, k] = BACKENDS[1]!;
    const warm = evaluateStrategy(k, market, window, c.strategy, genomes, P, execution(c.strategy, market, c.options, window), null)!;
    const cold = evaluateStrategy(k, market, window, c.strategy, genomes, P, execution(c.strategy, market, { ...c.options, warmup: 0 }, window), null)!;
    expect(Array.from(warm)).not.toEqual(Array.from(cold));
  });
});

describe('the kernels\' origin (CFG_ORIGIN)', () => {
  it('outside the bars handed over: E_KERNEL naming the kernel, on every backend', () => {
    const c = all[0]!;
    const cfg = execution(c.strategy, market, {}, { start: 0, end: 100 }).cfg.slice();
    for (const bad of [100, -1, 2.5]) {
      cfg[CFG_ORIGIN] = bad;
      for (const [, k] of BACKENDS) {
        expect(() => k.backtest(market, { start: 0, end: 100 }, c.strategy.fused!, Float64Array.of(5, 20), cfg)).toThrow(/kernel sma-cross: the window's origin/);
      }
    }
  });
});
