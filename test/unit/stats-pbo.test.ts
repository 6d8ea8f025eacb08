import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/errors.js';
import { Random } from '../../src/random.js';
import { DEFAULT_PBO_BLOCKS, probabilityOfBacktestOverfitting, sharpePerformance } from '../../src/stats/pbo.js';
import type { PboOptions } from '../../src/stats/pbo.js';

/** T x N iid normal returns (std 0.01); column `edgeColumn` gets `edge` standard deviations of mean per bar. */
function noiseMatrix(seed: number, T: number, N: number, edgeColumn = -1, edge = 0): Matrix {
  const rnd = new Random(seed);
  const m = new Matrix(T, N);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < N; j++) m.set(t, j, 0.01 * (rnd.normal() + (j === edgeColumn ? edge : 0)));
  }
  return m;
}

function expectConfigError(f: () => unknown, option: string): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(EngineError);
  expect((caught as EngineError).code).toBe('E_CONFIG');
  expect((caught as EngineError).option).toBe(option);
}

/** All k-subsets of 0..n-1 in lexicographic order, by recursion (independent of pbo.ts's iterator). */
function subsets(n: number, k: number, start = 0): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let i = start; i <= n - k; i++) for (const rest of subsets(n, k - 1, i + 1)) out.push([i, ...rest]);
  return out;
}

/** The textbook CSCV, O(T N) per combination: concatenate the rows, score every column directly. */
function bruteForce(m: Matrix, S: number, starts: Int32Array) {
  const N = m.columns;
  const sharpeOf = (rows: number[], j: number): number => {
    const x = rows.map((t) => m.get(t, j));
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const v = x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1);
    return v > 0 ? mean / Math.sqrt(v) : 0;
  };
  const rowsOf = (blocks: number[]): number[] => blocks.flatMap((b) => Array.from({ length: starts[b + 1]! - starts[b]! }, (_, i) => starts[b]! + i));
  return subsets(S, S / 2).map((is) => {
    const oos = Array.from({ length: S }, (_, b) => b).filter((b) => !is.includes(b));
    const isPerf = Array.from({ length: N }, (_, j) => sharpeOf(rowsOf(is), j));
    const oosPerf = Array.from({ length: N }, (_, j) => sharpeOf(rowsOf(oos), j));
    const best = isPerf.indexOf(Math.max(...isPerf));
    const below = oosPerf.filter((p) => p < oosPerf[best]!).length;
    const equal = oosPerf.filter((p) => p === oosPerf[best]!).length;
    const rank = below + (equal + 1) / 2;
    return { best, rank, isPerf: isPerf[best]!, oosPerf: oosPerf[best]!, logit: Math.log(rank / (N + 1 - rank)) };
  });
}

describe('probability of backtest overfitting (CSCV)', () => {
  it('matches a small case enumerated by hand (S = 4, N = 3, one bar per block)', () => {
    // Rows are bars = blocks 0..3; columns are strategies.
    //   col 0: [ 3, 1, -1, -2]   strong early, weak late
    //   col 1: [ 1, 2,  1,  3]
    //   col 2: [-1, 0,  2,  3]   weak early, strong late
    // Each half is 2 bars {a, b}: mean (a + b)/2, std (ddof 1) |a - b|/√2, so the Sharpe is
    // q/√2 with q = (a + b)/|a - b| (and 0 when a = b). Ranks need only q.
    //
    //  IS blocks | OOS blocks | IS q (col 0, 1, 2)  | OOS q (col 0, 1, 2)  | n* | OOS rank | ω   | λ
    //  {0,1}     | {2,3}      | 4/2=2, 3/1=3, -1/1=-1 | -3/1=-3, 4/2=2, 5/1=5 | 1  | 2        | 2/4 | ln(1)   =  0
    //  {0,2}     | {1,3}      | 2/4=.5, 1,1 -> 0, 1/3 | -1/3, 5/1=5, 3/3=1    | 0  | 1        | 1/4 | ln(1/3) = -1.0986
    //  {0,3}     | {1,2}      | 1/5=.2, 4/2=2, 2/4=.5 | 0/2=0, 3/1=3, 2/2=1   | 1  | 3        | 3/4 | ln(3)   =  1.0986
    //  {1,2}     | {0,3}      | 0, 3, 1               | .2, 2, .5             | 1  | 3        | 3/4 | ln(3)   =  1.0986
    //  {1,3}     | {0,2}      | -1/3, 5, 1            | .5, 0, 1/3            | 1  | 1        | 1/4 | ln(1/3) = -1.0986
    //  {2,3}     | {0,1}      | -3, 2, 5              | 2, 3, -1              | 2  | 1        | 1/4 | ln(1/3) = -1.0986
    //
    // λ <= 0 in combinations 1, 2, 5, 6 (λ = 0, the winner exactly at the median, counts as
    // overfit): PBO = 4/6. The winner's OOS Sharpe is below 0 in combinations 2 (-1/3) and 6
    // (-1): probability of loss 2/6 (combination 5's OOS Sharpe is exactly 0, not a loss).
    const m = new Matrix([
      [3, 1, -1],
      [1, 2, 0],
      [-1, 1, 2],
      [-2, 3, 3],
    ]);
    const r = probabilityOfBacktestOverfitting(m, { blocks: 4 });
    const ln3 = Math.log(3);
    expect(r.combinations).toBe(6);
    expect(Array.from(r.blockStarts)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(r.selected)).toEqual([1, 0, 1, 1, 1, 2]);
    expect(Array.from(r.oosRank)).toEqual([2, 1, 3, 3, 1, 1]);
    const expectedLogits = [0, -ln3, ln3, ln3, -ln3, -ln3];
    r.logits.forEach((l, i) => expect(l).toBeCloseTo(expectedLogits[i]!, 14));
    expect(r.pbo).toBeCloseTo(4 / 6, 15);
    expect(r.probabilityOfLoss).toBeCloseTo(2 / 6, 15);
    const isQ = [3, 0.5, 2, 3, 5, 5];
    const oosQ = [2, -1 / 3, 3, 2, 0, -1];
    r.isPerformance.forEach((p, i) => expect(p).toBeCloseTo(isQ[i]! / Math.SQRT2, 14));
    r.oosPerformance.forEach((p, i) => expect(p).toBeCloseTo(oosQ[i]! / Math.SQRT2, 14));
  });

  it('ties: the in-sample winner is the lowest index, tied OOS scores share the average rank', () => {
    // Columns 0 and 1 are identical, column 2 is their negative: every IS half is a tie between
    // 0 and 1 (n* = 0), and out of sample columns 0 and 1 tie as well.
    const base = [0.5, -0.2, 0.9, 0.2, -0.4, 0.5];
    const m = new Matrix(base.map((x) => [x, x, -x]));
    const r = probabilityOfBacktestOverfitting(m, { blocks: 2 });
    expect(r.combinations).toBe(2);
    expect(Array.from(r.selected)).toEqual([0, 0]);
    // Blocks [0.5, -0.2, 0.9] and [0.2, -0.4, 0.5] both have positive means: n* = column 0; out of
    // sample columns 0 and 1 share ranks 2 and 3 (average 2.5), column 2 is rank 1.
    expect(Array.from(r.oosRank)).toEqual([2.5, 2.5]);
    expect(r.logits[0]).toBeCloseTo(Math.log(2.5 / 1.5), 14);
  });

  it('agrees with a brute-force CSCV, including the spread of a remainder over the first blocks', () => {
    // T = 103, S = 6: 103 = 6 x 17 + 1, so block 0 has 18 rows and the other five 17.
    const m = noiseMatrix(3, 103, 5);
    for (let t = 0; t < 103; t++) m.set(t, 2, m.get(t, 2) + 0.004); // a column with some edge
    const r = probabilityOfBacktestOverfitting(m, { blocks: 6 });
    expect(Array.from(r.blockStarts)).toEqual([0, 18, 35, 52, 69, 86, 103]);
    const ref = bruteForce(m, 6, r.blockStarts);
    expect(r.combinations).toBe(20);
    ref.forEach((c, i) => {
      expect(r.selected[i]).toBe(c.best);
      expect(r.oosRank[i]).toBe(c.rank);
      expect(r.logits[i]).toBeCloseTo(c.logit, 12);
      expect(r.isPerformance[i]).toBeCloseTo(c.isPerf, 12);
      expect(r.oosPerformance[i]).toBeCloseTo(c.oosPerf, 12);
    });
    expect(r.pbo).toBe(ref.filter((c) => c.logit <= 0).length / ref.length);
    expect(r.probabilityOfLoss).toBe(ref.filter((c) => c.oosPerf < 0).length / ref.length);
  });

  it('reports the degradation line as ordinary least squares', () => {
    const r = probabilityOfBacktestOverfitting(noiseMatrix(8, 600, 12), { blocks: 8 });
    // An independent fit: solve the overdetermined system [1 x] b = y by ml-matrix's QR.
    const X = new Matrix(Array.from(r.isPerformance, (x) => [1, x]));
    const y = Matrix.columnVector(Array.from(r.oosPerformance));
    const b = solve(X, y);
    expect(r.degradation.intercept).toBeCloseTo(b.get(0, 0), 12);
    expect(r.degradation.slope).toBeCloseTo(b.get(1, 0), 12);
    const fitted = X.mmul(b);
    const ybar = y.mean();
    let ssRes = 0;
    let ssTot = 0;
    for (let i = 0; i < y.rows; i++) {
      ssRes += (y.get(i, 0) - fitted.get(i, 0)) ** 2;
      ssTot += (y.get(i, 0) - ybar) ** 2;
    }
    expect(r.degradation.r2).toBeCloseTo(1 - ssRes / ssTot, 12);
  });

  it('pure noise gives PBO near 1/2', () => {
    // With iid noise the in-sample winner's out-of-sample rank is uniform on 1..N, so each
    // combination has P(λ <= 0) = 16/32 = 1/2 for N = 32. But the 12,870 combinations of one
    // matrix reuse the same 2000 bars, so one matrix's PBO is itself noisy: over 40 seeds it had
    // mean 0.54 and standard deviation 0.15 (range 0.24 to 0.83), and a single-matrix band of
    // [0.3, 0.7] would fail for about a quarter of seeds. So average 16 seeded matrices (standard
    // error about 0.15 / 4 = 0.04) and require [0.4, 0.6], and give each matrix the wide band.
    let total = 0;
    for (let seed = 1; seed <= 16; seed++) {
      const r = probabilityOfBacktestOverfitting(noiseMatrix(seed, 2000, 32));
      expect(r.combinations).toBe(12_870);
      expect(r.pbo).toBeGreaterThan(0.15);
      expect(r.pbo).toBeLessThan(0.85);
      total += r.pbo;
    }
    const mean = total / 16;
    expect(mean).toBeGreaterThan(0.4);
    expect(mean).toBeLessThan(0.6);
  });

  it('one genuinely better column gives PBO near 0', () => {
    // Column 7 has a mean of +0.2 standard deviations per bar. In-sample halves have 1000 bars, so
    // a Sharpe estimate has a standard error of 1/√1000 = 0.032 and the luckiest of 31 noise
    // columns reaches about 2.04 x 0.032 = 0.065: the edge wins by about 4 standard errors. (An
    // edge of +0.1 is only about 1 standard error clear: over 20 seeds its PBO averaged 0.10 and
    // reached 0.40, so it is not used as a "near 0" case at this T.)
    for (const seed of [1, 2, 3, 4]) {
      const r = probabilityOfBacktestOverfitting(noiseMatrix(seed, 2000, 32, 7, 0.2));
      expect(r.pbo).toBeLessThan(0.05);
      expect(r.selected.filter((j) => j === 7).length / r.combinations).toBeGreaterThan(0.95);
      expect(r.probabilityOfLoss).toBeLessThan(0.05);
    }
  });

  it('is fast: T = 5000, N = 64, S = 16 in well under a second', () => {
    const m = noiseMatrix(99, 5000, 64);
    probabilityOfBacktestOverfitting(m, { blocks: 4 }); // warm up the JIT
    const t0 = performance.now();
    const r = probabilityOfBacktestOverfitting(m);
    const ms = performance.now() - t0;
    expect(r.combinations).toBe(12_870);
    expect(r.blocks).toBe(DEFAULT_PBO_BLOCKS);
    expect(ms).toBeLessThan(1000);
  });

  it('is deterministic and takes a custom performance function', () => {
    const m = noiseMatrix(17, 400, 6);
    const a = probabilityOfBacktestOverfitting(m, { blocks: 8 });
    const b = probabilityOfBacktestOverfitting(m, { blocks: 8, performance: sharpePerformance });
    expect(Array.from(a.logits)).toEqual(Array.from(b.logits));
    // Mean return as the score: the winner is the column with the highest in-sample mean.
    const opts: PboOptions = { blocks: 8, performance: (mean) => mean };
    const c = probabilityOfBacktestOverfitting(m, opts);
    // The first combination is blocks {0, 1, 2, 3} in sample: 4 blocks of 50 rows, rows 0..199.
    const isMeans = Array.from({ length: 6 }, (_, j) => {
      let s = 0;
      for (let t = 0; t < 200; t++) s += m.get(t, j);
      return s / 200;
    });
    expect(c.selected[0]).toBe(isMeans.indexOf(Math.max(...isMeans)));
    expect(c.isPerformance[0]).toBeCloseTo(Math.max(...isMeans), 15);
  });

  it('rejects bad inputs with E_CONFIG', () => {
    const m = noiseMatrix(1, 40, 4);
    expectConfigError(() => probabilityOfBacktestOverfitting(m, { blocks: 5 }), 'blocks');
    expectConfigError(() => probabilityOfBacktestOverfitting(m, { blocks: 0 }), 'blocks');
    expectConfigError(() => probabilityOfBacktestOverfitting(m, { blocks: 2.5 }), 'blocks');
    expectConfigError(() => probabilityOfBacktestOverfitting(noiseMatrix(1, 10, 4), { blocks: 12 }), 'blocks');
    expectConfigError(() => probabilityOfBacktestOverfitting(noiseMatrix(1, 100, 4), { blocks: 26 }), 'blocks');
    expectConfigError(() => probabilityOfBacktestOverfitting(noiseMatrix(1, 40, 1), { blocks: 4 }), 'returns');
    const bad = noiseMatrix(1, 40, 4);
    bad.set(7, 2, NaN);
    expectConfigError(() => probabilityOfBacktestOverfitting(bad, { blocks: 4 }), 'returns');
    expect(() => probabilityOfBacktestOverfitting(bad, { blocks: 4 })).toThrow(/row 7, column 2/);
  });
});
