// Kernel status codes: kernels return these instead of throwing (a throw in AssemblyScript
// traps). Twin: src/kernels/status.ts, which also holds the messages.
export const OK: i32 = 0;
export const E_LENGTH: i32 = 1;
export const E_PERIOD: i32 = 2;
export const E_PARAM: i32 = 3;
export const E_CAPACITY: i32 = 4;
export const E_SCRATCH: i32 = 5;
/** Not an error: the host asked a batch to stop (a cancelled evaluation). */
export const E_STOPPED: i32 = 6;
