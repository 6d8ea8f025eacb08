import { ld, st, keepIf } from "../memory";
import { OK, E_LENGTH, E_PERIOD } from "../status";
import { firstValid, fillNaN } from "./common";

// @ts-ignore: decorator
@inline export function rsiValue(gain: f64, loss: f64): f64 {
  if (loss == 0) return gain == 0 ? 50.0 : 100.0;
  return 100.0 - 100.0 / (1.0 + gain / loss);
}

/**
 * RSI(period), Wilder: d[t] = x[t] - x[t-1]; the first average gain and loss are the simple
 * means of d[1..k]; then avg = (avg * (k - 1) + d) / k. RSI = 100 - 100 / (1 + gain / loss);
 * 100 when loss = 0, 50 when both are 0. First value at t = f + k.
 */
export function rsi(src: usize, n: i32, period: i32, out: usize): i32 {
  if (n < 0) return E_LENGTH;
  if (period < 1) return E_PERIOD;
  const f = firstValid(src, n);
  const first = f + period;
  if (first >= n) {
    fillNaN(out, 0, n);
    return OK;
  }
  const k = <f64>period;
  const km1 = k - 1.0;
  fillNaN(out, 0, first);
  let g: f64 = 0;
  let l: f64 = 0;
  for (let t = f + 1; t <= first; t++) {
    const d = ld(src, t) - ld(src, t - 1);
    if (d > 0) g = g + d;
    else if (d < 0) l = l - d;
  }
  g = g / k;
  l = l / k;
  st(out, first, rsiValue(g, l));
  for (let t = first + 1; t < n; t++) {
    const d = ld(src, t) - ld(src, t - 1);
    const up = keepIf(d, d > 0); // d > 0 ? d : 0
    const dn = keepIf(-d, d < 0); // d < 0 ? -d : 0
    g = (g * km1 + up) / k;
    l = (l * km1 + dn) / k;
    st(out, t, rsiValue(g, l));
  }
  return OK;
}
