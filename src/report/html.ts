import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { EvolveResult, RankedGenome } from '../ga/evolve.js';
import { METRIC_NAMES } from '../kernels/layout.js';
import type { MetricName } from '../kernels/layout.js';

const require = createRequire(import.meta.url);

/** uPlot (MIT), inlined so the report opens offline from a single file. */
function uplotAssets(): { js: string; css: string } {
  return {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const PERCENT = new Set<MetricName>(['totalReturn', 'annualReturn', 'maxDrawdown', 'winRate', 'exposure']);

/** A number as the report shows it (the browser test reads these back). */
export function show(v: number | null | undefined, kind: 'percent' | 'fixed' | 'int' | 'prob' = 'fixed'): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (kind === 'percent') return `${(v * 100).toFixed(2)}%`;
  if (kind === 'int') return Math.round(v).toLocaleString('en-US');
  if (kind === 'prob') return v.toFixed(4);
  return v.toFixed(4);
}

function metric(name: MetricName, v: number | null | undefined): string {
  if (name === 'trades' && typeof v === 'number' && Number.isFinite(v)) return Number.isInteger(v) ? String(v) : v.toFixed(1);
  return show(v, PERCENT.has(name) ? 'percent' : 'fixed');
}

function isoDate(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('T00:00:00.000Z') ? s.slice(0, 10) : s.replace('.000Z', 'Z');
}

function hofTable(hof: RankedGenome[], hasOos: boolean): string {
  const cols: MetricName[] = ['sharpe', 'totalReturn', 'maxDrawdown', 'trades', 'winRate'];
  const head = [
    '<th>#</th><th>fitness</th>',
    ...cols.map((c) => `<th>IS ${c}</th>`),
    ...(hasOos ? cols.map((c) => `<th>OOS ${c}</th>`) : []),
    '<th>parameters</th>',
  ].join('');
  const rows = hof.map((h, i) => {
    const cells = [
      `<td>${h.rank}</td>`,
      `<td data-field="hallOfFame.${i}.fitness">${show(h.fitness)}</td>`,
      ...cols.map((c) => `<td data-field="hallOfFame.${i}.inSample.${c}">${metric(c, h.inSample[c])}</td>`),
      ...(hasOos ? cols.map((c) => `<td data-field="hallOfFame.${i}.outOfSample.${c}">${metric(c, h.outOfSample?.[c])}</td>`) : []),
      `<td class="params">${esc(Object.entries(h.params).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(5)}`).join(' '))}</td>`,
    ];
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<table class="hof"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * One self-contained HTML file for a finished run: the best genome's equity against
 * buy-and-hold with the out-of-sample split marked, its drawdown, best and mean fitness per
 * generation, the Pareto front (multi-objective runs), the hall of fame and the overfitting
 * statistics with their verdicts. Charts are uPlot, inlined; the data is embedded as JSON.
 */
export function renderReport(r: EvolveResult): string {
  const { js, css } = uplotAssets();
  const o = r.overfitting;
  const hasOos = r.hallOfFame.some((h) => h.outOfSample !== null);
  const objectives = (r.config['objectives'] as string[] | null) ?? null;
  const data = {
    curve: r.curve,
    generations: r.generations.map((g) => ({ generation: g.generation, best: g.best, mean: g.mean, median: g.median })),
    pareto:
      r.paretoFront === null || objectives === null
        ? null
        : {
            labels: objectives.slice(0, 2),
            points: r.paretoFront
              .map((p) => {
                const names = objectives.slice(0, 2).map((s) => s.split(':')[1]!);
                return [p.objectives?.[names[0]!] ?? NaN, p.objectives?.[names[1]!] ?? NaN] as [number, number];
              })
              .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b))
              .sort((a, b) => a[0] - b[0] || a[1] - b[1]),
          },
    logits: o.details.pbo?.logitHistogram ?? null,
  };
  const json = JSON.stringify(data, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)).replace(/</g, '\\u003c');
  const title = `evoquant: ${String(r.config['strategy'])} on ${r.data.source}`;
  const w = r.windows;
  const split =
    w.test.length === 0
      ? 'whole series in sample (no out-of-sample window)'
      : w.train.length === 1
        ? `in-sample bars [${w.train[0]!.start}, ${w.train[0]!.end}), out-of-sample [${w.test[0]!.start}, ${w.test[0]!.end})`
        : `${w.train.length} anchored walk-forward folds${w.holdout !== null ? `, holdout [${w.holdout.start}, ${w.holdout.end})` : ''}`;
  const dsr = o.details.deflatedSharpe;
  const pbo = o.details.pbo;
  const mode = objectives !== null ? `NSGA-II on ${objectives.join(', ')}` : `fitness ${String(r.config['fitness'])}`;
  const best = r.hallOfFame[0];

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${css}
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #1d2430; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.meta { color: #5a6475; } .verdict { background: #f6f7f9; border-left: 4px solid #d97706; padding: 10px 14px; margin: 12px 0; }
.verdict.good { border-color: #15803d; }
.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 8px 16px; margin: 8px 0; }
.stats div span { display: block; color: #5a6475; font-size: 12px; } .stats div b { font-size: 18px; font-weight: 600; }
table.hof { border-collapse: collapse; font-size: 12px; width: 100%; } table.hof th, table.hof td { border-bottom: 1px solid #e3e6ea; padding: 4px 6px; text-align: right; white-space: nowrap; }
table.hof td.params { text-align: left; white-space: normal; min-width: 380px; font-family: ui-monospace, monospace; font-size: 11px; }
.chart { margin: 4px 0 12px; } .note { color: #5a6475; font-size: 12px; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<div class="meta">${r.data.bars.toLocaleString('en-US')} bars, ${isoDate(r.data.from)} to ${isoDate(r.data.to)} &middot; ${esc(mode)} &middot; population ${String(r.config['population'])}, seed ${String(r.config['seed'])} &middot; ${esc(split)} &middot; stopped: ${esc(r.stopped.reason)} after ${r.stopped.generations} generations, ${r.evaluations.backtests.toLocaleString('en-US')} backtests</div>

<h2>Overfitting</h2>
<div class="verdict${(o.deflatedSharpe ?? 0) >= 0.95 && (o.pbo ?? 1) <= 0.25 ? ' good' : ''}" id="verdict">
${(o.noTrades ?? null) !== null ? `<div data-field="overfitting.noTrades">${esc(o.noTrades!)}</div>` : `<div data-field="overfitting.verdicts.deflatedSharpe">${esc(o.verdicts.deflatedSharpe)}</div>
<div data-field="overfitting.verdicts.pbo">${esc(o.verdicts.pbo)}</div>`}
</div>
<div class="stats">
<div><span>deflated Sharpe ratio</span><b data-field="overfitting.deflatedSharpe">${show(o.deflatedSharpe, 'prob')}</b></div>
<div><span>probability of backtest overfitting</span><b data-field="overfitting.pbo">${show(o.pbo, 'prob')}</b></div>
<div><span>trials (distinct genomes)</span><b data-field="overfitting.details.deflatedSharpe.trials">${show(dsr?.trials, 'int')}</b></div>
<div><span>best Sharpe, annualised</span><b data-field="overfitting.details.deflatedSharpe.annualSharpe">${show(dsr?.annualSharpe)}</b></div>
<div><span>expected max Sharpe of the trials (per bar)</span><b data-field="overfitting.details.deflatedSharpe.sr0">${show(dsr?.sr0)}</b></div>
<div><span>PSR against 0</span><b data-field="overfitting.details.deflatedSharpe.psr0">${show(dsr?.psr0, 'prob')}</b></div>
<div><span>PBO combinations (blocks)</span><b>${show(pbo?.combinations, 'int')} (${show(pbo?.blocks, 'int')})</b></div>
<div><span>OOS vs IS slope (degradation)</span><b data-field="overfitting.details.pbo.degradation.slope">${show(pbo?.degradation.slope)}</b></div>
<div><span>probability of loss out of sample</span><b data-field="overfitting.details.pbo.probabilityOfLoss">${show(pbo?.probabilityOfLoss, 'prob')}</b></div>
</div>
<p class="note">Measured on the selection window, bars [${o.window.start}, ${o.window.end}). The deflated Sharpe ratio (Bailey and Lopez de Prado, 2014) is the probability that the best genome's true Sharpe beats the best of as many skill-less trials; PBO (Bailey, Borwein, Lopez de Prado and Zhu, 2017) is the share of combinatorially symmetric cross-validation splits in which the in-sample winner ranks at or below the median out of sample.${o.details.notes.length > 0 ? ` ${esc(o.details.notes.join('; '))}.` : ''}</p>
${data.logits !== null ? '<div class="chart" id="chart-logits" data-chart="logits"></div>' : ''}

<h2>Best genome: equity</h2>
<p class="note">Equity of the best genome over the whole series against buy-and-hold${r.curve.splits.length > 0 ? '; dashed lines mark where out-of-sample data begins' : ''}.${best !== undefined ? ` Parameters: ${esc(Object.entries(best.params).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(5)}`).join(' '))}` : ''}</p>
<div class="chart" id="chart-equity" data-chart="equity"></div>
<div class="chart" id="chart-drawdown" data-chart="drawdown"></div>

<h2>Fitness per generation</h2>
<div class="chart" id="chart-fitness" data-chart="fitness"></div>
${data.pareto !== null ? `<h2>Pareto front</h2><div class="chart" id="chart-pareto" data-chart="pareto"></div>` : ''}

<h2>Hall of fame</h2>
${hofTable(r.hallOfFame, hasOos)}
<p class="note">IS: in-sample window${w.train.length > 1 ? 's (mean over folds)' : ''}; OOS: out of sample${w.test.length > 1 ? ' (mean over folds)' : ''}. Metrics: ${METRIC_NAMES.join(', ')} (SPEC section 5).</p>

<script type="application/json" id="report-data">${json}</script>
<script>${js}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var width = function (el) { return Math.max(320, el.clientWidth || 1000); };
  function splitLines(times) {
    return { hooks: { draw: [function (u) {
      var ctx = u.ctx; ctx.save(); ctx.strokeStyle = '#b91c1c'; ctx.lineWidth = 1.5; ctx.setLineDash([6, 4]);
      times.forEach(function (t) { var x = u.valToPos(t, 'x', true); ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke(); });
      ctx.restore();
    }] } };
  }
  function plot(id, opts, series) {
    var el = document.getElementById(id);
    if (!el) return;
    opts.width = width(el); opts.height = opts.height || 260;
    new uPlot(opts, series, el);
  }
  var c = data.curve;
  var splitTimes = c.splits.map(function (b) { var i = 0; while (i < c.bar.length - 1 && c.bar[i] < b) i++; return c.time[i]; });
  plot('chart-equity', { title: 'Equity vs buy-and-hold', ms: 1, plugins: [splitLines(splitTimes)], axes: [{}, { size: 80 }],
    series: [{}, { label: 'best genome', stroke: '#1d4ed8', width: 1.5 }, { label: 'buy and hold', stroke: '#9ca3af', width: 1 }] },
    [c.time, c.equity, c.buyAndHold]);
  plot('chart-drawdown', { title: 'Drawdown of the best genome', ms: 1, height: 180, plugins: [splitLines(splitTimes)],
    series: [{}, { label: 'drawdown', stroke: '#b91c1c', fill: 'rgba(185,28,28,0.15)', value: function (u, v) { return v == null ? '' : (v * 100).toFixed(2) + '%'; } }],
    axes: [{}, { size: 80, values: function (u, vs) { return vs.map(function (v) { return (v * 100).toFixed(0) + '%'; }); } }],
    scales: { y: { dir: -1 } } },
    [c.time, c.drawdown]);
  var g = data.generations;
  plot('chart-fitness', { title: 'Fitness per generation (mean and median of genomes with enough trades)', scales: { x: { time: false } }, axes: [{}, { size: 80 }],
    series: [{ label: 'generation' }, { label: 'best', stroke: '#15803d', width: 2 }, { label: 'mean', stroke: '#d97706' }, { label: 'median', stroke: '#6b7280', dash: [4, 4] }] },
    [g.map(function (x) { return x.generation; }), g.map(function (x) { return x.best; }), g.map(function (x) { return x.mean; }), g.map(function (x) { return x.median; })]);
  if (data.pareto) {
    var p = data.pareto.points;
    plot('chart-pareto', { title: 'Pareto front (final population)', scales: { x: { time: false } },
      series: [{ label: data.pareto.labels[0] }, { label: data.pareto.labels[1], stroke: '#7c3aed', paths: function () { return null; }, points: { show: true, size: 7, fill: '#7c3aed' } }] },
      [p.map(function (x) { return x[0]; }), p.map(function (x) { return x[1]; })]);
  }
  if (data.logits) {
    var bins = data.logits.map(function (_, i) { return -4 + (i + 0.5) * 0.5; });
    plot('chart-logits', { title: 'PBO: logit of the in-sample winner\\'s out-of-sample rank', height: 180, scales: { x: { time: false } },
      series: [{ label: 'logit' }, { label: 'combinations', stroke: '#0369a1', fill: 'rgba(3,105,161,0.35)', paths: uPlot.paths.bars({ size: [0.9, 60] }) }] },
      [bins, data.logits]);
  }
})();
</script>
</body>
</html>
`;
}
