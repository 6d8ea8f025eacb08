// Kernel status codes. Twin: assembly/status.ts.
export const OK = 0;
export const E_LENGTH = 1;
export const E_PERIOD = 2;
export const E_PARAM = 3;
export const E_CAPACITY = 4;
export const E_SCRATCH = 5;
/** Not an error: the host asked a batch to stop (a cancelled evaluation). */
export const E_STOPPED = 6;

const MESSAGES: Record<number, string> = {
  [E_LENGTH]: 'series length out of range',
  [E_PERIOD]: 'period out of range (must be >= 1; >= 2 for stdev)',
  [E_PARAM]: 'parameter out of range',
  [E_CAPACITY]: 'output buffer too small',
  [E_SCRATCH]: 'scratch buffer too small',
  [E_STOPPED]: 'stopped on request',
};

export function statusMessage(status: number): string {
  return MESSAGES[status] ?? `unknown status ${status}`;
}
