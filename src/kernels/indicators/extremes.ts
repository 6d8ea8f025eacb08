import { OK, E_LENGTH, E_PERIOD } from '../status.js';
import { firstValid, fillNaN } from './common.js';

/**
 * Rolling maximum (sign 1) or minimum (sign -1) of the last `period` values. Leading NaNs of
 * src are warm-up (f = first valid index): out is NaN before f+k-1. A NaN after the warm-up
 * makes every window that holds it NaN. The index of the extreme is kept (the latest of equal
 * values); when it leaves the window the window is scanned again: O(n) on prices, O(n k) at
 * worst (a series that only falls, for the maximum). Only comparisons: no rounding.
 */
function extreme(src: Float64Array, n: number, period: number, out: Float64Array, sign: number): number {
  if (n < 0) return E_LENGTH;
  if (period < 1) return E_PERIOD;
  const f = firstValid(src, n);
  const first = f + period - 1;
  if (first >= n) {
    fillNaN(out, 0, n);
    return OK;
  }
  fillNaN(out, 0, f);
  let best = -1;
  let bestV = 0;
  let lastNaN = -1;
  for (let t = f; t < n; t++) {
    const x = src[t]!;
    if (Number.isNaN(x)) lastNaN = t;
    else if (best < 0 || (sign > 0 ? x >= bestV : x <= bestV)) {
      best = t;
      bestV = x;
    }
    if (best >= 0 && best <= t - period) {
      best = -1;
      for (let i = t - period + 1; i <= t; i++) {
        const y = src[i]!;
        if (!Number.isNaN(y) && (best < 0 || (sign > 0 ? y >= bestV : y <= bestV))) {
          best = i;
          bestV = y;
        }
      }
    }
    out[t] = t < first || lastNaN > t - period || best < 0 ? NaN : bestV;
  }
  return OK;
}

/** Rolling maximum of the last `period` values (see extreme). */
export function highest(src: Float64Array, n: number, period: number, out: Float64Array): number {
  return extreme(src, n, period, out, 1);
}

/** Rolling minimum of the last `period` values (see extreme). */
export function lowest(src: Float64Array, n: number, period: number, out: Float64Array): number {
  return extreme(src, n, period, out, -1);
}
