import { ld, st } from "../memory";
import { OK, E_LENGTH, E_PERIOD } from "../status";
import { fillNaN } from "./common";
import { rsi } from "./rsi";
import { sma } from "./sma";

/**
 * Raw StochRSI over an RSI series: 100 * (r - min) / (max - min) over the last stochK values
 * (t included); 50 when max = min.
 */
export function stochOf(src: usize, n: i32, stochK: i32, out: usize): i32 {
  if (n < 0) return E_LENGTH;
  if (stochK < 1) return E_PERIOD;
  let f = 0;
  while (f < n && isNaN(ld(src, f))) f++;
  const first = f + stochK - 1;
  if (first >= n) {
    fillNaN(out, 0, n);
    return OK;
  }
  fillNaN(out, 0, first);
  for (let t = first; t < n; t++) {
    const r = ld(src, t);
    let mn = r;
    let mx = r;
    for (let j = t - stochK + 1; j < t; j++) {
      const v = ld(src, j);
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    // Divide first: (r - mn) / (mx - mn) is exactly 1 at the window's maximum, so the raw value
    // is exactly 100 there (100 * x / x can round to 99.99999999999999 and fake %K/%D crosses).
    st(out, t, mx == mn ? 50.0 : 100.0 * ((r - mn) / (mx - mn)));
  }
  return OK;
}

/**
 * StochRSI(rsiK, stochK) with %K = SMA(StochRSI, kSmooth) and %D = SMA(%K, dSmooth).
 * Writes the RSI, the raw StochRSI, %K and %D (each n values, NaN before warm-up).
 */
export function stochRsi(
  src: usize, n: i32, rsiK: i32, stochK: i32, kSmooth: i32, dSmooth: i32,
  outRsi: usize, outStoch: usize, outK: usize, outD: usize,
): i32 {
  if (n < 0) return E_LENGTH;
  if (rsiK < 1 || stochK < 1 || kSmooth < 1 || dSmooth < 1) return E_PERIOD;
  rsi(src, n, rsiK, outRsi);
  stochOf(outRsi, n, stochK, outStoch);
  sma(outStoch, n, kSmooth, outK);
  sma(outK, n, dSmooth, outD);
  return OK;
}
