// Family `sma-cross` (SPEC section 4): the batch kernel of the reference workload W1 (the
// single-genome kernel it matches bit for bit is in sma-cross.ts).
// Twin: assembly/strategies/sma-cross-batch.ts.
import { OK, E_LENGTH, E_PERIOD, E_PARAM, E_SCRATCH, E_STOPPED } from '../status.js';
import { shouldStop } from '../host.js';
import {
  CFG_FILL, CFG_SHORTS, CFG_SIZING, FILL_CLOSE, SIZING_RISK, MET_LENGTH, EXIT_SIGNAL,
  EXIT_REVERSAL, CFG_CASH,
} from '../layout.js';
import type { Account } from './account.js';
import {
  accountInit, accountOrder, accountCloseAtEnd, accountMetrics, accountFirstSignal,
  newAccount, A_BYTES, A_SLOTS, A_CASH, A_UNITS, A_DIR, A_ORIGIN,
} from './account.js';
import {
  mark, S_CASH, S_UNITS, S_PEAK, S_LOW, S_DD, S_SUM_R, S_SUM_R2, S_SUM_N2, S_PREV, S_SLOTS, STATE_BYTES,
} from './sma-cross-marks.js';

// ---------------------------------------------------------------------------------------------
// The batch kernel: the population path (W1 and the GA). It returns, for every genome, exactly
// the metrics of `smaCross` (sma-cross.ts), computed the way the WASM twin computes them (which runs two
// genomes at once in the lanes of a v128, lane operations being exactly these scalar ones):
// pass 1 follows the SMAs and records the crosses, pass 2 marks to market between those events.
// The shortcuts (the crossover test without division, the drawdown with one division per peak,
// ruin checked after the fact) and why they give the same bits are explained in
// assembly/strategies/sma-cross-batch.ts.

const U = 1.1102230246251565e-16; // 2^-53
const TIE_MARGIN = 32.0 * U;
const ORDER_UP = 281474976710656.0; // 2^48 = 1 / TIE_MARGIN

// The genome's account block (account.ts) at the start of the scratch; the WASM twin keeps one
// per lane, and this twin leaves room for two so both ask for the same scratch.
const LANE_BYTES = 2 * A_BYTES;

/**
 * Scratch bytes smaCrossBatch needs: the lanes' account blocks; a zero-padded copy of the first bars (pass 1
 * reads close[t - k] before the first bar as 0, which makes s + (c - 0) the warm-up sum s + c to
 * the bit, and for t <= maxPeriod it reads from that copy); one event list per lane; and two
 * blocks of pass 2's state. The same size as the WASM twin's (which is given this one's).
 */
export function smaCrossBatchScratchBytes(n: number, maxPeriod: number): number {
  const head = maxPeriod < n ? maxPeriod + 1 : n;
  return LANE_BYTES + (maxPeriod + head) * 16 + 2 * (n + 1) * 4 + 2 * STATE_BYTES;
}

/** out[2t] = close[t], out[2t + 1] = open[t]: the layout smaCrossBatch reads (built once per market). */
export function interleaveBars(open: Float64Array, close: Float64Array, n: number, out: Float64Array): number {
  if (n < 0) return E_LENGTH;
  for (let t = 0; t < n; t++) {
    out[2 * t] = close[t]!;
    out[2 * t + 1] = open[t]!;
  }
  return OK;
}

// What smaCross does with a signal of `target` at the price x of bar t: a signal in the
// direction already held is ignored, anything else goes to the account.
function laneOrder(L: Account, target: number, x: number, t: number): void {
  if (target !== (L.s[A_DIR]! | 0)) accountOrder(L, target, x, t, target !== 0 ? EXIT_REVERSAL : EXIT_SIGNAL, 0, 0);
}

/**
 * Pass 1: the crosses of one genome over bars [0, n - 1) as t * 2 + (1 up, 0 down), for t >= its
 * lag and t >= firstBar (the window's first signal bar, accountFirstSignal); returns the count. `head` holds the first bars behind zero pairs (headBase: index of close[0] in it).
 *
 * `state` is the last bar's order: +2^48 for f > s, -2^48 for f < s, NaN for f == s (and before
 * bar 0, whose order comes out exactly as smaCross's first comparison). With D = A - B and
 * M = 2^-48 A, a bar whose order is certain and the same as the last one's has D > M or -D > M,
 * that is D * state > A, and no event.
 */
function crosses(
  bars: Float64Array, head: Float64Array, headBase: number, n: number, fast: number, slow: number, ev: Int32Array,
  firstBar: number,
): number {
  const lag = fast > slow ? fast : slow;
  const evFrom = lag > firstBar ? lag : firstBar;
  const kf = fast;
  const ks = slow;
  let sf = 0;
  let ss = 0;
  let state = NaN;
  let count = 0;
  const warm = lag < n - 1 ? lag : n - 1;
  // Two segments of the same loop: the warm-up bars read the zero-padded copy, the rest the bars.
  for (let seg = 0; seg < 2; seg++) {
    const from = seg === 0 ? 0 : warm;
    const to = seg === 0 ? warm : n - 1;
    const src = seg === 0 ? head : bars;
    const base = seg === 0 ? headBase : 0;
    for (let t = from; t < to; t++) {
      const at = base + 2 * t;
      const c = src[at]!;
      sf = sf + (c - src[at - 2 * fast]!);
      ss = ss + (c - src[at - 2 * slow]!);
      // f > s certain when D > M, f < s certain when -D = B - A > M (exactly, IEEE subtraction
      // being sign-symmetric).
      const A = sf * ks;
      const D = A - ss * kf;
      if (!(D * state > A)) {
        const M = A * TIE_MARGIN;
        let gt = D > M;
        let lt = -D > M;
        if (!gt && !lt) {
          const f = sf / kf;
          const s = ss / ks;
          gt = f > s;
          lt = f < s;
        }
        // smaCross's up is pf <= ps && f > s: a last order other than f > s; down mirrored.
        if (t >= evFrom) {
          if (gt && state !== ORDER_UP) ev[count++] = t * 2 + 1;
          else if (lt && state !== -ORDER_UP) ev[count++] = t * 2;
        }
        state = gt ? ORDER_UP : lt ? -ORDER_UP : NaN;
      }
    }
  }
  return count;
}

/**
 * smaCross for count genomes (SMA_CROSS_GENES each) into count * MET_LENGTH metrics; each
 * genome's metrics are bit-identical to smaCross's. `bars` holds the n bars as interleaveBars
 * lays them out; `scratch` holds smaCrossBatchScratchBytes(n, largest period) bytes.
 */
export function smaCrossBatch(
  bars: Float64Array, n: number, genomes: Float64Array, count: number, cfg: Float64Array, out: Float64Array,
  scratch: Float64Array, scratchBytes: number,
): number {
  if (n < 1) return E_LENGTH;
  if ((cfg[CFG_SIZING]! | 0) === SIZING_RISK) return E_PARAM;
  let maxP = 1;
  for (let g = 0; g < 2 * count; g++) {
    const k = genomes[g]! | 0;
    if (k < 1) return E_PERIOD;
    if (k > maxP) maxP = k;
  }
  if (scratchBytes < smaCrossBatchScratchBytes(n, maxP)) return E_SCRATCH;
  const cash0 = cfg[CFG_CASH]!;
  const closeFill = (cfg[CFG_FILL]! | 0) === FILL_CLOSE;
  const downTarget = cfg[CFG_SHORTS] !== 0 ? -1 : 0;
  const L = newAccount(scratch.subarray(0, A_SLOTS));
  // The warm-up copy: maxP zero pairs, then the first min(maxP + 1, n) bars.
  const headBars = maxP < n ? maxP + 1 : n;
  const head = scratch.subarray(LANE_BYTES / 8, LANE_BYTES / 8 + 2 * (maxP + headBars));
  head.fill(0, 0, 2 * maxP);
  head.set(bars.subarray(0, 2 * headBars), 2 * maxP);
  const headBase = 2 * maxP;
  const evAt = scratch.byteOffset + LANE_BYTES + (maxP + headBars) * 16;
  const ev = new Int32Array(scratch.buffer, evAt, n + 1);
  // Two state blocks, after the second event list (unused here) and aligned for Float64Array.
  const stateAt = (evAt + 2 * (n + 1) * 4 + 7) & ~7;
  let src = new Float64Array(scratch.buffer, stateAt, S_SLOTS);
  let dst = new Float64Array(scratch.buffer, stateAt + S_SLOTS * 8, S_SLOTS);
  const last = bars[2 * (n - 1)]!;
  const fillShift = closeFill ? 0 : 1;

  for (let g = 0; g < count; g++) {
    // Between pairs, as the WASM twin checks (it runs genomes two at a time).
    if (g % 2 === 0 && shouldStop()) return E_STOPPED;
    accountInit(L, cfg, null, null, 0);
    const nEv = crosses(bars, head, headBase, n, genomes[2 * g]! | 0, genomes[2 * g + 1]! | 0, ev, accountFirstSignal(L, 0));

    // Pass 2: the window's first bar (origin; flat, its equity the cash), then segments between
    // the bars where the genome acts on an event.
    const first = cash0;
    src.fill(0);
    src[S_CASH] = cash0;
    src[S_PEAK] = first;
    src[S_LOW] = first;
    src[S_PREV] = first;
    let iEv = 0;
    let t = (L.s[A_ORIGIN]! | 0) + 1;
    for (;;) {
      const stop = iEv < nEv ? (ev[iEv]! >> 1) + fillShift : n;
      if (t < stop) {
        mark(bars, t, stop, src, dst, false, L);
        // In a position with equity at or below zero at a bar of this segment: ruin. The lowest
        // equity since the peak is at or below zero, or a new peak after it closed a drawdown
        // of at least 1 (twin). Mark the segment again bar by bar.
        if (dst[S_UNITS] !== 0 && (dst[S_LOW]! <= 0 || dst[S_DD]! >= 1)) mark(bars, t, stop, src, dst, true, L);
        const tmp = src;
        src = dst;
        dst = tmp;
        t = stop;
      }
      if (stop >= n) break;
      // The fill of bar `stop`, before its mark.
      const e1 = ev[iEv++]!;
      laneOrder(L, (e1 & 1) !== 0 ? 1 : downTarget, bars[2 * stop + (closeFill ? 0 : 1)]!, stop);
      src[S_CASH] = L.s[A_CASH]!;
      src[S_UNITS] = L.s[A_UNITS]!;
    }
    const prev = src[S_PREV]!;
    const peak = src[S_PEAK]!;
    // The drawdown of the last peak closes the maximum.
    const dd = Math.max(src[S_DD]!, (peak - src[S_LOW]!) / peak);

    // accountFinish, from the genome's marks.
    accountCloseAtEnd(L, n, last);
    accountMetrics(L, n, first, prev, src[S_SUM_R]!, src[S_SUM_R2]!, src[S_SUM_N2]!, dd, out.subarray(g * MET_LENGTH, (g + 1) * MET_LENGTH));
  }
  return OK;
}
