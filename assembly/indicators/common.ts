import { ld, st } from "../memory";

/** Index of the first non-NaN value: the leading NaNs of an input are its warm-up. */
export function firstValid(src: usize, n: i32): i32 {
  let f = 0;
  while (f < n && isNaN(ld(src, f))) f++;
  return f;
}

export function fillNaN(out: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) st(out, i, NaN);
}
