import type { BacktestOptions } from '../backtest.js';
import { configVector, resolveOptions, resolveWindow } from '../backtest.js';
import type { MarketData } from '../data/market.js';
import { marketDigest } from '../ga/checkpoint.js';
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
 * One place of an evaluation call: a market of the evaluator (its index in `markets`) and a
 * window of that market's bars.
 */
export interface EvalSlot {
  market: number;
  window: Window;
}

/** Per-call options of `Evaluator.returnSeries`. */
export interface ReturnSeriesOptions extends EvaluateOptions {
  /** The market (its index in the evaluator's `markets`) whose window is summarised. @default 0 */
  market?: number;
  /** Called as genomes are done (in completion order, `done` of `total`). */
  onProgress?: (done: number, total: number) => void;
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
  /** The first of `markets` (the only one of a single-market evaluator). */
  readonly market: MarketData;
  /** Every market it evaluates on; a slot names one by its index here. */
  readonly markets: readonly MarketData[];
  /**
   * Metrics of `genomes` (count x genes of the strategy, row after row) over `window`. The
   * strategy is a loaded one (evolve passes it), a definition object (in process only), or a
   * built-in's name. Bad genomes are rejected with E_CONFIG naming the index of the first one.
   */
  evaluate(strategy: StrategyInput, genomes: Float64Array, window?: Window, options?: EvaluateOptions): Promise<Float64Array>;
  /**
   * Metrics of `genomes` over every slot in one call: slots.length x count x MET_LENGTH values,
   * slot after slot, genomes in input order within a slot. The same bits as one evaluate() per
   * slot; an implementation may run the slots' work together (one round of tasks, not one per
   * slot).
   */
  evaluateSlots(strategy: StrategyInput, genomes: Float64Array, slots: readonly EvalSlot[], options?: EvaluateOptions): Promise<Float64Array>;
  /**
   * Return summaries of `genomes` over `window` for the overfitting analysis, count x
   * summaryWidth(window, barsPerRow) values in input order: per genome the moments of its per-bar
   * returns, then those returns compounded over barsPerRow bars (src/ga/return-series.ts). Optional:
   * evolve() computes them on the calling thread for an evaluator without it.
   */
  returnSeries?(strategy: StrategyInput, genomes: Float64Array, window: Window, barsPerRow: number, options?: ReturnSeriesOptions): Promise<Float64Array>;
  /** Releases threads and memory; the evaluator cannot be used afterwards. */
  close(): Promise<void>;
  /** Cumulative work done: tasks run and the time spent computing them (summed over threads). */
  stats(): EvaluatorStats;
  /**
   * What the evaluator was built for: its data (digest) and every option that decides its
   * results. evolve() refuses an evaluator built for other data or options (see
   * describeEvaluator, which an implementation calls with its EvaluatorOptions).
   */
  describe(): EvaluatorDescription;
}

/** What decides an evaluator's results, whatever runs them. */
export interface EvaluatorDescription {
  /** sha256 of the (first) market's columns (marketDigest), and its length. */
  data: string;
  bars: number;
  /** Every market, in slot-index order: its digest and length. */
  markets: { digest: string; bars: number }[];
  backend: Backend;
  /** The execution options it was given (unset ones take BACKTEST_DEFAULTS and the family's defaults). */
  backtest: Omit<BacktestOptions, 'backend' | 'window'>;
}

const digests = new WeakMap<MarketData, string>();

/** marketDigest, computed once per MarketData object (markets are not modified once built). */
export function cachedMarketDigest(market: MarketData): string {
  let d = digests.get(market);
  if (d === undefined) {
    d = marketDigest(market);
    digests.set(market, d);
  }
  return d;
}

/** The describe() of an evaluator made from `options` (the digest is computed on first call). */
export function describeEvaluator(options: EvaluatorOptions): () => EvaluatorDescription {
  const backtest = { ...(options.backtest ?? {}) };
  const backend = options.backend ?? 'wasm';
  const markets = marketsOf(options);
  return () => {
    const all = markets.map((m) => ({ digest: cachedMarketDigest(m), bars: m.length }));
    return { data: all[0]!.digest, bars: all[0]!.bars, markets: all, backend, backtest: { ...backtest } };
  };
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
  /** The market (or give `markets`). */
  market?: MarketData;
  /** Several markets; slots name them by index. Exclusive with `market`. */
  markets?: readonly MarketData[];
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
  // Checked here, on the caller's thread: anything else would only fail inside a worker.
  if (!(genomes instanceof Float64Array)) {
    throw configError('genomes', `expected a Float64Array (genomes x ${G} genes of ${family.name}, row after row), got ${describeValue(genomes)}; wrap numbers in Float64Array.from(...)`);
  }
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

/** What a wrong argument is, for messages: "null", "an Array of 4", "an Int32Array", "a string". */
function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an Array of ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a${/^[AEIOU]/.test(x.constructor.name) ? 'n' : ''} ${x.constructor.name}`;
  const t = typeof x;
  return t === 'object' ? 'an object' : t === 'undefined' ? 'undefined' : `a ${t}`;
}

/**
 * The kernels' config vector per strategy and window, resolved once. It depends on the window
 * because periodsPerYear, when not given, is estimated from the window's own timestamps. It
 * carries the warmup option (CFG_WARMUP), from which the module that runs a window
 * (src/strategy/run.ts windowSpan) decides the bars before it that the kernels see and sets
 * CFG_ORIGIN (README "Windows and warm-up").
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

/** The markets of an evaluator's options: `market` or `markets`, exactly one of them, not empty. */
export function marketsOf(options: Pick<EvaluatorOptions, 'market' | 'markets'>): readonly MarketData[] {
  if (options.market !== undefined && options.markets !== undefined) throw configError('markets', 'give market or markets, not both');
  const markets = options.markets ?? (options.market !== undefined ? [options.market] : []);
  if (markets.length === 0) throw configError('markets', 'an evaluator needs a market (market, or a non-empty markets)');
  return markets;
}

/**
 * Checks the arguments of an evaluateSlots() call before any work: the genomes once, each slot's
 * market index and window. Returns the genome count, the strategy and each slot's window.
 */
export function prepareSlots(
  markets: readonly MarketData[], strategy: StrategyInput, genomes: Float64Array, slots: readonly SlotSpec[],
): { count: number; strategy: Strategy; windows: Window[] } {
  const s = strategyFromSync(strategy);
  const count = validatePopulation(s, genomes);
  if (!Array.isArray(slots)) throw configError('slots', `expected an array of { market, window }, got ${describeValue(slots)}`);
  const windows = slots.map((slot, i) => {
    if (slot === null || typeof slot !== 'object') throw configError(`slots[${i}]`, `expected { market, window }, got ${describeValue(slot)}`);
    return resolveWindow(slotMarket(markets, slots, i), slot.window, slot.option ?? `slots[${i}].window`);
  });
  return { count, strategy: s, windows };
}

/** The market index of returnSeries' options (default 0), or E_CONFIG naming it. */
export function seriesMarket(markets: readonly MarketData[], market: number | undefined): number {
  const m = market ?? 0;
  if (!Number.isInteger(m) || m < 0 || m >= markets.length) throw configError('market', `must be an index of the evaluator's ${markets.length} market(s), got ${String(market)}`);
  return m;
}

/**
 * A slot as evaluators take it internally: evaluate() is one slot without a window (the whole
 * market), whose errors name `window` (`option`) rather than `slots[0].window`.
 */
export interface SlotSpec {
  market: number;
  window?: Window | undefined;
  option?: string;
}

/** The market of a slot, or E_CONFIG naming the slot. */
export function slotMarket(markets: readonly MarketData[], slots: readonly { market: number }[], i: number): MarketData {
  const m = slots[i]!.market;
  const market = Number.isInteger(m) ? markets[m] : undefined;
  if (market === undefined) throw configError(`slots[${i}].market`, `must be an index of the evaluator's ${markets.length} market(s), got ${m}`);
  return market;
}

/**
 * evaluateSlots as one evaluate-like call per slot, in turn, for implementations that do not run
 * slots together; `one` evaluates a slot (its market's index and window).
 */
export async function evaluateSlotsInTurn(
  markets: readonly MarketData[], genomes: Float64Array, genesPerGenome: number, slots: readonly EvalSlot[],
  one: (market: number, window: Window) => Promise<Float64Array>,
): Promise<Float64Array> {
  const count = genomes.length / genesPerGenome;
  const out = new Float64Array(slots.length * count * MET_LENGTH);
  for (let i = 0; i < slots.length; i++) {
    slotMarket(markets, slots, i);
    out.set(await one(slots[i]!.market, slots[i]!.window), i * count * MET_LENGTH);
  }
  return out;
}
