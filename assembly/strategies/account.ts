// The execution model of SPEC section 2, written once and shared by every kernel that trades (the
// fused kernels, the sma-cross batch's lanes, the generic simulator): one position at a time,
// fills with adverse slippage and commission on both sides, stops and targets, mark-to-market
// equity after fills, ruin, and the running sums the metrics of section 5 are made from.
//
// The state lives in an account block: A_SLOTS f64 at an address (pointers and counts are f64
// too), so one kernel can run several accounts (the batch's SIMD lanes) with the same code and
// nothing is allocated. The scalar account over one static block is in account-scalar.ts.
// Twin: src/kernels/strategies/account.ts (same operations in the same order).
import { ld, st, keepIf, pick } from "../memory";
import {
  CFG_COMMISSION, CFG_SLIPPAGE, CFG_CASH, CFG_SIZING, CFG_FRACTION, CFG_LOT_SIZE,
  CFG_MAX_LEVERAGE, CFG_MIN_PRICE_RISK, CFG_PERIODS_PER_YEAR, CFG_ORIGIN, CFG_FILL, FILL_CLOSE, SIZING_RISK,
  MET_TOTAL_RETURN, MET_SHARPE, MET_SORTINO, MET_MAX_DRAWDOWN, MET_CALMAR, MET_TRADES,
  MET_WIN_RATE, MET_PROFIT_FACTOR, MET_EXPOSURE, MET_ANNUAL_RETURN,
  TR_ENTRY_BAR, TR_EXIT_BAR, TR_DIRECTION, TR_UNITS, TR_ENTRY_PRICE, TR_EXIT_PRICE, TR_PNL,
  TR_RETURN, TR_EXIT_REASON, TR_LENGTH, EXIT_END, EXIT_STOP, EXIT_TARGET, EXIT_RUIN,
} from "../layout";
import { unitsFraction, unitsRisk } from "../sizing/sizing";
import { barReturn, sharpeOf, sortinoOf, annualReturnOf, calmarOf } from "../metrics/metrics";

// The account block's slots. Execution options (from the config vector):
export const A_COMMISSION: i32 = 0;
export const A_SLIPPAGE: i32 = 1;
export const A_SIZING_RISK: i32 = 2; // 1 = risk sizing
export const A_FRACTION: i32 = 3;
export const A_LOT_SIZE: i32 = 4;
export const A_MAX_LEVERAGE: i32 = 5;
export const A_MIN_PRICE_RISK: i32 = 6;
export const A_RISK_PER_TRADE: i32 = 7;
export const A_SIZE_SCALE: i32 = 8; // scales fraction or riskPerTrade of the next opens (1 after init)
export const A_PERIODS_PER_YEAR: i32 = 9;
// The position:
export const A_CASH: i32 = 10;
export const A_UNITS: i32 = 11;
export const A_DIR: i32 = 12;
export const A_ENTRY_BAR: i32 = 13;
export const A_STOP: i32 = 14; // NaN = none
export const A_TARGET: i32 = 15; // NaN = none
export const A_RUINED: i32 = 16;
export const A_ENTRY_EQUITY: i32 = 17;
export const A_ENTRY_PRICE: i32 = 18;
// The closed trades:
export const A_TRADES: i32 = 19;
export const A_WINS: i32 = 20;
export const A_GROSS_PROFIT: i32 = 21;
export const A_GROSS_LOSS: i32 = 22;
export const A_BARS: i32 = 23; // bars marked with a position, counted when it closes
// The marks:
export const A_SUM_R: i32 = 24;
export const A_SUM_R2: i32 = 25;
export const A_SUM_NEG2: i32 = 26;
export const A_FIRST: i32 = 27;
export const A_PREV: i32 = 28;
export const A_PEAK: i32 = 29;
export const A_LOW: i32 = 30; // the lowest equity since the peak
export const A_DRAWDOWN: i32 = 31; // the deepest drawdown of the peaks before the current one
// Outputs (addresses; 0 = not wanted):
export const A_EQUITY_OUT: i32 = 32;
export const A_TRADES_OUT: i32 = 33;
export const A_TRADES_CAP: i32 = 34;
export const A_TRADES_DROPPED: i32 = 35;
// The window within the kernel's bars (CFG_ORIGIN): bar indices given to the account functions
// are the kernel's; records, the equity output and the metrics are the window's (from origin).
export const A_ORIGIN: i32 = 36;
export const A_CLOSE_FILL: i32 = 37; // 1 = close fills (the first signal bar is origin + 1)
export const A_SLOTS: i32 = 40;
export const A_BYTES: i32 = A_SLOTS * 8;

/** Resets account a for a new window: options from cfg, the cash, outputs at equity/trades (0 = none). */
export function accountInit(a: usize, cfg: usize, equity: usize, trades: usize, tradesCap: i32): void {
  memory.fill(a, 0, <usize>A_BYTES);
  st(a, A_COMMISSION, ld(cfg, CFG_COMMISSION));
  st(a, A_SLIPPAGE, ld(cfg, CFG_SLIPPAGE));
  st(a, A_SIZING_RISK, <i32>ld(cfg, CFG_SIZING) == SIZING_RISK ? 1.0 : 0.0);
  st(a, A_FRACTION, ld(cfg, CFG_FRACTION));
  st(a, A_LOT_SIZE, ld(cfg, CFG_LOT_SIZE));
  st(a, A_MAX_LEVERAGE, ld(cfg, CFG_MAX_LEVERAGE));
  st(a, A_MIN_PRICE_RISK, ld(cfg, CFG_MIN_PRICE_RISK));
  st(a, A_SIZE_SCALE, 1.0);
  st(a, A_PERIODS_PER_YEAR, ld(cfg, CFG_PERIODS_PER_YEAR));
  st(a, A_CASH, ld(cfg, CFG_CASH));
  st(a, A_EQUITY_OUT, <f64>equity);
  st(a, A_TRADES_OUT, <f64>trades);
  st(a, A_TRADES_CAP, <f64>tradesCap);
  st(a, A_ORIGIN, ld(cfg, CFG_ORIGIN));
  st(a, A_CLOSE_FILL, <i32>ld(cfg, CFG_FILL) == FILL_CLOSE ? 1.0 : 0.0);
}

/**
 * The first bar at which a kernel may decide a signal (README "Windows and warm-up"): the
 * window's first bar (origin) with next-open fills, the one after it with close fills (the
 * window's first equity is its cash), and never before `lookback` (the first bar whose event
 * test has the bars it looks back on). Bars before the window only warm the indicators up.
 */
export function accountFirstSignal(a: usize, lookback: i32): i32 {
  const first = <i32>ld(a, A_ORIGIN) + <i32>ld(a, A_CLOSE_FILL);
  return first > lookback ? first : lookback;
}

// A closed trade: its share of the metrics, its record (when wanted), and the bars it was held
// (marks from its entry bar up to heldTo, exclusive). Inlined: a fill is one call deep.
// @ts-ignore: decorator
@inline function recordTrade(a: usize, exitBar: i32, exitPrice: f64, pnl: f64, reason: i32, heldTo: i32): void {
  if (pnl > 0) {
    st(a, A_WINS, ld(a, A_WINS) + 1.0);
    st(a, A_GROSS_PROFIT, ld(a, A_GROSS_PROFIT) + pnl);
  } else if (pnl < 0) {
    st(a, A_GROSS_LOSS, ld(a, A_GROSS_LOSS) - pnl);
  }
  const trades = <i32>ld(a, A_TRADES);
  const out = <usize>ld(a, A_TRADES_OUT);
  if (out != 0) {
    if (trades < <i32>ld(a, A_TRADES_CAP)) {
      const p = out + <usize>(trades * TR_LENGTH) * 8;
      const origin = ld(a, A_ORIGIN);
      st(p, TR_ENTRY_BAR, ld(a, A_ENTRY_BAR) - origin);
      st(p, TR_EXIT_BAR, <f64>exitBar - origin);
      st(p, TR_DIRECTION, ld(a, A_DIR));
      st(p, TR_UNITS, ld(a, A_UNITS));
      st(p, TR_ENTRY_PRICE, ld(a, A_ENTRY_PRICE));
      st(p, TR_EXIT_PRICE, exitPrice);
      st(p, TR_PNL, pnl);
      st(p, TR_RETURN, pnl / ld(a, A_ENTRY_EQUITY));
      st(p, TR_EXIT_REASON, <f64>reason);
    } else {
      st(a, A_TRADES_DROPPED, 1.0);
    }
  }
  st(a, A_TRADES, <f64>(trades + 1));
  st(a, A_BARS, ld(a, A_BARS) + <f64>(heldTo - <i32>ld(a, A_ENTRY_BAR)));
}

/** Closes the open position at raw price x of bar t (slippage is applied against us). */
export function accountClose(a: usize, x: f64, t: i32, reason: i32): void {
  const slippage = ld(a, A_SLIPPAGE);
  const units = ld(a, A_UNITS);
  const px = ld(a, A_DIR) > 0 ? x * (1.0 - slippage) : x * (1.0 + slippage);
  let cash = ld(a, A_CASH);
  cash = cash + units * px;
  cash = cash - ld(a, A_COMMISSION) * abs(units * px);
  st(a, A_CASH, cash);
  recordTrade(a, t, px, cash - ld(a, A_ENTRY_EQUITY), reason, t);
  st(a, A_UNITS, 0);
  st(a, A_DIR, 0);
}

/**
 * Opens a position in direction d at raw price x of bar t. stopDistance and targetDistance are
 * price distances from the fill (NaN or <= 0 = no stop / no target); stopDistance also drives
 * `risk` sizing. Returns false when sizing gives no units (lot rounding, zero equity).
 */
// @ts-ignore: decorator
@inline export function accountOpen(a: usize, d: i32, x: f64, t: i32, stopDistance: f64, targetDistance: f64): bool {
  const slippage = ld(a, A_SLIPPAGE);
  const px = d > 0 ? x * (1.0 + slippage) : x * (1.0 - slippage);
  const eq = ld(a, A_CASH);
  const lotSize = ld(a, A_LOT_SIZE);
  const u = ld(a, A_SIZING_RISK) != 0
    ? unitsRisk(eq, px, stopDistance, ld(a, A_RISK_PER_TRADE) * ld(a, A_SIZE_SCALE), ld(a, A_MIN_PRICE_RISK), ld(a, A_MAX_LEVERAGE), lotSize, <f64>d)
    : unitsFraction(eq, px, ld(a, A_FRACTION) * ld(a, A_SIZE_SCALE), lotSize, <f64>d);
  if (!(u != 0) || !isFinite(u)) return false;
  let cash = eq - u * px;
  cash = cash - ld(a, A_COMMISSION) * abs(u * px);
  st(a, A_CASH, cash);
  st(a, A_ENTRY_EQUITY, eq);
  st(a, A_ENTRY_PRICE, px);
  st(a, A_ENTRY_BAR, <f64>t);
  st(a, A_UNITS, u);
  st(a, A_DIR, <f64>d);
  st(a, A_STOP, stopDistance > 0 ? (d > 0 ? px - stopDistance : px + stopDistance) : NaN);
  st(a, A_TARGET, targetDistance > 0 ? (d > 0 ? px + targetDistance : px - targetDistance) : NaN);
  return true;
}

/** Moves to direction target at raw price x of bar t: closes what is held, opens the new side (unless ruined). */
export function accountOrder(a: usize, target: i32, x: f64, t: i32, reason: i32, stopDistance: f64, targetDistance: f64): void {
  if (ld(a, A_DIR) != 0) accountClose(a, x, t, reason);
  if (target != 0 && ld(a, A_RUINED) == 0) accountOpen(a, target, x, t, stopDistance, targetDistance);
}

/**
 * Stop-loss and take-profit against bar t (SPEC section 2): a gap through a level fills at the
 * open; the stop wins when both are touched. Returns whether the position was closed.
 */
export function accountCheckStops(a: usize, o: f64, h: f64, l: f64, t: i32): bool {
  const d = ld(a, A_DIR);
  const stop = ld(a, A_STOP);
  const target = ld(a, A_TARGET);
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
export function accountMarkRun(a: usize, close: usize, at: i32, from: i32, to: i32): bool {
  const origin = <i32>ld(a, A_ORIGIN);
  if (from < origin) {
    at = at + (origin - from);
    from = origin;
  }
  let cash = ld(a, A_CASH);
  let units = ld(a, A_UNITS);
  let inPosition = ld(a, A_DIR) != 0;
  let sumR = ld(a, A_SUM_R);
  let sumR2 = ld(a, A_SUM_R2);
  let sumNeg2 = ld(a, A_SUM_NEG2);
  let prev = ld(a, A_PREV);
  let peak = ld(a, A_PEAK);
  let low = ld(a, A_LOW);
  let drawdown = ld(a, A_DRAWDOWN);
  const equityOut = <usize>ld(a, A_EQUITY_OUT);
  let ruin = false;
  for (let t = from; t < to; t++) {
    const c = ld(close, at + (t - from));
    let e = cash + units * c;
    if (inPosition && !(e > 0)) {
      st(a, A_CASH, cash);
      accountClose(a, c, t, EXIT_RUIN);
      st(a, A_RUINED, 1.0);
      cash = ld(a, A_CASH);
      units = 0;
      inPosition = false;
      e = cash;
      ruin = true;
    }
    if (equityOut != 0) st(equityOut, t - origin, e);
    if (t == origin) {
      st(a, A_FIRST, e);
      prev = e;
      peak = e;
      low = e;
      continue;
    }
    const r = barReturn(e, prev);
    sumR = sumR + r;
    sumR2 = sumR2 + r * r;
    const m = keepIf(r, r < 0); // r < 0 ? r : 0
    sumNeg2 = sumNeg2 + m * m;
    prev = e;
    if (e > peak) {
      const d = (peak - low) / peak;
      if (d > drawdown) drawdown = d;
      peak = e;
      low = e;
    } else {
      low = pick(e, low, e < low); // if (e < low) low = e: a branch that mispredicts on noisy equity
    }
  }
  st(a, A_SUM_R, sumR);
  st(a, A_SUM_R2, sumR2);
  st(a, A_SUM_NEG2, sumNeg2);
  st(a, A_PREV, prev);
  st(a, A_PEAK, peak);
  st(a, A_LOW, low);
  st(a, A_DRAWDOWN, drawdown);
  return ruin;
}

/**
 * The end of the window at bar n - 1 (of the kernel's bars): an open position counts as a trade closed at the last
 * close, net of the exit commission (E[n-1] stays the mark-to-market value, cash unchanged).
 */
export function accountCloseAtEnd(a: usize, n: i32, lastClose: f64): void {
  if (ld(a, A_DIR) == 0) return;
  const v = ld(a, A_UNITS) * lastClose;
  recordTrade(a, n - 1, lastClose, ld(a, A_CASH) + v - ld(a, A_COMMISSION) * abs(v) - ld(a, A_ENTRY_EQUITY), EXIT_END, n);
}

/**
 * The metrics vector (SPEC section 5) from the marks' sums (first and last equity, the return
 * sums, the maximum drawdown) and account a's closed trades, over the window's bars: those of
 * the kernel's n from origin on.
 */
export function accountMetrics(
  a: usize, bars: i32, first: f64, last: f64, sumR: f64, sumR2: f64, sumNeg2: f64, drawdown: f64, out: usize,
): void {
  const n = bars - <i32>ld(a, A_ORIGIN);
  const ppy = ld(a, A_PERIODS_PER_YEAR);
  const trades = ld(a, A_TRADES);
  const grossProfit = ld(a, A_GROSS_PROFIT);
  const grossLoss = ld(a, A_GROSS_LOSS);
  const annual = annualReturnOf(first, last, n, ppy);
  st(out, MET_TOTAL_RETURN, last / first - 1.0);
  st(out, MET_SHARPE, sharpeOf(sumR, sumR2, n - 1, ppy));
  st(out, MET_SORTINO, sortinoOf(sumR, sumNeg2, n - 1, ppy));
  st(out, MET_MAX_DRAWDOWN, drawdown);
  st(out, MET_CALMAR, calmarOf(annual, drawdown));
  st(out, MET_TRADES, trades);
  st(out, MET_WIN_RATE, trades > 0 ? ld(a, A_WINS) / trades : 0.0);
  st(out, MET_PROFIT_FACTOR, trades == 0 ? 0.0 : grossLoss > 0 ? grossProfit / grossLoss : grossProfit > 0 ? Infinity : 0.0);
  st(out, MET_EXPOSURE, ld(a, A_BARS) / <f64>n);
  st(out, MET_ANNUAL_RETURN, annual);
}

/** Ends the window at bar n - 1 (accountCloseAtEnd) and writes the metrics of account a's marks. */
export function accountFinish(a: usize, n: i32, lastClose: f64, out: usize): void {
  accountCloseAtEnd(a, n, lastClose);
  const peak = ld(a, A_PEAK);
  let drawdown = ld(a, A_DRAWDOWN);
  const d = (peak - ld(a, A_LOW)) / peak;
  if (d > drawdown) drawdown = d;
  st(a, A_DRAWDOWN, drawdown);
  accountMetrics(a, n, ld(a, A_FIRST), ld(a, A_PREV), ld(a, A_SUM_R), ld(a, A_SUM_R2), ld(a, A_SUM_NEG2), drawdown, out);
}
