import { kernelError } from '../errors.js';
import type { SimulateInput, Window } from './kernel-set.js';

/** Checks that every series of a simulator input has the window's length (E_KERNEL otherwise). */
export function checkSimulateInput(input: SimulateInput, window: Window, index?: number): void {
  const n = window.end - window.start;
  const at = index === undefined ? '' : ` (input ${index})`;
  const check = (name: string, s: Float64Array | null): void => {
    if (s !== null && s.length !== n) {
      throw kernelError(`kernel simulate: ${name} has ${s.length} values${at}, the window [${window.start}, ${window.end}) has ${n} bars`);
    }
  };
  check('target', input.target);
  check('stopDistance', input.stopDistance);
  check('takeDistance', input.takeDistance);
}
