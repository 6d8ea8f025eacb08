import { canonicalKey } from '../genome/canonical.js';
import type { KernelSet } from '../kernels/kernel-set.js';
import type { Evaluator } from '../pool/evaluator.js';
import { returnMoments } from '../stats/deflated-sharpe.js';
import type { ReturnMoments } from '../stats/deflated-sharpe.js';
import type { Breeder } from './breeders.js';
import type { AnalysisProgress } from './evolve-options.js';
import type { OutOfSampleTrades, OverfittingReport, TrialSharpes } from './overfitting.js';
import { analyzeOverfitting, genomeReturns, outOfSampleTrades } from './overfitting.js';
import type { RankedGenome } from './result-types.js';
import { barsPerRowFor, readSummary, summarizeInProcess, summaryWidth } from './return-series.js';
import type { RunMarket, RunSetup } from './run-setup.js';
import type { RunState } from './run-state.js';

/**
 * A genome's per-bar returns on the selection window of every market, market after market:
 * what hall-of-fame distinctness, diversity and (several markets) the deflated Sharpe look at.
 */
export function selectionReturns(kernels: KernelSet, setup: RunSetup, genes: Float64Array): Float64Array {
  const parts = setup.markets.map((m) => genomeReturns(kernels, m.market, m.selWindow, setup.family, genes, m.selCfg));
  return parts.length === 1 ? parts[0]! : concat(parts);
}

/** The windows reported out of sample with the hall of fame's trades there (several markets: each market's, named). */
function outOfSampleOf(markets: readonly RunMarket[], ranked: RankedGenome[]): OutOfSampleTrades[] {
  if (markets.length === 1) return outOfSampleTrades(markets[0]!.windows, ranked);
  return markets.flatMap((m, k) =>
    outOfSampleTrades(m.windows, ranked.map((h) => ({ ...h, ...h.markets![k]! }))).map((w) => ({ ...w, name: `${m.name} ${w.name}` })));
}

/**
 * The overfitting analysis on a bounded, deterministic sample: the final population's best
 * `analysisSample` distinct genomes (by fitness, or the first objective; ties by genome key),
 * whose return series on the selection window are backtested (on the evaluator with one
 * market) and kept compounded into at most MAX_RETURN_ROWS rows, and the best genome's, of
 * which only the moments are kept. With several markets each genome's series is its markets'
 * series one after another (market order), compounded with one bars-per-row for all, and the
 * best genome's moments are those of its concatenated per-bar returns.
 */
export async function analyse(o: {
  setup: RunSetup; state: RunState; breeder: Breeder; evaluator: Evaluator; kernels: KernelSet; trials: TrialSharpes;
  ranked: RankedGenome[]; onAnalysis?: (p: AnalysisProgress) => void;
}): Promise<OverfittingReport> {
  const { setup, state, breeder } = o;
  const { family, G, P, analysisSample, markets } = setup;
  const best = (breeder.paretoFront(state) ?? breeder.hallOfFame(state))[0]!.genes;
  const score = breeder.score(state);
  const keyed = Array.from({ length: P }, (_, i) => ({ i, key: canonicalKey(family, state.pop, i * G) }));
  keyed.sort((a, b) => score[b.i]! - score[a.i]! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const seen = new Set<string>();
  const chosen: number[] = [];
  for (const { i, key } of keyed) {
    if (seen.has(key)) continue;
    seen.add(key);
    if (chosen.length < analysisSample) chosen.push(i);
  }
  const block = new Float64Array((chosen.length + 1) * G);
  block.set(best, 0);
  chosen.forEach((i, j) => block.set(state.pop.subarray(i * G, (i + 1) * G), (j + 1) * G));
  const count = chosen.length + 1;
  const selBars = markets.reduce((n, m) => n + (m.selWindow.end - m.selWindow.start), 0);
  const barsPerRow = markets.length === 1 ? barsPerRowFor(markets[0]!.selWindow) : barsPerRowFor({ start: 0, end: selBars - markets.length + 1 });
  const t0 = performance.now();
  const progress = (done: number, total: number): void => o.onAnalysis?.({ done, total, elapsedSeconds: (performance.now() - t0) / 1000 });
  progress(0, count * markets.length);
  const columns: Float64Array[][] = chosen.map(() => []);
  let bestMoments: ReturnMoments | null = null;
  for (const m of markets) {
    const width = summaryWidth(m.selWindow, barsPerRow);
    const onProgress = (done: number, total: number): void => progress(m.index * total + done, total * markets.length);
    // On the evaluator (its threads) when it can, else here: the same bits either way.
    const summaries = o.evaluator.returnSeries !== undefined
      ? await o.evaluator.returnSeries(family, block, m.selWindow, barsPerRow, { onProgress, ...(m.index !== 0 ? { market: m.index } : {}) })
      : await summarizeInProcess(o.kernels, m.market, m.selWindow, family, block, m.selCfg, null, barsPerRow, { onProgress });
    if (markets.length === 1) bestMoments = readSummary(summaries, 0, width).moments;
    chosen.forEach((_, j) => columns[j]!.push(readSummary(summaries, j + 1, width).rows));
  }
  bestMoments ??= returnMoments(selectionReturns(o.kernels, setup, best));
  const joined = columns.map((parts) => (parts.length === 1 ? parts[0]! : concat(parts)));
  const rows = joined[0]?.length ?? 0;
  // Periods per year of the deflated Sharpe's annualised figure: each market's, weighted by its bars.
  const ppy = markets.length === 1
    ? markets[0]!.selResolved.periodsPerYear
    : markets.reduce((s, m) => s + m.selResolved.periodsPerYear * (m.selWindow.end - m.selWindow.start), 0) / selBars;
  return analyzeOverfitting({
    periodsPerYear: ppy, window: markets[0]!.selWindow, trials: o.trials, barsPerRow, outOfSample: outOfSampleOf(markets, o.ranked),
    best: bestMoments,
    columns: joined,
    sample: {
      rule: `the final population's best ${analysisSample} distinct genomes by ${setup.multi ? 'the first objective' : 'fitness'}`,
      limit: analysisSample, distinct: seen.size, size: chosen.length, rows, barsPerRow, matrixBytes: rows * chosen.length * 8,
    },
  });
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
