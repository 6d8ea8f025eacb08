// The evaluation path of a strategy, decided by the strategy object alone: its fused kernel when
// it has one, else its signals through the generic simulator. Every evaluator and every report
// (hall of fame, out of sample, curves, overfitting statistics) goes through these two functions.
import type { MarketData } from '../data/market.js';
import { CFG_SHORTS } from '../kernels/layout.js';
import type { KernelSet, RawBacktest, SimulateInput, Window } from '../kernels/kernel-set.js';
import { createContext } from './context.js';
import type { IndicatorCache } from './indicator-cache.js';
import { isEngineError } from '../errors.js';
import { checkTargets, simulateInputOf } from './signals.js';
import type { Strategy } from './strategy.js';
import { genesToParams } from './strategy.js';

/** Risk per trade when sizing by risk and the strategy has no `riskPerTrade` gene. */
export const DEFAULT_RISK_PER_TRADE = 0.01;

/** How a run executes: the kernels' config vector plus what only the module path needs. */
export interface Execution {
  cfg: Float64Array;
  /** Risk per trade (sizing `risk`) of strategies without a `riskPerTrade` gene. */
  riskPerTrade: number;
}

/** Genomes simulated per simulateBatch call: bounds the signal series held at once. */
const MAX_BARS_PER_CALL = 1 << 22;

/**
 * Metrics of `count` genomes (rows of the strategy's genes) over a window, count x MET_LENGTH
 * in input order; null when `stop` asked to stop.
 */
export function evaluateStrategy(
  kernels: KernelSet, market: MarketData, window: Window, s: Strategy, genomes: Float64Array, count: number,
  exec: Execution, cache: IndicatorCache | null, stop?: Int32Array,
): Float64Array | null {
  if (s.fused !== null) return kernels.evaluate(market, window, s.fused, genomes, count, exec.cfg, stop);
  const G = s.genes.length;
  const n = window.end - window.start;
  const ctx = createContext(kernels, market, window, cache);
  const shorts = exec.cfg[CFG_SHORTS] !== 0;
  const per = Math.max(1, Math.floor(MAX_BARS_PER_CALL / Math.max(1, n)));
  let out: Float64Array | null = null;
  for (let g = 0; g < count; g += per) {
    const k = Math.min(per, count - g);
    const inputs: SimulateInput[] = [];
    for (let i = g; i < g + k; i++) {
      if (stop !== undefined && Atomics.load(stop, 0) !== 0) return null;
      inputs.push(simulateInputOf(s, ctx, genesToParams(s, genomes, i * G), shorts, exec.riskPerTrade, false));
    }
    let part: Float64Array | null;
    try {
      part = kernels.simulateBatch(market, window, inputs, exec.cfg, stop);
    } catch (e) {
      // The simulator refused a target out of range: name the genome that returned it.
      if (isEngineError(e) && e.code === 'E_KERNEL') {
        inputs.forEach((input, j) => checkTargets(s, genesToParams(s, genomes, (g + j) * G), input.target, n));
      }
      throw e;
    }
    if (part === null) return null;
    if (k === count) return part;
    out ??= new Float64Array(count * part.length / k);
    out.set(part, g * (part.length / k));
  }
  return out ?? new Float64Array(0);
}

/** One genome over a window, with the equity curve and the trades on request. */
export function backtestStrategy(
  kernels: KernelSet, market: MarketData, window: Window, s: Strategy, genes: Float64Array,
  exec: Execution, cache: IndicatorCache | null, emit: { equity?: boolean; trades?: boolean } = {},
): RawBacktest {
  if (s.fused !== null) return kernels.backtest(market, window, s.fused, genes, exec.cfg, emit);
  const ctx = createContext(kernels, market, window, cache);
  const input = simulateInputOf(s, ctx, genesToParams(s, genes), exec.cfg[CFG_SHORTS] !== 0, exec.riskPerTrade);
  return kernels.simulate(market, window, input, exec.cfg, emit);
}
