import { resolve } from 'node:path';
import { EngineError, configError } from '../errors.js';
import { randomGenome } from '../genome/canonical.js';
import { MET_LENGTH } from '../kernels/layout.js';
import { kernelsFor } from '../kernels/registry.js';
import type { Evaluator } from '../pool/evaluator.js';
import { createInProcessEvaluator } from '../pool/in-process.js';
import { createPoolEvaluator } from '../pool/pool.js';
import { emitEngineWarning } from '../pool/threads.js';
import { removeStaleTemporaries } from '../io.js';
import { acquireLock } from '../lock.js';
import type { Lock } from '../lock.js';
import { selectionReturns } from './analysis.js';
import type { Breeder } from './breeders.js';
import { NsgaBreeder, SingleObjectiveBreeder } from './breeders.js';
import { CheckpointWriter, checkpointFiles, readCheckpoint } from './checkpoint.js';
import { EvaluationService } from './evaluation.js';
import { checkEvaluator } from './evaluator-check.js';
import type { EvolveHooks, EvolveOptions } from './evolve-options.js';
import { finishGeneration, newStats } from './generation.js';
import type { GenerationContext } from './generation.js';
import { HofReturns } from './hof-returns.js';
import { checkEvolveOptions } from './options-check.js';
import { buildResult } from './result.js';
import type { EvolveResult, GenerationStats, GenerationTiming, StopReason } from './result-types.js';
import { setupRun } from './run-setup.js';
import { RunState } from './run-state.js';
import { Scorer } from './scoring.js';

export { EVOLVE_DEFAULTS } from './evolve-options.js';
export type { AnalysisProgress, EvolveHooks, EvolveOptions } from './evolve-options.js';
export type {
  EvolveConfig, EvolveResult, FoldMetrics, GenerationReport, GenerationStats, GenerationTiming, MarketMetrics, RankedGenome, ResultMarket, StopReason,
} from './result-types.js';
export { breedSingle } from './breeders.js';

/** The evaluator of a run: the given one (checked against the run), or one built for it. */
function evaluatorFor(options: EvolveOptions, hooks: EvolveHooks, setup: Awaited<ReturnType<typeof setupRun>>): { evaluator: Evaluator; own: boolean } {
  const { btOptions: backtest, backend, threads } = setup;
  const data = { markets: setup.markets.map((m) => m.market) };
  if (options.evaluator !== undefined) {
    checkEvaluator(options.evaluator, { markets: setup.markets, family: setup.family, backtest, ...(options.backend !== undefined ? { backend } : {}) });
    return { evaluator: options.evaluator, own: false };
  }
  const evaluator = threads === 0
    ? createInProcessEvaluator({ ...data, backtest, backend })
    : createPoolEvaluator({ ...data, backtest, backend, threads, onWarning: () => undefined, ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}) });
  if (setup.threadsWarning !== null) (hooks.onWarning ?? emitEngineWarning)(setup.threadsWarning);
  return { evaluator, own: true };
}

/**
 * Evolves a strategy family's parameters on one market or a basket: a generational GA
 * (tournament selection, crossover, mutation, elitism, random immigrants) or NSGA-II with
 * several objectives, fitness from backtests on the in-sample window(s) only (aggregated over
 * folds, then markets), a fitness cache, checkpoints after every generation, and a hall of fame
 * reported in and out of sample.
 *
 * Every random choice comes from one PRNG seeded with `seed`, and evaluations are exact and
 * independent of how they are spread over threads, so the same seed and options give the same
 * result (timings aside) for any thread count, batch size or backend, resumed or not.
 */
export async function evolve(options: EvolveOptions = {}, hooks: EvolveHooks = {}): Promise<EvolveResult> {
  checkEvolveOptions(options, hooks);
  const started = performance.now();
  const setup = await setupRun(options);
  const { family, P, G, multi, slots } = setup;
  // `let`: a resumed run without its own limit keeps the checkpoint's (set when it is read).
  let generations = setup.generations;
  if (options.landscapeGenes !== undefined) {
    const lg = options.landscapeGenes;
    if (!Array.isArray(lg) || lg.length !== 2 || lg[0] === lg[1] || !lg.every((n) => family.genes.some((g) => g.name === n))) {
      throw configError('landscapeGenes', `must be two different genes of ${family.name} (${family.genes.map((g) => g.name).join(', ')}), got ${JSON.stringify(lg)}`);
    }
  }
  const { evaluator, own } = evaluatorFor(options, hooks, setup);
  const kernels = kernelsFor(evaluator.backend);
  const scorer = new Scorer(slots, setup.foldAgg, setup.marketAgg, setup.objectives, setup.directions);
  const service = new EvaluationService(family, evaluator, slots, scorer, setup.cacheSize, hooks.signal);
  const returns = (genes: Float64Array): Float64Array => selectionReturns(kernels, setup, genes);
  // Return streams of hall-of-fame candidates (hofDistinct corr:R, compressed) and of the elite
  // (the diversity line), kept for the recent genomes.
  const hofReturns = new HofReturns(family, returns, 4 * (setup.hofSize + P), 2 * setup.hofSize);
  const breeder: Breeder = multi
    ? new NsgaBreeder(family, setup.ops, setup.directions, setup.hofSize)
    : new SingleObjectiveBreeder(family, setup.ops, setup.islands, { size: setup.hofSize, rule: setup.hofRule, low: setup.low, up: setup.up, returns: hofReturns.of });
  const seen = multi ? null : new Map<string, { genes: Float64Array; fitness: number }>();
  const genCtx: GenerationContext = { family, breeder, sign: multi ? setup.directions[0]! : 1, low: setup.low, up: setup.up, returns: hofReturns.fullOf, seen };
  let state = new RunState(setup.seed, P, G, setup.objectives.length, slots.length);
  const timings = { started, perGeneration: [] as GenerationTiming[], evaluateMs: 0, breedMs: 0 };
  let resumedFrom: number | null = null;
  let stopReason: StopReason = 'generations';

  const checkpointPath = options.checkpoint ?? options.resume;
  const writer = checkpointPath === undefined ? null : new CheckpointWriter(checkpointPath);

  /** Ends a generation: statistics, checkpoint, timings and the onGeneration report. */
  const complete = async (gen: GenerationStats, breedMs: number, evaluateMs: number, c0: number): Promise<void> => {
    finishGeneration(genCtx, state, gen);
    if (writer !== null) {
      const { record, snapshot } = state.toCheckpoint(service.journal!, generations);
      await writer.save(record, { signature: setup.signature, ...snapshot });
    }
    const timing: GenerationTiming = { generation: gen.generation, breedMs, evaluateMs, waitMs: waitOf(evaluateMs, evaluator.stats().computeMs - c0, evaluator.threads) };
    timings.perGeneration.push(timing);
    timings.evaluateMs += evaluateMs;
    timings.breedMs += breedMs;
    if (hooks.onGeneration === undefined) return;
    const recent = timings.perGeneration.slice(-5);
    const perGen = recent.reduce((s, t) => s + t.breedMs + t.evaluateMs, 0) / recent.length / 1000;
    const lookups = gen.cacheHits + gen.cacheMisses;
    hooks.onGeneration({
      stats: gen,
      timing,
      generations,
      elapsedSeconds: (performance.now() - started) / 1000,
      evaluationsPerSecond: evaluateMs > 0 ? gen.evaluated / (evaluateMs / 1000) : 0,
      etaSeconds: Math.max(0, generations - state.history.length) * perGen,
      cacheHitRate: lookups > 0 ? gen.cacheHits / lookups : 0,
    });
  };

  /** Breeds (or draws) a generation, evaluates it and hands it to the breeder. */
  const step = async (first: boolean): Promise<void> => {
    const gen = newStats(state.history.length);
    const c0 = evaluator.stats().computeMs;
    let t = performance.now();
    let offspring = state.pop;
    if (first) for (let i = 0; i < P; i++) randomGenome(state.rng, family, state.pop, i * G);
    else offspring = breeder.offspring(state);
    let breedMs = performance.now() - t;
    t = performance.now();
    const r = await service.evaluate(offspring, P, gen);
    const evaluateMs = performance.now() - t;
    t = performance.now();
    if (first) {
      state.fitness = r.fitness;
      state.objs = r.objs;
      state.metrics = r.metrics;
    } else {
      breeder.survive(state, offspring, r);
    }
    breedMs += performance.now() - t;
    await complete(gen, breedMs, evaluateMs, c0);
  };

  let lock: Lock | undefined;
  try {
    if (checkpointPath !== undefined) {
      const files = checkpointFiles(checkpointPath);
      lock = await acquireLock(files.lock, `checkpoint ${checkpointPath}`);
      await removeStaleTemporaries(files.snapshot);
      await removeStaleTemporaries(files.history);
    }
    if (options.resume !== undefined) {
      const loaded = await readCheckpoint(options.resume, setup.signature, {
        population: P, genes: G, objectives: setup.objectives.length, windows: slots.length, metrics: MET_LENGTH,
      });
      state = RunState.fromCheckpoint(loaded.state, loaded.records, P, G, setup.objectives.length, slots.length);
      service.replay(loaded.records, P, checkpointFiles(options.resume).history, (block, keys, metrics) => {
        // The landscape's points, in the order the straight run met them (single objective: the
        // evaluated block is the generation's population).
        if (seen === null) return;
        const { fitness } = service.score(metrics, P);
        for (let i = 0; i < P; i++) if (!seen.has(keys[i]!)) seen.set(keys[i]!, { genes: block.slice(i * G, (i + 1) * G), fitness: fitness[i]! });
      });
      const limit = loaded.state.progress.generationLimit;
      if (options.generations === undefined && limit !== undefined) {
        generations = limit;
        setup.config.generations = generations;
      }
      await writer!.adopt(loaded, resolve(checkpointPath!) === resolve(options.resume));
      resumedFrom = loaded.state.generation;
    } else {
      await step(true);
    }
    while (state.history.length < generations) {
      if (hooks.signal?.aborted === true) {
        stopReason = 'interrupted';
        break;
      }
      if (options.patience !== undefined && state.stale >= options.patience) {
        stopReason = 'patience';
        break;
      }
      if (options.maxSeconds !== undefined && (performance.now() - started) / 1000 >= options.maxSeconds) {
        stopReason = 'max-seconds';
        break;
      }
      await step(false);
    }
  } catch (e) {
    // Interrupted inside a generation: that generation is abandoned; the last completed one
    // (already checkpointed) is the result. Before the first generation completes there is no
    // result (no evaluated population, an empty hall of fame): the cancellation stands.
    if (!(e instanceof EngineError && e.code === 'E_ABORT') || state.history.length === 0) {
      await lock?.release();
      if (own) await evaluator.close();
      throw e;
    }
    stopReason = 'interrupted';
  }
  try {
    return await buildResult({
      setup, state, breeder, service, evaluator, kernels, hooks, seen, landscapeGenes: options.landscapeGenes, stopReason, resumedFrom,
      batchSize: options.batchSize ?? null, timings,
    });
  } finally {
    await lock?.release();
    if (own) await evaluator.close();
  }
}

/** Evaluation time not covered by computing, per thread. */
function waitOf(evaluateMs: number, computeMs: number, threads: number): number {
  return Math.max(0, evaluateMs - computeMs / Math.max(1, threads));
}
