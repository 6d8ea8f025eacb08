import { ld, st } from "../memory";
import { OK, E_LENGTH, E_PERIOD, E_PARAM } from "../status";
import { firstValid, fillNaN } from "./common";

/** The bands at one bar (bandAt's results). */
export let bandLo: f64 = 0;
export let bandHi: f64 = 0;

/**
 * The bands at one bar, from its ATR `a` and the running sum `s` of the last k ATRs (inv =
 * 1 / sensitivity, active = sensitivity > 1): the one place the rule is written, shared by
 * bands() and the stoch-rsi-bands batch kernel. Results in bandLo, bandHi.
 */
// @ts-ignore: decorator
@inline export function bandAt(a: f64, s: f64, k: f64, oversold: f64, overbought: f64, sensitivity: f64, inv: f64, active: bool, adjust: f64): void {
  const v = a / (s / k);
  let lo = oversold;
  let hi = overbought;
  if (active) {
    if (v > sensitivity) {
      let e = (v - 1.0) * adjust * 100.0;
      if (e > 50.0) e = 50.0;
      lo = lo - e;
      hi = hi + e;
    } else if (v < inv) {
      let c = (1.0 - v) * adjust * 100.0;
      if (c > 10.0) c = 10.0;
      lo = lo + c;
      hi = hi - c;
    }
  }
  if (hi - lo < 10.0) {
    const mid = (lo + hi) * 0.5;
    lo = mid - 5.0;
    hi = mid + 5.0;
  }
  if (lo < 0.0) lo = 0.0;
  if (lo > 100.0) lo = 100.0;
  if (hi < 0.0) hi = 0.0;
  if (hi > 100.0) hi = 100.0;
  bandLo = lo;
  bandHi = hi;
}

/**
 * Dynamic StochRSI bands (SPEC section 3). v = atr / SMA(atr, atrK). With sensitivity s > 1:
 * v > s widens both bands by e = min((v - 1) * adjust * 100, 50); v < 1/s narrows them by
 * c = min((1 - v) * adjust * 100, 10); otherwise they stay at (oversold, overbought). The
 * width is then kept >= 10 around its midpoint and both bands are clamped to [0, 100].
 */
export function bands(
  atrSrc: usize, n: i32, atrK: i32, oversold: f64, overbought: f64, sensitivity: f64, adjust: f64,
  outLower: usize, outUpper: usize,
): i32 {
  if (n < 0) return E_LENGTH;
  if (atrK < 1) return E_PERIOD;
  if (!(sensitivity > 0)) return E_PARAM;
  const f = firstValid(atrSrc, n);
  const first = f + atrK - 1;
  if (first >= n) {
    fillNaN(outLower, 0, n);
    fillNaN(outUpper, 0, n);
    return OK;
  }
  const k = <f64>atrK;
  const inv = 1.0 / sensitivity;
  const active = sensitivity > 1.0;
  let s: f64 = 0;
  for (let i = 0; i < first; i++) {
    if (i >= f) s = s + ld(atrSrc, i);
    st(outLower, i, NaN);
    st(outUpper, i, NaN);
  }
  for (let t = first; t < n; t++) {
    const a = ld(atrSrc, t);
    if (t == first) s = s + a;
    else s = s + (a - ld(atrSrc, t - atrK));
    bandAt(a, s, k, oversold, overbought, sensitivity, inv, active, adjust);
    st(outLower, t, bandLo);
    st(outUpper, t, bandHi);
  }
  return OK;
}
