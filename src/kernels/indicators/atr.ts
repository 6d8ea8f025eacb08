import { OK, E_LENGTH, E_PERIOD } from '../status.js';
import { fillNaN } from './common.js';

export function trueRange(h: number, l: number, prevClose: number): number {
  let tr = h - l;
  const a = Math.abs(h - prevClose);
  const b = Math.abs(l - prevClose);
  if (a > tr) tr = a;
  if (b > tr) tr = b;
  return tr;
}

/**
 * ATR(period), Wilder: TR[t] = max(high - low, |high - close[t-1]|, |low - close[t-1]|) for
 * t >= 1; the first ATR (t = k) is the mean of TR[1..k], then atr = (atr * (k - 1) + TR) / k.
 */
export function atr(
  high: Float64Array, low: Float64Array, close: Float64Array, n: number, period: number, out: Float64Array,
): number {
  if (n < 0) return E_LENGTH;
  if (period < 1) return E_PERIOD;
  if (period >= n) {
    fillNaN(out, 0, n);
    return OK;
  }
  const k = period;
  const km1 = k - 1.0;
  fillNaN(out, 0, period);
  let s = 0;
  for (let t = 1; t <= period; t++) {
    s = s + trueRange(high[t]!, low[t]!, close[t - 1]!);
  }
  let a = s / k;
  out[period] = a;
  for (let t = period + 1; t < n; t++) {
    a = (a * km1 + trueRange(high[t]!, low[t]!, close[t - 1]!)) / k;
    out[t] = a;
  }
  return OK;
}
