// The return streams the hall of fame looks at every generation: with `hofDistinct corr:R` each
// candidate's stream on the selection window (compressed, compressReturns) against those kept,
// and for the diversity line the elite's full streams. Both are derived state, kept per genome
// key for the recent genomes (a resumed run recomputes them to the same bits): the elite is
// mostly the same genomes from one generation to the next.
//
// Measured: backtesting a generation's new candidates ahead on the evaluator's threads (one
// call per generation, or in rounds as selectDistinct asks) made the default run slower (1.4 s
// -> 1.75 s): the generation then waits on the pool for work the main thread does in less time
// than the round trips take.
import { canonicalKey } from '../genome/canonical.js';
import type { StrategyFamily } from '../genome/families.js';
import { compressReturns } from './hall-of-fame.js';

/** Bytes of full streams kept at most (a million-bar window's stream is 8 MB). */
const FULL_STREAM_BYTES = 64 * 1024 * 1024;

interface Keyed {
  key: string;
  genes: Float64Array;
}

/** Evicts the oldest entries beyond `limit` (insertion order). */
function bounded<V>(map: Map<string, V>, key: string, value: V, limit: number): V {
  if (map.size >= limit) map.delete(map.keys().next().value!);
  map.set(key, value);
  return value;
}

export class HofReturns {
  private readonly compressed = new Map<string, Float64Array>();
  private readonly full = new Map<string, Float64Array>();

  /**
   * @param returns a genome's per-bar returns on the selection window(s), on this thread
   * @param limit compressed streams kept; @param fullLimit full streams kept (the elite's)
   */
  constructor(
    private readonly family: StrategyFamily,
    private readonly returns: (genes: Float64Array) => Float64Array,
    private readonly limit: number,
    private readonly fullLimit: number,
  ) {}

  /** A candidate's compressed stream (hofDistinct corr:R). */
  readonly of = (c: Keyed): Float64Array => {
    return this.compressed.get(c.key) ?? bounded(this.compressed, c.key, compressReturns(this.returns(c.genes)), this.limit);
  };

  /** A genome's full per-bar stream (the elite's correlation), kept within FULL_STREAM_BYTES. */
  readonly fullOf = (genes: Float64Array): Float64Array => {
    const key = canonicalKey(this.family, genes, 0);
    const hit = this.full.get(key);
    if (hit !== undefined) return hit;
    const r = this.returns(genes);
    const limit = Math.min(this.fullLimit, Math.floor(FULL_STREAM_BYTES / Math.max(1, r.byteLength)));
    return limit < 1 ? r : bounded(this.full, key, r, limit);
  };
}
