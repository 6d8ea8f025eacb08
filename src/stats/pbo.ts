// The Probability of Backtest Overfitting by combinatorially symmetric cross-validation (CSCV).
//
// D. H. Bailey, J. M. Borwein, M. Lopez de Prado and Q. J. Zhu (2017), "The Probability of
// Backtest Overfitting", Journal of Computational Finance 20(4), 39-69.
//
// The question: when we pick the strategy that did best in-sample, how often does it end up in
// the bottom half out of sample? CSCV answers it without a single arbitrary train/test split:
// the T bars are cut into S blocks; every way of choosing S/2 blocks as the in-sample set (the
// other S/2 are out of sample, so each split is used once in each role: "symmetric") gives one
// experiment. In each, n* = the in-sample best, ω = its out-of-sample relative rank, and
// λ = logit(ω). PBO = P(λ <= 0): the share of experiments where the in-sample winner ranks at
// or below the out-of-sample median. Pure noise gives PBO near 1/2; real, persistent skill near 0.

import { AbstractMatrix } from 'ml-matrix';
import { configError } from '../errors.js';

/**
 * A performance measure computed from a column's returns over a set of blocks, given only their
 * sufficient statistics: mean, sample variance (ddof = 1; 0 when count < 2) and count. Measures
 * that need the order of the returns (drawdown) cannot be expressed this way; that is the price
 * of the O(N * S) per combination the per-block sums buy. A NaN result ranks below every number.
 */
export type PerformanceFn = (mean: number, variance: number, count: number) => number;

/**
 * The default performance: the per-period Sharpe ratio mean / std (ddof = 1) of the concatenated
 * returns, 0 when the standard deviation is 0 (SPEC section 5, without annualisation, which
 * would not change any rank).
 */
export const sharpePerformance: PerformanceFn = (mean, variance) => (variance > 0 ? mean / Math.sqrt(variance) : 0);

/** Default number of blocks S (the paper's example; C(16, 8) = 12,870 combinations). */
export const DEFAULT_PBO_BLOCKS = 16;

/**
 * Largest S accepted: C(24, 12) = 2,704,156 combinations. S = 26 would be 10.4 million, and the
 * per-combination arrays of the result alone would take a quarter of a gigabyte.
 */
export const MAX_PBO_BLOCKS = 24;

/** Options of `probabilityOfBacktestOverfitting`. */
export interface PboOptions {
  /**
   * S, the number of contiguous row blocks: even, 2 <= S <= min(T, MAX_PBO_BLOCKS).
   * @default 16
   */
  blocks?: number;
  /** How a column's returns over a set of blocks are scored. @default sharpePerformance */
  performance?: PerformanceFn;
}

/**
 * Least-squares line oos = intercept + slope * is over the selected strategies (one point per
 * combination): the paper's performance degradation. Read it with the PBO, not alone: when one
 * strategy wins every split, its in-sample and out-of-sample halves are complementary parts of one
 * fixed series (their means average to the full-sample mean), so the slope is close to -1 whatever
 * its skill (a seeded test with one column of real edge gives slope -0.999, R^2 0.998, PBO 0).
 */
export interface Degradation {
  /** Negative: the better the in-sample score, the worse the out-of-sample one (the paper's sign of overfitting). NaN when all in-sample scores are equal. */
  slope: number;
  intercept: number;
  /** Coefficient of determination of the line (squared correlation); NaN when either variable is constant. */
  r2: number;
}

/** Result of `probabilityOfBacktestOverfitting`. Per-combination arrays are in lexicographic order of the in-sample block sets. */
export interface PboResult {
  /** Share of combinations whose logit λ is <= 0, in [0, 1]. */
  pbo: number;
  /** Number of combinations C(S, S/2). */
  combinations: number;
  /** S. */
  blocks: number;
  /** T, rows of the input. */
  bars: number;
  /** N, columns of the input. */
  strategies: number;
  /** First row of each block, plus T at the end (S + 1 entries). */
  blockStarts: Int32Array;
  /** λ = ln(ω / (1 - ω)) per combination. */
  logits: Float64Array;
  /** n*, the in-sample best column, per combination. */
  selected: Int32Array;
  /** Out-of-sample rank of n* (1 = worst .. N = best; ties get the average rank), per combination. */
  oosRank: Float64Array;
  /** In-sample performance of n*, per combination. */
  isPerformance: Float64Array;
  /** Out-of-sample performance of n*, per combination. */
  oosPerformance: Float64Array;
  /** Performance degradation: regression of `oosPerformance` on `isPerformance`. */
  degradation: Degradation;
  /** Share of combinations in which n* has an out-of-sample performance below 0. */
  probabilityOfLoss: number;
}

/**
 * PBO by CSCV (Bailey, Borwein, Lopez de Prado and Zhu 2017) for a T x N matrix of per-bar
 * returns (rows = bars, columns = strategies, e.g. the genomes of a final population).
 *
 * - Blocks: the rows are cut into S contiguous blocks in order; with T = qS + m, the first m
 *   blocks have q + 1 rows and the rest q rows (the paper assumes S divides T; this spreads the
 *   remainder instead of dropping bars).
 * - Combinations: every set of S/2 blocks is in-sample once, in lexicographic order of block
 *   indices; the rest, in their original order, are out of sample.
 * - n* = the column with the highest in-sample performance; ties go to the lowest column index.
 * - Its out-of-sample rank among the N columns, 1 (worst) to N (best), with tied scores given the
 *   average of their ranks; ω = rank / (N + 1), so 0 < ω < 1 and λ = ln(ω / (1 - ω)) is finite.
 * - PBO = share of λ <= 0 (λ = 0 only when n* sits exactly on the median, which counts as
 *   overfit: it did no better than a random pick).
 *
 * Cost: per-block sums of r - c and (r - c)^2 per column (c = the column's mean over all rows, a
 * shift that keeps the variance free of cancellation) are computed once, O(T N); each of the
 * C(S, S/2) combinations then costs O(N S). T = 5000, N = 64, S = 16 takes a few tens of ms.
 *
 * @throws EngineError E_CONFIG when N < 2, when S is not an even integer in [2, min(T, 24)], or
 *   when an entry is not finite.
 */
export function probabilityOfBacktestOverfitting(returns: AbstractMatrix, options: PboOptions = {}): PboResult {
  const blocks = options.blocks ?? DEFAULT_PBO_BLOCKS;
  const performance = options.performance ?? sharpePerformance;
  if (!AbstractMatrix.isMatrix(returns)) throw configError('returns', 'must be an ml-matrix Matrix (rows = bars, columns = strategies)');
  const T = returns.rows;
  const N = returns.columns;
  if (N < 2) throw configError('returns', `needs at least 2 strategies (columns) to rank, got ${N}`);
  if (!Number.isInteger(blocks) || blocks < 2 || blocks % 2 !== 0) {
    throw configError('blocks', `must be an even integer >= 2 (got ${blocks})`);
  }
  if (blocks > MAX_PBO_BLOCKS) {
    throw configError('blocks', `must be at most ${MAX_PBO_BLOCKS} (C(S, S/2) combinations grow too fast; got ${blocks})`);
  }
  if (blocks > T) throw configError('blocks', `must not exceed the number of bars (S = ${blocks}, T = ${T})`);

  const S = blocks;
  const half = S / 2;
  const blockStarts = new Int32Array(S + 1);
  const q = Math.floor(T / S);
  const rem = T % S;
  for (let b = 0; b < S; b++) blockStarts[b + 1] = blockStarts[b]! + q + (b < rem ? 1 : 0);

  // Column means (the shift), then per-block shifted sums: bsum[b * N + j], bsq[b * N + j].
  const shift = new Float64Array(N);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < N; j++) {
      const x = returns.get(t, j);
      if (!Number.isFinite(x)) throw configError('returns', `row ${t}, column ${j} is not finite (${x})`);
      shift[j] = shift[j]! + x;
    }
  }
  for (let j = 0; j < N; j++) shift[j] = shift[j]! / T;
  const bsum = new Float64Array(S * N);
  const bsq = new Float64Array(S * N);
  for (let b = 0; b < S; b++) {
    const o = b * N;
    for (let t = blockStarts[b]!; t < blockStarts[b + 1]!; t++) {
      for (let j = 0; j < N; j++) {
        const d = returns.get(t, j) - shift[j]!;
        bsum[o + j] = bsum[o + j]! + d;
        bsq[o + j] = bsq[o + j]! + d * d;
      }
    }
  }

  const combinations = binomial(S, half);
  const logits = new Float64Array(combinations);
  const selected = new Int32Array(combinations);
  const oosRank = new Float64Array(combinations);
  const isPerformance = new Float64Array(combinations);
  const oosPerformance = new Float64Array(combinations);

  const inSample = new Uint8Array(S);
  const comb = new Int32Array(half);
  for (let i = 0; i < half; i++) comb[i] = i;
  const isIdx = new Int32Array(half);
  const oosIdx = new Int32Array(half);
  const accSum = new Float64Array(N);
  const accSq = new Float64Array(N);
  const oosPerf = new Float64Array(N);
  let overfit = 0;
  let losses = 0;

  for (let c = 0; c < combinations; c++) {
    inSample.fill(0);
    for (let i = 0; i < half; i++) inSample[comb[i]!] = 1;
    let ni = 0;
    let no = 0;
    let isCount = 0;
    for (let b = 0; b < S; b++) {
      if (inSample[b] === 1) {
        isIdx[ni++] = b;
        isCount += blockStarts[b + 1]! - blockStarts[b]!;
      } else oosIdx[no++] = b;
    }
    const oosCount = T - isCount;

    // In sample: n* = argmax, first index on ties (strict >).
    accumulate(isIdx, N, bsum, bsq, accSum, accSq);
    let best = -1;
    let bestPerf = -Infinity;
    for (let j = 0; j < N; j++) {
      const p = score(performance, shift[j]!, accSum[j]!, accSq[j]!, isCount);
      if (best < 0 || p > bestPerf) {
        best = j;
        bestPerf = p;
      }
    }

    // Out of sample: every column's score, then n*'s average rank among them.
    accumulate(oosIdx, N, bsum, bsq, accSum, accSq);
    for (let j = 0; j < N; j++) oosPerf[j] = score(performance, shift[j]!, accSum[j]!, accSq[j]!, oosCount);
    const mine = oosPerf[best]!;
    let below = 0;
    let equal = 0;
    for (let j = 0; j < N; j++) {
      const p = oosPerf[j]!;
      if (p < mine) below++;
      else if (p === mine) equal++;
    }
    const rank = below + (equal + 1) / 2;
    const omega = rank / (N + 1);
    const lambda = Math.log(omega / (1 - omega));

    logits[c] = lambda;
    selected[c] = best;
    oosRank[c] = rank;
    isPerformance[c] = bestPerf;
    oosPerformance[c] = mine;
    if (lambda <= 0) overfit++;
    if (mine < 0) losses++;

    nextCombination(comb, S);
  }

  return {
    pbo: overfit / combinations,
    combinations,
    blocks: S,
    bars: T,
    strategies: N,
    blockStarts,
    logits,
    selected,
    oosRank,
    isPerformance,
    oosPerformance,
    degradation: linearFit(isPerformance, oosPerformance),
    probabilityOfLoss: losses / combinations,
  };
}

/** Sums the per-block shifted sums of the given blocks into accSum / accSq, per column. */
function accumulate(
  idx: Int32Array,
  N: number,
  bsum: Float64Array,
  bsq: Float64Array,
  accSum: Float64Array,
  accSq: Float64Array,
): void {
  accSum.fill(0);
  accSq.fill(0);
  for (let i = 0; i < idx.length; i++) {
    const o = idx[i]! * N;
    for (let j = 0; j < N; j++) {
      accSum[j] = accSum[j]! + bsum[o + j]!;
      accSq[j] = accSq[j]! + bsq[o + j]!;
    }
  }
}

/** Mean and sample variance from shifted sums, then the performance; NaN ranks lowest. */
function score(performance: PerformanceFn, shift: number, sumD: number, sumD2: number, n: number): number {
  const mean = shift + sumD / n;
  // Rounding can push a zero variance a hair below 0; a variance is never negative.
  const variance = n > 1 ? Math.max(0, (sumD2 - (sumD * sumD) / n) / (n - 1)) : 0;
  const p = performance(mean, variance, n);
  return Number.isNaN(p) ? -Infinity : p;
}

/** Advances a k-subset of 0..n-1 (sorted) to its lexicographic successor; the last one wraps. */
function nextCombination(comb: Int32Array, n: number): void {
  const k = comb.length;
  let i = k - 1;
  while (i >= 0 && comb[i] === n - k + i) i--;
  if (i < 0) return;
  comb[i] = comb[i]! + 1;
  for (let j = i + 1; j < k; j++) comb[j] = comb[j - 1]! + 1;
}

/** C(n, k), exact for the sizes used here (n <= 24). */
function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Ordinary least squares y = a + b x with centred sums. */
function linearFit(x: Float64Array, y: Float64Array): Degradation {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  const intercept = sxx > 0 ? my - slope * mx : NaN;
  const r2 = sxx > 0 && syy > 0 ? (sxy * sxy) / (sxx * syy) : NaN;
  return { slope, intercept, r2 };
}
