import { OK, E_LENGTH, E_PERIOD } from '../status.js';
import { firstValid, fillNaN } from './common.js';
import { rsi } from './rsi.js';
import { sma } from './sma.js';

/**
 * Raw StochRSI over an RSI series: 100 * ((r - min) / (max - min)) over the last stochK values
 * (t included); 50 when max = min (the division first, so the window's maximum is exactly 100).
 * NaNs inside a window are passed over; a NaN at t gives NaN.
 *
 * The window's min and max come from monotonic deques of indices (O(n) for any stochK, where a
 * rescan of every window costs O(n stochK)). They only select values, so the result is the same
 * as the rescan's. `dqMin` and `dqMax` are scratch for stochK indices each.
 */
export function stochOf(
  src: Float64Array, n: number, stochK: number, out: Float64Array, dqMin: Int32Array, dqMax: Int32Array,
): number {
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
    while (minSize > 0 && dqMin[minHead]! <= old) {
      minHead = minHead + 1 === stochK ? 0 : minHead + 1;
      minSize--;
    }
    while (maxSize > 0 && dqMax[maxHead]! <= old) {
      maxHead = maxHead + 1 === stochK ? 0 : maxHead + 1;
      maxSize--;
    }
    const v = src[t]!;
    if (!Number.isNaN(v)) {
      while (minSize > 0) {
        let back = minHead + minSize - 1;
        if (back >= stochK) back -= stochK;
        if (src[dqMin[back]!]! >= v) minSize--;
        else break;
      }
      let at = minHead + minSize;
      if (at >= stochK) at -= stochK;
      dqMin[at] = t;
      minSize++;
      while (maxSize > 0) {
        let back = maxHead + maxSize - 1;
        if (back >= stochK) back -= stochK;
        if (src[dqMax[back]!]! <= v) maxSize--;
        else break;
      }
      at = maxHead + maxSize;
      if (at >= stochK) at -= stochK;
      dqMax[at] = t;
      maxSize++;
    }
    if (t < first) continue;
    if (Number.isNaN(v)) {
      out[t] = NaN;
      continue;
    }
    const mn = src[dqMin[minHead]!]!;
    const mx = src[dqMax[maxHead]!]!;
    out[t] = mx === mn ? 50.0 : 100.0 * ((v - mn) / (mx - mn));
  }
  return OK;
}

/** An Int32Array over the first `count` slots of a Float64Array's memory (scratch reuse). */
function int32Over(a: Float64Array, count: number): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, count);
}

/**
 * StochRSI(rsiK, stochK) with %K = SMA(StochRSI, kSmooth) and %D = SMA(%K, dSmooth).
 * Writes the RSI, the raw StochRSI, %K and %D (each n values, NaN before warm-up).
 */
export function stochRsi(
  src: Float64Array, n: number, rsiK: number, stochK: number, kSmooth: number, dSmooth: number,
  outRsi: Float64Array, outStoch: Float64Array, outK: Float64Array, outD: Float64Array,
): number {
  if (n < 0) return E_LENGTH;
  if (rsiK < 1 || stochK < 1 || kSmooth < 1 || dSmooth < 1) return E_PERIOD;
  rsi(src, n, rsiK, outRsi);
  // %K and %D are written after the raw StochRSI, so their arrays serve as its scratch.
  const k = Math.min(stochK, n);
  stochOf(outRsi, n, stochK, outStoch, int32Over(outK, k), int32Over(outD, k));
  sma(outStoch, n, kSmooth, outK);
  sma(outK, n, dSmooth, outD);
  return OK;
}
