import { configError } from '../errors.js';

/**
 * What makes a new hall-of-fame entry distinct from those kept (`hofDistinct`):
 * - `gene:D`: its normalised gene distance to every kept entry is at least D, the distance being
 *   the largest |difference| / (max - min) over the genes (so 0.05: some gene differs by at
 *   least 5% of its range);
 * - `corr:R`: the Pearson correlation of its per-bar returns (on the selection window) with
 *   every kept entry's is at most R;
 * - `off`: any distinct genome (the canonical key differs).
 */
export type HofDistinct = { kind: 'gene'; min: number } | { kind: 'corr'; max: number } | { kind: 'off' };

/** @default corr:0.95: above 0.95 two strategies trade the same moves (the near-clones of issue 14). */
export const DEFAULT_HOF_DISTINCT = 'corr:0.95';

export function parseHofDistinct(text: string, option = 'hofDistinct'): HofDistinct {
  const t = text.trim();
  if (t === 'off') return { kind: 'off' };
  const m = /^(gene|corr)\s*:\s*([-+]?(?:\d+\.?\d*|\.\d+))$/.exec(t);
  if (m === null) throw configError(option, `must be gene:D (normalised gene distance in (0, 1]), corr:R (return correlation in [-1, 1)) or off, got "${text}"`);
  const x = Number(m[2]);
  if (m[1] === 'gene') {
    if (!(x > 0 && x <= 1)) throw configError(option, `gene distance must be in (0, 1], got ${x}`);
    return { kind: 'gene', min: x };
  }
  if (!(x >= -1 && x < 1)) throw configError(option, `correlation must be in [-1, 1), got ${x}`);
  return { kind: 'corr', max: x };
}

export function hofDistinctText(d: HofDistinct): string {
  return d.kind === 'off' ? 'off' : d.kind === 'gene' ? `gene:${d.min}` : `corr:${d.max}`;
}

/** Largest |a - b| / (up - low) over the genes. */
export function geneDistance(a: Float64Array, b: Float64Array, low: Float64Array, up: Float64Array): number {
  let d = 0;
  for (let j = 0; j < a.length; j++) {
    const range = up[j]! - low[j]!;
    const x = range > 0 ? Math.abs(a[j]! - b[j]!) / range : 0;
    if (x > d) d = x;
  }
  return d;
}

/** Pearson correlation; two constant series are the same (1), one constant series is unrelated (0). */
export function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma;
    const y = b[i]! - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  if (saa === 0 && sbb === 0) return 1;
  if (saa === 0 || sbb === 0) return 0;
  return sab / Math.sqrt(saa * sbb);
}

export interface HofCandidate {
  key: string;
  genes: Float64Array;
  fitness: number;
}

/**
 * The hall of fame: candidates in order of fitness (best first, ties by key), each kept when it
 * is distinct (by `rule`) from every entry kept before it, until `size` are kept. Greedy and
 * deterministic. `returnsOf` gives a genome's per-bar returns (only called with `corr`).
 */
export function selectDistinct<T extends HofCandidate>(
  candidates: readonly T[], size: number, rule: HofDistinct, low: Float64Array, up: Float64Array,
  returnsOf: (c: T) => Float64Array,
): T[] {
  const sorted = [...candidates].sort((a, b) => b.fitness - a.fitness || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const kept: T[] = [];
  const keptReturns: Float64Array[] = [];
  const seen = new Set<string>();
  for (const c of sorted) {
    if (kept.length >= size) break;
    if (seen.has(c.key)) continue;
    seen.add(c.key);
    if (rule.kind === 'gene') {
      if (kept.some((k) => geneDistance(k.genes, c.genes, low, up) < rule.min)) continue;
    } else if (rule.kind === 'corr') {
      const r = returnsOf(c);
      if (keptReturns.some((k) => pearson(k, r) > rule.max)) continue;
      keptReturns.push(r);
    }
    kept.push(c);
  }
  return kept;
}

/** Points at most in a return stream compared by `corr:R` (longer ones are compounded). */
export const HOF_RETURN_POINTS = 2000;

/** Per-bar returns compounded over consecutive bars to at most HOF_RETURN_POINTS points. */
export function compressReturns(r: Float64Array): Float64Array {
  const step = Math.ceil(r.length / HOF_RETURN_POINTS);
  if (step <= 1) return r;
  const out = new Float64Array(Math.ceil(r.length / step));
  for (let i = 0; i < out.length; i++) {
    let g = 1;
    for (let t = i * step; t < Math.min(r.length, (i + 1) * step); t++) g *= 1 + r[t]!;
    out[i] = g - 1;
  }
  return out;
}
