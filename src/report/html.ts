import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { EvolveResult, RankedGenome } from '../ga/evolve.js';
import { METRIC_NAMES } from '../kernels/layout.js';
import { stopText, windowRows } from '../cli/result-tables.js';
import type { MetricName } from '../kernels/layout.js';
import { esc, isoDate, metric, show } from './html-format.js';
import { marketCurves, marketsHtml } from './markets-html.js';

export { show };

const require = createRequire(import.meta.url);

/** uPlot (MIT), inlined so the report opens offline from a single file. */
function uplotAssets(): { js: string; css: string } {
  return {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}

function hofTable(hof: RankedGenome[], hasOos: boolean, multi = false): string {
  const cols: MetricName[] = ['sharpe', 'totalReturn', 'maxDrawdown', 'trades', 'winRate'];
  const head = [
    multi ? '<th>#</th><th>front</th><th>crowding</th><th>first objective</th>' : '<th>#</th><th>fitness</th>',
    ...cols.map((c) => `<th>IS ${c}</th>`),
    ...(hasOos ? cols.map((c) => `<th>OOS ${c}</th>`) : []),
  ].join('');
  const span = (multi ? 4 : 2) + cols.length * (hasOos ? 2 : 1);
  const rows = hof.map((h, i) => {
    const cells = [
      `<td>${h.rank}</td>`,
      ...(multi ? [`<td data-field="hallOfFame.${i}.front">${show(h.front, 'int')}</td>`, `<td>${h.crowding === undefined || h.crowding === null ? 'inf' : show(h.crowding, 'fixed')}</td>`] : []),
      `<td data-field="hallOfFame.${i}.fitness">${show(h.fitness)}</td>`,
      ...cols.map((c) => `<td data-field="hallOfFame.${i}.inSample.${c}">${metric(c, h.inSample[c])}</td>`),
      ...(hasOos ? cols.map((c) => `<td data-field="hallOfFame.${i}.outOfSample.${c}">${metric(c, h.outOfSample?.[c])}</td>`) : []),
    ];
    const params = `<tr class="params-row"><td class="params" colspan="${span}">${esc(Object.entries(h.params).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(5)}`).join(' '))}</td></tr>`;
    return `<tr class="metrics-row">${cells.join('')}</tr>${params}`;
  });
  return `<table class="hof"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function stopWords(r: EvolveResult): string {
  return `${stopText(r)}, ${r.evaluations.backtests.toLocaleString('en-US')} backtests`;
}

function windowTable(r: EvolveResult): string {
  const cols: MetricName[] = ['sharpe', 'totalReturn', 'maxDrawdown', 'trades', 'winRate', 'exposure'];
  const rows = windowRows(r).map((x, i) => `<tr><td style="text-align:left">${esc(x.label)}</td><td>[${x.start}, ${x.end})</td>${cols.map((c) => `<td data-window="${i}">${metric(c, x.m[c])}</td>`).join('')}</tr>`);
  return `<table class="hof" id="windows"><thead><tr><th style="text-align:left">window</th><th>bars</th>${cols.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function paretoHtml(r: EvolveResult, objectives: string[]): string {
  const names = objectives.map((o) => o.split(':')[1]! as MetricName);
  const rows = (r.paretoFront ?? []).map((p, i) => `<tr><td>${i + 1}</td>${names.map((n) => `<td data-field="paretoFront.${i}.objectives.${n}">${metric(n, p.objectives?.[n])}</td>`).join('')}<td>${metric('trades', p.inSample.trades)}</td><td>${metric('sharpe', p.outOfSample?.sharpe)}</td><td class="params">${esc(Object.entries(p.params).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(5)}`).join(' '))}</td></tr>`);
  return `<table class="hof" id="pareto"><thead><tr><th>#</th>${objectives.map((o) => `<th>${esc(o)}</th>`).join('')}<th>IS trades</th><th>OOS sharpe</th><th>parameters</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function landscapeHtml(r: EvolveResult): string {
  const l = r.landscape;
  if (l === null || l === undefined) return '';
  const filled = l.cells.reduce((s, row) => s + row.filter((c) => c !== null).length, 0);
  const sens = l.sensitivity.map((g) => `<div class="chart" id="chart-sens-${esc(g.gene)}" data-chart="sens-${esc(g.gene)}"></div>`).join('');
  return `<h2>Parameter landscape</h2>
<p class="note">Best fitness of every genome the GA evaluated (${l.points.toLocaleString('en-US')} distinct genomes), over <b>${esc(l.genes[0])}</b> (x) and <b>${esc(l.genes[1])}</b> (y), the two genes that explain the most fitness variance${''} (eta squared ${show(l.influence[l.genes[0]], 'prob')} and ${show(l.influence[l.genes[1]], 'prob')}); empty cells: nothing evaluated there traded enough. Robustness of the winner: <b data-field="landscape.robustness">${show(l.robustness, 'percent')}</b> of its ${l.neighbours} one-gene neighbours are within 10% of its fitness (they count as trials in the deflated Sharpe).</p>
<div class="chart" id="chart-heatmap" data-chart="heatmap" data-cells="${filled}"></div>
<h2>Sensitivity of the winner, gene by gene</h2>
<p class="note">Fitness of the winner with one gene moved by ±2%, 5%, 10% and 20% of its range (the orange dot is the winner; gaps: the neighbour trades too little and gets the penalty).</p>
<div class="sens">${sens}</div>`;
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
  const objectives = r.config.objectives;
  const data = {
    curve: r.curve,
    marketCurves: marketCurves(r),
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
    landscape: r.landscape ?? null,
    objectiveLabels: objectives,
  };
  const json = JSON.stringify(data, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)).replace(/</g, '\\u003c');
  const title = `evoquant: ${r.config.strategy} on ${r.data.source}`;
  const w = r.windows;
  const split =
    w.test.length === 0
      ? 'whole series in sample (no out-of-sample window)'
      : w.train.length === 1
        ? `in-sample bars [${w.train[0]!.start}, ${w.train[0]!.end}), out-of-sample [${w.test[0]!.start}, ${w.test[0]!.end})`
        : `${w.train.length} anchored walk-forward folds${w.holdout !== null ? `, holdout [${w.holdout.start}, ${w.holdout.end})` : ''}`;
  const dsr = o.details.deflatedSharpe;
  const pbo = o.details.pbo;
  const mode = objectives !== null ? `NSGA-II on ${objectives.join(', ')}` : `fitness ${String(r.config.fitness)}`;
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
table.hof { border-collapse: collapse; font-size: 12px; width: 100%; table-layout: auto; } table.hof th, table.hof td { border-bottom: 1px solid #e3e6ea; padding: 4px 5px; text-align: right; }
table.hof td { white-space: nowrap; } table.hof th { white-space: normal; vertical-align: bottom; }
table.hof td.params { text-align: left; white-space: normal; overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: 11px; color: #5a6475; }
table.hof tr.metrics-row td { border-bottom: none; } #pareto td.params { max-width: 420px; }
.sens { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 4px 12px; }
#chart-heatmap canvas { max-width: 100%; }
.chart { margin: 4px 0 12px; } .note { color: #5a6475; font-size: 12px; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<div class="meta">${r.data.bars.toLocaleString('en-US')} bars, ${isoDate(r.data.from)} to ${isoDate(r.data.to)} &middot; ${esc(mode)} &middot; population ${r.config.population}, seed ${r.config.seed} &middot; ${esc(split)} &middot; ${esc(stopWords(r))}, ${r.evaluations.backtests.toLocaleString('en-US')} backtests</div>

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
${r.markets === undefined ? `<div class="chart" id="chart-equity" data-chart="equity"></div>
<div class="chart" id="chart-drawdown" data-chart="drawdown"></div>` : ''}
${marketsHtml(r)}

<h2>Fitness per generation</h2>
<div class="chart" id="chart-fitness" data-chart="fitness"></div>
${data.pareto !== null ? `<h2>Pareto front</h2><div class="chart" id="chart-pareto" data-chart="pareto"></div>` : ''}

<h2>Hall of fame</h2>
${hofTable(r.hallOfFame, hasOos, r.paretoFront !== null)}
<p class="note">IS: in-sample window${w.train.length > 1 ? 's (mean over folds)' : ''}; OOS: out of sample${w.test.length > 1 ? ' (mean over folds)' : ''}. Metrics: ${METRIC_NAMES.join(', ')}; returns and drawdowns in percent, Sharpe annualised.${r.paretoFront !== null ? ' Ranked by non-dominated front, then by crowding distance (NSGA-II\'s crowded comparison).' : ''}</p>

<h2>Best genome by window</h2>
${windowTable(r)}
${r.paretoFront !== null && objectives !== null ? `<h2>Pareto front (sorted by ${esc(objectives[0]!)})</h2>${paretoHtml(r, objectives)}` : ''}
${landscapeHtml(r)}

<script type="application/json" id="report-data">${json}</script>
<script>${js}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var width = function (el) { return Math.max(320, el.clientWidth || 1000); };
  function splitLines(times, labels) {
    return { hooks: { draw: [function (u) {
      var ctx = u.ctx; ctx.save(); ctx.strokeStyle = '#b91c1c'; ctx.fillStyle = '#b91c1c'; ctx.lineWidth = 1.5; ctx.setLineDash([6, 4]);
      ctx.font = (11 * devicePixelRatio) + 'px system-ui, sans-serif';
      times.forEach(function (t, i) { var x = u.valToPos(t, 'x', true); ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        if (labels && labels[i]) ctx.fillText(labels[i], x + 4, u.bbox.top + 14 * devicePixelRatio); });
      ctx.restore();
    }] } };
  }
  function tradeMarkers(tr, times, values) {
    function near(t) { var lo = 0, hi = times.length - 1; while (lo < hi) { var mid = (lo + hi) >> 1; if (times[mid] < t) lo = mid + 1; else hi = mid; } return lo; }
    return { hooks: { draw: [function (u) {
      var ctx = u.ctx; ctx.save(); var s = 4 * devicePixelRatio;
      function tri(t, up, color) { var i = near(t); var x = u.valToPos(times[i], 'x', true); var y = u.valToPos(values[i], 'y', true);
        ctx.fillStyle = color; ctx.beginPath(); if (up) { ctx.moveTo(x, y - s); ctx.lineTo(x - s, y + s); ctx.lineTo(x + s, y + s); } else { ctx.moveTo(x, y + s); ctx.lineTo(x - s, y - s); ctx.lineTo(x + s, y - s); } ctx.fill(); }
      tr.entry.forEach(function (t, k) { tri(t, tr.direction[k] > 0, '#15803d'); });
      tr.exit.forEach(function (t, k) { tri(t, tr.direction[k] < 0, '#b91c1c'); });
      ctx.restore();
    }] } };
  }
  function pctTicks(vs, span) { var d = span >= 0.1 ? 0 : span >= 0.01 ? 1 : span >= 0.001 ? 2 : 3; return vs.map(function (v) { return v == null ? '' : (v * 100).toFixed(d) + '%'; }); }
  function plot(id, opts, series) {
    var el = document.getElementById(id);
    if (!el) return;
    opts.width = width(el); opts.height = opts.height || 260;
    new uPlot(opts, series, el);
  }
  function drawCurve(suffix, c, name) {
  var splitTimes = c.splits.map(function (b) { var i = 0; while (i < c.bar.length - 1 && c.bar[i] < b) i++; return c.time[i]; });
  var e0 = c.equity[0] > 0 ? c.equity[0] : 1, b0 = c.buyAndHold[0] > 0 ? c.buyAndHold[0] : 1;
  var eqN = c.equity.map(function (v) { return Math.max(1e-6, v / e0); }), bhN = c.buyAndHold.map(function (v) { return Math.max(1e-6, v / b0); });
  plot('chart-equity' + suffix, { title: name + 'Growth of 1: best genome vs buy-and-hold (log scale; triangles: entries green, exits red)', ms: 1,
    plugins: [splitLines(splitTimes, c.splitLabels), tradeMarkers(c.trades || { entry: [], exit: [], direction: [] }, c.time, eqN)],
    scales: { y: { distr: 3 } }, axes: [{}, { size: 70, values: function (u, vs) { return vs.map(function (v) { return v == null ? '' : v.toPrecision(3); }); } }],
    series: [{}, { label: 'best genome', stroke: '#1d4ed8', width: 1.5 }, { label: 'buy and hold', stroke: '#9ca3af', width: 1 }] },
    [c.time, eqN, bhN]);
  var ddMax = Math.max.apply(null, c.drawdown.concat([1e-9]));
  plot('chart-drawdown' + suffix, { title: name + 'Drawdown of the best genome', ms: 1, height: 180, plugins: [splitLines(splitTimes, c.splitLabels)],
    series: [{}, { label: 'drawdown', stroke: '#b91c1c', fill: 'rgba(185,28,28,0.15)', value: function (u, v) { return v == null ? '' : (v * 100).toFixed(2) + '%'; } }],
    axes: [{}, { size: 80, values: function (u, vs) { return pctTicks(vs, ddMax); } }],
    scales: { y: { dir: -1 } } },
    [c.time, c.drawdown]);
  }
  drawCurve('', data.curve, '');
  (data.marketCurves || []).forEach(function (m, i) { drawCurve('-m' + i, m.curve, m.name + ': '); });
  var g = data.generations;
  plot('chart-fitness', { title: 'Fitness per generation (mean and median of genomes with enough trades)', scales: { x: { time: false } }, axes: [{}, { size: 80 }],
    series: [{ label: 'generation' }, { label: 'best', stroke: '#15803d', width: 2 }, { label: 'mean', stroke: '#d97706' }, { label: 'median', stroke: '#6b7280', dash: [4, 4] }] },
    [g.map(function (x) { return x.generation; }), g.map(function (x) { return x.best; }), g.map(function (x) { return x.mean; }), g.map(function (x) { return x.median; })]);
  if (data.pareto) {
    var p = data.pareto.points;
    var pct = ['totalReturn', 'annualReturn', 'maxDrawdown', 'winRate', 'exposure'];
    var ax = function (label) { var name = label.split(':')[1]; var isPct = pct.indexOf(name) >= 0;
      return { label: label + (isPct ? ' (%)' : ''), size: 70, values: function (u, vs) { return vs.map(function (v) { return v == null ? '' : isPct ? (v * 100).toFixed(2) + '%' : v.toFixed(2); }); } }; };
    plot('chart-pareto', { title: 'Pareto front (final population)', scales: { x: { time: false } }, axes: [ax(data.pareto.labels[0]), ax(data.pareto.labels[1])],
      series: [{ label: data.pareto.labels[0] }, { label: data.pareto.labels[1], stroke: '#7c3aed', paths: function () { return null; }, points: { show: true, size: 7, fill: '#7c3aed' } }] },
      [p.map(function (x) { return x[0]; }), p.map(function (x) { return x[1]; })]);
  }
  if (data.landscape) {
    var L = data.landscape, hel = document.getElementById('chart-heatmap');
    var cv = document.createElement('canvas'); var W = Math.min(900, hel.clientWidth || 900), H = 420;
    cv.width = W; cv.height = H; cv.style.width = W + 'px'; cv.style.height = H + 'px'; hel.appendChild(cv);
    var drawn = 0; var g = cv.getContext('2d'), left = 70, bottom = 40, top = 10, right = 90;
    var nx = L.xEdges.length - 1, ny = L.yEdges.length - 1, cw = (W - left - right) / nx, ch = (H - top - bottom) / ny;
    var vals = [].concat.apply([], L.cells).filter(function (v) { return v !== null; });
    var lo = Math.min.apply(null, vals), hi = Math.max.apply(null, vals); if (!(hi > lo)) { hi = lo + 1; }
    var stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
    function color(v) { var t = Math.max(0, Math.min(1, (v - lo) / (hi - lo))) * (stops.length - 1); var i = Math.min(stops.length - 2, Math.floor(t)), f = t - i;
      var c0 = stops[i], c1 = stops[i + 1]; return 'rgb(' + [0, 1, 2].map(function (k) { return Math.round(c0[k] + (c1[k] - c0[k]) * f); }).join(',') + ')'; }
    g.font = '11px system-ui, sans-serif'; g.fillStyle = '#1d2430';
    for (var iy = 0; iy < ny; iy++) for (var ix = 0; ix < nx; ix++) { var v = L.cells[iy][ix]; var x0 = left + ix * cw, y0 = H - bottom - (iy + 1) * ch;
      g.fillStyle = v === null ? '#f3f4f6' : color(v); g.fillRect(x0 + 1, y0 + 1, cw - 2, ch - 2); if (v !== null) drawn++;
      if (v !== null && cw > 34) { g.fillStyle = (v - lo) / (hi - lo) > 0.6 ? '#111' : '#fff'; g.fillText(v.toFixed(2), x0 + 4, y0 + ch / 2 + 4); } }
    hel.setAttribute('data-drawn', String(drawn));
    g.fillStyle = '#1d2430';
    var fmtE = function (v) { return Math.abs(v) >= 10 ? v.toFixed(0) : v.toPrecision(3); };
    for (var k = 0; k <= nx; k += Math.max(1, Math.round(nx / 6))) g.fillText(fmtE(L.xEdges[k]), left + k * cw - 8, H - bottom + 14);
    for (var k2 = 0; k2 <= ny; k2 += Math.max(1, Math.round(ny / 6))) g.fillText(fmtE(L.yEdges[k2]), 8, H - bottom - k2 * ch + 4);
    g.fillText(L.genes[0] + ' →', left + (W - left - right) / 2 - 20, H - 8);
    g.save(); g.translate(14, top + (H - top - bottom) / 2 + 30); g.rotate(-Math.PI / 2); g.fillText(L.genes[1] + ' →', 0, 0); g.restore();
    for (var s2 = 0; s2 < 10; s2++) { g.fillStyle = color(lo + (hi - lo) * s2 / 9); g.fillRect(W - right + 20, H - bottom - (s2 + 1) * (H - top - bottom) / 10, 16, (H - top - bottom) / 10); }
    g.fillStyle = '#1d2430'; g.fillText(hi.toFixed(2), W - right + 40, top + 10); g.fillText(lo.toFixed(2), W - right + 40, H - bottom); g.fillText('fitness', W - right + 18, H - 8);
    L.sensitivity.forEach(function (sg) {
      var wi = sg.values.indexOf(sg.winner);
      plot('chart-sens-' + sg.gene, { title: sg.gene, height: 160, width: 250, scales: { x: { time: false } }, legend: { show: false },
        series: [{ label: sg.gene }, { label: 'fitness', stroke: '#1d4ed8', points: { show: true, size: 5 } }],
        hooks: { draw: [function (u) { if (wi < 0) return; var ctx = u.ctx; ctx.save(); ctx.fillStyle = '#d97706'; ctx.beginPath();
          ctx.arc(u.valToPos(sg.values[wi], 'x', true), u.valToPos(sg.fitness[wi], 'y', true), 5 * devicePixelRatio, 0, 2 * Math.PI); ctx.fill(); ctx.restore(); }] } },
        [sg.values, sg.fitness.map(function (f) { return f === -1000 ? null : f; })]);
    });
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
