import { createHash } from 'node:crypto';
import { configVector, resolveOptions } from '../backtest.js';
import type { KernelSet } from '../kernels/kernel-set.js';
import { packageVersion } from '../paths.js';
import type { Evaluator } from '../pool/evaluator.js';
import type { EquityCurve } from '../report/curve.js';
import { bestCurve } from '../report/curve.js';
import { analyse } from './analysis.js';
import type { Breeder } from './breeders.js';
import type { EvaluationService } from './evaluation.js';
import type { EvolveHooks } from './evolve-options.js';
import { newStats } from './generation.js';
import type { Landscape } from './landscape.js';
import { buildLandscape, neighbourGenomes } from './landscape.js';
import { describeRanked } from './ranked.js';
import type { EvolveResult, GenerationTiming, ResultMarket, StopReason } from './result-types.js';
import type { RunSetup } from './run-setup.js';
import type { RunState } from './run-state.js';

/** What the result is made from: the run's constants, its state and services, and its timings. */
export interface ResultInputs {
  setup: RunSetup;
  state: RunState;
  breeder: Breeder;
  service: EvaluationService;
  evaluator: Evaluator;
  kernels: KernelSet;
  hooks: EvolveHooks;
  /** Single objective: every distinct genome evaluated (the landscape's points). */
  seen: Map<string, { genes: Float64Array; fitness: number }> | null;
  landscapeGenes: [string, string] | undefined;
  stopReason: StopReason;
  resumedFrom: number | null;
  batchSize: number | null;
  timings: { started: number; perGeneration: GenerationTiming[]; evaluateMs: number; breedMs: number };
}

/** The landscape: the winner's neighbours evaluated like any genome (and counted as trials). */
async function landscapeOf(r: ResultInputs): Promise<Landscape | null> {
  const { setup, state } = r;
  if (r.seen === null || state.hof.length === 0) return null;
  const winner = state.hof[0]!;
  const nb = neighbourGenomes(setup.family, winner.genes);
  const block = new Float64Array(nb.length * setup.G);
  nb.forEach((n, i) => block.set(n.genes, i * setup.G));
  const scan = newStats(state.history.length);
  const ev = nb.length > 0 ? await r.service.evaluate(block, nb.length, scan, false) : { fitness: new Float64Array(0) };
  return buildLandscape(setup.family, [...r.seen.values()], winner.genes, winner.fitness, nb.map((n, i) => ({ ...n, fitness: ev.fitness[i]! })), r.landscapeGenes, scan.evaluated);
}

/** The best genome over a market's whole series (the first by default), decimated for charts. */
function curveOf(r: ResultInputs, index = 0): EquityCurve {
  const { setup } = r;
  const best = (r.breeder.paretoFront(r.state) ?? r.breeder.hallOfFame(r.state))[0]!.genes;
  const m = setup.markets[index]!;
  const full = resolveOptions(setup.family, m.market, setup.btOptions, { start: 0, end: m.market.length });
  return bestCurve(r.kernels, m.market, setup.family, best, { cfg: configVector(full), riskPerTrade: full.riskPerTrade }, setup.resolved.cash, m.windows);
}

/** The data section: the market's, or the basket's (names, total bars, span, digest of digests). */
function dataOf(setup: RunSetup): EvolveResult['data'] {
  const ms = setup.markets;
  if (ms.length === 1) {
    const m = ms[0]!.market;
    return { source: m.source, bars: m.length, from: m.time[0]!, to: m.time[m.length - 1]!, sha256: ms[0]!.digest };
  }
  return {
    source: `${ms.length} markets: ${ms.map((m) => m.name).join(', ')}`,
    bars: ms.reduce((n, m) => n + m.market.length, 0),
    from: Math.min(...ms.map((m) => m.market.time[0]!)),
    to: Math.max(...ms.map((m) => m.market.time[m.market.length - 1]!)),
    sha256: createHash('sha256').update(ms.map((m) => m.digest).join('\n')).digest('hex'),
  };
}

function marketsOf(r: ResultInputs): ResultMarket[] {
  return r.setup.markets.map((m, i) => ({
    name: m.name, source: m.market.source, digest: m.digest, bars: m.market.length,
    from: m.market.time[0]!, to: m.market.time[m.market.length - 1]!, windows: m.windows, minTradesPerWindow: m.windowMin,
    curve: curveOf(r, i),
  }));
}

/**
 * The result from the last completed generation: the hall of fame (or Pareto front) evaluated
 * out of sample, the overfitting analysis, the curve. Also after an interruption, where the
 * abandoned generation is not part of it (its evaluations never use the fired signal).
 */
export async function buildResult(r: ResultInputs): Promise<EvolveResult> {
  const { setup, state, evaluator } = r;
  const hallOfFame = await describeRanked(setup, evaluator, r.breeder.hallOfFame(state));
  const pareto = r.breeder.paretoFront(state);
  const paretoFront = pareto === null ? null : await describeRanked(setup, evaluator, pareto);
  // Before the overfitting analysis: the neighbourhood scan's genomes are trials too.
  const landscape = await landscapeOf(r);
  const t = r.timings;
  const evaluateSeconds = t.evaluateMs / 1000;
  let evaluated = 0;
  for (const g of t.perGeneration) evaluated += state.history[g.generation]?.evaluated ?? 0;
  const st = evaluator.stats();
  const several = setup.markets.length > 1;
  const basket = several ? marketsOf(r) : null;
  return {
    format: 'evoquant-result',
    version: 1,
    versions: { evoquant: packageVersion(), node: process.version, v8: process.versions.v8 },
    config: setup.config,
    strategy: { name: setup.family.name, file: setup.family.file, digest: setup.family.digest, builtin: setup.family.builtin },
    data: dataOf(setup),
    windows: setup.markets[0]!.windows,
    ...(basket !== null ? { markets: basket } : {}),
    generations: state.history,
    stopped: { reason: r.stopReason, generations: state.history.length },
    evaluations: {
      backtests: state.backtests, cacheHits: state.hits, cacheMisses: state.misses,
      ...(st.indicatorHits === undefined ? {} : { indicatorCache: { hits: st.indicatorHits, misses: st.indicatorMisses ?? 0 } }),
    },
    hallOfFame,
    paretoFront,
    landscape,
    overfitting: await analyse({
      setup, state, breeder: r.breeder, evaluator, kernels: r.kernels, trials: r.service.trials, ranked: hallOfFame,
      ...(r.hooks.onAnalysis !== undefined ? { onAnalysis: r.hooks.onAnalysis } : {}),
    }),
    curve: basket?.[0]!.curve ?? curveOf(r),
    timings: {
      backend: evaluator.backend,
      threads: evaluator.threads,
      batchSize: r.batchSize,
      evaluator: evaluator.kind,
      resumedFrom: r.resumedFrom,
      perGeneration: t.perGeneration,
      totalSeconds: (performance.now() - t.started) / 1000,
      evaluateSeconds,
      breedSeconds: t.breedMs / 1000,
      backtestsPerSecond: evaluateSeconds > 0 ? evaluated / evaluateSeconds : 0,
      barEvaluationsPerSecond: evaluateSeconds > 0 ? r.service.barEvaluations / evaluateSeconds : 0,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    },
  };
}
