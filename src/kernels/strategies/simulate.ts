// The generic simulator (SPEC sections 2 and 9): a strategy module's signals, as a target
// position per bar with optional stop and take distances, run through the account of section 2.
// Twin: assembly/strategies/simulate.ts.
import { OK, E_LENGTH, E_PARAM, E_STOPPED } from '../status.js';
import { shouldStop } from '../host.js';
import {
  CFG_FILL, CFG_SHORTS, CFG_SIZING, FILL_CLOSE, SIZING_RISK, MET_LENGTH, EXIT_SIGNAL, EXIT_REVERSAL,
} from '../layout.js';
import {
  accountInit, accountOrder, accountCheckStops, accountMarkRun, accountFinish, accountFirstSignal, newAccount, type Account,
  A_DIR, A_STOP, A_TARGET, A_RISK_PER_TRADE, A_SIZE_SCALE,
} from './account.js';
import { markPairRun } from './simulate-pair.js';

/** What simulateBatch runs per input (the WASM twin reads the same as a table row). */
export interface SimRow {
  target: Float64Array;
  stop: Float64Array | null;
  take: Float64Array | null;
  riskPerTrade: number;
}

/** A lane: an account and the simulator's own state for one input (the twin's lane block). */
interface Lane {
  a: Account;
  pending: boolean; // a fill is due at the next bar's open
  pendingDir: number;
  pendingScale: number;
  pendingStop: number;
  pendingTake: number;
  target: Float64Array;
  stop: Float64Array | null;
  take: Float64Array | null;
}

const newLane = (): Lane => ({
  a: newAccount(), pending: false, pendingDir: 0, pendingScale: 1, pendingStop: 0, pendingTake: 0, target: new Float64Array(0), stop: null, take: null,
});

// Two lanes: simulate uses the first, simulateBatch both.
const LANES: [Lane, Lane] = [newLane(), newLane()];

/** What every lane of one call shares: the bars and the rules. */
interface Bars {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  n: number;
  from: number; // the first bar whose target is read
  last: number; // the last one (n - 2)
  closeFill: boolean;
  shorts: boolean;
}

// The direction a target asks for.
function directionOf(x: number, shorts: boolean): number {
  return x > 0 ? 1 : x < 0 && shorts ? -1 : 0;
}

function barsOf(open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, n: number, cfg: Float64Array): Bars {
  return { open, high, low, close, n, from: 0, last: n - 2, closeFill: (cfg[CFG_FILL]! | 0) === FILL_CLOSE, shorts: cfg[CFG_SHORTS] !== 0 };
}

function laneInit(
  L: Lane, b: Bars, cfg: Float64Array, target: Float64Array, stop: Float64Array | null, take: Float64Array | null, riskPerTrade: number,
  equity: Float64Array | null, trades: Float64Array | null, tradesCap: number,
): void {
  accountInit(L.a, cfg, equity, trades, tradesCap);
  L.a.s[A_RISK_PER_TRADE] = riskPerTrade;
  L.pending = false;
  L.target = target;
  L.stop = stop;
  L.take = take;
  b.from = accountFirstSignal(L.a, 0); // the window's first bar (next-open) or the one after (close)
}

/** Bar t of lane L before its mark: the fill due, the stops, the signal. E_PARAM for a target outside [-1, 1]. */
function laneAct(L: Lane, b: Bars, t: number): number {
  const a = L.a;
  const s = a.s;
  if (L.pending) {
    const d = L.pendingDir;
    s[A_SIZE_SCALE] = L.pendingScale;
    accountOrder(a, d, b.open[t]!, t, d !== 0 ? EXIT_REVERSAL : EXIT_SIGNAL, L.pendingStop, L.pendingTake);
    L.pending = false;
  }
  if (s[A_DIR] !== 0) accountCheckStops(a, b.open[t]!, b.high[t]!, b.low[t]!, t);
  if (t >= b.from && t <= b.last) {
    const x = L.target[t]!;
    if (x === x) {
      if (!(x >= -1.0 && x <= 1.0)) return E_PARAM;
      const d = directionOf(x, b.shorts);
      if (d !== (s[A_DIR]! | 0)) {
        const sd = L.stop !== null ? L.stop[t]! : NaN;
        const td = L.take !== null ? L.take[t]! : NaN;
        if (b.closeFill) {
          s[A_SIZE_SCALE] = Math.abs(x);
          accountOrder(a, d, b.close[t]!, t, d !== 0 ? EXIT_REVERSAL : EXIT_SIGNAL, sd, td);
        } else {
          L.pending = true;
          L.pendingDir = d;
          L.pendingScale = Math.abs(x);
          L.pendingStop = sd;
          L.pendingTake = td;
        }
      }
    }
  }
  return OK;
}

/**
 * The first bar from t on where lane L acts (n when none); see the twin. The twin skips NaN
 * targets several at a time; the bars it stops at are the same.
 */
function laneQuiet(L: Lane, b: Bars, t: number): number {
  if (L.pending) return t;
  const s = L.a.s;
  const held = s[A_DIR]! | 0;
  const target = L.target;
  const readEnd = b.last + 1 < b.n ? b.last + 1 : b.n;
  if (held !== 0) {
    const stop = s[A_STOP]!;
    const take = s[A_TARGET]!;
    if (!(Number.isNaN(stop) && Number.isNaN(take))) {
      // A watched position: the levels on every bar, the targets where they are read.
      for (let j = t; j < b.n; j++) {
        const h = b.high[j]!;
        const l = b.low[j]!;
        if (held > 0 ? l <= stop || h >= take : h >= stop || l <= take) return j;
        if (j >= b.from && j < readEnd) {
          const x = target[j]!;
          if (x === x && (!(x >= -1.0 && x <= 1.0) || directionOf(x, b.shorts) !== held)) return j;
        }
      }
      return b.n;
    }
  }
  for (let j = t > b.from ? t : b.from; j < readEnd; j++) {
    const x = target[j]!;
    if (x === x && (!(x >= -1.0 && x <= 1.0) || directionOf(x, b.shorts) !== held)) return j;
  }
  return b.n;
}

/**
 * Runs target[t] (decided at bar t's close, in [-1, 1], NaN = keep) over bars [0, n); see the
 * twin for the rules. stop and take are null when the strategy gives none. Bars where nothing
 * can trade (laneQuiet) are marked as one run of accountMarkRun.
 */
export function simulate(
  open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, n: number,
  target: Float64Array, stop: Float64Array | null, take: Float64Array | null, riskPerTrade: number,
  cfg: Float64Array, out: Float64Array, equity: Float64Array | null, trades: Float64Array | null, tradesCap: number,
): number {
  if (n < 1) return E_LENGTH;
  if ((cfg[CFG_SIZING]! | 0) === SIZING_RISK && !(riskPerTrade >= 0 && riskPerTrade < Infinity)) return E_PARAM;
  const b = barsOf(open, high, low, close, n, cfg);
  const L = LANES[0];
  laneInit(L, b, cfg, target, stop, take, riskPerTrade, equity, trades, tradesCap);
  let t = 0;
  while (t < n) {
    const status = laneAct(L, b, t);
    if (status !== OK) return status;
    accountMarkRun(L.a, close, t, t, t + 1);
    t++;
    const q = laneQuiet(L, b, t);
    if (q > t) {
      accountMarkRun(L.a, close, t, t, q);
      t = q;
    }
  }
  accountFinish(L.a, n, close[n - 1]!, out);
  return OK;
}

/** Two rows side by side, each exactly as simulate runs it (twin). */
function simulatePair(b: Bars, cfg: Float64Array, rowA: SimRow, rowB: SimRow, outA: Float64Array, outB: Float64Array): number {
  const [LA, LB] = LANES;
  laneInit(LA, b, cfg, rowA.target, rowA.stop, rowA.take, rowA.riskPerTrade, null, null, 0);
  laneInit(LB, b, cfg, rowB.target, rowB.stop, rowB.take, rowB.riskPerTrade, null, null, 0);
  const n = b.n;
  let qA = 0; // the next bar where a lane acts
  let qB = 0;
  let t = 0;
  while (t < n) {
    if (qA === t) {
      const status = laneAct(LA, b, t);
      if (status !== OK) return status;
      qA = laneQuiet(LA, b, t + 1);
    }
    if (qB === t) {
      const status = laneAct(LB, b, t);
      if (status !== OK) return status;
      qB = laneQuiet(LB, b, t + 1);
    }
    const to = qA < qB ? qA : qB;
    markPairRun(LA.a, LB.a, b.close, t, to);
    t = to;
  }
  const lastClose = b.close[n - 1]!;
  accountFinish(LA.a, n, lastClose, outA);
  accountFinish(LB.a, n, lastClose, outB);
  return OK;
}

/** simulate for count rows into count * MET_LENGTH metrics, two at a time (twin); asks the host between pairs whether to stop. */
export function simulateBatch(
  open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, n: number,
  rows: readonly SimRow[], count: number, cfg: Float64Array, out: Float64Array,
): number {
  if (n < 1) return E_LENGTH;
  const risk = (cfg[CFG_SIZING]! | 0) === SIZING_RISK;
  for (let g = 0; g < count; g++) {
    const r = rows[g]!.riskPerTrade;
    if (risk && !(r >= 0 && r < Infinity)) return E_PARAM;
  }
  const b = barsOf(open, high, low, close, n, cfg);
  const metrics = (g: number): Float64Array => out.subarray(g * MET_LENGTH, (g + 1) * MET_LENGTH);
  let g = 0;
  for (; g + 1 < count; g += 2) {
    if (shouldStop()) return E_STOPPED;
    const status = simulatePair(b, cfg, rows[g]!, rows[g + 1]!, metrics(g), metrics(g + 1));
    if (status !== OK) return status;
  }
  if (g < count) {
    if (shouldStop()) return E_STOPPED;
    const r = rows[g]!;
    return simulate(open, high, low, close, n, r.target, r.stop, r.take, r.riskPerTrade, cfg, metrics(g), null, null, 0);
  }
  return OK;
}
