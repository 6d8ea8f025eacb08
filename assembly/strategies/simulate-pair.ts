// The generic simulator's marking of two lanes at once (simulate.ts's simulatePair): bars where
// neither lane can trade, one lane per f64x2 half.
// Twin: src/kernels/strategies/simulate-pair.ts (accountMarkRun per lane: the bits this gives).
import { ld, st } from "../memory";
import {
  accountMarkRun, A_CASH, A_UNITS, A_DIR, A_SUM_R, A_SUM_R2, A_SUM_NEG2, A_PREV, A_PEAK, A_LOW, A_DRAWDOWN, A_ORIGIN,
} from "./account";

// The deepest drawdown of the lanes' earlier peaks, kept in memory: in a local it would be one
// vector too many for V8's registers in the loop (see sma-cross-marks.ts's markFast).
const DD: usize = memory.data(16, 16);

// @ts-ignore: decorator
@inline function pair(LA: usize, LB: usize, slot: i32): v128 {
  return f64x2.replace_lane(f64x2.splat(ld(LA, slot)), 1, ld(LB, slot));
}

// @ts-ignore: decorator
@inline function unpair(LA: usize, LB: usize, slot: i32, v: v128): void {
  st(LA, slot, f64x2.extract_lane(v, 0));
  st(LB, slot, f64x2.extract_lane(v, 1));
}

/**
 * accountMarkRun(L, close, 0, from, to) for lanes LA and LB, whose positions do not change on
 * bars [from, to) but by ruin, and which write no equity series (simulateBatch's lanes). Each
 * half of every vector operation is the scalar operation of accountMarkRun on that lane:
 * - barReturn as a select of 0 (e == prev) or e / prev - 1; the downside term r < 0 ? r : 0
 *   (the same as keepIf but for a NaN r, which the test after the run sends to the scalar);
 * - a new peak (e > peak) closes the old one's drawdown, (peak - low) / peak, kept when deeper;
 * - the lowest equity since the peak, as a select.
 * The window's first bar (origin) sets the lanes' first equity: a run over it starts with the
 * scalar mark. Ruin (equity at or below zero, or NaN, while in a position) is not tested bar by
 * bar but after the run, as sma-cross-marks.ts's markFast does: when a held lane's equity went
 * to zero or below (or any NaN appeared), the run is marked again by accountMarkRun, lane by
 * lane, from the state it started with (still in the blocks: nothing is stored before).
 */
export function markPairRun(LA: usize, LB: usize, close: usize, from: i32, to: i32): void {
  const first = <i32>ld(LA, A_ORIGIN) + 1;
  if (from < first) {
    const end = to < first ? to : first;
    accountMarkRun(LA, close + (<usize>from << 3), 0, from, end);
    accountMarkRun(LB, close + (<usize>from << 3), 0, from, end);
    from = end;
    if (from >= to) return;
  }
  const zero = f64x2.splat(0);
  const one = f64x2.splat(1.0);
  const cash = pair(LA, LB, A_CASH);
  const units = pair(LA, LB, A_UNITS);
  let sumR = pair(LA, LB, A_SUM_R);
  let sumR2 = pair(LA, LB, A_SUM_R2);
  let sumN2 = pair(LA, LB, A_SUM_NEG2);
  let prev = pair(LA, LB, A_PREV);
  let peak = pair(LA, LB, A_PEAK);
  let low = pair(LA, LB, A_LOW);
  v128.store(DD, pair(LA, LB, A_DRAWDOWN));
  const end = close + (<usize>to << 3);
  for (let at = close + (<usize>from << 3); at < end; at += 8) {
    const e = f64x2.add(cash, f64x2.mul(units, v128.load64_splat(at)));
    // barReturn: e == prev ? 0 : e / prev - 1
    const r = v128.bitselect(zero, f64x2.sub(f64x2.div(e, prev), one), f64x2.eq(e, prev));
    sumR = f64x2.add(sumR, r);
    sumR2 = f64x2.add(sumR2, f64x2.mul(r, r));
    const m = f64x2.pmin(r, zero);
    sumN2 = f64x2.add(sumN2, f64x2.mul(m, m));
    prev = e;
    const higher = f64x2.gt(e, peak);
    if (v128.any_true(higher)) {
      const d = f64x2.div(f64x2.sub(peak, low), peak);
      const drawdown = v128.load(DD);
      v128.store(DD, v128.bitselect(d, drawdown, v128.and(higher, f64x2.gt(d, drawdown))));
      peak = v128.bitselect(e, peak, higher);
      low = v128.bitselect(e, low, higher);
    }
    low = f64x2.pmin(low, e);
  }
  // Ruin: a held lane's equity at or below zero (its lowest since the peak, or a peak after it,
  // which makes a drawdown of at least 1); or a NaN anywhere (sumR), where the halves' selects
  // and the scalar's differ.
  const held = f64x2.ne(pair(LA, LB, A_DIR), zero);
  const ruin = v128.andnot(held, v128.and(f64x2.gt(low, zero), f64x2.lt(v128.load(DD), one)));
  if (v128.any_true(v128.or(ruin, f64x2.ne(sumR, sumR)))) {
    accountMarkRun(LA, close + (<usize>from << 3), 0, from, to);
    accountMarkRun(LB, close + (<usize>from << 3), 0, from, to);
    return;
  }
  unpair(LA, LB, A_SUM_R, sumR);
  unpair(LA, LB, A_SUM_R2, sumR2);
  unpair(LA, LB, A_SUM_NEG2, sumN2);
  unpair(LA, LB, A_PREV, prev);
  unpair(LA, LB, A_PEAK, peak);
  unpair(LA, LB, A_LOW, low);
  unpair(LA, LB, A_DRAWDOWN, v128.load(DD));
}
