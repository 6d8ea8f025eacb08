import { ld, st, pick } from "../memory";
import { OK, E_LENGTH } from "../status";

/**
 * Where series a crosses series b, as targets of the generic simulator: out[t] = 1 where a
 * crosses above b between bars t - 1 and t (a[t-1] <= b[t-1] and a[t] > b[t]), -1 where it
 * crosses below (a[t-1] >= b[t-1] and a[t] < b[t]), NaN elsewhere (keep) and at t = 0. A
 * comparison with NaN is false: no cross where either series is NaN at t - 1 or t (warm-up).
 * Only comparisons: no rounding. Two bars per step in the lanes of a v128 (bars t and t + 1,
 * against t - 1 and t read unaligned), masks selecting the constants: the twin's ternaries.
 */
export function cross(a: usize, b: usize, n: i32, out: usize): i32 {
  if (n < 0) return E_LENGTH;
  if (n == 0) return OK;
  st(out, 0, NaN);
  const one = f64x2.splat(1.0);
  const minusOne = f64x2.splat(-1.0);
  const none = f64x2.splat(NaN);
  let t = 1;
  for (; t + 1 < n; t += 2) {
    const o = <usize>t << 3;
    const ca = v128.load(a + o);
    const cb = v128.load(b + o);
    const pa = v128.load(a + o - 8);
    const pb = v128.load(b + o - 8);
    const up = v128.and(f64x2.le(pa, pb), f64x2.gt(ca, cb));
    const down = v128.and(f64x2.ge(pa, pb), f64x2.lt(ca, cb));
    v128.store(out + o, v128.bitselect(one, v128.bitselect(minusOne, none, down), up));
  }
  for (; t < n; t++) {
    const pa = ld(a, t - 1);
    const pb = ld(b, t - 1);
    const ca = ld(a, t);
    const cb = ld(b, t);
    const up = <bool>(<i32>(pa <= pb) & <i32>(ca > cb));
    const down = <bool>(<i32>(pa >= pb) & <i32>(ca < cb));
    st(out, t, pick(1.0, pick(-1.0, NaN, down), up));
  }
  return OK;
}
