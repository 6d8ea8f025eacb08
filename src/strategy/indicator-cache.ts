// Indicators computed once per worker: a strategy's genomes mostly share their periods, so the
// same series over the same window with the same parameters is computed once and handed to
// every genome (and batch) that asks. Over budget, least recently used first out, and of those
// first the ones never asked for again (a segmented LRU): a population whose genomes each leave
// series of their own (a StochRSI of their own periods, their own bands) does not push out the
// ones they share (the RSI of an rsiK, an ATR). What a caller asks for as shared (the RSI stage
// of ctx.ind.stochRsi) starts among those asked for again.

/** Bytes the cache holds at most by default (per worker thread). @default 64 MiB */
export const DEFAULT_INDICATOR_CACHE_BYTES = 64 * 1024 * 1024;

/** The share of the budget that series asked for again may hold before they go back on probation. */
const PROTECTED_SHARE = 0.8;

type Value = Float64Array | Record<string, Float64Array>;

interface Entry {
  value: Value;
  bytes: number;
}

function bytesOf(v: Value): number {
  if (v instanceof Float64Array) return v.byteLength;
  let b = 0;
  for (const a of Object.values(v)) b += a.byteLength;
  return b;
}

export interface IndicatorCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

export class IndicatorCache {
  // Map order is insertion order: the first entry is the least recently used (re-inserting
  // marks one most recently used). New entries are on probation; a hit moves one to protected.
  private readonly probation = new Map<string, Entry>();
  private readonly protected = new Map<string, Entry>();
  // Probation is first in, first out (a hit leaves it, nothing is re-inserted): one live iterator
  // walks it oldest first, so an eviction does not step again over the slots of entries gone.
  private oldest = this.probation.entries();
  private bytes = 0;
  private protectedBytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes = DEFAULT_INDICATOR_CACHE_BYTES) {}

  /**
   * The value under `key`, computed by `compute` on a miss (and kept when it fits the budget).
   * A `shared` value (one the caller knows many will ask for) starts protected.
   */
  get<T extends Value>(key: string, compute: () => T, shared = false): T {
    let e = this.protected.get(key);
    if (e !== undefined) {
      this.hits++;
      this.protected.delete(key);
      this.protected.set(key, e);
      return e.value as T;
    }
    e = this.probation.get(key);
    if (e !== undefined) {
      this.hits++;
      this.probation.delete(key);
      this.protect(key, e);
      return e.value as T;
    }
    this.misses++;
    const value = compute();
    const bytes = bytesOf(value);
    if (bytes > this.maxBytes) return value;
    if (shared) this.protect(key, { value, bytes });
    else this.probation.set(key, { value, bytes });
    this.bytes += bytes;
    this.evict();
    return value;
  }

  private protect(key: string, e: Entry): void {
    this.protected.set(key, e);
    this.protectedBytes += e.bytes;
    // Over its share, protected's least recently used go back on probation (as its newest).
    for (const [k, old] of this.protected) {
      if (this.protectedBytes <= this.maxBytes * PROTECTED_SHARE) break;
      this.protected.delete(k);
      this.protectedBytes -= old.bytes;
      this.probation.set(k, old);
    }
  }

  private evict(): void {
    while (this.bytes > this.maxBytes) {
      let r = this.oldest.next();
      if (r.done === true) {
        // An exhausted iterator sees no later entries: start again from the oldest.
        this.oldest = this.probation.entries();
        r = this.oldest.next();
        if (r.done === true) break;
      }
      const [k, old] = r.value;
      this.probation.delete(k);
      this.bytes -= old.bytes;
    }
    for (const [k, old] of this.protected) {
      if (this.bytes <= this.maxBytes) return;
      this.protected.delete(k);
      this.bytes -= old.bytes;
      this.protectedBytes -= old.bytes;
    }
  }

  stats(): IndicatorCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.probation.size + this.protected.size, bytes: this.bytes };
  }

  clear(): void {
    this.probation.clear();
    this.oldest = this.probation.entries();
    this.protected.clear();
    this.bytes = 0;
    this.protectedBytes = 0;
  }
}
