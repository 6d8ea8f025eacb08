// One stoch-rsi-bands genome of the batch kernel (stoch-rsi-bands-batch.ts) in chunks of CHUNK
// bars, each chunk in a few short passes with few live values each (one long loop with all the
// state spilled most of it to the stack). Every value is the same IEEE operation on the same
// operands as in the series kernels (stoch-rsi.ts, sma.ts, bands.ts); only the order in time
// and the lanes change. Twin: src/kernels/strategies/stoch-rsi-bands-pass.ts.
//
// Per chunk:
//  A. the StochRSI window's extremes (block min/max, see the batch kernel's header): r - min and
//     max - min per bar;
//  B. the raw StochRSI, two bars per f64x2: 100 * ((r - min) / (max - min)), 50 where
//     max = min (for finite doubles, max - min == 0 exactly when max == min);
//  C. the running sums (the raw StochRSI's, %K's, the band's ATR sum: independent add chains in
//     one loop, so that they overlap) with %K = sk / kSmooth between them, then %D = sd / dSmooth
//     two bars per f64x2; the windows of the raw StochRSI and %K read back from rings of RING;
//  D. which bars could open a position, two bars per f64x2, as one bit per bar: a cross of %K
//     over %D inside the bounds of the bands (a superset of the entries, decided exactly in E);
//  E. the decisions and the account, bar by bar. A bar that starts flat with nothing pending
//     and no candidate from D does nothing (no fill, no stop, no order, no mark): skipped, by
//     going to the next set bit. A quiet stretch of a position (see quietUntil) is marked in
//     one accountMarkRun.
// The indicator passes (A-D) run over every bar; the decisions and the account (E) from the
// window's first bar (CFG_ORIGIN; 0 = no warm-up): signals from accFirstSignal(1) on, the first
// mark at the origin.
import { fillNaN } from "../indicators/common";
import { ld, st } from "../memory";
import { bandAt, bandHi, bandLo } from "../indicators/bands";
import { CFG_FILL, CFG_SHORTS, FILL_CLOSE, EXIT_SIGNAL } from "../layout";
import { accountMarkRun } from "./account";
import {
  accInit, accOrder, accMark, accFinish, accCheckStops, accSetRiskPerTrade, accFirstSignal, accOrigin, accBlock, dir, entryBar,
} from "./account-scalar";
import { nextCandidate, quietUntil, suffixExtremes, windowAt } from "./stoch-rsi-bands-steps";

/** Bars per chunk (even, so the f64x2 passes cover whole pairs). */
export const CHUNK: i32 = 256;
/** Ring length of the raw StochRSI and %K windows (a power of two, >= CHUNK + the period). */
const RING: i32 = 512;
const MASK: i32 = RING - 1;
/** The longest kSmooth and dSmooth this kernel takes (longer ones take the series kernel). */
export const MAX_SMOOTH: i32 = RING - CHUNK;
/** f64 values of work memory (16-byte aligned) one genome needs besides the suffix arrays. */
export const PASS_WORK: i32 = 3 * RING + 4 + 5 * CHUNK;
const BAND_MARGIN: f64 = 1e-9;

// @ts-ignore: decorator
@inline function stage(first: i64, n: i32): i32 {
  return first < <i64>n ? <i32>first : n;
}

/**
 * One genome over bars [0, n). rsiP: the RSI of its rsiK (first valid at fR, no NaN nor sign
 * bit after it); atrP: the ATR (first valid at fA); sufMin, sufMax: scratch of stochK + 1 values
 * (n at most); work: PASS_WORK values, 16-byte aligned; sStoch: n values of the raw StochRSI of
 * this rsiK and stochK, read back from the genome before (reuse) or written for the next one
 * (keep). Periods and sensitivity were checked by the caller, and kSmooth, dSmooth <= MAX_SMOOTH.
 * equity (the window's bars) and trades (at most tradesCap) are written when not 0.
 */
export function stochRsiBandsGenome(
  open: usize, high: usize, low: usize, close: usize, n: i32, genes: usize, cfg: usize, out: usize,
  rsiP: usize, fR: i32, atrP: usize, fA: i32, sufMin: usize, sufMax: usize, work: usize,
  sStoch: usize, reuse: bool, keep: bool, equity: usize, trades: usize, tradesCap: i32,
): void {
  // Rings of RING values indexed by bar & MASK; %K's and %D's have a slot before them (index -1).
  const ringS = work;
  const ringK = ringS + <usize>(RING + 2) * 8;
  const ringD = ringK + <usize>(RING + 2) * 8;
  st(ringK, MASK, NaN); // %K and %D before bar 0
  st(ringD, MASK, NaN);
  // The chunk's bars: r - min, max - min, the running sums, the candidates of pass D.
  const num = ringD + <usize>RING * 8;
  const den = num + <usize>CHUNK * 8;
  const sdc = den + <usize>CHUNK * 8;
  const sbc = sdc + <usize>CHUNK * 8;
  const fl = sbc + <usize>CHUNK * 8;
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
  // Bounds of the bands (see the batch kernel's header); without them every band is computed.
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
  // The window of the last bar of each block is the block itself: sentinels that select nothing
  // (the bits of +Infinity and of +0 bound every RSI value's bits).
  if (stochK < n) {
    store<i64>(sufMin + (<usize>stochK << 3), 0x7ff0000000000000);
    store<i64>(sufMax + (<usize>stochK << 3), 0);
  }

  const closeFill = <i32>ld(cfg, CFG_FILL) == FILL_CLOSE;
  const shorts = ld(cfg, CFG_SHORTS) != 0;
  accInit(cfg, equity, trades, tradesCap);
  accSetRiskPerTrade(ld(genes, 11));
  // Warm-up: bars before the window's first bar (origin) only warm the indicators up; nothing
  // is decided before `first` (the cross looks at the bar before) nor marked before origin.
  const first = accFirstSignal(1);
  const origin = accOrigin();
  // The equity of the bars that are not marked (flat, nothing pending) is filled in at the end.
  if (equity != 0) fillNaN(equity, 0, n - origin);
  let pending = false;
  let pendingTarget = 0;
  let pendingStop: f64 = 0;
  let pendingTake: f64 = 0;
  let p = 0; // position of bar t in its block of stochK RSI values
  let curMin: i64 = 0; // running extremes of the block, as bits (see the batch kernel's header)
  let curMax: i64 = 0;
  let sk: f64 = 0;
  let sd: f64 = 0;
  let sb: f64 = 0;
  const loV = f64x2.splat(loMax);
  const hiV = f64x2.splat(hiMin);
  const v50 = f64x2.splat(50.0);
  const v100 = f64x2.splat(100.0);
  const v0 = f64x2.splat(0.0);
  for (let t0 = 0; t0 < n; t0 += CHUNK) {
    const t1 = t0 + CHUNK < n ? t0 + CHUNK : n;
    const len = t1 - t0;
    const at = ringS + (<usize>(t0 & MASK) << 3);
    const kept = sStoch + (<usize>t0 << 3);
    if (reuse) {
      // The raw StochRSI of this rsiK and stochK, from the genome before.
      memory.copy(at, kept, <usize>len << 3);
    } else {
      // A: r - min and max - min of the StochRSI window (bars before fS are never read), one block
      // of stochK bars at a time, so that no test of the block's end sits in the per-bar loop.
      let t = t0 > fR ? t0 : fR;
      while (t < t1) {
        if (p == 0) {
          if (t > fR) suffixExtremes(rsiP + (<usize>(t - stochK) << 3), stochK, sufMin, sufMax);
          const rb = load<i64>(rsiP + (<usize>t << 3));
          curMin = rb;
          curMax = rb;
          windowAt(rb, curMin, curMax, sufMin + 8, sufMax + 8, num, den, t - t0);
          p = stochK == 1 ? 0 : 1;
          t++;
          continue;
        }
        // Bars t .. end - 1 are positions p .. of the current block.
        const end = t + (stochK - p) < t1 ? t + (stochK - p) : t1;
        let qo = <usize>(p + 1) << 3;
        let cMin = curMin;
        let cMax = curMax;
        for (; t < end; t++) {
          const rb = load<i64>(rsiP + (<usize>t << 3));
          cMin = select<i64>(rb, cMin, rb < cMin);
          cMax = select<i64>(rb, cMax, rb > cMax);
          windowAt(rb, cMin, cMax, sufMin + qo, sufMax + qo, num, den, t - t0);
          qo += 8;
        }
        curMin = cMin;
        curMax = cMax;
        p = <i32>(qo >> 3) - 1;
        if (p == stochK) p = 0;
      }
      // B: the raw StochRSI of the chunk's bars into the ring, and kept at sStoch for the genomes
      // that follow with the same rsiK and stochK.
      for (let i = 0; i < len; i += 2) {
        const o = <usize>i << 3;
        const dn = v128.load(den + o);
        const s = f64x2.mul(v100, f64x2.div(v128.load(num + o), dn));
        const sv = v128.bitselect(v50, s, f64x2.eq(dn, v0));
        v128.store(at + o, sv);
      }
      if (keep) memory.copy(kept, at, <usize>len << 3);
    }
    // C: the running sums, %K = sk / kSmooth (NaN before fK) and %K's running sum, with the
    // band's ATR sum beside them: independent add chains in one loop, so that they overlap.
    const atK = ringK + (<usize>(t0 & MASK) << 3);
    const atD = ringD + (<usize>(t0 & MASK) << 3);
    // The slot before the ring holds the bar before a chunk that starts the ring.
    if ((t0 & MASK) == 0) {
      store<f64>(ringK - 8, ld(ringK, MASK));
      store<f64>(ringD - 8, ld(ringD, MASK));
    }
    if (t0 > fD && t0 > fB) {
      for (let t = t0; t < t1; t++) {
        const j = t & MASK;
        sk = sk + (ld(ringS, j) - ld(ringS, (t - kSmooth) & MASK));
        const k = sk / kk;
        st(ringK, j, k);
        sd = sd + (k - ld(ringK, (t - dSmooth) & MASK));
        st(sdc, t - t0, sd);
        sb = sb + (ld(atrP, t) - ld(atrP, t - atrK));
        st(sbc, t - t0, sb);
      }
    } else {
      // The chunks of the warm-ups: each stage from its first bar.
      for (let t = t0; t < t1; t++) {
        const j = t & MASK;
        let k: f64 = NaN;
        if (t >= fS) {
          const s = ld(ringS, j);
          if (t <= fK) sk = sk + s;
          else sk = sk + (s - ld(ringS, (t - kSmooth) & MASK));
          if (t >= fK) {
            k = sk / kk;
            if (t <= fD) sd = sd + k;
            else sd = sd + (k - ld(ringK, (t - dSmooth) & MASK));
          }
        }
        st(ringK, j, k);
        st(sdc, t - t0, sd);
        if (t >= fA) {
          const a = ld(atrP, t);
          if (t <= fB) sb = sb + a;
          else sb = sb + (a - ld(atrP, t - atrK));
        }
        st(sbc, t - t0, sb);
      }
    }
    const kdV = f64x2.splat(kd);
    for (let i = 0; i < len; i += 2) {
      const o = <usize>i << 3;
      v128.store(atD + o, f64x2.div(v128.load(sdc + o), kdV));
    }
    for (let t = t0; t < t1 && t < fD; t++) st(ringD, t & MASK, NaN);
    // D: the bars where a flat account could open a position, as bits (bar t0 + i is bit i).
    memory.fill(fl, 0, <usize>CHUNK >> 3);
    for (let i = 0; i < len; i += 2) {
      const o = <usize>i << 3;
      const pk = v128.load(atK + o - 8);
      const pd = v128.load(atD + o - 8);
      const k = v128.load(atK + o);
      const d = v128.load(atD + o);
      let m = v128.and(v128.and(f64x2.le(pk, pd), f64x2.gt(k, d)), f64x2.lt(k, loV));
      if (shorts) m = v128.or(m, v128.and(v128.and(f64x2.ge(pk, pd), f64x2.lt(k, d)), f64x2.gt(k, hiV)));
      const w = fl + (<usize>(i >> 6) << 3);
      store<u64>(w, load<u64>(w) | (<u64>i64x2.bitmask(m) << <u64>(i & 63)));
    }
    // E: the decisions and the account, bar by bar.
    for (let t = t0 > origin ? t0 : origin; t < t1; t++) {
      let i = t - t0;
      if (!pending && dir == 0 && t != origin) {
        // Flat, nothing pending: on to the next candidate of pass D.
        i = nextCandidate(fl, i, CHUNK);
        if (i >= len) break;
        t = t0 + i;
      }
      if (!pending && dir != 0 && t > entryBar) {
        // A quiet stretch of the position: bars that touch neither stop nor target, where %K
        // cannot reach the exit band and the mark stays above ruin. Each would check its stops,
        // order nothing and be marked: marked together, with the marks' state in locals.
        const u = quietUntil(t, t1, t0, low, high, close, atK, dir > 0 ? hiMin : loMax);
        if (u > t) {
          accountMarkRun(accBlock(), close, t, t, u);
          t = u - 1;
          continue;
        }
      }
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
      const pk = load<f64>(atK + (<usize>i << 3) - 8);
      const pd = load<f64>(atD + (<usize>i << 3) - 8);
      const k = load<f64>(atK + (<usize>i << 3));
      const d = load<f64>(atD + (<usize>i << 3));
      if (t >= first && t <= n - 2 && t >= fB) {
        const a = ld(atrP, t);
        const sbv = ld(sbc, i);
        let target = 2;
        if (dir == 0) {
          if (pk <= pd && k > d && k < loMax) {
            bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
            if (k < bandLo) target = 1;
          }
          if (target == 2 && shorts && pk >= pd && k < d && k > hiMin) {
            bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
            if (k > bandHi) target = -1;
          }
        } else if (dir > 0) {
          if (k > hiMin) {
            bandAt(a, sbv, ka, oversold, overbought, sensitivity, inv, active, adjust);
            if (k > bandHi) target = 0;
          }
        } else if (k < loMax) {
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
    }
  }
  accFinish(n, ld(close, n - 1), out);
  if (equity != 0) fillUnmarked(equity, n - origin);
}

/**
 * The equity of the bars the pass did not mark: each is flat with nothing pending, so its mark
 * would be the cash, which is the equity marked at the bar before it (flat after its fills,
 * since nothing filled in between). The window's first bar is always marked.
 */
function fillUnmarked(equity: usize, bars: i32): void {
  for (let t = 1; t < bars; t++) if (isNaN(ld(equity, t))) st(equity, t, ld(equity, t - 1));
}
