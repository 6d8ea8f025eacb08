import type { Metrics, ResolvedOptions } from '../backtest.js';
import type { Backend, Window } from '../kernels/kernel-set.js';
import type { EquityCurve } from '../report/curve.js';
import type { Landscape } from './landscape.js';
import type { OperatorConfig } from './operators.js';
import type { OverfittingReport } from './overfitting.js';
import type { FoldAggregate, MarketAggregate, RunWindows } from './windows.js';

/** Statistics of one generation (deterministic: no timings here). */
export interface GenerationStats {
  generation: number;
  /**
   * Best and worst fitness, and the mean and median of the genomes with at least minTrades trades
   * (all genomes when none has); multi-objective: of the first objective.
   */
  best: number;
  mean: number;
  median: number;
  worst: number;
  bestParams: Record<string, number>;
  /** Genome-window backtests actually run this generation. */
  evaluated: number;
  cacheHits: number;
  cacheMisses: number;
  /** Distinct genomes in the population. */
  distinct: number;
  /** Genomes below minTrades (they get the penalty fitness, which weighs on the mean). */
  penalized: number;
  /** Multi-objective: size of the first non-dominated front. */
  front?: number;
  /**
   * Diversity: mean pairwise correlation of the hall of fame's return streams on the selection
   * window (null with fewer than two), and the population's genotype spread (mean over genes of
   * std / range, in [0, 0.5]).
   */
  diversity: { hallOfFameCorrelation: number | null; genotypeSpread: number };
}

/** Timings of one generation (kept apart: they differ between runs). */
export interface GenerationTiming {
  generation: number;
  breedMs: number;
  evaluateMs: number;
  /** Evaluation time not spent computing (transfers, scheduling, idle workers). */
  waitMs: number;
}

/** What onGeneration receives after each completed generation. */
export interface GenerationReport {
  stats: GenerationStats;
  timing: GenerationTiming;
  generations: number;
  elapsedSeconds: number;
  evaluationsPerSecond: number;
  /** Seconds to the last generation at the recent pace (null until one has been timed). */
  etaSeconds: number | null;
  cacheHitRate: number;
}

/** A genome of the hall of fame or the Pareto front, with its in- and out-of-sample metrics. */
export interface RankedGenome {
  rank: number;
  params: Record<string, number>;
  fitness: number;
  /** Multi-objective mode: the objective values. */
  objectives?: Record<string, number>;
  /**
   * Multi-objective mode: the non-dominated front (0 = Pareto front) and the crowding distance
   * in it; the hall of fame is ranked by front, then by descending crowding (NSGA-II's own
   * crowded comparison), and `fitness` is the first objective's value.
   */
  front?: number;
  crowding?: number;
  /** Metrics on the in-sample window (with folds: the mean over folds). */
  inSample: Metrics;
  /** Metrics on the out-of-sample window (with folds: the mean over the folds' test windows). */
  outOfSample: Metrics | null;
  /** With --folds and --train: the final holdout. */
  holdout: Metrics | null;
  /** With folds: each fold's windows and metrics. */
  folds: FoldMetrics[] | null;
  /**
   * Several markets only: the same metrics per market (in the order of the run's markets); the
   * fields above are then the mean of the markets' metric vectors.
   */
  markets?: MarketMetrics[];
}

/** A fold's windows and the genome's metrics on them. */
export interface FoldMetrics { train: Window; test: Window; inSample: Metrics; outOfSample: Metrics }

/** A genome's metrics on one market of a basket. */
export interface MarketMetrics {
  name: string;
  inSample: Metrics;
  outOfSample: Metrics | null;
  holdout: Metrics | null;
  folds: FoldMetrics[] | null;
}

/** One market of a basket: what it is and the windows cut from it. */
export interface ResultMarket {
  /** The market's name (its file stem, see marketName). */
  name: string;
  source: string;
  /** sha256 of its columns (marketDigest). */
  digest: string;
  bars: number;
  from: number;
  to: number;
  windows: RunWindows;
  /** The minimum-trades rule on each of its train windows. */
  minTradesPerWindow: number[];
  /** The best genome over this market's whole series, as `EvolveResult.curve` is over the first market's. */
  curve: EquityCurve;
}

/** The run's options as resolved (result.config); the checkpoint signature is made from it. */
export interface EvolveConfig {
  strategy: string;
  population: number;
  generations: number;
  seed: number;
  mode: 'ga' | 'nsga2';
  /** Single objective: the fitness text; null with NSGA-II. */
  fitness: string | null;
  /** NSGA-II: `max:sharpe`-like objectives; null in single-objective mode. */
  objectives: string[] | null;
  minTrades: number;
  minTradeRate: number;
  /** The minimum trades on each train window (several markets: market after market). */
  minTradesPerWindow: number[];
  train: number | null;
  folds: number | null;
  foldAggregate: FoldAggregate;
  /** Several markets only: how the markets' fitness is combined. */
  marketAggregate?: MarketAggregate;
  operators: OperatorConfig;
  /** The execution options as resolved; periodsPerYear null: estimated per window from the timestamps. */
  backtest: Omit<ResolvedOptions, 'backend' | 'periodsPerYear'> & { periodsPerYear: number | null };
  cacheSize: number;
  hallOfFame: number;
  analysisSample: number;
  hofDistinct: string;
  islands: number;
  migrationInterval: number | null;
  patience: number | null;
  maxSeconds: number | null;
}

export type StopReason = 'generations' | 'patience' | 'max-seconds' | 'interrupted';

/** The result of a run: everything `result.json` holds. */
export interface EvolveResult {
  format: 'evoquant-result';
  version: 1;
  /** What produced the result: results are reproducible to the bit for the same versions. */
  versions: { evoquant: string; node: string; v8: string };
  config: EvolveConfig;
  /** The strategy run: its name, module file (null: a definition object) and content digest. */
  strategy: { name: string; file: string | null; digest: string; builtin: boolean };
  /**
   * The data. Several markets: source lists their names, bars is their total, from/to span
   * them all and sha256 is the digest of their digests (each market in `markets`).
   */
  data: { source: string; bars: number; from: number; to: number; sha256: string };
  /** The windows (several markets: the first market's; each market's are in `markets`). */
  windows: RunWindows;
  /** Several markets only: each market, in the run's order. */
  markets?: ResultMarket[];
  generations: GenerationStats[];
  stopped: { reason: StopReason; generations: number };
  evaluations: {
    backtests: number; cacheHits: number; cacheMisses: number;
    /** Indicator cache of the module path, summed over threads (absent for fused built-ins). */
    indicatorCache?: { hits: number; misses: number };
  };
  hallOfFame: RankedGenome[];
  paretoFront: RankedGenome[] | null;
  /**
   * Single-objective mode: the parameter landscape (heat-map of every evaluated genome's fitness
   * over two genes, the winner's one-gene sensitivity and its robustness); null with NSGA-II.
   */
  landscape: Landscape | null;
  /** How much of the best backtest is luck (deflated Sharpe, PBO), with a plain verdict. */
  overfitting: OverfittingReport;
  /** The best genome over the whole series (several markets: the first market's), decimated for charts (the report draws it). */
  curve: EquityCurve;
  timings: {
    backend: Backend;
    threads: number;
    batchSize: number | null;
    evaluator: string;
    resumedFrom: number | null;
    perGeneration: GenerationTiming[];
    totalSeconds: number;
    evaluateSeconds: number;
    breedSeconds: number;
    backtestsPerSecond: number;
    barEvaluationsPerSecond: number;
    peakRssMb: number;
  };
}
