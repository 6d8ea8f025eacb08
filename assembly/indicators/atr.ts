import { ld, st } from "../memory";
import { OK, E_LENGTH, E_PERIOD } from "../status";
import { fillNaN } from "./common";

// @ts-ignore: decorator
@inline export function trueRange(h: f64, l: f64, prevClose: f64): f64 {
  let tr = h - l;
  const a = abs(h - prevClose);
  const b = abs(l - prevClose);
  if (a > tr) tr = a;
  if (b > tr) tr = b;
  return tr;
}

/**
 * ATR(period), Wilder: TR[t] = max(high - low, |high - close[t-1]|, |low - close[t-1]|) for
 * t >= 1; the first ATR (t = k) is the mean of TR[1..k], then atr = (atr * (k - 1) + TR) / k.
 */
export function atr(high: usize, low: usize, close: usize, n: i32, period: i32, out: usize): i32 {
  if (n < 0) return E_LENGTH;
  if (period < 1) return E_PERIOD;
  if (period >= n) {
    fillNaN(out, 0, n);
    return OK;
  }
  const k = <f64>period;
  const km1 = k - 1.0;
  fillNaN(out, 0, period);
  let s: f64 = 0;
  for (let t = 1; t <= period; t++) {
    s = s + trueRange(ld(high, t), ld(low, t), ld(close, t - 1));
  }
  let a = s / k;
  st(out, period, a);
  for (let t = period + 1; t < n; t++) {
    a = (a * km1 + trueRange(ld(high, t), ld(low, t), ld(close, t - 1))) / k;
    st(out, t, a);
  }
  return OK;
}
