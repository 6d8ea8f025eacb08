import { Matrix, correlation } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/errors.js';
import { Random } from '../../src/random.js';
import { genotypeSpread, meanPairwiseCorrelation, meanPairwiseCorrelationOf, meanPairwiseDistance } from '../../src/stats/diversity.js';

function noiseColumns(seed: number, T: number, N: number): Matrix {
  const rnd = new Random(seed);
  const m = new Matrix(T, N);
  for (let t = 0; t < T; t++) for (let j = 0; j < N; j++) m.set(t, j, 0.01 * rnd.normal());
  return m;
}

describe('meanPairwiseCorrelation', () => {
  it('equals the mean of the off-diagonal of ml-matrix correlation() (an independent implementation)', () => {
    const rnd = new Random(9);
    for (const [rows, cols] of [[50, 2], [3500, 10], [7, 5]] as const) {
      // Correlated columns: a shared factor plus noise, at different scales and offsets.
      const f = Array.from({ length: rows }, () => rnd.normal());
      const m = new Matrix(f.map((v) => Array.from({ length: cols }, (_, j) => (j + 1) * (0.5 * v + rnd.normal()) + j)));
      const r = correlation(m);
      let sum = 0;
      for (let i = 0; i < cols; i++) for (let j = i + 1; j < cols; j++) sum += r.get(i, j);
      const expected = sum / ((cols * (cols - 1)) / 2);
      expect(Math.abs(meanPairwiseCorrelation(m) - expected)).toBeLessThan(1e-12);
      expect(meanPairwiseCorrelationOf(Array.from({ length: cols }, (_, j) => Float64Array.from(m.getColumn(j))))).toBe(meanPairwiseCorrelation(m));
    }
  });

  it('identical streams correlate at 1, an anti-correlated pair at -1', () => {
    const rnd = new Random(1);
    const x = Array.from({ length: 500 }, () => rnd.normal());
    const same = new Matrix(x.map((v) => [v, v, v]));
    expect(meanPairwiseCorrelation(same)).toBeCloseTo(1, 14);
    // A scaled and shifted copy is still perfectly correlated; a negated one perfectly opposed.
    const pair = new Matrix(x.map((v) => [v, -2 * v + 0.3]));
    expect(meanPairwiseCorrelation(pair)).toBeCloseTo(-1, 14);
  });

  it('independent seeded noise is near 0', () => {
    // 20 columns of 5000 iid normals: each correlation has standard error 1/sqrt(5000) = 0.014,
    // and the mean of 190 (weakly dependent) pairs far less; 0.01 is a generous bound.
    const r = meanPairwiseCorrelation(noiseColumns(2, 5000, 20));
    expect(Math.abs(r)).toBeLessThan(0.01);
  });

  it('averages every unordered pair once', () => {
    // Columns a, a, -a: pairs (0,1) = 1, (0,2) = -1, (1,2) = -1, mean -1/3.
    const m = new Matrix([
      [1, 1, -1],
      [2, 2, -2],
      [0, 0, 0],
      [5, 5, -5],
    ]);
    expect(meanPairwiseCorrelation(m)).toBeCloseTo(-1 / 3, 14);
  });

  it('leaves out constant columns and is NaN with fewer than 2 usable columns', () => {
    const rnd = new Random(3);
    const x = Array.from({ length: 100 }, () => rnd.normal());
    // Columns: x, x, and an idle strategy (all zeros): only the pair (0, 1) counts.
    const withIdle = new Matrix(x.map((v) => [v, v, 0]));
    expect(meanPairwiseCorrelation(withIdle)).toBeCloseTo(1, 14);
    expect(meanPairwiseCorrelation(new Matrix(x.map((v) => [v, 0.25])))).toBeNaN();
    expect(meanPairwiseCorrelation(new Matrix([[1, 2, 3]]))).toBeNaN(); // one bar
  });

  it('does not modify its input', () => {
    const m = noiseColumns(4, 50, 3);
    const before = m.to2DArray();
    meanPairwiseCorrelation(m);
    expect(m.to2DArray()).toEqual(before);
  });
});

describe('genotype spread and distance', () => {
  const low = new Float64Array([2, 5, 0]);
  const up = new Float64Array([100, 300, 1]);

  it('identical genomes have spread 0 and distance 0', () => {
    const g = new Float64Array(10 * 3);
    for (let i = 0; i < 10; i++) g.set([10, 40, 0.5], i * 3);
    expect(genotypeSpread(g, 10, 3, low, up)).toBe(0);
    expect(meanPairwiseDistance(g, 10, 3, low, up)).toBe(0);
    expect(meanPairwiseDistance(g, 10, 3, low, up, 'l1')).toBe(0);
  });

  it('half the population at each bound gives the maximum 0.5 and distance 1/2', () => {
    const g = new Float64Array([2, 5, 0, 100, 300, 1, 2, 5, 0, 100, 300, 1]);
    // Each gene: population std = range / 2, so each term and the mean are 0.5.
    expect(genotypeSpread(g, 4, 3, low, up)).toBeCloseTo(0.5, 15);
    // 6 pairs: 4 at opposite corners (distance 1), 2 identical (distance 0): mean 4/6.
    expect(meanPairwiseDistance(g, 4, 3, low, up)).toBeCloseTo(4 / 6, 15);
    expect(meanPairwiseDistance(g, 4, 3, low, up, 'l1')).toBeCloseTo(4 / 6, 15);
  });

  it('computes a hand-checked spread and distances', () => {
    // Two genes in [0, 10] and [0, 4]; three genomes (0, 0), (5, 2), (10, 1).
    const g = new Float64Array([0, 0, 5, 2, 10, 1]);
    const lo = new Float64Array([0, 0]);
    const hi = new Float64Array([10, 4]);
    // Gene 0: mean 5, population variance (25 + 0 + 25)/3, std sqrt(50/3) = 4.0825 -> / 10.
    // Gene 1: mean 1, variance (1 + 1 + 0)/3 = 2/3, std 0.8165 -> / 4.
    const expected = (Math.sqrt(50 / 3) / 10 + Math.sqrt(2 / 3) / 4) / 2;
    expect(genotypeSpread(g, 3, 2, lo, hi)).toBeCloseTo(expected, 15);
    // Scaled differences: pair (0,1) = (0.5, 0.5), (0,2) = (1, 0.25), (1,2) = (0.5, 0.25).
    const l1 = ((0.5 + 0.5) / 2 + (1 + 0.25) / 2 + (0.5 + 0.25) / 2) / 3;
    const l2 = (Math.sqrt((0.25 + 0.25) / 2) + Math.sqrt((1 + 0.0625) / 2) + Math.sqrt((0.25 + 0.0625) / 2)) / 3;
    expect(meanPairwiseDistance(g, 3, 2, lo, hi, 'l1')).toBeCloseTo(l1, 15);
    expect(meanPairwiseDistance(g, 3, 2, lo, hi, 'l2')).toBeCloseTo(l2, 15);
  });

  it('a uniform random population has spread near 1/sqrt(12)', () => {
    // The std of U(low, up) is range / sqrt(12) = 0.2887 range.
    const rnd = new Random(9);
    const n = 20_000;
    const g = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) g[i * 3 + k] = low[k]! + rnd.next() * (up[k]! - low[k]!);
    expect(genotypeSpread(g, n, 3, low, up)).toBeCloseTo(1 / Math.sqrt(12), 2);
  });

  it('leaves out fixed genes; NaN for an empty population; validates its arrays', () => {
    const g = new Float64Array([1, 7, 3, 7]);
    // Gene 1 is fixed at 7 (low = up): only gene 0 counts, values 1 and 3 in [0, 4]: std 1 / 4.
    expect(genotypeSpread(g, 2, 2, new Float64Array([0, 7]), new Float64Array([4, 7]))).toBeCloseTo(0.25, 15);
    expect(genotypeSpread(new Float64Array(0), 0, 2, low, up)).toBeNaN();
    expect(meanPairwiseDistance(g, 1, 2, new Float64Array([0, 0]), new Float64Array([4, 8]))).toBeNaN();
    expect(() => genotypeSpread(new Float64Array(5), 2, 3, low, up)).toThrow(EngineError);
    expect(() => genotypeSpread(g, 2, 2, new Float64Array([0, 9]), new Float64Array([4, 8]))).toThrow(/gene 1/);
  });
});
