// The execution model of SPEC section 2, shared by every strategy kernel: one position at a
// time, fills with adverse slippage and commission on both sides, mark-to-market equity after
// fills, and the running sums the metrics of section 5 are made from.
// Twin: assembly/strategies/account.ts (same operations in the same order; module state there
// because a kernel call must not allocate, module state here to stay line-for-line alike).
import {
  CFG_COMMISSION, CFG_SLIPPAGE, CFG_CASH, CFG_SIZING, CFG_FRACTION, CFG_LOT_SIZE,
  CFG_MAX_LEVERAGE, CFG_MIN_PRICE_RISK, CFG_PERIODS_PER_YEAR, SIZING_RISK,
  MET_TOTAL_RETURN, MET_SHARPE, MET_SORTINO, MET_MAX_DRAWDOWN, MET_CALMAR, MET_TRADES,
  MET_WIN_RATE, MET_PROFIT_FACTOR, MET_EXPOSURE, MET_ANNUAL_RETURN,
  TR_ENTRY_BAR, TR_EXIT_BAR, TR_DIRECTION, TR_UNITS, TR_ENTRY_PRICE, TR_EXIT_PRICE, TR_PNL,
  TR_RETURN, TR_EXIT_REASON, TR_LENGTH, EXIT_END, EXIT_STOP, EXIT_TARGET, EXIT_RUIN,
} from '../layout.js';
import { unitsFraction, unitsRisk } from '../sizing/sizing.js';
import { barReturn, sharpeOf, sortinoOf, annualReturnOf, calmarOf } from '../metrics/metrics.js';

let commission = 0;
let slippage = 0;
let sizingRisk = false;
let fraction = 1;
let lotSize = 0;
let maxLeverage = 1;
let minPriceRisk = 0.001;
let riskPerTrade = 0;
let sizeScale = 1;
let periodsPerYear = 252;

export let cash = 0;
export let units = 0;
export let dir = 0;
export let entryBar = 0;
export let stopLevel = 0;
export let targetLevel = 0;
export let ruined = false;
let entryEquity = 0;
let entryPrice = 0;

let trades = 0;
let wins = 0;
let grossProfit = 0;
let grossLoss = 0;
let barsInPosition = 0;
let sumR = 0;
let sumR2 = 0;
let sumNeg2 = 0;
let firstEquity = 0;
let prevEquity = 0;
let peak = 0;
let low = 0;
let drawdown = 0;

let equityOut: Float64Array | null = null;
let tradesOut: Float64Array | null = null;
let tradesCap = 0;
let tradesDropped = false;

export function accInit(
  cfg: Float64Array, equityArr: Float64Array | null, tradesArr: Float64Array | null, tradesCapacity: number,
): void {
  commission = cfg[CFG_COMMISSION]!;
  slippage = cfg[CFG_SLIPPAGE]!;
  sizingRisk = (cfg[CFG_SIZING]! | 0) === SIZING_RISK;
  fraction = cfg[CFG_FRACTION]!;
  lotSize = cfg[CFG_LOT_SIZE]!;
  maxLeverage = cfg[CFG_MAX_LEVERAGE]!;
  minPriceRisk = cfg[CFG_MIN_PRICE_RISK]!;
  periodsPerYear = cfg[CFG_PERIODS_PER_YEAR]!;
  riskPerTrade = 0;
  sizeScale = 1;
  cash = cfg[CFG_CASH]!;
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
  equityOut = equityArr;
  tradesOut = tradesArr;
  tradesCap = tradesCapacity;
  tradesDropped = false;
}

/** True when the trade list outgrew its buffer (the metrics are still complete). */
export function accTradesDropped(): boolean {
  return tradesDropped;
}

function recordTrade(exitBar: number, exitPrice: number, pnl: number, reason: number): void {
  if (pnl > 0) {
    wins++;
    grossProfit = grossProfit + pnl;
  } else if (pnl < 0) {
    grossLoss = grossLoss - pnl;
  }
  if (tradesOut !== null) {
    if (trades < tradesCap) {
      const p = trades * TR_LENGTH;
      tradesOut[p + TR_ENTRY_BAR] = entryBar;
      tradesOut[p + TR_EXIT_BAR] = exitBar;
      tradesOut[p + TR_DIRECTION] = dir;
      tradesOut[p + TR_UNITS] = units;
      tradesOut[p + TR_ENTRY_PRICE] = entryPrice;
      tradesOut[p + TR_EXIT_PRICE] = exitPrice;
      tradesOut[p + TR_PNL] = pnl;
      tradesOut[p + TR_RETURN] = pnl / entryEquity;
      tradesOut[p + TR_EXIT_REASON] = reason;
    } else {
      tradesDropped = true;
    }
  }
  trades++;
}

/** Closes the open position at raw price x (slippage is applied against us). */
export function accClose(x: number, bar: number, reason: number): void {
  const px = dir > 0 ? x * (1.0 - slippage) : x * (1.0 + slippage);
  cash = cash + units * px;
  cash = cash - commission * Math.abs(units * px);
  recordTrade(bar, px, cash - entryEquity, reason);
  units = 0;
  dir = 0;
}

/**
 * Opens a position in direction d at raw price x. stopDistance and targetDistance are price
 * distances from the fill (0 = no stop / no target); stopDistance also drives `risk` sizing.
 * Returns false when sizing gives no units (lot rounding, zero equity).
 */
export function accOpen(d: number, x: number, bar: number, stopDistance: number, targetDistance: number): boolean {
  const px = d > 0 ? x * (1.0 + slippage) : x * (1.0 - slippage);
  const eq = cash;
  const u = sizingRisk
    ? unitsRisk(eq, px, stopDistance, riskPerTrade * sizeScale, minPriceRisk, maxLeverage, lotSize, d)
    : unitsFraction(eq, px, fraction * sizeScale, lotSize, d);
  if (!(u !== 0) || !Number.isFinite(u)) return false;
  cash = eq - u * px;
  cash = cash - commission * Math.abs(u * px);
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
export function accSetRiskPerTrade(r: number): void {
  riskPerTrade = r;
}

/**
 * Scales the size of the positions opened from now on (the generic simulator's |target|):
 * fraction x s with `fraction` sizing, riskPerTrade x s with `risk` sizing. 1 after accInit,
 * and x * 1 is x, so the kernels that never call this size exactly as before.
 */
export function accSetSizeScale(s: number): void {
  sizeScale = s;
}

/** Moves to target direction t at raw price x: closes what is held, opens the new side. */
export function accOrder(
  target: number, x: number, bar: number, reason: number, stopDistance: number, targetDistance: number,
): void {
  if (dir !== 0) accClose(x, bar, reason);
  if (target !== 0 && !ruined) accOpen(target, x, bar, stopDistance, targetDistance);
}

/**
 * Stop-loss and take-profit against bar t (SPEC section 2): a gap through a level fills at the
 * open; the stop wins when both are touched.
 */
export function accCheckStops(o: number, h: number, l: number, t: number): void {
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
export function accMark(c: number, t: number): void {
  let e = cash + units * c;
  if (dir !== 0 && !(e > 0)) {
    accClose(c, t, EXIT_RUIN);
    ruined = true;
    e = cash;
  }
  if (equityOut !== null) equityOut[t] = e;
  if (dir !== 0) barsInPosition++;
  if (t === 0) {
    firstEquity = e;
    prevEquity = e;
    peak = e;
    low = e;
    return;
  }
  const r = barReturn(e, prevEquity);
  sumR = sumR + r;
  sumR2 = sumR2 + r * r;
  const m = r < 0 ? r : 0.0;
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
export function accFinish(n: number, lastClose: number, out: Float64Array): void {
  if (dir !== 0) {
    const v = units * lastClose;
    recordTrade(n - 1, lastClose, cash + v - commission * Math.abs(v) - entryEquity, EXIT_END);
  }
  const d = (peak - low) / peak;
  if (d > drawdown) drawdown = d;
  const last = prevEquity;
  const annual = annualReturnOf(firstEquity, last, n, periodsPerYear);
  out[MET_TOTAL_RETURN] = last / firstEquity - 1.0;
  out[MET_SHARPE] = sharpeOf(sumR, sumR2, n - 1, periodsPerYear);
  out[MET_SORTINO] = sortinoOf(sumR, sumNeg2, n - 1, periodsPerYear);
  out[MET_MAX_DRAWDOWN] = drawdown;
  out[MET_CALMAR] = calmarOf(annual, drawdown);
  out[MET_TRADES] = trades;
  out[MET_WIN_RATE] = trades > 0 ? wins / trades : 0.0;
  out[MET_PROFIT_FACTOR] = trades === 0 ? 0.0 : grossLoss > 0 ? grossProfit / grossLoss : grossProfit > 0 ? Infinity : 0.0;
  out[MET_EXPOSURE] = barsInPosition / n;
  out[MET_ANNUAL_RETURN] = annual;
}

/** Number of trades closed so far (for the caller to know how many records were written). */
export function accTrades(): number {
  return trades;
}
