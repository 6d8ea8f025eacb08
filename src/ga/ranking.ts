import type { Direction } from './nsga2.js';
import { assignCrowdingDistances, sortNondominated } from './nsga2.js';

/** One member of an NSGA-II population in ranking order. */
export interface NsgaRank {
  /** Index in the population. */
  index: number;
  /** Non-dominated front, 0 = the Pareto front. */
  front: number;
  /** Crowding distance within its front (Infinity at the front's extremes). */
  crowding: number;
}

/**
 * The order NSGA-II itself prefers (Deb et al. 2002's crowded-comparison operator): by front,
 * then by descending crowding distance; ties (both extremes of a front have Infinity) by the
 * first objective, best first, then by `keys` (canonical genomes), so the order is total and
 * reproducible. Duplicated genomes (same key) appear once, at their best place.
 */
export function rankByFrontAndCrowding(
  objs: Float64Array, count: number, m: number, directions: readonly Direction[], keys: readonly string[],
): NsgaRank[] {
  const fronts = sortNondominated(objs, count, m, directions, count);
  const crowd = assignCrowdingDistances(objs, count, m, fronts);
  const all: NsgaRank[] = [];
  fronts.forEach((f, fi) => {
    for (const i of f) all.push({ index: i, front: fi, crowding: crowd[i]! });
  });
  const first = (i: number): number => objs[i * m]! * directions[0]!;
  all.sort((a, b) => {
    if (a.front !== b.front) return a.front - b.front;
    if (a.crowding !== b.crowding) return a.crowding === b.crowding ? 0 : b.crowding > a.crowding ? 1 : -1;
    const d = first(b.index) - first(a.index);
    if (d !== 0 && !Number.isNaN(d)) return d;
    const ka = keys[a.index]!;
    const kb = keys[b.index]!;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const seen = new Set<string>();
  return all.filter((r) => {
    const k = keys[r.index]!;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
