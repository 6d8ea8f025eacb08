// The scalar account: the account of ./account on one static block, with its position
// mirrored in exported globals, for the kernels that run one account at a time (the series
// kernels, the stoch-rsi-bands batch's genome loop). Every operation is the block account's.
// Twin: src/kernels/strategies/account-scalar.ts.
import { ld, st } from "../memory";
import {
  A_BYTES, A_CASH, A_DIR, A_ENTRY_BAR, A_ORIGIN, A_RISK_PER_TRADE, A_RUINED, A_SIZE_SCALE,
  A_STOP, A_TARGET, A_TRADES, A_TRADES_DROPPED, A_UNITS, accountCheckStops, accountClose,
  accountFinish, accountFirstSignal, accountInit, accountMarkRun, accountOpen, accountOrder,
} from "./account";

const SCALAR: usize = memory.data(A_BYTES, 16);
const ONE: usize = memory.data(8, 8); // a close price for a one-bar mark

export let cash: f64 = 0;
export let units: f64 = 0;
export let dir: i32 = 0;
export let entryBar: i32 = 0;
export let stopLevel: f64 = 0;
export let targetLevel: f64 = 0;
export let ruined: bool = false;

// After anything that can change the position.
function sync(): void {
  cash = ld(SCALAR, A_CASH);
  units = ld(SCALAR, A_UNITS);
  dir = <i32>ld(SCALAR, A_DIR);
  entryBar = <i32>ld(SCALAR, A_ENTRY_BAR);
  stopLevel = ld(SCALAR, A_STOP);
  targetLevel = ld(SCALAR, A_TARGET);
  ruined = ld(SCALAR, A_RUINED) != 0;
}

/** The scalar account's block (for kernels that use the block functions directly). */
export function accBlock(): usize {
  return SCALAR;
}

export function accInit(cfg: usize, equityPtr: usize, tradesPtr: usize, tradesCapacity: i32): void {
  accountInit(SCALAR, cfg, equityPtr, tradesPtr, tradesCapacity);
  sync();
}

/** True when the trade list outgrew its buffer (the metrics are still complete). */
export function accTradesDropped(): bool {
  return ld(SCALAR, A_TRADES_DROPPED) != 0;
}

/** Closes the open position at raw price x (slippage is applied against us). */
export function accClose(x: f64, bar: i32, reason: i32): void {
  accountClose(SCALAR, x, bar, reason);
  sync();
}

/** accountOpen on the scalar account. */
export function accOpen(d: i32, x: f64, bar: i32, stopDistance: f64, targetDistance: f64): bool {
  const opened = accountOpen(SCALAR, d, x, bar, stopDistance, targetDistance);
  sync();
  return opened;
}

/** accountFirstSignal on the scalar account. */
export function accFirstSignal(lookback: i32): i32 {
  return accountFirstSignal(SCALAR, lookback);
}

/** The window's first bar within the kernel's bars (CFG_ORIGIN). */
export function accOrigin(): i32 {
  return <i32>ld(SCALAR, A_ORIGIN);
}

/** Risk per trade for `risk` sizing: a gene of the strategies that size by risk. */
export function accSetRiskPerTrade(r: f64): void {
  st(SCALAR, A_RISK_PER_TRADE, r);
}

/**
 * Scales the size of the positions opened from now on (the generic simulator's |target|):
 * fraction x s with `fraction` sizing, riskPerTrade x s with `risk` sizing. 1 after accInit,
 * and x * 1 is x, so the kernels that never call this size exactly as before.
 */
export function accSetSizeScale(s: f64): void {
  st(SCALAR, A_SIZE_SCALE, s);
}

/** Moves to target direction t at raw price x: closes what is held, opens the new side. */
export function accOrder(target: i32, x: f64, bar: i32, reason: i32, stopDistance: f64, targetDistance: f64): void {
  accountOrder(SCALAR, target, x, bar, reason, stopDistance, targetDistance);
  sync();
}

/** accountCheckStops on the scalar account. */
export function accCheckStops(o: f64, h: f64, l: f64, t: i32): void {
  if (accountCheckStops(SCALAR, o, h, l, t)) sync();
}

/** Marks bar t to market at its close c, after its fills (accountMarkRun of one bar). */
export function accMark(c: f64, t: i32): void {
  st(ONE, 0, c);
  if (accountMarkRun(SCALAR, ONE, 0, t, t + 1)) sync();
}

/** accountFinish on the scalar account. */
export function accFinish(n: i32, lastClose: f64, out: usize): void {
  accountFinish(SCALAR, n, lastClose, out);
}

/** Number of trades closed so far (for the caller to know how many records were written). */
export function accTrades(): i32 {
  return <i32>ld(SCALAR, A_TRADES);
}
