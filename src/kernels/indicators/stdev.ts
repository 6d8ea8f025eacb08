import { OK, E_LENGTH, E_PERIOD } from '../status.js';
import { firstValid, fillNaN } from './common.js';

/**
 * Rolling sample standard deviation (ddof = 1) of the last `period` values, period >= 2.
 * Leading NaNs of src are warm-up (f = first valid index); out is NaN before f+k-1, and a NaN
 * after the warm-up makes the windows that hold it NaN.
 *
 * Each window is computed on its own, in two passes: mean = (sum left to right) / k, then
 * m2 = sum of (x - mean)^2 left to right; stdev = Math.sqrt(m2 / (k - 1)). O(n k), and exact to a
 * few ulps where a sliding update (add one value, remove one) loses digits whenever a window's
 * spread is small against its level or against the window before (a quiet bar after a jump).
 * A value depends only on its window, never on how far back the series starts.
 */
export function stdev(src: Float64Array, n: number, period: number, out: Float64Array): number {
  if (n < 0) return E_LENGTH;
  if (period < 2) return E_PERIOD;
  const f = firstValid(src, n);
  const first = f + period - 1;
  if (first >= n) {
    fillNaN(out, 0, n);
    return OK;
  }
  fillNaN(out, 0, first);
  const k = period;
  const k1 = k - 1.0;
  for (let t = first; t < n; t++) {
    const from = t - period + 1;
    let s = 0;
    for (let i = from; i <= t; i++) s = s + src[i]!;
    const mean = s / k;
    let m2 = 0;
    for (let i = from; i <= t; i++) {
      const d = src[i]! - mean;
      m2 = m2 + d * d;
    }
    out[t] = Math.sqrt(m2 / k1);
  }
  return OK;
}
