import { describe, expect, it } from 'vitest';
import {
  OPERATOR_DEFAULTS,
  cxBlend,
  cxSimulatedBinaryBounded,
  cxUniform,
  effectiveMutationIndpb,
  familyBounds,
  immigrantCount,
  mutGaussian,
  mutPolynomialBounded,
  resolveOperatorConfig,
  selTournament,
  validateOperatorConfig,
  variation,
} from '../../src/ga/operators.js';
import type { OperatorConfig } from '../../src/ga/operators.js';
import { EngineError } from '../../src/errors.js';
import { randomGenome } from '../../src/genome/canonical.js';
import { genomeProblem, getFamily } from '../../src/genome/families.js';
import type { StrategyFamily } from '../../src/genome/families.js';
import { Random } from '../../src/random.js';

const sma = getFamily('sma-cross');
const srb = getFamily('stoch-rsi-bands');
const FAMILIES = [sma, srb];
const INF1 = { low: new Float64Array([-Infinity]), up: new Float64Array([Infinity]) };

/** A Random whose next() replays fixed values, for hand-computed cases. */
function scripted(values: number[]): Random {
  let i = 0;
  const stub = {
    next(): number {
      if (i >= values.length) throw new Error('scripted rng exhausted');
      return values[i++]!;
    },
    used: (): number => i,
  };
  return stub as unknown as Random;
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

function variance(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2;
  return s / (xs.length - 1);
}

/** A genome with each gene at its min, its max, or uniform inside (a third each), unrepaired. */
function extremeGenome(rng: Random, family: StrategyFamily, out: Float64Array, o: number): void {
  family.genes.forEach((s, i) => {
    const r = rng.int(0, 2);
    out[o + i] = r === 0 ? s.min : r === 1 ? s.max : s.min + (s.max - s.min) * rng.next();
  });
}

/** The first gene outside its bounds (or NaN), as text; null when all are fine. */
function outOfBounds(family: StrategyFamily, g: Float64Array, o: number): string | null {
  for (let i = 0; i < family.genes.length; i++) {
    const s = family.genes[i]!;
    const v = g[o + i]!;
    if (!(v >= s.min && v <= s.max)) return `${family.name} ${s.name} = ${v}`;
  }
  return null;
}

describe('selTournament', () => {
  const fitness = Float64Array.from([3, 9, 1, 7, 5, 2, 8, 0, 6, 4]);

  it('picks the best of the aspirants it draws, ties to the earlier one (replayed draws)', () => {
    for (const fit of [fitness, new Float64Array(10).fill(1), Float64Array.from([1, NaN, 1, 2, NaN, 2, 0, 0, 2, NaN])]) {
      const rng = new Random(17);
      const replay = Random.fromState(rng.getState());
      const chosen = selTournament(rng, fit, 500, 3);
      for (let s = 0; s < 500; s++) {
        const asp = [replay.int(0, 9), replay.int(0, 9), replay.int(0, 9)];
        const key = (i: number): number => (Number.isNaN(fit[i]!) ? -Infinity : fit[i]!);
        let best = asp[0]!;
        for (const a of asp) if (key(a) > key(best)) best = a;
        expect(chosen[s]).toBe(best);
      }
      expect(rng.getState()).toEqual(replay.getState());
    }
  });

  it('with k much larger than the population, always picks the best', () => {
    const chosen = selTournament(new Random(1), fitness, 1000, 300);
    expect(chosen.every((i) => i === 1)).toBe(true);
  });

  it('with k = population size, picks the best with probability 1 - (1 - 1/n)^n (aspirants drawn with replacement, as in DEAP)', () => {
    const n = 20;
    const fit = Float64Array.from({ length: n }, (_, i) => i);
    const draws = 20_000;
    const chosen = selTournament(new Random(2), fit, draws, n);
    const p = 1 - (1 - 1 / n) ** n; // 0.6415
    const hits = chosen.filter((i) => i === n - 1).length;
    expect(Math.abs(hits / draws - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / draws));
  });

  it('with k = 1, is uniform (chi-square, 9 degrees of freedom, p = 0.001)', () => {
    const draws = 50_000;
    const counts = new Array<number>(10).fill(0);
    for (const i of selTournament(new Random(3), fitness, draws, 1)) counts[i]!++;
    const e = draws / 10;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(27.88);
  });

  it('is deterministic', () => {
    expect(selTournament(new Random(4), fitness, 100, 3)).toEqual(selTournament(new Random(4), fitness, 100, 3));
    expect(selTournament(new Random(4), fitness, 100, 3)).not.toEqual(selTournament(new Random(5), fitness, 100, 3));
  });

  it('rejects bad arguments', () => {
    expect(() => selTournament(new Random(1), fitness, 3, 0)).toThrow(RangeError);
    expect(() => selTournament(new Random(1), new Float64Array(0), 3, 2)).toThrow(RangeError);
    expect(selTournament(new Random(1), new Float64Array(0), 0, 2)).toHaveLength(0);
  });
});

describe('cxUniform', () => {
  it('with indpb 0 changes nothing, with indpb 1 swaps every gene (n draws either way)', () => {
    const a = Float64Array.from([1, 2, 3, 4, 99]);
    const b = Float64Array.from([9, 5, 10, 20, 30, 40]);
    const rng = new Random(1);
    const replay = Random.fromState(rng.getState());
    cxUniform(rng, a, 0, b, 2, 4, 0);
    expect(Array.from(a)).toEqual([1, 2, 3, 4, 99]);
    expect(Array.from(b)).toEqual([9, 5, 10, 20, 30, 40]);
    cxUniform(rng, a, 0, b, 2, 4, 1);
    expect(Array.from(a)).toEqual([10, 20, 30, 40, 99]);
    expect(Array.from(b)).toEqual([9, 5, 1, 2, 3, 4]);
    for (let i = 0; i < 8; i++) replay.next();
    expect(rng.getState()).toEqual(replay.getState());
  });

  it('swaps a gene exactly when its draw is below indpb', () => {
    const a = Float64Array.from([1, 2, 3]);
    const b = Float64Array.from([4, 5, 6]);
    cxUniform(scripted([0.2, 0.5, 0.7]), a, 0, b, 0, 3, 0.5);
    expect(Array.from(a)).toEqual([4, 2, 3]);
    expect(Array.from(b)).toEqual([1, 5, 6]);
  });

  it('swaps about indpb of the genes', () => {
    const rng = new Random(8);
    const n = 100_000;
    const a = new Float64Array(n).fill(0);
    const b = new Float64Array(n).fill(1);
    cxUniform(rng, a, 0, b, 0, n, 0.3);
    const frac = mean(a);
    expect(Math.abs(frac - 0.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / n));
  });
});

describe('cxBlend', () => {
  it('matches the hand-computed BLX formula', () => {
    // alpha 0.5: gamma = 2u - 0.5. u = 0.25 -> gamma 0 (unchanged), u = 0.75 -> gamma 1 (swap),
    // u = 0.5 -> gamma 0.5 (both at the midpoint), u = 0 -> gamma -0.5 (x1' = 1.5 x1 - 0.5 x2).
    const a = Float64Array.from([2, 2, 2, 2]);
    const b = Float64Array.from([6, 6, 6, 6]);
    const bounds = { low: new Float64Array(4).fill(-100), up: new Float64Array(4).fill(100) };
    cxBlend(scripted([0.25, 0.75, 0.5, 0]), a, 0, b, 0, 4, 0.5, bounds.low, bounds.up);
    expect(Array.from(a)).toEqual([2, 6, 4, 0]);
    expect(Array.from(b)).toEqual([6, 2, 4, 8]);
  });

  it('with alpha 0 keeps children within the parents and their sum unchanged', () => {
    const rng = new Random(21);
    const low = new Float64Array(1).fill(-1e6);
    const up = new Float64Array(1).fill(1e6);
    const problems: string[] = [];
    for (let t = 0; t < 20_000; t++) {
      const x1 = (rng.next() - 0.5) * 2e3;
      const x2 = t % 10 === 0 ? x1 : (rng.next() - 0.5) * 2e3;
      const a = Float64Array.of(x1);
      const b = Float64Array.of(x2);
      cxBlend(rng, a, 0, b, 0, 1, 0, low, up);
      const lo = Math.min(x1, x2);
      const hi = Math.max(x1, x2);
      const inside = a[0]! >= lo && a[0]! <= hi && b[0]! >= lo && b[0]! <= hi;
      const sumOk = Math.abs(a[0]! + b[0]! - (x1 + x2)) <= 4 * Number.EPSILON * (Math.abs(x1) + Math.abs(x2));
      if (!inside || !sumOk) problems.push(`${x1}, ${x2} -> ${a[0]}, ${b[0]}`);
    }
    expect(problems).toEqual([]);
  });

  it('gives each child the parents\' mean and variance d^2 (1 + 2 alpha)^2 / 12', () => {
    // x1' = x1 + gamma (x2 - x1) with gamma uniform on [-alpha, 1 + alpha]: mean (x1 + x2) / 2,
    // variance d^2 (1 + 2 alpha)^2 / 12. Parents 3 and 7 (d = 4), alpha 0.5: variance 16/3.
    const rng = new Random(22);
    const draws = 100_000;
    const c1 = new Float64Array(draws);
    const c2 = new Float64Array(draws);
    const sums = new Float64Array(draws);
    for (let t = 0; t < draws; t++) {
      const a = Float64Array.of(3);
      const b = Float64Array.of(7);
      cxBlend(rng, a, 0, b, 0, 1, 0.5, INF1.low, INF1.up);
      c1[t] = a[0]!;
      c2[t] = b[0]!;
      sums[t] = a[0]! + b[0]!;
    }
    const theory = (16 * (1 + 2 * 0.5) ** 2) / 12;
    // Standard errors: sd/sqrt(N) = 0.0073 for the mean; for a uniform of width w the sample
    // variance has sd w^2 sqrt((1/80 - 1/144) / N) = 0.0038 (w = 8).
    for (const c of [c1, c2]) {
      expect(Math.abs(mean(c) - 5)).toBeLessThan(0.03);
      expect(Math.abs(variance(c) - theory)).toBeLessThan(0.02);
      expect(Math.min(...c)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...c)).toBeLessThanOrEqual(9);
    }
    expect(sums.every((s) => Math.abs(s - 10) < 1e-14)).toBe(true);
  });

  it('clamps to the gene bounds when alpha reaches past them', () => {
    const low = Float64Array.of(0);
    const up = Float64Array.of(10);
    const rng = new Random(23);
    let clampedLow = 0;
    let clampedUp = 0;
    let outside = 0;
    for (let t = 0; t < 5000; t++) {
      const a = Float64Array.of(0);
      const b = Float64Array.of(10);
      cxBlend(rng, a, 0, b, 0, 1, 1, low, up);
      for (const v of [a[0]!, b[0]!]) {
        if (!(v >= 0 && v <= 10)) outside++;
        if (v === 0) clampedLow++;
        if (v === 10) clampedUp++;
      }
    }
    expect(outside).toBe(0);
    expect(clampedLow).toBeGreaterThan(0);
    expect(clampedUp).toBeGreaterThan(0);
  });
});

describe('cxSimulatedBinaryBounded', () => {
  it('matches the hand-computed bounded SBX', () => {
    // Parents 4 and 2 in [0, 10], eta 1, rand 0.5.
    // Lower side: beta = 1 + 2 (2 - 0) / 2 = 3, alpha = 2 - 3^-2 = 17/9, rand <= 9/17, so
    // beta_q = (0.5 x 17/9)^(1/2) = sqrt(17/18) and c1 = (6 - 2 sqrt(17/18)) / 2.
    // Upper side: beta = 1 + 2 (10 - 4) / 2 = 7, alpha = 2 - 1/49 = 97/49, rand <= 49/97, so
    // beta_q = sqrt(97/98) and c2 = (6 + 2 sqrt(97/98)) / 2.
    // Draws: 0.3 (<= 0.5: cross this gene), 0.5 (rand), 0.7 (> 0.5: first row gets c1).
    const a = Float64Array.of(4);
    const b = Float64Array.of(2);
    const rng = scripted([0.3, 0.5, 0.7]);
    cxSimulatedBinaryBounded(rng, a, 0, b, 0, Float64Array.of(0), Float64Array.of(10), 1);
    expect(a[0]).toBeCloseTo(3 - Math.sqrt(17 / 18), 14);
    expect(b[0]).toBeCloseTo(3 + Math.sqrt(97 / 98), 14);
    // Last draw <= 0.5: the children go the other way round.
    const a2 = Float64Array.of(4);
    const b2 = Float64Array.of(2);
    cxSimulatedBinaryBounded(scripted([0.3, 0.5, 0.2]), a2, 0, b2, 0, Float64Array.of(0), Float64Array.of(10), 1);
    expect(a2[0]).toBe(b[0]);
    expect(b2[0]).toBe(a[0]);
  });

  it('leaves a gene alone on a first draw above 0.5, or when the parents are equal (one draw)', () => {
    const a = Float64Array.of(4, 5);
    const b = Float64Array.of(2, 5);
    const rng = scripted([0.9, 0.1]);
    cxSimulatedBinaryBounded(rng, a, 0, b, 0, Float64Array.of(0, 0), Float64Array.of(10, 10), 15);
    expect(Array.from(a)).toEqual([4, 5]);
    expect(Array.from(b)).toEqual([2, 5]);
    expect((rng as unknown as { used(): number }).used()).toBe(2);
  });

  function sbxChildren(eta: number, seed: number, draws: number): Float64Array {
    const rng = new Random(seed);
    const out = new Float64Array(2 * draws);
    const low = Float64Array.of(0);
    const up = Float64Array.of(100);
    for (let t = 0; t < draws; t++) {
      const a = Float64Array.of(40);
      const b = Float64Array.of(60);
      cxSimulatedBinaryBounded(rng, a, 0, b, 0, low, up, eta);
      out[2 * t] = a[0]!;
      out[2 * t + 1] = b[0]!;
    }
    return out;
  }

  it('keeps the parents\' mean and spreads less as eta grows', () => {
    // Parents 40 and 60, 40 away from both bounds: the two sides are symmetric, so the children's
    // mean is the parents' mean, 50.
    const spreads: number[] = [];
    for (const eta of [0, 2, 15, 100]) {
      const c = sbxChildren(eta, 31, 50_000);
      const sd = Math.sqrt(variance(c));
      expect(Math.abs(mean(c) - 50), `eta ${eta}`).toBeLessThan((5 * sd) / Math.sqrt(c.length));
      spreads.push(mean(c.map((x) => Math.abs(x - 50))));
    }
    for (let i = 1; i < spreads.length; i++) expect(spreads[i]!).toBeLessThan(spreads[i - 1]!);
    // Half the genes are not crossed and stay at 40/60 (|x - 50| = 10); with large eta the
    // crossed ones stay close to their parents too.
    expect(spreads[3]!).toBeGreaterThan(9);
    expect(spreads[3]!).toBeLessThan(10.5);
  });
});

describe('mutGaussian', () => {
  it('adds mu + sigma N(0,1) to about indpb of the genes', () => {
    const rng = new Random(41);
    const n = 50_000;
    const x = new Float64Array(n).fill(100);
    const sigma = new Float64Array(n).fill(2);
    const low = new Float64Array(n).fill(-1e9);
    const up = new Float64Array(n).fill(1e9);
    mutGaussian(rng, x, 0, 0.5, sigma, 0.4, low, up);
    const changed = x.filter((v) => v !== 100);
    expect(Math.abs(changed.length / n - 0.4)).toBeLessThan(4 * Math.sqrt((0.4 * 0.6) / n));
    const d = changed.map((v) => v - 100);
    expect(Math.abs(mean(d) - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(Math.sqrt(variance(d)) - 2)).toBeLessThan(0.05);
  });

  it('clamps to the bounds', () => {
    const rng = new Random(42);
    const x = new Float64Array(1000).fill(1);
    mutGaussian(rng, x, 0, 0, new Float64Array(1000).fill(10), 1, new Float64Array(1000).fill(0), new Float64Array(1000).fill(2));
    expect(x.every((v) => v >= 0 && v <= 2)).toBe(true);
    expect(x.some((v) => v === 0) && x.some((v) => v === 2)).toBe(true);
  });
});

describe('mutPolynomialBounded', () => {
  it('matches the hand-computed DEAP formula on both sides', () => {
    // x = 5 in [0, 10], eta 1. rand 0.25 < 0.5: delta_1 = 0.5, xy = 0.5,
    // val = 2 x 0.25 + 0.5 x 0.5^2 = 0.625, delta_q = sqrt(0.625) - 1, x' = 5 + 10 delta_q.
    // rand 0.75: delta_2 = 0.5, xy = 0.5, val = 0.5 + 0.5 x 0.25 = 0.625, delta_q = 1 - sqrt(0.625).
    const x = Float64Array.of(5, 5, 5);
    const b = { low: Float64Array.of(0, 0, 0), up: Float64Array.of(10, 10, 10) };
    mutPolynomialBounded(scripted([0.1, 0.25, 0.9, 0.5, 0.75]), x, 0, 1, b.low, b.up, 0.5);
    expect(x[0]).toBeCloseTo(5 + 10 * (Math.sqrt(0.625) - 1), 14);
    expect(x[1]).toBe(5); // 0.9 > indpb: no second draw
    expect(x[2]).toBeCloseTo(5 + 10 * (1 - Math.sqrt(0.625)), 14);
  });

  it('takes smaller steps as eta grows', () => {
    const steps: number[] = [];
    for (const eta of [1, 5, 20, 100]) {
      const rng = new Random(51);
      const n = 20_000;
      const x = new Float64Array(n).fill(30);
      mutPolynomialBounded(rng, x, 0, eta, new Float64Array(n).fill(0), new Float64Array(n).fill(100), 1);
      steps.push(mean(x.map((v) => Math.abs(v - 30))));
    }
    for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeLessThan(steps[i - 1]!);
  });

  it('changes about indpb of the genes', () => {
    const rng = new Random(52);
    const n = 50_000;
    const x = new Float64Array(n).fill(50);
    mutPolynomialBounded(rng, x, 0, 20, new Float64Array(n).fill(0), new Float64Array(n).fill(100), 0.25);
    const frac = x.filter((v) => v !== 50).length / n;
    expect(Math.abs(frac - 0.25)).toBeLessThan(4 * Math.sqrt((0.25 * 0.75) / n));
  });

  it('handles genes at, outside and with degenerate bounds without NaN', () => {
    const rng = new Random(53);
    const bad: string[] = [];
    for (let t = 0; t < 2000; t++) {
      const x = Float64Array.of(0, 10, -5, 15, 3);
      mutPolynomialBounded(rng, x, 0, 20 * rng.next(), Float64Array.of(0, 0, 0, 0, 3), Float64Array.of(10, 10, 10, 10, 3), 1);
      if (!x.every((v) => v >= 0 && v <= 10) || x[4] !== 3) bad.push(Array.from(x).join(','));
    }
    expect(bad).toEqual([]);
  });
});

describe('bounds over many seeded draws', () => {
  it('every operator keeps every gene within the family bounds, without NaN, from extreme parents', () => {
    const rng = new Random(61);
    const problems: string[] = [];
    for (const family of FAMILIES) {
      const n = family.genes.length;
      const { low, up } = familyBounds(family);
      const sigma = Float64Array.from(family.genes, (s) => 0.5 * (s.max - s.min));
      const a = new Float64Array(n);
      const b = new Float64Array(n);
      for (let t = 0; t < 3000; t++) {
        extremeGenome(rng, family, a, 0);
        extremeGenome(rng, family, b, 0);
        switch (t % 5) {
          case 0:
            cxSimulatedBinaryBounded(rng, a, 0, b, 0, low, up, [0, 1, 15, 100][t % 4]!);
            break;
          case 1:
            cxBlend(rng, a, 0, b, 0, n, [0, 0.5, 2][t % 3]!, low, up);
            break;
          case 2:
            cxUniform(rng, a, 0, b, 0, n, 0.5);
            break;
          case 3:
            mutPolynomialBounded(rng, a, 0, [0, 1, 20][t % 3]!, low, up, 1);
            mutPolynomialBounded(rng, b, 0, 20, low, up, 0.5);
            break;
          case 4:
            mutGaussian(rng, a, 0, 0, sigma, 1, low, up);
            mutGaussian(rng, b, 0, 0, sigma, 0.5, low, up);
            break;
        }
        const bad = outOfBounds(family, a, 0) ?? outOfBounds(family, b, 0);
        if (bad !== null) problems.push(`draw ${t}: ${bad}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('OperatorConfig', () => {
  it('has DEAP-like defaults', () => {
    expect(OPERATOR_DEFAULTS).toEqual({
      tournamentSize: 3,
      crossover: 'sbx',
      cxpb: 0.9,
      sbxEta: 15,
      blendAlpha: 0.5,
      uniformIndpb: 0.5,
      mutation: 'polynomial',
      mutpb: 1.0,
      mutationIndpb: null,
      polynomialEta: 20,
      gaussianSigma: 0.1,
      elitism: 2,
      immigrants: 0.05,
    });
    expect(validateOperatorConfig(OPERATOR_DEFAULTS)).toEqual([]);
    expect(validateOperatorConfig(OPERATOR_DEFAULTS, 3)).toEqual([]);
    expect(effectiveMutationIndpb(OPERATOR_DEFAULTS, 12)).toBe(1 / 12);
    expect(effectiveMutationIndpb({ ...OPERATOR_DEFAULTS, mutationIndpb: 0.3 }, 12)).toBe(0.3);
    expect(immigrantCount(0.05, 100)).toBe(5);
  });

  it('names the option of every bad value with an E_CONFIG error', () => {
    const bad: [keyof OperatorConfig | 'mystery', unknown][] = [
      ['tournamentSize', 0],
      ['tournamentSize', 2.5],
      ['crossover', 'onepoint'],
      ['cxpb', 1.1],
      ['cxpb', NaN],
      ['sbxEta', -1],
      ['blendAlpha', Infinity],
      ['uniformIndpb', -0.1],
      ['mutation', 'flip'],
      ['mutpb', '1'],
      ['mutationIndpb', 2],
      ['polynomialEta', -0.5],
      ['gaussianSigma', -1],
      ['elitism', -1],
      ['elitism', 1.5],
      ['immigrants', 1],
      ['mystery', 1],
    ];
    for (const [key, value] of bad) {
      const errors = validateOperatorConfig({ ...OPERATOR_DEFAULTS, [key]: value });
      expect(errors, `${key} = ${String(value)}`).toHaveLength(1);
      const e = errors[0]!;
      expect(e).toBeInstanceOf(EngineError);
      expect(e.code).toBe('E_CONFIG');
      expect(e.option).toBe(key);
      expect(e.message.startsWith(`${key}: `)).toBe(true);
      expect(() => resolveOperatorConfig({ [key]: value } as Partial<OperatorConfig>)).toThrow(e.message);
    }
  });

  it('checks elites and immigrants against the population size', () => {
    expect(validateOperatorConfig({ ...OPERATOR_DEFAULTS, elitism: 10 }, 10)[0]?.option).toBe('elitism');
    expect(validateOperatorConfig({ ...OPERATOR_DEFAULTS, elitism: 5, immigrants: 0.5 }, 10)[0]?.option).toBe('immigrants');
    expect(validateOperatorConfig({ ...OPERATOR_DEFAULTS, elitism: 4, immigrants: 0.5 }, 10)).toEqual([]);
  });

  it('resolves a partial config over the defaults', () => {
    const c = resolveOperatorConfig({ crossover: 'blend', cxpb: 0.5, mutationIndpb: undefined });
    expect(c).toEqual({ ...OPERATOR_DEFAULTS, crossover: 'blend', cxpb: 0.5 });
    expect(resolveOperatorConfig()).toEqual(OPERATOR_DEFAULTS);
  });
});

describe('variation (varAnd)', () => {
  function parentsOf(family: StrategyFamily, rng: Random, count: number): Float64Array {
    const n = family.genes.length;
    const p = new Float64Array(count * n);
    for (let r = 0; r < count; r++) randomGenome(rng, family, p, r * n);
    return p;
  }

  const configs: Partial<OperatorConfig>[] = [
    {},
    { crossover: 'blend', mutation: 'gaussian' },
    { crossover: 'uniform', mutation: 'gaussian', gaussianSigma: 1 },
    { crossover: 'blend', blendAlpha: 2, mutation: 'polynomial', polynomialEta: 0, mutationIndpb: 1 },
    { crossover: 'sbx', sbxEta: 0, cxpb: 1, mutation: 'gaussian', gaussianSigma: 2, mutationIndpb: 1 },
  ];

  it('gives valid offspring (bounds, integers, fast < slow, no NaN) and leaves the parents alone', () => {
    const rng = new Random(71);
    for (const family of FAMILIES) {
      for (const partial of configs) {
        const config = resolveOperatorConfig(partial);
        for (let gen = 0; gen < 20; gen++) {
          const count = 51; // odd: the last child is only mutated
          const parents = parentsOf(family, rng, count);
          const copy = parents.slice();
          const off = variation(rng, family, parents, count, config);
          expect(parents).toEqual(copy);
          expect(off.length).toBe(count * family.genes.length);
          for (let r = 0; r < count; r++) expect(genomeProblem(family, off, r * family.genes.length)).toBeNull();
        }
      }
    }
  });

  it('draws one number per pair, then one per child, before any operator draw (cxpb = mutpb = 0)', () => {
    const rng = new Random(72);
    const parents = parentsOf(srb, rng, 7);
    const before = Random.fromState(rng.getState());
    const off = variation(rng, srb, parents, 7, resolveOperatorConfig({ cxpb: 0, mutpb: 0 }));
    expect(off).toEqual(parents);
    for (let i = 0; i < 3 + 7; i++) before.next();
    expect(rng.getState()).toEqual(before.getState());
  });

  it('crosses pairs (0,1), (2,3) with cxpb 1: uniform indpb 1 swaps each pair', () => {
    const parents = Float64Array.of(2, 50, 10, 20, 3, 300, 4, 40, 7, 70);
    const off = variation(new Random(73), sma, parents, 5, resolveOperatorConfig({ crossover: 'uniform', uniformIndpb: 1, cxpb: 1, mutpb: 0 }));
    expect(Array.from(off)).toEqual([10, 20, 2, 50, 4, 40, 3, 300, 7, 70]);
  });

  it('is deterministic: same seed and config, same offspring', () => {
    const run = (seed: number): Float64Array => {
      const rng = new Random(seed);
      return variation(rng, srb, parentsOf(srb, rng, 40), 40, OPERATOR_DEFAULTS);
    };
    expect(run(74)).toEqual(run(74));
    expect(run(74)).not.toEqual(run(75));
  });

  it('mutates about 1/genes of the genes by default (no crossover)', () => {
    const rng = new Random(76);
    const count = 4000;
    const n = srb.genes.length;
    // Parents at the middle of every real gene, so any polynomial step moves them.
    const parents = new Float64Array(count * n);
    for (let r = 0; r < count; r++) srb.genes.forEach((s, i) => (parents[r * n + i] = s.kind === 'real' ? (s.min + s.max) / 2 : s.min));
    const off = variation(rng, srb, parents, count, resolveOperatorConfig({ cxpb: 0 }));
    let changed = 0;
    let total = 0;
    srb.genes.forEach((s, i) => {
      if (s.kind !== 'real') return;
      for (let r = 0; r < count; r++) {
        total++;
        if (off[r * n + i] !== parents[r * n + i]) changed++;
      }
    });
    const p = 1 / n;
    expect(Math.abs(changed / total - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / total));
  });
});
