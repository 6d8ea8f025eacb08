// CFG_ORIGIN checked on the host before a kernel reads it (README "Windows and warm-up").
import { kernelError } from '../errors.js';
import { CFG_ORIGIN } from './layout.js';

/**
 * The window's first bar within the n bars handed to a kernel: cfg[CFG_ORIGIN], an integer in
 * [0, n - 1] (E_KERNEL naming the kernel otherwise; 0 always passes, the kernel checks n). A kernel's equity output has n - origin values.
 */
export function originOf(cfg: Float64Array, n: number, kernel: string): number {
  const o = cfg[CFG_ORIGIN] ?? 0;
  if (o !== 0 && !(Number.isInteger(o) && o > 0 && o <= n - 1)) {
    throw kernelError(`kernel ${kernel}: the window's origin ${String(o)} is not a bar of the ${n} bars handed over`);
  }
  return o;
}
