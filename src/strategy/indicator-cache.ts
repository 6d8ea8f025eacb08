// Indicators computed once per worker: a strategy's genomes mostly share their periods, so the
// same series over the same window with the same parameters is computed once and handed to
// every genome (and batch) that asks, least recently used first out when over budget.

/** Bytes the cache holds at most by default (per worker thread). @default 64 MiB */
export const DEFAULT_INDICATOR_CACHE_BYTES = 64 * 1024 * 1024;

type Value = Float64Array | Record<string, Float64Array>;

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
  private readonly map = new Map<string, { value: Value; bytes: number }>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes = DEFAULT_INDICATOR_CACHE_BYTES) {}

  /** The value under `key`, computed by `compute` on a miss (and kept when it fits the budget). */
  get<T extends Value>(key: string, compute: () => T): T {
    const e = this.map.get(key);
    if (e !== undefined) {
      this.hits++;
      // Map order is insertion order: re-inserting marks it most recently used.
      this.map.delete(key);
      this.map.set(key, e);
      return e.value as T;
    }
    this.misses++;
    const value = compute();
    const bytes = bytesOf(value);
    if (bytes > this.maxBytes) return value;
    this.map.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [k, old] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= old.bytes;
    }
    return value;
  }

  stats(): IndicatorCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.map.size, bytes: this.bytes };
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }
}
