// The generic simulator (SPEC sections 2 and 9): a strategy module's signals, as a target
// position per bar with optional stop and take distances, run through the account of section 2.
// Twin: assembly/strategies/simulate.ts.
import { OK, E_LENGTH, E_PARAM, E_STOPPED } from '../status.js';
import { shouldStop } from '../host.js';
import {
  CFG_FILL, CFG_SHORTS, CFG_SIZING, FILL_CLOSE, SIZING_RISK, MET_LENGTH, EXIT_SIGNAL, EXIT_REVERSAL,
} from '../layout.js';
import {
  accountInit, accountOrder, accountCheckStops, accountMarkRun, accountFinish, accountFirstSignal, newAccount, type Account, A_DIR, A_STOP, A_TARGET, A_RISK_PER_TRADE, A_SIZE_SCALE,
} from './account.js';

/** What simulateBatch runs per input (the WASM twin reads the same as a table row). */
export interface SimRow {
  target: Float64Array;
  stop: Float64Array | null;
  take: Float64Array | null;
  riskPerTrade: number;
}

// The simulator's account block.
const SIM = newAccount();

// The direction a target asks for.
function directionOf(x: number, shorts: boolean): number {
  return x > 0 ? 1 : x < 0 && shorts ? -1 : 0;
}

/**
 * The first bar from t on where the account needs the full step (n when none; the twin's
 * laneQuiet, a fill due aside): a held position's stop or target level touched (the tests of
 * accountCheckStops), or a target (read on bars [from, last]) that asks for another direction
 * or is out of range.
 */
function quietUntil(
  a: Account, target: Float64Array, high: Float64Array, low: Float64Array, t: number, n: number, from: number, last: number, shorts: boolean,
): number {
  const s = a.s;
  const held = s[A_DIR]! | 0;
  const readEnd = last + 1 < n ? last + 1 : n;
  if (held !== 0) {
    const stop = s[A_STOP]!;
    const take = s[A_TARGET]!;
    if (!(Number.isNaN(stop) && Number.isNaN(take))) {
      // A watched position: the levels on every bar, the targets where they are read.
      for (let j = t; j < n; j++) {
        const h = high[j]!;
        const l = low[j]!;
        if (held > 0 ? l <= stop || h >= take : h >= stop || l <= take) return j;
        if (j >= from && j < readEnd) {
          const x = target[j]!;
          if (x === x && (!(x >= -1.0 && x <= 1.0) || directionOf(x, shorts) !== held)) return j;
        }
      }
      return n;
    }
  }
  for (let j = t > from ? t : from; j < readEnd; j++) {
    const x = target[j]!;
    if (x === x && (!(x >= -1.0 && x <= 1.0) || directionOf(x, shorts) !== held)) return j;
  }
  return n;
}

/**
 * Runs target[t] (decided at bar t's close, in [-1, 1], NaN = keep) over bars [0, n); see the
 * twin for the rules. stop and take are null when the strategy gives none. Bars where nothing
 * can trade (quietUntil) are marked as one run of accountMarkRun.
 */
export function simulate(
  open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, n: number,
  target: Float64Array, stop: Float64Array | null, take: Float64Array | null, riskPerTrade: number,
  cfg: Float64Array, out: Float64Array, equity: Float64Array | null, trades: Float64Array | null, tradesCap: number,
): number {
  if (n < 1) return E_LENGTH;
  if ((cfg[CFG_SIZING]! | 0) === SIZING_RISK && !(riskPerTrade >= 0 && riskPerTrade < Infinity)) return E_PARAM;
  const closeFill = (cfg[CFG_FILL]! | 0) === FILL_CLOSE;
  const shorts = cfg[CFG_SHORTS] !== 0;
  const a = SIM;
  const s = a.s;
  accountInit(a, cfg, equity, trades, tradesCap);
  s[A_RISK_PER_TRADE] = riskPerTrade;
  const from = accountFirstSignal(a, 0); // the window's first bar (next-open) or the one after (close)
  const last = n - 2;
  let pending = false;
  let pendingDir = 0;
  let pendingScale = 1;
  let pendingStop = 0;
  let pendingTake = 0;
  let t = 0;
  while (t < n) {
    // Bar t: the fill due, the stops, the signal, the mark.
    if (pending) {
      s[A_SIZE_SCALE] = pendingScale;
      accountOrder(a, pendingDir, open[t]!, t, pendingDir !== 0 ? EXIT_REVERSAL : EXIT_SIGNAL, pendingStop, pendingTake);
      pending = false;
    }
    if (s[A_DIR] !== 0) accountCheckStops(a, open[t]!, high[t]!, low[t]!, t);
    if (t >= from && t <= last) {
      const x = target[t]!;
      if (x === x) {
        if (!(x >= -1.0 && x <= 1.0)) return E_PARAM;
        const d = directionOf(x, shorts);
        if (d !== (s[A_DIR]! | 0)) {
          const scale = Math.abs(x);
          const sd = stop !== null ? stop[t]! : NaN;
          const td = take !== null ? take[t]! : NaN;
          if (closeFill) {
            s[A_SIZE_SCALE] = scale;
            accountOrder(a, d, close[t]!, t, d !== 0 ? EXIT_REVERSAL : EXIT_SIGNAL, sd, td);
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
    accountMarkRun(a, close, t, t, t + 1);
    t++;
    // Then the quiet bars after it, if any, as one run.
    const q = pending ? t : quietUntil(a, target, high, low, t, n, from, last, shorts);
    if (q > t) {
      accountMarkRun(a, close, t, t, q);
      t = q;
    }
  }
  accountFinish(a, n, close[n - 1]!, out);
  return OK;
}

/** simulate for count rows into count * MET_LENGTH metrics; asks the host between rows whether to stop. */
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
  // The twin runs two rows side by side (simulatePair); each row's operations are these.
  for (let g = 0; g < count; g++) {
    if (shouldStop()) return E_STOPPED;
    const r = rows[g]!;
    const st = simulate(
      open, high, low, close, n, r.target, r.stop, r.take, r.riskPerTrade, cfg,
      out.subarray(g * MET_LENGTH, (g + 1) * MET_LENGTH), null, null, 0,
    );
    if (st !== OK) return st;
  }
  return OK;
}
