import { OK, E_LENGTH } from '../status.js';

/**
 * Where series a crosses series b, as targets of the generic simulator: out[t] = 1 where a
 * crosses above b between bars t - 1 and t (a[t-1] <= b[t-1] and a[t] > b[t]), -1 where it
 * crosses below (a[t-1] >= b[t-1] and a[t] < b[t]), NaN elsewhere (keep) and at t = 0. A
 * comparison with NaN is false: no cross where either series is NaN at t - 1 or t (warm-up).
 * Only comparisons: no rounding.
 */
export function cross(a: Float64Array, b: Float64Array, n: number, out: Float64Array): number {
  if (n < 0) return E_LENGTH;
  if (n === 0) return OK;
  out[0] = NaN;
  let pa = a[0]!;
  let pb = b[0]!;
  for (let t = 1; t < n; t++) {
    const ca = a[t]!;
    const cb = b[t]!;
    out[t] = pa <= pb && ca > cb ? 1 : pa >= pb && ca < cb ? -1 : NaN;
    pa = ca;
    pb = cb;
  }
  return OK;
}
