import type { BacktestOptions } from '../backtest.js';
import { configVector, resolveOptions, resolveWindow } from '../backtest.js';
import type { MarketData } from '../data/market.js';
import { marketDigest } from '../ga/checkpoint.js';
import { abortError, configError } from '../errors.js';
import type { StrategyName } from '../genome/families.js';
import { genomeProblem, getFamily } from '../genome/families.js';
import type { Backend, Window } from '../kernels/kernel-set.js';
import { MET_LENGTH } from '../kernels/layout.js';

/** Per-call options of `Evaluator.evaluate`. */
export interface EvaluateOptions {
  /** Cancels the evaluation: the promise rejects with EngineError `E_ABORT`. */
  signal?: AbortSignal;
}

/** Per-call options of `Evaluator.returnSeries`. */
export interface ReturnSeriesOptions extends EvaluateOptions {
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
  readonly market: MarketData;
  /**
   * Metrics of `genomes` (count x genes of the family, row after row) over `window`.
   * Bad genomes are rejected with E_CONFIG naming the index of the first offending one.
   */
  evaluate(strategy: StrategyName, genomes: Float64Array, window?: Window, options?: EvaluateOptions): Promise<Float64Array>;
  /**
   * Return summaries of `genomes` over `window` for the overfitting analysis, count x
   * summaryWidth(window, barsPerRow) values in input order: per genome the moments of its per-bar
   * returns, then those returns compounded over barsPerRow bars (src/ga/return-series.ts). Optional:
   * evolve() computes them on the calling thread for an evaluator without it.
   */
  returnSeries?(strategy: StrategyName, genomes: Float64Array, window: Window, barsPerRow: number, options?: ReturnSeriesOptions): Promise<Float64Array>;
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
  /** sha256 of the market's columns (marketDigest), and its length. */
  data: string;
  bars: number;
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
  return () => ({ data: cachedMarketDigest(options.market), bars: options.market.length, backend, backtest: { ...backtest } });
}

export interface EvaluatorStats {
  tasks: number;
  computeMs: number;
}

/** What every evaluator is made from. */
export interface EvaluatorOptions {
  market: MarketData;
  /** Execution options shared by every backtest (costs, sizing, fills, periodsPerYear...). */
  backtest?: Omit<BacktestOptions, 'backend' | 'window'>;
  /** @default 'wasm' */
  backend?: Backend;
}

/**
 * Checks a population before any work starts: length a multiple of the family's genes, every
 * gene finite, integral where it must be, within bounds, and the family's constraints.
 * Returns the genome count.
 */
export function validatePopulation(strategy: StrategyName, genomes: Float64Array): number {
  const family = getFamily(strategy);
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
 * because periodsPerYear, when not given, is estimated from the window's own timestamps: a
 * window is evaluated exactly as if the data held only its bars.
 */
export class ConfigCache {
  private readonly vectors = new Map<string, Float64Array>();

  constructor(
    private readonly market: MarketData,
    private readonly options: Omit<BacktestOptions, 'backend' | 'window'>,
  ) {}

  get(strategy: StrategyName, window: Window): Float64Array {
    const key = `${strategy}@${window.start}:${window.end}`;
    let v = this.vectors.get(key);
    if (v === undefined) {
      v = configVector(resolveOptions(getFamily(strategy), this.market, this.options, window));
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
  market: MarketData, strategy: StrategyName, genomes: Float64Array, window: Window | undefined,
): { window: Window; count: number } {
  const count = validatePopulation(strategy, genomes);
  return { window: resolveWindow(market, window), count };
}

export const METRICS_PER_GENOME = MET_LENGTH;
