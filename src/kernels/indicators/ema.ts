import { OK, E_LENGTH, E_PERIOD } from '../status.js';
import { firstValid, fillNaN } from './common.js';

/**
 * EMA(period): alpha = 2 / (k + 1), seeded with the SMA (running sum / k) at the first full
 * window, then e = e + alpha * (x - e).
 */
export function ema(src: Float64Array, n: number, period: number, out: Float64Array): number {
  if (n < 0) return E_LENGTH;
  if (period < 1) return E_PERIOD;
  const f = firstValid(src, n);
  const first = f + period - 1;
  if (first >= n) {
    fillNaN(out, 0, n);
    return OK;
  }
  const k = period;
  const alpha = 2.0 / (k + 1.0);
  let s = 0;
  for (let i = 0; i < f; i++) out[i] = NaN;
  for (let i = f; i < first; i++) {
    s = s + src[i]!;
    out[i] = NaN;
  }
  s = s + src[first]!;
  let e = s / k;
  out[first] = e;
  for (let t = first + 1; t < n; t++) {
    e = e + alpha * (src[t]! - e);
    out[t] = e;
  }
  return OK;
}
