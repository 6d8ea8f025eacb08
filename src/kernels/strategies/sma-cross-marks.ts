// Family `sma-cross`, the batch kernel's pass 2 (sma-cross-batch.ts): marking to market between
// the genome's events, where its position cannot change but by ruin.
// Twin: assembly/strategies/sma-cross-marks.ts.
import { EXIT_RUIN } from '../layout.js';
import type { Account } from './account.js';
import { accountClose, A_CASH, A_RUINED } from './account.js';

// Pass 2's state for one genome, at these slots of a state block (the WASM twin keeps one v128
// per slot, for its two lanes).
export const S_CASH = 0;
export const S_UNITS = 1;
export const S_PEAK = 2;
export const S_LOW = 3; // the lowest equity since the peak
export const S_DD = 4; // the deepest drawdown of the peaks before the current one
export const S_SUM_R = 5;
export const S_SUM_R2 = 6;
export const S_SUM_N2 = 7;
export const S_PREV = 8;
export const S_SLOTS = 9;
export const STATE_BYTES = 144; // the WASM twin's block: S_SLOTS v128

/**
 * accMark for bars [from, to) of a segment, from state block src into dst. The position does
 * not change within a segment, except by ruin: equity at or below zero in a position
 * liquidates at that close and ends trading (lane state L). Only with `ruin` set is that
 * tested; the caller marks a segment again with it when held equity reached zero. (The WASM
 * twin keeps the two modes as two functions, markFast and markExact: one loop with a flag
 * measured slower there.)
 *
 * The drawdown: smaCross takes the maximum over bars of fl(fl(peak - e) / peak). While the peak
 * stays, that quotient only grows as e falls, so its maximum under one peak is at the lowest
 * equity under that peak. A new peak closes the old one's drawdown with one division; the
 * current one is closed at the end.
 */
export function mark(bars: Float64Array, from: number, to: number, src: Float64Array, dst: Float64Array, ruin: boolean, L: Account): void {
  let cash = src[S_CASH]!;
  let units = src[S_UNITS]!;
  let peak = src[S_PEAK]!;
  let low = src[S_LOW]!;
  let sumR = src[S_SUM_R]!;
  let sumR2 = src[S_SUM_R2]!;
  let sumN2 = src[S_SUM_N2]!;
  let prev = src[S_PREV]!;
  dst[S_DD] = src[S_DD]!;
  for (let t = from; t < to; t++) {
    const c = bars[2 * t]!;
    let e = cash + units * c;
    if (e > peak) {
      const d = (peak - low) / peak;
      if (d > dst[S_DD]!) dst[S_DD] = d;
      peak = e;
      low = e;
    }
    // A lane holds a position exactly when its units are not 0.
    if (ruin && units !== 0 && !(e > 0)) {
      accountClose(L, c, t, EXIT_RUIN);
      L.s[A_RUINED] = 1.0;
      e = L.s[A_CASH]!;
      cash = e;
      units = 0;
    }
    if (e < low) low = e;
    const r = e === prev ? 0.0 : e / prev - 1.0;
    sumR = sumR + r;
    sumR2 = sumR2 + r * r;
    const m = r < 0 ? r : 0.0;
    sumN2 = sumN2 + m * m;
    prev = e;
  }
  dst[S_CASH] = cash;
  dst[S_UNITS] = units;
  dst[S_PEAK] = peak;
  dst[S_LOW] = low;
  dst[S_SUM_R] = sumR;
  dst[S_SUM_R2] = sumR2;
  dst[S_SUM_N2] = sumN2;
  dst[S_PREV] = prev;
}

