// The scalar account: the account of ./account.ts on one static block, with its position
// mirrored in exported globals, for the kernels that run one account at a time (the series
// kernels, the stoch-rsi-bands batch's genome loop). Every operation is the block account's.
// Twin: assembly/strategies/account-scalar.ts.
import type { Account } from './account.js';
import {
  A_CASH, A_DIR, A_ENTRY_BAR, A_ORIGIN, A_RISK_PER_TRADE, A_RUINED, A_SIZE_SCALE, A_STOP,
  A_TARGET, A_TRADES, A_TRADES_DROPPED, A_UNITS, accountCheckStops, accountClose,
  accountFinish, accountFirstSignal, accountInit, accountMarkRun, accountOpen, accountOrder,
  newAccount,
} from './account.js';

const SCALAR = newAccount();
const ONE = new Float64Array(1); // a close price for a one-bar mark

export let cash = 0;
export let units = 0;
export let dir = 0;
export let entryBar = 0;
export let stopLevel = 0;
export let targetLevel = 0;
export let ruined = false;

// After anything that can change the position.
function sync(): void {
  const s = SCALAR.s;
  cash = s[A_CASH]!;
  units = s[A_UNITS]!;
  dir = s[A_DIR]! | 0;
  entryBar = s[A_ENTRY_BAR]! | 0;
  stopLevel = s[A_STOP]!;
  targetLevel = s[A_TARGET]!;
  ruined = s[A_RUINED] !== 0;
}

/** The scalar account's block (for kernels that use the block functions directly). */
export function accBlock(): Account {
  return SCALAR;
}

export function accInit(
  cfg: Float64Array, equityArr: Float64Array | null, tradesArr: Float64Array | null, tradesCapacity: number,
): void {
  accountInit(SCALAR, cfg, equityArr, tradesArr, tradesCapacity);
  sync();
}

/** True when the trade list outgrew its buffer (the metrics are still complete). */
export function accTradesDropped(): boolean {
  return SCALAR.s[A_TRADES_DROPPED] !== 0;
}

/** Closes the open position at raw price x (slippage is applied against us). */
export function accClose(x: number, bar: number, reason: number): void {
  accountClose(SCALAR, x, bar, reason);
  sync();
}

/** accountOpen on the scalar account. */
export function accOpen(d: number, x: number, bar: number, stopDistance: number, targetDistance: number): boolean {
  const opened = accountOpen(SCALAR, d, x, bar, stopDistance, targetDistance);
  sync();
  return opened;
}

/** accountFirstSignal on the scalar account. */
export function accFirstSignal(lookback: number): number {
  return accountFirstSignal(SCALAR, lookback);
}

/** The window's first bar within the kernel's bars (CFG_ORIGIN). */
export function accOrigin(): number {
  return SCALAR.s[A_ORIGIN]! | 0;
}

/** Risk per trade for `risk` sizing: a gene of the strategies that size by risk. */
export function accSetRiskPerTrade(r: number): void {
  SCALAR.s[A_RISK_PER_TRADE] = r;
}

/**
 * Scales the size of the positions opened from now on (the generic simulator's |target|):
 * fraction x s with `fraction` sizing, riskPerTrade x s with `risk` sizing. 1 after accInit,
 * and x * 1 is x, so the kernels that never call this size exactly as before.
 */
export function accSetSizeScale(s: number): void {
  SCALAR.s[A_SIZE_SCALE] = s;
}

/** Moves to target direction t at raw price x: closes what is held, opens the new side. */
export function accOrder(
  target: number, x: number, bar: number, reason: number, stopDistance: number, targetDistance: number,
): void {
  accountOrder(SCALAR, target, x, bar, reason, stopDistance, targetDistance);
  sync();
}

/** accountCheckStops on the scalar account. */
export function accCheckStops(o: number, h: number, l: number, t: number): void {
  if (accountCheckStops(SCALAR, o, h, l, t)) sync();
}

/** Marks bar t to market at its close c, after its fills (accountMarkRun of one bar). */
export function accMark(c: number, t: number): void {
  ONE[0] = c;
  if (accountMarkRun(SCALAR, ONE, 0, t, t + 1)) sync();
}

/** accountFinish on the scalar account. */
export function accFinish(n: number, lastClose: number, out: Float64Array): void {
  accountFinish(SCALAR, n, lastClose, out);
}

/** Number of trades closed so far (for the caller to know how many records were written). */
export function accTrades(): number {
  return SCALAR.s[A_TRADES]! | 0;
}
