import type { MarketTransfer } from '../data/market.js';
import type { Backend, Window } from '../kernels/kernel-set.js';

/** What every worker gets once, at start (structured-cloned; the buffers are shared). */
export interface WorkerSetup {
  /** Every market of the pool, once (shared buffers, never copied); a task names one by index. */
  markets: MarketTransfer[];
  backend: Backend;
  /** The compiled kernels (backend wasm): compiled once on the main thread. */
  module: WebAssembly.Module | null;
  /** Int32Array over a SharedArrayBuffer: non-zero asks running tasks to stop between genomes. */
  stop: SharedArrayBuffer;
  /** Bytes of indicators the worker keeps for strategy modules. @default 64 MiB */
  indicatorCacheBytes?: number;
  /** Test-only fault injection; absent in normal use. */
  hooks?: WorkerHooks;
}

/** Faults the pool tests inject into workers (never used outside tests). */
export interface WorkerHooks {
  /** The batch whose worker exits mid-task... */
  exitOnBatch?: number;
  /** ...this many times (an Int32Array counter shared by all workers). */
  exitCounter?: SharedArrayBuffer;
  /** The batch whose worker throws a plain Error. */
  throwOnBatch?: number;
  /** The batch whose genomes the worker corrupts (a zero period), so its kernel fails. */
  corruptOnBatch?: number;
}

/** How a worker finds a strategy: a built-in by name, a module by URL (imported once per worker). */
export interface StrategyRef {
  name: string;
  /** Module URL (carrying the digest), or null for a built-in. */
  url: string | null;
  digest: string;
  builtin: boolean;
}

/** One batch of genomes to backtest for their metrics (the genomes' buffer is transferred, not copied). */
export interface EvalTask {
  kind: 'metrics';
  batch: number;
  /** The market (index into WorkerSetup.markets) whose `window` is evaluated. */
  market: number;
  strategy: StrategyRef;
  window: Window;
  cfg: Float64Array;
  /** Risk per trade of strategy modules without a riskPerTrade gene (sizing risk). */
  riskPerTrade: number;
  genomes: Float64Array;
  count: number;
}

/**
 * One batch of genomes to summarise for the overfitting analysis: per genome the moments of its
 * per-bar returns and those returns compounded over `barsPerRow` bars (src/ga/return-series.ts).
 */
export interface ReturnsTask extends Omit<EvalTask, 'kind'> {
  kind: 'returns';
  barsPerRow: number;
}

/** What the main thread asks of a worker. */
export type WorkerTask = EvalTask | ReturnsTask;

/** A batch that failed inside the worker (errors cross threads as plain data with a code). */
export interface EvalFailure {
  failed: true;
  code: string;
  message: string;
}

/**
 * A worker answers with its results (metrics, or return summaries) plus three values: its compute
 * time in ms and its indicator cache's hits and misses during the task (transferred), or a failure.
 */
export type EvalReply = Float64Array | EvalFailure;
