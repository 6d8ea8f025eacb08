import { OK, E_LENGTH, E_PERIOD } from '../status.js';
import { firstValid, fillNaN } from './common.js';

/**
 * SMA(period) as the running sum of SPEC section 7: s = src[f] + ... + src[f+k-1] added
 * left to right, then s = s + (src[t] - src[t-k]); sma = s / k. Leading NaNs of src are
 * warm-up (f = first valid index); out is NaN before f+k-1.
 */
export function sma(src: Float64Array, n: number, period: number, out: Float64Array): number {
  if (n < 0) return E_LENGTH;
  if (period < 1) return E_PERIOD;
  const f = firstValid(src, n);
  const first = f + period - 1;
  if (first >= n) {
    fillNaN(out, 0, n);
    return OK;
  }
  const k = period;
  let s = 0;
  for (let i = 0; i < f; i++) out[i] = NaN;
  for (let i = f; i < first; i++) {
    s = s + src[i]!;
    out[i] = NaN;
  }
  s = s + src[first]!;
  out[first] = s / k;
  for (let t = first + 1; t < n; t++) {
    s = s + (src[t]! - src[t - period]!);
    out[t] = s / k;
  }
  return OK;
}
