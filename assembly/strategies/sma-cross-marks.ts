// Family `sma-cross`, the batch kernel's pass 2 (sma-cross-batch.ts): marking two lanes to
// market between their events, where the positions cannot change but by ruin.
// Twin: src/kernels/strategies/sma-cross-marks.ts.
//
// Shortcut 2, the drawdown with one division per peak (markFast): the maximum of
// fl(fl(peak - e) / peak) under one peak is at the lowest equity under it, because the quotient
// is monotonic in e. Dividing at every bar cost a second division per bar; dividing only when a
// bar deepens the drawdown (a threshold test, as maxDrawdown does) mispredicts, since with
// W1's commissions equity decays and about one bar in seven is a new deepest drawdown.
//
// Ruin, checked after the fact: a segment is marked without the per-bar ruin test, and marked
// again bar by bar (markExact) only if a lane in a position ended it with its lowest equity at
// or below zero, or with a drawdown of at least 1 closed by a later peak (the caller's test).
// Fewer live vectors in the common loop keep V8 from spilling them.
import { ld, st } from "../memory";
import { EXIT_RUIN } from "../layout";
import { accountClose, A_CASH, A_UNITS, A_RUINED } from "./account";

// @ts-ignore: decorator
@inline export function lanes(a: f64, b: f64): v128 {
  return f64x2.replace_lane(f64x2.splat(a), 1, b);
}

// @ts-ignore: decorator
@inline export function lane(v: v128, i: i32): f64 {
  return i == 0 ? f64x2.extract_lane(v, 0) : f64x2.extract_lane(v, 1);
}

// @ts-ignore: decorator
@inline export function maskLane(v: v128, i: i32): bool {
  return (i == 0 ? i64x2.extract_lane(v, 0) : i64x2.extract_lane(v, 1)) != 0;
}

// Pass 2's state for a pair of lanes, one v128 each, at these byte offsets of a state block.
export const S_CASH: i32 = 0;
export const S_UNITS: i32 = 16;
export const S_PEAK: i32 = 32;
export const S_LOW: i32 = 48; // the lowest equity since the peak
export const S_DD: i32 = 64; // the deepest drawdown of the peaks before the current one
export const S_SUM_R: i32 = 80;
export const S_SUM_R2: i32 = 96;
export const S_SUM_N2: i32 = 112;
export const S_PREV: i32 = 128;
export const STATE_BYTES: i32 = 144;

/**
 * accMark for bars [from, to) of a segment, both lanes, from state block src into dst, without
 * the test for ruin (see markExact). Positions do not change within a segment.
 *
 * The drawdown: smaCross takes the maximum over bars of fl(fl(peak - e) / peak). While the peak
 * stays, that quotient only grows as e falls, so its maximum under one peak is at the lowest
 * equity under that peak. A new peak closes the old one's drawdown with one division; the
 * current one is closed at the end. Same bits, and one division per bar instead of two.
 */
export function markFast(bars: usize, from: i32, to: i32, src: usize, dst: usize): void {
  const zero = f64x2.splat(0);
  const one = f64x2.splat(1.0);
  const cash = v128.load(src, S_CASH);
  const units = v128.load(src, S_UNITS);
  let peak = v128.load(src, S_PEAK);
  let low = v128.load(src, S_LOW);
  let sumR = v128.load(src, S_SUM_R);
  let sumR2 = v128.load(src, S_SUM_R2);
  let sumN2 = v128.load(src, S_SUM_N2);
  let prev = v128.load(src, S_PREV);
  v128.store(dst, v128.load(src, S_DD), S_DD);
  const end = bars + (<usize>to << 4);
  for (let at = bars + (<usize>from << 4); at < end; at += 16) {
    const e = f64x2.add(cash, f64x2.mul(units, v128.load64_splat(at)));
    const higher = f64x2.gt(e, peak);
    if (v128.any_true(higher)) {
      v128.store(dst, f64x2.pmax(v128.load(dst, S_DD), f64x2.div(f64x2.sub(peak, low), peak)), S_DD);
      peak = f64x2.pmax(peak, e); // if (e > peak) peak = e
      low = v128.bitselect(e, low, higher);
    }
    low = f64x2.pmin(low, e); // if (e < low) low = e
    // barReturn: e == prev ? 0 : e / prev - 1
    const r = v128.bitselect(zero, f64x2.sub(f64x2.div(e, prev), one), f64x2.eq(e, prev));
    sumR = f64x2.add(sumR, r);
    sumR2 = f64x2.add(sumR2, f64x2.mul(r, r));
    const m = f64x2.pmin(r, zero); // r < 0 ? r : 0 (r is never NaN here)
    sumN2 = f64x2.add(sumN2, f64x2.mul(m, m));
    prev = e;
  }
  v128.store(dst, cash, S_CASH);
  v128.store(dst, units, S_UNITS);
  v128.store(dst, peak, S_PEAK);
  v128.store(dst, low, S_LOW);
  v128.store(dst, sumR, S_SUM_R);
  v128.store(dst, sumR2, S_SUM_R2);
  v128.store(dst, sumN2, S_SUM_N2);
  v128.store(dst, prev, S_PREV);
}

/**
 * markFast with accMark's ruin: equity at or below zero in a position liquidates at that close
 * and ends trading for the lane (lane state LA, LB). Run on the rare segments where a held
 * lane's equity reached zero. (One function with a flag for the ruin test measured 10% slower:
 * V8 then allocates the common loop's registers for both.)
 */
export function markExact(bars: usize, from: i32, to: i32, src: usize, dst: usize, LA: usize, LB: usize): void {
  const zero = f64x2.splat(0);
  const one = f64x2.splat(1.0);
  let cash = v128.load(src, S_CASH);
  let units = v128.load(src, S_UNITS);
  let peak = v128.load(src, S_PEAK);
  let low = v128.load(src, S_LOW);
  let sumR = v128.load(src, S_SUM_R);
  let sumR2 = v128.load(src, S_SUM_R2);
  let sumN2 = v128.load(src, S_SUM_N2);
  let prev = v128.load(src, S_PREV);
  v128.store(dst, v128.load(src, S_DD), S_DD);
  for (let t = from; t < to; t++) {
    const cv = v128.load64_splat(bars + (<usize>t << 4));
    let e = f64x2.add(cash, f64x2.mul(units, cv));
    const higher = f64x2.gt(e, peak);
    if (v128.any_true(higher)) {
      v128.store(dst, f64x2.pmax(v128.load(dst, S_DD), f64x2.div(f64x2.sub(peak, low), peak)), S_DD);
      peak = f64x2.pmax(peak, e);
      low = v128.bitselect(e, low, higher);
    }
    // A lane holds a position exactly when its units are not 0.
    const ruin = v128.andnot(f64x2.ne(units, zero), f64x2.gt(e, zero));
    if (v128.any_true(ruin)) {
      for (let i = 0; i < 2; i++) {
        if (!maskLane(ruin, i)) continue;
        const L = i == 0 ? LA : LB;
        accountClose(L, lane(cv, i), t, EXIT_RUIN);
        st(L, A_RUINED, 1.0);
        const ei = ld(L, A_CASH);
        e = i == 0 ? f64x2.replace_lane(e, 0, ei) : f64x2.replace_lane(e, 1, ei);
      }
      cash = lanes(ld(LA, A_CASH), ld(LB, A_CASH));
      units = lanes(ld(LA, A_UNITS), ld(LB, A_UNITS));
    }
    low = f64x2.pmin(low, e);
    const r = v128.bitselect(zero, f64x2.sub(f64x2.div(e, prev), one), f64x2.eq(e, prev));
    sumR = f64x2.add(sumR, r);
    sumR2 = f64x2.add(sumR2, f64x2.mul(r, r));
    const m = f64x2.pmin(r, zero);
    sumN2 = f64x2.add(sumN2, f64x2.mul(m, m));
    prev = e;
  }
  v128.store(dst, cash, S_CASH);
  v128.store(dst, units, S_UNITS);
  v128.store(dst, peak, S_PEAK);
  v128.store(dst, low, S_LOW);
  v128.store(dst, sumR, S_SUM_R);
  v128.store(dst, sumR2, S_SUM_R2);
  v128.store(dst, sumN2, S_SUM_N2);
  v128.store(dst, prev, S_PREV);
}

