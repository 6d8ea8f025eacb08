// Steps of the chunked stoch-rsi-bands genome kernel (stoch-rsi-bands-pass.ts): the StochRSI
// window's block extremes, the next entry candidate, the end of a quiet stretch of a position.
// Twin: src/kernels/strategies/stoch-rsi-bands-steps.ts.
import { dir, cash, units, stopLevel, targetLevel } from "./account-scalar";

/** The first set bit at or after i of the `chunk` candidate bits at fl (chunk bits if none). */
// @ts-ignore: decorator
@inline export function nextCandidate(fl: usize, i: i32, chunk: i32): i32 {
  let w = i >> 6;
  let m = load<u64>(fl + (<usize>w << 3)) & (<u64>-1 << <u64>(i & 63));
  while (m == 0) {
    w++;
    if (w >= chunk >> 6) return chunk;
    m = load<u64>(fl + (<usize>w << 3));
  }
  return (w << 6) + <i32>ctz(m);
}

/** Suffix extremes of the block of stochK RSI values at b, as bits (see the batch kernel's header). */
export function suffixExtremes(b: usize, stochK: i32, sufMin: usize, sufMax: usize): void {
  let sm = load<i64>(b + (<usize>(stochK - 1) << 3));
  let sx = sm;
  for (let i = stochK - 1; i >= 0; i--) {
    const v = load<i64>(b + (<usize>i << 3));
    sm = select<i64>(v, sm, v < sm);
    sx = select<i64>(v, sx, v > sx);
    store<i64>(sufMin + (<usize>i << 3), sm);
    store<i64>(sufMax + (<usize>i << 3), sx);
  }
}

/**
 * One bar of pass A: the window is the current block up to the bar (running extremes cMin,
 * cMax) and the previous block from the next position on (suffix extremes at sMin, sMax; the
 * sentinels past the block's end select nothing). Writes r - min and max - min at index i.
 */
// @ts-ignore: decorator
@inline export function windowAt(rb: i64, cMin: i64, cMax: i64, sMin: usize, sMax: usize, num: usize, den: usize, i: i32): void {
  const a = load<i64>(sMin);
  const b = load<i64>(sMax);
  const mn = reinterpret<f64>(select<i64>(a, cMin, a < cMin));
  const mx = reinterpret<f64>(select<i64>(b, cMax, b > cMax));
  const o = <usize>i << 3;
  store<f64>(num + o, reinterpret<f64>(rb) - mn);
  store<f64>(den + o, mx - mn);
}

/**
 * The first bar u in [t, t1) where the open position (dir, stopLevel, targetLevel, cash,
 * units of the scalar account) could do anything but be marked: a stop or target touched (the
 * checks of accountCheckStops), %K beyond `exitBound` towards the exit band (hiMin long, loMax
 * short: a superset of the exits), or the mark at or below zero (ruin).
 */
export function quietUntil(t: i32, t1: i32, t0: i32, low: usize, high: usize, close: usize, atK: usize, exitBound: f64): i32 {
  const lv = stopLevel;
  const tv = targetLevel;
  const cs = cash;
  const us = units;
  let u = t;
  if (dir > 0) {
    for (; u < t1; u++) {
      const j = <usize>u << 3;
      const k = load<f64>(atK + (<usize>(u - t0) << 3));
      if (load<f64>(low + j) <= lv || load<f64>(high + j) >= tv || k > exitBound || !(cs + us * load<f64>(close + j) > 0)) break;
    }
  } else {
    for (; u < t1; u++) {
      const j = <usize>u << 3;
      const k = load<f64>(atK + (<usize>(u - t0) << 3));
      if (load<f64>(high + j) >= lv || load<f64>(low + j) <= tv || k < exitBound || !(cs + us * load<f64>(close + j) > 0)) break;
    }
  }
  return u;
}

