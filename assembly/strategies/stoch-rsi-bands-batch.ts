// The stoch-rsi-bands population kernel (W2 and the GA): for every genome exactly the metrics of
// stochRsiBands (stoch-rsi-bands.ts; the contract and W2 tests compare them), computed in a
// better order of memory and work. Twin: src/kernels/strategies/stoch-rsi-bands-batch.ts.
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
import { ld, st } from "../memory";
import { bandAt, bandHi, bandLo } from "../indicators/bands";
import { OK, E_LENGTH, E_PERIOD, E_PARAM, E_SCRATCH, E_STOPPED } from "../status";
import { shouldStop } from "../host";
import { CFG_FILL, CFG_SHORTS, CFG_ATR_PERIOD, FILL_CLOSE, MET_LENGTH, EXIT_SIGNAL } from "../layout";
import { rsi } from "../indicators/rsi";
import { atr } from "../indicators/atr";
import { firstValid } from "../indicators/common";
import { accInit, accOrder, accMark, accFinish, accCheckStops, accSetRiskPerTrade, accFirstSignal, accOrigin, dir, entryBar } from "./account";
import { STOCH_RSI_BANDS_GENES, STOCH_RSI_BANDS_SCRATCH, stochRsiBandsRun } from "./stoch-rsi-bands";

const KEY_SHIFT: f64 = 4294967296.0; // 2^32: key = rsiK * 2^32 + input index
const BAND_MARGIN: f64 = 1e-9;
/** Bars per chunk of the two-phase pass (3 x CHUNK values of scratch, in L1). */
const CHUNK: i32 = 128;

/** Scratch bytes of stochRsiBandsBatch: the series kernel's 7n values, one key per genome, the chunk. */
export function stochRsiBandsBatchScratchBytes(n: i32, count: i32): usize {
  return (<usize>n * STOCH_RSI_BANDS_SCRATCH + <usize>count + 3 * <usize>CHUNK) * 8;
}

/**
 * One genome in one pass. rsiP holds the RSI of the genome's rsiK (first valid at fR, no NaN
 * after it), atrP the ATR (first valid at fA); sufMin, sufMax, ringS, ringK are scratch of n
 * values each. The genome's periods and sensitivity were checked by the caller.
 */
function fused(
  open: usize, high: usize, low: usize, close: usize, n: i32, genes: usize, cfg: usize, out: usize,
  rsiP: usize, fR: i32, atrP: usize, fA: i32, sufMin: usize, sufMax: usize, ringS: usize, ringK: usize,
  chunk: usize,
): void {
  const kBuf = chunk;
  const dBuf = chunk + CHUNK * 8;
  const sbBuf = chunk + 2 * CHUNK * 8;
  const stochK = <i32>ld(genes, 1);
  const kSmooth = <i32>ld(genes, 2);
  const dSmooth = <i32>ld(genes, 3);
  const oversold = ld(genes, 4);
  const overbought = ld(genes, 5);
  const atrK = <i32>ld(genes, 6);
  const sensitivity = ld(genes, 7);
  const adjust = ld(genes, 8);
  const stopAtr = ld(genes, 9);
  const takeProfitAtr = ld(genes, 10);
  const kk = <f64>kSmooth;
  const kd = <f64>dSmooth;
  const ka = <f64>atrK;
  const inv = 1.0 / sensitivity;
  const active = sensitivity > 1.0;
  // Bounds of the bands (see the header); without them (adjust < 0) every band is computed.
  const bounded = adjust >= 0.0 && abs(oversold) <= 1e6 && abs(overbought) <= 1e6;
  let loMax = bounded ? oversold + 10.0 + BAND_MARGIN : Infinity;
  if (loMax < 0.0) loMax = 0.0;
  let hiMin = bounded ? overbought - 10.0 - BAND_MARGIN : -Infinity;
  if (hiMin > 100.0) hiMin = 100.0;
  // First bars of each stage, at most n (in i64 first, so that large periods cannot overflow).
  const fS = stage(<i64>fR + <i64>stochK - 1, n);
  const fK = stage(<i64>fS + <i64>kSmooth - 1, n);
  const fD = stage(<i64>fK + <i64>dSmooth - 1, n);
  const fB = stage(<i64>fA + <i64>atrK - 1, n);

  const closeFill = <i32>ld(cfg, CFG_FILL) == FILL_CLOSE;
  const shorts = ld(cfg, CFG_SHORTS) != 0;
  accInit(cfg, 0, 0, 0);
  accSetRiskPerTrade(ld(genes, 11));
  const first = accFirstSignal(1); // warm-up: nothing is decided or marked before the window
  const origin = accOrigin();
  let pending = false;
  let pendingTarget = 0;
  let pendingStop: f64 = 0;
  let pendingTake: f64 = 0;
  let p = 0; // position of bar t in its block of stochK RSI values
  // Running extremes of the block as bit patterns: the RSI is >= +0 and not NaN (checked by the
  // caller), and for such doubles the order of the values is the order of their bits as i64,
  // so an integer select (a conditional move) picks the same value as a comparison of doubles.
  let curMin: i64 = 0;
  let curMax: i64 = 0;
  let iS = 0; // ring positions
  let iK = 0;
  let sk: f64 = 0;
  let sd: f64 = 0;
  let sb: f64 = 0;
  let kv: f64 = NaN; // %K and %D at the latest bar of phase 1
  let dv: f64 = NaN;
  let pk: f64 = NaN;
  let pd: f64 = NaN;
  for (let t0 = 0; t0 < n; t0 += CHUNK) {
    const t1 = t0 + CHUNK < n ? t0 + CHUNK : n;
    // Phase 1: the indicators of the chunk's bars. No branch here waits for a division, so the
    // divisions of successive bars overlap instead of each bar's decisions waiting for its chain.
    for (let t = t0; t < t1; t++) {
      if (t >= fR) {
        const rb = load<i64>(rsiP + (<usize>t << 3));
        const r = reinterpret<f64>(rb);
        if (p == 0) {
          if (t > fR) {
            // The block [t - stochK, t) is complete: its suffix extremes.
            const b = rsiP + (<usize>(t - stochK) << 3);
            let sm = load<i64>(b + (<usize>(stochK - 1) << 3));
            let sx = sm;
            for (let i = stochK - 1; i >= 0; i--) {
              const v = load<i64>(b + (<usize>i << 3));
              sm = select<i64>(v, sm, v < sm);
              sx = select<i64>(v, sx, v > sx);
              store<i64>(sufMin + (<usize>i << 3), sm);
              store<i64>(sufMax + (<usize>i << 3), sx);
            }
          }
          curMin = rb;
          curMax = rb;
        } else {
          curMin = select<i64>(rb, curMin, rb < curMin);
          curMax = select<i64>(rb, curMax, rb > curMax);
        }
        const q = p + 1;
        p = q == stochK ? 0 : q;
        if (t >= fS) {
          // The window is this block up to t and the previous block from position q on.
          let mnb = curMin;
          let mxb = curMax;
          if (q < stochK) {
            const a = load<i64>(sufMin + (<usize>q << 3));
            const b = load<i64>(sufMax + (<usize>q << 3));
            mnb = select<i64>(a, mnb, a < mnb);
            mxb = select<i64>(b, mxb, b > mxb);
          }
          const mn = reinterpret<f64>(mnb);
          const mx = reinterpret<f64>(mxb);
          const s = mx == mn ? 50.0 : 100.0 * ((r - mn) / (mx - mn));
          if (t <= fK) sk = sk + s;
          else sk = sk + (s - ld(ringS, iS));
          st(ringS, iS, s);
          iS = iS + 1 == kSmooth ? 0 : iS + 1;
          if (t >= fK) {
            kv = sk / kk;
            if (t <= fD) sd = sd + kv;
            else sd = sd + (kv - ld(ringK, iK));
            st(ringK, iK, kv);
            iK = iK + 1 == dSmooth ? 0 : iK + 1;
            if (t >= fD) dv = sd / kd;
          }
        }
      }
      if (t >= fA) {
        const a = ld(atrP, t);
        if (t <= fB) sb = sb + a;
        else sb = sb + (a - ld(atrP, t - atrK));
      }
      st(kBuf, t - t0, kv);
      st(dBuf, t - t0, dv);
      st(sbBuf, t - t0, sb);
    }
    // Phase 2: the decisions and the account, bar by bar, from the chunk's values.
    for (let t = t0; t < t1; t++) {
      // Held at the bar's start, or about to be entered (a stop can close it within the bar).
      const touched = dir != 0 || pending;
      if (pending) {
        accOrder(pendingTarget, ld(open, t), t, EXIT_SIGNAL, pendingStop, pendingTake);
        pending = false;
      }
      if (dir != 0 && (closeFill ? t > entryBar : t >= entryBar)) {
        accCheckStops(ld(open, t), ld(high, t), ld(low, t), t);
      }
      const c = ld(close, t);
      const k = ld(kBuf, t - t0);
      const d = ld(dBuf, t - t0);
      const sbv = ld(sbBuf, t - t0);
      const a: f64 = t >= fA ? ld(atrP, t) : NaN;
      if (t >= first && t <= n - 2) {
        const haveBand = t >= fB;
        let target = 2;
        if (dir == 0) {
          if (pk <= pd && k > d && k < loMax) {
            if (haveBand) {
              bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
              if (k < bandLo) target = 1;
            }
          }
          if (target == 2 && shorts && pk >= pd && k < d && k > hiMin) {
            if (haveBand) {
              bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
              if (k > bandHi) target = -1;
            }
          }
        } else if (dir > 0) {
          if (k > hiMin && haveBand) {
            bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
            if (k > bandHi) target = 0;
          }
        } else if (k < loMax && haveBand) {
          bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
          if (k < bandLo) target = 0;
        }
        if (target != 2) {
          const stopDistance = target != 0 ? stopAtr * a : 0.0;
          const takeDistance = target != 0 ? takeProfitAtr * a : 0.0;
          if (target == 0 || a > 0) {
            if (closeFill) accOrder(target, c, t, EXIT_SIGNAL, stopDistance, takeDistance);
            else {
              pending = true;
              pendingTarget = target;
              pendingStop = stopDistance;
              pendingTake = takeDistance;
            }
          }
        }
      }
      if (touched || dir != 0 || t == origin) accMark(c, t);
      pk = k;
      pd = d;
    }
  }
  accFinish(n, ld(close, n - 1), out);
}

// @ts-ignore: decorator
@inline function stage(first: i64, n: i32): i32 {
  return first < <i64>n ? <i32>first : n;
}

// Heap sort of count f64 keys in place (ascending).
function sortKeys(keys: usize, count: i32): void {
  for (let i = (count >> 1) - 1; i >= 0; i--) siftDown(keys, i, count);
  for (let end = count - 1; end > 0; end--) {
    const top = ld(keys, 0);
    st(keys, 0, ld(keys, end));
    st(keys, end, top);
    siftDown(keys, 0, end);
  }
}

function siftDown(keys: usize, i: i32, size: i32): void {
  const x = ld(keys, i);
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && ld(keys, c + 1) > ld(keys, c)) c++;
    if (!(ld(keys, c) > x)) break;
    st(keys, i, ld(keys, c));
    i = c;
  }
  st(keys, i, x);
}

/** stochRsiBands for count genomes (STOCH_RSI_BANDS_GENES each) into count * MET_LENGTH metrics. */
export function stochRsiBandsBatch(
  open: usize, high: usize, low: usize, close: usize, n: i32, genomes: usize, count: i32,
  cfg: usize, out: usize, scratch: usize, scratchBytes: usize,
): i32 {
  if (n < 1) return E_LENGTH;
  if (count < 0) return E_LENGTH;
  if (scratchBytes < stochRsiBandsBatchScratchBytes(n, count)) return E_SCRATCH;
  const atrPeriod = <i32>ld(cfg, CFG_ATR_PERIOD);
  if (atrPeriod < 1) return E_PERIOD;
  // The checks of the series kernel, in input order, so a bad genome gives the same status.
  for (let g = 0; g < count; g++) {
    const gp = genomes + <usize>(g * STOCH_RSI_BANDS_GENES) * 8;
    if (<i32>ld(gp, 0) < 1 || <i32>ld(gp, 1) < 1 || <i32>ld(gp, 2) < 1 || <i32>ld(gp, 3) < 1 || <i32>ld(gp, 6) < 1) return E_PERIOD;
    if (!(ld(gp, 7) > 0)) return E_PARAM;
  }
  const bytes = <usize>n * 8;
  const sRsi = scratch;
  const sufMin = sRsi + bytes;
  const sufMax = sufMin + bytes;
  const ringS = sufMax + bytes;
  const sAtr = ringS + bytes; // where the series kernel expects the shared ATR
  const ringK = sAtr + bytes;
  const keys = scratch + bytes * STOCH_RSI_BANDS_SCRATCH;
  atr(high, low, close, n, atrPeriod, sAtr);
  const fA = firstValid(sAtr, n);
  let finiteCloses = true;
  for (let t = 0; t < n; t++) if (!isFinite(ld(close, t))) finiteCloses = false;
  for (let g = 0; g < count; g++) st(keys, g, <f64>(<i32>ld(genomes + <usize>(g * STOCH_RSI_BANDS_GENES) * 8, 0)) * KEY_SHIFT + <f64>g);
  sortKeys(keys, count);
  let groupK = 0;
  let fR = 0;
  let clean = false;
  for (let j = 0; j < count; j++) {
    if (shouldStop()) return E_STOPPED;
    const key = ld(keys, j);
    const rsiK = <i32>floor(key / KEY_SHIFT);
    const g = <i32>(key - <f64>rsiK * KEY_SHIFT);
    const gp = genomes + <usize>(g * STOCH_RSI_BANDS_GENES) * 8;
    const op = out + <usize>(g * MET_LENGTH) * 8;
    if (!finiteCloses) {
      const s = stochRsiBandsRun(open, high, low, close, n, gp, cfg, op, 0, 0, 0, scratch, scratchBytes, true);
      if (s != OK) return s;
      groupK = 0;
      continue;
    }
    if (rsiK != groupK) {
      rsi(close, n, rsiK, sRsi);
      fR = firstValid(sRsi, n);
      clean = true;
      // No NaN and no sign bit after the warm-up (what the block extremes rely on).
      for (let t = fR; t < n; t++) if (isNaN(ld(sRsi, t)) || load<i64>(sRsi + (<usize>t << 3)) < 0) clean = false;
      groupK = rsiK;
    }
    if (clean) {
      fused(open, high, low, close, n, gp, cfg, op, sRsi, fR, sAtr, fA, sufMin, sufMax, ringS, ringK, keys + <usize>count * 8);
    } else {
      // The series kernel recomputes this RSI into sRsi: the same values, so the group stays.
      const s = stochRsiBandsRun(open, high, low, close, n, gp, cfg, op, 0, 0, 0, scratch, scratchBytes, true);
      if (s != OK) return s;
    }
  }
  return OK;
}
