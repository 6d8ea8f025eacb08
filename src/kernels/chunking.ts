import { kernelError } from '../errors.js';
import { statusMessage, OK } from './status.js';

/**
 * How many genomes one kernel call takes before the stop flag is looked at again: about 2^24
 * bar-evaluations (tens of milliseconds in WASM), an even number so SIMD pairs stay whole.
 */
export function genomesPerChunk(bars: number, count: number): number {
  const c = Math.max(2, Math.floor(16_777_216 / Math.max(1, bars)));
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
