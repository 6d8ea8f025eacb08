import type { BacktestOptions } from '../backtest.js';
import type { MarketData } from '../data/market.js';
import type { Backend } from '../kernels/kernel-set.js';
import type { Evaluator } from '../pool/evaluator.js';
import type { StrategyInput } from '../strategy/load.js';
import { DEFAULT_MIN_TRADE_RATE } from './fitness.js';
import type { OperatorConfig } from './operators.js';
import type { FoldAggregate, MarketAggregate } from './windows.js';
import type { GenerationReport } from './result-types.js';

/** Options of an evolution run. Every field is optional and has a documented default. */
export interface EvolveOptions {
  /** Market data (or give `markets`). @default the built-in synthetic series (5,000 bars, seed 42) */
  market?: MarketData;
  /**
   * Several markets (a basket), exclusive with `market`: every window is cut per market by the
   * same fractions, and a genome's fitness is aggregated over markets (`marketAggregate`) after
   * its folds within each market. One market behaves exactly as `market`.
   */
  markets?: readonly MarketData[];
  /**
   * A built-in's name, the path or file: URL of a strategy module, or a definition (a definition
   * object runs in process only: worker threads import strategies by URL). @default 'stoch-rsi-bands'
   */
  strategy?: StrategyInput;
  /** Genomes per generation. @default 128 */
  population?: number;
  /** Generations evaluated, the initial population included. @default 40 */
  generations?: number;
  /** Seed of the run's one PRNG. @default 1 */
  seed?: number;
  /** Selection and variation (DEAP-like). @default OPERATOR_DEFAULTS */
  operators?: Partial<OperatorConfig>;
  /**
   * Fitness by name (`default` = 0.5 sharpe + 0.5 calmar, `seed` = the source documents'
   * sharpe - 0.5 maxDrawdown + 0.3 winRate, ...) or `metric:weight,...`. A string: a function is
   * refused (E_CONFIG), because a run must be reproducible from its result and checkpoint.
   */
  fitness?: string;
  /** Two or more objectives (`max:sharpe,min:maxDrawdown`): switches to NSGA-II. */
  objectives?: string;
  /** Absolute floor of the minimum-trades rule: a genome with fewer trades on a window gets the fixed penalty fitness (-1000). @default 5 */
  minTrades?: number;
  /**
   * Minimum trades per 1,000 bars of each window: a window of N bars asks for
   * max(minTrades, ceil(minTradeRate x N / 1000)) trades. @default 5
   */
  minTradeRate?: number;
  /**
   * In-sample fraction; the rest is reported out of sample only. null: the whole series is
   * in-sample (no out-of-sample check at all). @default 0.7 without folds, none with folds
   */
  train?: number | null;
  /** Anchored walk-forward folds (see splitWindows). */
  folds?: number;
  /** How fold fitness is combined. @default 'mean' */
  foldAggregate?: FoldAggregate;
  /** How the markets' fitness (each already aggregated over its folds) is combined. @default 'mean' */
  marketAggregate?: MarketAggregate;
  /** Costs, sizing and fills, as in backtest(). @default the spec's */
  backtest?: Omit<BacktestOptions, 'backend' | 'window'>;
  /** Kernel backend. @default 'wasm' */
  backend?: Backend;
  /** Worker threads; 0 evaluates on the calling thread. @default os.availableParallelism() */
  threads?: number;
  /** Genomes per worker task. @default chosen by the pool */
  batchSize?: number;
  /** Entries of the fitness cache (genome x window). @default 100000 */
  cacheSize?: number;
  /** Size of the hall of fame. @default 10 */
  hallOfFame?: number;
  /**
   * What makes hall-of-fame entries distinct: `corr:R` (per-bar return correlation on the
   * selection window at most R), `gene:D` (normalised gene distance at least D) or `off`.
   * @default 'corr:0.95'
   */
  hofDistinct?: string;
  /** Island model: sub-populations bred apart with ring migration; 1 = off. @default 1 */
  islands?: number;
  /** Generations between ring migrations of the island model. @default 5 */
  migrationInterval?: number;
  /** The two genes of the landscape heat-map. @default the two most influential */
  landscapeGenes?: [string, string];
  /** Stop after this many generations without a better best fitness. */
  patience?: number;
  /** Stop starting new generations after this many seconds. */
  maxSeconds?: number;
  /** Write the state after every generation to this file (atomically). */
  checkpoint?: string;
  /** Continue the run saved in this checkpoint (and keep checkpointing to it). */
  resume?: string;
  /** Evaluate with this evaluator instead of creating one (it is not closed). */
  evaluator?: Evaluator;
  /**
   * Genomes in the final overfitting analysis (PBO): the final population's best this many
   * distinct genomes by fitness (multi-objective: by the first objective), ties broken by genome.
   * Bounds its work (backtests on the pool) and memory (genomes x at most 20,000 rows). @default 256
   */
  analysisSample?: number;
}

export const EVOLVE_DEFAULTS = {
  strategy: 'stoch-rsi-bands',
  population: 128,
  generations: 40,
  seed: 1,
  fitness: 'default',
  minTrades: 5,
  minTradeRate: DEFAULT_MIN_TRADE_RATE,
  train: 0.7,
  foldAggregate: 'mean' as FoldAggregate,
  marketAggregate: 'mean' as MarketAggregate,
  backend: 'wasm' as Backend,
  cacheSize: 100_000,
  hallOfFame: 10,
  analysisSample: 256,
};

/** What onAnalysis receives as the final analysis backtests its sample. */
export interface AnalysisProgress {
  /** Return series done (the best genome's included), of `total`. */
  done: number;
  total: number;
  elapsedSeconds: number;
}

/** Hooks of a run. */
export interface EvolveHooks {
  onGeneration?: (report: GenerationReport) => void;
  /** Progress of the final analysis: genomes whose return series are done, of the total. */
  onAnalysis?: (progress: AnalysisProgress) => void;
  /** Warnings about the options (more threads than cores). @default process.emitWarning */
  onWarning?: (message: string) => void;
  /**
   * Abandons the generation in progress; evolve() resolves with the result so far, or rejects
   * with E_ABORT when not even the first generation has completed.
   */
  signal?: AbortSignal;
}
