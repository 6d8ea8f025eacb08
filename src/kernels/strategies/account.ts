// The execution model of SPEC section 2, written once and shared by every kernel that trades (the
// fused kernels, the sma-cross batch, the generic simulator): one position at a time, fills with
// adverse slippage and commission on both sides, stops and targets, mark-to-market equity after
// fills, ruin, and the running sums the metrics of section 5 are made from.
//
// The state lives in an account block: A_SLOTS numbers in a Float64Array, beside the outputs
// (the WASM twin keeps A_SLOTS f64 at an address, output addresses included), so one kernel can
// run several accounts with the same code. The acc* functions at the end are the scalar account,
// on one block, with its position mirrored in exported variables for the kernels that read them.
// Twin: assembly/strategies/account.ts (same operations in the same order).
import {
  CFG_COMMISSION, CFG_SLIPPAGE, CFG_CASH, CFG_SIZING, CFG_FRACTION, CFG_LOT_SIZE,
  CFG_MAX_LEVERAGE, CFG_MIN_PRICE_RISK, CFG_PERIODS_PER_YEAR, CFG_ORIGIN, CFG_FILL, FILL_CLOSE, SIZING_RISK,
  MET_TOTAL_RETURN, MET_SHARPE, MET_SORTINO, MET_MAX_DRAWDOWN, MET_CALMAR, MET_TRADES,
  MET_WIN_RATE, MET_PROFIT_FACTOR, MET_EXPOSURE, MET_ANNUAL_RETURN,
  TR_ENTRY_BAR, TR_EXIT_BAR, TR_DIRECTION, TR_UNITS, TR_ENTRY_PRICE, TR_EXIT_PRICE, TR_PNL,
  TR_RETURN, TR_EXIT_REASON, TR_LENGTH, EXIT_END, EXIT_STOP, EXIT_TARGET, EXIT_RUIN,
} from '../layout.js';
import { unitsFraction, unitsRisk } from '../sizing/sizing.js';
import { barReturn, sharpeOf, sortinoOf, annualReturnOf, calmarOf } from '../metrics/metrics.js';

// The account block's slots (the WASM twin's, whose last four hold output addresses).
export const A_COMMISSION = 0;
export const A_SLIPPAGE = 1;
export const A_SIZING_RISK = 2; // 1 = risk sizing
export const A_FRACTION = 3;
export const A_LOT_SIZE = 4;
export const A_MAX_LEVERAGE = 5;
export const A_MIN_PRICE_RISK = 6;
export const A_RISK_PER_TRADE = 7;
export const A_SIZE_SCALE = 8; // scales fraction or riskPerTrade of the next opens (1 after init)
export const A_PERIODS_PER_YEAR = 9;
export const A_CASH = 10;
export const A_UNITS = 11;
export const A_DIR = 12;
export const A_ENTRY_BAR = 13;
export const A_STOP = 14; // NaN = none
export const A_TARGET = 15; // NaN = none
export const A_RUINED = 16;
export const A_ENTRY_EQUITY = 17;
export const A_ENTRY_PRICE = 18;
export const A_TRADES = 19;
export const A_WINS = 20;
export const A_GROSS_PROFIT = 21;
export const A_GROSS_LOSS = 22;
export const A_BARS = 23; // bars marked with a position, counted when it closes
export const A_SUM_R = 24;
export const A_SUM_R2 = 25;
export const A_SUM_NEG2 = 26;
export const A_FIRST = 27;
export const A_PREV = 28;
export const A_PEAK = 29;
export const A_LOW = 30; // the lowest equity since the peak
export const A_DRAWDOWN = 31; // the deepest drawdown of the peaks before the current one
export const A_TRADES_CAP = 34;
export const A_TRADES_DROPPED = 35;
// The window within the kernel's bars (CFG_ORIGIN): bar indices given to the account functions
// are the kernel's; records, the equity output and the metrics are the window's (from origin).
export const A_ORIGIN = 36;
export const A_CLOSE_FILL = 37; // 1 = close fills (the first signal bar is origin + 1)
export const A_SLOTS = 40;
export const A_BYTES = A_SLOTS * 8;

/** One account: its numbers and where it writes its equity curve and trade records (null = nowhere). */
export interface Account {
  s: Float64Array;
  equity: Float64Array | null;
  trades: Float64Array | null;
}

/** An account over block s (A_SLOTS values; a fresh one when not given). */
export function newAccount(s: Float64Array = new Float64Array(A_SLOTS)): Account {
  return { s, equity: null, trades: null };
}

/** Resets account a for a new window: options from cfg, the cash, outputs equity/trades (null = none). */
export function accountInit(
  a: Account, cfg: Float64Array, equity: Float64Array | null, trades: Float64Array | null, tradesCap: number,
): void {
  const s = a.s;
  s.fill(0, 0, A_SLOTS);
  s[A_COMMISSION] = cfg[CFG_COMMISSION]!;
  s[A_SLIPPAGE] = cfg[CFG_SLIPPAGE]!;
  s[A_SIZING_RISK] = (cfg[CFG_SIZING]! | 0) === SIZING_RISK ? 1.0 : 0.0;
  s[A_FRACTION] = cfg[CFG_FRACTION]!;
  s[A_LOT_SIZE] = cfg[CFG_LOT_SIZE]!;
  s[A_MAX_LEVERAGE] = cfg[CFG_MAX_LEVERAGE]!;
  s[A_MIN_PRICE_RISK] = cfg[CFG_MIN_PRICE_RISK]!;
  s[A_SIZE_SCALE] = 1.0;
  s[A_PERIODS_PER_YEAR] = cfg[CFG_PERIODS_PER_YEAR]!;
  s[A_CASH] = cfg[CFG_CASH]!;
  s[A_TRADES_CAP] = tradesCap;
  s[A_ORIGIN] = cfg[CFG_ORIGIN]!;
  s[A_CLOSE_FILL] = (cfg[CFG_FILL]! | 0) === FILL_CLOSE ? 1.0 : 0.0;
  a.equity = equity;
  a.trades = trades;
}

/**
 * The first bar at which a kernel may decide a signal (README "Windows and warm-up"): the
 * window's first bar (origin) with next-open fills, the one after it with close fills (the
 * window's first equity is its cash), and never before `lookback` (the first bar whose event
 * test has the bars it looks back on). Bars before the window only warm the indicators up.
 */
export function accountFirstSignal(a: Account, lookback: number): number {
  const first = (a.s[A_ORIGIN]! | 0) + (a.s[A_CLOSE_FILL]! | 0);
  return first > lookback ? first : lookback;
}

// A closed trade: its share of the metrics, its record (when wanted), and the bars it was held
// (marks from its entry bar up to heldTo, exclusive).
function recordTrade(a: Account, exitBar: number, exitPrice: number, pnl: number, reason: number, heldTo: number): void {
  const s = a.s;
  if (pnl > 0) {
    s[A_WINS] = s[A_WINS]! + 1.0;
    s[A_GROSS_PROFIT] = s[A_GROSS_PROFIT]! + pnl;
  } else if (pnl < 0) {
    s[A_GROSS_LOSS] = s[A_GROSS_LOSS]! - pnl;
  }
  const trades = s[A_TRADES]! | 0;
  const out = a.trades;
  if (out !== null) {
    if (trades < (s[A_TRADES_CAP]! | 0)) {
      const p = trades * TR_LENGTH;
      const origin = s[A_ORIGIN]!;
      out[p + TR_ENTRY_BAR] = s[A_ENTRY_BAR]! - origin;
      out[p + TR_EXIT_BAR] = exitBar - origin;
      out[p + TR_DIRECTION] = s[A_DIR]!;
      out[p + TR_UNITS] = s[A_UNITS]!;
      out[p + TR_ENTRY_PRICE] = s[A_ENTRY_PRICE]!;
      out[p + TR_EXIT_PRICE] = exitPrice;
      out[p + TR_PNL] = pnl;
      out[p + TR_RETURN] = pnl / s[A_ENTRY_EQUITY]!;
      out[p + TR_EXIT_REASON] = reason;
    } else {
      s[A_TRADES_DROPPED] = 1.0;
    }
  }
  s[A_TRADES] = trades + 1;
  s[A_BARS] = s[A_BARS]! + (heldTo - (s[A_ENTRY_BAR]! | 0));
}

/** Closes the open position at raw price x of bar t (slippage is applied against us). */
export function accountClose(a: Account, x: number, t: number, reason: number): void {
  const s = a.s;
  const slippage = s[A_SLIPPAGE]!;
  const units = s[A_UNITS]!;
  const px = s[A_DIR]! > 0 ? x * (1.0 - slippage) : x * (1.0 + slippage);
  let cash = s[A_CASH]!;
  cash = cash + units * px;
  cash = cash - s[A_COMMISSION]! * Math.abs(units * px);
  s[A_CASH] = cash;
  recordTrade(a, t, px, cash - s[A_ENTRY_EQUITY]!, reason, t);
  s[A_UNITS] = 0;
  s[A_DIR] = 0;
}

/**
 * Opens a position in direction d at raw price x of bar t. stopDistance and targetDistance are
 * price distances from the fill (NaN or <= 0 = no stop / no target); stopDistance also drives
 * `risk` sizing. Returns false when sizing gives no units (lot rounding, zero equity).
 */
export function accountOpen(a: Account, d: number, x: number, t: number, stopDistance: number, targetDistance: number): boolean {
  const s = a.s;
  const slippage = s[A_SLIPPAGE]!;
  const px = d > 0 ? x * (1.0 + slippage) : x * (1.0 - slippage);
  const eq = s[A_CASH]!;
  const lotSize = s[A_LOT_SIZE]!;
  const u = s[A_SIZING_RISK] !== 0
    ? unitsRisk(eq, px, stopDistance, s[A_RISK_PER_TRADE]! * s[A_SIZE_SCALE]!, s[A_MIN_PRICE_RISK]!, s[A_MAX_LEVERAGE]!, lotSize, d)
    : unitsFraction(eq, px, s[A_FRACTION]! * s[A_SIZE_SCALE]!, lotSize, d);
  if (!(u !== 0) || !Number.isFinite(u)) return false;
  let cash = eq - u * px;
  cash = cash - s[A_COMMISSION]! * Math.abs(u * px);
  s[A_CASH] = cash;
  s[A_ENTRY_EQUITY] = eq;
  s[A_ENTRY_PRICE] = px;
  s[A_ENTRY_BAR] = t;
  s[A_UNITS] = u;
  s[A_DIR] = d;
  s[A_STOP] = stopDistance > 0 ? (d > 0 ? px - stopDistance : px + stopDistance) : NaN;
  s[A_TARGET] = targetDistance > 0 ? (d > 0 ? px + targetDistance : px - targetDistance) : NaN;
  return true;
}

/** Moves to direction target at raw price x of bar t: closes what is held, opens the new side (unless ruined). */
export function accountOrder(
  a: Account, target: number, x: number, t: number, reason: number, stopDistance: number, targetDistance: number,
): void {
  if (a.s[A_DIR] !== 0) accountClose(a, x, t, reason);
  if (target !== 0 && a.s[A_RUINED] === 0) accountOpen(a, target, x, t, stopDistance, targetDistance);
}

/**
 * Stop-loss and take-profit against bar t (SPEC section 2): a gap through a level fills at the
 * open; the stop wins when both are touched. Returns whether the position was closed.
 */
export function accountCheckStops(a: Account, o: number, h: number, l: number, t: number): boolean {
  const s = a.s;
  const d = s[A_DIR]!;
  const stop = s[A_STOP]!;
  const target = s[A_TARGET]!;
  if (d > 0) {
    if (l <= stop) accountClose(a, o <= stop ? o : stop, t, EXIT_STOP);
    else if (h >= target) accountClose(a, o >= target ? o : target, t, EXIT_TARGET);
    else return false;
    return true;
  }
  if (d < 0) {
    if (h >= stop) accountClose(a, o >= stop ? o : stop, t, EXIT_STOP);
    else if (l <= target) accountClose(a, o <= target ? o : target, t, EXIT_TARGET);
    else return false;
    return true;
  }
  return false;
}

/**
 * Marks bars [from, to) to market after their fills, with the position unchanged by trades:
 * E[t] = cash + units * close[t], close[t] read at close[at + t - from]. Equity at or below zero
 * in a position liquidates at that close and ends trading for the window (exit reason `ruin`).
 * Returns whether that happened. One bar (to = from + 1) is the per-bar mark; longer runs keep
 * the state in locals between bars (the generic simulator's quiet stretches). Bars before the
 * window (origin) are not marked; the equity output holds bar t at t - origin.
 */
export function accountMarkRun(a: Account, close: Float64Array, at: number, from: number, to: number): boolean {
  const s = a.s;
  const origin = s[A_ORIGIN]! | 0;
  if (from < origin) {
    at = at + (origin - from);
    from = origin;
  }
  let cash = s[A_CASH]!;
  let units = s[A_UNITS]!;
  let inPosition = s[A_DIR] !== 0;
  let sumR = s[A_SUM_R]!;
  let sumR2 = s[A_SUM_R2]!;
  let sumNeg2 = s[A_SUM_NEG2]!;
  let prev = s[A_PREV]!;
  let peak = s[A_PEAK]!;
  let low = s[A_LOW]!;
  let drawdown = s[A_DRAWDOWN]!;
  const equityOut = a.equity;
  let ruin = false;
  for (let t = from; t < to; t++) {
    const c = close[at + (t - from)]!;
    let e = cash + units * c;
    if (inPosition && !(e > 0)) {
      s[A_CASH] = cash;
      accountClose(a, c, t, EXIT_RUIN);
      s[A_RUINED] = 1.0;
      cash = s[A_CASH]!;
      units = 0;
      inPosition = false;
      e = cash;
      ruin = true;
    }
    if (equityOut !== null) equityOut[t - origin] = e;
    if (t === origin) {
      s[A_FIRST] = e;
      prev = e;
      peak = e;
      low = e;
      continue;
    }
    const r = barReturn(e, prev);
    sumR = sumR + r;
    sumR2 = sumR2 + r * r;
    const m = r < 0 ? r : 0.0;
    sumNeg2 = sumNeg2 + m * m;
    prev = e;
    if (e > peak) {
      const d = (peak - low) / peak;
      if (d > drawdown) drawdown = d;
      peak = e;
      low = e;
    } else if (e < low) {
      low = e;
    }
  }
  s[A_SUM_R] = sumR;
  s[A_SUM_R2] = sumR2;
  s[A_SUM_NEG2] = sumNeg2;
  s[A_PREV] = prev;
  s[A_PEAK] = peak;
  s[A_LOW] = low;
  s[A_DRAWDOWN] = drawdown;
  return ruin;
}

/**
 * The end of the window at bar n - 1 (of the kernel's bars): an open position counts as a trade closed at the last
 * close, net of the exit commission (E[n-1] stays the mark-to-market value, cash unchanged).
 */
export function accountCloseAtEnd(a: Account, n: number, lastClose: number): void {
  const s = a.s;
  if (s[A_DIR] === 0) return;
  const v = s[A_UNITS]! * lastClose;
  recordTrade(a, n - 1, lastClose, s[A_CASH]! + v - s[A_COMMISSION]! * Math.abs(v) - s[A_ENTRY_EQUITY]!, EXIT_END, n);
}

/**
 * The metrics vector (SPEC section 5) from the marks' sums (first and last equity, the return
 * sums, the maximum drawdown) and account a's closed trades, over the window's bars: those of
 * the kernel's n from origin on.
 */
export function accountMetrics(
  a: Account, bars: number, first: number, last: number, sumR: number, sumR2: number, sumNeg2: number, drawdown: number,
  out: Float64Array,
): void {
  const s = a.s;
  const n = bars - (s[A_ORIGIN]! | 0);
  const ppy = s[A_PERIODS_PER_YEAR]!;
  const trades = s[A_TRADES]!;
  const grossProfit = s[A_GROSS_PROFIT]!;
  const grossLoss = s[A_GROSS_LOSS]!;
  const annual = annualReturnOf(first, last, n, ppy);
  out[MET_TOTAL_RETURN] = last / first - 1.0;
  out[MET_SHARPE] = sharpeOf(sumR, sumR2, n - 1, ppy);
  out[MET_SORTINO] = sortinoOf(sumR, sumNeg2, n - 1, ppy);
  out[MET_MAX_DRAWDOWN] = drawdown;
  out[MET_CALMAR] = calmarOf(annual, drawdown);
  out[MET_TRADES] = trades;
  out[MET_WIN_RATE] = trades > 0 ? s[A_WINS]! / trades : 0.0;
  out[MET_PROFIT_FACTOR] = trades === 0 ? 0.0 : grossLoss > 0 ? grossProfit / grossLoss : grossProfit > 0 ? Infinity : 0.0;
  out[MET_EXPOSURE] = s[A_BARS]! / n;
  out[MET_ANNUAL_RETURN] = annual;
}

/** Ends the window at bar n - 1 (accountCloseAtEnd) and writes the metrics of account a's marks. */
export function accountFinish(a: Account, n: number, lastClose: number, out: Float64Array): void {
  const s = a.s;
  accountCloseAtEnd(a, n, lastClose);
  const peak = s[A_PEAK]!;
  let drawdown = s[A_DRAWDOWN]!;
  const d = (peak - s[A_LOW]!) / peak;
  if (d > drawdown) drawdown = d;
  s[A_DRAWDOWN] = drawdown;
  accountMetrics(a, n, s[A_FIRST]!, s[A_PREV]!, s[A_SUM_R]!, s[A_SUM_R2]!, s[A_SUM_NEG2]!, drawdown, out);
}
