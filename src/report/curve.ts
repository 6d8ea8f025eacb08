import type { MarketData } from '../data/market.js';
import type { StrategyFamily } from '../genome/families.js';
import type { KernelSet } from '../kernels/kernel-set.js';
import type { Execution } from '../strategy/run.js';
import { backtestStrategy } from '../strategy/run.js';
import type { RunWindows } from '../ga/windows.js';
import { TR_DIRECTION, TR_ENTRY_BAR, TR_EXIT_BAR, TR_LENGTH } from '../kernels/layout.js';

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
  /** What each split begins: `fold 1 OOS`, ..., `holdout`, or `out of sample`. */
  splitLabels: string[];
  /**
   * The best genome's trades (at most MAX_TRADE_MARKERS, the first ones): times of the entry
   * and exit fills and the direction (1 long, -1 short).
   */
  trades: { entry: number[]; exit: number[]; direction: number[] };
}

/** Trade markers a curve carries at most. */
export const MAX_TRADE_MARKERS = 1000;

export function bestCurve(
  kernels: KernelSet, market: MarketData, family: StrategyFamily, genes: Float64Array, cfg: Execution,
  cash: number, windows: RunWindows,
): EquityCurve {
  const n = market.length;
  const raw = backtestStrategy(kernels, market, { start: 0, end: n }, family, genes, cfg, null, { equity: true, trades: true });
  const eq = raw.equity!;
  const step = Math.max(1, Math.ceil(n / MAX_CURVE_POINTS));
  const out: EquityCurve = { step, bar: [], time: [], equity: [], buyAndHold: [], drawdown: [], splits: [], splitLabels: [], trades: { entry: [], exit: [], direction: [] } };
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
  windows.test.forEach((w, k) => {
    out.splits.push(w.start);
    out.splitLabels.push(windows.test.length > 1 ? `fold ${k + 1} OOS` : 'out of sample');
  });
  if (windows.holdout !== null) {
    out.splits.push(windows.holdout.start);
    out.splitLabels.push('holdout');
  }
  const tr = raw.trades;
  if (tr !== null) {
    const count = Math.min(MAX_TRADE_MARKERS, Math.floor(tr.length / TR_LENGTH));
    for (let i = 0; i < count; i++) {
      const o = i * TR_LENGTH;
      out.trades.entry.push(market.time[tr[o + TR_ENTRY_BAR]!]!);
      out.trades.exit.push(market.time[Math.min(n - 1, tr[o + TR_EXIT_BAR]!)]!);
      out.trades.direction.push(tr[o + TR_DIRECTION]!);
    }
  }
  return out;
}
