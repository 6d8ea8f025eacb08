import { describe, expect, it } from 'vitest';
import { evolve, marketFromArrays, synthetic } from '../../src/index.js';
import type { MarketData } from '../../src/index.js';
import { noTradesOutOfSample } from '../../src/ga/overfitting.js';
import { renderReport } from '../../src/report/html.js';

// Issue 15 item 9 and issue 14 item 4: a run in which no genome trades gets no DSR or PBO
// verdict, but a sentence saying so and what to change; likewise when no hall-of-fame genome
// trades in a window reported out of sample.

const DAY = 86_400_000;
const T0 = Date.UTC(2010, 0, 4);

/** A market whose closes are `close`, open = close, high/low around them. */
function market(close: number[], source: string): MarketData {
  return marketFromArrays(
    { time: close.map((_, i) => T0 + i * DAY), open: close, high: close.map((c) => c * 1.001), low: close.map((c) => c * 0.999), close },
    source,
  );
}

const run = { strategy: 'sma-cross', population: 12, generations: 2, seed: 3, threads: 0 } as const;

describe('no genome trades', () => {
  it('on constant prices: no DSR or PBO verdict, a sentence on what to change (result, report)', async () => {
    // Every SMA equals every other: no crossover, so no genome ever trades.
    const flat = market(new Array<number>(400).fill(100), 'flat');
    const r = await evolve({ ...run, market: flat });
    expect(r.hallOfFame.every((h) => h.inSample.trades === 0)).toBe(true);
    const o = r.overfitting;
    expect(o.deflatedSharpe).toBeNull();
    expect(o.pbo).toBeNull();
    expect(o.noTrades).toMatch(/^No genome traded on the in-sample window \(bars \[0, 280\)\), so there is no DSR or PBO verdict/);
    expect(o.noTrades).toMatch(/Give the strategy more bars .*or let it trade/);
    expect(o.verdict).toBe(o.noTrades);
    expect(o.verdicts.pbo).not.toMatch(/PBO \d/);
    const html = renderReport(r);
    expect(html).toContain('data-field="overfitting.noTrades"');
    expect(html).not.toContain('data-field="overfitting.verdicts.pbo"');
  });

  it('when no hall-of-fame genome trades out of sample: the window is named, no verdicts', async () => {
    // A random walk for the in-sample 70%, then constant prices: trades in sample, none after.
    const walk = synthetic({ bars: 280, seed: 11 });
    const close = [...Array.from(walk.close), ...new Array<number>(120).fill(walk.close[279]!)];
    // Cold out-of-sample window (warm-up 0): its SMAs start on the flat bars and never cross.
    const r = await evolve({ ...run, market: market(close, 'walk-then-flat'), backtest: { warmup: 0 } });
    expect(r.hallOfFame.some((h) => h.inSample.trades > 0)).toBe(true);
    expect(r.hallOfFame.every((h) => h.outOfSample?.trades === 0)).toBe(true);
    expect(r.overfitting.noTrades).toMatch(/^No hall-of-fame genome traded in the out-of-sample window \(bars \[280, 400\)\), so there is no DSR or PBO verdict/);
    expect(r.overfitting.verdicts.deflatedSharpe).toBe('DSR n/a: no hall-of-fame genome traded out of sample');
  });

  it('a run that trades keeps its verdicts', async () => {
    const r = await evolve({ ...run, market: synthetic({ bars: 400, seed: 11 }) });
    expect(r.overfitting.noTrades).toBeNull();
    expect(r.overfitting.verdicts.pbo).toMatch(/^PBO /);
  });

  it('names every empty window (folds, holdout) and only those', () => {
    const w = (start: number, end: number) => ({ start, end });
    expect(noTradesOutOfSample([{ name: 'fold 1 out-of-sample window', window: w(10, 20), trades: [1, 0] }])).toBeNull();
    expect(noTradesOutOfSample([
      { name: 'fold 1 out-of-sample window', window: w(10, 20), trades: [0, 0] },
      { name: 'fold 2 out-of-sample window', window: w(20, 30), trades: [0, 2] },
      { name: 'holdout', window: w(30, 40), trades: [0, 0] },
    ])).toMatch(/^No hall-of-fame genome traded in the fold 1 out-of-sample window \(bars \[10, 20\)\), the holdout \(bars \[30, 40\)\), so/);
  });
});
