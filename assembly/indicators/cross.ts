import { ld, st, pick } from "../memory";
import { OK, E_LENGTH } from "../status";

/**
 * Where series a crosses series b, as targets of the generic simulator: out[t] = 1 where a
 * crosses above b between bars t - 1 and t (a[t-1] <= b[t-1] and a[t] > b[t]), -1 where it
 * crosses below (a[t-1] >= b[t-1] and a[t] < b[t]), NaN elsewhere (keep) and at t = 0. A
 * comparison with NaN is false: no cross where either series is NaN at t - 1 or t (warm-up).
 * Only comparisons: no rounding. Branch-free (pick): the same values as the twin's ternaries.
 */
export function cross(a: usize, b: usize, n: i32, out: usize): i32 {
  if (n < 0) return E_LENGTH;
  if (n == 0) return OK;
  st(out, 0, NaN);
  let pa = ld(a, 0);
  let pb = ld(b, 0);
  for (let t = 1; t < n; t++) {
    const ca = ld(a, t);
    const cb = ld(b, t);
    const up = <bool>(<i32>(pa <= pb) & <i32>(ca > cb));
    const down = <bool>(<i32>(pa >= pb) & <i32>(ca < cb));
    st(out, t, pick(1.0, pick(-1.0, NaN, down), up));
    pa = ca;
    pb = cb;
  }
  return OK;
}
