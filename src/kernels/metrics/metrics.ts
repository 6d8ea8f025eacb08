import { OK, E_LENGTH } from '../status.js';

// The formulas below are shared by the standalone metric kernels and the fused strategy
// kernels, so a metric computed inside a backtest equals the metric of its emitted curve.
// SPEC section 5. Twin: assembly/metrics/metrics.ts.

// Sharpe from sums of d = r - shift (shifted data): mean from sum(r), variance from sum(d) and
// sum(d^2). The standalone kernel shifts by the first return, so a constant series has a variance
// of exactly 0 and a Sharpe of 0 (SPEC section 5), where sum(r^2) - mean * sum(r) rounds to a tiny
// positive number and the ratio explodes. The fused kernels accumulate plain sums (shift 0): a
// backtest's first return is always 0 (nothing can fill before bar 2), and with shift 0 the two
// give the same bits.
export function sharpeShiftedOf(sumR: number, sumD: number, sumD2: number, count: number, periodsPerYear: number): number {
  if (count < 2) return 0.0;
  const c = count;
  const m = sumR / c;
  const md = sumD / c;
  const v = (sumD2 - md * sumD) / (c - 1.0);
  if (!(v > 0)) return 0.0;
  return (m / Math.sqrt(v)) * Math.sqrt(periodsPerYear);
}

/** Sharpe from plain sums of r and r^2 (shift 0), as the fused kernels accumulate them. */
export function sharpeOf(sumR: number, sumR2: number, count: number, periodsPerYear: number): number {
  return sharpeShiftedOf(sumR, sumR, sumR2, count, periodsPerYear);
}

export function sortinoOf(sumR: number, sumNeg2: number, count: number, periodsPerYear: number): number {
  if (count < 1) return 0.0;
  const c = count;
  const d = Math.sqrt(sumNeg2 / c);
  if (!(d > 0)) return 0.0;
  return (sumR / c / d) * Math.sqrt(periodsPerYear);
}

/** Compound annual growth: (last / first)^(periodsPerYear / (n - 1)) - 1; -1 once equity <= 0. */
export function annualReturnOf(first: number, last: number, n: number, periodsPerYear: number): number {
  if (n < 2 || !(first > 0)) return 0.0;
  const g = last / first;
  if (!(g > 0)) return -1.0;
  return Math.pow(g, periodsPerYear / (n - 1)) - 1.0;
}

export function calmarOf(annualReturn: number, maxDrawdown: number): number {
  return maxDrawdown > 0 ? annualReturn / maxDrawdown : 0.0;
}

/** E / prev - 1, and exactly 0 when equity did not move (also when it sits at 0 after ruin). */
export function barReturn(e: number, prev: number): number {
  return e === prev ? 0.0 : e / prev - 1.0;
}

/** r[t-1] = E[t] / E[t-1] - 1 for t = 1..n-1 (n - 1 values). */
export function returns(equity: Float64Array, n: number, out: Float64Array): number {
  if (n < 0) return E_LENGTH;
  for (let t = 1; t < n; t++) out[t - 1] = barReturn(equity[t]!, equity[t - 1]!);
  return OK;
}

export function totalReturn(equity: Float64Array, n: number): number {
  if (n < 1) return 0.0;
  return equity[n - 1]! / equity[0]! - 1.0;
}

/** mean(r) / std(r, ddof = 1) * sqrt(periodsPerYear); 0 when std = 0. */
export function sharpe(rets: Float64Array, count: number, periodsPerYear: number): number {
  const shift = count > 0 ? rets[0]! : 0.0;
  let s = 0;
  let sd = 0;
  let sd2 = 0;
  for (let i = 0; i < count; i++) {
    const r = rets[i]!;
    s = s + r;
    const d = r - shift;
    sd = sd + d;
    sd2 = sd2 + d * d;
  }
  return sharpeShiftedOf(s, sd, sd2, count, periodsPerYear);
}

/** mean(r) / sqrt(mean(min(r, 0)^2)) * sqrt(periodsPerYear); 0 when the root is 0. */
export function sortino(rets: Float64Array, count: number, periodsPerYear: number): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < count; i++) {
    const r = rets[i]!;
    s = s + r;
    const m = r < 0 ? r : 0.0;
    s2 = s2 + m * m;
  }
  return sortinoOf(s, s2, count, periodsPerYear);
}

/** 1 - 16u (u = 2^-53): the drawdown threshold's safety factor (see maxDrawdown). */
export const DD_SCALE = 1.0 - 16.0 * 1.1102230246251565e-16;

/**
 * max over t of (peak[t] - E[t]) / peak[t], peak the running maximum of E. A bar can raise the
 * maximum dd only if fl(q / peak) > dd with q = fl(peak - E), which implies q > dd peak / (1 + u)
 * > fl(peak fl(dd (1 - 16u))): only bars past that threshold (a new deepest drawdown, a handful
 * per series) divide. Same bits as dividing at every bar.
 */
export function maxDrawdown(equity: Float64Array, n: number): number {
  if (n < 1) return 0.0;
  let peak = equity[0]!;
  let dd = 0.0;
  let threshold = 0.0;
  for (let t = 1; t < n; t++) {
    const e = equity[t]!;
    peak = e > peak ? e : peak;
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

export function annualReturn(equity: Float64Array, n: number, periodsPerYear: number): number {
  if (n < 1) return 0.0;
  return annualReturnOf(equity[0]!, equity[n - 1]!, n, periodsPerYear);
}

/** annualized return / maxDrawdown; 0 when maxDrawdown = 0. */
export function calmar(equity: Float64Array, n: number, periodsPerYear: number): number {
  return calmarOf(annualReturn(equity, n, periodsPerYear), maxDrawdown(equity, n));
}

/** Trades with PnL > 0 over all trades; 0 without trades. */
export function winRate(pnl: Float64Array, count: number): number {
  if (count < 1) return 0.0;
  let w = 0;
  for (let i = 0; i < count; i++) if (pnl[i]! > 0) w++;
  return w / count;
}

/** Gross profit / gross loss; Infinity without losses, 0 without trades (or without any PnL). */
export function profitFactor(pnl: Float64Array, count: number): number {
  if (count < 1) return 0.0;
  let gp = 0;
  let gl = 0;
  for (let i = 0; i < count; i++) {
    const p = pnl[i]!;
    // Adding an exact +0 leaves a sum's bits unchanged (the WASM twin masks instead of branching).
    gp = gp + (p > 0 ? p : 0.0);
    gl = gl - (p < 0 ? p : 0.0);
  }
  if (gl > 0) return gp / gl;
  return gp > 0 ? Infinity : 0.0;
}

/** Share of bars with a non-zero position. */
export function exposure(units: Float64Array, n: number): number {
  if (n < 1) return 0.0;
  let c = 0;
  for (let i = 0; i < n; i++) if (units[i] !== 0) c++;
  return c / n;
}
