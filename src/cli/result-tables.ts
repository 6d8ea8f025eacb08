import type { Metrics } from '../backtest.js';
import type { EvolveResult, RankedGenome } from '../ga/evolve.js';
import type { MetricName } from '../kernels/layout.js';
import { formatMetric, table } from './format.js';

const fmt = (x: number | null | undefined, d = 4): string => (x === null || x === undefined ? 'n/a' : Number.isFinite(x) ? x.toFixed(d) : x > 0 ? 'inf' : String(x));

const COLS: MetricName[] = ['sharpe', 'totalReturn', 'maxDrawdown', 'trades'];

function metricCells(m: Metrics | null): string[] {
  if (m === null) return COLS.map(() => '');
  return COLS.map((c) => formatMetric(c, c === 'trades' ? Math.round(m[c] * 10) / 10 : m[c]));
}

/** `name=value` pairs of a genome, compact. */
export function paramsText(params: Record<string, number>): string {
  return Object.entries(params).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`).join(' ');
}

function genesLines(list: RankedGenome[]): string {
  const w = String(list.length).length + 1;
  return list.map((h) => `${`#${h.rank}`.padEnd(w)}  ${paramsText(h.params)}`).join('\n');
}

/** The objective columns of an NSGA-II result, as `max:sharpe` -> name and direction. */
function objectiveColumns(r: EvolveResult): { name: string; label: string }[] {
  return (r.config.objectives ?? []).map((o) => ({ name: o.split(':')[1]!, label: o }));
}

function objectiveCell(name: string, v: number | undefined): string {
  if (v === undefined) return 'n/a';
  return (['totalReturn', 'annualReturn', 'maxDrawdown', 'winRate', 'exposure'] as string[]).includes(name) ? formatMetric(name as MetricName, v) : fmt(v);
}

/**
 * The hall-of-fame table: fitness (or, with NSGA-II, front, crowding distance and every
 * objective), in-sample and out-of-sample metrics, then the genes.
 */
export function hallOfFameTable(r: EvolveResult, limit = 10): string {
  const hof = r.hallOfFame.slice(0, limit);
  const oosLabel = r.windows.test.length > 1 ? 'OOS (fold mean)' : 'OOS';
  const multi = r.paretoFront !== null;
  const objs = objectiveColumns(r);
  const lead = multi ? ['front', 'crowding', ...objs.map((o) => o.label)] : ['fitness'];
  const header = ['#', ...lead, 'IS sharpe', 'IS return', 'IS maxDD', 'IS trades', `${oosLabel} sharpe`, 'OOS return', 'OOS maxDD', 'OOS trades'];
  const rows = hof.map((h) => [
    String(h.rank),
    ...(multi ? [String(h.front ?? 'n/a'), fmt(h.crowding ?? null, 3), ...objs.map((o) => objectiveCell(o.name, h.objectives?.[o.name]))] : [fmt(h.fitness)]),
    ...metricCells(h.inSample),
    ...metricCells(h.outOfSample),
  ]);
  const note = multi ? 'ranked by non-dominated front, then by crowding distance (NSGA-II\'s crowded comparison; inf = an extreme of its front)\n' : '';
  return `${note}${table(header, rows)}\n\n${genesLines(hof)}`;
}

/** One row per window the best genome was measured on: each fold in and out of sample, the holdout (several markets: market after market). */
export function windowRows(r: EvolveResult): { label: string; start: number; end: number; m: Metrics }[] {
  const best = r.hallOfFame[0];
  if (best === undefined) return [];
  if (r.markets === undefined || best.markets === undefined) return rowsOf(r.windows, best, '');
  return best.markets.flatMap((m, k) => rowsOf(r.markets![k]!.windows, m, `${m.name} `));
}

function rowsOf(
  w: EvolveResult['windows'], best: Pick<RankedGenome, 'inSample' | 'outOfSample' | 'holdout' | 'folds'>, prefix: string,
): { label: string; start: number; end: number; m: Metrics }[] {
  const out: { label: string; start: number; end: number; m: Metrics }[] = [];
  if (best.folds !== null) {
    best.folds.forEach((f, k) => {
      out.push({ label: `${prefix}fold ${k + 1} in-sample`, start: f.train.start, end: f.train.end, m: f.inSample });
      out.push({ label: `${prefix}fold ${k + 1} out-of-sample`, start: f.test.start, end: f.test.end, m: f.outOfSample });
    });
  } else {
    out.push({ label: `${prefix}${w.test.length === 0 ? 'whole series (in-sample)' : 'in-sample'}`, start: w.train[0]!.start, end: w.train[0]!.end, m: best.inSample });
    if (best.outOfSample !== null && w.test[0] !== undefined) out.push({ label: `${prefix}out-of-sample`, start: w.test[0].start, end: w.test[0].end, m: best.outOfSample });
  }
  if (best.holdout !== null && w.holdout !== null) out.push({ label: `${prefix}holdout`, start: w.holdout.start, end: w.holdout.end, m: best.holdout });
  return out;
}

/** The best genome on every window: per fold in and out of sample, then the holdout row. */
export function windowsTable(r: EvolveResult): string {
  const cols: MetricName[] = ['sharpe', 'totalReturn', 'maxDrawdown', 'trades', 'winRate', 'exposure'];
  const rows = windowRows(r).map((x) => [x.label, `[${x.start}, ${x.end})`, ...cols.map((c) => formatMetric(c, x.m[c]))]);
  return table(['window', 'bars', 'sharpe', 'return', 'maxDD', 'trades', 'winRate', 'exposure'], rows);
}

/**
 * Several markets: the best genome on each market (in sample: the mean over folds; out of
 * sample: over the folds' test windows; the holdout), then the aggregate row (the mean of the
 * markets' metrics). Empty for a single market.
 */
export function marketsTable(r: EvolveResult): string {
  const best = r.hallOfFame[0];
  if (r.markets === undefined || best?.markets === undefined) return '';
  const cols: MetricName[] = ['sharpe', 'totalReturn', 'maxDrawdown', 'trades'];
  const cells = (m: Metrics | null): string[] => (m === null ? cols.map(() => '') : cols.map((c) => formatMetric(c, c === 'trades' ? Math.round(m[c] * 10) / 10 : m[c])));
  const holdout = r.markets.some((m) => m.windows.holdout !== null);
  const oos = r.markets.some((m) => m.windows.test.length > 0);
  const row = (name: string, bars: string, x: { inSample: Metrics; outOfSample: Metrics | null; holdout: Metrics | null }): string[] => [
    name, bars, ...cells(x.inSample), ...(oos ? cells(x.outOfSample) : []), ...(holdout ? cells(x.holdout) : []),
  ];
  const rows = best.markets.map((m, k) => row(m.name, r.markets![k]!.bars.toLocaleString('en-US'), m));
  rows.push(row(`aggregate (${r.config.marketAggregate ?? 'mean'} fitness, mean metrics)`, r.data.bars.toLocaleString('en-US'), best));
  const head = (p: string): string[] => [`${p} sharpe`, `${p} return`, `${p} maxDD`, `${p} trades`];
  return table(['market', 'bars', ...head('IS'), ...(oos ? head('OOS') : []), ...(holdout ? head('holdout') : [])], rows);
}

/** The Pareto front of an NSGA-II run, sorted by the first objective, one column per objective. */
export function paretoTable(r: EvolveResult, limit = 20): string {
  const front = r.paretoFront ?? [];
  const objs = objectiveColumns(r);
  const shown = front.slice(0, limit);
  const rows = shown.map((p, i) => [String(i + 1), ...objs.map((o) => objectiveCell(o.name, p.objectives?.[o.name])), formatMetric('trades', p.inSample.trades), ...(p.outOfSample !== null ? [formatMetric('sharpe', p.outOfSample.sharpe)] : []), paramsText(p.params)]);
  const header = ['#', ...objs.map((o) => o.label), 'IS trades', ...(front[0]?.outOfSample != null ? ['OOS sharpe'] : []), 'parameters'];
  const more = front.length > shown.length ? `\n(${front.length - shown.length} more in result.json)` : '';
  return `${table(header, rows)}${more}`;
}

/**
 * Why the run stopped, in plain words: "stopped after 40 generations: reached the limit of 40
 * generations". A resumed run says where it resumed and whose limit it reached (the limit is
 * the resuming run's option, not the checkpoint's).
 */
export function stopText(r: EvolveResult): string {
  const n = r.stopped.generations;
  const c = r.config;
  const why: Record<string, string> = {
    generations: `reached the limit of ${c.generations} generations`,
    patience: `no better best for ${String(c.patience)} generations (--patience)`,
    'max-seconds': `reached the time limit of ${String(c.maxSeconds)} s (--max-seconds)`,
    interrupted: 'interrupted',
  };
  const resumed = r.timings.resumedFrom !== null ? ` (resumed from a checkpoint at generation ${r.timings.resumedFrom})` : '';
  return `stopped after ${n} generation${n === 1 ? '' : 's'}: ${why[r.stopped.reason] ?? r.stopped.reason}${resumed}`;
}
