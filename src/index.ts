// The public API of evoquant: everything a program that embeds the engine needs, and nothing
// else. Modules not re-exported here are internal.

export { EngineError, isEngineError } from './errors.js';
export type { ErrorCode, DataLocation } from './errors.js';

// Data (SPEC section 1)
export type { MarketData } from './data/market.js';
export { marketFromArrays, estimatePeriodsPerYear } from './data/market.js';
export type { MarketFromArraysOptions } from './data/market.js';
export { loadCsv, checkCsv, writeCsv } from './data/csv.js';
export type { CheckReport, DataIssue } from './data/csv.js';
export { loadParquet, checkParquet } from './data/parquet.js';
export { loadMarket, checkMarketFile, dataFormat } from './data/load.js';
export { loadMarkets, resolveDataPaths } from './data/basket.js';
export { marketName } from './data/market.js';
export type { DataFormat } from './data/load.js';
export { validateMarket } from './data/validate.js';
export { synthetic, DEFAULT_SYNTHETIC_BARS, DEFAULT_SYNTHETIC_SEED } from './data/synthetic.js';
export type { SyntheticOptions } from './data/synthetic.js';

// Strategies and backtests (SPEC sections 2-5)
// Strategy modules (SPEC section 9): a user's strategies and the built-ins alike
export { defineStrategy, validateDefinition } from './strategy/define.js';
export type {
  StrategyDefinition, GeneDef, Params, Series, Indicators, StrategyContext, Signals, TargetSignals,
  EntryExitSignals, StopSeries, BarValues, BarFlags,
} from './strategy/types.js';
export type { Strategy, GeneSpec, FusedKernel } from './strategy/strategy.js';
export { STRATEGY_NAMES, getStrategy, builtinStrategies } from './strategies/registry.js';
export { loadStrategyModule, resolveStrategy, strategyDigest, moduleDigest } from './strategy/load.js';
export type { StrategyInput } from './strategy/load.js';
export { IndicatorCache, DEFAULT_INDICATOR_CACHE_BYTES } from './strategy/indicator-cache.js';
export { evaluateStrategy, backtestStrategy } from './strategy/run.js';
export type { Execution } from './strategy/run.js';
export { backtest, BACKTEST_DEFAULTS } from './backtest.js';
export type { BacktestOptions, BacktestResult, Metrics, Trade, FillMode, SizingMode, ResolvedOptions } from './backtest.js';
export { METRIC_NAMES } from './kernels/layout.js';
export type { MetricName, ExitReason } from './kernels/layout.js';

// Kernels: the WASM build and its TypeScript twins behind one interface
export type { KernelSet, Backend, Window, RawBacktest } from './kernels/kernel-set.js';
export { createTsKernels } from './kernels/ts-kernels.js';
export { createWasmKernels } from './kernels/wasm/loader.js';
export type { WasmVariant } from './kernels/wasm/loader.js';

// Reproducible randomness
export { Random } from './random.js';
export type { RandomState } from './random.js';

// Evaluation: in process, or sharded over a worker pool (same bits either way)
export type { EvalSlot, Evaluator, EvaluatorDescription, EvaluatorOptions, EvaluateOptions, EvaluatorStats, ReturnSeriesOptions } from './pool/evaluator.js';
export { describeEvaluator, validatePopulation } from './pool/evaluator.js';
export { createInProcessEvaluator } from './pool/in-process.js';
export { createPoolEvaluator } from './pool/pool.js';
export type { PoolEvaluator, PoolEvaluatorOptions } from './pool/pool.js';
export { MAX_THREADS_PER_CORE } from './pool/threads.js';
// ...or on `evoquant worker` processes on any host, through a BullMQ queue on Redis
export { createQueueEvaluator, queueBatchSizes } from './queue/evaluator.js';
export type { QueueEvaluator, QueueEvaluatorOptions, QueueStatus } from './queue/evaluator.js';
export { startQueueWorker } from './queue/worker.js';
export type { QueueWorker, QueueWorkerOptions } from './queue/worker.js';
export { redactUrl } from './queue/connection.js';

// Evolution (the main job)
export { evolve, EVOLVE_DEFAULTS } from './ga/evolve.js';
export type {
  EvolveOptions, EvolveHooks, EvolveResult, GenerationStats, GenerationTiming, GenerationReport, RankedGenome, StopReason, EvolveConfig,
  FoldMetrics, MarketMetrics, ResultMarket,
  AnalysisProgress,
} from './ga/evolve.js';
export { genomeMarkets, resultMarkets } from './ga/result-markets.js';
export type { OverfittingReport } from './ga/overfitting.js';
export { OPERATOR_DEFAULTS } from './ga/operators.js';
export type { OperatorConfig, CrossoverKind, MutationKind } from './ga/operators.js';
export { FITNESS_NAMES, MIN_TRADES_PENALTY } from './ga/fitness.js';

// Overfitting statistics
export { deflatedSharpe, probabilisticSharpe, returnMoments, expectedMaxSharpe } from './stats/deflated-sharpe.js';
export type { DeflatedSharpeInput, DeflatedSharpeResult } from './stats/deflated-sharpe.js';
export { probabilityOfBacktestOverfitting } from './stats/pbo.js';
export type { PboOptions, PboResult } from './stats/pbo.js';
export { meanPairwiseCorrelation, genotypeSpread } from './stats/diversity.js';
export { pboVerdict, dsrVerdict } from './stats/verdict.js';
