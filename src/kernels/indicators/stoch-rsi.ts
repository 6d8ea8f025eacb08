import { OK, E_LENGTH, E_PERIOD } from '../status.js';
import { firstValid, fillNaN } from './common.js';
import { rsi } from './rsi.js';
import { sma } from './sma.js';

/**
 * Raw StochRSI over an RSI series: 100 * ((r - min) / (max - min)) over the last stochK values
 * (t included); 50 when max = min (the division first, so the window's maximum is exactly 100).
 * NaNs inside a window are passed over; a NaN at t gives NaN.
 *
 * The window's min and max come from block extremes (van Herk / Gil-Werman): from the first
 * valid value f on, the values are cut into blocks of stochK, and a window [s, t] with
 * s = t - stochK + 1 is the end of the block of s (its suffix extremes from s, computed once per
 * block, backwards) and the start of the block of t up to t (prefix extremes, kept going
 * forwards); when s begins a block both are that block. O(n) for any stochK. The WASM twin keeps
 * (min, -max) in the two lanes of a v128 and selects both with one comparison: its -x < -hi is
 * x > hi here, the same for every value (NaN: false), and the negations are exact. They only
 * select values: a comparison with NaN is false, so a NaN is never selected, and a tie goes to
 * the later value, as the deque of indices this replaced did (it matters for 0 and -0 only); so
 * the result is the same as a rescan's. `sufMin` and `sufMax` are scratch for n values each (the
 * WASM twin keeps the suffix maxima negated in sufMax).
 */
export function stochOf(
  src: Float64Array, n: number, stochK: number, out: Float64Array, sufMin: Float64Array, sufMax: Float64Array,
): number {
  if (n < 0) return E_LENGTH;
  if (stochK < 1) return E_PERIOD;
  const f = firstValid(src, n);
  // first = f + stochK - 1 is the first output; compared as stochK > n - f, which cannot overflow.
  if (stochK > n - f) {
    fillNaN(out, 0, n);
    return OK;
  }
  const first = f + stochK - 1;
  fillNaN(out, 0, first);
  for (let b = f; b < n; b += stochK) {
    const e = Math.min(b + stochK, n);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = e - 1; i >= b; i--) {
      const v = src[i]!;
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
      sufMin[i] = lo;
      sufMax[i] = hi;
    }
  }
  for (let b = f; b < n; b += stochK) {
    const e = Math.min(b + stochK, n);
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = b; t < e; t++) {
      const v = src[t]!;
      lo = v <= lo ? v : lo;
      hi = v >= hi ? v : hi;
      if (t < first) continue;
      if (Number.isNaN(v)) {
        out[t] = NaN;
        continue;
      }
      const s = t - stochK + 1;
      const a = sufMin[s]!;
      const c = sufMax[s]!;
      const mn = a < lo ? a : lo;
      const mx = c > hi ? c : hi;
      out[t] = mx === mn ? 50.0 : 100.0 * ((v - mn) / (mx - mn));
    }
  }
  return OK;
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
  stochOf(outRsi, n, stochK, outStoch, outK, outD);
  sma(outStoch, n, kSmooth, outK);
  sma(outK, n, dSmooth, outD);
  return OK;
}
