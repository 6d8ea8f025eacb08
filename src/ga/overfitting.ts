import { Matrix } from 'ml-matrix';
import type { MarketData } from '../data/market.js';
import type { StrategyFamily } from '../genome/families.js';
import type { KernelSet, Window } from '../kernels/kernel-set.js';
import type { Execution } from '../strategy/run.js';
import { backtestStrategy } from '../strategy/run.js';
import type { DeflatedSharpeResult } from '../stats/deflated-sharpe.js';
import { deflatedSharpe, returnMoments } from '../stats/deflated-sharpe.js';
import { meanPairwiseCorrelation } from '../stats/diversity.js';
import { probabilityOfBacktestOverfitting } from '../stats/pbo.js';
import { dsrVerdict, pboVerdict } from '../stats/verdict.js';

/** Rows at most in a returns matrix: longer series are compounded over consecutive bars. */
export const MAX_RETURN_ROWS = 20_000;

/** Running variance of the trials' per-period Sharpe ratios (Welford), over distinct genomes. */
export class TrialSharpes {
  count = 0;
  mean = 0;
  m2 = 0;
  private readonly seen = new Set<string>();

  /** Adds a genome's Sharpe once (a genome re-evaluated after leaving the cache counts once). */
  add(key: string, sharpePerPeriod: number): void {
    if (this.seen.has(key) || !Number.isFinite(sharpePerPeriod)) return;
    this.seen.add(key);
    this.count++;
    const d = sharpePerPeriod - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (sharpePerPeriod - this.mean);
  }

  /** Sample variance (ddof 1); 0 with fewer than two trials. */
  variance(): number {
    return this.count < 2 ? 0 : this.m2 / (this.count - 1);
  }

  toJSON(): { count: number; mean: number; m2: number; seen: string[] } {
    return { count: this.count, mean: this.mean, m2: this.m2, seen: [...this.seen] };
  }

  static from(s: { count: number; mean: number; m2: number; seen: string[] }): TrialSharpes {
    const t = new TrialSharpes();
    t.count = s.count;
    t.mean = s.mean;
    t.m2 = s.m2;
    for (const k of s.seen) t.seen.add(k);
    return t;
  }
}

/** Per-bar returns r[t] = E[t] / E[t-1] - 1 (SPEC section 5) of one genome on a window, from the strategy's own backtest. */
export function genomeReturns(
  kernels: KernelSet, market: MarketData, window: Window, family: StrategyFamily, genes: Float64Array, cfg: Execution,
): Float64Array {
  const raw = backtestStrategy(kernels, market, window, family, genes, cfg, null, { equity: true });
  return kernels.returns(raw.equity!);
}

/**
 * Columns of per-bar returns as a bars x genomes Matrix. Series longer than maxRows are
 * compounded over consecutive bars ((1 + r1)(1 + r2)... - 1), which keeps each column's growth
 * and the ordering of the strategies while bounding memory on million-bar runs.
 */
export function returnsMatrix(columns: Float64Array[], maxRows = MAX_RETURN_ROWS): { matrix: Matrix; barsPerRow: number } {
  const T = columns[0]?.length ?? 0;
  const k = Math.max(1, Math.ceil(T / maxRows));
  const rows = Math.ceil(T / k);
  const m = new Matrix(rows, columns.length);
  columns.forEach((col, j) => {
    for (let r = 0; r < rows; r++) {
      let g = 1;
      const end = Math.min(T, (r + 1) * k);
      for (let t = r * k; t < end; t++) g *= 1 + col[t]!;
      m.set(r, j, k === 1 ? col[r]! : g - 1);
    }
  });
  return { matrix: m, barsPerRow: k };
}

/** Mean pairwise correlation of the genomes' return streams (NaN when fewer than two usable). */
export function returnCorrelation(columns: Float64Array[]): number {
  if (columns.length < 2) return NaN;
  return meanPairwiseCorrelation(returnsMatrix(columns).matrix);
}

/** The overfitting section of a run's result. */
export interface OverfittingReport {
  /** Deflated Sharpe ratio of the best genome, a probability (null when undefined). */
  deflatedSharpe: number | null;
  /** Probability of backtest overfitting of the final population (null when undefined). */
  pbo: number | null;
  /** One plain-language line: both verdicts. */
  verdict: string;
  verdicts: { deflatedSharpe: string; pbo: string };
  window: Window;
  details: {
    deflatedSharpe: (DeflatedSharpeResult & { periodsPerYear: number; annualSharpe: number }) | null;
    pbo: {
      pbo: number;
      combinations: number;
      blocks: number;
      strategies: number;
      rows: number;
      barsPerRow: number;
      degradation: { slope: number; intercept: number; r2: number };
      probabilityOfLoss: number;
      /** Logits of the combinations, as a histogram over [-4, 4] in 16 bins (outside values clamp). */
      logitHistogram: number[];
    } | null;
    /** Why a statistic could not be computed. */
    notes: string[];
  };
}

function histogram(values: Float64Array, lo: number, hi: number, bins: number): number[] {
  const h = new Array<number>(bins).fill(0);
  for (const v of values) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)));
    h[i] = h[i]! + 1;
  }
  return h;
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * How much of the best backtest is luck: the deflated Sharpe ratio of the best genome (its
 * returns on the selection window against the Sharpe variance and count of the distinct trials
 * evaluated there) and the PBO of the final population's distinct genomes on that window.
 */
export function analyzeOverfitting(o: {
  kernels: KernelSet;
  market: MarketData;
  family: StrategyFamily;
  cfg: Execution;
  periodsPerYear: number;
  window: Window;
  best: Float64Array;
  population: Float64Array[];
  trials: TrialSharpes;
}): OverfittingReport {
  const notes: string[] = [];
  const bestReturns = genomeReturns(o.kernels, o.market, o.window, o.family, o.best, o.cfg);
  const moments = returnMoments(bestReturns);
  let dsr: (DeflatedSharpeResult & { periodsPerYear: number; annualSharpe: number }) | null = null;
  if (o.trials.count >= 1) {
    const r = deflatedSharpe({
      sharpe: moments.sharpe,
      skewness: moments.skewness,
      kurtosis: moments.kurtosis,
      bars: moments.count,
      variance: o.trials.variance(),
      trials: o.trials.count,
    });
    dsr = { ...r, periodsPerYear: o.periodsPerYear, annualSharpe: moments.sharpe * Math.sqrt(o.periodsPerYear) };
    if (!Number.isFinite(r.dsr)) notes.push('deflated Sharpe undefined: too few returns or a flat equity curve');
  } else {
    notes.push('deflated Sharpe undefined: no trials');
  }

  let pbo: OverfittingReport['details']['pbo'] = null;
  if (o.population.length < 2) {
    notes.push(`PBO undefined: the final population has ${o.population.length} distinct genome${o.population.length === 1 ? '' : 's'} (at least 2 are needed)`);
  } else {
    const cols = o.population.map((g) => genomeReturns(o.kernels, o.market, o.window, o.family, g, o.cfg));
    const { matrix, barsPerRow } = returnsMatrix(cols);
    const blocks = Math.min(16, matrix.rows - (matrix.rows % 2));
    if (blocks < 2) {
      notes.push('PBO undefined: too few bars');
    } else {
      const r = probabilityOfBacktestOverfitting(matrix, { blocks });
      pbo = {
        pbo: r.pbo,
        combinations: r.combinations,
        blocks: r.blocks,
        strategies: r.strategies,
        rows: r.bars,
        barsPerRow,
        degradation: r.degradation,
        probabilityOfLoss: r.probabilityOfLoss,
        logitHistogram: histogram(r.logits, -4, 4, 16),
      };
    }
  }
  const dsrLine = dsr === null ? 'DSR n/a' : dsrVerdict(dsr.dsr, dsr.trials);
  const pboLine = pbo === null ? 'PBO n/a' : pboVerdict(pbo.pbo);
  return {
    deflatedSharpe: dsr === null ? null : orNull(dsr.dsr),
    pbo: pbo === null ? null : orNull(pbo.pbo),
    verdict: `${dsrLine}. ${pboLine}.`,
    verdicts: { deflatedSharpe: dsrLine, pbo: pboLine },
    window: o.window,
    details: { deflatedSharpe: dsr, pbo, notes },
  };
}
