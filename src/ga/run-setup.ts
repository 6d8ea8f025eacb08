import { availableParallelism } from 'node:os';
import type { BacktestOptions, ResolvedOptions } from '../backtest.js';
import { configVector, resolveOptions } from '../backtest.js';
import type { MarketData } from '../data/market.js';
import { marketName } from '../data/market.js';
import { synthetic } from '../data/synthetic.js';
import { EngineError, configError } from '../errors.js';
import type { StrategyFamily } from '../genome/families.js';
import type { Backend, Window } from '../kernels/kernel-set.js';
import { cachedMarketDigest } from '../pool/evaluator.js';
import { checkThreads } from '../pool/threads.js';
import { resolveStrategy } from '../strategy/load.js';
import type { Execution } from '../strategy/run.js';
import type { RunSignature } from './checkpoint.js';
import type { FitnessSpec, Objective } from './fitness.js';
import { compileFitness, parseFitness, parseObjectives, windowMinTrades } from './fitness.js';
import type { Direction } from './nsga2.js';
import { hofDistinctText, parseHofDistinct, DEFAULT_HOF_DISTINCT } from './hall-of-fame.js';
import type { HofDistinct } from './hall-of-fame.js';
import type { IslandConfig } from './islands.js';
import { resolveIslands } from './islands.js';
import type { OperatorConfig } from './operators.js';
import { familyBounds, resolveOperatorConfig } from './operators.js';
import { EVOLVE_DEFAULTS } from './evolve-options.js';
import type { EvolveOptions } from './evolve-options.js';
import type { EvolveConfig } from './result-types.js';
import type { FoldAggregate, MarketAggregate, RunWindows } from './windows.js';
import { splitWindows, windowKey } from './windows.js';

/** One market of a run: its data, windows and what evaluating on its selection window needs. */
export interface RunMarket {
  index: number;
  name: string;
  market: MarketData;
  digest: string;
  windows: RunWindows;
  /** The minimum-trades rule per train window. */
  windowMin: number[];
  /** The selection window (the in-sample window, or the last and largest fold). */
  selWindow: Window;
  selResolved: ResolvedOptions;
  selCfg: Execution;
}

/** A (market, train window) pair: one column of a genome's training metrics. */
export interface TrainSlot {
  market: number;
  window: Window;
  /** The cache key's data part: the market's digest and the window. */
  key: string;
  fitness: (metrics: Float64Array, offset: number) => number;
  windowMin: number;
  /** The market's selection window: its Sharpe counts as a trial. */
  selection: boolean;
  rootPpy: number;
}

/** Everything resolved from evolve()'s options before any work: constants of the run. */
export interface RunSetup {
  family: StrategyFamily;
  P: number;
  G: number;
  seed: number;
  minTrades: number;
  minTradeRate: number;
  cacheSize: number;
  hofSize: number;
  hofRule: HofDistinct;
  islands: IslandConfig;
  threads: number;
  threadsWarning: string | null;
  analysisSample: number;
  foldAgg: FoldAggregate;
  marketAgg: MarketAggregate;
  backend: Backend;
  multi: boolean;
  objectives: Objective[];
  directions: Direction[];
  fitnessSpec: FitnessSpec;
  ops: OperatorConfig;
  btOptions: Omit<BacktestOptions, 'backend' | 'window'>;
  /** Resolved execution options (of the first market's first train window). */
  resolved: ResolvedOptions;
  markets: RunMarket[];
  /** Market after market, each market's train windows in order. */
  slots: TrainSlot[];
  low: Float64Array;
  up: Float64Array;
  config: EvolveConfig;
  signature: RunSignature;
}

function intOption(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw configError(name, `must be an integer in [${lo}, ${hi}], got ${v}`);
  return v;
}

/** The markets of the options: `market` or `markets` (not both, not empty, distinct names). */
function marketsOf(options: EvolveOptions): MarketData[] {
  if (options.market !== undefined && options.markets !== undefined) throw configError('markets', 'give market or markets, not both');
  if (options.markets === undefined) return [options.market ?? synthetic()];
  if (!Array.isArray(options.markets) || options.markets.length === 0) throw configError('markets', 'must be a non-empty array of market data');
  const names = new Map<string, number>();
  options.markets.forEach((m, i) => {
    const name = marketName(m);
    const j = names.get(name);
    if (j !== undefined) throw configError(`markets[${i}]`, `has the name ${name} of markets[${j}]: every market of a basket needs its own name (file stem)`);
    names.set(name, i);
  });
  return [...options.markets];
}

/** splitWindows on one market; with several markets an error names the market too short. */
function windowsOf(m: MarketData, name: string, several: boolean, train: number | undefined, folds: number | undefined): RunWindows {
  try {
    return splitWindows(m.length, train, folds);
  } catch (e) {
    if (several && e instanceof EngineError && e.code === 'E_CONFIG') {
      throw configError(e.option ?? 'markets', `market ${name} (${m.length} bars) is too short for the requested windows: ${e.message}`);
    }
    throw e;
  }
}

/** Validates evolve()'s options and resolves the run's constants, config and signature. */
export async function setupRun(options: EvolveOptions): Promise<RunSetup & { generations: number }> {
  const datas = marketsOf(options);
  const several = datas.length > 1;
  const family = await resolveStrategy(options.strategy ?? EVOLVE_DEFAULTS.strategy);
  const G = family.genes.length;
  const P = intOption('population', options.population ?? EVOLVE_DEFAULTS.population, 4, 1_000_000);
  const generations = intOption('generations', options.generations ?? EVOLVE_DEFAULTS.generations, 1, 1_000_000);
  const seed = intOption('seed', options.seed ?? EVOLVE_DEFAULTS.seed, 0, 0xffffffff);
  const minTrades = intOption('minTrades', options.minTrades ?? EVOLVE_DEFAULTS.minTrades, 0, 1e9);
  const minTradeRate = options.minTradeRate ?? EVOLVE_DEFAULTS.minTradeRate;
  if (typeof minTradeRate !== 'number' || !(minTradeRate >= 0 && minTradeRate <= 1000)) {
    throw configError('minTradeRate', `must be a number of trades per 1,000 bars in [0, 1000], got ${String(minTradeRate)}`);
  }
  const cacheSize = intOption('cacheSize', options.cacheSize ?? EVOLVE_DEFAULTS.cacheSize, 0, 1e8);
  const hofSize = intOption('hallOfFame', options.hallOfFame ?? EVOLVE_DEFAULTS.hallOfFame, 1, 10_000);
  const hofRule = parseHofDistinct(options.hofDistinct ?? DEFAULT_HOF_DISTINCT);
  const islands = resolveIslands(options.islands, options.migrationInterval, P);
  const threads = options.threads ?? availableParallelism();
  const threadsWarning = checkThreads('threads', threads, 0);
  const analysisSample = intOption('analysisSample', options.analysisSample ?? EVOLVE_DEFAULTS.analysisSample, 2, 1_000_000);
  if (options.patience !== undefined) intOption('patience', options.patience, 1, 1e9);
  if (options.maxSeconds !== undefined && !(options.maxSeconds > 0)) {
    throw configError('maxSeconds', `must be a positive number, got ${options.maxSeconds}`);
  }
  const foldAgg = options.foldAggregate ?? EVOLVE_DEFAULTS.foldAggregate;
  if (foldAgg !== 'mean' && foldAgg !== 'min') throw configError('foldAggregate', `must be mean or min, got ${String(foldAgg)}`);
  const marketAgg = options.marketAggregate ?? EVOLVE_DEFAULTS.marketAggregate;
  if (marketAgg !== 'mean' && marketAgg !== 'median' && marketAgg !== 'min') {
    throw configError('marketAggregate', `must be mean, median or min, got ${String(marketAgg)}`);
  }
  const backend = options.backend ?? EVOLVE_DEFAULTS.backend;
  if (backend !== 'wasm' && backend !== 'ts') throw configError('backend', `must be wasm or ts, got ${String(backend)}`);
  const multi = options.objectives !== undefined;
  if (multi && options.fitness !== undefined) throw configError('objectives', 'cannot be combined with fitness (one or the other)');
  const objectives: Objective[] = multi ? parseObjectives(options.objectives!) : [];
  if (multi && islands.islands > 1) throw configError('islands', 'applies to the single-objective GA only (NSGA-II keeps its diversity by crowding)');
  const fitnessSpec = parseFitness(options.fitness ?? EVOLVE_DEFAULTS.fitness);
  if (multi && P % 4 !== 0) throw configError('population', `must be a multiple of 4 with several objectives (NSGA-II pairs tournaments in fours), got ${P}`);
  const ops = resolveOperatorConfig(options.operators ?? {}, P);
  const train =
    options.train === null ? undefined : options.train !== undefined ? options.train : options.folds === undefined ? EVOLVE_DEFAULTS.train : undefined;
  const btOptions = options.backtest ?? {};
  const markets: RunMarket[] = datas.map((market, index) => {
    const name = marketName(market);
    const windows = windowsOf(market, name, several, train, options.folds);
    const selWindow = windows.train[windows.train.length - 1]!;
    const selResolved = resolveOptions(family, market, btOptions, selWindow);
    return {
      index, name, market, digest: cachedMarketDigest(market), windows, selWindow, selResolved,
      // The minimum-trades rule scales with each window's length (minTrades is the floor).
      windowMin: windows.train.map((w) => windowMinTrades(w.end - w.start, minTrades, minTradeRate)),
      selCfg: { cfg: configVector(selResolved), riskPerTrade: selResolved.riskPerTrade },
    };
  });
  const first = markets[0]!;
  // Resolving here validates the execution options for the family before any work starts.
  const resolved = resolveOptions(family, first.market, { ...btOptions, backend }, first.windows.train[0]);
  const slots: TrainSlot[] = markets.flatMap((m) => m.windows.train.map((w, wi) => ({
    market: m.index, window: w, key: `${m.digest}@${windowKey(w)}`, fitness: compileFitness(fitnessSpec, m.windowMin[wi]!), windowMin: m.windowMin[wi]!,
    selection: wi === m.windows.train.length - 1, rootPpy: Math.sqrt(m.selResolved.periodsPerYear),
  })));
  const { low, up } = familyBounds(family);
  const { backend: _backend, ...backtest } = resolved;
  const config: EvolveConfig = {
    strategy: family.name,
    population: P,
    generations,
    seed,
    mode: multi ? 'nsga2' : 'ga',
    fitness: multi ? null : fitnessSpec.text,
    objectives: multi ? objectives.map((o) => `${o.direction === 1 ? 'max' : 'min'}:${o.metric}`) : null,
    minTrades,
    minTradeRate,
    minTradesPerWindow: markets.flatMap((m) => m.windowMin),
    train: train ?? null,
    folds: options.folds ?? null,
    foldAggregate: foldAgg,
    ...(several ? { marketAggregate: marketAgg } : {}),
    operators: ops,
    backtest: { ...backtest, periodsPerYear: btOptions.periodsPerYear ?? null },
    cacheSize,
    hallOfFame: hofSize,
    analysisSample,
    hofDistinct: hofDistinctText(hofRule),
    islands: islands.islands,
    migrationInterval: islands.islands > 1 ? islands.migrationInterval : null,
    patience: options.patience ?? null,
    maxSeconds: options.maxSeconds ?? null,
  };
  const stopping = ['generations', 'patience', 'maxSeconds', 'analysisSample'];
  const signature: RunSignature = {
    data: first.digest,
    bars: first.market.length,
    ...(several ? { markets: markets.map((m) => ({ name: m.name, digest: m.digest, bars: m.market.length })) } : {}),
    strategy: { name: family.name, digest: family.digest },
    options: Object.fromEntries(Object.entries(config).filter(([k]) => !stopping.includes(k))),
  };
  return {
    family, P, G, generations, seed, minTrades, minTradeRate, cacheSize, hofSize, hofRule, islands, threads, threadsWarning, analysisSample,
    foldAgg, marketAgg, backend, multi, objectives, directions: objectives.map((o) => o.direction), fitnessSpec, ops, btOptions, resolved,
    markets, slots, low, up, config, signature,
  };
}
