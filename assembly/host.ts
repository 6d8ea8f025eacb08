// What the kernels ask of the host. Twin: src/kernels/host.ts.

/** Whether a running batch should stop (a cancelled evaluation); checked between genomes. */
// @ts-ignore: decorator
@external("env", "shouldStop")
export declare function shouldStop(): bool;
