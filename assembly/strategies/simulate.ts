// The generic simulator (SPEC sections 2 and 9): a strategy module's signals, as a target
// position per bar with optional stop and take distances, run through the account of section 2.
// Twin: src/kernels/strategies/simulate.ts.
import { ld, st } from "../memory";
import { OK, E_LENGTH, E_PARAM, E_STOPPED } from "../status";
import { shouldStop } from "../host";
import {
  CFG_FILL, CFG_SHORTS, CFG_SIZING, FILL_CLOSE, SIZING_RISK, MET_LENGTH, EXIT_SIGNAL, EXIT_REVERSAL, SIM_ROW,
} from "../layout";
import {
  accountInit, accountOrder, accountCheckStops, accountMarkRun, accountFinish, accountFirstSignal, A_DIR, A_STOP,
  A_TARGET, A_RISK_PER_TRADE, A_SIZE_SCALE, A_SLOTS,
} from "./account";
import { markPairRun } from "./simulate-pair";


// A lane: an account block followed by the simulator's own state for one input.
const L_PENDING: i32 = A_SLOTS; // 1 = a fill is due at the next bar's open
const L_PENDING_DIR: i32 = A_SLOTS + 1;
const L_PENDING_SCALE: i32 = A_SLOTS + 2;
const L_PENDING_STOP: i32 = A_SLOTS + 3;
const L_PENDING_TAKE: i32 = A_SLOTS + 4;
const L_TARGET: i32 = A_SLOTS + 5; // addresses of the input's series (0 = none)
const L_STOP: i32 = A_SLOTS + 6;
const L_TAKE: i32 = A_SLOTS + 7;
const LANE_BYTES: i32 = (A_SLOTS + 8) * 8;

// Two lanes: simulate uses the first, simulateBatch both.
const LANES: usize = memory.data(2 * LANE_BYTES, 16);

// What every lane of one call shares: the bars and the rules.
let gOpen: usize = 0;
let gHigh: usize = 0;
let gLow: usize = 0;
let gClose: usize = 0;
let gN: i32 = 0;
let gFrom: i32 = 0; // the first bar whose target is read
let gLast: i32 = 0; // the last one (n - 2)
let gCloseFill = false;
let gShorts = false;

// The direction a target asks for.
// @ts-ignore: decorator
@inline function directionOf(x: f64, shorts: bool): i32 {
  return x > 0 ? 1 : x < 0 && shorts ? -1 : 0;
}

function setBars(open: usize, high: usize, low: usize, close: usize, n: i32, cfg: usize): void {
  gOpen = open;
  gHigh = high;
  gLow = low;
  gClose = close;
  gN = n;
  gLast = n - 2;
  gCloseFill = <i32>ld(cfg, CFG_FILL) == FILL_CLOSE;
  gShorts = ld(cfg, CFG_SHORTS) != 0;
}

function laneInit(L: usize, cfg: usize, target: usize, stop: usize, take: usize, riskPerTrade: f64, equity: usize, trades: usize, tradesCap: i32): void {
  accountInit(L, cfg, equity, trades, tradesCap);
  st(L, A_RISK_PER_TRADE, riskPerTrade);
  st(L, L_PENDING, 0);
  st(L, L_TARGET, <f64>target);
  st(L, L_STOP, <f64>stop);
  st(L, L_TAKE, <f64>take);
  gFrom = accountFirstSignal(L, 0); // the window's first bar (next-open) or the one after (close)
}

/** Bar t of lane L before its mark: the fill due, the stops, the signal. E_PARAM for a target outside [-1, 1]. */
function laneAct(L: usize, t: i32): i32 {
  if (ld(L, L_PENDING) != 0) {
    const d = <i32>ld(L, L_PENDING_DIR);
    st(L, A_SIZE_SCALE, ld(L, L_PENDING_SCALE));
    accountOrder(L, d, ld(gOpen, t), t, d != 0 ? EXIT_REVERSAL : EXIT_SIGNAL, ld(L, L_PENDING_STOP), ld(L, L_PENDING_TAKE));
    st(L, L_PENDING, 0);
  }
  if (ld(L, A_DIR) != 0) accountCheckStops(L, ld(gOpen, t), ld(gHigh, t), ld(gLow, t), t);
  if (t >= gFrom && t <= gLast) {
    const x = ld(<usize>ld(L, L_TARGET), t);
    if (x == x) {
      if (!(x >= -1.0 && x <= 1.0)) return E_PARAM;
      const d = directionOf(x, gShorts);
      if (d != <i32>ld(L, A_DIR)) {
        const stop = <usize>ld(L, L_STOP);
        const take = <usize>ld(L, L_TAKE);
        const sd = stop != 0 ? ld(stop, t) : NaN;
        const td = take != 0 ? ld(take, t) : NaN;
        if (gCloseFill) {
          st(L, A_SIZE_SCALE, abs(x));
          accountOrder(L, d, ld(gClose, t), t, d != 0 ? EXIT_REVERSAL : EXIT_SIGNAL, sd, td);
        } else {
          st(L, L_PENDING, 1);
          st(L, L_PENDING_DIR, <f64>d);
          st(L, L_PENDING_SCALE, abs(x));
          st(L, L_PENDING_STOP, sd);
          st(L, L_PENDING_TAKE, td);
        }
      }
    }
  }
  return OK;
}

/**
 * The first bar from t on where lane L acts (laneAct; n when none): before it every bar is
 * quiet, marked with the position unchanged. A bar is not quiet when a fill is due, when a held
 * position's stop or target level is touched (the tests of accountCheckStops), or when its
 * target (read on bars [from, last]) asks for another direction or is out of range.
 */
function laneQuiet(L: usize, t: i32): i32 {
  if (ld(L, L_PENDING) != 0) return t;
  const held = <i32>ld(L, A_DIR);
  const target = <usize>ld(L, L_TARGET);
  const readEnd = gLast + 1 < gN ? gLast + 1 : gN;
  if (held != 0) {
    const stop = ld(L, A_STOP);
    const take = ld(L, A_TARGET);
    if (!(isNaN(stop) && isNaN(take))) {
      // A watched position: the levels on every bar, the targets where they are read.
      for (let j = t; j < gN; j++) {
        const h = ld(gHigh, j);
        const l = ld(gLow, j);
        if (held > 0 ? l <= stop || h >= take : h >= stop || l <= take) return j;
        if (j >= gFrom && j < readEnd) {
          const x = ld(target, j);
          if (x == x && (!(x >= -1.0 && x <= 1.0) || directionOf(x, gShorts) != held)) return j;
        }
      }
      return gN;
    }
  }
  let j = t > gFrom ? t : gFrom;
  while (j < readEnd) {
    // Two targets at a time while both keep what is held (NaN), then the exact test.
    if (j + 1 < readEnd) {
      const v = v128.load(target + (<usize>j << 3));
      if (i64x2.bitmask(f64x2.ne(v, v)) == 3) {
        j += 2;
        continue;
      }
    }
    const x = ld(target, j);
    if (x == x && (!(x >= -1.0 && x <= 1.0) || directionOf(x, gShorts) != held)) return j;
    j++;
  }
  return gN;
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
 * Bars where nothing can trade (laneQuiet) are marked as one run of accountMarkRun: the same
 * arithmetic as bar by bar, with the account's state in locals.
 */
export function simulate(
  open: usize, high: usize, low: usize, close: usize, n: i32, target: usize, stop: usize,
  take: usize, riskPerTrade: f64, cfg: usize, out: usize, equity: usize, trades: usize, tradesCap: i32,
): i32 {
  if (n < 1) return E_LENGTH;
  if (<i32>ld(cfg, CFG_SIZING) == SIZING_RISK && !(riskPerTrade >= 0 && riskPerTrade < Infinity)) return E_PARAM;
  setBars(open, high, low, close, n, cfg);
  const L = LANES;
  laneInit(L, cfg, target, stop, take, riskPerTrade, equity, trades, tradesCap);
  let t = 0;
  while (t < n) {
    const status = laneAct(L, t);
    if (status != OK) return status;
    accountMarkRun(L, close + (<usize>t << 3), 0, t, t + 1);
    t++;
    const q = laneQuiet(L, t);
    if (q > t) {
      accountMarkRun(L, close + (<usize>t << 3), 0, t, q);
      t = q;
    }
  }
  accountFinish(L, n, ld(close, n - 1), out);
  return OK;
}

/**
 * Two inputs side by side, each exactly as simulate runs it: on a bar where a lane is not quiet
 * it acts (laneAct: fills, stops, signal), and then both lanes mark that bar and the quiet bars
 * after it, up to the next bar where either acts, together (markPairRun: accountMarkRun's
 * arithmetic per lane, one lane per f64x2 half). A lane's mark comes after its own fills, as in
 * simulate; a lane that does not act on a bar only marks it.
 */
function simulatePair(cfg: usize, rowA: usize, rowB: usize, outA: usize, outB: usize): i32 {
  const LA = LANES;
  const LB = LANES + <usize>LANE_BYTES;
  laneInit(LA, cfg, <usize>ld(rowA, 0), <usize>ld(rowA, 1), <usize>ld(rowA, 2), ld(rowA, 3), 0, 0, 0);
  laneInit(LB, cfg, <usize>ld(rowB, 0), <usize>ld(rowB, 1), <usize>ld(rowB, 2), ld(rowB, 3), 0, 0, 0);
  const n = gN;
  let qA = 0; // the next bar where a lane acts
  let qB = 0;
  let t = 0;
  while (t < n) {
    if (qA == t) {
      const status = laneAct(LA, t);
      if (status != OK) return status;
      qA = laneQuiet(LA, t + 1);
    }
    if (qB == t) {
      const status = laneAct(LB, t);
      if (status != OK) return status;
      qB = laneQuiet(LB, t + 1);
    }
    const to = qA < qB ? qA : qB;
    markPairRun(LA, LB, gClose, t, to);
    t = to;
  }
  const lastClose = ld(gClose, n - 1);
  accountFinish(LA, n, lastClose, outA);
  accountFinish(LB, n, lastClose, outB);
  return OK;
}

/**
 * simulate for count inputs into count * MET_LENGTH metrics, two at a time (simulatePair; an
 * odd last one alone). `table` holds count rows of SIM_ROW f64: the addresses of the row's
 * target, stop and take series (n f64 each; 0 = none) and its riskPerTrade. Asks the host
 * between pairs whether to stop.
 */
export function simulateBatch(
  open: usize, high: usize, low: usize, close: usize, n: i32, table: usize, count: i32, cfg: usize, out: usize,
): i32 {
  if (n < 1) return E_LENGTH;
  const risk = <i32>ld(cfg, CFG_SIZING) == SIZING_RISK;
  for (let g = 0; g < count; g++) {
    const r = ld(table + <usize>(g * SIM_ROW) * 8, 3);
    if (risk && !(r >= 0 && r < Infinity)) return E_PARAM;
  }
  setBars(open, high, low, close, n, cfg);
  let g = 0;
  for (; g + 1 < count; g += 2) {
    if (shouldStop()) return E_STOPPED;
    const rowA = table + <usize>(g * SIM_ROW) * 8;
    const status = simulatePair(cfg, rowA, rowA + <usize>SIM_ROW * 8, out + <usize>(g * MET_LENGTH) * 8, out + <usize>((g + 1) * MET_LENGTH) * 8);
    if (status != OK) return status;
  }
  if (g < count) {
    if (shouldStop()) return E_STOPPED;
    const row = table + <usize>(g * SIM_ROW) * 8;
    return simulate(
      open, high, low, close, n, <usize>ld(row, 0), <usize>ld(row, 1), <usize>ld(row, 2), ld(row, 3), cfg,
      out + <usize>(g * MET_LENGTH) * 8, 0, 0, 0,
    );
  }
  return OK;
}
