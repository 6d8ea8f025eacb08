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

/**
 * The order in which a call's genomes are cut into batches when their fused kernel shares work
 * between genomes of one batch (FusedKernel.shareKey): by key, then by input index, so that the
 * genomes that share go to the same batches; null when the kernel shares nothing (input order).
 * Only the cut changes: each result still lands at its genome's input place.
 */
export function shareOrder(shareKey: ((genomes: Float64Array, offset: number) => number) | undefined, genomes: Float64Array, genes: number): Int32Array | null {
  const count = genomes.length / genes;
  if (shareKey === undefined || count < 3) return null;
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) keys[i] = shareKey(genomes, i * genes);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  order.sort((a, b) => keys[a]! - keys[b]! || a - b);
  return order;
}

/** The genomes (rows of `genes` values) in `order`. */
export function permuteRows(genomes: Float64Array, order: Int32Array, genes: number): Float64Array {
  const out = new Float64Array(genomes.length);
  for (let j = 0; j < order.length; j++) out.set(genomes.subarray(order[j]! * genes, (order[j]! + 1) * genes), j * genes);
  return out;
}
