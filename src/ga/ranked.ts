import type { Metrics } from '../backtest.js';
import { metricsFromVector } from '../backtest.js';
import { genesToParams } from '../genome/families.js';
import type { Window } from '../kernels/kernel-set.js';
import { MET_LENGTH } from '../kernels/layout.js';
import type { EvalSlot, Evaluator } from '../pool/evaluator.js';
import type { Ranked } from './breeders.js';
import type { FoldMetrics, MarketMetrics, RankedGenome } from './result-types.js';
import type { RunSetup } from './run-setup.js';

/** The mean of metric vectors, as Metrics (one vector: itself). */
function metricsOf(vectors: Float64Array[]): Metrics {
  return metricsFromVector(meanVector(vectors));
}

function meanVector(vectors: Float64Array[]): Float64Array {
  if (vectors.length === 1) return vectors[0]!;
  const acc = new Float64Array(MET_LENGTH);
  for (const v of vectors) for (let k = 0; k < MET_LENGTH; k++) acc[k] = acc[k]! + v[k]!;
  for (let k = 0; k < MET_LENGTH; k++) acc[k] = acc[k]! / vectors.length;
  return acc;
}

/** A genome's metric vectors on one market: per train window, per test window, the holdout. */
interface MarketVectors {
  ins: Float64Array[];
  oos: Float64Array[];
  holdout: Float64Array | null;
}

/** Metrics of one market from its vectors (folds: the mean over folds, and each fold). */
function marketMetrics(v: MarketVectors, train: readonly Window[], test: readonly Window[]): Omit<MarketMetrics, 'name'> {
  return {
    inSample: metricsOf(v.ins),
    outOfSample: v.oos.length === 0 ? null : metricsOf(v.oos),
    holdout: v.holdout === null ? null : metricsFromVector(v.holdout),
    folds: train.length > 1
      ? train.map((w, wi): FoldMetrics => ({ train: w, test: test[wi]!, inSample: metricsFromVector(v.ins[wi]!), outOfSample: metricsFromVector(v.oos[wi]!) }))
      : null,
  };
}

/**
 * Describes ranked genomes in and out of sample: their train metrics (kept from the
 * evaluation) and their metrics on every market's out-of-sample windows and holdout, evaluated
 * in one evaluator call. With several markets the top-level metrics are the mean of the
 * markets' metric vectors (fold by fold for `folds`, on the first market's windows), and
 * `markets` holds each market's.
 */
export async function describeRanked(setup: RunSetup, evaluator: Evaluator, list: Ranked[]): Promise<RankedGenome[]> {
  if (list.length === 0) return [];
  const { G, family, markets } = setup;
  const block = new Float64Array(list.length * G);
  list.forEach((x, i) => block.set(x.genes, i * G));
  const slots: EvalSlot[] = [];
  for (const m of markets) {
    for (const w of m.windows.test) slots.push({ market: m.index, window: w });
    if (m.windows.holdout !== null) slots.push({ market: m.index, window: m.windows.holdout });
  }
  const out = slots.length === 0 ? new Float64Array(0) : await evaluator.evaluateSlots(family, block, slots, {});
  const W = markets[0]!.windows.train.length;
  const n = list.length;
  return list.map((x, i) => {
    let s = 0;
    const at = (slot: number): Float64Array => out.subarray((slot * n + i) * MET_LENGTH, (slot * n + i + 1) * MET_LENGTH);
    const vectors: MarketVectors[] = markets.map((m) => {
      const ins = m.windows.train.map((_, wi) => x.metrics.subarray((m.index * W + wi) * MET_LENGTH, (m.index * W + wi + 1) * MET_LENGTH));
      const oos = m.windows.test.map(() => at(s++));
      const holdout = m.windows.holdout === null ? null : at(s++);
      return { ins, oos, holdout };
    });
    const first = markets[0]!.windows;
    const pooled: MarketVectors = vectors.length === 1 ? vectors[0]! : {
      ins: first.train.map((_, wi) => meanVector(vectors.map((v) => v.ins[wi]!))),
      oos: first.test.map((_, wi) => meanVector(vectors.map((v) => v.oos[wi]!))),
      holdout: first.holdout === null ? null : meanVector(vectors.map((v) => v.holdout!)),
    };
    const entry: RankedGenome = {
      rank: i + 1,
      params: genesToParams(family, x.genes),
      fitness: x.fitness,
      ...marketMetrics(pooled, first.train, first.test),
    };
    if (markets.length > 1) {
      entry.markets = markets.map((m, k) => ({ name: m.name, ...marketMetrics(vectors[k]!, m.windows.train, m.windows.test) }));
    }
    if (x.objs !== null) {
      entry.objectives = Object.fromEntries(setup.objectives.map((o, k) => [o.metric, x.objs![k]!]));
      entry.fitness = x.objs[0]!;
    }
    if (x.front !== undefined) entry.front = x.front;
    if (x.crowding !== undefined) entry.crowding = x.crowding;
    return entry;
  });
}
