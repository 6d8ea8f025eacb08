/** Index of the first non-NaN value: the leading NaNs of an input are its warm-up. */
export function firstValid(src: Float64Array, n: number): number {
  let f = 0;
  while (f < n && Number.isNaN(src[f]!)) f++;
  return f;
}

export function fillNaN(out: Float64Array, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = NaN;
}
