// GA operators with DEAP's names and semantics (deap/tools/selection.py, crossover.py,
// mutation.py, deap/algorithms.py varAnd), on genome rows of a Float64Array. Every draw comes
// from the Random passed in, in the order each function documents, so the same generator state
// always gives the same result (SPEC section 6).

import type { StrategyFamily } from '../genome/families.js';
import type { Random } from '../random.js';
import type { OperatorConfig } from './operator-config.js';
import { effectiveMutationIndpb } from './operator-config.js';

export {
  CROSSOVER_KINDS, MUTATION_KINDS, OPERATOR_DEFAULTS, effectiveMutationIndpb, immigrantCount, resolveOperatorConfig, validateOperatorConfig,
} from './operator-config.js';
export type { CrossoverKind, MutationKind, OperatorConfig } from './operator-config.js';

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * DEAP's `selTournament`: `count` selections, each the fittest of `k` aspirants drawn uniformly
 * with replacement from the whole population (`fitness.length` individuals; higher is better).
 * Ties go to the earlier-drawn aspirant (Python's `max` keeps the first maximum); a NaN fitness
 * ranks below every number. Draws: `k` calls of `rng.int(0, n - 1)` per selection, selection by
 * selection. Returns population indices.
 */
export function selTournament(rng: Random, fitness: Float64Array, count: number, k: number): Int32Array {
  const n = fitness.length;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`selTournament: count must be an integer >= 0, got ${count}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`selTournament: k must be an integer >= 1, got ${k}`);
  if (n === 0 && count > 0) throw new RangeError('selTournament: empty population');
  const chosen = new Int32Array(count);
  for (let s = 0; s < count; s++) {
    let best = rng.int(0, n - 1);
    let bestFit = fitness[best]!;
    if (Number.isNaN(bestFit)) bestFit = -Infinity;
    for (let a = 1; a < k; a++) {
      const c = rng.int(0, n - 1);
      const f = fitness[c]!;
      // Strictly greater: an equal later aspirant does not displace the earlier one.
      if (f > bestFit) {
        best = c;
        bestFit = f;
      }
    }
    chosen[s] = best;
  }
  return chosen;
}

/**
 * DEAP's `cxUniform`: for each of the `n` genes, in order, one `rng.next()`; when it is below
 * `indpb` the two parents swap that gene. In place on rows `a[ao..]` and `b[bo..]`; values only
 * move, so genes within bounds stay within bounds.
 */
export function cxUniform(rng: Random, a: Float64Array, ao: number, b: Float64Array, bo: number, n: number, indpb: number): void {
  for (let i = 0; i < n; i++) {
    if (rng.next() < indpb) {
      const t = a[ao + i]!;
      a[ao + i] = b[bo + i]!;
      b[bo + i] = t;
    }
  }
}

/**
 * DEAP's `cxBlend` (BLX-alpha): for each of the `n` genes, in order, one `rng.next()` u;
 * gamma = (1 + 2 alpha) u - alpha, x1' = (1 - gamma) x1 + gamma x2, x2' = gamma x1 + (1 - gamma) x2,
 * so each child is uniform on [lo - alpha d, hi + alpha d] (lo, hi the parents' genes, d = hi - lo)
 * and x1' + x2' = x1 + x2 up to rounding.
 *
 * Unlike DEAP, children are clamped: first to that blend interval (only rounding can leave it,
 * so with alpha = 0 a child never leaves [lo, hi]), then to the gene's bounds `[low[i], up[i]]`,
 * which alpha > 0 can cross.
 */
export function cxBlend(
  rng: Random,
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
  n: number,
  alpha: number,
  low: Float64Array,
  up: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const x1 = a[ao + i]!;
    const x2 = b[bo + i]!;
    const gamma = (1 + 2 * alpha) * rng.next() - alpha;
    const lo = x1 < x2 ? x1 : x2;
    const hi = x1 < x2 ? x2 : x1;
    const ext = alpha * (hi - lo);
    const c1 = clamp((1 - gamma) * x1 + gamma * x2, lo - ext, hi + ext);
    const c2 = clamp(gamma * x1 + (1 - gamma) * x2, lo - ext, hi + ext);
    // The bounds last, so they hold even for parents outside them.
    a[ao + i] = clamp(c1, low[i]!, up[i]!);
    b[bo + i] = clamp(c2, low[i]!, up[i]!);
  }
}

/** Deb's bounded SBX spread factor for one side, with `beta` the distance-to-bound ratio. */
function sbxBetaQ(beta: number, rand: number, eta: number): number {
  const alpha = 2 - Math.pow(beta, -(eta + 1));
  if (rand <= 1 / alpha) return Math.pow(rand * alpha, 1 / (eta + 1));
  return Math.pow(1 / (2 - rand * alpha), 1 / (eta + 1));
}

/**
 * DEAP's `cxSimulatedBinaryBounded` (Deb's NSGA-II C code), in place on two rows of
 * `low.length` genes with bounds `[low[i], up[i]]` and distribution index `eta` (larger: children
 * closer to their parents). Per gene, in order: one `rng.next()`; when it is <= 0.5 and the
 * parents differ by more than 1e-14, a second `rng.next()` (rand, shared by both children) and a
 * third that decides (<= 0.5) which child goes to which parent; otherwise the gene is untouched
 * and no further draw is made.
 *
 * Children are clamped to the bounds, as in DEAP. Parents are clamped first too (DEAP assumes
 * them in bounds): a parent outside would make the spread factor negative and the power NaN.
 */
export function cxSimulatedBinaryBounded(
  rng: Random,
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
  low: Float64Array,
  up: Float64Array,
  eta: number,
): void {
  const n = low.length;
  for (let i = 0; i < n; i++) {
    const xl = low[i]!;
    const xu = up[i]!;
    if (rng.next() > 0.5) continue;
    const p1 = clamp(a[ao + i]!, xl, xu);
    const p2 = clamp(b[bo + i]!, xl, xu);
    if (!(Math.abs(p1 - p2) > 1e-14)) continue;
    const x1 = p1 < p2 ? p1 : p2;
    const x2 = p1 < p2 ? p2 : p1;
    const rand = rng.next();
    const d = x2 - x1;
    const bq1 = sbxBetaQ(1 + (2 * (x1 - xl)) / d, rand, eta);
    const c1 = clamp(0.5 * (x1 + x2 - bq1 * d), xl, xu);
    const bq2 = sbxBetaQ(1 + (2 * (xu - x2)) / d, rand, eta);
    const c2 = clamp(0.5 * (x1 + x2 + bq2 * d), xl, xu);
    if (rng.next() <= 0.5) {
      a[ao + i] = c2;
      b[bo + i] = c1;
    } else {
      a[ao + i] = c1;
      b[bo + i] = c2;
    }
  }
}

/**
 * DEAP's `mutGaussian`, in place on one row of `sigma.length` genes: per gene, in order, one
 * `rng.next()`; when it is below `indpb`, the gene gets `mu + sigma[i] * rng.normal()` added.
 * Unlike DEAP, the result is clamped to `[low[i], up[i]]`.
 */
export function mutGaussian(
  rng: Random,
  x: Float64Array,
  xo: number,
  mu: number,
  sigma: Float64Array,
  indpb: number,
  low: Float64Array,
  up: Float64Array,
): void {
  const n = sigma.length;
  for (let i = 0; i < n; i++) {
    if (rng.next() < indpb) {
      x[xo + i] = clamp(x[xo + i]! + (mu + sigma[i]! * rng.normal()), low[i]!, up[i]!);
    }
  }
}

/**
 * DEAP's `mutPolynomialBounded` (Deb's NSGA-II C code), in place on one row of `low.length`
 * genes with bounds `[low[i], up[i]]` and distribution index `eta` (larger: smaller steps). Per
 * gene, in order: one `rng.next()`; when it is <= `indpb`, a second `rng.next()` drives the step.
 * The result is clamped to the bounds, as in DEAP; the gene is clamped before too (a value
 * outside would raise a negative number to a fractional power: NaN), and a gene whose bounds
 * are equal is set to them.
 */
export function mutPolynomialBounded(
  rng: Random,
  x: Float64Array,
  xo: number,
  eta: number,
  low: Float64Array,
  up: Float64Array,
  indpb: number,
): void {
  const n = low.length;
  const mutPow = 1 / (eta + 1);
  for (let i = 0; i < n; i++) {
    if (!(rng.next() <= indpb)) continue;
    const xl = low[i]!;
    const xu = up[i]!;
    const rand = rng.next();
    if (!(xu > xl)) {
      x[xo + i] = xl;
      continue;
    }
    const v = clamp(x[xo + i]!, xl, xu);
    const range = xu - xl;
    let deltaQ: number;
    if (rand < 0.5) {
      const xy = 1 - (v - xl) / range;
      const val = 2 * rand + (1 - 2 * rand) * Math.pow(xy, eta + 1);
      deltaQ = Math.pow(val, mutPow) - 1;
    } else {
      const xy = 1 - (xu - v) / range;
      const val = 2 * (1 - rand) + 2 * (rand - 0.5) * Math.pow(xy, eta + 1);
      deltaQ = 1 - Math.pow(val, mutPow);
    }
    x[xo + i] = clamp(v + deltaQ * range, xl, xu);
  }
}

/** Per-gene lower and upper bounds of a family, as the bounded operators take them. */
export function familyBounds(family: StrategyFamily): { low: Float64Array; up: Float64Array } {
  const low = Float64Array.from(family.genes, (s) => s.min);
  const up = Float64Array.from(family.genes, (s) => s.max);
  return { low, up };
}

/**
 * DEAP's `varAnd` on a block of `count` parent rows (already selected): the offspring start as
 * copies; consecutive pairs (0,1), (2,3), ... are crossed with probability `cxpb` (one
 * `rng.next()` per pair, then the crossover's own draws), an odd last row is left uncrossed;
 * then every child, in order, is mutated with probability `mutpb` (one `rng.next()` per child,
 * then the mutation's own draws); finally every child is repaired by the family (clamp, round
 * integer genes, constraints). All pair draws come before all mutation draws, as in DEAP.
 * `parents` is not modified; returns the new `count x genes` block.
 */
export function variation(rng: Random, family: StrategyFamily, parents: Float64Array, count: number, config: Readonly<OperatorConfig>): Float64Array {
  const n = family.genes.length;
  if (parents.length < count * n) throw new RangeError(`variation: ${count} parents of ${n} genes need ${count * n} values, got ${parents.length}`);
  const off = parents.slice(0, count * n);
  const { low, up } = familyBounds(family);
  for (let i = 1; i < count; i += 2) {
    if (rng.next() < config.cxpb) {
      const ao = (i - 1) * n;
      const bo = i * n;
      switch (config.crossover) {
        case 'sbx':
          cxSimulatedBinaryBounded(rng, off, ao, off, bo, low, up, config.sbxEta);
          break;
        case 'blend':
          cxBlend(rng, off, ao, off, bo, n, config.blendAlpha, low, up);
          break;
        case 'uniform':
          cxUniform(rng, off, ao, off, bo, n, config.uniformIndpb);
          break;
      }
    }
  }
  const indpb = effectiveMutationIndpb(config, n);
  const sigma = config.mutation === 'gaussian' ? Float64Array.from(family.genes, (s) => config.gaussianSigma * (s.max - s.min)) : null;
  for (let i = 0; i < count; i++) {
    if (rng.next() < config.mutpb) {
      if (sigma !== null) mutGaussian(rng, off, i * n, 0, sigma, indpb, low, up);
      else mutPolynomialBounded(rng, off, i * n, config.polynomialEta, low, up, indpb);
    }
  }
  for (let i = 0; i < count; i++) family.repair(off, i * n);
  return off;
}
