// The evaluation path of a strategy, decided by the strategy object alone: its fused kernel when
// it has one, else its signals through the generic simulator. Every evaluator and every report
// (hall of fame, out of sample, curves, overfitting statistics) goes through these two functions,
// and here a window becomes the bars the kernels get: the window and its warm-up (windowSpan).
import type { MarketData } from '../data/market.js';
import { CFG_ORIGIN, CFG_SHORTS, CFG_WARMUP } from '../kernels/layout.js';
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

/** A window with its warm-up: the bars the kernels get, and where the window begins in them. */
export interface WindowSpan {
  span: Window;
  /** Index of the window's first bar in the span. */
  origin: number;
  /** The config vector with CFG_ORIGIN = origin (the given one when origin is 0). */
  cfg: Float64Array;
}

/**
 * README "Windows and warm-up": a window [start, end) is traded, marked and measured on its own
 * bars, while its indicators see the bars before it too, at most cfg[CFG_WARMUP] of them
 * (Infinity: every earlier bar of the market; 0: a cold start). The span is
 * [max(0, start - warmup), end) and the window begins at its index start - span.start.
 */
export function windowSpan(window: Window, cfg: Float64Array): WindowSpan {
  const warmup = cfg[CFG_WARMUP] ?? 0;
  const from = warmup >= window.start ? 0 : window.start - warmup;
  const origin = window.start - from;
  if (origin === 0 && (cfg[CFG_ORIGIN] ?? 0) === 0) return { span: window, origin, cfg };
  const c = cfg.slice();
  c[CFG_ORIGIN] = origin;
  return { span: { start: from, end: window.end }, origin, cfg: c };
}

/**
 * Genomes simulated per simulateBatch call: bounds the signal series held at once (64K bars,
 * 512 KB of targets; at least two genomes, which the WASM simulator runs as a pair). Measured on
 * the W1 grid: a call's target arrays then die young (the scavenger frees them; at 1M bars a
 * call they lived to a full collection) and are still in cache when copied to the kernels.
 */
const MAX_BARS_PER_CALL = 1 << 16;

/**
 * Metrics of `count` genomes (rows of the strategy's genes) over a window (with its warm-up,
 * windowSpan), count x MET_LENGTH in input order; null when `stop` asked to stop.
 */
export function evaluateStrategy(
  kernels: KernelSet, market: MarketData, window: Window, s: Strategy, genomes: Float64Array, count: number,
  exec: Execution, cache: IndicatorCache | null, stop?: Int32Array,
): Float64Array | null {
  const { span, origin, cfg } = windowSpan(window, exec.cfg);
  if (s.fused !== null) return kernels.evaluate(market, span, s.fused, genomes, count, cfg, stop);
  const G = s.genes.length;
  const n = span.end - span.start;
  const ctx = createContext(kernels, market, span, origin, cache);
  const shorts = cfg[CFG_SHORTS] !== 0;
  const per = Math.max(2, Math.floor(MAX_BARS_PER_CALL / Math.max(1, n)));
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
      part = kernels.simulateBatch(market, span, inputs, cfg, stop);
    } catch (e) {
      // The simulator refused a target out of range: name the genome that returned it.
      if (isEngineError(e) && e.code === 'E_KERNEL') {
        inputs.forEach((input, j) => checkTargets(s, genesToParams(s, genomes, (g + j) * G), input.target, n, origin));
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

/**
 * One genome over a window (with its warm-up, windowSpan), with the equity curve (the window's
 * bars) and the trades (bar indices relative to the window's start) on request.
 */
export function backtestStrategy(
  kernels: KernelSet, market: MarketData, window: Window, s: Strategy, genes: Float64Array,
  exec: Execution, cache: IndicatorCache | null, emit: { equity?: boolean; trades?: boolean } = {},
): RawBacktest {
  const { span, origin, cfg } = windowSpan(window, exec.cfg);
  if (s.fused !== null) return kernels.backtest(market, span, s.fused, genes, cfg, emit);
  const ctx = createContext(kernels, market, span, origin, cache);
  const input = simulateInputOf(s, ctx, genesToParams(s, genes), cfg[CFG_SHORTS] !== 0, exec.riskPerTrade);
  return kernels.simulate(market, span, input, cfg, emit);
}
