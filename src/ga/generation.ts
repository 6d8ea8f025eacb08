import { canonicalKey } from '../genome/canonical.js';
import type { StrategyFamily } from '../genome/families.js';
import { genesToParams } from '../genome/families.js';
import { genotypeSpread } from '../stats/diversity.js';
import type { Breeder } from './breeders.js';
import { MIN_TRADES_PENALTY } from './fitness.js';
import { returnCorrelation } from './overfitting.js';
import type { GenerationStats } from './result-types.js';
import type { RunState } from './run-state.js';
import { median } from './windows.js';

/** A generation's statistics before it is evaluated (every counter at 0). */
export function newStats(generation: number): GenerationStats {
  return {
    generation,
    best: 0,
    mean: 0,
    median: 0,
    worst: 0,
    bestParams: {},
    evaluated: 0,
    cacheHits: 0,
    cacheMisses: 0,
    distinct: 0,
    penalized: 0,
    diversity: { hallOfFameCorrelation: null, genotypeSpread: 0 },
  };
}

/** What the end of a generation needs besides the state. */
export interface GenerationContext {
  family: StrategyFamily;
  breeder: Breeder;
  /** Sign of the reported score: 1, or the first objective's direction with NSGA-II. */
  sign: number;
  low: Float64Array;
  up: Float64Array;
  /** A genome's per-bar returns on the selection window(s) (diversity). */
  returns: (genes: Float64Array) => Float64Array;
  /** Single objective: every distinct genome evaluated (the landscape's points), null with NSGA-II. */
  seen: Map<string, { genes: Float64Array; fitness: number }> | null;
}

/**
 * Fills the population statistics of an evaluated generation, folds its members into the hall
 * of fame and the landscape's points, and records it in the state.
 */
export function finishGeneration(c: GenerationContext, s: RunState, gen: GenerationStats): void {
  const { P, G } = s;
  const score = c.breeder.score(s);
  let bi = 0;
  let worst = Infinity;
  for (let i = 0; i < P; i++) {
    const v = score[i]!;
    if (v > score[bi]!) bi = i;
    if (v < worst) worst = v;
    if (s.fitness[i] === MIN_TRADES_PENALTY) gen.penalized++;
  }
  // Mean and median over the genomes that trade enough: the penalty is a marker, not a score.
  const valid = Float64Array.from({ length: P }, (_, i) => i).filter((i) => s.fitness[i] !== MIN_TRADES_PENALTY);
  const scored = valid.length > 0 ? Float64Array.from(valid, (i) => score[i]!) : score;
  let sum = 0;
  for (const v of scored) sum += v;
  gen.best = score[bi]! * c.sign;
  gen.mean = (sum / scored.length) * c.sign;
  gen.median = median(Array.from(scored)) * c.sign;
  gen.worst = worst * c.sign;
  gen.bestParams = genesToParams(c.family, s.pop, bi * G);
  const keys: string[] = [];
  for (let i = 0; i < P; i++) keys.push(canonicalKey(c.family, s.pop, i * G));
  gen.distinct = new Set(keys).size;
  const front = c.breeder.frontSize(s);
  if (front !== undefined) gen.front = front;
  c.breeder.updateHallOfFame(s);
  if (c.seen !== null) {
    for (let i = 0; i < P; i++) {
      if (!c.seen.has(keys[i]!)) c.seen.set(keys[i]!, { genes: s.pop.slice(i * G, (i + 1) * G), fitness: s.fitness[i]! });
    }
  }
  const pareto = c.breeder.paretoFront(s);
  const elite = (pareto ?? c.breeder.hallOfFame(s)).slice(0, 10).map((x) => x.genes);
  const corr = returnCorrelation(elite.map(c.returns));
  gen.diversity = {
    hallOfFameCorrelation: Number.isFinite(corr) ? corr : null,
    genotypeSpread: genotypeSpread(s.pop, P, G, c.low, c.up),
  };
  s.record(gen);
}
