import { ld, st } from "../memory";
import { OK, E_LENGTH, E_PERIOD } from "../status";
import { firstValid, fillNaN } from "./common";

/**
 * EMA(period): alpha = 2 / (k + 1), seeded with the SMA (running sum / k) at the first full
 * window, then e = e + alpha * (x - e).
 */
export function ema(src: usize, n: i32, period: i32, out: usize): i32 {
  if (n < 0) return E_LENGTH;
  if (period < 1) return E_PERIOD;
  const f = firstValid(src, n);
  const first = f + period - 1;
  if (first >= n) {
    fillNaN(out, 0, n);
    return OK;
  }
  const k = <f64>period;
  const alpha = 2.0 / (k + 1.0);
  let s: f64 = 0;
  for (let i = 0; i < f; i++) st(out, i, NaN);
  for (let i = f; i < first; i++) {
    s = s + ld(src, i);
    st(out, i, NaN);
  }
  s = s + ld(src, first);
  let e = s / k;
  st(out, first, e);
  for (let t = first + 1; t < n; t++) {
    e = e + alpha * (ld(src, t) - e);
    st(out, t, e);
  }
  return OK;
}
