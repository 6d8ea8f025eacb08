import type { MarketData } from '../data/market.js';
import type { FusedKernel } from './fused.js';

/** Where kernels run: compiled AssemblyScript (`wasm`) or their plain TypeScript twins (`ts`). */
export type Backend = 'ts' | 'wasm';

/**
 * A half-open range of bars [start, end). Handed to a KernelSet method, it is the bars the kernel
 * gets, and cfg[CFG_ORIGIN] = o says where the evaluated window begins in them: the kernel trades,
 * marks and measures bars [start + o, end) exactly as if the data held only those, while its
 * indicators use every bar from `start` (README "Windows and warm-up"; src/strategy/run.ts
 * windowSpan turns a window and the `warmup` option into these). o = 0 is a cold start.
 */
export interface Window {
  start: number;
  end: number;
}

/** What one backtest kernel returns: the metrics vector and, on request, the curve and trades. */
export interface RawBacktest {
  /** MET_LENGTH values (see `METRIC_NAMES`). */
  metrics: Float64Array;
  /** Mark-to-market equity per bar of the window (from the origin on), when asked for. */
  equity: Float64Array | null;
  /** tradeCount x TR_LENGTH values, when asked for. */
  trades: Float64Array | null;
  tradeCount: number;
}

/**
 * One set of kernels: the AssemblyScript build (release or debug) or the TypeScript twins.
 * Every implementation returns the same bits for the same inputs; that is the twin contract the
 * kernel tests check. Array methods take plain Float64Arrays and return new arrays; kernel
 * status errors are thrown as EngineError `E_KERNEL`.
 */
export interface KernelSet {
  readonly backend: Backend;
  /** `ts`, `wasm-release` or `wasm-debug`. */
  readonly name: string;

  sma(src: Float64Array, period: number): Float64Array;
  ema(src: Float64Array, period: number): Float64Array;
  rsi(src: Float64Array, period: number): Float64Array;
  stochRsi(src: Float64Array, rsiK: number, stochK: number, kSmooth: number, dSmooth: number): StochRsiSeries;
  /**
   * The raw StochRSI of a series over stochK values: stochRsi's `stoch` is stochOf of its `rsi`
   * (and its %K and %D the sma of that and of %K), the very same operations.
   */
  stochOf(src: Float64Array, stochK: number): Float64Array;
  atr(high: Float64Array, low: Float64Array, close: Float64Array, period: number): Float64Array;
  bands(atr: Float64Array, atrK: number, oversold: number, overbought: number, sensitivity: number, adjust: number): BandSeries;
  /** Rolling sample standard deviation (ddof 1) of the last `period` values, period >= 2. */
  stdev(src: Float64Array, period: number): Float64Array;
  /** Rolling maximum of the last `period` values. */
  highest(src: Float64Array, period: number): Float64Array;
  /** Rolling minimum of the last `period` values. */
  lowest(src: Float64Array, period: number): Float64Array;
  /**
   * Where a crosses b, as targets: 1 where a crosses above b between bars t - 1 and t, -1 where
   * it crosses below, NaN elsewhere (and at bar 0). a and b have the same length.
   */
  cross(a: Float64Array, b: Float64Array): Float64Array;

  sizeFraction(equity: Float64Array, price: Float64Array, fraction: number, lotSize: number, direction: number): Float64Array;
  sizeRisk(
    equity: Float64Array, price: Float64Array, stopDistance: Float64Array, riskPerTrade: number,
    minPriceRisk: number, maxLeverage: number, lotSize: number, direction: number,
  ): Float64Array;

  returns(equity: Float64Array): Float64Array;
  totalReturn(equity: Float64Array): number;
  sharpe(returns: Float64Array, periodsPerYear: number): number;
  sortino(returns: Float64Array, periodsPerYear: number): number;
  maxDrawdown(equity: Float64Array): number;
  annualReturn(equity: Float64Array, periodsPerYear: number): number;
  calmar(equity: Float64Array, periodsPerYear: number): number;
  winRate(pnl: Float64Array): number;
  profitFactor(pnl: Float64Array): number;
  exposure(units: Float64Array): number;

  /** One genome of a fused kernel over a window, with the equity curve and trade list on request. */
  backtest(
    market: MarketData, window: Window, kernel: FusedKernel, genes: Float64Array, cfg: Float64Array,
    emit?: { equity?: boolean; trades?: boolean },
  ): RawBacktest;

  /**
   * Many genomes (count x kernel.genes values, row after row) over one window: count x
   * MET_LENGTH metrics, in input order. `stop` is a shared flag checked between genomes: when
   * it holds a non-zero value the call returns null (a cooperative cancel).
   */
  evaluate(
    market: MarketData, window: Window, kernel: FusedKernel, genomes: Float64Array, count: number,
    cfg: Float64Array, stop?: Int32Array,
  ): Float64Array | null;

  /**
   * The generic simulator (README "The generic simulator"): one input's targets through the
   * account of SPEC section 2, with every execution option of `cfg`; the equity curve and trade
   * list on request.
   */
  simulate(
    market: MarketData, window: Window, input: SimulateInput, cfg: Float64Array,
    emit?: { equity?: boolean; trades?: boolean },
  ): RawBacktest;

  /**
   * simulate for many inputs over one window: inputs.length x MET_LENGTH metrics, in input
   * order; null when the shared `stop` flag is set (checked between inputs).
   */
  simulateBatch(
    market: MarketData, window: Window, inputs: readonly SimulateInput[], cfg: Float64Array, stop?: Int32Array,
  ): Float64Array | null;
}

/**
 * What the generic simulator runs for one genome: the target position per bar of the window
 * (in [-1, 1], decided at the bar's close; NaN = keep), optional stop and take distances per bar
 * (price units from the entry fill, taken at the signal bar; NaN = none), and the risk per trade
 * that `risk` sizing uses. Every series has the window's length.
 */
export interface SimulateInput {
  target: Float64Array;
  stopDistance: Float64Array | null;
  takeDistance: Float64Array | null;
  riskPerTrade: number;
}

export interface StochRsiSeries {
  rsi: Float64Array;
  stoch: Float64Array;
  k: Float64Array;
  d: Float64Array;
}

export interface BandSeries {
  lower: Float64Array;
  upper: Float64Array;
}
