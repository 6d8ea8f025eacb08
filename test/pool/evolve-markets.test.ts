// Evolution over a basket of markets (issue 11, "Markets, plural"): three synthetic markets of
// different lengths plus GOOG. Byte-identical results whatever the backend, evaluator and thread
// count, a resumed run equal to a straight one, per-market windows by the same fractions, fitness
// aggregated over folds then markets (checked against the per-market metrics in the result),
// trials counted per (genome, market), and the refusals: a market too short, a changed basket.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketsTable, windowRows } from '../../src/cli/result-tables.js';
import { backtest } from '../../src/backtest.js';
import { loadCsv } from '../../src/data/csv.js';
import type { MarketData } from '../../src/data/market.js';
import { marketName } from '../../src/data/market.js';
import { synthetic } from '../../src/data/synthetic.js';
import { EngineError } from '../../src/errors.js';
import { evolve } from '../../src/ga/evolve.js';
import type { EvolveOptions, EvolveResult } from '../../src/ga/evolve.js';
import { genomeMarkets, resultMarkets } from '../../src/ga/result-markets.js';
import { createInProcessEvaluator } from '../../src/pool/in-process.js';
import { createPoolEvaluator } from '../../src/pool/pool.js';
import { DATA } from '../helpers/shared.js';

let BASKET: MarketData[] = [];
let tmp = '';
beforeAll(async () => {
  BASKET = [synthetic({ bars: 900, seed: 11 }), synthetic({ bars: 1500, seed: 12 }), synthetic({ bars: 1200, seed: 13 }), await loadCsv(DATA('GOOG.csv'))];
  tmp = await mkdtemp(join(tmpdir(), 'evoquant-markets-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The result as bytes, without the one key allowed to differ between runs. */
function bytes(r: EvolveResult): string {
  const copy: Partial<EvolveResult> = { ...r };
  delete copy.timings;
  return JSON.stringify(copy);
}

async function rejection(p: Promise<unknown>): Promise<EngineError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(EngineError);
  return e as EngineError;
}

const RUN = { strategy: 'sma-cross', population: 12, generations: 4, seed: 5, folds: 2, train: 0.8 } satisfies EvolveOptions;


describe('a basket: three synthetic markets of different lengths and GOOG', () => {
  let ref: EvolveResult;
  beforeAll(async () => {
    ref = await evolve({ markets: BASKET, ...RUN, threads: 0 });
  });

  it('cuts every market by the same fractions of its own length, and reports each market', () => {
    expect(ref.markets!.map((m) => m.name)).toEqual(['synthetic(seed=11,bars=900)', 'synthetic(seed=12,bars=1500)', 'synthetic(seed=13,bars=1200)', 'GOOG']);
    for (const m of ref.markets!) {
      // train 0.8 of the market, cut into 3 equal segments: folds train on 1 and 2 segments
      const cut = Math.floor(0.8 * m.bars);
      const seg = Math.floor(cut / 3);
      expect(m.windows.train).toEqual([{ start: 0, end: seg }, { start: 0, end: 2 * seg }]);
      expect(m.windows.test).toEqual([{ start: seg, end: 2 * seg }, { start: 2 * seg, end: cut }]);
      expect(m.windows.holdout).toEqual({ start: cut, end: m.bars });
    }
    expect(ref.data.bars).toBe(900 + 1500 + 1200 + BASKET[3]!.length);
    expect(ref.config.marketAggregate).toBe('mean');
    expect(ref.config.minTradesPerWindow).toHaveLength(8);
    for (const h of ref.hallOfFame) {
      expect(h.markets!.map((m) => m.name)).toEqual(ref.markets!.map((m) => m.name));
      for (const m of h.markets!) {
        expect(m.folds).toHaveLength(2);
        expect(m.holdout).not.toBeNull();
      }
      // the top-level metrics are the mean of the markets'
      const mean = h.markets!.reduce((s, m) => s + m.outOfSample!.totalReturn, 0) / 4;
      expect(h.outOfSample!.totalReturn).toBeCloseTo(mean, 12);
    }
  });

  it('each market carries the best genome\'s curve over its whole series (its own backtest)', () => {
    const best = ref.hallOfFame[0]!;
    ref.markets!.forEach((m, i) => {
      const full = backtest(BASKET[i]!, 'sma-cross', best.params, { window: { start: 0, end: BASKET[i]!.length } });
      expect(m.curve.bar.at(-1)).toBe(BASKET[i]!.length - 1);
      expect(m.curve.equity.at(-1)).toBe(full.equity.at(-1));
      expect(m.curve.trades.entry.length).toBe(Math.min(1000, full.trades.length));
    });
    // the top-level curve is the first market's
    expect(ref.curve).toEqual(ref.markets![0]!.curve);
  });

  it('the TypeScript twins and an evaluator passed in give the same bytes', async () => {
    expect(bytes(await evolve({ markets: BASKET, ...RUN, threads: 0, backend: 'ts' }))).toBe(bytes(ref));
    const evaluator = createInProcessEvaluator({ markets: BASKET });
    expect(bytes(await evolve({ markets: BASKET, ...RUN, evaluator }))).toBe(bytes(ref));
  });

  it('pool threads 1 and 2 give the same bytes', async () => {
    for (const threads of [1, 2]) expect(bytes(await evolve({ markets: BASKET, ...RUN, threads }))).toBe(bytes(ref));
  });

  it('2 generations + resume = a straight run', async () => {
    const ck = join(tmp, 'basket.json');
    await evolve({ markets: BASKET, ...RUN, generations: 2, threads: 0, checkpoint: ck });
    expect(bytes(await evolve({ markets: BASKET, ...RUN, threads: 0, backend: 'ts', resume: ck }))).toBe(bytes(ref));
  });

  it('the CLI prints one row per market and the aggregate', () => {
    const lines = marketsTable(ref).split('\n');
    for (const m of ref.markets!) expect(lines.some((l) => l.startsWith(m.name))).toBe(true);
    expect(lines.some((l) => l.startsWith('aggregate'))).toBe(true);
    // the best genome by window: each market's own windows, market after market
    const rows = windowRows(ref);
    expect(rows).toHaveLength(4 * 5);
    ref.markets!.forEach((m, k) => {
      const mine = rows.slice(5 * k, 5 * (k + 1));
      expect(mine.map((x) => x.label)).toEqual(['fold 1 in-sample', 'fold 1 out-of-sample', 'fold 2 in-sample', 'fold 2 out-of-sample', 'holdout'].map((l) => `${m.name} ${l}`));
      expect(mine[4]).toMatchObject({ start: m.windows.holdout!.start, end: m.windows.holdout!.end, m: ref.hallOfFame[0]!.markets![k]!.holdout });
    });
  });
});

describe('fitness: folds within a market first, then markets', () => {
  // fitness sharpe, one train window per market, no trade minimum: a market's fitness is the
  // in-sample Sharpe the result reports for it
  const base = { strategy: 'sma-cross', population: 12, generations: 3, seed: 2, fitness: 'sharpe', minTrades: 0, minTradeRate: 0, hallOfFame: 4 } satisfies EvolveOptions;
  for (const how of ['mean', 'median', 'min'] as const) {
    it(`marketAggregate ${how}`, async () => {
      const r = await evolve({ markets: BASKET, ...base, marketAggregate: how, threads: 0 });
      for (const h of r.hallOfFame) {
        const v = h.markets!.map((m) => m.inSample.sharpe).sort((a, b) => a - b);
        const want = how === 'mean' ? (v[0]! + v[1]! + v[2]! + v[3]!) / 4 : how === 'median' ? (v[1]! + v[2]!) / 2 : v[0]!;
        expect(h.fitness).toBeCloseTo(want, 12);
      }
    });
  }

  it('NSGA-II objectives are the aggregate: the mean Sharpe, the worst (largest) drawdown with min', async () => {
    const r = await evolve({ markets: BASKET, ...base, fitness: undefined, objectives: 'max:sharpe,min:maxDrawdown', marketAggregate: 'min', threads: 0 });
    for (const h of r.hallOfFame) {
      expect(h.objectives!['sharpe']).toBe(Math.min(...h.markets!.map((m) => m.inSample.sharpe)));
      expect(h.objectives!['maxDrawdown']).toBe(Math.max(...h.markets!.map((m) => m.inSample.maxDrawdown)));
    }
    // the deflated Sharpe's trials: one per distinct (genome, market) on the selection window;
    // each train slot's misses are the distinct genomes first evaluated there
    const trials = r.overfitting.details.deflatedSharpe!.trials;
    expect(trials).toBe(r.evaluations.cacheMisses);
    expect(trials % 4).toBe(0);
  });

  it('one market given as markets: [m] is the run on market: m, to the byte; read as a basket of one', async () => {
    const m = BASKET[3]!;
    const one = await evolve({ market: m, ...base, threads: 0 });
    expect(bytes(await evolve({ markets: [m], ...base, threads: 0 }))).toBe(bytes(one));
    expect(one.markets).toBeUndefined();
    expect(resultMarkets(one)).toEqual([{ name: 'GOOG', source: m.source, digest: one.data.sha256, bars: m.length, from: m.time[0], to: m.time[m.length - 1], windows: one.windows, minTradesPerWindow: one.config.minTradesPerWindow, curve: one.curve }]);
    expect(genomeMarkets(one, one.hallOfFame[0]!)[0]!.inSample).toEqual(one.hallOfFame[0]!.inSample);
  });
});

describe('refusals', () => {
  it('a market too short for the windows: E_CONFIG naming it, before any evaluation', async () => {
    const short = synthetic({ bars: 100, seed: 4 });
    let generations = 0;
    const e = await rejection(evolve({ markets: [...BASKET, short], ...RUN, threads: 0 }, { onGeneration: () => generations++ }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toContain(`market ${marketName(short)} (100 bars) is too short`);
    expect(generations).toBe(0);
  });

  it('market and markets together, two markets of one name: E_CONFIG', async () => {
    expect((await rejection(evolve({ market: BASKET[0]!, markets: BASKET, ...RUN, threads: 0 }))).option).toBe('markets');
    expect((await rejection(evolve({ markets: [BASKET[0]!, BASKET[0]!], ...RUN, threads: 0 }))).option).toBe('markets[1]');
  });

  it('an evaluator built for the markets in another order, or for one of them: refused naming the market', async () => {
    const swapped = createInProcessEvaluator({ markets: [BASKET[1]!, BASKET[0]!, BASKET[2]!, BASKET[3]!] });
    const e = await rejection(evolve({ markets: BASKET, ...RUN, evaluator: swapped }));
    expect(e.option).toBe('evaluator');
    expect(e.message).toContain(`market ${marketName(BASKET[0]!)} differs`);
    const single = createInProcessEvaluator({ market: BASKET[0]! });
    expect((await rejection(evolve({ markets: BASKET, ...RUN, evaluator: single }))).message).toContain(`market ${marketName(BASKET[1]!)} differs`);
  });

  it('a changed basket on resume: refused naming the market that changed, left or joined', async () => {
    const ck = join(tmp, 'changed.json');
    await evolve({ markets: BASKET, ...RUN, generations: 2, threads: 0, checkpoint: ck });
    const goog = BASKET[3]!;
    const close = Float64Array.from(goog.close);
    close[700] = close[700]! * 1.01;
    const edited: MarketData = { ...goog, close };
    const e1 = await rejection(evolve({ markets: [...BASKET.slice(0, 3), edited], ...RUN, threads: 0, resume: ck }));
    expect(e1.option).toBe('resume');
    const n = goog.length;
    expect(e1.message).toMatch(new RegExp(`market GOOG differs \\(checkpoint: ${n} bars, sha256 [0-9a-f]{12}\\.\\.\\.; now: ${n} bars, sha256 [0-9a-f]{12}\\.\\.\\.\\)`));
    const e2 = await rejection(evolve({ markets: BASKET.slice(0, 3), ...RUN, threads: 0, resume: ck }));
    expect(e2.message).toContain(`market GOOG differs (checkpoint: ${n} bars`);
    expect(e2.message).toContain('now: not in the basket)');
    const e3 = await rejection(evolve({ markets: [BASKET[1]!, BASKET[0]!, BASKET[2]!, goog], ...RUN, threads: 0, resume: ck }));
    expect(e3.message).toContain('the markets are in another order');
  });
});
