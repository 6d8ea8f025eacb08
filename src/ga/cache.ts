/**
 * The fitness cache: metrics already computed for a genome on a window (same canonical genes,
 * same data window) are not sent to the workers again. Bounded: the least recently used entry
 * goes first. Entries are kept in use order so a checkpoint can restore the exact cache (a
 * resumed run must hit and miss exactly where an uninterrupted one would).
 */
export class FitnessCache {
  private readonly map = new Map<string, Float64Array>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** The metrics for key, refreshed as most recently used; undefined when absent. */
  get(key: string): Float64Array | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    // Map keeps insertion order, so re-inserting makes the entry the most recent.
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: string, metrics: Float64Array): void {
    if (this.capacity <= 0) return;
    this.map.delete(key);
    this.map.set(key, metrics);
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  /** Removes an entry (a reserved result whose evaluation failed). */
  delete(key: string): void {
    this.map.delete(key);
  }

  /** Entries, least recently used first (for checkpoints). */
  entries(): [string, Float64Array][] {
    return [...this.map.entries()];
  }

  restore(entries: [string, Float64Array][]): void {
    this.map.clear();
    for (const [k, v] of entries) this.map.set(k, v);
  }
}
