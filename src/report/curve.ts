import type { MarketData } from '../data/market.js';
import type { StrategyFamily } from '../genome/families.js';
import type { KernelSet } from '../kernels/kernel-set.js';
import type { Execution } from '../strategy/run.js';
import { backtestStrategy } from '../strategy/run.js';
import type { RunWindows } from '../ga/windows.js';

/** Points at most in a stored curve (reports stay small on million-bar runs). */
export const MAX_CURVE_POINTS = 2000;

/**
 * The best genome over the whole series, ready to draw: equity, buy-and-hold (cash x close /
 * first close, no costs) and drawdown, decimated to at most MAX_CURVE_POINTS points (each point
 * is the last bar of a step of `step` bars, drawdown the deepest within the step), and the bars
 * where out-of-sample windows begin.
 */
export interface EquityCurve {
  step: number;
  bar: number[];
  time: number[];
  equity: number[];
  buyAndHold: number[];
  drawdown: number[];
  /** First bar of each out-of-sample window (test windows, then the holdout). */
  splits: number[];
}

export function bestCurve(
  kernels: KernelSet, market: MarketData, family: StrategyFamily, genes: Float64Array, cfg: Execution,
  cash: number, windows: RunWindows,
): EquityCurve {
  const n = market.length;
  const eq = backtestStrategy(kernels, market, { start: 0, end: n }, family, genes, cfg, null, { equity: true }).equity!;
  const step = Math.max(1, Math.ceil(n / MAX_CURVE_POINTS));
  const out: EquityCurve = { step, bar: [], time: [], equity: [], buyAndHold: [], drawdown: [], splits: [] };
  const c0 = market.close[0]!;
  let peak = -Infinity;
  let worst = 0;
  for (let t = 0; t < n; t++) {
    const e = eq[t]!;
    if (e > peak) peak = e;
    const dd = peak > 0 ? (peak - e) / peak : 0;
    if (dd > worst) worst = dd;
    if ((t + 1) % step === 0 || t === n - 1) {
      out.bar.push(t);
      out.time.push(market.time[t]!);
      out.equity.push(e);
      out.buyAndHold.push((cash * market.close[t]!) / c0);
      out.drawdown.push(worst);
      worst = 0;
    }
  }
  for (const w of windows.test) out.splits.push(w.start);
  if (windows.holdout !== null) out.splits.push(windows.holdout.start);
  return out;
}
