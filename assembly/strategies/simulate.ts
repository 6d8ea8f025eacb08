// The generic simulator (SPEC sections 2 and 9): a strategy module's signals, as a target
// position per bar with optional stop and take distances, run through the account of section 2.
// Twin: src/kernels/strategies/simulate.ts.
import { ld, st } from "../memory";
import { OK, E_LENGTH, E_PARAM, E_STOPPED } from "../status";
import { shouldStop } from "../host";
import {
  CFG_FILL, CFG_SHORTS, CFG_SIZING, FILL_CLOSE, SIZING_RISK, MET_LENGTH, EXIT_SIGNAL, EXIT_REVERSAL,
} from "../layout";
import {
  accountInit, accountOrder, accountCheckStops, accountMarkRun, accountFinish, accountFirstSignal, A_BYTES, A_DIR, A_STOP, A_TARGET, A_RISK_PER_TRADE, A_SIZE_SCALE,
} from "./account";

/** One row of simulateBatch's input table (f64 each): addresses of target, stop and take, then riskPerTrade. */
export const SIM_ROW: i32 = 4;

// The simulator's account block.
const SIM: usize = memory.data(A_BYTES, 16);

// The direction a target asks for.
// @ts-ignore: decorator
@inline function directionOf(x: f64, shorts: bool): i32 {
  return x > 0 ? 1 : x < 0 && shorts ? -1 : 0;
}

/**
 * Runs target[t] (decided at bar t's close, in [-1, 1], NaN = keep) over bars [0, n):
 * - the sign is the direction (a negative target goes flat when CFG_SHORTS is 0), |target|
 *   scales the size of the position it opens (fraction x |target|, or riskPerTrade x |target|);
 * - a target whose direction is the one held is ignored (no resizing); 0 goes flat; a reversal
 *   closes and opens at the same fill (exit reason `reversal`);
 * - the fill is open[t + 1] (next-open) or close[t] (close); targets are read for
 *   t <= n - 2, from the window's origin o (CFG_ORIGIN; 0 without warm-up) with next-open
 *   fills, o + 1 with close fills (E[o] stays the cash); targets before that are ignored;
 * - stop[t] and take[t] (0 = no series) are price distances from the entry fill, taken at the
 *   signal bar; NaN or <= 0 = none. The levels are checked on every bar from the fill bar on
 *   (SPEC section 2: a gap fills at the open, the stop wins a tie). With `risk` sizing the
 *   stop distance drives the units (none counts as 0: the minPriceRisk floor and the
 *   leverage cap decide).
 * Writes MET_LENGTH metrics to out; equity (n values) and trades (at most tradesCap) when their
 * addresses are not 0. E_PARAM for a target outside [-1, 1] or, with risk sizing, a
 * riskPerTrade that is not a finite number >= 0.
 *
 * Bars where nothing can trade (no fill due, no stop or target level to watch, and no target
 * that asks for another direction) are marked as one run of accountMarkRun: the same arithmetic
 * as bar by bar, with the account's state in locals.
 */
export function simulate(
  open: usize, high: usize, low: usize, close: usize, n: i32, target: usize, stop: usize,
  take: usize, riskPerTrade: f64, cfg: usize, out: usize, equity: usize, trades: usize, tradesCap: i32,
): i32 {
  if (n < 1) return E_LENGTH;
  if (<i32>ld(cfg, CFG_SIZING) == SIZING_RISK && !(riskPerTrade >= 0 && riskPerTrade < Infinity)) return E_PARAM;
  const closeFill = <i32>ld(cfg, CFG_FILL) == FILL_CLOSE;
  const shorts = ld(cfg, CFG_SHORTS) != 0;
  const a = SIM;
  accountInit(a, cfg, equity, trades, tradesCap);
  st(a, A_RISK_PER_TRADE, riskPerTrade);
  const from = accountFirstSignal(a, 0); // the window's first bar (next-open) or the one after (close)
  const last = n - 2;
  let pending = false;
  let pendingDir = 0;
  let pendingScale: f64 = 1;
  let pendingStop: f64 = 0;
  let pendingTake: f64 = 0;
  let t = 0;
  while (t < n) {
    // Bar t: the fill due, the stops, the signal, the mark.
    if (pending) {
      st(a, A_SIZE_SCALE, pendingScale);
      accountOrder(a, pendingDir, ld(open, t), t, pendingDir != 0 ? EXIT_REVERSAL : EXIT_SIGNAL, pendingStop, pendingTake);
      pending = false;
    }
    if (ld(a, A_DIR) != 0) accountCheckStops(a, ld(open, t), ld(high, t), ld(low, t), t);
    if (t >= from && t <= last) {
      const x = ld(target, t);
      if (x == x) {
        if (!(x >= -1.0 && x <= 1.0)) return E_PARAM;
        const d = directionOf(x, shorts);
        if (d != <i32>ld(a, A_DIR)) {
          const scale = abs(x);
          const sd = stop != 0 ? ld(stop, t) : NaN;
          const td = take != 0 ? ld(take, t) : NaN;
          if (closeFill) {
            st(a, A_SIZE_SCALE, scale);
            accountOrder(a, d, ld(close, t), t, d != 0 ? EXIT_REVERSAL : EXIT_SIGNAL, sd, td);
          } else {
            pending = true;
            pendingDir = d;
            pendingScale = scale;
            pendingStop = sd;
            pendingTake = td;
          }
        }
      }
    }
    accountMarkRun(a, close + (<usize>t << 3), 0, t, t + 1);
    t++;
    // Then the quiet bars after it, if any, as one run.
    if (pending) continue;
    const held = <i32>ld(a, A_DIR);
    if (held != 0 && !(isNaN(ld(a, A_STOP)) && isNaN(ld(a, A_TARGET)))) continue;
    // Targets are read on bars [from, last] only: the run ends at the first one there that asks
    // for another direction (or is out of range), else at the last bar.
    let j = t > from ? t : from;
    const readEnd = last + 1 < n ? last + 1 : n;
    while (j < readEnd) {
      const x = ld(target, j);
      if (x == x && (!(x >= -1.0 && x <= 1.0) || directionOf(x, shorts) != held)) break;
      j++;
    }
    if (j >= readEnd) j = n;
    if (j > t) {
      accountMarkRun(a, close + (<usize>t << 3), 0, t, j);
      t = j;
    }
  }
  accountFinish(a, n, ld(close, n - 1), out);
  return OK;
}

/**
 * simulate for count inputs into count * MET_LENGTH metrics. `table` holds count rows of
 * SIM_ROW f64: the addresses of the row's target, stop and take series (n f64 each; 0 = none)
 * and its riskPerTrade. Asks the host between inputs whether to stop.
 */
export function simulateBatch(
  open: usize, high: usize, low: usize, close: usize, n: i32, table: usize, count: i32, cfg: usize, out: usize,
): i32 {
  if (n < 1) return E_LENGTH;
  for (let g = 0; g < count; g++) {
    if (shouldStop()) return E_STOPPED;
    const row = table + <usize>(g * SIM_ROW) * 8;
    const st = simulate(
      open, high, low, close, n, <usize>ld(row, 0), <usize>ld(row, 1), <usize>ld(row, 2), ld(row, 3), cfg,
      out + <usize>(g * MET_LENGTH) * 8, 0, 0, 0,
    );
    if (st != OK) return st;
  }
  return OK;
}
