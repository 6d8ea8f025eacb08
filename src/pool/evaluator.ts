import type { BacktestOptions } from '../backtest.js';
import { configVector, resolveOptions, resolveWindow } from '../backtest.js';
import type { MarketData } from '../data/market.js';
import { abortError, configError } from '../errors.js';
import type { Strategy } from '../strategy/strategy.js';
import { genomeProblem } from '../strategy/strategy.js';
import type { StrategyInput } from '../strategy/load.js';
import { strategyFromSync } from '../strategy/load.js';
import { DEFAULT_RISK_PER_TRADE } from '../strategy/run.js';
import type { Execution } from '../strategy/run.js';
import type { IndicatorCacheStats } from '../strategy/indicator-cache.js';
import type { Backend, Window } from '../kernels/kernel-set.js';
import { MET_LENGTH } from '../kernels/layout.js';

/** Per-call options of `Evaluator.evaluate`. */
export interface EvaluateOptions {
  /** Cancels the evaluation: the promise rejects with EngineError `E_ABORT`. */
  signal?: AbortSignal;
}

/**
 * Evaluates populations: genomes in, one metrics vector (MET_LENGTH values, `METRIC_NAMES`
 * order) per genome out, in input order. Implementations differ in where the work runs (this
 * thread, a worker pool, one day other machines), never in the result: for the same market,
 * options, strategy, genomes and window every evaluator returns the same bits.
 */
export interface Evaluator {
  /** `in-process` or `pool`. */
  readonly kind: string;
  readonly backend: Backend;
  /** Threads doing the work. */
  readonly threads: number;
  readonly market: MarketData;
  /**
   * Metrics of `genomes` (count x genes of the strategy, row after row) over `window`. The
   * strategy is a loaded one (evolve passes it), a definition object (in process only), or a
   * built-in's name. Bad genomes are rejected with E_CONFIG naming the index of the first one.
   */
  evaluate(strategy: StrategyInput, genomes: Float64Array, window?: Window, options?: EvaluateOptions): Promise<Float64Array>;
  /** Releases threads and memory; the evaluator cannot be used afterwards. */
  close(): Promise<void>;
  /** Cumulative work done: tasks run and the time spent computing them (summed over threads). */
  stats(): EvaluatorStats;
}

export interface EvaluatorStats {
  tasks: number;
  computeMs: number;
  /** Indicator cache of the module path (summed over threads): lookups answered and computed. */
  indicatorHits?: number;
  indicatorMisses?: number;
}

/** Adds a worker's (or the thread's) indicator cache counters to an evaluator's stats. */
export function addIndicatorStats(stats: EvaluatorStats, hits: number, misses: number): void {
  stats.indicatorHits = (stats.indicatorHits ?? 0) + hits;
  stats.indicatorMisses = (stats.indicatorMisses ?? 0) + misses;
}

export type { IndicatorCacheStats };

/** What every evaluator is made from. */
export interface EvaluatorOptions {
  market: MarketData;
  /** Execution options shared by every backtest (costs, sizing, fills, periodsPerYear...). */
  backtest?: Omit<BacktestOptions, 'backend' | 'window'>;
  /** @default 'wasm' */
  backend?: Backend;
  /** Bytes of indicators each thread keeps for strategy modules (LRU). @default 64 MiB */
  indicatorCacheBytes?: number;
}

/**
 * Checks a population before any work starts: length a multiple of the family's genes, every
 * gene finite, integral where it must be, within bounds, and the family's constraints.
 * Returns the genome count.
 */
export function validatePopulation(strategy: StrategyInput, genomes: Float64Array): number {
  const family = strategyFromSync(strategy);
  const G = family.genes.length;
  if (genomes.length % G !== 0) {
    throw configError('genomes', `length ${genomes.length} is not a multiple of ${G} (the genes of ${family.name})`);
  }
  const count = genomes.length / G;
  for (let i = 0; i < count; i++) {
    const problem = genomeProblem(family, genomes, i * G);
    if (problem !== null) throw configError(`genomes[${i}]`, problem);
  }
  return count;
}

/**
 * The kernels' config vector per strategy and window, resolved once. It depends on the window
 * because periodsPerYear, when not given, is estimated from the window's own timestamps: a
 * window is evaluated exactly as if the data held only its bars.
 */
export class ConfigCache {
  private readonly vectors = new Map<string, Execution>();

  constructor(
    private readonly market: MarketData,
    private readonly options: Omit<BacktestOptions, 'backend' | 'window'>,
  ) {}

  get(strategy: StrategyInput, window: Window): Float64Array {
    return this.execution(strategy, window).cfg;
  }

  /** The config vector and the module path's extra execution options. */
  execution(strategyInput: StrategyInput, window: Window): Execution {
    const strategy = strategyFromSync(strategyInput);
    const key = `${strategy.name}:${strategy.digest}@${window.start}:${window.end}`;
    let v = this.vectors.get(key);
    if (v === undefined) {
      const resolved = resolveOptions(strategy, this.market, this.options, window);
      v = { cfg: configVector(resolved), riskPerTrade: resolved.riskPerTrade ?? DEFAULT_RISK_PER_TRADE };
      this.vectors.set(key, v);
    }
    return v;
  }
}

/** Throws E_ABORT if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortError(signal.reason);
}

/** Checks the arguments every evaluate() shares; returns the window and the count. */
export function prepareEvaluation(
  market: MarketData, strategy: StrategyInput, genomes: Float64Array, window: Window | undefined,
): { window: Window; count: number; strategy: Strategy } {
  const s = strategyFromSync(strategy);
  const count = validatePopulation(s, genomes);
  return { window: resolveWindow(market, window), count, strategy: s };
}

export const METRICS_PER_GENOME = MET_LENGTH;
