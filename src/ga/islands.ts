import { configError } from '../errors.js';
import type { StrategyFamily } from '../genome/families.js';
import type { Random } from '../random.js';
import type { OperatorConfig } from './operators.js';

/** The island model's settings (DEAP's `migRing`, debut's islands). */
export interface IslandConfig {
  /** Sub-populations bred apart: 1 = one panmictic population (islands off). */
  islands: number;
  /** Every this many generations, each island's best replaces the next island's worst (a ring). */
  migrationInterval: number;
}

/** @default islands off (1): measured on W1 and the default run, see README "Diversity". */
export const ISLAND_DEFAULTS: IslandConfig = { islands: 1, migrationInterval: 5 };

export function resolveIslands(islands: number | undefined, interval: number | undefined, population: number): IslandConfig {
  const k = islands ?? ISLAND_DEFAULTS.islands;
  const m = interval ?? ISLAND_DEFAULTS.migrationInterval;
  if (!Number.isInteger(k) || k < 1 || k > population / 4) throw configError('islands', `must be an integer in [1, population / 4 = ${Math.floor(population / 4)}], got ${k}`);
  if (!Number.isInteger(m) || m < 1 || m > 1e6) throw configError('migrationInterval', `must be an integer in [1, 1000000], got ${m}`);
  return { islands: k, migrationInterval: m };
}

/** Island i holds population rows [bounds[i], bounds[i+1]): contiguous, sizes differ by at most one. */
export function islandBounds(P: number, k: number): number[] {
  return Array.from({ length: k + 1 }, (_, i) => Math.floor((i * P) / k));
}

const bestOf = (fitness: Float64Array, a: number, b: number): number => {
  let bi = a;
  for (let i = a + 1; i < b; i++) if (fitness[i]! > fitness[bi]!) bi = i;
  return bi;
};
const worstOf = (fitness: Float64Array, a: number, b: number): number => {
  let wi = a;
  for (let i = a + 1; i < b; i++) if (fitness[i]! < fitness[wi]!) wi = i;
  return wi;
};

/**
 * Ring migration (DEAP's migRing with k = 1, selBest / selWorst): each island's best genome
 * (first index on ties) replaces the worst of the next island, all chosen before any is moved.
 * Returns new population and fitness arrays; no random draws.
 */
export function migrateRing(pop: Float64Array, fitness: Float64Array, G: number, bounds: number[]): { pop: Float64Array; fitness: Float64Array } {
  const k = bounds.length - 1;
  const nextPop = Float64Array.from(pop);
  const nextFit = Float64Array.from(fitness);
  const best = Array.from({ length: k }, (_, i) => bestOf(fitness, bounds[i]!, bounds[i + 1]!));
  const worst = Array.from({ length: k }, (_, i) => worstOf(fitness, bounds[i]!, bounds[i + 1]!));
  for (let i = 0; i < k; i++) {
    const from = best[i]!;
    const to = worst[(i + 1) % k]!;
    nextPop.set(pop.subarray(from * G, (from + 1) * G), to * G);
    nextFit[to] = fitness[from]!;
  }
  return { pop: nextPop, fitness: nextFit };
}

/**
 * One generation of the island GA: migration first when `generation` is a multiple of the
 * interval, then every island bred on its own by `breed` (the single-population step, its
 * elitism and immigrants per island), islands in order, so the draws are reproducible.
 */
export function breedIslands(
  rng: Random, family: StrategyFamily, pop: Float64Array, fitness: Float64Array, P: number, ops: OperatorConfig,
  cfg: IslandConfig, generation: number,
  breed: (rng: Random, family: StrategyFamily, pop: Float64Array, fitness: Float64Array, P: number, ops: OperatorConfig) => Float64Array,
): Float64Array {
  if (cfg.islands === 1) return breed(rng, family, pop, fitness, P, ops);
  const G = family.genes.length;
  const bounds = islandBounds(P, cfg.islands);
  let p = pop;
  let f = fitness;
  if (generation % cfg.migrationInterval === 0) ({ pop: p, fitness: f } = migrateRing(pop, fitness, G, bounds));
  const next = new Float64Array(P * G);
  for (let i = 0; i < cfg.islands; i++) {
    const a = bounds[i]!;
    const b = bounds[i + 1]!;
    next.set(breed(rng, family, p.subarray(a * G, b * G), f.subarray(a, b), b - a, ops), a * G);
  }
  return next;
}
