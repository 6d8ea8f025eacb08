// Family `sma-cross` (SPEC section 4): the batch kernel of the reference workload W1 (the
// single-genome kernel it matches bit for bit is in sma-cross.ts).
// Twin: src/kernels/strategies/sma-cross-batch.ts.
import { ld, st } from "../memory";
import { OK, E_LENGTH, E_PERIOD, E_PARAM, E_SCRATCH, E_STOPPED } from "../status";
import { shouldStop } from "../host";
import {
  CFG_FILL, CFG_SHORTS, CFG_SIZING, FILL_CLOSE, SIZING_RISK, MET_LENGTH, EXIT_SIGNAL,
  EXIT_REVERSAL, CFG_CASH,
} from "../layout";
import {
  accountInit, accountOrder, accountCloseAtEnd, accountMetrics, accountFirstSignal,
  A_BYTES, A_CASH, A_UNITS, A_DIR, A_ORIGIN,
} from "./account";
import {
  lanes, lane, maskLane, markFast, markExact, S_CASH, S_UNITS, S_PEAK, S_LOW, S_DD, S_SUM_R, S_SUM_R2, S_SUM_N2, S_PREV, STATE_BYTES,
} from "./sma-cross-marks";

// ---------------------------------------------------------------------------------------------
// The batch kernel: the population path (W1 and the GA). It returns, for every genome, exactly
// the metrics of `smaCross` (sma-cross.ts) (the contract tests compare them bit for bit), but computes
// them differently:
//
// - Two genomes run side by side in the two f64 lanes of a v128; every lane operation is the
//   IEEE operation of the scalar code on that lane alone.
// - Two passes per pair instead of one: pass 1 follows the SMAs and records each lane's crosses;
//   pass 2 marks to market between those events, where the position cannot change. Each pass
//   keeps few enough vectors live to stay in registers (V8 spills past about a dozen), and pass
//   2's loop has no signal logic.
// - The bars come interleaved, (close, open) pairs (see interleaveBars), so a fill finds its open
//   in the cache line the loop is already streaming. The caller builds that array once per
//   market; a call copies nothing but the first few bars (below).
//
// Shortcut 1, the crossover test without division. smaCross compares f = fl(sf / kf) with
// s = fl(ss / ks). With A = fl(sf * ks), B = fl(ss * kf), D = fl(A - B) and u = 2^-53: if
// D > 8u (A + B) then sf/kf - ss/ks > u (sf/kf + ss/ks) (the products and the difference each
// carry one rounding, at most u (A + B) together), which is enough for the rounded quotients to
// keep the order: fl(x) >= x (1 - u) > y (1 + u) >= fl(y). Mirrored for D < -8u (A + B). The
// kernel uses the margin 32u A, which is never smaller where it matters: if B <= 2A then
// 8u (A + B) <= 24u A; if B > 2A then |D| > A > 32u A is far beyond 8u (A + B) < 12u B < B - A.
// In between, a near tie, the quotients are computed and compared exactly as smaCross does.
//
// Shortcut 2 (the drawdown with one division per peak) and ruin checked after the fact are
// pass 2's, in sma-cross-marks.ts.
//
// Exposure counts the bars between a fill that opens and the fill that closes, which is the
// number of bars whose mark finds the position held.
//
// What is not marking is the account's (account.ts): each lane is an account block, which the
// fills (accountOrder), ruin (accountClose) and the end of the window (accountCloseAtEnd,
// accountMetrics) go through, as in every other kernel. Only the marking is this kernel's own,
// the measured exception: markFast and markExact (sma-cross-marks.ts) are accountMarkRun's
// arithmetic, per lane, with the drawdown and ruin shortcuts.

const U: f64 = 1.1102230246251565e-16; // 2^-53
const TIE_MARGIN: f64 = 32.0 * U;

// One account block per lane, at the start of the caller's scratch.
const LANE_BYTES: i32 = 2 * A_BYTES;

/**
 * Scratch bytes smaCrossBatch needs: two lanes' account blocks; a zero-padded copy of the first bars
 * (below); one event list per lane; and two blocks of pass 2's state.
 *
 * Pass 1's running sums read close[t - k], which before the first bar is 0: s + (c - 0) is the
 * warm-up sum s + c to the bit. For the first bars (up to the longest period, plus one so the
 * warm-up can end on an even bar count) the reads go to a copy of those bars behind maxPeriod
 * zero pairs; after them, to the bars themselves. So the loop needs no warm-up branch and a
 * call copies O(maxPeriod) bars, not the series.
 */
export function smaCrossBatchScratchBytes(n: i32, maxPeriod: i32): i32 {
  const head = maxPeriod < n ? maxPeriod + 1 : n;
  return LANE_BYTES + (maxPeriod + head) * 16 + 2 * (n + 1) * 4 + 2 * STATE_BYTES;
}

/** out[2t] = close[t], out[2t + 1] = open[t]: the layout smaCrossBatch reads (built once per market). */
export function interleaveBars(open: usize, close: usize, n: i32, out: usize): i32 {
  if (n < 0) return E_LENGTH;
  for (let t = 0; t < n; t++) {
    store<f64>(out + (<usize>t << 4), ld(close, t));
    store<f64>(out + (<usize>t << 4) + 8, ld(open, t));
  }
  return OK;
}

// What smaCross does with a signal of `target` at the price x of bar t: a signal in the
// direction already held is ignored, anything else goes to the lane's account.
// @ts-ignore: decorator
@inline function laneOrder(L: usize, target: i32, x: f64, t: i32): void {
  if (target != <i32>ld(L, A_DIR)) accountOrder(L, target, x, t, target != 0 ? EXIT_REVERSAL : EXIT_SIGNAL, 0, 0);
}

// @ts-ignore: decorator
@inline function withMask(v: v128, i: i32, on: bool): v128 {
  const x: i64 = on ? -1 : 0;
  return i == 0 ? i64x2.replace_lane(v, 0, x) : i64x2.replace_lane(v, 1, x);
}

// Pass 1's lane state between bars: +2^48 when the last bar had f > s, -2^48 when f < s, NaN
// when f == s. With D = A - B and M = 2^-48 A (TIE_MARGIN is 2^-48, so M is exact for any A
// above 2^-974): a bar whose order is certain and the same as the last bar's has D > M, or
// B - A = -D > M, that is D * state > A (scaling by a power of two is exact; an overflow to
// infinity keeps the real inequality). It has no event; anything else (an order that changed,
// a near tie, or a tie before) goes to crossStep.
const ORDER_UP: f64 = 281474976710656.0; // 2^48 = 1 / TIE_MARGIN
let xEvA: usize = 0;
let xEvB: usize = 0;
let xNA: i32 = 0;
let xNB: i32 = 0;
let xLagA: i32 = 0;
let xLagB: i32 = 0;
let xLast: i32 = 0;

// @ts-ignore: decorator
@inline function stateOf(gt: v128, lt: v128): v128 {
  return v128.bitselect(f64x2.splat(ORDER_UP), v128.bitselect(f64x2.splat(-ORDER_UP), f64x2.splat(NaN), lt), gt);
}

/**
 * Pass 1 at bar t when a lane is not certainly where it was: each lane's exact order (the
 * quotients, as smaCross divides them, for a near tie), its cross event if any, and the lanes'
 * new state. smaCross's up is pf <= ps && f > s, i.e. a last state other than up and f > s;
 * down mirrored. Events count for lag <= t <= n - 2.
 */
// @ts-ignore: decorator
@inline function crossStep(t: i32, sf: v128, ss: v128, kf: v128, ks: v128, A: v128, D: v128, state: v128): v128 {
  const M = f64x2.mul(A, f64x2.splat(TIE_MARGIN));
  let gt = f64x2.gt(D, M);
  let lt = f64x2.gt(f64x2.neg(D), M);
  for (let i = 0; i < 2; i++) {
    if (!maskLane(gt, i) && !maskLane(lt, i)) {
      const f = lane(sf, i) / lane(kf, i);
      const s = lane(ss, i) / lane(ks, i);
      gt = withMask(gt, i, f > s);
      lt = withMask(lt, i, f < s);
    }
    if (t < (i == 0 ? xLagA : xLagB) || t > xLast) continue;
    const last = lane(state, i);
    let ev = -1;
    if (maskLane(gt, i) && !(last == ORDER_UP)) ev = t * 2 + 1;
    else if (maskLane(lt, i) && !(last == -ORDER_UP)) ev = t * 2;
    if (ev < 0) continue;
    if (i == 0) {
      store<i32>(xEvA + (<usize>xNA << 2), ev);
      xNA++;
    } else {
      store<i32>(xEvB + (<usize>xNB << 2), ev);
      xNB++;
    }
  }
  return stateOf(gt, lt);
}

/**
 * Pass 1: the crosses of two genomes (lanes) over bars [0, n - 1), as event lists of
 * t * 2 + (1 for up, 0 for down), for t >= the lane's lag and t >= firstBar (the window's first
 * signal bar, accountFirstSignal). The counts go to xNA and xNB.
 *
 * The loop runs two bars per iteration (constant address offsets for the second, one pointer
 * step for both). To keep the trip counts even, the warm-up segment may run one bar past the
 * longest lag (the head copy holds it), and the last segment one bar past n - 2 (bar n - 1,
 * whose events crossStep drops). Bar 0 runs through the loop too, from zero sums and a NaN
 * state: its order comes out exactly as smaCross's first comparison, and no event is taken.
 */
function crosses(bars: usize, head: usize, n: i32, fa: i32, sa: i32, fb: i32, sb: i32, evA: usize, evB: usize, firstBar: i32): void {
  xLagA = fa > sa ? fa : sa;
  xLagB = fb > sb ? fb : sb;
  xEvA = evA;
  xEvB = evB;
  xNA = 0;
  xNB = 0;
  xLast = n - 2;
  const kf = lanes(<f64>fa, <f64>fb);
  const ks = lanes(<f64>sa, <f64>sb);
  let sf = f64x2.splat(0);
  let ss = sf;
  let state = f64x2.splat(NaN);
  let lag = xLagA > xLagB ? xLagA : xLagB;
  if (lag > n - 1) lag = n - 1;
  // Events only from the window's first signal bar on (the sums still start at bar 0).
  if (xLagA < firstBar) xLagA = firstBar;
  if (xLagB < firstBar) xLagB = firstBar;
  // Two segments of the same loop: the warm-up bars [0, warm) read the zero-padded copy `head`,
  // the rest [warm, end) the bars themselves (where every close[t - k] exists). Both have an
  // even length: warm <= lag + 1 <= headBars, and end <= n.
  const warm = lag + (lag & 1);
  const rest = n - 1 - warm;
  const end = rest > 0 ? n - 1 + (rest & 1) : warm;
  for (let seg = 0; seg < 2; seg++) {
    const from = seg == 0 ? 0 : warm;
    const to = seg == 0 ? warm : end;
    // close[t] and close[t - k] for each lag, as pointers that step two bars (32 bytes) at a time.
    let at = (seg == 0 ? head : bars) + (<usize>from << 4);
    let oa = at - (<usize>fa << 4);
    let ob = at - (<usize>fb << 4);
    let pa = at - (<usize>sa << 4);
    let pb = at - (<usize>sb << 4);
    for (let t = from; t < to; t += 2) {
      // Lane loads straight from memory: one instruction each, where building a v128 from two
      // scalars takes four.
      let cv = v128.load64_splat(at);
      sf = f64x2.add(sf, f64x2.sub(cv, v128.load64_lane(ob, v128.load64_splat(oa), 1)));
      ss = f64x2.add(ss, f64x2.sub(cv, v128.load64_lane(pb, v128.load64_splat(pa), 1)));
      let A = f64x2.mul(sf, ks);
      let D = f64x2.sub(A, f64x2.mul(ss, kf));
      if (i64x2.bitmask(f64x2.gt(f64x2.mul(D, state), A)) != 3) state = crossStep(t, sf, ss, kf, ks, A, D, state);
      // The next bar, 16 bytes on.
      cv = v128.load64_splat(at, 16);
      sf = f64x2.add(sf, f64x2.sub(cv, v128.load64_lane(ob, v128.load64_splat(oa, 16), 1, 16)));
      ss = f64x2.add(ss, f64x2.sub(cv, v128.load64_lane(pb, v128.load64_splat(pa, 16), 1, 16)));
      A = f64x2.mul(sf, ks);
      D = f64x2.sub(A, f64x2.mul(ss, kf));
      if (i64x2.bitmask(f64x2.gt(f64x2.mul(D, state), A)) != 3) state = crossStep(t + 1, sf, ss, kf, ks, A, D, state);
      at += 32;
      oa += 32;
      ob += 32;
      pa += 32;
      pb += 32;
    }
  }
}

/**
 * smaCross for count genomes (SMA_CROSS_GENES each) into count * MET_LENGTH metrics, two at a
 * time in SIMD lanes; each genome's metrics are bit-identical to smaCross's. `bars` holds the n
 * bars as interleaveBars lays them out; scratch holds smaCrossBatchScratchBytes(n, largest period).
 */
export function smaCrossBatch(
  bars: usize, n: i32, genomes: usize, count: i32, cfg: usize, out: usize, scratch: usize, scratchBytes: usize,
): i32 {
  if (n < 1) return E_LENGTH;
  if (<i32>ld(cfg, CFG_SIZING) == SIZING_RISK) return E_PARAM;
  let maxP = 1;
  for (let g = 0; g < 2 * count; g++) {
    const k = <i32>ld(genomes, g);
    if (k < 1) return E_PERIOD;
    if (k > maxP) maxP = k;
  }
  if (scratchBytes < <usize>smaCrossBatchScratchBytes(n, maxP)) return E_SCRATCH;
  const cash0 = ld(cfg, CFG_CASH);
  const closeFill = <i32>ld(cfg, CFG_FILL) == FILL_CLOSE;
  const downTarget = ld(cfg, CFG_SHORTS) != 0 ? -1 : 0;
  const LA = scratch;
  const LB = scratch + <usize>A_BYTES;
  // The warm-up copy: maxP zero pairs, then the first min(maxP + 1, n) bars.
  const headBars = maxP < n ? maxP + 1 : n;
  const pad = scratch + <usize>LANE_BYTES;
  memory.fill(pad, 0, <usize>maxP * 16);
  const head = pad + <usize>maxP * 16;
  memory.copy(head, bars, <usize>headBars * 16);
  const evA = head + <usize>headBars * 16;
  const evB = evA + <usize>(n + 1) * 4;
  const stateA = evB + <usize>(n + 1) * 4;
  const stateB = stateA + <usize>STATE_BYTES;
  const zero = f64x2.splat(0);
  const last = load<f64>(bars + (<usize>(n - 1) << 4));
  const fillShift = closeFill ? 0 : 1;

  for (let g = 0; g < count; g += 2) {
    if (shouldStop()) return E_STOPPED;
    const h = g + 1 < count ? g + 1 : g; // an odd tail runs genome g in both lanes
    accountInit(LA, cfg, 0, 0, 0);
    accountInit(LB, cfg, 0, 0, 0);
    crosses(
      bars, head, n, <i32>ld(genomes, 2 * g), <i32>ld(genomes, 2 * g + 1), <i32>ld(genomes, 2 * h),
      <i32>ld(genomes, 2 * h + 1), evA, evB, accountFirstSignal(LA, 0),
    );
    const nA = xNA;
    const nB = xNB;

    // Pass 2: the window's first bar (origin; flat, its equity the cash), then segments between
    // the bars where a lane acts on an event (the bar of its fill: the signal bar with close
    // fills, the next bar with next-open fills).
    let src = stateA;
    let dst = stateB;
    const first = f64x2.splat(cash0);
    v128.store(src, first, S_CASH);
    v128.store(src, zero, S_UNITS);
    v128.store(src, first, S_PEAK);
    v128.store(src, first, S_LOW);
    v128.store(src, zero, S_DD);
    v128.store(src, zero, S_SUM_R);
    v128.store(src, zero, S_SUM_R2);
    v128.store(src, zero, S_SUM_N2);
    v128.store(src, first, S_PREV);
    let iA = 0;
    let iB = 0;
    let t = <i32>ld(LA, A_ORIGIN) + 1;
    for (;;) {
      const xA = iA < nA ? (load<i32>(evA + (<usize>iA << 2)) >> 1) + fillShift : n;
      const xB = iB < nB ? (load<i32>(evB + (<usize>iB << 2)) >> 1) + fillShift : n;
      const stop = xA < xB ? xA : xB;
      if (t < stop) {
        markFast(bars, t, stop, src, dst);
        // A lane in a position whose equity went to zero or below: ruin, at a bar of this
        // segment. Its lowest equity since the peak is at or below zero, or, when the equity
        // rose to a new peak after it (a short after a spike and a crash), that peak closed a
        // drawdown of at least 1 (peak - low >= peak). Mark the segment again bar by bar, from
        // the same state.
        const held = f64x2.ne(v128.load(dst, S_UNITS), zero);
        const sunk = v128.or(f64x2.le(v128.load(dst, S_LOW), zero), f64x2.ge(v128.load(dst, S_DD), f64x2.splat(1.0)));
        if (v128.any_true(v128.and(held, sunk))) {
          markExact(bars, t, stop, src, dst, LA, LB);
        }
        const tmp = src;
        src = dst;
        dst = tmp;
        t = stop;
      }
      if (stop >= n) break;
      // The fills of bar `stop`, before its mark.
      const at = bars + (<usize>stop << 4);
      if (xA == stop) {
        const ev = load<i32>(evA + (<usize>iA << 2));
        iA++;
        laneOrder(LA, (ev & 1) != 0 ? 1 : downTarget, load<f64>(closeFill ? at : at + 8), stop);
      }
      if (xB == stop) {
        const ev = load<i32>(evB + (<usize>iB << 2));
        iB++;
        laneOrder(LB, (ev & 1) != 0 ? 1 : downTarget, load<f64>(closeFill ? at : at + 8), stop);
      }
      v128.store(src, lanes(ld(LA, A_CASH), ld(LB, A_CASH)), S_CASH);
      v128.store(src, lanes(ld(LA, A_UNITS), ld(LB, A_UNITS)), S_UNITS);
    }
    const prev = v128.load(src, S_PREV);
    const peak = v128.load(src, S_PEAK);
    const low = v128.load(src, S_LOW);
    const ddV = v128.load(src, S_DD);
    const sumR = v128.load(src, S_SUM_R);
    const sumR2 = v128.load(src, S_SUM_R2);
    const sumN2 = v128.load(src, S_SUM_N2);

    // accountFinish, per lane, from the lanes' marks.
    for (let i = 0; i < 2; i++) {
      if (i == 1 && h == g) break;
      const L = i == 0 ? LA : LB;
      accountCloseAtEnd(L, n, last);
      // The drawdown of the last peak.
      const draw = max(lane(ddV, i), (lane(peak, i) - lane(low, i)) / lane(peak, i));
      accountMetrics(
        L, n, lane(first, i), lane(prev, i), lane(sumR, i), lane(sumR2, i), lane(sumN2, i), draw,
        out + <usize>((g + i) * MET_LENGTH) * 8,
      );
    }
  }
  return OK;
}
