// The generic simulator's marking of two lanes at once (simulate.ts's simulatePair): bars where
// neither lane can trade. Twin: assembly/strategies/simulate-pair.ts, which runs one lane per
// f64x2 half; here each lane's operations are the same scalar ones, in the same order.
import {
  accountMarkRun, type Account, A_CASH, A_UNITS, A_DIR, A_SUM_R, A_SUM_R2, A_SUM_NEG2, A_PREV, A_PEAK, A_LOW, A_DRAWDOWN, A_ORIGIN,
} from './account.js';

/** One lane's marks over bars [from, to) of a run (the twin's vector halves); true when ruin may have happened. */
function markLane(s: Float64Array, close: Float64Array, from: number, to: number, out: Float64Array): boolean {
  const cash = s[A_CASH]!;
  const units = s[A_UNITS]!;
  let sumR = s[A_SUM_R]!;
  let sumR2 = s[A_SUM_R2]!;
  let sumN2 = s[A_SUM_NEG2]!;
  let prev = s[A_PREV]!;
  let peak = s[A_PEAK]!;
  let low = s[A_LOW]!;
  let drawdown = s[A_DRAWDOWN]!;
  for (let t = from; t < to; t++) {
    const e = cash + units * close[t]!;
    // barReturn: e == prev ? 0 : e / prev - 1
    const r = e === prev ? 0 : e / prev - 1;
    sumR = sumR + r;
    sumR2 = sumR2 + r * r;
    const m = 0 < r ? 0 : r; // f64x2.pmin(r, 0)
    sumN2 = sumN2 + m * m;
    prev = e;
    if (e > peak) {
      const d = (peak - low) / peak;
      if (d > drawdown) drawdown = d;
      peak = e;
      low = e;
    }
    low = e < low ? e : low; // f64x2.pmin(low, e)
  }
  out[0] = sumR;
  out[1] = sumR2;
  out[2] = sumN2;
  out[3] = prev;
  out[4] = peak;
  out[5] = low;
  out[6] = drawdown;
  // Ruin: a held lane's lowest equity at or below zero, or a drawdown of at least 1 closed by a
  // later peak; or a NaN (sumR), where the twin's selects and the scalar mark differ.
  return (s[A_DIR] !== 0 && !(low > 0 && drawdown < 1)) || sumR !== sumR;
}

const RUN_A = new Float64Array(7);
const RUN_B = new Float64Array(7);
const SLOTS = [A_SUM_R, A_SUM_R2, A_SUM_NEG2, A_PREV, A_PEAK, A_LOW, A_DRAWDOWN];

/**
 * accountMarkRun(L, close, from, from, to) for lanes LA and LB, whose positions do not change on
 * bars [from, to) but by ruin, and which write no equity series (see the twin): the window's
 * first bar with the scalar mark, ruin tested after the run and, where it may have happened,
 * the run marked again by accountMarkRun from the state it started with.
 */
export function markPairRun(LA: Account, LB: Account, close: Float64Array, from: number, to: number): void {
  const first = (LA.s[A_ORIGIN]! | 0) + 1;
  if (from < first) {
    const end = to < first ? to : first;
    accountMarkRun(LA, close, from, from, end);
    accountMarkRun(LB, close, from, from, end);
    from = end;
    if (from >= to) return;
  }
  const ruinA = markLane(LA.s, close, from, to, RUN_A);
  const ruinB = markLane(LB.s, close, from, to, RUN_B);
  if (ruinA || ruinB) {
    accountMarkRun(LA, close, from, from, to);
    accountMarkRun(LB, close, from, from, to);
    return;
  }
  SLOTS.forEach((slot, i) => {
    LA.s[slot] = RUN_A[i]!;
    LB.s[slot] = RUN_B[i]!;
  });
}
