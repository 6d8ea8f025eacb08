// What the kernels ask of the host. Twin: assembly/host.ts (an import of the WASM module).

let stopCheck: (() => boolean) | null = null;

/** Whether a running batch should stop (a cancelled evaluation); checked between genomes. */
export function shouldStop(): boolean {
  return stopCheck !== null && stopCheck();
}

/** Installs (or, with null, removes) the check the batch kernels call between genomes. */
export function setStopCheck(check: (() => boolean) | null): void {
  stopCheck = check;
}
