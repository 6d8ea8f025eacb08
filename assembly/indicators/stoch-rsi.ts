import { ld, st } from "../memory";
import { OK, E_LENGTH, E_PERIOD } from "../status";
import { firstValid, fillNaN } from "./common";
import { rsi } from "./rsi";
import { sma } from "./sma";

/**
 * Raw StochRSI over an RSI series: 100 * ((r - min) / (max - min)) over the last stochK values
 * (t included); 50 when max = min (the division first, so the window's maximum is exactly 100).
 * NaNs inside a window are passed over; a NaN at t gives NaN.
 *
 * The window's min and max come from monotonic deques of indices (O(n) for any stochK, where a
 * rescan of every window costs O(n stochK)). They only select values, so the result is the same
 * as the rescan's. `dqMin` and `dqMax` are scratch for stochK i32 each.
 */
export function stochOf(src: usize, n: i32, stochK: i32, out: usize, dqMin: usize, dqMax: usize): i32 {
  if (n < 0) return E_LENGTH;
  if (stochK < 1) return E_PERIOD;
  const f = firstValid(src, n);
  const first = f + stochK - 1;
  if (first >= n) {
    fillNaN(out, 0, n);
    return OK;
  }
  fillNaN(out, 0, first);
  // Ring buffers of capacity stochK: head is the front position, size the count.
  let minHead = 0;
  let minSize = 0;
  let maxHead = 0;
  let maxSize = 0;
  for (let t = f; t < n; t++) {
    const old = t - stochK;
    while (minSize > 0 && load<i32>(dqMin + (<usize>minHead << 2)) <= old) {
      minHead = minHead + 1 == stochK ? 0 : minHead + 1;
      minSize--;
    }
    while (maxSize > 0 && load<i32>(dqMax + (<usize>maxHead << 2)) <= old) {
      maxHead = maxHead + 1 == stochK ? 0 : maxHead + 1;
      maxSize--;
    }
    const v = ld(src, t);
    if (!isNaN(v)) {
      while (minSize > 0) {
        let back = minHead + minSize - 1;
        if (back >= stochK) back -= stochK;
        if (ld(src, load<i32>(dqMin + (<usize>back << 2))) >= v) minSize--;
        else break;
      }
      let at = minHead + minSize;
      if (at >= stochK) at -= stochK;
      store<i32>(dqMin + (<usize>at << 2), t);
      minSize++;
      while (maxSize > 0) {
        let back = maxHead + maxSize - 1;
        if (back >= stochK) back -= stochK;
        if (ld(src, load<i32>(dqMax + (<usize>back << 2))) <= v) maxSize--;
        else break;
      }
      at = maxHead + maxSize;
      if (at >= stochK) at -= stochK;
      store<i32>(dqMax + (<usize>at << 2), t);
      maxSize++;
    }
    if (t < first) continue;
    if (isNaN(v)) {
      st(out, t, NaN);
      continue;
    }
    const mn = ld(src, load<i32>(dqMin + (<usize>minHead << 2)));
    const mx = ld(src, load<i32>(dqMax + (<usize>maxHead << 2)));
    st(out, t, mx == mn ? 50.0 : 100.0 * ((v - mn) / (mx - mn)));
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
  // %K and %D are written after the raw StochRSI, so their arrays serve as its scratch.
  stochOf(outRsi, n, stochK, outStoch, outK, outD);
  sma(outStoch, n, kSmooth, outK);
  sma(outK, n, dSmooth, outD);
  return OK;
}
