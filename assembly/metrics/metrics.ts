import { ld, st, keepIf } from "../memory";
import { OK, E_LENGTH } from "../status";

// Math.pow differs between AssemblyScript's libm and V8; the host's pow keeps both twins on
// the same bits (SPEC section 6).
// @ts-ignore: decorator
@external("env", "pow")
declare function hostPow(x: f64, y: f64): f64;

// The formulas below are shared by the standalone metric kernels and the fused strategy
// kernels, so a metric computed inside a backtest equals the metric of its emitted curve.

// Sharpe from sums of d = r - shift (shifted data): mean from sum(r), variance from sum(d) and
// sum(d^2). The standalone kernel shifts by the first return, so a constant series has a variance
// of exactly 0 and a Sharpe of 0 (SPEC section 5), where sum(r^2) - mean * sum(r) rounds to a tiny
// positive number and the ratio explodes. The fused kernels accumulate plain sums (shift 0): a
// backtest's first return is always 0 (nothing can fill before bar 2), and with shift 0 the two
// give the same bits.
// @ts-ignore: decorator
@inline export function sharpeShiftedOf(sumR: f64, sumD: f64, sumD2: f64, count: i32, periodsPerYear: f64): f64 {
  if (count < 2) return 0.0;
  const c = <f64>count;
  const m = sumR / c;
  const md = sumD / c;
  const v = (sumD2 - md * sumD) / (c - 1.0);
  if (!(v > 0)) return 0.0;
  return (m / sqrt(v)) * sqrt(periodsPerYear);
}

/** Sharpe from plain sums of r and r^2 (shift 0), as the fused kernels accumulate them. */
// @ts-ignore: decorator
@inline export function sharpeOf(sumR: f64, sumR2: f64, count: i32, periodsPerYear: f64): f64 {
  return sharpeShiftedOf(sumR, sumR, sumR2, count, periodsPerYear);
}

// @ts-ignore: decorator
@inline export function sortinoOf(sumR: f64, sumNeg2: f64, count: i32, periodsPerYear: f64): f64 {
  if (count < 1) return 0.0;
  const c = <f64>count;
  const d = sqrt(sumNeg2 / c);
  if (!(d > 0)) return 0.0;
  return (sumR / c / d) * sqrt(periodsPerYear);
}

/** Compound annual growth: (last / first)^(periodsPerYear / (n - 1)) - 1; -1 once equity <= 0. */
export function annualReturnOf(first: f64, last: f64, n: i32, periodsPerYear: f64): f64 {
  if (n < 2 || !(first > 0)) return 0.0;
  const g = last / first;
  if (!(g > 0)) return -1.0;
  return hostPow(g, periodsPerYear / <f64>(n - 1)) - 1.0;
}

// @ts-ignore: decorator
@inline export function calmarOf(annualReturn: f64, maxDrawdown: f64): f64 {
  return maxDrawdown > 0 ? annualReturn / maxDrawdown : 0.0;
}

/** E / prev - 1, and exactly 0 when equity did not move (also when it sits at 0 after ruin). */
// @ts-ignore: decorator
@inline export function barReturn(e: f64, prev: f64): f64 {
  return e == prev ? 0.0 : e / prev - 1.0;
}

/** r[t-1] = E[t] / E[t-1] - 1 for t = 1..n-1 (n - 1 values). */
export function returns(equity: usize, n: i32, out: usize): i32 {
  if (n < 0) return E_LENGTH;
  for (let t = 1; t < n; t++) st(out, t - 1, barReturn(ld(equity, t), ld(equity, t - 1)));
  return OK;
}

export function totalReturn(equity: usize, n: i32): f64 {
  if (n < 1) return 0.0;
  return ld(equity, n - 1) / ld(equity, 0) - 1.0;
}

/** mean(r) / std(r, ddof = 1) * sqrt(periodsPerYear); 0 when std = 0. */
export function sharpe(rets: usize, count: i32, periodsPerYear: f64): f64 {
  const shift = count > 0 ? ld(rets, 0) : 0.0;
  let s: f64 = 0;
  let sd: f64 = 0;
  let sd2: f64 = 0;
  for (let i = 0; i < count; i++) {
    const r = ld(rets, i);
    s = s + r;
    const d = r - shift;
    sd = sd + d;
    sd2 = sd2 + d * d;
  }
  return sharpeShiftedOf(s, sd, sd2, count, periodsPerYear);
}

/** mean(r) / sqrt(mean(min(r, 0)^2)) * sqrt(periodsPerYear); 0 when the root is 0. */
export function sortino(rets: usize, count: i32, periodsPerYear: f64): f64 {
  let s: f64 = 0;
  let s2: f64 = 0;
  for (let i = 0; i < count; i++) {
    const r = ld(rets, i);
    s = s + r;
    const m = keepIf(r, r < 0); // r < 0 ? r : 0
    s2 = s2 + m * m;
  }
  return sortinoOf(s, s2, count, periodsPerYear);
}

/** 1 - 16u (u = 2^-53): the drawdown threshold's safety factor (see maxDrawdown). */
export const DD_SCALE: f64 = 1.0 - 16.0 * 1.1102230246251565e-16;

/**
 * max over t of (peak[t] - E[t]) / peak[t], peak the running maximum of E. A bar can raise the
 * maximum dd only if fl(q / peak) > dd with q = fl(peak - E), which implies q > dd peak / (1 + u)
 * > fl(peak fl(dd (1 - 16u))): only bars past that threshold (a new deepest drawdown, a handful
 * per series) divide. Same bits as dividing at every bar; no branch in the common case.
 */
export function maxDrawdown(equity: usize, n: i32): f64 {
  if (n < 1) return 0.0;
  let peak = ld(equity, 0);
  let dd: f64 = 0;
  let threshold: f64 = 0;
  for (let t = 1; t < n; t++) {
    const e = ld(equity, t);
    // A plain branch: new peaks are rare and predictable, and a bit-mask blend here would put a
    // register round trip on the loop-carried peak.
    if (e > peak) peak = e;
    const q = peak - e;
    if (q > peak * threshold) {
      const d = q / peak;
      if (d > dd) {
        dd = d;
        threshold = dd * DD_SCALE;
      }
    }
  }
  return dd;
}

export function annualReturn(equity: usize, n: i32, periodsPerYear: f64): f64 {
  if (n < 1) return 0.0;
  return annualReturnOf(ld(equity, 0), ld(equity, n - 1), n, periodsPerYear);
}

/** annualized return / maxDrawdown; 0 when maxDrawdown = 0. */
export function calmar(equity: usize, n: i32, periodsPerYear: f64): f64 {
  return calmarOf(annualReturn(equity, n, periodsPerYear), maxDrawdown(equity, n));
}

/** Trades with PnL > 0 over all trades; 0 without trades. */
export function winRate(pnl: usize, count: i32): f64 {
  if (count < 1) return 0.0;
  let w = 0;
  for (let i = 0; i < count; i++) if (ld(pnl, i) > 0) w++;
  return <f64>w / <f64>count;
}

/** Gross profit / gross loss; Infinity without losses, 0 without trades (or without any PnL). */
export function profitFactor(pnl: usize, count: i32): f64 {
  if (count < 1) return 0.0;
  let gp: f64 = 0;
  let gl: f64 = 0;
  for (let i = 0; i < count; i++) {
    const p = ld(pnl, i);
    // Adding an exact +0 leaves a sum's bits unchanged; the masks avoid unpredictable branches.
    gp = gp + keepIf(p, p > 0);
    gl = gl - keepIf(p, p < 0);
  }
  if (gl > 0) return gp / gl;
  return gp > 0 ? Infinity : 0.0;
}

/** Share of bars with a non-zero position. */
export function exposure(units: usize, n: i32): f64 {
  if (n < 1) return 0.0;
  let c = 0;
  for (let i = 0; i < n; i++) if (ld(units, i) != 0) c++;
  return <f64>c / <f64>n;
}
