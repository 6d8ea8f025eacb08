// The report's section for a basket of markets: the best genome's metrics on each market, in
// and out of sample, beside the aggregate the GA ranked it by, and a place for each market's
// equity and drawdown charts (drawn by the report's script from `marketCurves`).
import type { EvolveResult } from '../ga/evolve.js';
import type { EquityCurve } from './curve.js';
import type { MetricName } from '../kernels/layout.js';
import { esc, isoDate, metric } from './html-format.js';

const COLUMNS: MetricName[] = ['sharpe', 'totalReturn', 'maxDrawdown', 'trades', 'winRate'];

/** Each market's curve of the best genome, for the report's script; null for one market. */
export function marketCurves(r: EvolveResult): { name: string; curve: EquityCurve }[] | null {
  return r.markets === undefined ? null : r.markets.map((m) => ({ name: m.name, curve: m.curve }));
}

/** The per-market table and chart placeholders; empty for a run on one market. */
export function marketsHtml(r: EvolveResult): string {
  const markets = r.markets;
  const best = r.hallOfFame[0];
  if (markets === undefined || best === undefined) return '';
  const per = best.markets ?? [];
  const hasOos = per.some((m) => m.outOfSample !== null);
  const head = [
    '<th style="text-align:left">market</th><th>bars</th>',
    ...COLUMNS.map((c) => `<th>IS ${c}</th>`),
    ...(hasOos ? COLUMNS.map((c) => `<th>OOS ${c}</th>`) : []),
  ].join('');
  const row = (label: string, cells: string[], extra: string): string => `<tr${extra}><td style="text-align:left; white-space:normal; overflow-wrap:anywhere; max-width:150px">${label}</td>${cells.join('')}</tr>`;
  const rows = markets.map((m, i) => {
    const x = per[i];
    return row(`${esc(m.name)}<br><span class="note">${isoDate(m.from)} to ${isoDate(m.to)}</span>`, [
      `<td>${m.bars.toLocaleString('en-US')}</td>`,
      ...COLUMNS.map((c) => `<td data-field="hallOfFame.0.markets.${i}.inSample.${c}">${metric(c, x?.inSample[c])}</td>`),
      ...(hasOos ? COLUMNS.map((c) => `<td data-field="hallOfFame.0.markets.${i}.outOfSample.${c}">${metric(c, x?.outOfSample?.[c])}</td>`) : []),
    ], ` data-market="${i}"`);
  });
  rows.push(row('<b>aggregate</b>', [
    '<td></td>',
    ...COLUMNS.map((c) => `<td data-field="hallOfFame.0.inSample.${c}">${metric(c, best.inSample[c])}</td>`),
    ...(hasOos ? COLUMNS.map((c) => `<td data-field="hallOfFame.0.outOfSample.${c}">${metric(c, best.outOfSample?.[c])}</td>`) : []),
  ], ' class="aggregate"'));
  const charts = markets.map((m, i) => `<h3>${esc(m.name)}</h3>
<div class="chart" id="chart-equity-m${i}" data-chart="equity-m${i}"></div>
<div class="chart" id="chart-drawdown-m${i}" data-chart="drawdown-m${i}"></div>`).join('\n');
  return `<h2>Best genome by market</h2>
<table class="hof" id="markets"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>
<p class="note">${markets.length} markets; each is cut into its own windows by the same fractions, and each annualises with its own periods per year. The GA ranks a genome by its fitness on each market (over that market's folds first), combined across markets by ${esc(String(r.config.marketAggregate ?? "mean"))}; the aggregate row shows the mean of the markets' metrics.</p>
${charts}`;
}
