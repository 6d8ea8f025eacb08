// How an evaluation call's work is cut into tasks (the pool's) or jobs (the queue's). The cut
// never changes a result (every batch lands at its place); it only decides how evenly the
// threads stay busy.

/**
 * Guided scheduling (OpenMP's `schedule(guided)`) over the whole work of a call: `count` genomes
 * on each slot, slot s having `slotBars[s]` bars. Slots are cut in order; each batch takes a
 * (2 x threads)th of the bar-evaluations not yet handed out (as genomes of its slot), so the
 * first batches are large and the last ones small whichever slot they fall in. A batch is never
 * under `minWork` bar-evaluations unless that would leave a thread without work, and sizes are
 * even where possible (the WASM kernel runs genomes in pairs). Returns each slot's batch sizes.
 * With one slot this is exactly the single-window schedule (defaultBatchSizes, queueBatchSizes).
 */
export function guidedSlotBatches(count: number, slotBars: readonly number[], threads: number, minWork: number): number[][] {
  const bars = slotBars.map((b) => Math.max(1, b));
  const total = bars.reduce((a, b) => a + count * b, 0);
  let leftWork = total;
  return bars.map((b) => {
    const minSize = Math.max(2, Math.min(Math.ceil(minWork / b), Math.ceil(total / (threads * b))));
    const sizes: number[] = [];
    for (let left = count; left > 0;) {
      let size = Math.max(minSize, Math.ceil(leftWork / (2 * threads * b)));
      size += size & 1;
      size = Math.min(size, left);
      sizes.push(size);
      left -= size;
      leftWork -= size * b;
    }
    return sizes;
  });
}

/** Batches of at most `batchSize` genomes, per slot (a fixed batch size). */
export function fixedSlotBatches(count: number, slots: number, batchSize: number): number[][] {
  const one = Array.from({ length: Math.ceil(count / batchSize) }, (_, b) => Math.min(batchSize, count - b * batchSize));
  return Array.from({ length: slots }, () => [...one]);
}
