import { configError } from '../errors.js';
import { canonicalKey } from '../genome/canonical.js';
import type { StrategyFamily } from '../genome/families.js';
import { MET_LENGTH, MET_SHARPE } from '../kernels/layout.js';
import type { EvalSlot, Evaluator } from '../pool/evaluator.js';
import { FitnessCache } from './cache.js';
import type { HistoryRecord } from './checkpoint.js';
import { base64ToF64 } from './checkpoint.js';
import { TrialSharpes } from './overfitting.js';
import type { TrainSlot } from './run-setup.js';
import type { Scorer, Scores } from './scoring.js';

/** The counters an evaluation adds to (a generation's statistics). */
export interface EvaluationCounters {
  evaluated: number;
  cacheHits: number;
  cacheMisses: number;
}

/** A block evaluated on every train slot: its scores and its metrics per slot. */
export interface Evaluated extends Scores {
  metrics: Float64Array[];
}

/** What the last evaluated block did to the cache: the history record's content. */
export interface Journal {
  block: Float64Array;
  /** Per slot: the metrics of the misses, in lookup order. */
  misses: Float64Array[];
}

/** A slot's cache misses: cache key -> the block's rows with that genome (first-seen order), and the reserved entry. */
type Pending = Map<string, { rows: number[]; entry: Float64Array }>;

/**
 * The evaluation service: genomes in, scores out, on every train slot (market x window) of the
 * run, through the fitness cache (a genome already evaluated on a slot is not evaluated again,
 * duplicates in a block are evaluated once), in as few evaluator calls as possible (slots
 * missing the same genomes share one evaluateSlots call: usually one call per block), and
 * aggregated over folds and markets by the Scorer. It also keeps the trial statistics of the
 * deflated Sharpe: every distinct (genome, market) evaluated on the market's selection window.
 *
 * A slot's misses get their cache entries reserved right after its lookups, in slot order, and
 * filled in place when the results arrive: the cache evolves exactly as if the slots had been
 * evaluated one after another, so the replay of a checkpoint (slot after slot) and an
 * uninterrupted run leave the same cache, whatever the capacity.
 */
export class EvaluationService {
  readonly cache: FitnessCache;
  trials = new TrialSharpes();
  barEvaluations = 0;
  journal: Journal | null = null;

  constructor(
    private readonly family: StrategyFamily,
    private readonly evaluator: Evaluator,
    private readonly slots: readonly TrainSlot[],
    private readonly scorer: Scorer,
    cacheSize: number,
    private readonly signal?: AbortSignal,
  ) {
    this.cache = new FitnessCache(cacheSize);
  }

  keysOf(block: Float64Array, count: number): string[] {
    const G = this.family.genes.length;
    const keys: string[] = [];
    for (let i = 0; i < count; i++) keys.push(canonicalKey(this.family, block, i * G));
    return keys;
  }

  score(metrics: readonly Float64Array[], count: number): Scores {
    return this.scorer.score(metrics, count);
  }

  /** Evaluates a block of genomes on every train slot, through the cache. */
  async evaluate(block: Float64Array, count: number, gen: EvaluationCounters, cancellable = true): Promise<Evaluated> {
    const G = this.family.genes.length;
    const keys = this.keysOf(block, count);
    const metrics = this.slots.map(() => new Float64Array(count * MET_LENGTH));
    const pending = this.slots.map((_, s) => this.lookup(keys, s, metrics[s]!, gen));
    const results: (Float64Array | null)[] = this.slots.map(() => null);
    try {
      // Slots that miss the same genomes go in one call (one round of tasks).
      const groups = new Map<string, number[]>();
      pending.forEach((p, s) => {
        if (p.size === 0) return;
        const id = [...p.values()].map((x) => x.rows[0]!).join(',');
        const g = groups.get(id);
        if (g === undefined) groups.set(id, [s]);
        else g.push(s);
      });
      const opts = cancellable && this.signal !== undefined ? { signal: this.signal } : {};
      for (const group of groups.values()) {
        const firsts = [...pending[group[0]!]!.values()].map((x) => x.rows[0]!);
        const todo = new Float64Array(firsts.length * G);
        firsts.forEach((r, j) => todo.set(block.subarray(r * G, (r + 1) * G), j * G));
        const slots: EvalSlot[] = group.map((s) => ({ market: this.slots[s]!.market, window: this.slots[s]!.window }));
        const out = await this.evaluator.evaluateSlots(this.family, todo, slots, opts);
        const n = firsts.length * MET_LENGTH;
        group.forEach((s, j) => {
          results[s] = out.slice(j * n, (j + 1) * n);
          const w = this.slots[s]!.window;
          gen.evaluated += firsts.length;
          this.barEvaluations += firsts.length * (w.end - w.start);
        });
      }
    } catch (e) {
      // Reserved entries that were never filled must not answer a later lookup.
      for (const p of pending) for (const ck of p.keys()) this.cache.delete(ck);
      throw e;
    }
    const journal: Journal = { block, misses: [] };
    pending.forEach((p, s) => {
      const out = results[s] ?? new Float64Array(0);
      journal.misses.push(out);
      this.fill(keys, s, p, out, metrics[s]!);
    });
    this.journal = journal;
    return { ...this.scorer.score(metrics, count), metrics };
  }

  /**
   * Rebuilds the cache and the trial statistics from a checkpoint's history records, slot after
   * slot as the straight run left them; `onBlock` sees each record's block, keys and metrics.
   */
  replay(records: readonly HistoryRecord[], count: number, file: string, onBlock: (block: Float64Array, keys: string[], metrics: Float64Array[]) => void): void {
    const scratch = this.slots.map(() => new Float64Array(count * MET_LENGTH));
    const counters: EvaluationCounters = { evaluated: 0, cacheHits: 0, cacheMisses: 0 };
    for (const rec of records) {
      const block = base64ToF64(rec.block);
      const keys = this.keysOf(block, count);
      this.slots.forEach((_, s) => {
        const pending = this.lookup(keys, s, scratch[s]!, counters);
        const out = base64ToF64(rec.misses[s]!);
        if (out.length !== pending.size * MET_LENGTH) {
          throw configError('resume', `${file}: record ${rec.generation + 1}.misses[${s}] holds ${out.length / MET_LENGTH} results, the cache replay needs ${pending.size}`);
        }
        this.fill(keys, s, pending, out, scratch[s]!);
      });
      onBlock(block, keys, scratch);
    }
  }

  /**
   * The cache lookups of a block on one slot, in order: hits fill `metrics`; the misses come
   * back grouped by key in first-seen order, each with its cache entry reserved.
   */
  private lookup(keys: readonly string[], s: number, metrics: Float64Array, gen: EvaluationCounters): Pending {
    const sk = this.slots[s]!.key;
    const pending: Pending = new Map();
    for (let i = 0; i < keys.length; i++) {
      const ck = `${keys[i]}|${sk}`;
      const cached = this.cache.get(ck);
      if (cached !== undefined) {
        metrics.set(cached, i * MET_LENGTH);
        gen.cacheHits++;
      } else if (pending.has(ck)) {
        pending.get(ck)!.rows.push(i);
        gen.cacheHits++;
      } else {
        pending.set(ck, { rows: [i], entry: new Float64Array(MET_LENGTH) });
        gen.cacheMisses++;
      }
    }
    for (const [ck, p] of pending) this.cache.set(ck, p.entry);
    return pending;
  }

  /** Fills the reserved entries with the misses' metrics (`out`, in pending order) and adds the trials. */
  private fill(keys: readonly string[], s: number, pending: Pending, out: Float64Array, metrics: Float64Array): void {
    const slot = this.slots[s]!;
    let j = 0;
    for (const p of pending.values()) {
      const v = p.entry;
      v.set(out.subarray(j * MET_LENGTH, (j + 1) * MET_LENGTH));
      j++;
      for (const i of p.rows) metrics.set(v, i * MET_LENGTH);
      if (slot.selection) this.trials.add(`${keys[p.rows[0]!]}|${slot.key}`, v[MET_SHARPE]! / slot.rootPpy);
    }
  }
}
