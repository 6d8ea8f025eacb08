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
 * The window's min and max come from block extremes (van Herk / Gil-Werman): from the first
 * valid value f on, the values are cut into blocks of stochK, and a window [s, t] with
 * s = t - stochK + 1 is the end of the block of s (its suffix extremes from s, computed once per
 * block, backwards) and the start of the block of t up to t (prefix extremes, kept going
 * forwards); when s begins a block both are that block. O(n) for any stochK and branch-free:
 * min and max are the two lanes (min, -max) of a v128, one comparison and one bitselect for both
 * (the negation is exact). They only select values: a comparison with NaN is false, so a NaN is
 * never selected, and a tie goes to the later value, as the deque of indices this replaced did
 * (it matters for 0 and -0 only); so the result is the same as a rescan's. `sufMin` and `sufMax`
 * are scratch for n values each (sufMax holds the suffix maxima negated).
 */
export function stochOf(src: usize, n: i32, stochK: i32, out: usize, sufMin: usize, sufMax: usize): i32 {
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
  // Lanes (min, -max): one comparison selects both, -max < -hi being max > hi (negation is exact).
  const neg = i64x2(0, 0x8000000000000000);
  const none = f64x2.splat(Infinity);
  for (let b = f; b < n; b += stochK) {
    const e = min(b + stochK, n);
    let m = none;
    for (let i = e - 1; i >= b; i--) {
      const o = <usize>i << 3;
      const x = v128.xor(f64x2.splat(load<f64>(src + o)), neg);
      m = v128.bitselect(x, m, f64x2.lt(x, m));
      v128.store64_lane(sufMin + o, m, 0);
      v128.store64_lane(sufMax + o, m, 1);
    }
  }
  for (let b = f; b < n; b += stochK) {
    const e = min(b + stochK, n);
    let m = none;
    for (let t = b; t < e; t++) {
      const v = ld(src, t);
      const x = v128.xor(f64x2.splat(v), neg);
      m = v128.bitselect(x, m, f64x2.le(x, m));
      if (t < first) continue;
      if (isNaN(v)) {
        st(out, t, NaN);
        continue;
      }
      const o = <usize>(t - stochK + 1) << 3;
      const a = v128.load64_lane(sufMax + o, v128.load64_zero(sufMin + o), 1);
      const w = v128.bitselect(a, m, f64x2.lt(a, m));
      const mn = f64x2.extract_lane(w, 0);
      const mx = -f64x2.extract_lane(w, 1);
      st(out, t, mx == mn ? 50.0 : 100.0 * ((v - mn) / (mx - mn)));
    }
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
