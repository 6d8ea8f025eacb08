import { canonicalKey, randomGenome } from '../genome/canonical.js';
import type { StrategyFamily } from '../genome/families.js';
import { MET_LENGTH } from '../kernels/layout.js';
import type { Random } from '../random.js';
import type { Evaluated } from './evaluation.js';
import type { HofDistinct } from './hall-of-fame.js';
import { selectDistinct } from './hall-of-fame.js';
import type { IslandConfig } from './islands.js';
import { breedIslands } from './islands.js';
import type { Direction } from './nsga2.js';
import { assignCrowdingDistances, selNSGA2, selTournamentDCD, sortNondominated } from './nsga2.js';
import type { OperatorConfig } from './operators.js';
import { immigrantCount, selTournament, variation } from './operators.js';
import { rankByFrontAndCrowding } from './ranking.js';
import type { HofEntry, RunState } from './run-state.js';

/** A genome to report (hall of fame, Pareto front), with its metrics on every train slot. */
export interface Ranked {
  genes: Float64Array;
  fitness: number;
  metrics: Float64Array;
  objs: Float64Array | null;
  front?: number;
  crowding?: number;
}

/**
 * How a population becomes the next one, and what it reports (DEAP's algorithms split:
 * eaSimple's generational replacement for one objective, eaMuPlusLambda's NSGA-II survival
 * for several). The run loop evaluates what `offspring` returns and hands it to `survive`.
 */
export interface Breeder {
  /** The genomes to evaluate this generation. */
  offspring(state: RunState): Float64Array;
  /** The next population from the offspring and their evaluation. */
  survive(state: RunState, offspring: Float64Array, evaluated: Evaluated): void;
  /** Per-genome score, larger is better: the fitness, or the first objective times its direction. */
  score(state: RunState): Float64Array;
  /** After a generation: the single-objective hall of fame takes in the population. */
  updateHallOfFame(state: RunState): void;
  /** The hall of fame as reported, best first. */
  hallOfFame(state: RunState): Ranked[];
  /** NSGA-II: the distinct members of the first front, by the first objective; null otherwise. */
  paretoFront(state: RunState): Ranked[] | null;
  /** NSGA-II: the size of the population's first front. */
  frontSize(state: RunState): number | undefined;
}

/**
 * One generation of the single-objective GA: the best `elitism` survive unchanged, `immigrants`
 * fresh random genomes join, and the rest are offspring of tournament-selected parents (varAnd).
 */
export function breedSingle(
  rng: Random, family: StrategyFamily, pop: Float64Array, fitness: Float64Array, P: number, ops: OperatorConfig,
): Float64Array {
  const G = family.genes.length;
  const order = Array.from({ length: P }, (_, i) => i).sort((a, b) => fitness[b]! - fitness[a]! || a - b);
  const elites = Math.min(ops.elitism, P);
  const immigrants = Math.min(immigrantCount(ops.immigrants, P), P - elites);
  const children = P - elites - immigrants;
  const next = new Float64Array(P * G);
  for (let e = 0; e < elites; e++) next.set(pop.subarray(order[e]! * G, (order[e]! + 1) * G), e * G);
  if (children > 0) {
    const picks = selTournament(rng, fitness, children, ops.tournamentSize);
    const parents = new Float64Array(children * G);
    picks.forEach((idx, j) => parents.set(pop.subarray(idx * G, (idx + 1) * G), j * G));
    next.set(variation(rng, family, parents, children, ops), elites * G);
  }
  for (let i = P - immigrants; i < P; i++) randomGenome(rng, family, next, i * G);
  return next;
}

/** The single-objective GA (islands optional), with a hall of fame of distinct genomes. */
export class SingleObjectiveBreeder implements Breeder {
  constructor(
    private readonly family: StrategyFamily,
    private readonly ops: OperatorConfig,
    private readonly islands: IslandConfig,
    private readonly hof: { size: number; rule: HofDistinct; low: Float64Array; up: Float64Array; returns: (c: { key: string; genes: Float64Array }) => Float64Array },
  ) {}

  offspring(s: RunState): Float64Array {
    return breedIslands(s.rng, this.family, s.pop, s.fitness, s.P, this.ops, this.islands, s.history.length, breedSingle);
  }

  survive(s: RunState, offspring: Float64Array, r: Evaluated): void {
    s.pop = offspring;
    s.fitness = r.fitness;
    s.metrics = r.metrics;
  }

  score(s: RunState): Float64Array {
    return s.fitness;
  }

  /** The best distinct genomes ever evaluated. */
  updateHallOfFame(s: RunState): void {
    const G = s.G;
    const byKey = new Map<string, HofEntry>(s.hof.map((h) => [h.key, h]));
    for (let i = 0; i < s.P; i++) {
      const key = canonicalKey(this.family, s.pop, i * G);
      if (byKey.has(key)) continue;
      byKey.set(key, { key, genes: s.pop.slice(i * G, (i + 1) * G), fitness: s.fitness[i]!, metrics: s.metricsOf(i) });
    }
    s.hof = selectDistinct([...byKey.values()], this.hof.size, this.hof.rule, this.hof.low, this.hof.up, this.hof.returns);
  }

  hallOfFame(s: RunState): Ranked[] {
    return s.hof.map((h) => ({ genes: h.genes, fitness: h.fitness, metrics: h.metrics, objs: null }));
  }

  paretoFront(): null {
    return null;
  }

  frontSize(): undefined {
    return undefined;
  }
}

/** NSGA-II: crowded tournaments and variation, then (mu + lambda) non-dominated survival. */
export class NsgaBreeder implements Breeder {
  private readonly m: number;

  constructor(
    private readonly family: StrategyFamily,
    private readonly ops: OperatorConfig,
    private readonly directions: readonly Direction[],
    private readonly hofSize: number,
  ) {
    this.m = directions.length;
  }

  offspring(s: RunState): Float64Array {
    const { P, G } = s;
    const objs = s.objs!;
    const fronts = sortNondominated(objs, P, this.m, [...this.directions], P);
    const crowd = assignCrowdingDistances(objs, P, this.m, fronts);
    const chosen = selTournamentDCD(s.rng, objs, P, this.m, [...this.directions], crowd, P);
    const parents = new Float64Array(P * G);
    chosen.forEach((idx, j) => parents.set(s.pop.subarray(idx * G, (idx + 1) * G), j * G));
    return variation(s.rng, this.family, parents, P, this.ops);
  }

  survive(s: RunState, offspring: Float64Array, r: Evaluated): void {
    const { P, G } = s;
    const m = this.m;
    const K = MET_LENGTH;
    const all = concat(s.pop, offspring);
    const allObjs = concat(s.objs!, r.objs!);
    const allMetrics = s.metrics.map((pm, i) => concat(pm, r.metrics[i]!));
    const allFitness = concat(s.fitness, r.fitness);
    const keep = selNSGA2(allObjs, 2 * P, m, [...this.directions], P);
    const pop = new Float64Array(P * G);
    const objs = new Float64Array(P * m);
    const fitness = new Float64Array(P);
    const metrics = s.metrics.map(() => new Float64Array(P * K));
    keep.forEach((idx, j) => {
      pop.set(all.subarray(idx * G, (idx + 1) * G), j * G);
      objs.set(allObjs.subarray(idx * m, (idx + 1) * m), j * m);
      fitness[j] = allFitness[idx]!;
      metrics.forEach((nm, i) => nm.set(allMetrics[i]!.subarray(idx * K, (idx + 1) * K), j * K));
    });
    s.pop = pop;
    s.objs = objs;
    s.fitness = fitness;
    s.metrics = metrics;
  }

  score(s: RunState): Float64Array {
    return Float64Array.from({ length: s.P }, (_, i) => s.objs![i * this.m]! * this.directions[0]!);
  }

  updateHallOfFame(): void {}

  /** The final population by front, then crowding (ranking.ts). */
  hallOfFame(s: RunState): Ranked[] {
    const { P, G } = s;
    const m = this.m;
    const keys = Array.from({ length: P }, (_, i) => canonicalKey(this.family, s.pop, i * G));
    return rankByFrontAndCrowding(s.objs!, P, m, [...this.directions], keys).slice(0, this.hofSize).map((r) => {
      const i = r.index;
      return { genes: s.pop.slice(i * G, (i + 1) * G), fitness: s.objs![i * m]!, metrics: s.metricsOf(i), objs: s.objs!.slice(i * m, (i + 1) * m), front: r.front, crowding: r.crowding };
    });
  }

  paretoFront(s: RunState): Ranked[] {
    const { P, G } = s;
    const m = this.m;
    const front = sortNondominated(s.objs!, P, m, [...this.directions], P)[0]!;
    const seen = new Set<string>();
    const out: (Ranked & { key: string })[] = [];
    for (const i of front) {
      const key = canonicalKey(this.family, s.pop, i * G);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ key, genes: s.pop.slice(i * G, (i + 1) * G), fitness: s.fitness[i]!, metrics: s.metricsOf(i), objs: s.objs!.slice(i * m, (i + 1) * m) });
    }
    // Ordered by the first objective (best first), then by key: a stable, meaningful order.
    out.sort((a, b) => (b.objs![0]! - a.objs![0]!) * this.directions[0]! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out.map(({ key: _key, ...r }) => r);
  }

  frontSize(s: RunState): number {
    return sortNondominated(s.objs!, s.P, this.m, [...this.directions], s.P)[0]!.length;
  }
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
