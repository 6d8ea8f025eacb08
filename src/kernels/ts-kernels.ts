import type { MarketData } from '../data/market.js';
import type { KernelSet, RawBacktest, Window } from './kernel-set.js';
import type { TsBars } from './fused.js';
import { MET_LENGTH, TR_LENGTH } from './layout.js';
import { checkCrossLengths, checkStatus } from './chunking.js';
import { setStopCheck } from './host.js';
import { E_STOPPED } from './status.js';
import { sma } from './indicators/sma.js';
import { ema } from './indicators/ema.js';
import { rsi } from './indicators/rsi.js';
import { stochOf, stochRsi } from './indicators/stoch-rsi.js';
import { atr } from './indicators/atr.js';
import { bands } from './indicators/bands.js';
import { stdev } from './indicators/stdev.js';
import { highest, lowest } from './indicators/extremes.js';
import { cross } from './indicators/cross.js';
import { sizeFraction, sizeRisk } from './sizing/sizing.js';
import * as m from './metrics/metrics.js';
import { interleaveBars } from './strategies/sma-cross-batch.js';
import { simulate, simulateBatch } from './strategies/simulate.js';
import { checkSimulateInput } from './simulate-input.js';
import { originOf } from './origin.js';

/** The plain TypeScript twins behind the KernelSet interface. */
export function createTsKernels(): KernelSet {
  let scratch = new Float64Array(0);
  const series = (n: number): Float64Array => new Float64Array(n);
  // (close, open) pairs of the last market evaluated, the batch kernel's input: built once per market.
  let interleaved: { market: MarketData; bars: Float64Array } | null = null;
  const barsOf = (market: MarketData): Float64Array => {
    if (interleaved === null || interleaved.market !== market) {
      const bars = new Float64Array(2 * market.length);
      interleaveBars(market.open, market.close, market.length, bars);
      interleaved = { market, bars };
    }
    return interleaved.bars;
  };
  const scratchBytesFor = (bytes: number): Float64Array => {
    const need = Math.ceil(bytes / 8);
    if (scratch.length < need) scratch = new Float64Array(need);
    return scratch;
  };
  const view = (market: MarketData, w: Window): TsBars => ({
    open: market.open.subarray(w.start, w.end),
    high: market.high.subarray(w.start, w.end),
    low: market.low.subarray(w.start, w.end),
    close: market.close.subarray(w.start, w.end),
    n: w.end - w.start,
    interleaved: () => barsOf(market).subarray(2 * w.start, 2 * w.end),
  });

  return {
    backend: 'ts',
    name: 'ts',
    sma(src, period) {
      const out = series(src.length);
      checkStatus(sma(src, src.length, period, out), 'sma');
      return out;
    },
    ema(src, period) {
      const out = series(src.length);
      checkStatus(ema(src, src.length, period, out), 'ema');
      return out;
    },
    rsi(src, period) {
      const out = series(src.length);
      checkStatus(rsi(src, src.length, period, out), 'rsi');
      return out;
    },
    stochRsi(src, rsiK, stochK, kSmooth, dSmooth) {
      const n = src.length;
      const r = { rsi: series(n), stoch: series(n), k: series(n), d: series(n) };
      checkStatus(stochRsi(src, n, rsiK, stochK, kSmooth, dSmooth, r.rsi, r.stoch, r.k, r.d), 'stochRsi');
      return r;
    },
    stochOf(src, stochK) {
      const n = src.length;
      const out = series(n);
      checkStatus(stochOf(src, n, stochK, out, series(n), series(n)), 'stochOf');
      return out;
    },
    atr(high, low, close, period) {
      const out = series(close.length);
      checkStatus(atr(high, low, close, close.length, period, out), 'atr');
      return out;
    },
    bands(a, atrK, oversold, overbought, sensitivity, adjust) {
      const n = a.length;
      const r = { lower: series(n), upper: series(n) };
      checkStatus(bands(a, n, atrK, oversold, overbought, sensitivity, adjust, r.lower, r.upper), 'bands');
      return r;
    },
    stdev(src, period) {
      const out = series(src.length);
      checkStatus(stdev(src, src.length, period, out), 'stdev');
      return out;
    },
    highest(src, period) {
      const out = series(src.length);
      checkStatus(highest(src, src.length, period, out), 'highest');
      return out;
    },
    lowest(src, period) {
      const out = series(src.length);
      checkStatus(lowest(src, src.length, period, out), 'lowest');
      return out;
    },
    cross(a, b) {
      checkCrossLengths(a, b);
      const out = series(a.length);
      checkStatus(cross(a, b, a.length, out), 'cross');
      return out;
    },
    sizeFraction(equity, price, fraction, lotSize, direction) {
      const out = series(equity.length);
      checkStatus(sizeFraction(equity, price, equity.length, fraction, lotSize, direction, out), 'sizeFraction');
      return out;
    },
    sizeRisk(equity, price, stopDistance, riskPerTrade, minPriceRisk, maxLeverage, lotSize, direction) {
      const out = series(equity.length);
      checkStatus(
        sizeRisk(equity, price, stopDistance, equity.length, riskPerTrade, minPriceRisk, maxLeverage, lotSize, direction, out),
        'sizeRisk',
      );
      return out;
    },
    returns(equity) {
      const out = series(Math.max(0, equity.length - 1));
      checkStatus(m.returns(equity, equity.length, out), 'returns');
      return out;
    },
    totalReturn: (e) => m.totalReturn(e, e.length),
    sharpe: (r, ppy) => m.sharpe(r, r.length, ppy),
    sortino: (r, ppy) => m.sortino(r, r.length, ppy),
    maxDrawdown: (e) => m.maxDrawdown(e, e.length),
    annualReturn: (e, ppy) => m.annualReturn(e, e.length, ppy),
    calmar: (e, ppy) => m.calmar(e, e.length, ppy),
    winRate: (p) => m.winRate(p, p.length),
    profitFactor: (p) => m.profitFactor(p, p.length),
    exposure: (u) => m.exposure(u, u.length),

    backtest(market, window, kernel, genes, cfg, emit = {}): RawBacktest {
      const v = view(market, window);
      const metrics = new Float64Array(MET_LENGTH);
      const windowBars = v.n - originOf(cfg, v.n, kernel.name); // the window's bars (after the warm-up)
      const equity = emit.equity === true ? new Float64Array(windowBars) : null;
      const cap = v.n + 1;
      const trades = emit.trades === true ? new Float64Array(cap * TR_LENGTH) : null;
      const bytes = kernel.scratchBytes(v.n);
      const status = kernel.ts.single(v, genes, cfg, { out: metrics, equity, trades, tradesCap: cap }, scratchBytesFor(bytes), bytes);
      checkStatus(status, kernel.name);
      const tradeCount = metrics[5]!;
      return { metrics, equity, trades: trades === null ? null : trades.slice(0, tradeCount * TR_LENGTH), tradeCount };
    },

    evaluate(market, window, kernel, genomes, count, cfg, stop) {
      const v = view(market, window);
      originOf(cfg, v.n, kernel.name);
      const out = new Float64Array(count * MET_LENGTH);
      const gs = genomes.subarray(0, count * kernel.genes);
      // The batch kernels ask between genomes whether to stop (see host.ts).
      setStopCheck(stop === undefined ? null : () => Atomics.load(stop, 0) !== 0);
      let status: number;
      try {
        const bytes = kernel.batchScratchBytes(v.n, gs);
        status = kernel.ts.batch(v, gs, count, cfg, out, scratchBytesFor(bytes), bytes);
      } finally {
        setStopCheck(null);
      }
      if (status === E_STOPPED) return null;
      checkStatus(status, kernel.name);
      return out;
    },

    simulate(market, window, input, cfg, emit = {}): RawBacktest {
      checkSimulateInput(input, window);
      const v = view(market, window);
      const metrics = new Float64Array(MET_LENGTH);
      const windowBars = v.n - originOf(cfg, v.n, 'simulate'); // the window's bars (after the warm-up)
      const equity = emit.equity === true ? new Float64Array(windowBars) : null;
      const cap = v.n + 1;
      const trades = emit.trades === true ? new Float64Array(cap * TR_LENGTH) : null;
      const status = simulate(
        v.open, v.high, v.low, v.close, v.n, input.target, input.stopDistance, input.takeDistance, input.riskPerTrade,
        cfg, metrics, equity, trades, cap,
      );
      checkStatus(status, 'simulate');
      const tradeCount = metrics[5]!;
      return { metrics, equity, trades: trades === null ? null : trades.slice(0, tradeCount * TR_LENGTH), tradeCount };
    },

    simulateBatch(market, window, inputs, cfg, stop) {
      inputs.forEach((input, i) => checkSimulateInput(input, window, i));
      const v = view(market, window);
      originOf(cfg, v.n, 'simulate');
      const out = new Float64Array(inputs.length * MET_LENGTH);
      const rows = inputs.map((s) => ({ target: s.target, stop: s.stopDistance, take: s.takeDistance, riskPerTrade: s.riskPerTrade }));
      setStopCheck(stop === undefined ? null : () => Atomics.load(stop, 0) !== 0);
      let status: number;
      try {
        status = simulateBatch(v.open, v.high, v.low, v.close, v.n, rows, rows.length, cfg, out);
      } finally {
        setStopCheck(null);
      }
      if (status === E_STOPPED) return null;
      checkStatus(status, 'simulate');
      return out;
    },
  };
}
