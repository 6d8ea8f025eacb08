// The HTML report in a real browser (Debian's chromium driven by playwright-core): no console
// errors, every chart drawn, the numbers on the page equal to result.json, a screenshot saved.
// CI installs chromium and sets EVOQUANT_REQUIRE_BROWSER=1, which turns a missing browser into a
// failure; elsewhere the test is skipped, loudly, when there is no chromium.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolve } from '../../src/ga/evolve.js';
import type { EvolveResult } from '../../src/ga/evolve.js';
import { synthetic } from '../../src/data/synthetic.js';
import { toJson } from '../../src/cli/format.js';
import { runCli } from '../cli/helpers.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const required = process.env['EVOQUANT_REQUIRE_BROWSER'] === '1';
const available = existsSync(CHROMIUM);
if (!available && !required) {
  process.stderr.write(`\n[report test] skipped: no chromium at ${CHROMIUM} (apt-get install chromium; CI requires it)\n\n`);
}
const OUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

/** The value at a dotted path (`hallOfFame.0.inSample.sharpe`) of a result.json object. */
function at(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o === null || o === undefined ? undefined : (o as Record<string, unknown>)[k]), obj);
}

/** Parses a shown number back ("12.34%", "1,456", "0.5299", "n/a"). */
function shownValue(text: string): number | null {
  const t = text.trim();
  if (t === 'n/a') return null;
  if (t === 'inf') return Infinity;
  const pct = t.endsWith('%');
  const v = Number(t.replace(/[,%]/g, ''));
  return pct ? v / 100 : v;
}

describe.skipIf(!available && !required)('HTML report in headless chromium', () => {
  let browser: Browser;
  const runs: { name: string; result: EvolveResult; html: string }[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const market = synthetic({ bars: 1500, seed: 3 });
    const single = await evolve({ market, population: 24, generations: 6, seed: 5, threads: 0, folds: 2, train: 0.8 });
    const multi = await evolve({ market, population: 24, generations: 6, seed: 5, threads: 0, objectives: 'max:sharpe,min:maxDrawdown' });
    const markets = [market, synthetic({ bars: 1100, seed: 4 }), synthetic({ bars: 1300, seed: 6 })];
    const basket = await evolve({ markets, population: 24, generations: 6, seed: 5, threads: 0, folds: 2, train: 0.8 });
    for (const [name, result] of [['single', single], ['multi', multi], ['basket', basket]] as const) {
      const dir = join(OUT, name);
      mkdirSync(dir, { recursive: true });
      const json = join(dir, 'result.json');
      writeFileSync(json, toJson(result));
      const html = join(dir, 'report.html');
      // The CLI's `report` command, as a user would run it on a finished run.
      const r = await runCli(['report', json, '-o', html]);
      expect(r.code, r.stderr).toBe(0);
      runs.push({ name, result: JSON.parse(toJson(result)) as EvolveResult, html });
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('renders every chart without a console error, shows result.json\'s numbers, and is screenshotted', async () => {
    for (const run of runs) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      // Offline: any request beyond the file itself is a failure of "self-contained".
      const requests: string[] = [];
      page.on('request', (req) => {
        if (!req.url().startsWith('file://') && !req.url().startsWith('data:')) requests.push(req.url());
      });
      await page.goto(`file://${run.html}`);
      await page.waitForLoadState('load');

      const charts = await page.$$eval('[data-chart]', (els) =>
        els.map((el) => {
          const canvas = el.querySelector('canvas');
          if (canvas === null) return { name: el.getAttribute('data-chart'), drawn: 0 };
          const ctx = canvas.getContext('2d')!;
          const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
          let drawn = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) drawn++;
          return { name: el.getAttribute('data-chart'), drawn: drawn / (canvas.width * canvas.height) };
        }),
      );
      const sens = run.result.landscape === null ? [] : run.result.landscape.sensitivity.map((g) => `sens-${g.gene}`);
      const curves = run.result.markets === undefined ? ['equity', 'drawdown'] : run.result.markets.flatMap((_, i) => [`equity-m${i}`, `drawdown-m${i}`]);
      const expected = ['logits', ...curves, 'fitness', ...(run.name === 'multi' ? ['pareto'] : ['heatmap', ...sens])];
      expect(charts.map((c) => c.name).sort()).toEqual(expected.sort());
      for (const c of charts) expect(c.drawn, `${run.name}: chart ${c.name} is blank`).toBeGreaterThan(0.002);

      const fields = await page.$$eval('[data-field]', (els) => els.map((el) => ({ path: el.getAttribute('data-field')!, text: el.textContent ?? '' })));
      expect(fields.length).toBeGreaterThan(20);
      for (const f of fields) {
        const truth = at(run.result, f.path);
        if (typeof truth === 'string') {
          expect(f.text.trim(), f.path).toBe(truth);
          continue;
        }
        const shown = shownValue(f.text);
        if (truth === null || truth === undefined) {
          expect(shown, f.path).toBeNull();
          continue;
        }
        expect(typeof truth, f.path).toBe('number');
        // Equal within the precision shown (4 decimals, a percentage with 2, a mean trade count with 1).
        const decimals = (f.text.trim().replace('%', '').split('.')[1] ?? '').length;
        const tol = (f.text.includes('%') ? 0.005 : 0.5) * 10 ** -decimals + 1e-12;
        expect(Math.abs(shown! - (truth as number)), `${f.path}: page ${f.text} vs result.json ${String(truth)}`).toBeLessThanOrEqual(tol);
      }
      // The verdicts and the two probabilities the issue names are on the page.
      expect(await page.textContent('[data-field="overfitting.deflatedSharpe"]')).toBeTruthy();
      expect(await page.textContent('[data-field="overfitting.pbo"]')).toBeTruthy();

      // 1280 px: nothing wider than the window (no horizontal scrollbar)
      const widths = await page.$eval('html', (el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(widths.scroll, `${run.name}: page ${widths.scroll} px wide in a ${widths.client} px window`).toBeLessThanOrEqual(widths.client);
      // every window on screen: one row per fold in and out of sample, plus the holdout
      const windowRows = await page.$$eval('#windows tbody tr', (rows) => rows.map((r) => r.firstElementChild?.textContent ?? ''));
      const best = run.result.hallOfFame[0]!;
      if (run.result.markets !== undefined) {
        // a basket: one row per market and the aggregate, and each market's windows
        expect(await page.$$eval('#markets tbody tr', (r) => r.map((x) => x.firstElementChild?.firstChild?.textContent ?? ''))).toEqual([...run.result.markets.map((m) => m.name), 'aggregate']);
        expect(windowRows.length).toBe(run.result.markets.length * (2 * 2 + 1));
      } else expect(windowRows).toEqual(best.folds !== null
        ? [...best.folds.flatMap((_, k) => [`fold ${k + 1} in-sample`, `fold ${k + 1} out-of-sample`]), ...(best.holdout !== null ? ['holdout'] : [])]
        : ['in-sample', 'out-of-sample']);
      const text = await page.textContent('body');
      expect(text).not.toMatch(/SPEC/);
      expect(text).toMatch(/stopped after 6 generations: reached the limit of 6 generations/);
      if (run.name === 'multi') {
        expect(await page.$$eval('#pareto tbody tr', (r) => r.length)).toBe(run.result.paretoFront!.length);
      } else {
        // the heat-map draws one cell per non-empty cell of result.json's landscape
        const l = run.result.landscape!;
        const cells = l.cells.reduce((n, row) => n + row.filter((c) => c !== null).length, 0);
        expect(cells).toBeGreaterThan(5);
        expect(await page.getAttribute('[data-chart="heatmap"]', 'data-cells')).toBe(String(cells));
        // ...and the page's script drew exactly that many coloured cells
        expect(await page.getAttribute('[data-chart="heatmap"]', 'data-drawn')).toBe(String(cells));
        expect(l.sensitivity).toHaveLength(12);
      }
      const shot = join(OUT, `report-${run.name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.close();
    }
  }, 120_000);
});
