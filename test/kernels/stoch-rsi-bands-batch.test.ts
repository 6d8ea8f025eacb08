// The stoch-rsi-bands batch kernel (stoch-rsi-bands-batch.ts), and the one-genome backtest that
// runs its streaming pass (stochRsiBandsBacktest: metrics, equity and trades), against the
// series kernel, bit for bit, where its shortcuts could go wrong: genes at the edges of their limits (periods of 1 and
// beyond the bars, inactive and extreme bands, bands at 0 and 100), many genomes sharing an
// rsiK, any input order (the batch is visited sorted by rsiK), and inputs that must take the
// series kernel (a NaN or an infinity in the closes). TS twin, WASM release and debug alike.
import { describe, expect, it } from 'vitest';
import { configVector, resolveOptions } from '../../src/backtest.js';
import type { BacktestOptions } from '../../src/backtest.js';
import type { MarketData } from '../../src/data/market.js';
import { synthetic } from '../../src/data/synthetic.js';
import { getFamily } from '../../src/genome/families.js';
import type { KernelSet, RawBacktest } from '../../src/kernels/kernel-set.js';
import { CFG_ORIGIN, MET_LENGTH, MET_TRADES, TR_LENGTH } from '../../src/kernels/layout.js';
import { STOCH_RSI_BANDS_GENES as G, STOCH_RSI_BANDS_SCRATCH, stochRsiBands } from '../../src/kernels/strategies/stoch-rsi-bands.js';
import { stochRsiBandsKernel } from '../../src/kernels/fused.js';
import { createTsKernels } from '../../src/kernels/ts-kernels.js';
import { createWasmKernels } from '../../src/kernels/wasm/loader.js';
import { Random } from '../../src/random.js';
import { firstDifference } from '../helpers/shared.js';
import { randomGenomes } from '../../src/bench/population.js';
import { getStrategy } from '../../src/strategies/registry.js';

const family = getFamily('stoch-rsi-bands');
const SETS: KernelSet[] = [createTsKernels(), createWasmKernels({ variant: 'release' }), createWasmKernels({ variant: 'debug' })];
const TS = SETS[0]!;
const MARKET = synthetic({ bars: 1500, seed: 99 });
const OPTIONS: BacktestOptions[] = [
  { periodsPerYear: 252 },
  { fill: 'close', allowShort: true, slippage: 0.0005, periodsPerYear: 252 },
  { sizing: 'fraction', allowShort: true, lotSize: 1, periodsPerYear: 252 },
];

/** Random genomes over the genes' whole limits, with edge values mixed in and rsiK often shared. */
function edgeGenomes(seed: number, count: number, bars: number): Float64Array {
  const rng = new Random(seed);
  const out = new Float64Array(count * G);
  family.genes.forEach((spec, k) => {
    for (let i = 0; i < count; i++) {
      const [lo, hi] = spec.limit;
      let v: number;
      const u = rng.next();
      if (spec.kind === 'int') {
        const top = Math.min(hi, bars + 5);
        v = u < 0.15 ? lo : u < 0.25 ? top : u < 0.3 ? Math.max(lo, bars - 1) : rng.int(lo, Math.min(top, 60));
        if (k === 0 && u >= 0.3) v = [2, 3, 14][rng.int(0, 2)]!; // rsiK groups
      } else {
        v = u < 0.15 ? lo : u < 0.3 ? hi : spec.min + (spec.max - spec.min) * rng.next();
      }
      out[i * G + k] = v;
    }
  });
  return out;
}

function sameBits(label: string, a: Float64Array, b: Float64Array): void {
  const i = firstDifference(a, b);
  expect(i, `${label}: first difference at ${i}: ${a[i]} vs ${b[i]}`).toBe(-1);
}

/** The series kernel itself (TS), with equity and trades: the reference of the batch and of backtest (which runs the pass). */
function seriesBacktest(m: MarketData, genes: Float64Array, cfg: Float64Array): RawBacktest {
  const n = m.length;
  const metrics = new Float64Array(MET_LENGTH);
  const equity = new Float64Array(n - cfg[CFG_ORIGIN]!);
  const trades = new Float64Array((n + 1) * TR_LENGTH);
  const scratch = new Float64Array(n * STOCH_RSI_BANDS_SCRATCH);
  const status = stochRsiBands(m.open, m.high, m.low, m.close, n, genes, cfg, metrics, equity, trades, n + 1, scratch, scratch.byteLength);
  expect(status).toBe(0);
  const tradeCount = metrics[MET_TRADES]!;
  return { metrics, equity, trades: trades.subarray(0, tradeCount * TR_LENGTH), tradeCount };
}

function checkAgainstSeries(label: string, market: MarketData, genomes: Float64Array, opts: BacktestOptions, origin = 0): void {
  const count = genomes.length / G;
  const cfg = configVector(resolveOptions(family, synthetic({ bars: 50, seed: 1 }), opts));
  cfg[CFG_ORIGIN] = origin;
  const w = { start: 0, end: market.length };
  const series = Array.from({ length: count }, (_, i) => seriesBacktest(market, genomes.subarray(i * G, (i + 1) * G), cfg));
  for (const ks of SETS) {
    const out = ks.evaluate(market, w, stochRsiBandsKernel, genomes, count, cfg)!;
    for (let i = 0; i < count; i++) {
      const genes = genomes.subarray(i * G, (i + 1) * G);
      const what = `${label} [${ks.name}] genome ${i} [${Array.from(genes).join(', ')}]`;
      const one = series[i]!;
      sameBits(`${what} batch`, out.subarray(i * MET_LENGTH, (i + 1) * MET_LENGTH), one.metrics);
      // backtest (the streaming pass where it can) with its equity and trades.
      const bt = ks.backtest(market, w, stochRsiBandsKernel, genes, cfg, { equity: true, trades: true });
      sameBits(`${what} backtest metrics`, bt.metrics, one.metrics);
      sameBits(`${what} backtest equity`, bt.equity!, one.equity!);
      sameBits(`${what} backtest trades`, bt.trades!, one.trades!);
    }
  }
}

/** The market with some closes replaced (no validation: the kernels' own fallbacks are tested). */
function withCloses(m: MarketData, edit: (c: Float64Array) => void): MarketData {
  const close = m.close.slice();
  edit(close);
  return { ...m, close };
}

describe('stoch-rsi-bands batch = series kernel, bit for bit', () => {
  OPTIONS.forEach((opts, oi) => {
    it(`genes at the edges of their limits, options #${oi}`, () => {
      checkAgainstSeries(`edges #${oi}`, MARKET, edgeGenomes(500 + oi, 60, MARKET.length), opts);
    });
  });

  it('the input order does not matter (results are placed by input index)', () => {
    const gs = edgeGenomes(7, 41, MARKET.length);
    const cfg = configVector(resolveOptions(family, MARKET, OPTIONS[1]!));
    const perm = Array.from({ length: 41 }, (_, i) => (i * 17) % 41);
    const shuffled = new Float64Array(gs.length);
    perm.forEach((src, dst) => shuffled.set(gs.subarray(src * G, (src + 1) * G), dst * G));
    for (const ks of SETS) {
      const a = ks.evaluate(MARKET, { start: 0, end: MARKET.length }, stochRsiBandsKernel, gs, 41, cfg)!;
      const b = ks.evaluate(MARKET, { start: 0, end: MARKET.length }, stochRsiBandsKernel, shuffled, 41, cfg)!;
      perm.forEach((src, dst) => sameBits(`[${ks.name}] genome ${src}`, b.subarray(dst * MET_LENGTH, (dst + 1) * MET_LENGTH), a.subarray(src * MET_LENGTH, (src + 1) * MET_LENGTH)));
    }
  });

  it('smoothing periods around the chunked kernel\'s ring (255-257 bars: MAX_SMOOTH = 256) and chunk edges', () => {
    // Moderate genes (so that the slow lines still trade), with the periods under test.
    const base = new Float64Array(24 * G);
    for (let i = 0; i < 24; i++) base.set([14, 14, 3, 3, 50, 50, 5, 1.05, 0, 2, 3, 0.01], i * G);
    // (kSmooth, dSmooth): one long, one short, so that %K and %D still cross.
    const pairs = [[255, 2], [256, 2], [257, 2], [300, 3], [2, 255], [3, 256], [2, 257], [2, 300]];
    for (let i = 0; i < 24; i++) {
      base[i * G] = [2, 3, 2][i % 3]!; // rsiK
      base[i * G + 1] = [2, 3, 2, 255][i % 4]!; // stochK
      base[i * G + 2] = pairs[i % 8]![0]!;
      base[i * G + 3] = pairs[i % 8]![1]!;
    }
    for (const [oi, opts] of OPTIONS.entries()) checkAgainstSeries(`ring #${oi}`, MARKET, base, opts);
    // Windows ending just before, at and after a chunk boundary (256 bars) and the ring (512).
    for (const n of [255, 256, 257, 511, 512, 513]) {
      const m = synthetic({ bars: n, seed: n });
      checkAgainstSeries(`n=${n}`, m, edgeGenomes(n, 10, n), OPTIONS[1]!);
    }
  });

  it('ruin inside a quiet stretch of a short position (prices rising tenfold over 300 bars)', () => {
    const ramp = (a: Float64Array): Float64Array => a.map((v, t) => v * (t < 700 ? 1 : t < 1000 ? 1 + (9 * (t - 700)) / 300 : 10));
    const m: MarketData = { ...MARKET, open: ramp(MARKET.open), high: ramp(MARKET.high), low: ramp(MARKET.low), close: ramp(MARKET.close) };
    const gs = randomGenomes(getStrategy('stoch-rsi-bands'), 64, 5);
    for (let i = 0; i < 64; i++) {
      gs[i * G + 9] = 1000; // stops and targets out of reach: the stretches stay quiet
      gs[i * G + 10] = 1000;
    }
    const opts: BacktestOptions = { sizing: 'fraction', fraction: 1, allowShort: true, periodsPerYear: 252 };
    checkAgainstSeries('ruin', m, gs, opts);
    const cfg = configVector(resolveOptions(family, m, opts));
    const out = TS.evaluate(m, { start: 0, end: m.length }, stochRsiBandsKernel, gs, 64, cfg)!;
    const ruined = Array.from({ length: 64 }, (_, i) => out[i * MET_LENGTH]!).filter((r) => r <= -0.999).length;
    expect(ruined).toBeGreaterThan(0);
  });

  it('a warm-up (CFG_ORIGIN > 0): the chunked kernel decides and marks from the window on, like the series kernel', () => {
    for (const origin of [1, 2, 255, 256, 257, 700, 1499]) {
      OPTIONS.forEach((opts, oi) => checkAgainstSeries(`origin ${origin} #${oi}`, MARKET, edgeGenomes(900 + origin, 16, MARKET.length), opts, origin));
    }
  });

  it('short windows, a single bar and two bars', () => {
    for (const n of [1, 2, 3, 20, 60]) {
      const m = synthetic({ bars: n, seed: 3 });
      checkAgainstSeries(`n=${n}`, m, edgeGenomes(n, 12, n), OPTIONS[0]!);
    }
  });

  it('closes with a NaN, an infinity or leading NaNs take the series kernel and agree', () => {
    const cases: [string, MarketData][] = [
      ['interior NaN', withCloses(MARKET, (c) => (c[700] = NaN))],
      ['infinite close', withCloses(MARKET, (c) => (c[300] = Infinity))],
      ['leading NaNs', withCloses(MARKET, (c) => c.fill(NaN, 0, 25))],
    ];
    for (const [label, m] of cases) checkAgainstSeries(label, m, edgeGenomes(11, 16, m.length), OPTIONS[1]!);
  });
});
