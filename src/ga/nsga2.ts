// NSGA-II building blocks (Deb, Pratap, Agarwal, Meyarivan 2002, "A fast and elitist
// multiobjective genetic algorithm: NSGA-II"), with DEAP's names (deap/tools/emo.py). Objectives
// are rows of a Float64Array: individual i's objective j is objs[i * m + j].

import type { Random } from '../random.js';

/** Per objective: 1 maximise, -1 minimise (DEAP's fitness weights, signs only). */
export type Direction = 1 | -1;

function checkShape(objs: Float64Array, count: number, m: number, directions: readonly Direction[]): void {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be an integer >= 0, got ${count}`);
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`m must be an integer >= 1, got ${m}`);
  if (directions.length !== m) throw new RangeError(`${m} objectives but ${directions.length} directions`);
  if (objs.length < count * m) throw new RangeError(`${count} x ${m} objectives need ${count * m} values, got ${objs.length}`);
}

// Objective as "larger is better"; NaN (a failed evaluation) ranks below everything.
function oriented(objs: Float64Array, i: number, j: number, m: number, directions: readonly Direction[]): number {
  const v = objs[i * m + j]! * directions[j]!;
  return Number.isNaN(v) ? -Infinity : v;
}

/**
 * Whether individual `a` Pareto-dominates individual `b`: at least as good in every objective
 * and strictly better in one, "good" meaning larger for direction 1 and smaller for -1. A NaN
 * objective counts as the worst value. Equal points do not dominate each other.
 */
export function dominates(objs: Float64Array, a: number, b: number, m: number, directions: readonly Direction[]): boolean {
  let better = false;
  for (let j = 0; j < m; j++) {
    const va = oriented(objs, a, j, m, directions);
    const vb = oriented(objs, b, j, m, directions);
    if (va < vb) return false;
    if (va > vb) better = true;
  }
  return better;
}

/**
 * Deb's fast non-dominated sort (DEAP's `sortNondominated`): the fronts of the first `count`
 * individuals, front 0 the Pareto front, each front's indices ascending. Duplicates share a
 * front. With `k`, stops once the fronts found hold at least `k` individuals (what `selNSGA2`
 * needs); by default sorts everyone. O(m count^2) comparisons.
 * @param k individuals needed; @default count
 */
export function sortNondominated(objs: Float64Array, count: number, m: number, directions: readonly Direction[], k: number = count): Int32Array[] {
  checkShape(objs, count, m, directions);
  const fronts: Int32Array[] = [];
  if (count === 0 || k <= 0) return fronts;
  const dominatedCount = new Int32Array(count);
  const dominatedSets: number[][] = Array.from({ length: count }, () => []);
  for (let p = 0; p < count; p++) {
    for (let q = p + 1; q < count; q++) {
      if (dominates(objs, p, q, m, directions)) {
        dominatedSets[p]!.push(q);
        dominatedCount[q]!++;
      } else if (dominates(objs, q, p, m, directions)) {
        dominatedSets[q]!.push(p);
        dominatedCount[p]!++;
      }
    }
  }
  let current: number[] = [];
  for (let p = 0; p < count; p++) if (dominatedCount[p] === 0) current.push(p);
  let sorted = 0;
  while (current.length > 0) {
    const front = Int32Array.from(current).sort();
    fronts.push(front);
    sorted += front.length;
    if (sorted >= k) break;
    const next: number[] = [];
    for (const p of front) {
      for (const q of dominatedSets[p]!) {
        if (--dominatedCount[q]! === 0) next.push(q);
      }
    }
    current = next;
  }
  return fronts;
}

/**
 * Crowding distances of the members of one front (result[i] belongs to front[i]), as in Deb
 * 2002: per objective, the members sorted by value (ties by index, so the result never depends
 * on sort stability), the two ends get Infinity and each inner member adds
 * (next - previous) / (max - min). An objective with max = min, or with a non-finite range
 * (an infinite or NaN value, NaN sorting first), gives only the ends their Infinity.
 *
 * DEAP's `assignCrowdingDist` also divides by the number of objectives; that constant factor
 * changes no ordering, and the paper's definition is kept here.
 */
export function crowdingDistance(objs: Float64Array, front: Int32Array, m: number): Float64Array {
  const size = front.length;
  const dist = new Float64Array(size);
  if (size === 0) return dist;
  const order = new Int32Array(size);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < size; i++) order[i] = i;
    const value = (i: number): number => objs[front[i]! * m + j]!;
    order.sort((x, y) => {
      const vx = value(x);
      const vy = value(y);
      const nx = Number.isNaN(vx);
      const ny = Number.isNaN(vy);
      if (nx !== ny) return nx ? -1 : 1;
      if (!nx && vx !== vy) return vx < vy ? -1 : 1;
      return front[x]! - front[y]!;
    });
    const first = order[0]!;
    const last = order[size - 1]!;
    dist[first] = Infinity;
    dist[last] = Infinity;
    const range = value(last) - value(first);
    if (!(range > 0) || !Number.isFinite(range)) continue;
    for (let r = 1; r < size - 1; r++) {
      const i = order[r]!;
      dist[i] = dist[i]! + (value(order[r + 1]!) - value(order[r - 1]!)) / range;
    }
  }
  return dist;
}

/**
 * Every individual's crowding distance within its own front (`fronts` from `sortNondominated`;
 * individuals in no front get NaN), as `selTournamentDCD` takes it.
 */
export function assignCrowdingDistances(objs: Float64Array, count: number, m: number, fronts: readonly Int32Array[]): Float64Array {
  const all = new Float64Array(count).fill(NaN);
  for (const front of fronts) {
    const d = crowdingDistance(objs, front, m);
    for (let i = 0; i < front.length; i++) all[front[i]!] = d[i]!;
  }
  return all;
}

/**
 * DEAP's `selNSGA2`: `k` of the first `count` individuals, whole fronts in order while they fit
 * (each in ascending index order), then the members of the first front that does not fit by
 * descending crowding distance (equal distances: lower index first). Deterministic: no draws.
 */
export function selNSGA2(objs: Float64Array, count: number, m: number, directions: readonly Direction[], k: number): Int32Array {
  checkShape(objs, count, m, directions);
  if (!Number.isInteger(k) || k < 0 || k > count) throw new RangeError(`selNSGA2: k must be an integer in [0, ${count}], got ${k}`);
  const chosen = new Int32Array(k);
  let filled = 0;
  for (const front of sortNondominated(objs, count, m, directions, k)) {
    if (filled + front.length <= k) {
      chosen.set(front, filled);
      filled += front.length;
      continue;
    }
    const dist = crowdingDistance(objs, front, m);
    const order = Array.from(front.keys()).sort((x, y) => {
      const dx = dist[x]!;
      const dy = dist[y]!;
      if (dx !== dy) return dx > dy ? -1 : 1;
      return x - y;
    });
    for (let r = 0; filled < k; r++) chosen[filled++] = front[order[r]!]!;
    break;
  }
  return chosen;
}

/**
 * DEAP's `selTournamentDCD`: binary tournaments on dominance, then on crowding distance
 * (`crowding`, per individual, from `assignCrowdingDistances`), then a coin flip. Like DEAP it
 * needs `count` and `k` multiples of 4 and k <= count. Draws: two Fisher-Yates shuffles of
 * 0..count-1 (each `rng.int(0, i)` for i = count-1 down to 1), then, per tournament in order,
 * one `rng.next()` (<= 0.5 picks the first) only when dominance and crowding leave a tie.
 * Tournaments of a group of four: (p1[i], p1[i+1]), (p1[i+2], p1[i+3]), (p2[i], p2[i+1]),
 * (p2[i+2], p2[i+3]).
 */
export function selTournamentDCD(
  rng: Random,
  objs: Float64Array,
  count: number,
  m: number,
  directions: readonly Direction[],
  crowding: Float64Array,
  k: number,
): Int32Array {
  checkShape(objs, count, m, directions);
  if (count % 4 !== 0) throw new RangeError(`selTournamentDCD: the population size must be a multiple of 4, got ${count}`);
  if (!Number.isInteger(k) || k < 0 || k % 4 !== 0 || k > count) {
    throw new RangeError(`selTournamentDCD: k must be a multiple of 4 in [0, ${count}], got ${k}`);
  }
  const shuffled = (): Int32Array => {
    const p = new Int32Array(count);
    for (let i = 0; i < count; i++) p[i] = i;
    for (let i = count - 1; i > 0; i--) {
      const j = rng.int(0, i);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  };
  const p1 = shuffled();
  const p2 = shuffled();
  const tourn = (a: number, b: number): number => {
    if (dominates(objs, a, b, m, directions)) return a;
    if (dominates(objs, b, a, m, directions)) return b;
    const ca = crowding[a]!;
    const cb = crowding[b]!;
    if (ca < cb) return b;
    if (ca > cb) return a;
    return rng.next() <= 0.5 ? a : b;
  };
  const chosen = new Int32Array(k);
  for (let i = 0; i < k; i += 4) {
    chosen[i] = tourn(p1[i]!, p1[i + 1]!);
    chosen[i + 1] = tourn(p1[i + 2]!, p1[i + 3]!);
    chosen[i + 2] = tourn(p2[i]!, p2[i + 1]!);
    chosen[i + 3] = tourn(p2[i + 2]!, p2[i + 3]!);
  }
  return chosen;
}
