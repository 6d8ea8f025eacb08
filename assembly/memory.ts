// Raw f64 access into linear memory. Pointers are byte addresses; indices are elements.

// @ts-ignore: decorator
@inline export function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline export function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** First address the host may use for its own buffers (16-byte aligned). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/**
 * x when cond holds, +0 otherwise, without a branch: V8 turns a WebAssembly `select` on doubles
 * into a conditional jump, which mispredicts half the time on returns of random sign. The mask
 * only selects bits, so the result equals `cond ? x : 0.0` exactly (the twins write the ternary).
 */
// @ts-ignore: decorator
@inline export function keepIf(x: f64, cond: bool): f64 {
  return reinterpret<f64>(reinterpret<i64>(x) & -(<i64>cond));
}

/** a when cond holds, else b, without a branch (see keepIf): bit for bit `cond ? a : b`. */
// @ts-ignore: decorator
@inline export function pick(a: f64, b: f64, cond: bool): f64 {
  const m = -(<i64>cond);
  return reinterpret<f64>((reinterpret<i64>(a) & m) | (reinterpret<i64>(b) & ~m));
}
