import { availableParallelism } from 'node:os';
import { configError } from '../errors.js';

/** Worker threads are refused above this many per core the process can run in parallel. */
export const MAX_THREADS_PER_CORE = 4;

/**
 * Checks a worker-thread count against the machine: an integer >= `min`, at most
 * MAX_THREADS_PER_CORE x os.availableParallelism() (each worker holds a V8 isolate, a WASM
 * instance and a copy of the market; a thousand of them exhaust memory long before they help),
 * refused with E_CONFIG naming `option` above that. Returns a warning when the count is above
 * the available parallelism (threads then share cores: no faster, more memory), else null.
 */
export function checkThreads(option: string, threads: number, min = 1, cores = availableParallelism()): string | null {
  const max = MAX_THREADS_PER_CORE * cores;
  if (!Number.isInteger(threads) || threads < min) throw configError(option, `must be an integer >= ${min}, got ${threads}`);
  if (threads > max) {
    throw configError(option, `${threads} is more than ${MAX_THREADS_PER_CORE} x the ${cores} core${cores === 1 ? '' : 's'} this process can use (os.availableParallelism()); use at most ${max}`);
  }
  if (threads > cores) {
    return `${option}: ${threads} threads on ${cores} core${cores === 1 ? '' : 's'}: they share the cores, which makes the run no faster and uses more memory`;
  }
  return null;
}

/** Where warnings go when nobody listens: Node's process warnings (stderr, once per code). */
export function emitEngineWarning(message: string): void {
  process.emitWarning(message, { code: 'EVOQUANT_THREADS' });
}
