// Diversity of a population, in behaviour (return streams) and in genotype (gene values).
//
// Why it matters for overfitting: the Deflated Sharpe Ratio deflates by the number of distinct
// trials, and PBO ranks strategies against each other. A population that has collapsed onto
// near-copies of one genome has fewer effective trials than its size suggests (Bailey and Lopez
// de Prado 2014, section on the effective number of independent trials), and a high mean
// pairwise correlation of returns is the symptom to report next to those statistics.

import type { AbstractMatrix } from 'ml-matrix';
import { configError } from '../errors.js';

/**
 * Mean of the off-diagonal Pearson correlations between the columns of a T x N matrix of returns
 * (rows = bars, columns = strategies), each unordered pair counted once.
 *
 * Columns whose values are all identical (a strategy that never traded: zero variance, so its
 * correlation with anything is 0/0) are excluded, because counting them as 0 would make a
 * population of idle genomes look diverse. Returns NaN when fewer than 2 columns remain (or
 * T < 2). Rounding can push a correlation a hair outside [-1, 1]; each is clamped. Non-finite
 * entries propagate as NaN.
 */
export function meanPairwiseCorrelation(returns: AbstractMatrix): number {
  if (returns.rows < 2) return NaN;
  return meanPairwiseCorrelationOf(Array.from({ length: returns.columns }, (_, j) => Float64Array.from(returns.getColumn(j))));
}

/**
 * meanPairwiseCorrelation over columns given as arrays of equal length (the returns of one
 * strategy each): each column centred once, then one pass per pair for the sums of products,
 * r = sum(x y) / sqrt(sum(x x) sum(y y)). No matrix is built: this runs every generation on
 * the hall of fame's return streams.
 */
export function meanPairwiseCorrelationOf(columns: readonly Float64Array[]): number {
  const T = columns[0]?.length ?? 0;
  if (T < 2) return NaN;
  const centred: Float64Array[] = [];
  for (const col of columns) {
    if (col.length !== T) throw configError('returns', `columns must have equal lengths (${T} and ${col.length})`);
    const first = col[0]!;
    let constant = true;
    for (let t = 1; t < T && constant; t++) if (col[t] !== first) constant = false;
    if (constant) continue;
    let mean = 0;
    for (let t = 0; t < T; t++) mean += col[t]!;
    mean /= T;
    const c = new Float64Array(T);
    for (let t = 0; t < T; t++) c[t] = col[t]! - mean;
    centred.push(c);
  }
  const k = centred.length;
  if (k < 2) return NaN;
  const norm = centred.map((c) => {
    let s = 0;
    for (let t = 0; t < T; t++) s += c[t]! * c[t]!;
    return s;
  });
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const a = centred[i]!;
    for (let j = i + 1; j < k; j++) {
      const b = centred[j]!;
      let ab = 0;
      for (let t = 0; t < T; t++) ab += a[t]! * b[t]!;
      sum += Math.min(1, Math.max(-1, ab / Math.sqrt(norm[i]! * norm[j]!)));
    }
  }
  return sum / ((k * (k - 1)) / 2);
}

/**
 * Genotypic spread of a population: the mean over genes of (standard deviation of the gene across
 * the population) / (upper bound - lower bound). The population standard deviation (divisor
 * `count`) is used, so each term is at most 1/2 (half the genomes at each bound) and the result
 * is in [0, 0.5]: 0 when all genomes are identical.
 *
 * Layout: genome i's gene g is `genomes[i * genes + g]` (the layout of the GA's batches). Genes
 * with `up === low` (fixed, no room to differ) are left out of the mean. Returns NaN when
 * `count` is 0 or every gene is fixed.
 *
 * @throws EngineError E_CONFIG when the arrays are too short or a bound pair has up < low.
 */
export function genotypeSpread(genomes: Float64Array, count: number, genes: number, low: Float64Array, up: Float64Array): number {
  checkPopulation(genomes, count, genes, low, up);
  if (count === 0) return NaN;
  let total = 0;
  let used = 0;
  for (let g = 0; g < genes; g++) {
    const range = up[g]! - low[g]!;
    if (!(range > 0)) continue;
    let mean = 0;
    for (let i = 0; i < count; i++) mean += genomes[i * genes + g]!;
    mean /= count;
    let s2 = 0;
    for (let i = 0; i < count; i++) {
      const d = genomes[i * genes + g]! - mean;
      s2 += d * d;
    }
    total += Math.sqrt(s2 / count) / range;
    used++;
  }
  return used > 0 ? total / used : NaN;
}

/**
 * Mean distance between all unordered pairs of genomes, each gene scaled by its range
 * (up - low) so every gene weighs the same:
 * - `'l1'`: mean over genes of |x_g - y_g| / range_g,
 * - `'l2'`: sqrt of the mean over genes of ((x_g - y_g) / range_g)^2,
 * both in [0, 1] for genomes within bounds (1 = opposite corners). Fixed genes (up === low) are
 * left out. O(count^2 * genes). Returns NaN with fewer than 2 genomes or when every gene is fixed.
 *
 * @param norm which distance. @default 'l2'
 * @throws EngineError E_CONFIG as `genotypeSpread`.
 */
export function meanPairwiseDistance(
  genomes: Float64Array,
  count: number,
  genes: number,
  low: Float64Array,
  up: Float64Array,
  norm: 'l1' | 'l2' = 'l2',
): number {
  checkPopulation(genomes, count, genes, low, up);
  const active: number[] = [];
  const scale: number[] = [];
  for (let g = 0; g < genes; g++) {
    const range = up[g]! - low[g]!;
    if (range > 0) {
      active.push(g);
      scale.push(1 / range);
    }
  }
  const m = active.length;
  if (count < 2 || m === 0) return NaN;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const oi = i * genes;
    for (let j = i + 1; j < count; j++) {
      const oj = j * genes;
      let acc = 0;
      for (let a = 0; a < m; a++) {
        const g = active[a]!;
        const d = (genomes[oi + g]! - genomes[oj + g]!) * scale[a]!;
        acc += norm === 'l1' ? Math.abs(d) : d * d;
      }
      total += norm === 'l1' ? acc / m : Math.sqrt(acc / m);
    }
  }
  return total / ((count * (count - 1)) / 2);
}

function checkPopulation(genomes: Float64Array, count: number, genes: number, low: Float64Array, up: Float64Array): void {
  if (!Number.isInteger(count) || count < 0) throw configError('count', `must be an integer >= 0 (got ${count})`);
  if (!Number.isInteger(genes) || genes < 1) throw configError('genes', `must be an integer >= 1 (got ${genes})`);
  if (genomes.length < count * genes) {
    throw configError('genomes', `holds ${genomes.length} values, fewer than count x genes = ${count * genes}`);
  }
  if (low.length < genes || up.length < genes) throw configError('bounds', `need ${genes} lower and upper bounds`);
  for (let g = 0; g < genes; g++) {
    if (!(up[g]! >= low[g]!)) throw configError('bounds', `gene ${g}: upper bound ${up[g]} is below lower bound ${low[g]}`);
  }
}
