import { kernelError } from '../errors.js';
import { statusMessage, OK } from './status.js';

/**
 * How many genomes the in-process evaluator gives one kernel call before it yields to the event
 * loop (where an AbortSignal can fire): about 2^26 bar-evaluations with WASM, 2^24 with the
 * TypeScript twins (a few hundred milliseconds, and less since the kernels got faster), an
 * even number so SIMD pairs stay whole. A call costs little besides its genomes: the sma-cross
 * batch copies only the first bars of the series (its warm-up), whatever the chunk.
 */
export function genomesPerChunk(bars: number, count: number, backend: 'wasm' | 'ts' = 'wasm'): number {
  const budget = backend === 'wasm' ? 67_108_864 : 16_777_216;
  const c = Math.max(2, Math.floor(budget / Math.max(1, bars)));
  return Math.min(count, c + (c & 1));
}

/** Turns a kernel status into an EngineError `E_KERNEL` naming the kernel. */
export function checkStatus(status: number, kernel: string): void {
  if (status !== OK) throw kernelError(`kernel ${kernel} failed with status ${status}: ${statusMessage(status)}`);
}

/** The largest value in a genome block: for sma-cross, the longest period a batch needs room for. */
export function maxGene(genomes: Float64Array): number {
  let m = 1;
  for (let i = 0; i < genomes.length; i++) if (genomes[i]! > m) m = genomes[i]!;
  return Math.min(m | 0, 0x7fffffff);
}

/** E_KERNEL unless the two series of `cross` have the same length (both backends check this). */
export function checkCrossLengths(a: Float64Array, b: Float64Array): void {
  if (a.length !== b.length) throw kernelError(`cross: the series have different lengths (${a.length} and ${b.length})`);
}
