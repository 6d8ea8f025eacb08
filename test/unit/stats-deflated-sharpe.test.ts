import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/errors.js';
import { Random } from '../../src/random.js';
import {
  EULER_MASCHERONI,
  deflatedSharpe,
  deflatedSharpeFromReturns,
  expectedMaxSharpe,
  probabilisticSharpe,
  returnMoments,
  sharpeVariance,
} from '../../src/stats/deflated-sharpe.js';
import { normalCdf, normalPdf, normalQuantile, normalSf } from '../../src/stats/normal.js';
import { dsrVerdict, formatProbability, pboVerdict } from '../../src/stats/verdict.js';

/** |actual - expected| <= rel * |expected| (relative accuracy, the claim normal.ts makes). */
function expectRel(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

describe('normal distribution', () => {
  // Reference values: mpmath at 400 digits (ncdf, sqrt(2) erfinv(2p - 1)), rounded to doubles.
  it('Φ matches known values to ~1e-15 relative, tails included', () => {
    expectRel(normalCdf(1.96), 0.9750021048517795, 1e-15);
    expectRel(normalCdf(-5), 2.866515718791939e-7, 1e-15);
    expectRel(normalCdf(-1), 0.15865525393145705, 1e-15);
    expectRel(normalCdf(3), 0.9986501019683699, 1e-15);
    expectRel(normalCdf(-10), 7.619853024160525e-24, 1e-15);
    expectRel(normalCdf(-30), 4.906713927148187e-198, 1e-13);
    expect(normalCdf(0)).toBe(0.5);
    // The upper tail directly: 1 - Φ(5) would be all rounding error.
    expectRel(normalSf(5), 2.866515718791939e-7, 1e-15);
    expectRel(normalSf(8), 6.22096057427178e-16, 1e-14);
  });

  it('Φ is symmetric, monotone, and handles infinities and NaN', () => {
    for (const x of [0.1, 0.5, 0.67, 0.7, 1.3, 2.2, 4.9, 5.7, 7.5, 12]) {
      expect(normalCdf(-x)).toBe(normalSf(x));
      expect(normalCdf(x) + normalSf(x)).toBeCloseTo(1, 15);
    }
    let prev = 0;
    for (let x = -9; x <= 9; x += 0.01) {
      const p = normalCdf(x);
      expect(p).toBeGreaterThanOrEqual(prev);
      prev = p;
    }
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(NaN)).toBeNaN();
    expect(normalPdf(0)).toBeCloseTo(0.3989422804014327, 16);
  });

  it('Φ^-1 matches known values to ~1e-15 relative', () => {
    expectRel(normalQuantile(0.975), 1.959963984540054, 1e-15);
    expectRel(normalQuantile(0.99), 2.3263478740408408, 1e-15);
    expectRel(normalQuantile(0.001), -3.0902323061678136, 1e-15);
    expectRel(normalQuantile(1e-10), -6.361340902404057, 1e-15);
    expectRel(normalQuantile(1e-300), -37.0470962993612, 1e-15);
    expectRel(normalQuantile(1 - 1e-15), 7.941444487415978, 1e-15);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(NaN)).toBeNaN();
  });

  it('Φ(Φ^-1(p)) = p across all three intervals of AS 241', () => {
    for (const p of [1e-200, 1e-20, 1e-8, 0.001, 0.02, 0.074, 0.076, 0.2, 0.5, 0.8, 0.924, 0.926, 0.999, 1 - 1e-9]) {
      const x = normalQuantile(p);
      // Compare in the smaller tail, where relative accuracy is meaningful. The round trip
      // magnifies x's relative error e into about x^2 e in the tail probability (d ln Φ / d ln x
      // is about x^2 there), so the bound scales with x^2.
      const tol = 4e-16 * Math.max(8, x * x);
      if (p < 0.5) expectRel(normalCdf(x), p, tol);
      else expectRel(normalSf(x), 1 - p, tol);
    }
  });
});

describe('returnMoments', () => {
  it('computes the documented estimators on a hand-checked series', () => {
    const r = new Float64Array([0.01, -0.02, 0.03, 0.0, 0.02]);
    // mean = 0.04 / 5 = 0.008; deviations 0.002, -0.028, 0.022, -0.008, 0.012
    // Σd^2 = (4 + 784 + 484 + 64 + 144)e-6 = 1480e-6 -> std (ddof 1) = sqrt(1480e-6 / 4) = sqrt(370e-6)
    // m2 = 1480e-6 / 5 = 296e-6; Σd^3 = (8 - 21952 + 10648 - 512 + 1728)e-9 = -10080e-9 -> m3 = -2016e-9
    // Σd^4 = (16 + 614656 + 234256 + 4096 + 20736)e-12 = 873760e-12 -> m4 = 174752e-12
    const m = returnMoments(r);
    expect(m.count).toBe(5);
    expect(m.mean).toBeCloseTo(0.008, 15);
    expect(m.std).toBeCloseTo(Math.sqrt(370e-6), 15);
    expectRel(m.skewness, -2016e-9 / Math.pow(296e-6, 1.5), 1e-12); // -0.39587...
    expectRel(m.kurtosis, 174752 / (296 * 296), 1e-12); // 1.99452...
    expectRel(m.sharpe, 0.008 / Math.sqrt(370e-6), 1e-12);
  });

  it('a normal sample has skewness near 0 and kurtosis near 3', () => {
    const rnd = new Random(11);
    const r = new Float64Array(200_000);
    for (let i = 0; i < r.length; i++) r[i] = 0.001 + 0.01 * rnd.normal();
    const m = returnMoments(r);
    // Standard errors: sqrt(6/T) = 0.0055 and sqrt(24/T) = 0.011; the bounds are 4 of them.
    expect(Math.abs(m.skewness)).toBeLessThan(0.022);
    expect(Math.abs(m.kurtosis - 3)).toBeLessThan(0.044);
    expect(m.sharpe).toBeCloseTo(0.1, 1);
  });

  it('edge cases: constant series, one value, no values', () => {
    const flat = returnMoments(new Float64Array([0.1, 0.1, 0.1]));
    expect(flat.std).toBe(0);
    expect(flat.sharpe).toBe(0);
    expect(flat.skewness).toBeNaN();
    expect(flat.kurtosis).toBeNaN();
    const one = returnMoments(new Float64Array([0.02]));
    expect(one.std).toBeNaN();
    expect(one.sharpe).toBe(0);
    const none = returnMoments(new Float64Array(0));
    expect(none.count).toBe(0);
    expect(none.mean).toBeNaN();
  });
});

describe('deflated Sharpe ratio', () => {
  it('reproduces a worked example computed by hand', () => {
    // A daily strategy: SR^ = 0.1 per day (about 1.59 annualised with 252 days), negatively skewed
    // and fat-tailed returns, T = 1000 returns, the best of N = 100 trials whose per-period
    // Sharpe ratios have a variance V = 0.0004 (standard deviation 0.02).
    const input = { sharpe: 0.1, skewness: -0.5, kurtosis: 5, bars: 1000, variance: 0.0004, trials: 100 };
    // Step 1: the two quantiles of SR0.
    //   Φ^-1(1 - 1/N) = Φ^-1(0.99) = 2.3263478740408408
    //   1 - 1/(N e) = 1 - 1/271.8281828459045 = 0.9963212055882856
    //   Φ^-1(0.9963212055882856) = 2.6802104449668827
    const z1 = 2.3263478740408408;
    const z2 = 2.6802104449668827;
    expectRel(normalQuantile(0.99), z1, 1e-15);
    expectRel(normalQuantile(1 - 1 / (100 * Math.E)), z2, 1e-14);
    // Step 2: SR0 = sqrt(V) ((1 - γ) z1 + γ z2), γ = 0.5772156649015329
    //   (1 - γ) z1 = 0.42278433509846713 x 2.3263478740408408 = 0.9835434391340896
    //   γ z2       = 0.5772156649015329  x 2.6802104449668827 = 1.5470594540675924
    //   sum = 2.530602893201682; SR0 = 0.02 x 2.530602893201682 = 0.05061205786403364
    const sr0 = 0.02 * ((1 - EULER_MASCHERONI) * z1 + EULER_MASCHERONI * z2);
    expect(sr0).toBeCloseTo(0.05061205786403364, 15);
    // Step 3: the standard error term.
    //   1 - γ3 SR^ + (γ4 - 1)/4 SR^2 = 1 - (-0.5)(0.1) + (4/4)(0.01) = 1 + 0.05 + 0.01 = 1.06
    //   sqrt(1.06) = 1.0295630140987; sqrt(T - 1) = sqrt(999) = 31.606961258558215
    // Step 4: z = (0.1 - 0.05061205786403364) x 31.606961258558215 / 1.0295630140987
    //           = 0.04938794213596636 x 30.69939462251136 = 1.5161799252257877
    //   DSR = Φ(1.5161799252257877) = 0.9352630686397337
    // And without deflation: z0 = 0.1 x 30.69939462251136 = 3.069939462251136,
    //   PSR(0) = Φ(3.069939462251136) = 0.9989294891823301
    const z = ((0.1 - sr0) * Math.sqrt(999)) / Math.sqrt(1.06);
    expect(z).toBeCloseTo(1.5161799252257877, 13);
    const res = deflatedSharpe(input);
    expect(res.sr0).toBeCloseTo(0.05061205786403364, 15);
    expectRel(res.dsr, 0.9352630686397337, 1e-13);
    expectRel(res.psr0, 0.9989294891823301, 1e-13);
    expect(res).toMatchObject({ sharpe: 0.1, skewness: -0.5, kurtosis: 5, trials: 100, variance: 0.0004, bars: 1000 });
    expect(expectedMaxSharpe(0.0004, 100)).toBe(res.sr0);
    expect(probabilisticSharpe(input, res.sr0)).toBe(res.dsr);
  });

  it('SR0 approximates the expected maximum of N skill-less Sharpe ratios', () => {
    // The False Strategy theorem behind SR0: simulate the maximum of N = 100 standard normals
    // 4000 times. E[max] = 2.5076 (exact, by integration); the formula gives 2.5306: the
    // approximation is within 1% here. The simulation's standard error is 0.43 / sqrt(4000) = 0.007.
    const rnd = new Random(5);
    let total = 0;
    for (let k = 0; k < 4000; k++) {
      let best = -Infinity;
      for (let i = 0; i < 100; i++) best = Math.max(best, rnd.normal());
      total += best;
    }
    const simulated = total / 4000;
    expect(Math.abs(simulated - 2.5076)).toBeLessThan(0.03);
    expect(Math.abs(expectedMaxSharpe(1, 100) - simulated)).toBeLessThan(0.06);
  });

  it('DSR falls as the number of trials grows', () => {
    const base = { sharpe: 0.08, skewness: 0, kurtosis: 3, bars: 2000, variance: 0.0004 };
    let prev = 1;
    for (const trials of [2, 5, 10, 100, 1000, 10_000, 1e6]) {
      const { dsr } = deflatedSharpe({ ...base, trials });
      expect(dsr).toBeLessThan(prev);
      prev = dsr;
    }
  });

  it('DSR falls as the variance of the trials grows', () => {
    const base = { sharpe: 0.08, skewness: 0, kurtosis: 3, bars: 2000, trials: 500 };
    let prev = 1;
    for (const variance of [1e-6, 1e-5, 1e-4, 4e-4, 1e-3]) {
      const { dsr } = deflatedSharpe({ ...base, variance });
      expect(dsr).toBeLessThan(prev);
      prev = dsr;
    }
  });

  it('PSR(0) exceeds DSR whenever N > 1 and V > 0', () => {
    for (const trials of [2, 3, 50, 4210]) {
      for (const sharpe of [-0.05, 0.01, 0.05, 0.2]) {
        const r = deflatedSharpe({ sharpe, skewness: -0.3, kurtosis: 4, bars: 750, variance: 2e-4, trials });
        expect(r.sr0).toBeGreaterThan(0);
        expect(r.psr0).toBeGreaterThan(r.dsr);
      }
    }
  });

  it('edge cases: N = 1 and V = 0 give SR0 = 0, so DSR = PSR(0)', () => {
    const s = { sharpe: 0.05, skewness: 0.2, kurtosis: 3.5, bars: 500 };
    const one = deflatedSharpe({ ...s, variance: 1e-3, trials: 1 });
    expect(one.sr0).toBe(0);
    expect(one.dsr).toBe(one.psr0);
    const flat = deflatedSharpe({ ...s, variance: 0, trials: 1000 });
    expect(flat.sr0).toBe(0);
    expect(flat.dsr).toBe(flat.psr0);
    // The asymptotic formula goes negative for N just above 1; SR0 is clamped at 0 there.
    expect(expectedMaxSharpe(1e-3, 1.1)).toBe(0);
    expect(expectedMaxSharpe(1e-3, 1.3)).toBeGreaterThan(0);
  });

  it('edge cases: T < 2, an impossible variance term, a zero Sharpe with undefined moments', () => {
    expect(deflatedSharpe({ sharpe: 0.1, skewness: 0, kurtosis: 3, bars: 1, variance: 1e-4, trials: 10 }).dsr).toBeNaN();
    expect(probabilisticSharpe({ sharpe: 0.1, skewness: 0, kurtosis: 3, bars: 0 })).toBeNaN();
    // 1 - 30 x 0.1 + (3 - 1)/4 x 0.01 = -1.995 < 0: moments that violate γ4 >= 1 + γ3^2.
    expect(probabilisticSharpe({ sharpe: 0.1, skewness: 30, kurtosis: 3, bars: 100 })).toBeNaN();
    // A flat series: Sharpe 0, skewness and kurtosis undefined; PSR(0) = Φ(0) = 1/2.
    const flat = returnMoments(new Float64Array(50).fill(0));
    expect(probabilisticSharpe({ sharpe: flat.sharpe, skewness: flat.skewness, kurtosis: flat.kurtosis, bars: flat.count })).toBe(0.5);
    // Results otherwise stay in [0, 1], even far in the tails.
    const far = deflatedSharpe({ sharpe: 2, skewness: 0, kurtosis: 3, bars: 100_000, variance: 1e-4, trials: 10 });
    expect(far.dsr).toBe(1);
    const low = deflatedSharpe({ sharpe: -2, skewness: 0, kurtosis: 3, bars: 100_000, variance: 1e-4, trials: 10 });
    expect(low.dsr).toBe(0);
  });

  it('rejects a bad number of trials or variance with E_CONFIG', () => {
    const s = { sharpe: 0.05, skewness: 0, kurtosis: 3, bars: 500 };
    for (const [variance, trials] of [
      [1e-4, 0],
      [1e-4, 0.5],
      [1e-4, NaN],
      [-1e-4, 10],
      [Infinity, 10],
    ] as const) {
      expect(() => deflatedSharpe({ ...s, variance, trials })).toThrow(EngineError);
      try {
        deflatedSharpe({ ...s, variance, trials });
      } catch (e) {
        expect((e as EngineError).code).toBe('E_CONFIG');
      }
    }
  });

  it('selection bias: the best of 200 noise strategies looks significant until deflated', () => {
    // 200 strategies with iid normal returns and no edge, 500 bars each: the winner's PSR(0)
    // looks convincing, the DSR does not.
    const rnd = new Random(2024);
    const sharpes: number[] = [];
    let best: Float64Array | null = null;
    let bestSharpe = -Infinity;
    for (let k = 0; k < 200; k++) {
      const r = new Float64Array(500);
      for (let t = 0; t < r.length; t++) r[t] = 0.01 * rnd.normal();
      const m = returnMoments(r);
      sharpes.push(m.sharpe);
      if (m.sharpe > bestSharpe) {
        bestSharpe = m.sharpe;
        best = r;
      }
    }
    const res = deflatedSharpeFromReturns(best!, sharpes);
    expect(res.trials).toBe(200);
    expect(res.variance).toBeCloseTo(sharpeVariance(sharpes), 15);
    expect(res.psr0).toBeGreaterThan(0.95);
    expect(res.dsr).toBeLessThan(0.9);
  });

  it('sharpeVariance is the ddof-1 variance', () => {
    expect(sharpeVariance([0.1, 0.2, 0.3])).toBeCloseTo(0.01, 15);
    expect(sharpeVariance([0.1])).toBeNaN();
  });
});

describe('verdicts', () => {
  it('PBO wording by threshold', () => {
    expect(pboVerdict(0.62)).toBe('PBO 0.62: the in-sample winner is more likely than not to rank at or below the median out of sample (overfit)');
    expect(pboVerdict(0.5)).toContain('as likely as not');
    expect(pboVerdict(0.38)).toBe(
      'PBO 0.38: the in-sample winner ranks at or below the median out of sample in 38% of splits, not clearly better than a random pick',
    );
    expect(pboVerdict(0.18)).toContain('mostly stays above the median');
    expect(pboVerdict(0.1)).toBe('PBO 0.10: the in-sample winner usually stays above the median out of sample');
    expect(pboVerdict(0.04)).toBe('PBO 0.04: the in-sample winner usually stays above the median out of sample');
    expect(pboVerdict(NaN)).toMatch(/^PBO n\/a/);
  });

  it('DSR wording by threshold', () => {
    expect(dsrVerdict(0.31, 4210)).toBe('DSR 0.31: after 4,210 trials the best Sharpe is not distinguishable from luck');
    expect(dsrVerdict(0.97, 4210)).toBe('DSR 0.97: the best Sharpe is unlikely to be luck (97% after deflation for 4,210 trials)');
    expect(dsrVerdict(0.95)).toBe('DSR 0.95: the best Sharpe is unlikely to be luck (95% after deflation)');
    expect(dsrVerdict(0.949, 12)).toBe(
      'DSR 0.949: after 12 trials the best Sharpe is only weakly distinguishable from luck (94.9% after deflation, short of the usual 95%)',
    );
    expect(dsrVerdict(0.5, 1)).toContain('after 1 trial the best');
    expect(dsrVerdict(0.4999)).toBe('DSR 0.4999: after the search the best Sharpe is not distinguishable from luck');
    expect(dsrVerdict(NaN)).toMatch(/^DSR n\/a/);
  });

  it('rounds the shown number the way that agrees with the sentence', () => {
    // The DSR is shown rounded down, the PBO rounded up: a number never flatters the strategy.
    // Nearest rounding, with more decimals only where two would cross a threshold of the sentence.
    expect(formatProbability(0.949, [0.5, 0.95])).toBe('0.949');
    expect(formatProbability(0.29)).toBe('0.29');
    expect(formatProbability(0.4402, [0.1, 0.25, 0.5])).toBe('0.44');
    expect(formatProbability(0.501, [0.1, 0.25, 0.5])).toBe('0.501');
    expect(formatProbability(0.25, [0.1, 0.25, 0.5])).toBe('0.25');
    expect(formatProbability(0.123)).toBe('0.12');
    expect(pboVerdict(0.501)).toMatch(/^PBO 0\.501: the in-sample winner is more likely than not/);
    expect(pboVerdict(0.1001)).toMatch(/^PBO 0\.1001: the in-sample winner mostly stays above/);
    expect(pboVerdict(0.4402)).toMatch(/^PBO 0\.44: .* in 44% of splits/);
    expect(dsrVerdict(0.29, 5)).toBe('DSR 0.29: after 5 trials the best Sharpe is not distinguishable from luck');
  });

  it('never rounds a probability onto certainty', () => {
    expect(formatProbability(0.9996)).toBe('>0.99');
    expect(formatProbability(1)).toBe('1.00');
    expect(formatProbability(0.001)).toBe('<0.01');
    expect(formatProbability(0)).toBe('0.00');
    expect(dsrVerdict(0.99999, 100000)).toBe('DSR >0.99: the best Sharpe is unlikely to be luck (>99% after deflation for 100,000 trials)');
  });
});
