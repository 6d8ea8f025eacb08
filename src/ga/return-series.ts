// The per-genome return series of the final overfitting analysis, in a form whose size does not
// grow with the bars: the moments of each genome's per-bar returns (for the deflated Sharpe
// ratio) and the returns compounded over consecutive bars into at most MAX_RETURN_ROWS rows (for
// PBO by CSCV). One genome's full series lives only while it is being summarised, on whichever
// thread runs it, so the analysis holds genomes x rows values instead of genomes x bars.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { abortError, configError } from '../errors.js';
import type { MarketData } from '../data/market.js';
import type { IndicatorCache } from '../strategy/indicator-cache.js';
import { backtestStrategy } from '../strategy/run.js';
import type { Execution } from '../strategy/run.js';
import type { Strategy } from '../strategy/strategy.js';
import type { KernelSet, Window } from '../kernels/kernel-set.js';
import type { ReturnMoments } from '../stats/deflated-sharpe.js';
import { returnMoments } from '../stats/deflated-sharpe.js';

/** Rows at most in a returns matrix: longer series are compounded over consecutive bars. */
export const MAX_RETURN_ROWS = 20_000;

/** Values before a summary's rows: mean, std, skewness, kurtosis, sharpe (per bar), count. */
export const SUMMARY_HEAD = 6;

/** Bars compounded into one row so that a window's returns fit in maxRows rows. */
export function barsPerRowFor(window: Window, maxRows = MAX_RETURN_ROWS): number {
  return Math.max(1, Math.ceil(Math.max(0, window.end - window.start - 1) / maxRows));
}

/** Refuses a bars-per-row that is not a positive integer (E_CONFIG). */
export function checkBarsPerRow(barsPerRow: number): void {
  if (!Number.isInteger(barsPerRow) || barsPerRow < 1) throw configError('barsPerRow', `must be a positive integer, got ${barsPerRow}`);
}

/** Values of one genome's summary on a window: the head, then ceil(returns / barsPerRow) rows. */
export function summaryWidth(window: Window, barsPerRow: number): number {
  return SUMMARY_HEAD + Math.ceil(Math.max(0, window.end - window.start - 1) / barsPerRow);
}

/**
 * Writes `returns` compounded over k consecutive bars ((1 + r1)(1 + r2)... - 1; with k = 1 the
 * returns themselves) to out[offset...]: ceil(length / k) values.
 */
export function compoundReturns(returns: Float64Array, k: number, out: Float64Array, offset: number): void {
  const T = returns.length;
  const rows = Math.ceil(T / k);
  for (let r = 0; r < rows; r++) {
    if (k === 1) {
      out[offset + r] = returns[r]!;
      continue;
    }
    let g = 1;
    const end = Math.min(T, (r + 1) * k);
    for (let t = r * k; t < end; t++) g *= 1 + returns[t]!;
    out[offset + r] = g - 1;
  }
}

/** One genome's summary on a window (see summaryWidth), written to out[offset...]. */
export function summarizeReturns(
  kernels: KernelSet, market: MarketData, window: Window, strategy: Strategy, genes: Float64Array, exec: Execution,
  cache: IndicatorCache | null, barsPerRow: number, out: Float64Array, offset: number,
): void {
  const raw = backtestStrategy(kernels, market, window, strategy, genes, exec, cache, { equity: true });
  const returns = kernels.returns(raw.equity!);
  const m = returnMoments(returns);
  out[offset] = m.mean;
  out[offset + 1] = m.std;
  out[offset + 2] = m.skewness;
  out[offset + 3] = m.kurtosis;
  out[offset + 4] = m.sharpe;
  out[offset + 5] = m.count;
  compoundReturns(returns, barsPerRow, out, offset + SUMMARY_HEAD);
}

/**
 * Summaries of `count` genomes (row after row), count x summaryWidth values in input order.
 * `stop` is checked between genomes: a non-zero value returns null (a cooperative cancel).
 */
export function summarizeBlock(
  kernels: KernelSet, market: MarketData, window: Window, strategy: Strategy, genomes: Float64Array, count: number,
  exec: Execution, cache: IndicatorCache | null, barsPerRow: number, stop?: Int32Array,
): Float64Array | null {
  const G = strategy.genes.length;
  const width = summaryWidth(window, barsPerRow);
  const out = new Float64Array(count * width);
  for (let i = 0; i < count; i++) {
    if (stop !== undefined && Atomics.load(stop, 0) !== 0) return null;
    summarizeReturns(kernels, market, window, strategy, genomes.subarray(i * G, (i + 1) * G), exec, cache, barsPerRow, out, i * width);
  }
  return out;
}

/** The same on the calling thread, one genome at a time, yielding to the event loop between them. */
export async function summarizeInProcess(
  kernels: KernelSet, market: MarketData, window: Window, strategy: Strategy, genomes: Float64Array, exec: Execution,
  cache: IndicatorCache | null, barsPerRow: number,
  opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<Float64Array> {
  const G = strategy.genes.length;
  const count = genomes.length / G;
  const width = summaryWidth(window, barsPerRow);
  const out = new Float64Array(count * width);
  for (let i = 0; i < count; i++) {
    if (opts.signal?.aborted === true) throw abortError(opts.signal.reason);
    summarizeReturns(kernels, market, window, strategy, genomes.subarray(i * G, (i + 1) * G), exec, cache, barsPerRow, out, i * width);
    opts.onProgress?.(i + 1, count);
    if (i + 1 < count) await yieldToEventLoop();
  }
  return out;
}

/** The moments and the compounded rows of summary i of a block. */
export function readSummary(block: Float64Array, i: number, width: number): { moments: ReturnMoments; rows: Float64Array } {
  const o = i * width;
  return {
    moments: { mean: block[o]!, std: block[o + 1]!, skewness: block[o + 2]!, kurtosis: block[o + 3]!, sharpe: block[o + 4]!, count: block[o + 5]! },
    rows: block.subarray(o + SUMMARY_HEAD, o + width),
  };
}
