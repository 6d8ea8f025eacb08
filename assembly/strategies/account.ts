// The execution model of SPEC section 2, shared by every strategy kernel: one position at a
// time, fills with adverse slippage and commission on both sides, mark-to-market equity after
// fills, and the running sums the metrics of section 5 are made from. Module globals rather than
// an object: the stub runtime never frees, and a kernel call must not allocate.
// Twin: src/kernels/strategies/account.ts (same operations in the same order).
import { ld, st, keepIf } from "../memory";
import {
  CFG_COMMISSION, CFG_SLIPPAGE, CFG_CASH, CFG_SIZING, CFG_FRACTION, CFG_LOT_SIZE,
  CFG_MAX_LEVERAGE, CFG_MIN_PRICE_RISK, CFG_PERIODS_PER_YEAR, SIZING_RISK,
  MET_TOTAL_RETURN, MET_SHARPE, MET_SORTINO, MET_MAX_DRAWDOWN, MET_CALMAR, MET_TRADES,
  MET_WIN_RATE, MET_PROFIT_FACTOR, MET_EXPOSURE, MET_ANNUAL_RETURN,
  TR_ENTRY_BAR, TR_EXIT_BAR, TR_DIRECTION, TR_UNITS, TR_ENTRY_PRICE, TR_EXIT_PRICE, TR_PNL,
  TR_RETURN, TR_EXIT_REASON, TR_LENGTH, EXIT_END, EXIT_STOP, EXIT_TARGET, EXIT_RUIN,
} from "../layout";
import { unitsFraction, unitsRisk } from "../sizing/sizing";
import { barReturn, sharpeOf, sortinoOf, annualReturnOf, calmarOf } from "../metrics/metrics";

let commission: f64 = 0;
let slippage: f64 = 0;
let sizingRisk: bool = false;
let fraction: f64 = 1;
let lotSize: f64 = 0;
let maxLeverage: f64 = 1;
let minPriceRisk: f64 = 0.001;
let riskPerTrade: f64 = 0;
let sizeScale: f64 = 1;
let periodsPerYear: f64 = 252;

export let cash: f64 = 0;
export let units: f64 = 0;
export let dir: i32 = 0;
export let entryBar: i32 = 0;
export let stopLevel: f64 = 0;
export let targetLevel: f64 = 0;
export let ruined: bool = false;
let entryEquity: f64 = 0;
let entryPrice: f64 = 0;

let trades: i32 = 0;
let wins: i32 = 0;
let grossProfit: f64 = 0;
let grossLoss: f64 = 0;
let barsInPosition: i32 = 0;
let sumR: f64 = 0;
let sumR2: f64 = 0;
let sumNeg2: f64 = 0;
let firstEquity: f64 = 0;
let prevEquity: f64 = 0;
let peak: f64 = 0;
let low: f64 = 0;
let drawdown: f64 = 0;

let equityOut: usize = 0;
let tradesOut: usize = 0;
let tradesCap: i32 = 0;
let tradesDropped: bool = false;

export function accInit(cfg: usize, equityPtr: usize, tradesPtr: usize, tradesCapacity: i32): void {
  commission = ld(cfg, CFG_COMMISSION);
  slippage = ld(cfg, CFG_SLIPPAGE);
  sizingRisk = <i32>ld(cfg, CFG_SIZING) == SIZING_RISK;
  fraction = ld(cfg, CFG_FRACTION);
  lotSize = ld(cfg, CFG_LOT_SIZE);
  maxLeverage = ld(cfg, CFG_MAX_LEVERAGE);
  minPriceRisk = ld(cfg, CFG_MIN_PRICE_RISK);
  periodsPerYear = ld(cfg, CFG_PERIODS_PER_YEAR);
  riskPerTrade = 0;
  sizeScale = 1;
  cash = ld(cfg, CFG_CASH);
  units = 0;
  dir = 0;
  entryBar = 0;
  stopLevel = 0;
  targetLevel = 0;
  ruined = false;
  entryEquity = 0;
  entryPrice = 0;
  trades = 0;
  wins = 0;
  grossProfit = 0;
  grossLoss = 0;
  barsInPosition = 0;
  sumR = 0;
  sumR2 = 0;
  sumNeg2 = 0;
  firstEquity = 0;
  prevEquity = 0;
  peak = 0;
  low = 0;
  drawdown = 0;
  equityOut = equityPtr;
  tradesOut = tradesPtr;
  tradesCap = tradesCapacity;
  tradesDropped = false;
}

/** True when the trade list outgrew its buffer (the metrics are still complete). */
export function accTradesDropped(): bool {
  return tradesDropped;
}

function recordTrade(exitBar: i32, exitPrice: f64, pnl: f64, reason: i32): void {
  if (pnl > 0) {
    wins++;
    grossProfit = grossProfit + pnl;
  } else if (pnl < 0) {
    grossLoss = grossLoss - pnl;
  }
  if (tradesOut != 0) {
    if (trades < tradesCap) {
      const p = tradesOut + <usize>(trades * TR_LENGTH) * 8;
      st(p, TR_ENTRY_BAR, <f64>entryBar);
      st(p, TR_EXIT_BAR, <f64>exitBar);
      st(p, TR_DIRECTION, <f64>dir);
      st(p, TR_UNITS, units);
      st(p, TR_ENTRY_PRICE, entryPrice);
      st(p, TR_EXIT_PRICE, exitPrice);
      st(p, TR_PNL, pnl);
      st(p, TR_RETURN, pnl / entryEquity);
      st(p, TR_EXIT_REASON, <f64>reason);
    } else {
      tradesDropped = true;
    }
  }
  trades++;
}

/** Closes the open position at raw price x (slippage is applied against us). */
export function accClose(x: f64, bar: i32, reason: i32): void {
  const px = dir > 0 ? x * (1.0 - slippage) : x * (1.0 + slippage);
  cash = cash + units * px;
  cash = cash - commission * abs(units * px);
  recordTrade(bar, px, cash - entryEquity, reason);
  units = 0;
  dir = 0;
}

/**
 * Opens a position in direction d at raw price x. stopDistance and targetDistance are price
 * distances from the fill (0 = no stop / no target); stopDistance also drives `risk` sizing.
 * Returns false when sizing gives no units (lot rounding, zero equity).
 */
export function accOpen(d: i32, x: f64, bar: i32, stopDistance: f64, targetDistance: f64): bool {
  const px = d > 0 ? x * (1.0 + slippage) : x * (1.0 - slippage);
  const eq = cash;
  const u = sizingRisk
    ? unitsRisk(eq, px, stopDistance, riskPerTrade * sizeScale, minPriceRisk, maxLeverage, lotSize, <f64>d)
    : unitsFraction(eq, px, fraction * sizeScale, lotSize, <f64>d);
  if (!(u != 0) || !isFinite(u)) return false;
  cash = eq - u * px;
  cash = cash - commission * abs(u * px);
  entryEquity = eq;
  entryPrice = px;
  entryBar = bar;
  units = u;
  dir = d;
  if (stopDistance > 0) stopLevel = d > 0 ? px - stopDistance : px + stopDistance;
  else stopLevel = NaN;
  if (targetDistance > 0) targetLevel = d > 0 ? px + targetDistance : px - targetDistance;
  else targetLevel = NaN;
  return true;
}

/** Risk per trade for `risk` sizing: a gene of the strategies that size by risk. */
export function accSetRiskPerTrade(r: f64): void {
  riskPerTrade = r;
}

/**
 * Scales the size of the positions opened from now on (the generic simulator's |target|):
 * fraction x s with `fraction` sizing, riskPerTrade x s with `risk` sizing. 1 after accInit,
 * and x * 1 is x, so the kernels that never call this size exactly as before.
 */
export function accSetSizeScale(s: f64): void {
  sizeScale = s;
}

/** Moves to target direction t at raw price x: closes what is held, opens the new side. */
export function accOrder(target: i32, x: f64, bar: i32, reason: i32, stopDistance: f64, targetDistance: f64): void {
  if (dir != 0) accClose(x, bar, reason);
  if (target != 0 && !ruined) accOpen(target, x, bar, stopDistance, targetDistance);
}

/**
 * Stop-loss and take-profit against bar t (SPEC section 2): a gap through a level fills at the
 * open; the stop wins when both are touched.
 */
export function accCheckStops(o: f64, h: f64, l: f64, t: i32): void {
  if (dir > 0) {
    if (l <= stopLevel) accClose(o <= stopLevel ? o : stopLevel, t, EXIT_STOP);
    else if (h >= targetLevel) accClose(o >= targetLevel ? o : targetLevel, t, EXIT_TARGET);
  } else if (dir < 0) {
    if (h >= stopLevel) accClose(o >= stopLevel ? o : stopLevel, t, EXIT_STOP);
    else if (l <= targetLevel) accClose(o <= targetLevel ? o : targetLevel, t, EXIT_TARGET);
  }
}

/**
 * Marks to market at close c of bar t after the bar's fills: E[t] = cash + units * c.
 * Equity at or below zero liquidates at that close and ends trading for the window.
 */
export function accMark(c: f64, t: i32): void {
  let e = cash + units * c;
  if (dir != 0 && !(e > 0)) {
    accClose(c, t, EXIT_RUIN);
    ruined = true;
    e = cash;
  }
  if (equityOut != 0) st(equityOut, t, e);
  if (dir != 0) barsInPosition++;
  if (t == 0) {
    firstEquity = e;
    prevEquity = e;
    peak = e;
    low = e;
    return;
  }
  const r = barReturn(e, prevEquity);
  sumR = sumR + r;
  sumR2 = sumR2 + r * r;
  const m = keepIf(r, r < 0); // r < 0 ? r : 0
  sumNeg2 = sumNeg2 + m * m;
  prevEquity = e;
  if (e > peak) {
    const d = (peak - low) / peak;
    if (d > drawdown) drawdown = d;
    peak = e;
    low = e;
  } else if (e < low) {
    low = e;
  }
}

/**
 * Ends the window at bar n-1: an open position counts as a trade closed at the last close,
 * net of the exit commission (E[n-1] stays the mark-to-market value). Writes the metrics.
 */
export function accFinish(n: i32, lastClose: f64, out: usize): void {
  if (dir != 0) {
    const v = units * lastClose;
    recordTrade(n - 1, lastClose, cash + v - commission * abs(v) - entryEquity, EXIT_END);
  }
  const d = (peak - low) / peak;
  if (d > drawdown) drawdown = d;
  const last = prevEquity;
  const annual = annualReturnOf(firstEquity, last, n, periodsPerYear);
  st(out, MET_TOTAL_RETURN, last / firstEquity - 1.0);
  st(out, MET_SHARPE, sharpeOf(sumR, sumR2, n - 1, periodsPerYear));
  st(out, MET_SORTINO, sortinoOf(sumR, sumNeg2, n - 1, periodsPerYear));
  st(out, MET_MAX_DRAWDOWN, drawdown);
  st(out, MET_CALMAR, calmarOf(annual, drawdown));
  st(out, MET_TRADES, <f64>trades);
  st(out, MET_WIN_RATE, trades > 0 ? <f64>wins / <f64>trades : 0.0);
  st(out, MET_PROFIT_FACTOR, trades == 0 ? 0.0 : grossLoss > 0 ? grossProfit / grossLoss : grossProfit > 0 ? Infinity : 0.0);
  st(out, MET_EXPOSURE, <f64>barsInPosition / <f64>n);
  st(out, MET_ANNUAL_RETURN, annual);
}

/** Number of trades closed so far (for the caller to know how many records were written). */
export function accTrades(): i32 {
  return trades;
}
