// The reference workload W1 (../shared/reference/README.md): every genome's metrics, computed
// by an independent native implementation, reproduced by every backend and by the benchmark's
// native baseline: trades and winRate exactly, the other metrics to 1e-9 relative (1e-12
// absolute floor near zero).
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNative, runNative } from '../../src/bench/native.js';
import { loadCsv } from '../../src/data/csv.js';
import { marketFromArrays } from '../../src/data/market.js';
import type { MarketData } from '../../src/data/market.js';
import { configVector, resolveOptions } from '../../src/backtest.js';
import { getFamily } from '../../src/genome/families.js';
import { createTsKernels } from '../../src/kernels/ts-kernels.js';
import { createWasmKernels } from '../../src/kernels/wasm/loader.js';
import type { KernelSet } from '../../src/kernels/kernel-set.js';
import {
  MET_LENGTH, MET_TOTAL_RETURN, MET_SHARPE, MET_MAX_DRAWDOWN, MET_TRADES, MET_WIN_RATE,
} from '../../src/kernels/layout.js';
import { DATA, readF64, readW1, relDiff } from '../helpers/shared.js';
import type { W1File } from '../helpers/shared.js';

const family = getFamily('sma-cross');

function w1Config(market: MarketData): Float64Array {
  return configVector(
    resolveOptions(family, market, { commission: 0.001, cash: 1, fraction: 1, lotSize: 0, allowShort: true, fill: 'next-open', periodsPerYear: 252 }),
  );
}

function genomesOf(ref: W1File): Float64Array {
  const genomes = new Float64Array(ref.genomes.length * 2);
  ref.genomes.forEach((g, i) => {
    genomes[2 * i] = g.fast;
    genomes[2 * i + 1] = g.slow;
  });
  return genomes;
}

/** Genome i's metrics from some backend: total return, sharpe, max drawdown, trades, win rate. */
type W1Metrics = (i: number) => [number, number, number, number, number];

function compare(got: W1Metrics, ref: W1File): void {
  const failures: string[] = [];
  let worst = 0;
  ref.genomes.forEach((g, i) => {
    const [totalReturn, sharpe, maxDd, trades, winRate] = got(i);
    const rel = Math.max(relDiff(totalReturn, g.total_return), relDiff(sharpe, g.sharpe), relDiff(maxDd, g.max_dd));
    worst = Math.max(worst, rel);
    if (trades !== g.trades || winRate !== g.win_rate || !(rel <= 1e-9)) {
      failures.push(`fast=${g.fast} slow=${g.slow}: trades ${trades} vs ${g.trades}, winRate ${winRate} vs ${g.win_rate}, worst rel ${rel}`);
    }
  });
  expect(failures.slice(0, 5)).toEqual([]);
  expect(worst).toBeLessThanOrEqual(1e-9);
}

function check(ks: KernelSet, market: MarketData, ref: W1File): void {
  const P = ref.genomes.length;
  const out = ks.evaluate(market, { start: 0, end: market.length }, family.fused, genomesOf(ref), P, w1Config(market))!;
  expect(out.length).toBe(P * MET_LENGTH);
  compare((i) => {
    const m = out.subarray(i * MET_LENGTH, (i + 1) * MET_LENGTH);
    return [m[MET_TOTAL_RETURN]!, m[MET_SHARPE]!, m[MET_MAX_DRAWDOWN]!, m[MET_TRADES]!, m[MET_WIN_RATE]!];
  }, ref);
}

// The native baseline of the benchmark (bench/native/w1.c), checked like the backends.
const native = buildNative();
afterAll(() => {
  if (native.ok) rmSync(dirname(native.binary), { recursive: true, force: true });
});

function checkNative(market: MarketData, ref: W1File): void {
  if (!native.ok) return;
  const run = runNative(native.binary, market.open, market.close, genomesOf(ref), 1);
  expect(run.metrics.length).toBe(ref.genomes.length * 5);
  compare((i) => Array.from(run.metrics.subarray(i * 5, i * 5 + 5)) as [number, number, number, number, number], ref);
}
const nativeTitle = native.ok ? 'the native C baseline (cc -O3) reproduces every genome' : `the native C baseline: skipped, ${native.reason}`;

const backends: [string, () => KernelSet][] = [
  ['ts', () => createTsKernels()],
  ['wasm-release', () => createWasmKernels({ variant: 'release' })],
  ['wasm-debug', () => createWasmKernels({ variant: 'debug' })],
];

describe('W1 on GOOG (7,730 genomes, 2,148 bars)', async () => {
  const ref = readW1('w1_goog.json');
  const market = await loadCsv(DATA('GOOG.csv'));
  it('has the reference shape', () => {
    expect(market.length).toBe(ref.nbars);
    expect(ref.genomes.length).toBe(7730);
  });
  for (const [name, make] of backends) {
    it(`${name} reproduces every genome`, () => check(make(), market, ref));
  }
  it.skipIf(!native.ok)(nativeTitle, () => checkNative(market, ref));
});

describe('W1 on the synthetic series (512 genomes, 100,000 bars)', () => {
  const ref = readW1('w1_synth100k.json');
  const open = readF64('synth1m_open.f64', ref.nbars);
  const close = readF64('synth1m_close.f64', ref.nbars);
  // Only open and close enter W1; high/low are set to keep the bars valid OHLC.
  const high = open.map((o, i) => Math.max(o, close[i]!));
  const low = open.map((o, i) => Math.min(o, close[i]!));
  const time = Float64Array.from({ length: ref.nbars }, (_, i) => i * 86_400_000);
  const market = marketFromArrays({ time, open, high, low, close }, 'synth1m[0:100000]');
  for (const [name, make] of backends) {
    it(`${name} reproduces every genome`, () => check(make(), market, ref));
  }
  it.skipIf(!native.ok)(nativeTitle, () => checkNative(market, ref));
});
