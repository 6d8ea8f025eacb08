// simulateBatch runs its inputs two at a time (simulatePair: the bars where both lanes are quiet
// marked together, in f64x2 halves in WASM, the others lane by lane). Each input's metrics must
// be those of simulate on that input alone, on every set, and the TS twin's batch's: here on
// random sparse targets with stops, targets, reversals, risk sizing with
// leverage, warm-up origins, odd batch sizes, and a market that ruins leveraged positions both
// ways (so the pair's after-the-fact ruin test and its exact re-marking are exercised).
import { describe, expect, it } from 'vitest';
import { configVector, resolveOptions } from '../../src/backtest.js';
import type { BacktestOptions } from '../../src/backtest.js';
import { marketFromArrays } from '../../src/data/market.js';
import type { MarketData } from '../../src/data/market.js';
import { getFamily } from '../../src/genome/families.js';
import type { KernelSet, SimulateInput } from '../../src/kernels/kernel-set.js';
import { CFG_ORIGIN, EXIT_RUIN, MET_LENGTH, TR_EXIT_REASON, TR_LENGTH } from '../../src/kernels/layout.js';
import { createTsKernels } from '../../src/kernels/ts-kernels.js';
import { createWasmKernels } from '../../src/kernels/wasm/loader.js';
import { Random } from '../../src/random.js';
import { firstDifference } from '../helpers/shared.js';

const TS = createTsKernels();
const SETS: readonly KernelSet[] = [TS, createWasmKernels({ variant: 'release' }), createWasmKernels({ variant: 'debug' })];
const SMA = getFamily('sma-cross');
const SRB = getFamily('stoch-rsi-bands'); // the options of risk sizing

/** A random walk that doubles in a rally and then falls by 80%: shorts and leveraged longs are ruined. */
function market(n: number, seed: number): MarketData {
  const rng = new Random(seed);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  let p = 100;
  for (let t = 0; t < n; t++) {
    const drift = t > n * 0.3 && t < n * 0.4 ? 0.012 : t > n * 0.6 && t < n * 0.7 ? -0.025 : 0;
    const o = p;
    p = p * (1 + drift + 0.02 * (rng.next() - 0.5));
    open[t] = o;
    close[t] = p;
    high[t] = Math.max(o, p) * (1 + 0.01 * rng.next());
    low[t] = Math.min(o, p) * (1 - 0.01 * rng.next());
  }
  return marketFromArrays({ time: Array.from(close, (_, i) => i * 86_400_000), open, high, low, close }, 'pairs');
}

/** Mostly NaN (keep) targets, some reversals and flats; stops and takes on about half the inputs. */
function inputs(rng: Random, n: number, count: number, density: number): SimulateInput[] {
  const levels = [-1, -0.5, 0, 0.5, 1];
  const out: SimulateInput[] = [];
  for (let i = 0; i < count; i++) {
    const target = new Float64Array(n).fill(NaN);
    for (let t = 0; t < n; t++) if (rng.next() < density) target[t] = levels[Math.floor(rng.next() * levels.length)]!;
    const series = (scale: number): Float64Array | null => {
      if (rng.next() < 0.5) return null;
      const d = new Float64Array(n);
      for (let t = 0; t < n; t++) d[t] = rng.next() < 0.1 ? NaN : rng.next() * scale;
      return d;
    };
    out.push({ target, stopDistance: series(8), takeDistance: series(15), riskPerTrade: 0.005 + 0.05 * rng.next() });
  }
  return out;
}

const OPTIONS: readonly BacktestOptions[] = [
  { allowShort: true, fraction: 1, commission: 0.001 },
  { allowShort: true, fill: 'close', fraction: 0.8, slippage: 0.0005 },
  { allowShort: true, sizing: 'risk', maxLeverage: 6, commission: 0.0005 },
  { allowShort: false, sizing: 'risk', maxLeverage: 8, lotSize: 0.5 },
];

describe('simulateBatch in pairs equals simulate one input at a time', () => {
  const n = 700;
  const m = market(n, 11);
  OPTIONS.forEach((o, oi) => {
    it(`options #${oi} ${JSON.stringify(o)}: every set, windows with and without warm-up, odd and even counts`, () => {
      const rng = new Random(100 + oi);
      let ruins = 0;
      for (const [start, end, origin] of [[0, n, 0], [50, n - 30, 120], [0, 41, 7]] as const) {
        const span = { start, end };
        const bars = end - start;
        const cfg = configVector(resolveOptions(o.sizing === 'risk' ? SRB : SMA, m, o));
        cfg[CFG_ORIGIN] = origin;
        for (const [count, density] of [[9, 0.03], [8, 0.2], [1, 0.05]] as const) {
          const batch = inputs(rng, bars, count, density);
          const reference = TS.simulateBatch(m, span, batch, cfg)!;
          for (const k of SETS) {
            const got = k.simulateBatch(m, span, batch, cfg)!;
            const i = firstDifference(got, reference);
            if (i >= 0) expect.fail(`${k.name} batch vs TS twin, window ${start}:${end} origin ${origin}, input ${Math.floor(i / MET_LENGTH)}: ${got[i]} vs ${reference[i]}`);
            batch.forEach((input, j) => {
              const one = k.simulate(m, span, input, cfg, { trades: true });
              const d = firstDifference(one.metrics, got.subarray(j * MET_LENGTH, (j + 1) * MET_LENGTH));
              if (d >= 0) expect.fail(`${k.name} input ${j} of ${count}, window ${start}:${end} origin ${origin}: metric ${d}: single ${one.metrics[d]} vs batch ${got[j * MET_LENGTH + d]}`);
              if (k === TS) for (let x = 0; x < one.tradeCount; x++) if (one.trades![x * TR_LENGTH + TR_EXIT_REASON] === EXIT_RUIN) ruins++;
            });
          }
        }
      }
      // The leveraged options must actually ruin some inputs, or the ruin paths went untested.
      if (o.sizing === 'risk') expect(ruins).toBeGreaterThan(0);
    });
  });
});

describe('a pair whose lane is ruined and then makes a new equity high within one quiet run', () => {
  // Short 1 x equity at 100 (bar 1's open); the price goes to 250 (equity below zero: ruin at
  // that close) and then to 10, which would be a new high of the short's equity had it lived.
  const close = [100, 100, 120, 250, 10, 12, 11, 10];
  const m = marketFromArrays({
    time: close.map((_, i) => i * 86_400_000), open: close, high: close.map((c) => c * 1.01), low: close.map((c) => c * 0.99), close,
  }, 'ruin-then-peak');
  const N = NaN;
  const short: SimulateInput = { target: Float64Array.from([-1, N, N, N, N, N, N, N]), stopDistance: null, takeDistance: null, riskPerTrade: 0 };
  const flat: SimulateInput = { target: new Float64Array(8).fill(NaN), stopDistance: null, takeDistance: null, riskPerTrade: 0 };
  const cfg = configVector(resolveOptions(SMA, m, { allowShort: true, fraction: 1 }));
  const w = { start: 0, end: 8 };
  for (const k of SETS) {
    it(`${k.name}: the batch's metrics are the single runs', with the ruin`, () => {
      const one = k.simulate(m, w, short, cfg, { trades: true });
      expect(one.trades![TR_EXIT_REASON]).toBe(EXIT_RUIN);
      const got = k.simulateBatch(m, w, [short, flat], cfg)!;
      expect(firstDifference(got.subarray(0, MET_LENGTH), one.metrics)).toBe(-1);
      expect(firstDifference(got.subarray(MET_LENGTH), k.simulate(m, w, flat, cfg).metrics)).toBe(-1);
    });
  }
});
