import { MET_LENGTH } from '../kernels/layout.js';
import { Random } from '../random.js';
import type { CheckpointState, HistoryRecord, SnapshotProgress } from './checkpoint.js';
import { base64ToF64, f64ToBase64 } from './checkpoint.js';
import type { Journal } from './evaluation.js';
import type { GenerationStats } from './result-types.js';

/** A hall-of-fame entry: the genome, its fitness and its metrics on every train slot. */
export interface HofEntry {
  key: string;
  genes: Float64Array;
  fitness: number;
  /** Metrics per train slot, MET_LENGTH each. */
  metrics: Float64Array;
}

/** How a state field is written to a checkpoint's JSON and read back. */
interface Codec<T> {
  put(v: T): unknown;
  get(json: unknown): T;
}

const same: Codec<unknown> = { put: (v) => v, get: (j) => j };
const f64: Codec<Float64Array> = { put: f64ToBase64, get: (j) => base64ToF64(j as string) };
const nullable = <T>(c: Codec<T>): Codec<T | null> => ({ put: (v) => (v === null ? null : c.put(v)), get: (j) => (j === null ? null : c.get(j)) });
const list = <T>(c: Codec<T>): Codec<T[]> => ({ put: (v) => v.map((x) => c.put(x)), get: (j) => (j as unknown[]).map((x) => c.get(x)) });
/** -Infinity (no generation yet) is JSON null. */
const score: Codec<number> = { put: (v) => (Number.isFinite(v) ? v : null), get: (j) => (j === null ? -Infinity : (j as number)) };
const hofEntry: Codec<HofEntry> = {
  put: (h) => ({ key: h.key, genes: Array.from(h.genes), fitness: h.fitness, metrics: f64ToBase64(h.metrics) }),
  get: (j) => {
    const h = j as SnapshotProgress['hof'][number];
    return { key: h.key, genes: Float64Array.from(h.genes), fitness: h.fitness, metrics: base64ToF64(h.metrics) };
  },
};

type AnyCodec = Codec<unknown>;
type StateField = 'hof' | 'bestEver' | 'stale' | 'backtests' | 'hits' | 'misses' | 'fitness' | 'objs' | 'metrics';

/**
 * The one mapping between a RunState and its checkpoint's `progress`: field of the checkpoint,
 * state property, and how its value is written and read (`population` and `rng` are the
 * snapshot's own fields, `generationLimit` the run's).
 */
const PROGRESS_FIELDS: readonly [Exclude<keyof SnapshotProgress, 'generationLimit'>, [StateField, AnyCodec]][] = [
  ['hof', ['hof', list(hofEntry) as AnyCodec]],
  ['bestEver', ['bestEver', score as AnyCodec]],
  ['stale', ['stale', same as AnyCodec]],
  ['backtests', ['backtests', same as AnyCodec]],
  ['hits', ['hits', same as AnyCodec]],
  ['misses', ['misses', same as AnyCodec]],
  ['fitness', ['fitness', f64 as AnyCodec]],
  ['objectives', ['objs', nullable(f64) as AnyCodec]],
  ['metrics', ['metrics', list(f64) as AnyCodec]],
];

/** What a generation's checkpoint holds: the history record and the snapshot's run part. */
export type CheckpointParts = { record: HistoryRecord; snapshot: Pick<CheckpointState, 'generation' | 'population' | 'rng' | 'progress'> };

/**
 * The state of a run after a completed generation: the population and its evaluation, the
 * hall of fame, the stopping counters and the PRNG. It is what a checkpoint saves, and it
 * writes and reads itself (`toCheckpoint` / `fromCheckpoint`: one mapping, both directions).
 */
export class RunState {
  rng: Random;
  pop: Float64Array;
  fitness: Float64Array;
  /** NSGA-II: objectives, population x objectives; null in single-objective mode. */
  objs: Float64Array | null;
  /** Metrics per train slot, population x MET_LENGTH each. */
  metrics: Float64Array[];
  history: GenerationStats[] = [];
  hof: HofEntry[] = [];
  bestEver = -Infinity;
  stale = 0;
  backtests = 0;
  hits = 0;
  misses = 0;

  constructor(seed: number, readonly P: number, readonly G: number, objectives: number, slots: number) {
    this.rng = new Random(seed);
    this.pop = new Float64Array(P * G);
    this.fitness = new Float64Array(P);
    this.objs = objectives > 0 ? new Float64Array(P * objectives) : null;
    this.metrics = Array.from({ length: slots }, () => new Float64Array(P * MET_LENGTH));
  }

  /** A genome's metrics on every slot, slot after slot. */
  metricsOf(i: number): Float64Array {
    const out = new Float64Array(this.metrics.length * MET_LENGTH);
    this.metrics.forEach((pm, s) => out.set(pm.subarray(i * MET_LENGTH, (i + 1) * MET_LENGTH), s * MET_LENGTH));
    return out;
  }

  /** Folds a finished generation's statistics into the counters and the history. */
  record(gen: GenerationStats): void {
    if (gen.best > this.bestEver) {
      this.bestEver = gen.best;
      this.stale = 0;
    } else {
      this.stale++;
    }
    this.backtests += gen.evaluated;
    this.hits += gen.cacheHits;
    this.misses += gen.cacheMisses;
    this.history.push(gen);
  }

  /** The checkpoint of the generation just recorded, with what its evaluation did to the cache. */
  toCheckpoint(journal: Journal, generationLimit: number): CheckpointParts {
    const progress = { generationLimit } as Record<string, unknown>;
    for (const [field, [prop, codec]] of PROGRESS_FIELDS) progress[field] = codec.put(this[prop]);
    const n = this.history.length;
    return {
      record: { generation: n - 1, stats: this.history[n - 1]!, block: f64ToBase64(journal.block), misses: journal.misses.map(f64ToBase64) },
      snapshot: { generation: n, population: f64ToBase64(this.pop), rng: this.rng.getState(), progress: progress as unknown as SnapshotProgress },
    };
  }

  /**
   * Restores the state a checkpoint saved (its sizes are checked by readCheckpoint), through the
   * same field table as toCheckpoint; the history's statistics come from its records. The cache
   * is rebuilt apart (EvaluationService.replay).
   */
  static fromCheckpoint(state: CheckpointState, records: readonly HistoryRecord[], P: number, G: number, objectives: number, slots: number): RunState {
    const s = new RunState(0, P, G, objectives, slots);
    const progress = state.progress as unknown as Record<string, unknown>;
    const target = s as unknown as Record<string, unknown>;
    for (const [field, [prop, codec]] of PROGRESS_FIELDS) target[prop] = codec.get(progress[field]);
    s.rng = Random.fromState(state.rng);
    s.pop = f64.get(state.population);
    s.history = records.map((r) => r.stats as GenerationStats);
    return s;
  }
}
