// The stoch-rsi-bands population kernel (W2 and the GA): for every genome exactly the metrics of
// stochRsiBands (stoch-rsi-bands.ts; the contract and W2 tests compare them), computed in a
// better order of memory and work. Twin: assembly/strategies/stoch-rsi-bands-batch.ts.
//
// - Shared work: the ATR depends on the config only (once per call); the RSI on rsiK alone, so
//   the genomes are visited in order of rsiK (a heap sort of keys rsiK * 2^32 + input index) and
//   the RSI series is computed once per distinct rsiK, by the same `rsi` kernel. Results are
//   written by input index, so the visiting order changes nothing.
// - One streaming pass per genome instead of five more series of n doubles: the raw StochRSI,
//   %K, %D and the band's running sum of the ATR are running state; %K's and %D's windows are
//   rings of kSmooth and dSmooth values, the ATR's window is read back from the shared series.
//   Every value is the same IEEE operation on the same operands as in the series kernels.
// - The StochRSI window's min and max are block (van Herk / Gil-Werman) extremes: the suffix
//   extremes of the previous block of stochK RSI values (computed once per block) and the
//   running extremes of the current block, O(1) per bar with no data-dependent branch, where
//   the monotonic deque mispredicts. They select values, so the result is the deque's. The RSI
//   after its warm-up has no NaN and no sign bit (both checked), so the extremes are taken on
//   the values' bits as i64 (conditional moves; the twin writes Math.min / Math.max).
// - Two phases per chunk of CHUNK bars: phase 1 computes the chunk's %K, %D and ATR sums (a
//   chain of three divisions per bar, with no branch waiting on them, so successive bars'
//   divisions overlap); phase 2 takes the decisions and runs the account from those values.
//   One pass did both per bar, and every mispredicted signal branch waited for the whole
//   division chain of its bar: the split alone took the kernel from about 24 to 41 M
//   bar-evaluations per CPU-second on W2 synthetic.
// - The bands are computed only on the bars whose decision can depend on them. With adjust >= 0
//   the lower band never exceeds max(0, oversold + 10) and the upper band is never below
//   min(100, overbought - 10) (widening moves them apart, narrowing by at most 10, the
//   width rule moves each outwards, the clamp to [0, 100]); with a margin of 1e-9 over rounding,
//   a %K outside those bounds decides `k < lo` / `k > hi` without them.
// - Flat bars are not marked: with the position flat and a finite close, accMark adds +0 to each
//   sum and leaves the peak and trough alone (e = cash = the previous equity), so skipping it is
//   exact. Bars where the position was held at any moment (including an entry
//   stopped out within its fill bar) are marked as before.
// Inputs outside those assumptions (a non-finite close, a NaN inside the RSI after warm-up) take
// the series kernel for the genomes concerned.
import { OK, E_LENGTH, E_PERIOD, E_PARAM, E_SCRATCH, E_STOPPED } from '../status.js';
import { shouldStop } from '../host.js';
import { CFG_FILL, CFG_SHORTS, CFG_ATR_PERIOD, FILL_CLOSE, MET_LENGTH, EXIT_SIGNAL } from '../layout.js';
import { rsi } from '../indicators/rsi.js';
import { atr } from '../indicators/atr.js';
import { firstValid } from '../indicators/common.js';
import { bandAt, bandHi, bandLo } from '../indicators/bands.js';
import * as acc from './account.js';
import { STOCH_RSI_BANDS_GENES, STOCH_RSI_BANDS_SCRATCH, stochRsiBandsRun } from './stoch-rsi-bands.js';

const KEY_SHIFT = 4294967296.0; // 2^32: key = rsiK * 2^32 + input index
const BAND_MARGIN = 1e-9;
/** Bars per chunk of the two-phase pass (3 x CHUNK values of scratch, in L1). */
const CHUNK = 128;

/** Scratch bytes of stochRsiBandsBatch: the series kernel's 7n values, one key per genome, the chunk. */
export function stochRsiBandsBatchScratchBytes(n: number, count: number): number {
  return (n * STOCH_RSI_BANDS_SCRATCH + count + 3 * CHUNK) * 8;
}

/**
 * One genome in one pass. rsiS holds the RSI of the genome's rsiK (first valid at fR, no NaN
 * after it), atrS the ATR (first valid at fA); sufMin, sufMax, ringS, ringK are scratch of n
 * values each. The genome's periods and sensitivity were checked by the caller.
 */
function fused(
  open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, n: number,
  genes: Float64Array, cfg: Float64Array, out: Float64Array, rsiS: Float64Array, fR: number,
  atrS: Float64Array, fA: number, sufMin: Float64Array, sufMax: Float64Array, ringS: Float64Array,
  ringK: Float64Array, chunk: Float64Array,
): void {
  const kBuf = chunk.subarray(0, CHUNK);
  const dBuf = chunk.subarray(CHUNK, 2 * CHUNK);
  const sbBuf = chunk.subarray(2 * CHUNK, 3 * CHUNK);
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
  // Bounds of the bands (see the header); without them (adjust < 0) every band is computed.
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

  const closeFill = (cfg[CFG_FILL]! | 0) === FILL_CLOSE;
  const shorts = cfg[CFG_SHORTS] !== 0;
  acc.accInit(cfg, null, null, 0);
  acc.accSetRiskPerTrade(genes[11]!);
  const first = acc.accFirstSignal(1); // warm-up: nothing is decided or marked before the window
  const origin = acc.accOrigin();
  let pending = false;
  let pendingTarget = 0;
  let pendingStop = 0;
  let pendingTake = 0;
  let p = 0; // position of bar t in its block of stochK RSI values
  let curMin = 0;
  let curMax = 0;
  let iS = 0; // ring positions
  let iK = 0;
  let sk = 0;
  let sd = 0;
  let sb = 0;
  let kv = NaN; // %K and %D at the latest bar of phase 1
  let dv = NaN;
  let pk = NaN;
  let pd = NaN;
  for (let t0 = 0; t0 < n; t0 += CHUNK) {
    const t1 = t0 + CHUNK < n ? t0 + CHUNK : n;
    // Phase 1: the indicators of the chunk's bars. No branch here waits for a division, so the
    // divisions of successive bars overlap instead of each bar's decisions waiting for its chain.
    for (let t = t0; t < t1; t++) {
      if (t >= fR) {
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
        if (t >= fS) {
          // The window is this block up to t and the previous block from position q on.
          const mn = q < stochK ? Math.min(sufMin[q]!, curMin) : curMin;
          const mx = q < stochK ? Math.max(sufMax[q]!, curMax) : curMax;
          const s = mx === mn ? 50.0 : 100.0 * ((r - mn) / (mx - mn));
          if (t <= fK) sk = sk + s;
          else sk = sk + (s - ringS[iS]!);
          ringS[iS] = s;
          iS = iS + 1 === kSmooth ? 0 : iS + 1;
          if (t >= fK) {
            kv = sk / kk;
            if (t <= fD) sd = sd + kv;
            else sd = sd + (kv - ringK[iK]!);
            ringK[iK] = kv;
            iK = iK + 1 === dSmooth ? 0 : iK + 1;
            if (t >= fD) dv = sd / kd;
          }
        }
      }
      if (t >= fA) {
        const a = atrS[t]!;
        if (t <= fB) sb = sb + a;
        else sb = sb + (a - atrS[t - atrK]!);
      }
      kBuf[t - t0] = kv;
      dBuf[t - t0] = dv;
      sbBuf[t - t0] = sb;
    }
    // Phase 2: the decisions and the account, bar by bar, from the chunk's values.
    for (let t = t0; t < t1; t++) {
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
      const k = kBuf[t - t0]!;
      const d = dBuf[t - t0]!;
      const sbv = sbBuf[t - t0]!;
      const a = t >= fA ? atrS[t]! : NaN;
      if (t >= first && t <= n - 2) {
        const haveBand = t >= fB;
        let target = 2;
        if (acc.dir === 0) {
          if (pk <= pd && k > d && k < loMax) {
            if (haveBand) {
              bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
              if (k < bandLo) target = 1;
            }
          }
          if (target === 2 && shorts && pk >= pd && k < d && k > hiMin) {
            if (haveBand) {
              bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
              if (k > bandHi) target = -1;
            }
          }
        } else if (acc.dir > 0) {
          if (k > hiMin && haveBand) {
            bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
            if (k > bandHi) target = 0;
          }
        } else if (k < loMax && haveBand) {
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
      pk = k;
      pd = d;
    }
  }
  acc.accFinish(n, close[n - 1]!, out);
}

// Heap sort of count keys in place (ascending).
function sortKeys(keys: Float64Array, count: number): void {
  for (let i = (count >> 1) - 1; i >= 0; i--) siftDown(keys, i, count);
  for (let end = count - 1; end > 0; end--) {
    const top = keys[0]!;
    keys[0] = keys[end]!;
    keys[end] = top;
    siftDown(keys, 0, end);
  }
}

function siftDown(keys: Float64Array, i: number, size: number): void {
  const x = keys[i]!;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && keys[c + 1]! > keys[c]!) c++;
    if (!(keys[c]! > x)) break;
    keys[i] = keys[c]!;
    i = c;
  }
  keys[i] = x;
}

/** stochRsiBands for count genomes (STOCH_RSI_BANDS_GENES each) into count * MET_LENGTH metrics. */
export function stochRsiBandsBatch(
  open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, n: number,
  genomes: Float64Array, count: number, cfg: Float64Array, out: Float64Array, scratch: Float64Array,
  scratchBytes: number,
): number {
  if (n < 1) return E_LENGTH;
  if (count < 0) return E_LENGTH;
  if (scratchBytes < stochRsiBandsBatchScratchBytes(n, count)) return E_SCRATCH;
  const atrPeriod = cfg[CFG_ATR_PERIOD]! | 0;
  if (atrPeriod < 1) return E_PERIOD;
  // The checks of the series kernel, in input order, so a bad genome gives the same status.
  for (let g = 0; g < count; g++) {
    const o = g * STOCH_RSI_BANDS_GENES;
    if ((genomes[o]! | 0) < 1 || (genomes[o + 1]! | 0) < 1 || (genomes[o + 2]! | 0) < 1 || (genomes[o + 3]! | 0) < 1 || (genomes[o + 6]! | 0) < 1) return E_PERIOD;
    if (!(genomes[o + 7]! > 0)) return E_PARAM;
  }
  const sRsi = scratch.subarray(0, n);
  const sufMin = scratch.subarray(n, 2 * n);
  const sufMax = scratch.subarray(2 * n, 3 * n);
  const ringS = scratch.subarray(3 * n, 4 * n);
  const sAtr = scratch.subarray(4 * n, 5 * n); // where the series kernel expects the shared ATR
  const ringK = scratch.subarray(5 * n, 6 * n);
  const keys = scratch.subarray(STOCH_RSI_BANDS_SCRATCH * n, STOCH_RSI_BANDS_SCRATCH * n + count);
  const chunk = scratch.subarray(STOCH_RSI_BANDS_SCRATCH * n + count, STOCH_RSI_BANDS_SCRATCH * n + count + 3 * CHUNK);
  atr(high, low, close, n, atrPeriod, sAtr);
  const fA = firstValid(sAtr, n);
  let finiteCloses = true;
  for (let t = 0; t < n; t++) if (!Number.isFinite(close[t]!)) finiteCloses = false;
  for (let g = 0; g < count; g++) keys[g] = (genomes[g * STOCH_RSI_BANDS_GENES]! | 0) * KEY_SHIFT + g;
  sortKeys(keys, count);
  let groupK = 0;
  let fR = 0;
  let clean = false;
  for (let j = 0; j < count; j++) {
    if (shouldStop()) return E_STOPPED;
    const key = keys[j]!;
    const rsiK = Math.floor(key / KEY_SHIFT);
    const g = key - rsiK * KEY_SHIFT;
    const gs = genomes.subarray(g * STOCH_RSI_BANDS_GENES, (g + 1) * STOCH_RSI_BANDS_GENES);
    const os = out.subarray(g * MET_LENGTH, (g + 1) * MET_LENGTH);
    if (!finiteCloses) {
      const s = stochRsiBandsRun(open, high, low, close, n, gs, cfg, os, null, null, 0, scratch, scratchBytes, true);
      if (s !== OK) return s;
      groupK = 0;
      continue;
    }
    if (rsiK !== groupK) {
      rsi(close, n, rsiK, sRsi);
      fR = firstValid(sRsi, n);
      clean = true;
      // No NaN and no sign bit after the warm-up (what the block extremes rely on).
      for (let t = fR; t < n; t++) if (Number.isNaN(sRsi[t]!) || Object.is(sRsi[t], -0) || sRsi[t]! < 0) clean = false;
      groupK = rsiK;
    }
    if (clean) {
      fused(open, high, low, close, n, gs, cfg, os, sRsi, fR, sAtr, fA, sufMin, sufMax, ringS, ringK, chunk);
    } else {
      // The series kernel recomputes this RSI into sRsi: the same values, so the group stays.
      const s = stochRsiBandsRun(open, high, low, close, n, gs, cfg, os, null, null, 0, scratch, scratchBytes, true);
      if (s !== OK) return s;
    }
  }
  return OK;
}
