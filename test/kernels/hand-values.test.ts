// Independent values (STYLE "Tests"): every kernel against numbers worked out by hand from the
// definitions of SPEC sections 2, 3 and 5, on series small enough to follow in a comment. The
// arithmetic is written here, never copied from running the kernels. Exact where the arithmetic is
// exact in binary floating point (small integers, halves, quarters), else to 1e-12 relative.
// Each check runs on the TypeScript twins and on the WASM release build.
import { describe, expect, it } from 'vitest';
import { configVector, resolveOptions } from '../../src/backtest.js';
import type { BacktestOptions } from '../../src/backtest.js';
import { marketFromArrays } from '../../src/data/market.js';
import type { MarketData } from '../../src/data/market.js';
import { getFamily } from '../../src/genome/families.js';
import type { StrategyName } from '../../src/genome/families.js';
import type { KernelSet, RawBacktest } from '../../src/kernels/kernel-set.js';
import {
  EXIT_END, EXIT_REVERSAL, EXIT_SIGNAL, EXIT_STOP, EXIT_TARGET, MET_EXPOSURE, MET_MAX_DRAWDOWN,
  MET_PROFIT_FACTOR, MET_TOTAL_RETURN, MET_TRADES, MET_WIN_RATE, TR_DIRECTION, TR_ENTRY_BAR,
  TR_ENTRY_PRICE, TR_EXIT_BAR, TR_EXIT_PRICE, TR_EXIT_REASON, TR_LENGTH, TR_PNL, TR_RETURN,
  TR_UNITS,
} from '../../src/kernels/layout.js';
import { createTsKernels } from '../../src/kernels/ts-kernels.js';
import { createWasmKernels } from '../../src/kernels/wasm/loader.js';
import { Random } from '../../src/random.js';
import { relDiff } from '../helpers/shared.js';

const SETS: readonly KernelSet[] = [createTsKernels(), createWasmKernels({ variant: 'release' })];
const f64 = (...xs: number[]): Float64Array => Float64Array.from(xs);

/** Relative difference within 1e-12 (absolute near zero); NaN only matches NaN. */
function expectClose(actual: number | undefined, expected: number, label = ''): void {
  if (Number.isNaN(expected)) {
    expect(actual, label).toBeNaN();
    return;
  }
  if (actual === expected) return;
  expect(actual, label).toBeTypeOf('number');
  expect(relDiff(actual!, expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12);
}

function expectSeriesClose(actual: ArrayLike<number>, expected: readonly number[], label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  expected.forEach((x, i) => expectClose(actual[i], x, `${label}[${i}]`));
}

/** Exact equality, element by element (NaN equals NaN). */
function expectSeries(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(Array.from(actual)).toEqual(expected);
}

describe.each(SETS.map((k) => [k.name, k] as const))('hand-computed values on %s', (_name, k) => {
  // -------------------------------------------------------------------------------------------
  // Indicators (SPEC section 3)

  it('SMA(3) of [1, 2, 3, 4, 5]', () => {
    // running sum 1 + 2 + 3 = 6 -> 2; 6 + (4 - 1) = 9 -> 3; 9 + (5 - 2) = 12 -> 4.
    expectSeries(k.sma(f64(1, 2, 3, 4, 5), 3), [NaN, NaN, 2, 3, 4]);
    // SMA(1) is the series; n < k is all warm-up.
    expectSeries(k.sma(f64(1, 2, 3), 1), [1, 2, 3]);
    expectSeries(k.sma(f64(1, 2), 3), [NaN, NaN]);
  });

  it('EMA(3): alpha = 2 / (3 + 1) = 0.5, seeded with SMA(3)', () => {
    // t = 2: seed (1 + 2 + 3) / 3 = 2; t = 3: 2 + 0.5 * (10 - 2) = 6; t = 4: 6 + 0.5 * (4 - 6) = 5;
    // t = 5: 5 + 0.5 * (7 - 5) = 6.
    expectSeries(k.ema(f64(1, 2, 3, 10, 4, 7), 3), [NaN, NaN, 2, 6, 5, 6]);
    // EMA(1): alpha = 1, the series itself.
    expectSeries(k.ema(f64(4, 8, 2), 1), [4, 8, 2]);
  });

  it('RSI(2), Wilder, on [10, 12, 11, 14, 13, 15]', () => {
    // d = +2, -1, +3, -1, +2.
    // t = 2: gain = (2 + 0) / 2 = 1, loss = (0 + 1) / 2 = 0.5, RS = 2, RSI = 100 - 100 / 3.
    // t = 3: d = +3: gain = (1 * 1 + 3) / 2 = 2, loss = (0.5 * 1 + 0) / 2 = 0.25, RS = 8.
    // t = 4: d = -1: gain = (2 + 0) / 2 = 1, loss = (0.25 + 1) / 2 = 0.625, RS = 1.6.
    // t = 5: d = +2: gain = (1 + 2) / 2 = 1.5, loss = 0.625 / 2 = 0.3125, RS = 4.8.
    const r = k.rsi(f64(10, 12, 11, 14, 13, 15), 2);
    expectSeriesClose(r, [NaN, NaN, 100 - 100 / 3, 100 - 100 / 9, 100 - 100 / 2.6, 100 - 100 / 5.8]);
  });

  it('RSI(3) smoothing uses avg * (k - 1) + x over k', () => {
    // [1, 2, 3, 2, 4]: d = +1, +1, -1, +2. t = 3: gain = (1 + 1) / 3 = 2/3, loss = 1/3, RS = 2.
    // t = 4: gain = (2/3 * 2 + 2) / 3 = 10/9, loss = (1/3 * 2) / 3 = 2/9, RS = 5.
    expectSeriesClose(k.rsi(f64(1, 2, 3, 2, 4), 3), [NaN, NaN, NaN, 100 - 100 / 3, 100 - 100 / 6]);
  });

  it('RSI edge rules: all up gives 100, flat gives 50, all down gives 0', () => {
    expectSeries(k.rsi(f64(1, 2, 3, 4, 5), 2), [NaN, NaN, 100, 100, 100]);
    expectSeries(k.rsi(f64(7, 7, 7, 7), 2), [NaN, NaN, 50, 50]);
    // loss > 0, gain = 0: 100 - 100 / (1 + 0) = 0.
    expectSeries(k.rsi(f64(5, 4, 3, 2), 2), [NaN, NaN, 0, 0]);
  });

  it('StochRSI: raw = 100 (r - min) / (max - min) over stochK RSI values, %K = SMA, %D = SMA of %K', () => {
    // RSI(2) of [10, 12, 11, 14, 13, 15, 16] (as above, and t = 6: d = +1:
    // gain = (1.5 + 1) / 2 = 1.25, loss = 0.3125 / 2 = 0.15625, RS = 8).
    const rsi = [NaN, NaN, 100 - 100 / 3, 100 - 100 / 9, 100 - 100 / 2.6, 100 - 100 / 5.8, 100 - 100 / 9];
    const src = f64(10, 12, 11, 14, 13, 15, 16);
    // stochK = 2: the window is (previous, current): 100 when RSI rose, 0 when it fell.
    // RSI: 66.7, 88.9 (up), 61.5 (down), 82.8 (up), 88.9 (up) -> raw from t = 3: 100, 0, 100, 100.
    // %K = SMA(raw, 2): t = 4: (100 + 0) / 2 = 50; t = 5: (0 + 100) / 2 = 50; t = 6: 100.
    // %D = SMA(%K, 2): t = 5: (50 + 50) / 2 = 50; t = 6: (50 + 100) / 2 = 75.
    const s2 = k.stochRsi(src, 2, 2, 2, 2);
    expectSeriesClose(s2.rsi, rsi, 'rsi');
    expectSeries(s2.stoch, [NaN, NaN, NaN, 100, 0, 100, 100]);
    expectSeries(s2.k, [NaN, NaN, NaN, NaN, 50, 50, 100]);
    expectSeries(s2.d, [NaN, NaN, NaN, NaN, NaN, 50, 75]);
    // stochK = 3: t = 4: window RSI[2..4], RSI[4] is its minimum -> 0;
    // t = 5: 100 (RSI[5] - RSI[4]) / (RSI[3] - RSI[4]); t = 6: RSI[6] = RSI[3] is the maximum -> 100.
    const s3 = k.stochRsi(src, 2, 3, 1, 1);
    expectSeriesClose(s3.stoch, [NaN, NaN, NaN, NaN, 0, (100 * (rsi[5]! - rsi[4]!)) / (rsi[3]! - rsi[4]!), 100], 'raw');
    // kSmooth = dSmooth = 1: %K and %D are the raw series.
    expectSeries(s3.k, Array.from(s3.stoch));
    expectSeries(s3.d, Array.from(s3.stoch));
  });

  it('StochRSI is 50 when max = min (a flat RSI)', () => {
    // Rising prices: RSI = 100 throughout, max = min -> 50.
    const s = k.stochRsi(f64(1, 2, 3, 4, 5, 6), 2, 3, 1, 1);
    expectSeries(s.stoch, [NaN, NaN, NaN, NaN, 50, 50]);
    // Flat prices: RSI = 50 throughout -> 50.
    expectSeries(k.stochRsi(f64(3, 3, 3, 3, 3), 1, 2, 1, 1).stoch, [NaN, NaN, 50, 50, 50]);
  });

  it('stdev(3), sample (ddof 1), of [1, 3, 2, 6, 2, 2]', () => {
    // [1, 3, 2]: mean 2, squared deviations 1 + 1 + 0 = 2, / (3 - 1) -> 1.
    // [3, 2, 6]: mean 11/3, deviations -2/3, -5/3, 7/3: (4 + 25 + 49) / 9 = 26/3, / 2 -> 13/3.
    // [2, 6, 2]: mean 10/3, deviations -4/3, 8/3, -4/3: (16 + 64 + 16) / 9 = 32/3, / 2 -> 16/3.
    // [6, 2, 2]: the same values, the same 16/3.
    expectSeriesClose(k.stdev(f64(1, 3, 2, 6, 2, 2), 3), [NaN, NaN, 1, Math.sqrt(13 / 3), Math.sqrt(16 / 3), Math.sqrt(16 / 3)]);
    // stdev(2) of [5, 7]: mean 6, (1 + 1) / 1 = 2. Leading NaNs are warm-up; n < k is all NaN.
    expectSeriesClose(k.stdev(f64(NaN, 5, 7, 7), 2), [NaN, NaN, Math.SQRT2, 0]);
    expectSeries(k.stdev(f64(1, 2), 3), [NaN, NaN]);
  });

  it('stdev equals the two-pass definition on every window of a random walk', () => {
    const rng = new Random(5);
    let p = 1000;
    const x = Float64Array.from({ length: 3000 }, () => (p *= Math.exp(0.02 * rng.normal())));
    for (const w of [2, 5, 20, 101]) {
      const got = k.stdev(x, w);
      let worst = 0;
      for (let t = w - 1; t < x.length; t++) {
        const win = x.subarray(t - w + 1, t + 1);
        const mean = win.reduce((a, v) => a + v, 0) / w;
        const sd = Math.sqrt(win.reduce((a, v) => a + (v - mean) ** 2, 0) / (w - 1));
        worst = Math.max(worst, relDiff(got[t]!, sd));
      }
      expect(worst, `stdev(${w}) worst relative difference`).toBeLessThanOrEqual(1e-12);
    }
  });

  it('highest(3) and lowest(3) of [3, 1, 4, 1, 5, 9, 2, 6]; NaN warm-up and NaN inside', () => {
    expectSeries(k.highest(f64(3, 1, 4, 1, 5, 9, 2, 6), 3), [NaN, NaN, 4, 4, 5, 9, 9, 9]);
    expectSeries(k.lowest(f64(3, 1, 4, 1, 5, 9, 2, 6), 3), [NaN, NaN, 1, 1, 1, 1, 2, 2]);
    // k = 1 is the series itself.
    expectSeries(k.highest(f64(3, 1, 4), 1), [3, 1, 4]);
    // Leading NaNs are warm-up: the first window is [2, 7] at t = 3.
    expectSeries(k.highest(f64(NaN, NaN, 2, 7, 3), 2), [NaN, NaN, NaN, 7, 7]);
    // A NaN after the warm-up makes the windows that hold it NaN, and only those.
    expectSeries(k.lowest(f64(1, NaN, 3, 2, 5), 2), [NaN, NaN, NaN, 2, 2]);
  });

  it('cross(a, b): 1 where a crosses above b, -1 below, NaN elsewhere; touching is not crossing; NaN is no cross', () => {
    // t=1: 1 <= 2 and 3 > 2 (up); t=2: 3 >= 2 and 1 < 2 (down); t=3 and t=4: a equals b then
    // rises above it (equal counts as "not above": up at t=4); t=5: stays above.
    expectSeries(k.cross(f64(1, 3, 1, 2, 3, 4), f64(2, 2, 2, 2, 2, 2)), [NaN, 1, -1, NaN, 1, NaN]);
    // From equal down is a cross below; from equal to equal is none.
    expectSeries(k.cross(f64(2, 1, 1, 1), f64(2, 2, 1, 1)), [NaN, -1, NaN, NaN]);
    // A NaN on either side at t - 1 or t: no cross there (the warm-up of a moving average).
    expectSeries(k.cross(f64(NaN, 3, 1, 3), f64(2, 2, NaN, 2)), [NaN, NaN, NaN, NaN]);
    expectSeries(k.cross(f64(5), f64(1)), [NaN]);
    expect(k.cross(new Float64Array(0), new Float64Array(0)).length).toBe(0);
  });

  it('ATR(2), Wilder, with true ranges from |high - prev close| and |low - prev close|', () => {
    const high = f64(11, 12, 14, 13, 11);
    const low = f64(9, 10, 13, 10, 10);
    const close = f64(10, 11, 13.5, 10.5, 10.5);
    // TR[1] = max(12 - 10, |12 - 10|, |10 - 10|) = 2
    // TR[2] = max(14 - 13, |14 - 11| = 3, |13 - 11| = 2) = 3      (high vs previous close)
    // TR[3] = max(13 - 10, |13 - 13.5| = 0.5, |10 - 13.5| = 3.5) = 3.5 (low vs previous close)
    // TR[4] = max(11 - 10, |11 - 10.5|, |10 - 10.5|) = 1
    // ATR[2] = (2 + 3) / 2 = 2.5; ATR[3] = (2.5 * 1 + 3.5) / 2 = 3; ATR[4] = (3 * 1 + 1) / 2 = 2.
    expectSeries(k.atr(high, low, close, 2), [NaN, NaN, 2.5, 3, 2]);
    // ATR(3): (2 + 3 + 3.5) / 3 = 17/6 at t = 3, then (17/6 * 2 + 1) / 3 = 40/18 at t = 4.
    expectSeriesClose(k.atr(high, low, close, 3), [NaN, NaN, NaN, 17 / 6, 40 / 18]);
    // k >= n: all warm-up.
    expectSeries(k.atr(high, low, close, 5), [NaN, NaN, NaN, NaN, NaN]);
  });

  describe('dynamic bands', () => {
    // An ATR series (leading NaN as ATR's warm-up) made so that, with atrK = 2,
    // v[t] = a[t] / ((a[t] + a[t-1]) / 2) takes the values below (all exact in binary):
    //   t:  0    1  2  3    4    5    6     7
    //   a:  NaN  2  2  6    2    3    21    7
    //   v:  -    -  1  1.5  0.5  1.2  1.75  0.5
    // (running sums: 2+2 = 4; 4+(6-2) = 8; 8+(2-2) = 8; 8+(3-6) = 5; 5+(21-2) = 24; 24+(7-3) = 28).
    const a = f64(NaN, 2, 2, 6, 2, 3, 21, 7);
    const W = [NaN, NaN];

    it('widen when v > s, narrow (capped at 10) when v < 1/s, base levels in between', () => {
      // s = 1.25, 1/s = 0.8, adjust = 0.25, base (20, 80):
      // t=2 v=1: base; t=3 v=1.5 > 1.25: e = 0.5 * 0.25 * 100 = 12.5 -> (7.5, 92.5);
      // t=4 v=0.5 < 0.8: c = 0.5 * 0.25 * 100 = 12.5, capped at 10 -> (30, 70);
      // t=5 v=1.2 in [0.8, 1.25]: base; t=6 v=1.75: e = 0.75 * 0.25 * 100 = 18.75 -> (1.25, 98.75).
      const b = k.bands(a, 2, 20, 80, 1.25, 0.25);
      expectSeries(b.lower, [...W, 20, 7.5, 30, 20, 1.25, 30]);
      expectSeries(b.upper, [...W, 80, 92.5, 70, 80, 98.75, 70]);
    });

    it('narrowing below width 10 is widened back around the midpoint', () => {
      // base (40, 60), s = 1.25, adjust = 0.125:
      // t=3: e = 0.5 * 0.125 * 100 = 6.25 -> (33.75, 66.25);
      // t=4: c = 6.25 -> (46.25, 53.75), width 7.5 < 10 -> midpoint 50 -> (45, 55);
      // t=6: e = 0.75 * 0.125 * 100 = 9.375 -> (30.625, 69.375).
      const b = k.bands(a, 2, 40, 60, 1.25, 0.125);
      expectSeries(b.lower, [...W, 40, 33.75, 45, 40, 30.625, 45]);
      expectSeries(b.upper, [...W, 60, 66.25, 55, 60, 69.375, 55]);
    });

    it('the widening is capped at 50 and both bands are clamped to [0, 100]', () => {
      // base (55, 65), adjust = 1: t=3: e = 0.5 * 100 = 50 -> (5, 115 -> 100);
      // t=6: e = 0.75 * 100 = 75, capped at 50 -> (5, 100) (uncapped it would be (-20 -> 0, 100));
      // t=4: c = 50 capped at 10 -> (65, 55): width -10 < 10 -> midpoint 60 -> (55, 65).
      const b = k.bands(a, 2, 55, 65, 1.25, 1);
      expectSeries(b.lower, [...W, 55, 5, 55, 55, 5, 55]);
      expectSeries(b.upper, [...W, 65, 100, 65, 65, 100, 65]);
      // base (20, 80), adjust = 1: e = 50 at t=3 and t=6 -> (-30 -> 0, 130 -> 100).
      const c = k.bands(a, 2, 20, 80, 1.25, 1);
      expect(c.lower[3]).toBe(0);
      expect(c.upper[3]).toBe(100);
      expect(c.lower[6]).toBe(0);
      expect(c.upper[6]).toBe(100);
      // A base width below 10 near the top: (97, 99) -> midpoint 98 -> (93, 103 -> 100).
      const d = k.bands(a, 2, 97, 99, 1.25, 0);
      expect(d.lower[2]).toBe(93);
      expect(d.upper[2]).toBe(100);
    });

    it('v exactly at s is not above it; sensitivity 1 never moves the bands', () => {
      // s = 1.5: v = 1.5 at t=3 stays at the base; v = 1.75 at t=6 widens by 0.75 * 0.2 * 100.
      const b = k.bands(a, 2, 20, 80, 1.5, 0.25);
      expect(b.lower[3]).toBe(20);
      expect(b.lower[6]).toBe(1.25);
      const one = k.bands(a, 2, 20, 80, 1, 1);
      expectSeries(one.lower, [...W, 20, 20, 20, 20, 20, 20]);
      expectSeries(one.upper, [...W, 80, 80, 80, 80, 80, 80]);
    });
  });

  // -------------------------------------------------------------------------------------------
  // Sizing (SPEC section 2)

  it('fraction sizing: fraction x equity / price, |units| floored to a multiple of lotSize', () => {
    const eq = f64(10_000, 10_000, 10_000);
    const px = f64(33, 33, 33);
    // 10000 / 33 = 303.03 -> lot 10 -> 300; lot 7 -> floor(43.29) * 7 = 301; lot 0 -> fractional.
    expectSeries(k.sizeFraction(eq, px, 1, 10, 1), [300, 300, 300]);
    expectSeries(k.sizeFraction(eq, px, 1, 10, -1), [-300, -300, -300]);
    expectSeries(k.sizeFraction(eq, px, 1, 7, 1), [301, 301, 301]);
    expectSeriesClose(k.sizeFraction(eq, px, 1, 0, 1), [10_000 / 33, 10_000 / 33, 10_000 / 33]);
    // fraction 0.5: 5000 / 33 = 151.5 -> lot 10 -> 150; a lot bigger than the position -> 0.
    expectSeries(k.sizeFraction(eq, px, 0.5, 10, 1), [150, 150, 150]);
    expectSeries(k.sizeFraction(eq, px, 1, 1000, 1), [0, 0, 0]);
  });

  it('risk sizing: risk x equity / max(stop, minPriceRisk x price), capped by leverage', () => {
    const eq = f64(10_000, 10_000, 10_000, 10_000);
    const px = f64(100, 100, 100, 100);
    const stop = f64(2, 0.05, 0.5, 3);
    // risk 0.01 -> 100 at risk. stop 2: 100 / 2 = 50 (cap 1 x 10000 / 100 = 100 does not bind);
    // stop 0.05 < 0.001 x 100 = 0.1: 100 / 0.1 = 1000 -> capped at 100;
    // stop 0.5: 200 -> capped at 100; stop 3: 33.3 (fractional).
    expectSeriesClose(k.sizeRisk(eq, px, stop, 0.01, 0.001, 1, 0, 1), [50, 100, 100, 100 / 3]);
    // Leverage 20 (cap 2000): 50, 100 / 0.1 = 1000, 200, 33.3; lot 5 floors 33.3 to 30.
    expectSeriesClose(k.sizeRisk(eq, px, stop, 0.01, 0.001, 20, 0, 1), [50, 100 / 0.1, 200, 100 / 3]);
    expectSeries(k.sizeRisk(eq, px, stop, 0.01, 0.001, 20, 5, -1), [-50, -1000, -200, -30]);
  });

  // -------------------------------------------------------------------------------------------
  // Metrics (SPEC section 5)

  it('returns and totalReturn', () => {
    // E = [100, 110, 99, 99, 108.9]: r = 110/100 - 1, 99/110 - 1, 0 (unchanged), 108.9/99 - 1.
    const e = f64(100, 110, 99, 99, 108.9);
    expectSeriesClose(k.returns(e), [0.1, -0.1, 0, 0.1]);
    expect(k.returns(e)[2]).toBe(0);
    expectClose(k.totalReturn(e), 0.089);
    expect(k.returns(f64(100)).length).toBe(0);
  });

  it('sharpe: mean / std (ddof 1) x sqrt(periodsPerYear); 0 when std = 0', () => {
    // r = [0.1, -0.1, 0, 0.1]: mean 0.05 / 2 = 0.025; deviations 0.075, -0.125, -0.025, 0.075;
    // squares sum 0.005625 + 0.015625 + 0.000625 + 0.005625 = 0.0275; variance 0.0275 / 3.
    const r = f64(0.1, -0.1, 0, 0.1);
    expectClose(k.sharpe(r, 252), (0.025 / Math.sqrt(0.0275 / 3)) * Math.sqrt(252));
    expectClose(k.sharpe(r, 1), 0.025 / Math.sqrt(0.0275 / 3));
    expect(k.sharpe(f64(0, 0, 0), 252)).toBe(0);
    // Constant non-zero returns: std = 0 exactly, so 0 (not the mean over rounding noise).
    expect(k.sharpe(f64(0.01, 0.01, 0.01), 252)).toBe(0);
    expect(k.sharpe(f64(-0.02, -0.02, -0.02, -0.02, -0.02), 252)).toBe(0);
    expect(k.sharpe(f64(0.5), 252)).toBe(0); // one return: no std
    expect(k.sharpe(f64(), 252)).toBe(0);
  });

  it('sortino: mean / sqrt(mean(min(r, 0)^2)) x sqrt(periodsPerYear); 0 when the root is 0', () => {
    // r = [0.1, -0.1, 0, 0.1]: downside mean square (0.01) / 4 = 0.0025, root 0.05; 0.025 / 0.05 = 0.5.
    expectClose(k.sortino(f64(0.1, -0.1, 0, 0.1), 252), 0.5 * Math.sqrt(252));
    // r = [-0.2, 0.1]: mean -0.05; root sqrt(0.04 / 2); -0.05 / sqrt(0.02) x sqrt(12).
    expectClose(k.sortino(f64(-0.2, 0.1), 12), (-0.05 / Math.sqrt(0.02)) * Math.sqrt(12));
    expect(k.sortino(f64(0.1, 0.2), 252)).toBe(0);
  });

  it('maxDrawdown: the larger of two drawdowns, the later one', () => {
    // Peak 120 -> 108: 12 / 120 = 0.1; new peak 130 -> 91: 39 / 130 = 0.3.
    const e = f64(100, 120, 108, 130, 91, 140);
    expectClose(k.maxDrawdown(e), 0.3);
    // Ending under water: 100 -> 80 -> 90: 20 / 100.
    expectClose(k.maxDrawdown(f64(100, 80, 90)), 0.2);
    expect(k.maxDrawdown(f64(100, 101, 102))).toBe(0);
  });

  it('annualReturn and calmar', () => {
    // [100, 120, 108, 130, 91, 140], N - 1 = 5 periods.
    // periodsPerYear 5: (140 / 100)^(5 / 5) - 1 = 0.4; calmar = 0.4 / 0.3.
    // periodsPerYear 10: 1.4^2 - 1 = 0.96; calmar = 0.96 / 0.3.
    const e = f64(100, 120, 108, 130, 91, 140);
    expectClose(k.annualReturn(e, 5), 0.4);
    expectClose(k.annualReturn(e, 10), 0.96);
    expectClose(k.calmar(e, 5), 0.4 / 0.3);
    expectClose(k.calmar(e, 10), 0.96 / 0.3);
    // No drawdown: calmar 0.
    expect(k.calmar(f64(100, 110, 121), 2)).toBe(0);
  });

  it('winRate and profitFactor on trade PnLs (a zero PnL is no win)', () => {
    // [10, -5, 0, 20]: 2 wins of 4; gross profit 30 / gross loss 5 = 6.
    expect(k.winRate(f64(10, -5, 0, 20))).toBe(0.5);
    expect(k.profitFactor(f64(10, -5, 0, 20))).toBe(6);
    expect(k.profitFactor(f64(10, 0, 2))).toBe(Infinity);
    expect(k.profitFactor(f64())).toBe(0);
    expect(k.winRate(f64())).toBe(0);
    expect(k.profitFactor(f64(-1, -3))).toBe(0);
  });

  it('exposure: share of bars with a position', () => {
    expect(k.exposure(f64(0, 1, -2, 0, 0.5))).toBe(3 / 5);
    expect(k.exposure(f64(0, 0))).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Strategy scenarios (SPEC section 2), worked through bar by bar.

interface TradeRecord {
  entryBar: number;
  exitBar: number;
  direction: number;
  units: number;
  entryPrice: number;
  exitPrice: number;
  pnl: number;
  return: number;
  exitReason: number;
}

const trade = (bt: RawBacktest, i: number): TradeRecord => {
  const p = i * TR_LENGTH;
  const r = bt.trades!;
  return {
    entryBar: r[p + TR_ENTRY_BAR]!,
    exitBar: r[p + TR_EXIT_BAR]!,
    direction: r[p + TR_DIRECTION]!,
    units: r[p + TR_UNITS]!,
    entryPrice: r[p + TR_ENTRY_PRICE]!,
    exitPrice: r[p + TR_EXIT_PRICE]!,
    pnl: r[p + TR_PNL]!,
    return: r[p + TR_RETURN]!,
    exitReason: r[p + TR_EXIT_REASON]!,
  };
};

interface Bars {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
}

function market(b: Bars): MarketData {
  const time = b.close.map((_, i) => i * 86_400_000);
  return marketFromArrays({ time, open: b.open, high: b.high, low: b.low, close: b.close }, 'hand');
}

function run(k: KernelSet, m: MarketData, strategy: StrategyName, genes: number[], o: BacktestOptions): RawBacktest {
  const cfg = configVector(resolveOptions(getFamily(strategy), m, { periodsPerYear: 252, ...o }));
  return k.backtest(m, { start: 0, end: m.length }, getFamily(strategy).fused, Float64Array.from(genes), cfg, { equity: true, trades: true });
}

describe.each(SETS.map((k) => [k.name, k] as const))('sma-cross by hand on %s', (_name, k) => {
  // fast = 1, slow = 2: SMA1 = close, SMA2 = mean of the last two closes, so SMA1 > SMA2 exactly
  // when the close rose and SMA1 = SMA2 when it did not move.
  //   t       0    1    2    3    4    5    6    7    8    9
  //   open  100  100  100  100  102  102  103  100  101  100
  //   close 100   99  101  102  102  103  101  100  102  103
  // Signals (t = 2 .. N-2 = 8):
  //   t=2: SMA1 99 <= SMA2 99.5, then 101 > 100: cross-up   -> long at open[3] = 100
  //   t=4: 102 = SMA2 (102 + 102) / 2: no cross
  //   t=5: 102 <= 102, then 103 > 102.5: cross-up while long -> ignored
  //   t=6: 103 >= 102.5, then 101 < 102: cross-down        -> short at open[7] = 100 (reversal)
  //   t=8: 100 <= 100.5, then 102 > 101: cross-up          -> long at open[9] = 100 (reversal)
  //   t=9: the last bar: the long is closed by the window's end at close[9] = 103.
  const open = [100, 100, 100, 100, 102, 102, 103, 100, 101, 100];
  const close = [100, 99, 101, 102, 102, 103, 101, 100, 102, 103];
  const bars: Bars = {
    open,
    close,
    high: open.map((o, i) => Math.max(o, close[i]!) + 1),
    low: open.map((o, i) => Math.min(o, close[i]!) - 1),
  };
  const m = market(bars);
  const fee = 0.001;

  it('long-short, next-open fills, commission on both sides, reversals, end-of-window trade', () => {
    const bt = run(k, m, 'sma-cross', [1, 2], { commission: fee, cash: 10_000, allowShort: true });
    // Trade 1, long at open[3] = 100: units 10000 / 100 = 100.
    const u1 = 10_000 / 100;
    const cash3 = 10_000 - u1 * 100 - fee * (u1 * 100); // = -10
    // Reversal at open[7] = 100: the long closes with no price gain, PnL = the two commissions.
    const cash7a = cash3 + u1 * 100 - fee * (u1 * 100); // = 9980
    const pnl1 = cash7a - 10_000; // = -20
    // Trade 2, short at the same fill: units -9980 / 100.
    const u2 = -cash7a / 100;
    const cash7 = cash7a - u2 * 100 - fee * Math.abs(u2 * 100); // = 19950.02
    // Reversal at open[9] = 100.
    const cash9a = cash7 + u2 * 100 - fee * Math.abs(u2 * 100); // = 9960.04
    const pnl2 = cash9a - cash7a; // = -19.96
    // Trade 3, long at open[9] = 100, open at the end.
    const u3 = cash9a / 100;
    const cash9 = cash9a - u3 * 100 - fee * (u3 * 100);
    const pnl3 = cash9 + u3 * 103 - fee * (u3 * 103) - cash9a; // net of the exit commission
    const equity = [
      10_000, 10_000, 10_000,
      cash3 + u1 * 102, cash3 + u1 * 102, cash3 + u1 * 103, cash3 + u1 * 101,
      cash7 + u2 * 100, cash7 + u2 * 102,
      cash9 + u3 * 103, // mark-to-market: no exit commission
    ];
    expectSeriesClose(bt.equity!, equity, 'equity');
    expect(bt.tradeCount).toBe(3);
    const [t1, t2, t3] = [trade(bt, 0), trade(bt, 1), trade(bt, 2)];
    expect([t1.entryBar, t1.exitBar, t1.direction, t1.exitReason]).toEqual([3, 7, 1, EXIT_REVERSAL]);
    expect([t2.entryBar, t2.exitBar, t2.direction, t2.exitReason]).toEqual([7, 9, -1, EXIT_REVERSAL]);
    expect([t3.entryBar, t3.exitBar, t3.direction, t3.exitReason]).toEqual([9, 9, 1, EXIT_END]);
    expect([t1.entryPrice, t1.exitPrice, t2.entryPrice, t2.exitPrice, t3.entryPrice, t3.exitPrice]).toEqual([100, 100, 100, 100, 100, 103]);
    expect(t1.units).toBe(100);
    expectClose(t2.units, u2);
    expectClose(t3.units, u3);
    expectClose(t1.pnl, -20);
    expectClose(t1.pnl, pnl1);
    expectClose(t2.pnl, -19.96);
    expectClose(t2.pnl, pnl2);
    expectClose(t3.pnl, pnl3);
    expectClose(t2.return, pnl2 / cash7a);
    // The last equity value carries no exit commission; the end-of-window trade does.
    expectClose(bt.equity![9]! - cash9a - t3.pnl, fee * (u3 * 103));
    // Metrics: 1 win of 3; gross profit pnl3 over gross loss 20 + 19.96; 7 of 10 bars held.
    expect(bt.metrics[MET_TRADES]).toBe(3);
    expect(bt.metrics[MET_WIN_RATE]).toBe(1 / 3);
    expectClose(bt.metrics[MET_PROFIT_FACTOR], pnl3 / (20 + 19.96));
    expect(bt.metrics[MET_EXPOSURE]).toBe(7 / 10);
    expectClose(bt.metrics[MET_TOTAL_RETURN], equity[9]! / 10_000 - 1);
    // Peak at t=5, trough at t=8.
    expectClose(bt.metrics[MET_MAX_DRAWDOWN], (equity[5]! - equity[8]!) / equity[5]!);
  });

  it('long-only: the cross-down goes flat (exit reason signal)', () => {
    const bt = run(k, m, 'sma-cross', [1, 2], { commission: fee, cash: 10_000, allowShort: false });
    expect(bt.tradeCount).toBe(2);
    const [t1, t2] = [trade(bt, 0), trade(bt, 1)];
    expect([t1.entryBar, t1.exitBar, t1.exitReason]).toEqual([3, 7, EXIT_SIGNAL]);
    expect([t2.entryBar, t2.exitBar, t2.direction, t2.exitReason]).toEqual([9, 9, 1, EXIT_END]);
    expectClose(t1.pnl, -20);
    // Flat from the fill at open[7] until open[9]: equity stays at 9980.
    expectSeriesClose(bt.equity!.subarray(7, 9), [9980, 9980]);
    // Long at open[9] with equity 9980: units 99.8; E[9] = 9980 - 9.98 + 99.8 x (103 - 100).
    const u = 9980 / 100;
    expectClose(bt.equity![9], 9980 - u * 100 - fee * (u * 100) + u * 103);
  });

  it('close fills: the signal bar fills at its own close', () => {
    // Signals at t = 2, 6, 8 fill at close[2] = 101, close[6] = 101, close[8] = 102.
    const bt = run(k, m, 'sma-cross', [1, 2], { commission: 0, cash: 10_000, fill: 'close' });
    const t = [trade(bt, 0), trade(bt, 1), trade(bt, 2)];
    expect(t.map((x) => [x.entryBar, x.exitBar, x.entryPrice, x.exitPrice])).toEqual([
      [2, 6, 101, 101],
      [6, 8, 101, 102],
      [8, 9, 102, 103],
    ]);
    // No commission: a flat long, a short that lost 1 per unit (10000 / 101 units), a long that gained 1 per unit.
    expectClose(t[0]!.pnl, 0);
    expectClose(t[1]!.pnl, -10_000 / 101);
    expectClose(t[2]!.pnl, ((10_000 - 10_000 / 101) / 102) * 1);
  });

  it('slippage moves every fill price against the trade; lot sizes floor the units', () => {
    // Long at 100 x 1.01 = 101: 10000 / 101 = 99.0 -> lot 10 -> 90 units; exit at 100 x 0.99 = 99.
    const bt = run(k, m, 'sma-cross', [1, 2], { commission: 0, cash: 10_000, slippage: 0.01, lotSize: 10, allowShort: false });
    const t1 = trade(bt, 0);
    expectClose(t1.entryPrice, 101);
    expectClose(t1.exitPrice, 99);
    expect(t1.units).toBe(90);
    expectClose(t1.pnl, 90 * (100 * 0.99 - 100 * 1.01));
  });
});

// ---------------------------------------------------------------------------------------------
// stoch-rsi-bands: stops and targets. The entry comes from a seeded random walk (the kernels'
// indicator series locate the first entry signal); the bars after it are shaped by hand around
// the stop and target levels, which the test computes from the fill price and the ATR at the
// signal bar. Signals use data up to their bar only, so appending bars never moves the entry.

interface Entry {
  bars: Bars;
  /** The signal bar: the last bar of `bars`. */
  s: number;
  /** ATR at the signal bar. */
  atr: number;
}

const STOP_ATR = 2;
const TAKE_ATR = 3;
const RISK = 0.01;
const ATR_PERIOD = 5;
// rsiK, stochK, kSmooth, dSmooth, oversold, overbought, atrK, sensitivity, adjust (0: fixed
// bands), stopAtr, takeProfitAtr, riskPerTrade.
const LONG_GENES = [5, 5, 2, 2, 30, 95, 5, 1.5, 0, STOP_ATR, TAKE_ATR, RISK];
const SHORT_GENES = [5, 5, 2, 2, 5, 70, 5, 1.5, 0, STOP_ATR, TAKE_ATR, RISK];

function walk(seed: number, n: number): Bars {
  const rng = new Random(seed);
  const b: Bars = { open: [], high: [], low: [], close: [] };
  let prev = 100;
  for (let t = 0; t < n; t++) {
    const o = prev * (1 + 0.002 * rng.normal());
    const c = o * (1 + 0.01 * rng.normal());
    b.open.push(o);
    b.close.push(c);
    b.high.push(Math.max(o, c) * (1 + 0.005 * rng.next()));
    b.low.push(Math.min(o, c) * (1 - 0.005 * rng.next()));
    prev = c;
  }
  return b;
}

/** The SPEC section 4 entry conditions at bar t, from the kernels' indicator series. */
function signalsOf(k: KernelSet, b: Bars, genes: number[]): { long: (t: number) => boolean; short: (t: number) => boolean; atr: Float64Array; k: Float64Array; upper: Float64Array; lower: Float64Array } {
  const [rsiK, stochK, kS, dS, os, ob, atrK, sens, adj] = genes as [number, number, number, number, number, number, number, number, number];
  const s = k.stochRsi(Float64Array.from(b.close), rsiK, stochK, kS, dS);
  const atr = k.atr(Float64Array.from(b.high), Float64Array.from(b.low), Float64Array.from(b.close), ATR_PERIOD);
  const bands = k.bands(atr, atrK, os, ob, sens, adj);
  const K = s.k;
  const D = s.d;
  return {
    long: (t) => K[t - 1]! <= D[t - 1]! && K[t]! > D[t]! && K[t]! < bands.lower[t]! && atr[t]! > 0,
    short: (t) => K[t - 1]! >= D[t - 1]! && K[t]! < D[t]! && K[t]! > bands.upper[t]! && atr[t]! > 0,
    atr,
    k: K,
    upper: bands.upper,
    lower: bands.lower,
  };
}

/** The first seeded walk whose first entry signal goes in direction dir, cut after that bar. */
function firstEntry(k: KernelSet, dir: 1 | -1): Entry {
  const genes = dir > 0 ? LONG_GENES : SHORT_GENES;
  for (let seed = 1; seed < 500; seed++) {
    const b = walk(seed, 150);
    const sig = signalsOf(k, b, genes);
    for (let t = 1; t < 150; t++) {
      const long = sig.long(t);
      const short = dir < 0 && sig.short(t);
      if (!long && !short) continue;
      if (long !== dir > 0) break;
      const cut = (xs: number[]): number[] => xs.slice(0, t + 1);
      return { bars: { open: cut(b.open), high: cut(b.high), low: cut(b.low), close: cut(b.close) }, s: t, atr: sig.atr[t]! };
    }
  }
  throw new Error('no entry found');
}

function extend(e: Entry, ...tail: [number, number, number, number][]): Bars {
  const b: Bars = { open: [...e.bars.open], high: [...e.bars.high], low: [...e.bars.low], close: [...e.bars.close] };
  for (const [o, h, l, c] of tail) {
    expect(h >= Math.max(o, c) && l <= Math.min(o, c) && l > 0, 'valid OHLC').toBe(true);
    b.open.push(o);
    b.high.push(h);
    b.low.push(l);
    b.close.push(c);
  }
  return b;
}

describe.each(SETS.map((k) => [k.name, k] as const))('stoch-rsi-bands stops and targets by hand on %s', (_name, k) => {
  const fee = 0.001;
  const opts = (short: boolean): BacktestOptions => ({
    commission: fee, slippage: 0, cash: 10_000, sizing: 'risk', maxLeverage: 1, minPriceRisk: 0.001,
    lotSize: 0, atrPeriod: ATR_PERIOD, allowShort: short,
  });

  /** Expected units and PnL of a trade entered at price o (risk sizing) and left at price x. */
  function expected(dir: 1 | -1, o: number, a: number, x: number): { units: number; pnl: number; cash: number } {
    // units = risk x equity / max(stopAtr x ATR, 0.001 x price), capped at 1 x equity / price.
    const units = dir * Math.min((RISK * 10_000) / Math.max(STOP_ATR * a, 0.001 * o), 10_000 / o);
    const cashIn = 10_000 - units * o - fee * Math.abs(units * o);
    const cash = cashIn + units * x - fee * Math.abs(units * x);
    return { units, pnl: cash - 10_000, cash };
  }

  function check(bt: RawBacktest, e: Entry, dir: 1 | -1, exitBar: number, exitPrice: number, reason: number, entryBar = e.s + 1): void {
    expect(bt.tradeCount).toBeGreaterThanOrEqual(1);
    const t = trade(bt, 0);
    const o = e.bars.close[e.s]!; // every scenario opens the fill bar at the signal bar's close
    const x = expected(dir, o, e.atr, exitPrice);
    expect([t.entryBar, t.exitBar, t.direction, t.exitReason]).toEqual([entryBar, exitBar, dir, reason]);
    expect(t.entryPrice).toBe(o);
    expectClose(t.exitPrice, exitPrice, 'exit price');
    expectClose(t.units, x.units, 'units');
    expectClose(t.pnl, x.pnl, 'pnl');
    // Flat after the exit: equity at the exit bar is the cash left.
    expectClose(bt.equity![exitBar], x.cash, 'equity at exit');
  }

  it('long: the stop is hit inside the fill bar and fills at the stop level', () => {
    const e = firstEntry(k, 1);
    const [o, a] = [e.bars.close[e.s]!, e.atr];
    const stop = o - STOP_ATR * a;
    // Fill bar (the last bar): opens at o, dips below the stop, stays under the target.
    const b = extend(e, [o, o + a, stop - 0.5 * a, stop - 0.25 * a]);
    const bt = run(k, market(b), 'stoch-rsi-bands', LONG_GENES, opts(false));
    expect(bt.tradeCount).toBe(1);
    check(bt, e, 1, e.s + 1, stop, EXIT_STOP);
  });

  it('long: the take-profit is hit and fills at the target level', () => {
    const e = firstEntry(k, 1);
    const [o, a] = [e.bars.close[e.s]!, e.atr];
    const target = o + TAKE_ATR * a;
    const b = extend(e, [o, target + 0.5 * a, o - a, target]);
    const bt = run(k, market(b), 'stoch-rsi-bands', LONG_GENES, opts(false));
    expect(bt.tradeCount).toBe(1);
    check(bt, e, 1, e.s + 1, target, EXIT_TARGET);
  });

  it('long: stop and target touched in one bar: the stop wins', () => {
    const e = firstEntry(k, 1);
    const [o, a] = [e.bars.close[e.s]!, e.atr];
    const [stop, target] = [o - STOP_ATR * a, o + TAKE_ATR * a];
    const b = extend(e, [o, target + 0.5 * a, stop - 0.5 * a, o]);
    const bt = run(k, market(b), 'stoch-rsi-bands', LONG_GENES, opts(false));
    check(bt, e, 1, e.s + 1, stop, EXIT_STOP);
  });

  it('long: a gap through the stop fills at the open, a gap through the target too', () => {
    const e = firstEntry(k, 1);
    const [o, a] = [e.bars.close[e.s]!, e.atr];
    const [stop, target] = [o - STOP_ATR * a, o + TAKE_ATR * a];
    // Fill bar: quiet and a little lower (no level touched, %K stays under the upper band, so
    // no signal exit); the next bar opens below the stop (or above the target).
    const quiet: [number, number, number, number] = [o, o + 0.5 * a, o - a, o - 0.5 * a];
    for (const [gapOpen, reason] of [[stop - a, EXIT_STOP], [target + a, EXIT_TARGET]] as const) {
      const b = extend(e, quiet, [gapOpen, gapOpen + 0.25 * a, gapOpen - 0.5 * a, gapOpen]);
      const sig = signalsOf(k, b, LONG_GENES);
      expect(sig.k[e.s + 1]! <= sig.upper[e.s + 1]!, 'no signal exit on the quiet bar').toBe(true);
      const bt = run(k, market(b), 'stoch-rsi-bands', LONG_GENES, opts(false));
      expect(bt.tradeCount).toBe(1);
      check(bt, e, 1, e.s + 2, gapOpen, reason);
    }
  });

  it('close fills: the entry fills at the signal bar\'s close, stops are checked from the next bar', () => {
    const e = firstEntry(k, 1);
    const [o, a] = [e.bars.close[e.s]!, e.atr];
    const stop = o - STOP_ATR * a;
    const b = extend(e, [o, o + a, stop - 0.5 * a, stop - 0.25 * a]);
    const bt = run(k, market(b), 'stoch-rsi-bands', LONG_GENES, { ...opts(false), fill: 'close' });
    expect(bt.tradeCount).toBe(1);
    check(bt, e, 1, e.s + 1, stop, EXIT_STOP, e.s);
  });

  it('short (mirrored): the stop above the fill is hit and fills at the stop level', () => {
    const e = firstEntry(k, -1);
    const [o, a] = [e.bars.close[e.s]!, e.atr];
    const stop = o + STOP_ATR * a;
    const b = extend(e, [o, stop + 0.5 * a, o - a, stop]);
    const bt = run(k, market(b), 'stoch-rsi-bands', SHORT_GENES, opts(true));
    expect(bt.tradeCount).toBe(1);
    check(bt, e, -1, e.s + 1, stop, EXIT_STOP);
  });

  it('short: the target below the fill is hit and fills at the target level', () => {
    const e = firstEntry(k, -1);
    const [o, a] = [e.bars.close[e.s]!, e.atr];
    const target = o - TAKE_ATR * a;
    const b = extend(e, [o, o + a, target - 0.5 * a, target]);
    const bt = run(k, market(b), 'stoch-rsi-bands', SHORT_GENES, opts(true));
    check(bt, e, -1, e.s + 1, target, EXIT_TARGET);
  });
});
