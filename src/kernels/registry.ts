import type { Backend, KernelSet } from './kernel-set.js';
import { createTsKernels } from './ts-kernels.js';
import { createWasmKernels } from './wasm/loader.js';
import { configError } from '../errors.js';

const sets = new Map<Backend, KernelSet>();

/** The process-wide kernel set of a backend (one WASM instance per thread, made on first use). */
export function kernelsFor(backend: Backend): KernelSet {
  let k = sets.get(backend);
  if (k === undefined) {
    if (backend === 'ts') k = createTsKernels();
    else if (backend === 'wasm') k = createWasmKernels();
    else throw configError('backend', `unknown backend "${String(backend)}" (known: wasm, ts)`);
    sets.set(backend, k);
  }
  return k;
}

export const BACKENDS: readonly Backend[] = ['wasm', 'ts'];
