// The embedding API (issue "The engine in one process"): backtest() as a program that imports
// evoquant calls it. Only the public surface (src/index.ts) is used here. Expected values come
// from SPEC.md (defaults, section 2 accounting, section 5 definitions), not from the engine.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BACKTEST_DEFAULTS, EngineError, METRIC_NAMES, backtest, getStrategy, isEngineError, loadCsv, marketFromArrays, synthetic,
} from '../../src/index.js';
import type { BacktestOptions, BacktestResult, MarketData, Trade } from '../../src/index.js';
import { DATA, firstDifference, sameBits } from '../helpers/shared.js';

const FAMILIES: readonly string[] = ['sma-cross', 'stoch-rsi-bands'];
/** SPEC section 5's metric names. */
const SPEC_METRICS = ['totalReturn', 'sharpe', 'sortino', 'maxDrawdown', 'calmar', 'trades', 'winRate', 'profitFactor', 'exposure'] as const;
const MS_PER_YEAR = 365.25 * 86_400_000;

let goog: MarketData;
beforeAll(async () => {
  goog = await loadCsv(DATA('GOOG.csv'));
});

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** The bars [start, end) of a market as a market of their own. */
function slice(m: MarketData, start: number, end: number): MarketData {
  const s = (c: Float64Array): Float64Array => c.slice(start, end);
  return marketFromArrays({ time: s(m.time), open: s(m.open), high: s(m.high), low: s(m.low), close: s(m.close), volume: s(m.volume) }, 'slice');
}

/** Every number of a trade list, in order, for bit comparisons. */
function tradeNumbers(trades: readonly Trade[], barOffset = 0): number[] {
  return trades.flatMap((t) => [
    t.entryBar - barOffset, t.exitBar - barOffset, t.entryTime, t.exitTime, t.direction, t.units, t.entryPrice, t.exitPrice, t.pnl, t.return,
  ]);
}

function expectConfigError(run: () => unknown, option: string): EngineError {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected E_CONFIG for ${option}`).toBeInstanceOf(EngineError);
  const e = caught as EngineError;
  expect(isEngineError(e)).toBe(true);
  expect(e.code).toBe('E_CONFIG');
  expect(e.option).toBe(option);
  expect(e.message).toContain(option);
  return e;
}

describe('defaults', () => {
  it('BACKTEST_DEFAULTS are the spec values', () => {
    expect(BACKTEST_DEFAULTS).toMatchObject({
      commission: 0.001, slippage: 0, cash: 10_000, fill: 'next-open', fraction: 1, lotSize: 0, maxLeverage: 1, minPriceRisk: 0.001,
    });
  });

  it('a backtest without options uses them, with each family\'s sizing and short side', () => {
    const m = synthetic({ bars: 400, seed: 3 });
    const spec = { commission: 0.001, slippage: 0, cash: 10_000, fill: 'next-open', fraction: 1, lotSize: 0, maxLeverage: 1, minPriceRisk: 0.001 };
    const sma = backtest(m, 'sma-cross');
    expect(sma.options).toMatchObject({ ...spec, sizing: 'fraction', allowShort: true, backend: 'wasm' });
    const srb = backtest(m, 'stoch-rsi-bands');
    expect(srb.options).toMatchObject({ ...spec, sizing: 'risk', allowShort: false, backend: 'wasm' });
  });

  it('missing parameters take the family defaults; given ones are kept', () => {
    const m = synthetic({ bars: 400, seed: 3 });
    for (const name of FAMILIES) {
      const defaults = Object.fromEntries(getStrategy(name).genes.map((g) => [g.name, g.default]));
      expect(backtest(m, name).params).toEqual(defaults);
    }
    expect(backtest(m, 'sma-cross', { slow: 40 }).params).toEqual({ fast: 10, slow: 40 });
  });

  it('result.metrics has every spec metric as a number', () => {
    const r = backtest(goog, 'sma-cross');
    for (const name of SPEC_METRICS) expect(typeof r.metrics[name], name).toBe('number');
    expect(Object.keys(r.metrics).sort()).toEqual([...METRIC_NAMES].sort());
  });
});

describe('periodsPerYear', () => {
  it('is estimated as (N - 1) / years spanned by the first and last timestamps', () => {
    const n = goog.length;
    const years = (goog.time[n - 1]! - goog.time[0]!) / MS_PER_YEAR;
    const expected = (n - 1) / years;
    expect(expected).toBeGreaterThan(251.6);
    expect(expected).toBeLessThan(251.8);
    const r = backtest(goog, 'sma-cross');
    expect(rel(r.options.periodsPerYear, expected)).toBeLessThan(1e-12);
  });

  it('can be overridden, and scales sharpe and sortino by the square root of the ratio', () => {
    const est = backtest(goog, 'sma-cross');
    const fixed = backtest(goog, 'sma-cross', {}, { periodsPerYear: 252 });
    expect(fixed.options.periodsPerYear).toBe(252);
    const k = Math.sqrt(252 / est.options.periodsPerYear);
    expect(rel(fixed.metrics.sharpe, est.metrics.sharpe * k)).toBeLessThan(1e-12);
    expect(rel(fixed.metrics.sortino, est.metrics.sortino * k)).toBeLessThan(1e-12);
    // Annualisation changes nothing that is not annualised.
    for (const name of ['totalReturn', 'maxDrawdown', 'trades', 'winRate', 'profitFactor', 'exposure'] as const) {
      expect(fixed.metrics[name], name).toBe(est.metrics[name]);
    }
    expect(sameBits(fixed.equity, est.equity)).toBe(true);
  });
});

describe.each(FAMILIES)('results of %s on GOOG', (strategy) => {
  const cases: [string, BacktestOptions][] = [
    ['defaults', {}],
    ['fill close', { fill: 'close' }],
  ];
  it.each(cases)('equity, trades and metrics agree with each other (%s)', (_label, options) => {
    const r = backtest(goog, strategy, {}, options);
    const n = goog.length;
    const { cash, commission } = r.options;
    const m = r.metrics;

    // Equity: one value per bar, starting at cash; total return from its ends (SPEC section 5).
    expect(r.window).toEqual({ start: 0, end: n });
    expect(r.equity.length).toBe(n);
    expect(r.equity[0]).toBe(cash);
    expect(m.totalReturn).toBe(r.equity[n - 1]! / cash - 1);

    // Trades: in order, one position at a time, times from the market.
    const trades = r.trades;
    expect(trades.length).toBeGreaterThan(5);
    expect(m.trades).toBe(trades.length);
    trades.forEach((t, i) => {
      expect(t.entryBar).toBeLessThanOrEqual(t.exitBar);
      expect(t.entryBar).toBeGreaterThanOrEqual(0);
      expect(t.exitBar).toBeLessThan(n);
      if (i > 0) expect(t.entryBar).toBeGreaterThanOrEqual(trades[i - 1]!.exitBar);
      expect(t.entryTime).toBe(goog.time[t.entryBar]);
      expect(t.exitTime).toBe(goog.time[t.exitBar]);
      expect(Math.sign(t.units)).toBe(t.direction);
      // Entries are signal fills: at the next open, or at the signal bar's close (slippage 0).
      expect(t.entryPrice).toBe(options.fill === 'close' ? goog.close[t.entryBar] : goog.open[t.entryBar]);
      // PnL net of both commissions (SPEC section 2).
      const pnl = t.units * (t.exitPrice - t.entryPrice) - commission * Math.abs(t.units) * (t.entryPrice + t.exitPrice);
      expect(Math.abs(t.pnl - pnl)).toBeLessThan(1e-9 * cash);
    });
    if (options.fill === undefined) {
      // With next-open fills nothing can fill at the first bar.
      expect(trades[0]!.entryBar).toBeGreaterThan(0);
    }

    // winRate and profitFactor from the trade list (SPEC section 5).
    const wins = trades.filter((t) => t.pnl > 0);
    expect(m.winRate).toBe(wins.length / trades.length);
    const gross = wins.reduce((s, t) => s + t.pnl, 0);
    const loss = -trades.filter((t) => t.pnl < 0).reduce((s, t) => s + t.pnl, 0);
    expect(rel(m.profitFactor, gross / loss)).toBeLessThan(1e-9);

    // The PnLs add up to the equity change, except for the exit commission of a position still
    // open at the end: its trade is closed net of that commission, E[N-1] is marked to market
    // without it (SPEC section 2).
    const last = trades.at(-1)!;
    const openAtEnd = last.exitReason === 'end';
    if (openAtEnd) {
      expect(last.exitBar).toBe(n - 1);
      expect(last.exitPrice).toBe(goog.close[n - 1]);
    }
    const endCommission = openAtEnd ? commission * Math.abs(last.units) * last.exitPrice : 0;
    const sum = trades.reduce((s, t) => s + t.pnl, 0);
    expect(Math.abs(sum - (r.equity[n - 1]! - cash - endCommission))).toBeLessThan(1e-7 * cash);

    expect(m.exposure).toBeGreaterThan(0);
    expect(m.exposure).toBeLessThanOrEqual(1);
    expect(m.maxDrawdown).toBeGreaterThan(0);
    expect(m.maxDrawdown).toBeLessThan(1);
  });

  it('a window with warm-up 0 gives the same results as a market holding only its bars', () => {
    const start = 300;
    const end = 1200;
    const w = backtest(goog, strategy, {}, { window: { start, end }, warmup: 0 });
    const s = backtest(slice(goog, start, end), strategy, {}, { warmup: 0 });
    expect(w.window).toEqual({ start, end });
    expect(w.options).toEqual(s.options);
    for (const name of METRIC_NAMES) expect(Object.is(w.metrics[name], s.metrics[name]), name).toBe(true);
    expect(sameBits(w.equity, s.equity)).toBe(true);
    // Trade bars index the market, not the window.
    expect(w.trades.length).toBeGreaterThan(0);
    expect(w.trades[0]!.entryBar).toBeGreaterThanOrEqual(start);
    expect(w.trades.at(-1)!.exitBar).toBeLessThan(end);
    expect(sameBits(tradeNumbers(w.trades, start), tradeNumbers(s.trades))).toBe(true);
    expect(w.trades.map((t) => t.exitReason)).toEqual(s.trades.map((t) => t.exitReason));
    // And the window is not the whole series.
    expect(w.metrics.totalReturn).not.toBe(backtest(goog, strategy).metrics.totalReturn);
  });

  it('backends ts and wasm give the same bits', () => {
    const opts: BacktestOptions[] = [{}, { fill: 'close', slippage: 0.0005, lotSize: 1, allowShort: true }];
    for (const o of opts) {
      const w: BacktestResult = backtest(goog, strategy, {}, { ...o, backend: 'wasm' });
      const t: BacktestResult = backtest(goog, strategy, {}, { ...o, backend: 'ts' });
      expect(t.options.backend).toBe('ts');
      expect(w.options.backend).toBe('wasm');
      for (const name of METRIC_NAMES) expect(Object.is(t.metrics[name], w.metrics[name]), `${name}: ${t.metrics[name]} vs ${w.metrics[name]}`).toBe(true);
      expect(firstDifference(t.equity, w.equity)).toBe(-1);
      expect(t.trades.length).toBe(w.trades.length);
      expect(firstDifference(tradeNumbers(t.trades), tradeNumbers(w.trades))).toBe(-1);
      expect(t.trades.map((x) => x.exitReason)).toEqual(w.trades.map((x) => x.exitReason));
    }
  });
});

describe('options move results the expected way', () => {
  it('higher commission lowers the return of an active strategy; the signals stay the same', () => {
    const lo = backtest(goog, 'sma-cross');
    const hi = backtest(goog, 'sma-cross', {}, { commission: 0.005 });
    expect(hi.metrics.trades).toBe(lo.metrics.trades);
    expect(hi.metrics.totalReturn).toBeLessThan(lo.metrics.totalReturn);
  });

  it('fraction sizing scales with cash: the return does not depend on it', () => {
    const a = backtest(goog, 'sma-cross', {}, { cash: 1 });
    const b = backtest(goog, 'sma-cross', {}, { cash: 1e6 });
    expect(a.equity[0]).toBe(1);
    expect(rel(a.metrics.totalReturn, b.metrics.totalReturn)).toBeLessThan(1e-9);
  });

  it('lotSize floors units to multiples of the lot', () => {
    const frac = backtest(goog, 'sma-cross');
    expect(frac.trades.some((t) => !Number.isInteger(t.units))).toBe(true);
    const lots = backtest(goog, 'sma-cross', {}, { lotSize: 5 });
    for (const t of lots.trades) {
      expect(Math.abs(t.units) % 5).toBe(0);
      expect(Math.abs(t.units)).toBeGreaterThan(0);
    }
  });

  it('allowShort false leaves only long trades', () => {
    expect(backtest(goog, 'sma-cross').trades.some((t) => t.direction === -1)).toBe(true);
    const r = backtest(goog, 'sma-cross', {}, { allowShort: false });
    expect(r.trades.length).toBeGreaterThan(0);
    expect(r.trades.every((t) => t.direction === 1)).toBe(true);
  });
});

describe('bad options are E_CONFIG errors that name the option', () => {
  const m = synthetic({ bars: 300, seed: 1 });
  const cases: [string, () => unknown][] = [
    ['commission', () => backtest(m, 'sma-cross', {}, { commission: Number.NaN })],
    ['commission', () => backtest(m, 'sma-cross', {}, { commission: -0.001 })],
    ['slippage', () => backtest(m, 'sma-cross', {}, { slippage: Infinity })],
    ['cash', () => backtest(m, 'sma-cross', {}, { cash: 0 })],
    ['fraction', () => backtest(m, 'sma-cross', {}, { fraction: 0 })],
    ['lotSize', () => backtest(m, 'sma-cross', {}, { lotSize: -1 })],
    ['periodsPerYear', () => backtest(m, 'sma-cross', {}, { periodsPerYear: 0 })],
    ['fill', () => backtest(m, 'sma-cross', {}, { fill: 'x' as BacktestOptions['fill'] })],
    ['backend', () => backtest(m, 'sma-cross', {}, { backend: 'gpu' as BacktestOptions['backend'] })],
    ['sizing', () => backtest(m, 'sma-cross', {}, { sizing: 'risk' })],
    ['window', () => backtest(m, 'sma-cross', {}, { window: { start: 0, end: m.length + 1 } })],
    ['window', () => backtest(m, 'sma-cross', {}, { window: { start: -1, end: 100 } })],
    ['window', () => backtest(m, 'sma-cross', {}, { window: { start: 100, end: 101 } })],
    ['strategy', () => backtest(m, 'nope')],
    ['param zzz', () => backtest(m, 'sma-cross', { zzz: 1 })],
    // Out of bounds: below any period a backtest accepts, and a risk above all the equity.
    ['param fast', () => backtest(m, 'sma-cross', { fast: 0 })],
    ['param riskPerTrade', () => backtest(m, 'stoch-rsi-bands', { riskPerTrade: 2 })],
    ['param fast', () => backtest(m, 'sma-cross', { fast: 10.5 })],
    ['param fast', () => backtest(m, 'sma-cross', { fast: Number.NaN })],
    ['param fast', () => backtest(m, 'sma-cross', { fast: 50, slow: 20 })],
    ['param fast', () => backtest(m, 'sma-cross', { fast: 1000 })],
  ];
  it.each(cases)('%s (case %#)', (option, run) => {
    expectConfigError(run, option);
  });
});
