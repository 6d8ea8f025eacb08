// One stoch-rsi-bands genome of the batch kernel (stoch-rsi-bands-batch.ts) in chunks of CHUNK
// bars, each chunk in a few short passes. Twin: assembly/strategies/stoch-rsi-bands-pass.ts
// (whose f64x2 passes run here one bar at a time: the same IEEE operation per value).
//
// Per chunk:
//  A. the StochRSI window's extremes (block min/max, see the batch kernel's header): r - min and
//     max - min per bar;
//  B. the raw StochRSI: 100 * ((r - min) / (max - min)), 50 where max = min (for finite
//     doubles, max - min == 0 exactly when max == min);
//  C. the running sums (the raw StochRSI's, %K's, the band's ATR sum) with %K = sk / kSmooth
//     between them, then %D = sd / dSmooth; the windows of the raw StochRSI and of %K read back
//     from rings of RING values;
//  D. which bars could open a position: a cross of %K over %D inside the bounds of the bands (a
//     superset of the entries, decided exactly in E);
//  E. the decisions and the account, bar by bar. A bar that starts flat with nothing pending
//     and no candidate from D does nothing (no fill, no stop, no order, no mark): skipped (the
//     WASM twin jumps to the next set bit). A quiet stretch of a position (see quietUntil) is
//     marked in one accountMarkRun.
// The indicator passes (A-D) run over every bar; the decisions and the account (E) from the
// window's first bar (CFG_ORIGIN; 0 = no warm-up): signals from accFirstSignal(1) on, the first
// mark at the origin.
import { bandAt, bandHi, bandLo } from '../indicators/bands.js';
import { CFG_FILL, CFG_SHORTS, FILL_CLOSE, EXIT_SIGNAL } from '../layout.js';
import * as acc from './account-scalar.js';
import { accountMarkRun } from './account.js';
import { quietUntil } from './stoch-rsi-bands-steps.js';

/** Bars per chunk (even, so the two-bar passes of the WASM twin cover whole pairs). */
export const CHUNK = 256;
/** Ring length of the raw StochRSI and %K windows (a power of two, >= CHUNK + the period). */
const RING = 512;
const MASK = RING - 1;
/** The longest kSmooth and dSmooth this kernel takes (longer ones take the series kernel). */
export const MAX_SMOOTH = RING - CHUNK;
/** f64 values of work memory one genome needs besides the suffix arrays. */
export const PASS_WORK = 3 * RING + 4 + 5 * CHUNK;
const BAND_MARGIN = 1e-9;

/**
 * One genome over bars [0, n). rsiS: the RSI of its rsiK (first valid at fR, no NaN nor sign
 * bit after it); atrS: the ATR (first valid at fA); sufMin, sufMax: scratch of stochK + 1 values
 * (n at most); work: PASS_WORK values; sStoch: n values of the raw StochRSI of this rsiK and
 * stochK, read back from the genome before (reuse) or written for the next one (keep). Periods
 * and sensitivity were checked by the caller, and kSmooth, dSmooth <= MAX_SMOOTH.
 */
export function stochRsiBandsGenome(
  open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, n: number,
  genes: Float64Array, cfg: Float64Array, out: Float64Array, rsiS: Float64Array, fR: number,
  atrS: Float64Array, fA: number, sufMin: Float64Array, sufMax: Float64Array, work: Float64Array,
  sStoch: Float64Array, reuse: boolean, keep: boolean, equity: Float64Array | null = null, trades: Float64Array | null = null, tradesCap = 0,
): void {
  // Rings indexed by bar & MASK; %K's and %D's have a slot before them (index 0 here, 1 + bar & MASK).
  const ringS = work.subarray(0, RING);
  const ringK = work.subarray(RING + 1, 2 * RING + 3);
  const ringD = work.subarray(2 * RING + 3, 3 * RING + 4);
  const num = work.subarray(3 * RING + 4, 3 * RING + 4 + CHUNK);
  const den = work.subarray(3 * RING + 4 + CHUNK, 3 * RING + 4 + 2 * CHUNK);
  const sdc = work.subarray(3 * RING + 4 + 2 * CHUNK, 3 * RING + 4 + 3 * CHUNK);
  const sbc = work.subarray(3 * RING + 4 + 3 * CHUNK, 3 * RING + 4 + 4 * CHUNK);
  const fl = new Uint8Array(CHUNK);
  const stochK = genes[1]! | 0;
  const kSmooth = genes[2]! | 0;
  const dSmooth = genes[3]! | 0;
  const oversold = genes[4]!;
  const overbought = genes[5]!;
  const atrK = genes[6]! | 0;
  const sensitivity = genes[7]!;
  const adjust = genes[8]!;
  const stopAtr = genes[9]!;
  const takeProfitAtr = genes[10]!;
  const kk = kSmooth;
  const kd = dSmooth;
  const ka = atrK;
  const inv = 1.0 / sensitivity;
  const active = sensitivity > 1.0;
  // Bounds of the bands (see the batch kernel's header); without them every band is computed.
  const bounded = adjust >= 0.0 && Math.abs(oversold) <= 1e6 && Math.abs(overbought) <= 1e6;
  let loMax = bounded ? oversold + 10.0 + BAND_MARGIN : Infinity;
  if (loMax < 0.0) loMax = 0.0;
  let hiMin = bounded ? overbought - 10.0 - BAND_MARGIN : -Infinity;
  if (hiMin > 100.0) hiMin = 100.0;
  // First bars of each stage, at most n.
  const fS = Math.min(fR + stochK - 1, n);
  const fK = Math.min(fS + kSmooth - 1, n);
  const fD = Math.min(fK + dSmooth - 1, n);
  const fB = Math.min(fA + atrK - 1, n);
  // The window of the last bar of each block is the block itself: sentinels that select nothing.
  if (stochK < n) {
    sufMin[stochK] = Infinity;
    sufMax[stochK] = 0;
  }
  ringK[1 + MASK] = NaN; // %K and %D before bar 0
  ringD[1 + MASK] = NaN;

  const closeFill = (cfg[CFG_FILL]! | 0) === FILL_CLOSE;
  const shorts = cfg[CFG_SHORTS] !== 0;
  acc.accInit(cfg, equity, trades, tradesCap);
  acc.accSetRiskPerTrade(genes[11]!);
  // Warm-up: bars before the window's first bar (origin) only warm the indicators up; nothing
  // is decided before `first` (the cross looks at the bar before) nor marked before origin.
  const first = acc.accFirstSignal(1);
  const origin = acc.accOrigin();
  // The equity of the bars that are not marked (flat, nothing pending) is filled in at the end.
  if (equity !== null) equity.fill(NaN, 0, n - origin);
  let pending = false;
  let pendingTarget = 0;
  let pendingStop = 0;
  let pendingTake = 0;
  let p = 0; // position of bar t in its block of stochK RSI values
  let curMin = 0; // running extremes of the block
  let curMax = 0;
  let sk = 0;
  let sd = 0;
  let sb = 0;
  for (let t0 = 0; t0 < n; t0 += CHUNK) {
    const t1 = t0 + CHUNK < n ? t0 + CHUNK : n;
    const len = t1 - t0;
    const at = t0 & MASK;
    if (reuse) {
      // The raw StochRSI of this rsiK and stochK, from the genome before.
      ringS.set(sStoch.subarray(t0, t1), at);
    } else {
      // A: r - min and max - min of the StochRSI window (bars before fS are never read).
      for (let t = t0 > fR ? t0 : fR; t < t1; t++) {
        const r = rsiS[t]!;
        if (p === 0) {
          if (t > fR) {
            // The block [t - stochK, t) is complete: its suffix extremes.
            const b = t - stochK;
            let sm = rsiS[b + stochK - 1]!;
            let sx = sm;
            for (let i = stochK - 1; i >= 0; i--) {
              const v = rsiS[b + i]!;
              sm = Math.min(v, sm);
              sx = Math.max(v, sx);
              sufMin[i] = sm;
              sufMax[i] = sx;
            }
          }
          curMin = r;
          curMax = r;
        } else {
          curMin = Math.min(r, curMin);
          curMax = Math.max(r, curMax);
        }
        const q = p + 1;
        p = q === stochK ? 0 : q;
        // The window is this block up to t and the previous block from position q on.
        const mn = Math.min(sufMin[q]!, curMin);
        const mx = Math.max(sufMax[q]!, curMax);
        num[t - t0] = r - mn;
        den[t - t0] = mx - mn;
      }
      // B: the raw StochRSI of the chunk's bars into the ring, and kept at sStoch for the genomes
      // that follow with the same rsiK and stochK.
      for (let i = 0; i < len; i++) {
        const dn = den[i]!;
        const v = dn === 0 ? 50.0 : 100.0 * (num[i]! / dn);
        ringS[at + i] = v;
        sStoch[t0 + i] = v;
      }
    }
    // C: the running sums (the raw StochRSI's, %K's, the band's ATR sum) with %K = sk / kSmooth
    // between them (NaN before fK), then %D = sd / dSmooth (NaN before fD).
    // The slot before the ring holds the bar before a chunk that starts the ring.
    if (at === 0) {
      ringK[0] = ringK[1 + MASK]!;
      ringD[0] = ringD[1 + MASK]!;
    }
    if (t0 > fD && t0 > fB) {
      for (let t = t0; t < t1; t++) {
        const j = t & MASK;
        sk = sk + (ringS[j]! - ringS[(t - kSmooth) & MASK]!);
        const k = sk / kk;
        ringK[1 + j] = k;
        sd = sd + (k - ringK[1 + ((t - dSmooth) & MASK)]!);
        sdc[t - t0] = sd;
        sb = sb + (atrS[t]! - atrS[t - atrK]!);
        sbc[t - t0] = sb;
      }
    } else {
      // The chunks of the warm-ups: each stage from its first bar.
      for (let t = t0; t < t1; t++) {
        const j = t & MASK;
        let k = NaN;
        if (t >= fS) {
          const s = ringS[j]!;
          if (t <= fK) sk = sk + s;
          else sk = sk + (s - ringS[(t - kSmooth) & MASK]!);
          if (t >= fK) {
            k = sk / kk;
            if (t <= fD) sd = sd + k;
            else sd = sd + (k - ringK[1 + ((t - dSmooth) & MASK)]!);
          }
        }
        ringK[1 + j] = k;
        sdc[t - t0] = sd;
        if (t >= fA) {
          const a = atrS[t]!;
          if (t <= fB) sb = sb + a;
          else sb = sb + (a - atrS[t - atrK]!);
        }
        sbc[t - t0] = sb;
      }
    }
    for (let i = 0; i < len; i++) ringD[1 + at + i] = t0 + i < fD ? NaN : sdc[i]! / kd;
    // D: the bars where a flat account could open a position.
    for (let i = 0; i < len; i++) {
      const pk = ringK[at + i]!;
      const pd = ringD[at + i]!;
      const k = ringK[1 + at + i]!;
      const d = ringD[1 + at + i]!;
      fl[i] = (pk <= pd && k > d && k < loMax) || (shorts && pk >= pd && k < d && k > hiMin) ? 1 : 0;
    }
    // E: the decisions and the account, bar by bar.
    for (let t = t0 > origin ? t0 : origin; t < t1; t++) {
      const i = t - t0;
      if (!pending && acc.dir === 0 && t !== origin && fl[i] === 0) continue;
      if (!pending && acc.dir !== 0 && t > acc.entryBar) {
        // A quiet stretch of the position: bars that touch neither stop nor target, where %K
        // cannot reach the exit band and the mark stays above ruin. Each would check its stops,
        // order nothing and be marked: marked together, with the marks' state in locals.
        const u = quietUntil(t, t1, low, high, close, ringK, 1 + at - t0, acc.dir > 0 ? hiMin : loMax);
        if (u > t) {
          accountMarkRun(acc.accBlock(), close, t, t, u);
          t = u - 1;
          continue;
        }
      }
      // Held at the bar's start, or about to be entered (a stop can close it within the bar).
      const touched = acc.dir !== 0 || pending;
      if (pending) {
        acc.accOrder(pendingTarget, open[t]!, t, EXIT_SIGNAL, pendingStop, pendingTake);
        pending = false;
      }
      if (acc.dir !== 0 && (closeFill ? t > acc.entryBar : t >= acc.entryBar)) {
        acc.accCheckStops(open[t]!, high[t]!, low[t]!, t);
      }
      const c = close[t]!;
      const pk = ringK[at + i]!;
      const pd = ringD[at + i]!;
      const k = ringK[1 + at + i]!;
      const d = ringD[1 + at + i]!;
      if (t >= first && t <= n - 2 && t >= fB) {
        const a = atrS[t]!;
        const sbv = sbc[i]!;
        let target = 2;
        if (acc.dir === 0) {
          if (pk <= pd && k > d && k < loMax) {
            bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
            if (k < bandLo) target = 1;
          }
          if (target === 2 && shorts && pk >= pd && k < d && k > hiMin) {
            bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
            if (k > bandHi) target = -1;
          }
        } else if (acc.dir > 0) {
          if (k > hiMin) {
            bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
            if (k > bandHi) target = 0;
          }
        } else if (k < loMax) {
          bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
          if (k < bandLo) target = 0;
        }
        if (target !== 2) {
          const stopDistance = target !== 0 ? stopAtr * a : 0.0;
          const takeDistance = target !== 0 ? takeProfitAtr * a : 0.0;
          if (target === 0 || a > 0) {
            if (closeFill) acc.accOrder(target, c, t, EXIT_SIGNAL, stopDistance, takeDistance);
            else {
              pending = true;
              pendingTarget = target;
              pendingStop = stopDistance;
              pendingTake = takeDistance;
            }
          }
        }
      }
      if (touched || acc.dir !== 0 || t === origin) acc.accMark(c, t);
    }
  }
  acc.accFinish(n, close[n - 1]!, out);
  if (equity !== null) fillUnmarked(equity, n - origin);
}

/** The equity of the bars the pass did not mark (twin). */
function fillUnmarked(equity: Float64Array, bars: number): void {
  for (let t = 1; t < bars; t++) if (Number.isNaN(equity[t]!)) equity[t] = equity[t - 1]!;
}
