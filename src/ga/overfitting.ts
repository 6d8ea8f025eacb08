import { Matrix } from 'ml-matrix';
import type { MarketData } from '../data/market.js';
import type { StrategyFamily } from '../genome/families.js';
import type { KernelSet, Window } from '../kernels/kernel-set.js';
import type { Execution } from '../strategy/run.js';
import { backtestStrategy } from '../strategy/run.js';
import type { DeflatedSharpeResult } from '../stats/deflated-sharpe.js';
import { deflatedSharpe } from '../stats/deflated-sharpe.js';
import { meanPairwiseCorrelationOf } from '../stats/diversity.js';
import { probabilityOfBacktestOverfitting } from '../stats/pbo.js';
import { dsrVerdict, pboVerdict } from '../stats/verdict.js';
import type { RankedGenome } from './result-types.js';
import type { RunWindows } from './windows.js';
import type { ReturnMoments } from '../stats/deflated-sharpe.js';
import { MAX_RETURN_ROWS, compoundReturns } from './return-series.js';

export { MAX_RETURN_ROWS };

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
 * Columns of per-bar returns with series longer than maxRows compounded over consecutive bars
 * ((1 + r1)(1 + r2)... - 1), which keeps each column's growth and the ordering of the
 * strategies while bounding memory on million-bar runs; the columns themselves when they fit.
 */
function compoundedColumns(columns: Float64Array[], maxRows: number): { columns: Float64Array[]; barsPerRow: number } {
  const T = columns[0]?.length ?? 0;
  const k = Math.max(1, Math.ceil(T / maxRows));
  if (k === 1) return { columns, barsPerRow: 1 };
  const rows = Math.ceil(T / k);
  return {
    columns: columns.map((col) => {
      const c = new Float64Array(rows);
      compoundReturns(col, k, c, 0);
      return c;
    }),
    barsPerRow: k,
  };
}

/** compoundedColumns as a bars x genomes Matrix. */
export function returnsMatrix(columns: Float64Array[], maxRows = MAX_RETURN_ROWS): { matrix: Matrix; barsPerRow: number } {
  const c = compoundedColumns(columns, maxRows);
  return { matrix: matrixOfColumns(c.columns), barsPerRow: c.barsPerRow };
}

/** Equal-length columns as a rows x columns Matrix. */
export function matrixOfColumns(columns: Float64Array[]): Matrix {
  const rows = columns[0]?.length ?? 0;
  const m = new Matrix(rows, columns.length);
  columns.forEach((col, j) => {
    for (let r = 0; r < rows; r++) m.set(r, j, col[r]!);
  });
  return m;
}

/** Mean pairwise correlation of the genomes' return streams (compoundedColumns; NaN when fewer than two usable). */
export function returnCorrelation(columns: Float64Array[]): number {
  if (columns.length < 2) return NaN;
  return meanPairwiseCorrelationOf(compoundedColumns(columns, MAX_RETURN_ROWS).columns);
}

/** The overfitting section of a run's result. */
export interface OverfittingReport {
  /** Deflated Sharpe ratio of the best genome, a probability (null when undefined). */
  deflatedSharpe: number | null;
  /** Probability of backtest overfitting of the final population (null when undefined). */
  pbo: number | null;
  /** One plain-language line: both verdicts, or the noTrades sentence. */
  verdict: string;
  /**
   * When no genome traded on the selection window, or no hall-of-fame genome traded in a window
   * reported out of sample: why there are no DSR and PBO verdicts, and what to change. Else null.
   */
  noTrades: string | null;
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
    /**
     * The genomes PBO looked at: the final population's best `size` distinct genomes (of
     * `distinct`), at most `limit` (the run's analysisSample), and the bytes of their returns
     * matrix (rows x size x 8; it does not grow with the bars beyond MAX_RETURN_ROWS rows).
     */
    sample: { rule: string; limit: number; distinct: number; size: number; rows: number; barsPerRow: number; matrixBytes: number };
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

/** A genome that never holds a position has a flat equity curve: every return is 0. */
function traded(returns: Float64Array): boolean {
  for (let i = 0; i < returns.length; i++) if (returns[i] !== 0) return true;
  return false;
}

const span = (w: Window): string => `bars [${w.start}, ${w.end})`;

/** The sentence for a selection window on which no genome traded. */
export function noTradesInSample(window: Window): string {
  return `No genome traded on the in-sample window (${span(window)}), so there is no DSR or PBO verdict: `
    + 'there is nothing to deflate or cross-validate. Give the strategy more bars (more data, or a larger --train), '
    + 'or let it trade: gene bounds that give more frequent signals (shorter periods, wider bands), or another strategy.';
}

/** The trades of a hall-of-fame genome in each window reported out of sample. */
export interface OutOfSampleTrades {
  /** What the window is: "out-of-sample window", "fold 2 out-of-sample window", "holdout". */
  name: string;
  window: Window;
  /** Trades of each hall-of-fame genome there. */
  trades: number[];
}

/** The hall of fame's trades in every window a run reports out of sample (each fold's, the holdout). */
export function outOfSampleTrades(windows: RunWindows, hallOfFame: readonly RankedGenome[]): OutOfSampleTrades[] {
  const out: OutOfSampleTrades[] = [];
  const folds = windows.train.length > 1;
  windows.test.forEach((window, k) => {
    out.push({
      name: folds ? `fold ${k + 1} out-of-sample window` : 'out-of-sample window',
      window,
      trades: hallOfFame.map((h) => (folds ? h.folds?.[k]?.outOfSample.trades : h.outOfSample?.trades) ?? NaN),
    });
  });
  if (windows.holdout !== null) out.push({ name: 'holdout', window: windows.holdout, trades: hallOfFame.map((h) => h.holdout?.trades ?? NaN) });
  return out;
}

/**
 * The sentence for the windows reported out of sample in which no hall-of-fame genome traded
 * (their figures say nothing about how the strategies generalise), or null when every such
 * window has a trade.
 */
export function noTradesOutOfSample(windows: OutOfSampleTrades[]): string | null {
  const empty = windows.filter((w) => w.trades.length > 0 && w.trades.every((t) => t === 0));
  if (empty.length === 0) return null;
  const where = empty.map((w) => `the ${w.name} (${span(w.window)})`).join(', ');
  return `No hall-of-fame genome traded in ${where}, so there is no DSR or PBO verdict: the run cannot tell how its strategies do out of sample. `
    + 'Give those windows more bars (a smaller --train or fewer --folds, or more data), or favour genomes that trade more often (a higher --min-trades).';
}

/**
 * How much of the best backtest is luck: the deflated Sharpe ratio of the best genome (the
 * moments of its returns on the selection window against the Sharpe variance and count of the
 * distinct trials evaluated there) and the PBO of a sample of the final population's distinct
 * genomes on that window, from their returns compounded into rows (see return-series.ts).
 */
export function analyzeOverfitting(o: {
  periodsPerYear: number;
  window: Window;
  /** Moments of the best genome's per-bar returns. */
  best: ReturnMoments;
  /** The sample's compounded returns, one equal-length column per genome. */
  columns: Float64Array[];
  barsPerRow: number;
  trials: TrialSharpes;
  sample: OverfittingReport['details']['sample'];
  /** The hall of fame's trades in each window reported out of sample (none: no such check). */
  outOfSample?: OutOfSampleTrades[];
}): OverfittingReport {
  const notes: string[] = [];
  const moments = o.best;
  if (!(moments.mean !== 0 || moments.std !== 0) && o.columns.every((c) => !traded(c))) {
    // Flat equity everywhere: every statistic would be 0/0 or a ranking of ties.
    const sentence = noTradesInSample(o.window);
    notes.push('no genome traded on the in-sample window');
    return {
      deflatedSharpe: null, pbo: null, verdict: sentence, noTrades: sentence,
      verdicts: { deflatedSharpe: 'DSR n/a: no genome traded', pbo: 'PBO n/a: no genome traded' },
      window: o.window, details: { deflatedSharpe: null, pbo: null, notes, sample: o.sample },
    };
  }
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
  if (o.columns.length < 2) {
    notes.push(`PBO undefined: the final population has ${o.columns.length} distinct genome${o.columns.length === 1 ? '' : 's'} (at least 2 are needed)`);
  } else {
    const matrix = matrixOfColumns(o.columns);
    const barsPerRow = o.barsPerRow;
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
  const noTrades = noTradesOutOfSample(o.outOfSample ?? []);
  if (noTrades !== null) notes.push('no hall-of-fame genome traded out of sample');
  const dsrLine = noTrades !== null ? 'DSR n/a: no hall-of-fame genome traded out of sample' : dsr === null ? 'DSR n/a' : dsrVerdict(dsr.dsr, dsr.trials);
  const pboLine = noTrades !== null ? 'PBO n/a: no hall-of-fame genome traded out of sample' : pbo === null ? 'PBO n/a' : pboVerdict(pbo.pbo);
  return {
    deflatedSharpe: dsr === null ? null : orNull(dsr.dsr),
    pbo: pbo === null ? null : orNull(pbo.pbo),
    verdict: noTrades ?? `${dsrLine}. ${pboLine}.`,
    noTrades,
    verdicts: { deflatedSharpe: dsrLine, pbo: pboLine },
    window: o.window,
    details: { deflatedSharpe: dsr, pbo, notes, sample: o.sample },
  };
}
