import { availableParallelism } from 'node:os';
import type { BacktestOptions, Metrics, ResolvedOptions } from '../backtest.js';
import { configVector, metricsFromVector, resolveOptions } from '../backtest.js';
import type { MarketData } from '../data/market.js';
import { synthetic } from '../data/synthetic.js';
import { EngineError, configError } from '../errors.js';
import { canonicalKey, randomGenome } from '../genome/canonical.js';
import type { StrategyFamily } from '../genome/families.js';
import { genesToParams } from '../genome/families.js';
import type { StrategyInput } from '../strategy/load.js';
import { resolveStrategy } from '../strategy/load.js';
import type { Backend, Window } from '../kernels/kernel-set.js';
import { MET_LENGTH, MET_SHARPE } from '../kernels/layout.js';
import { kernelsFor } from '../kernels/registry.js';
import { genotypeSpread } from '../stats/diversity.js';
import type { Evaluator } from '../pool/evaluator.js';
import { createInProcessEvaluator } from '../pool/in-process.js';
import { createPoolEvaluator } from '../pool/pool.js';
import { packageVersion } from '../paths.js';
import { removeStaleTemporaries } from '../io.js';
import { Random } from '../random.js';
import type { RandomState } from '../random.js';
import { FitnessCache } from './cache.js';
import type { CheckpointState, RunSignature } from './checkpoint.js';
import { base64ToF64, checkSignature, f64ToBase64, marketDigest, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import type { FitnessSpec, Objective } from './fitness.js';
import { MIN_TRADES_PENALTY, compileFitness, objectiveValues, parseFitness, parseObjectives } from './fitness.js';
import type { Direction } from './nsga2.js';
import { assignCrowdingDistances, selNSGA2, selTournamentDCD, sortNondominated } from './nsga2.js';
import type { OperatorConfig } from './operators.js';
import { familyBounds, immigrantCount, resolveOperatorConfig, selTournament, variation } from './operators.js';
import type { OverfittingReport } from './overfitting.js';
import { TrialSharpes, analyzeOverfitting, genomeReturns, returnCorrelation } from './overfitting.js';
import type { EquityCurve } from '../report/curve.js';
import { bestCurve } from '../report/curve.js';
import type { FoldAggregate, RunWindows } from './windows.js';
import { aggregate, splitWindows, windowKey } from './windows.js';

/** Options of an evolution run. Every field is optional and has a documented default. */
export interface EvolveOptions {
  /** Market data. @default the built-in synthetic series (5,000 bars, seed 42) */
  market?: MarketData;
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
  /** Fitness by name or `metric:weight,...` (single-objective mode). @default 'default' */
  fitness?: string;
  /** Two or more objectives (`max:sharpe,min:maxDrawdown`): switches to NSGA-II. */
  objectives?: string;
  /** Genomes with fewer trades get the fixed penalty fitness (-1000). @default 5 */
  minTrades?: number;
  /**
   * In-sample fraction; the rest is reported out of sample only. null: the whole series is
   * in-sample (no out-of-sample check at all). @default 0.7 without folds, none with folds
   */
  train?: number | null;
  /** Anchored walk-forward folds (see splitWindows). */
  folds?: number;
  /** How fold fitness is combined. @default 'mean' */
  foldAggregate?: FoldAggregate;
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
}

export const EVOLVE_DEFAULTS = {
  strategy: 'stoch-rsi-bands',
  population: 128,
  generations: 40,
  seed: 1,
  fitness: 'default',
  minTrades: 5,
  train: 0.7,
  foldAggregate: 'mean' as FoldAggregate,
  backend: 'wasm' as Backend,
  cacheSize: 100_000,
  hallOfFame: 10,
};

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
  /** Metrics on the in-sample window (with folds: the mean over folds). */
  inSample: Metrics;
  /** Metrics on the out-of-sample window (with folds: the mean over the folds' test windows). */
  outOfSample: Metrics | null;
  /** With --folds and --train: the final holdout. */
  holdout: Metrics | null;
  /** With folds: each fold's windows and metrics. */
  folds: { train: Window; test: Window; inSample: Metrics; outOfSample: Metrics }[] | null;
}

export type StopReason = 'generations' | 'patience' | 'max-seconds' | 'interrupted';

/** The result of a run: everything `result.json` holds. */
export interface EvolveResult {
  format: 'evoquant-result';
  version: 1;
  /** What produced the result: results are reproducible to the bit for the same versions. */
  versions: { evoquant: string; node: string; v8: string };
  config: Record<string, unknown>;
  /** The strategy run: its name, module file (null: a definition object) and content digest. */
  strategy: { name: string; file: string | null; digest: string; builtin: boolean };
  data: { source: string; bars: number; from: number; to: number; sha256: string };
  windows: RunWindows;
  generations: GenerationStats[];
  stopped: { reason: StopReason; generations: number };
  evaluations: {
    backtests: number; cacheHits: number; cacheMisses: number;
    /** Indicator cache of the module path, summed over threads (absent for fused built-ins). */
    indicatorCache?: { hits: number; misses: number };
  };
  hallOfFame: RankedGenome[];
  paretoFront: RankedGenome[] | null;
  /** How much of the best backtest is luck (deflated Sharpe, PBO), with a plain verdict. */
  overfitting: OverfittingReport;
  /** The best genome over the whole series, decimated for charts (the report draws it). */
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

/** Hooks of a run. */
export interface EvolveHooks {
  onGeneration?: (report: GenerationReport) => void;
  /**
   * Abandons the generation in progress; evolve() resolves with the result so far, or rejects
   * with E_ABORT when not even the first generation has completed.
   */
  signal?: AbortSignal;
}

interface HofEntry {
  key: string;
  genes: Float64Array;
  fitness: number;
  /** Metrics per train window, MET_LENGTH each. */
  metrics: Float64Array;
}

interface Progress {
  history: GenerationStats[];
  hof: { key: string; genes: number[]; fitness: number; metrics: string }[];
  bestEver: number | null;
  stale: number;
  backtests: number;
  hits: number;
  misses: number;
  /** The evaluated population: fitness (SO) or objectives (MO), and its metrics per window. */
  fitness: string;
  objectives: string | null;
  metrics: string[];
  trials: ReturnType<TrialSharpes['toJSON']>;
}

function intOption(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw configError(name, `must be an integer in [${lo}, ${hi}], got ${v}`);
  return v;
}

function sortedMedian(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function metricsMean(vectors: Float64Array[]): Metrics {
  const acc = new Float64Array(MET_LENGTH);
  for (const v of vectors) for (let k = 0; k < MET_LENGTH; k++) acc[k] = acc[k]! + v[k]!;
  for (let k = 0; k < MET_LENGTH; k++) acc[k] = acc[k]! / vectors.length;
  return metricsFromVector(acc);
}

/**
 * Evolves a strategy family's parameters on market data: a generational GA (tournament
 * selection, crossover, mutation, elitism, random immigrants) or NSGA-II with several
 * objectives, fitness from backtests on the in-sample window(s) only, a fitness cache,
 * checkpoints after every generation, and a hall of fame reported in and out of sample.
 *
 * Every random choice comes from one PRNG seeded with `seed`, and evaluations are exact and
 * independent of how they are spread over threads, so the same seed and options give the same
 * result (timings aside) for any thread count, batch size or backend, resumed or not.
 */
export async function evolve(options: EvolveOptions = {}, hooks: EvolveHooks = {}): Promise<EvolveResult> {
  const started = performance.now();
  const market = options.market ?? synthetic();
  const family = await resolveStrategy(options.strategy ?? EVOLVE_DEFAULTS.strategy);
  const G = family.genes.length;
  const P = intOption('population', options.population ?? EVOLVE_DEFAULTS.population, 4, 1_000_000);
  const generations = intOption('generations', options.generations ?? EVOLVE_DEFAULTS.generations, 1, 1_000_000);
  const seed = intOption('seed', options.seed ?? EVOLVE_DEFAULTS.seed, 0, 0xffffffff);
  const minTrades = intOption('minTrades', options.minTrades ?? EVOLVE_DEFAULTS.minTrades, 0, 1e9);
  const cacheSize = intOption('cacheSize', options.cacheSize ?? EVOLVE_DEFAULTS.cacheSize, 0, 1e8);
  const hofSize = intOption('hallOfFame', options.hallOfFame ?? EVOLVE_DEFAULTS.hallOfFame, 1, 10_000);
  const threads = intOption('threads', options.threads ?? availableParallelism(), 0, 1024);
  if (options.patience !== undefined) intOption('patience', options.patience, 1, 1e9);
  if (options.maxSeconds !== undefined && !(options.maxSeconds > 0)) {
    throw configError('maxSeconds', `must be a positive number, got ${options.maxSeconds}`);
  }
  const foldAgg = options.foldAggregate ?? EVOLVE_DEFAULTS.foldAggregate;
  if (foldAgg !== 'mean' && foldAgg !== 'min') throw configError('foldAggregate', `must be mean or min, got ${String(foldAgg)}`);
  const backend = options.backend ?? EVOLVE_DEFAULTS.backend;
  if (backend !== 'wasm' && backend !== 'ts') throw configError('backend', `must be wasm or ts, got ${String(backend)}`);
  const multi = options.objectives !== undefined;
  if (multi && options.fitness !== undefined) throw configError('objectives', 'cannot be combined with fitness (one or the other)');
  const objectives: Objective[] = multi ? parseObjectives(options.objectives!) : [];
  const fitnessSpec: FitnessSpec = parseFitness(options.fitness ?? EVOLVE_DEFAULTS.fitness);
  if (multi && P % 4 !== 0) throw configError('population', `must be a multiple of 4 with several objectives (NSGA-II pairs tournaments in fours), got ${P}`);
  const ops = resolveOperatorConfig(options.operators ?? {}, P);
  const train =
    options.train === null ? undefined : options.train !== undefined ? options.train : options.folds === undefined ? EVOLVE_DEFAULTS.train : undefined;
  const windows = splitWindows(market.length, train, options.folds);
  const btOptions = options.backtest ?? {};
  // Resolving here validates the execution options for the family before any work starts.
  const resolved: ResolvedOptions = resolveOptions(family, market, { ...btOptions, backend }, windows.train[0]);
  const m = objectives.length;
  const directions: Direction[] = objectives.map((o) => o.direction);
  const fitnessOf = compileFitness(fitnessSpec, minTrades);
  // The selection window (the in-sample window, or the last and largest fold): where the
  // overfitting statistics look, and where diversity is measured.
  const selWindow = windows.train[windows.train.length - 1]!;
  const selResolved = resolveOptions(family, market, btOptions, selWindow);
  const selCfg = { cfg: configVector(selResolved), riskPerTrade: selResolved.riskPerTrade };
  const selRootPpy = Math.sqrt(selResolved.periodsPerYear);
  const { low, up } = familyBounds(family);

  const config: Record<string, unknown> = {
    strategy: family.name,
    population: P,
    generations,
    seed,
    mode: multi ? 'nsga2' : 'ga',
    fitness: multi ? null : fitnessSpec.text,
    objectives: multi ? objectives.map((o) => `${o.direction === 1 ? 'max' : 'min'}:${o.metric}`) : null,
    minTrades,
    train: train ?? null,
    folds: options.folds ?? null,
    foldAggregate: foldAgg,
    operators: ops,
    backtest: { ...resolved, periodsPerYear: btOptions.periodsPerYear ?? null, backend: undefined },
    cacheSize,
    hallOfFame: hofSize,
    patience: options.patience ?? null,
    maxSeconds: options.maxSeconds ?? null,
  };
  delete (config['backtest'] as Record<string, unknown>)['backend'];
  const signature: RunSignature = {
    data: marketDigest(market),
    bars: market.length,
    strategy: { name: family.name, digest: family.digest },
    options: Object.fromEntries(
      Object.entries(config).filter(([k]) => !['generations', 'patience', 'maxSeconds'].includes(k)),
    ),
  };

  const ownEvaluator = options.evaluator === undefined;
  const evaluator: Evaluator =
    options.evaluator ??
    (threads === 0
      ? createInProcessEvaluator({ market, backtest: btOptions, backend })
      : createPoolEvaluator({ market, backtest: btOptions, backend, threads, ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}) }));

  const cache = new FitnessCache(cacheSize);
  let rng = new Random(seed);
  let pop: Float64Array = new Float64Array(P * G);
  let popFitness: Float64Array = new Float64Array(P);
  let popObjs: Float64Array | null = multi ? new Float64Array(P * m) : null;
  let popMetrics: Float64Array[] = windows.train.map(() => new Float64Array(P * MET_LENGTH));
  let history: GenerationStats[] = [];
  let hof: HofEntry[] = [];
  let bestEver = -Infinity;
  let stale = 0;
  let backtests = 0;
  let hits = 0;
  let misses = 0;
  let resumedFrom: number | null = null;
  let trials = new TrialSharpes();
  const localKernels = kernelsFor(evaluator.backend);
  const timingsPerGen: GenerationTiming[] = [];
  let evaluateMsTotal = 0;
  let breedMsTotal = 0;
  let barEvaluations = 0;

  /** Evaluates a block of genomes on every train window, through the cache. */
  const evaluateBlock = async (
    block: Float64Array, count: number, gen: GenerationStats,
  ): Promise<{ fitness: Float64Array; objs: Float64Array | null; metrics: Float64Array[] }> => {
    const keys: string[] = [];
    for (let i = 0; i < count; i++) keys.push(canonicalKey(family, block, i * G));
    const metrics = windows.train.map(() => new Float64Array(count * MET_LENGTH));
    for (let wi = 0; wi < windows.train.length; wi++) {
      const w = windows.train[wi]!;
      const wk = windowKey(w);
      const pending = new Map<string, number[]>();
      for (let i = 0; i < count; i++) {
        const ck = `${keys[i]}|${wk}`;
        const cached = cache.get(ck);
        if (cached !== undefined) {
          metrics[wi]!.set(cached, i * MET_LENGTH);
          gen.cacheHits++;
        } else if (pending.has(ck)) {
          pending.get(ck)!.push(i);
          gen.cacheHits++;
        } else {
          pending.set(ck, [i]);
          gen.cacheMisses++;
        }
      }
      if (pending.size === 0) continue;
      const order = [...pending.keys()];
      const todo = new Float64Array(order.length * G);
      order.forEach((ck, j) => todo.set(block.subarray(pending.get(ck)![0]! * G, (pending.get(ck)![0]! + 1) * G), j * G));
      const out = await evaluator.evaluate(family, todo, w, hooks.signal !== undefined ? { signal: hooks.signal } : {});
      gen.evaluated += order.length;
      barEvaluations += order.length * (w.end - w.start);
      order.forEach((ck, j) => {
        const v = out.slice(j * MET_LENGTH, (j + 1) * MET_LENGTH);
        cache.set(ck, v);
        const first = pending.get(ck)!;
        for (const i of first) metrics[wi]!.set(v, i * MET_LENGTH);
        if (wi === windows.train.length - 1) trials.add(keys[first[0]!]!, v[MET_SHARPE]! / selRootPpy);
      });
    }
    const fitness = new Float64Array(count);
    const objs = multi ? new Float64Array(count * m) : null;
    const perFold = new Float64Array(windows.train.length);
    const tmp = new Float64Array(m);
    for (let i = 0; i < count; i++) {
      const f: number[] = [];
      for (let wi = 0; wi < windows.train.length; wi++) f.push(fitnessOf(metrics[wi]!, i * MET_LENGTH));
      fitness[i] = aggregate(f, foldAgg);
      if (objs !== null) {
        for (let k = 0; k < m; k++) {
          for (let wi = 0; wi < windows.train.length; wi++) {
            objectiveValues(objectives, minTrades, metrics[wi]!, i * MET_LENGTH, tmp, 0);
            perFold[wi] = tmp[k]!;
          }
          // 'min' aggregation is the worst fold in the objective's own direction.
          const vals = Array.from(perFold);
          objs[i * m + k] = foldAgg === 'mean' ? aggregate(vals, 'mean') : directions[k] === 1 ? Math.min(...vals) : Math.max(...vals);
        }
      }
    }
    return { fitness, objs, metrics };
  };

  const newStats = (generation: number): GenerationStats => ({
    generation,
    best: 0,
    mean: 0,
    median: 0,
    worst: 0,
    bestParams: {},
    evaluated: 0,
    cacheHits: 0,
    cacheMisses: 0,
    distinct: 0,
    penalized: 0,
    diversity: { hallOfFameCorrelation: null, genotypeSpread: 0 },
  });

  /** Fills the population statistics of a generation and folds its members into the hall of fame. */
  const finishGeneration = (gen: GenerationStats): void => {
    const score = multi ? Float64Array.from({ length: P }, (_, i) => popObjs![i * m]! * directions[0]!) : popFitness;
    let bi = 0;
    let worst = Infinity;
    for (let i = 0; i < P; i++) {
      const v = score[i]!;
      if (v > score[bi]!) bi = i;
      if (v < worst) worst = v;
      if (popFitness[i] === MIN_TRADES_PENALTY) gen.penalized++;
    }
    // Mean and median over the genomes that trade enough: the penalty is a marker, not a score.
    const valid = Float64Array.from({ length: P }, (_, i) => i).filter((i) => popFitness[i] !== MIN_TRADES_PENALTY);
    const scored = valid.length > 0 ? Float64Array.from(valid, (i) => score[i]!) : score;
    let sum = 0;
    for (const v of scored) sum += v;
    const sign = multi ? directions[0]! : 1;
    gen.best = score[bi]! * sign;
    gen.mean = (sum / scored.length) * sign;
    gen.median = sortedMedian(scored) * sign;
    gen.worst = worst * sign;
    gen.bestParams = genesToParams(family, pop, bi * G);
    const keys = new Set<string>();
    for (let i = 0; i < P; i++) keys.add(canonicalKey(family, pop, i * G));
    gen.distinct = keys.size;
    if (multi) {
      gen.front = sortNondominated(popObjs!, P, m, directions, P)[0]!.length;
    }
    // Hall of fame (single objective): the best distinct genomes ever evaluated.
    if (!multi) {
      const byKey = new Map<string, HofEntry>(hof.map((h) => [h.key, h]));
      for (let i = 0; i < P; i++) {
        const key = canonicalKey(family, pop, i * G);
        if (byKey.has(key)) continue;
        const metrics = new Float64Array(windows.train.length * MET_LENGTH);
        popMetrics.forEach((pm, wi) => metrics.set(pm.subarray(i * MET_LENGTH, (i + 1) * MET_LENGTH), wi * MET_LENGTH));
        byKey.set(key, { key, genes: pop.slice(i * G, (i + 1) * G), fitness: popFitness[i]!, metrics });
      }
      hof = [...byKey.values()].sort((a, b) => b.fitness - a.fitness || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).slice(0, hofSize);
    }
    const elite = multi ? paretoMembers().slice(0, 10).map((x) => x.genes) : hof.slice(0, 10).map((h) => h.genes);
    const corr = returnCorrelation(elite.map((g) => genomeReturns(localKernels, market, selWindow, family, g, selCfg)));
    gen.diversity = {
      hallOfFameCorrelation: Number.isFinite(corr) ? corr : null,
      genotypeSpread: genotypeSpread(pop, P, G, low, up),
    };
    const best = gen.best;
    if (best > bestEver) {
      bestEver = best;
      stale = 0;
    } else {
      stale++;
    }
    backtests += gen.evaluated;
    hits += gen.cacheHits;
    misses += gen.cacheMisses;
    history.push(gen);
  };

  const saveCheckpoint = async (): Promise<void> => {
    if (options.checkpoint === undefined && options.resume === undefined) return;
    const path = options.checkpoint ?? options.resume!;
    const entries = cache.entries();
    const width = MET_LENGTH;
    const flat = new Float64Array(entries.length * width);
    entries.forEach(([, v], i) => flat.set(v, i * width));
    const progress: Progress = {
      history,
      hof: hof.map((h) => ({ key: h.key, genes: Array.from(h.genes), fitness: h.fitness, metrics: f64ToBase64(h.metrics) })),
      bestEver: Number.isFinite(bestEver) ? bestEver : null,
      stale,
      backtests,
      hits,
      misses,
      fitness: f64ToBase64(popFitness),
      objectives: popObjs === null ? null : f64ToBase64(popObjs),
      metrics: popMetrics.map(f64ToBase64),
      trials: trials.toJSON(),
    };
    const state: CheckpointState = {
      format: 'evoquant-checkpoint',
      version: 1,
      signature,
      generation: history.length,
      population: f64ToBase64(pop),
      rng: rng.getState(),
      progress,
      cache: { keys: entries.map(([k]) => k), metrics: f64ToBase64(flat), width },
    };
    await writeCheckpoint(path, state);
  };

  const timed = <T>(fn: () => T): [T, number] => {
    const t0 = performance.now();
    const r = fn();
    return [r, performance.now() - t0];
  };

  const report = (timing: GenerationTiming): void => {
    timingsPerGen.push(timing);
    evaluateMsTotal += timing.evaluateMs;
    breedMsTotal += timing.breedMs;
    if (hooks.onGeneration === undefined) return;
    const elapsed = (performance.now() - started) / 1000;
    const recent = timingsPerGen.slice(-5);
    const perGen = recent.reduce((s, t) => s + t.breedMs + t.evaluateMs, 0) / recent.length / 1000;
    const gen = history[history.length - 1]!;
    const lookups = gen.cacheHits + gen.cacheMisses;
    hooks.onGeneration({
      stats: gen,
      timing,
      generations,
      elapsedSeconds: elapsed,
      evaluationsPerSecond: timing.evaluateMs > 0 ? gen.evaluated / (timing.evaluateMs / 1000) : 0,
      etaSeconds: Math.max(0, generations - history.length) * perGen,
      cacheHitRate: lookups > 0 ? gen.cacheHits / lookups : 0,
    });
  };

  let stopReason: StopReason = 'generations';
  try {
    const checkpointPath = options.checkpoint ?? options.resume;
    if (checkpointPath !== undefined) await removeStaleTemporaries(checkpointPath);
    if (options.resume !== undefined) {
      const state = await readCheckpoint(options.resume);
      checkSignature(state.signature, signature);
      const pr = state.progress as Progress;
      rng = Random.fromState(state.rng as RandomState);
      pop = base64ToF64(state.population);
      popFitness = base64ToF64(pr.fitness);
      popObjs = pr.objectives === null ? null : base64ToF64(pr.objectives);
      popMetrics = pr.metrics.map(base64ToF64);
      history = pr.history;
      hof = pr.hof.map((h) => ({ key: h.key, genes: Float64Array.from(h.genes), fitness: h.fitness, metrics: base64ToF64(h.metrics) }));
      bestEver = pr.bestEver ?? -Infinity;
      stale = pr.stale;
      backtests = pr.backtests;
      hits = pr.hits;
      misses = pr.misses;
      trials = TrialSharpes.from(pr.trials);
      const flat = base64ToF64(state.cache.metrics);
      cache.restore(state.cache.keys.map((k, i) => [k, flat.slice(i * state.cache.width, (i + 1) * state.cache.width)]));
      resumedFrom = state.generation;
    } else {
      const gen = newStats(0);
      const [, breedMs] = timed(() => {
        for (let i = 0; i < P; i++) randomGenome(rng, family, pop, i * G);
      });
      const t0 = performance.now();
      const c0 = evaluator.stats().computeMs;
      const r = await evaluateBlock(pop, P, gen);
      const evaluateMs = performance.now() - t0;
      popFitness = r.fitness;
      popObjs = r.objs;
      popMetrics = r.metrics;
      finishGeneration(gen);
      await saveCheckpoint();
      report({ generation: 0, breedMs, evaluateMs, waitMs: waitOf(evaluateMs, evaluator.stats().computeMs - c0, evaluator.threads) });
    }

    while (history.length < generations) {
      if (hooks.signal?.aborted === true) {
        stopReason = 'interrupted';
        break;
      }
      if (options.patience !== undefined && stale >= options.patience) {
        stopReason = 'patience';
        break;
      }
      if (options.maxSeconds !== undefined && (performance.now() - started) / 1000 >= options.maxSeconds) {
        stopReason = 'max-seconds';
        break;
      }
      const gen = newStats(history.length);
      let breedMs: number;
      let evaluateMs: number;
      const c0 = evaluator.stats().computeMs;
      if (!multi) {
        let next: Float64Array;
        [next, breedMs] = timed(() => breedSingle(rng, family, pop, popFitness, P, ops));
        const t0 = performance.now();
        const r = await evaluateBlock(next, P, gen);
        evaluateMs = performance.now() - t0;
        pop = next;
        popFitness = r.fitness;
        popMetrics = r.metrics;
      } else {
        let offspring: Float64Array;
        [offspring, breedMs] = timed(() => {
          const fronts = sortNondominated(popObjs!, P, m, directions, P);
          const crowd = assignCrowdingDistances(popObjs!, P, m, fronts);
          const chosen = selTournamentDCD(rng, popObjs!, P, m, directions, crowd, P);
          const parents = new Float64Array(P * G);
          chosen.forEach((idx, j) => parents.set(pop.subarray(idx * G, (idx + 1) * G), j * G));
          return variation(rng, family, parents, P, ops);
        });
        const t0 = performance.now();
        const r = await evaluateBlock(offspring, P, gen);
        evaluateMs = performance.now() - t0;
        const [, selMs] = timed(() => {
          const all = new Float64Array(2 * P * G);
          all.set(pop);
          all.set(offspring, P * G);
          const allObjs = new Float64Array(2 * P * m);
          allObjs.set(popObjs!);
          allObjs.set(r.objs!, P * m);
          const allMetrics = popMetrics.map((pm, wi) => {
            const a = new Float64Array(2 * P * MET_LENGTH);
            a.set(pm);
            a.set(r.metrics[wi]!, P * MET_LENGTH);
            return a;
          });
          const allFitness = new Float64Array(2 * P);
          allFitness.set(popFitness);
          allFitness.set(r.fitness, P);
          const keep = selNSGA2(allObjs, 2 * P, m, directions, P);
          const nextPop = new Float64Array(P * G);
          const nextObjs = new Float64Array(P * m);
          const nextFit = new Float64Array(P);
          const nextMetrics = popMetrics.map(() => new Float64Array(P * MET_LENGTH));
          keep.forEach((idx, j) => {
            nextPop.set(all.subarray(idx * G, (idx + 1) * G), j * G);
            nextObjs.set(allObjs.subarray(idx * m, (idx + 1) * m), j * m);
            nextFit[j] = allFitness[idx]!;
            nextMetrics.forEach((nm, wi) => nm.set(allMetrics[wi]!.subarray(idx * MET_LENGTH, (idx + 1) * MET_LENGTH), j * MET_LENGTH));
          });
          pop = nextPop;
          popObjs = nextObjs;
          popFitness = nextFit;
          popMetrics = nextMetrics;
        });
        breedMs += selMs;
      }
      finishGeneration(gen);
      await saveCheckpoint();
      report({ generation: gen.generation, breedMs, evaluateMs, waitMs: waitOf(evaluateMs, evaluator.stats().computeMs - c0, evaluator.threads) });
    }

    return await finalResult();
  } catch (e) {
    if (e instanceof EngineError && e.code === 'E_ABORT') {
      // Interrupted inside a generation: that generation is abandoned; the last completed one
      // (already checkpointed) is the result. Before the first generation completes there is no
      // result (no evaluated population, an empty hall of fame): the cancellation stands.
      if (history.length === 0) throw e;
      stopReason = 'interrupted';
      return finalResult();
    }
    throw e;
  } finally {
    if (ownEvaluator) await evaluator.close();
  }

  // -- helpers that need the run's state --------------------------------------------------------

  function curveOf(): EquityCurve {
    const best = multi ? paretoMembers()[0]!.genes : hof[0]!.genes;
    const fullResolved = resolveOptions(family, market, btOptions, { start: 0, end: market.length });
    const fullCfg = { cfg: configVector(fullResolved), riskPerTrade: fullResolved.riskPerTrade };
    return bestCurve(localKernels, market, family, best, fullCfg, resolved.cash, windows);
  }

  function overfittingOf(): OverfittingReport {
    const best = multi ? paretoMembers()[0]!.genes : hof[0]!.genes;
    const seen = new Set<string>();
    const distinct: Float64Array[] = [];
    for (let i = 0; i < P; i++) {
      const key = canonicalKey(family, pop, i * G);
      if (seen.has(key)) continue;
      seen.add(key);
      distinct.push(pop.slice(i * G, (i + 1) * G));
    }
    return analyzeOverfitting({
      kernels: localKernels, market, family, cfg: selCfg, periodsPerYear: selResolved.periodsPerYear,
      window: selWindow, best, population: distinct, trials,
    });
  }

  function indicatorCounts(): { indicatorCache?: { hits: number; misses: number } } {
    const st = evaluator.stats();
    return st.indicatorHits === undefined ? {} : { indicatorCache: { hits: st.indicatorHits, misses: st.indicatorMisses ?? 0 } };
  }

  function sumEvaluated(): number {
    let s = 0;
    for (const t of timingsPerGen) s += history[t.generation]?.evaluated ?? 0;
    return s;
  }

  function paretoMembers(): { genes: Float64Array; fitness: number; metrics: Float64Array; objs: Float64Array | null }[] {
    const front = sortNondominated(popObjs!, P, m, directions, P)[0]!;
    const seen = new Set<string>();
    const out: { genes: Float64Array; fitness: number; metrics: Float64Array; objs: Float64Array | null; key: string }[] = [];
    for (const i of front) {
      const key = canonicalKey(family, pop, i * G);
      if (seen.has(key)) continue;
      seen.add(key);
      const metrics = new Float64Array(windows.train.length * MET_LENGTH);
      popMetrics.forEach((pm, wi) => metrics.set(pm.subarray(i * MET_LENGTH, (i + 1) * MET_LENGTH), wi * MET_LENGTH));
      out.push({ key, genes: pop.slice(i * G, (i + 1) * G), fitness: popFitness[i]!, metrics, objs: popObjs!.slice(i * m, (i + 1) * m) });
    }
    // Ordered by the first objective (best first), then by key: a stable, meaningful order.
    out.sort((a, b) => (b.objs![0]! - a.objs![0]!) * directions[0]! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  async function describeRanked(list: { genes: Float64Array; fitness: number; metrics: Float64Array; objs: Float64Array | null }[]): Promise<RankedGenome[]> {
    if (list.length === 0) return [];
    const block = new Float64Array(list.length * G);
    list.forEach((x, i) => block.set(x.genes, i * G));
    const signalOpt = {};
    const test: Float64Array[] = [];
    for (const w of windows.test) test.push(await evaluator.evaluate(family, block, w, signalOpt));
    const holdout = windows.holdout === null ? null : await evaluator.evaluate(family, block, windows.holdout, signalOpt);
    return list.map((x, i) => {
      const ins = windows.train.map((_, wi) => x.metrics.subarray(wi * MET_LENGTH, (wi + 1) * MET_LENGTH));
      const oos = test.map((t) => t.subarray(i * MET_LENGTH, (i + 1) * MET_LENGTH));
      const entry: RankedGenome = {
        rank: i + 1,
        params: genesToParams(family, x.genes),
        fitness: x.fitness,
        inSample: ins.length === 1 ? metricsFromVector(ins[0]!) : metricsMean(ins),
        outOfSample: oos.length === 0 ? null : oos.length === 1 ? metricsFromVector(oos[0]!) : metricsMean(oos),
        holdout: holdout === null ? null : metricsFromVector(holdout.subarray(i * MET_LENGTH, (i + 1) * MET_LENGTH)),
        folds: windows.train.length > 1
          ? windows.train.map((w, wi) => ({ train: w, test: windows.test[wi]!, inSample: metricsFromVector(ins[wi]!), outOfSample: metricsFromVector(oos[wi]!) }))
          : null,
      };
      if (x.objs !== null) entry.objectives = Object.fromEntries(objectives.map((o, k) => [o.metric, x.objs![k]!]));
      return entry;
    });
  }

  /**
   * The result from the last completed generation: the hall of fame (or Pareto front) evaluated
   * out of sample, the overfitting analysis, the curve. Also after an interruption, where the
   * abandoned generation is not part of it (its evaluations never use the fired signal).
   */
  async function finalResult(): Promise<EvolveResult> {
    const ranked = multi ? paretoMembers() : hof.map((h) => ({ genes: h.genes, fitness: h.fitness, metrics: h.metrics, objs: null as Float64Array | null }));
    const evaluated = await describeRanked(ranked);
    const evaluateSeconds = evaluateMsTotal / 1000;
    return {
      format: 'evoquant-result',
      version: 1,
      versions: { evoquant: packageVersion(), node: process.version, v8: process.versions.v8 },
      config,
      strategy: { name: family.name, file: family.file, digest: family.digest, builtin: family.builtin },
      data: { source: market.source, bars: market.length, from: market.time[0]!, to: market.time[market.length - 1]!, sha256: signature.data },
      windows,
      generations: history,
      stopped: { reason: stopReason, generations: history.length },
      evaluations: { backtests, cacheHits: hits, cacheMisses: misses, ...indicatorCounts() },
      hallOfFame: multi ? evaluated.slice(0, hofSize) : evaluated,
      paretoFront: multi ? evaluated : null,
      overfitting: overfittingOf(),
      curve: curveOf(),
      timings: {
        backend: evaluator.backend,
        threads: evaluator.threads,
        batchSize: options.batchSize ?? null,
        evaluator: evaluator.kind,
        resumedFrom,
        perGeneration: timingsPerGen,
        totalSeconds: (performance.now() - started) / 1000,
        evaluateSeconds,
        breedSeconds: breedMsTotal / 1000,
        backtestsPerSecond: evaluateSeconds > 0 ? sumEvaluated() / evaluateSeconds : 0,
        barEvaluationsPerSecond: evaluateSeconds > 0 ? barEvaluations / evaluateSeconds : 0,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
      },
    };
  }
}

/** Evaluation time not covered by computing, per thread. */
function waitOf(evaluateMs: number, computeMs: number, threads: number): number {
  return Math.max(0, evaluateMs - computeMs / Math.max(1, threads));
}

/**
 * One generation of the single-objective GA: the best `elitism` survive unchanged, `immigrants`
 * fresh random genomes join, and the rest are offspring of tournament-selected parents (varAnd).
 */
export function breedSingle(
  rng: Random, family: StrategyFamily, pop: Float64Array, fitness: Float64Array, P: number, ops: OperatorConfig,
): Float64Array {
  const G = family.genes.length;
  const order = Array.from({ length: P }, (_, i) => i).sort((a, b) => fitness[b]! - fitness[a]! || a - b);
  const elites = Math.min(ops.elitism, P);
  const immigrants = Math.min(immigrantCount(ops.immigrants, P), P - elites);
  const children = P - elites - immigrants;
  const next = new Float64Array(P * G);
  for (let e = 0; e < elites; e++) next.set(pop.subarray(order[e]! * G, (order[e]! + 1) * G), e * G);
  if (children > 0) {
    const picks = selTournament(rng, fitness, children, ops.tournamentSize);
    const parents = new Float64Array(children * G);
    picks.forEach((idx, j) => parents.set(pop.subarray(idx * G, (idx + 1) * G), j * G));
    next.set(variation(rng, family, parents, children, ops), elites * G);
  }
  for (let i = P - immigrants; i < P; i++) randomGenome(rng, family, next, i * G);
  return next;
}
