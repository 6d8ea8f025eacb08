// The public shape of a strategy module (SPEC section 9): what a user writes and what `signals`
// receives. Only types live here; src/strategy/define.ts checks a definition at runtime.
import type { BandSeries, StochRsiSeries } from '../kernels/kernel-set.js';

/** One gene of a strategy: a named parameter the GA searches within [min, max]. */
export interface GeneDef {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly kind: 'int' | 'real';
  /** The value a backtest uses when none is given; inside [min, max]. */
  readonly default: number;
  /** Shown by `evoquant strategies` and `strategy check`. @default '' */
  readonly description?: string;
  /**
   * Inclusive domain a backtest accepts (wider than the search bounds, say any period >= 1).
   * @default [min, max]
   */
  readonly limit?: readonly [number, number];
}

/** A genome as the strategy sees it: gene name -> value. */
export type Params = Record<string, number>;

/** Read-only indicator results (the same array may be handed to every genome that asks). */
export type Series = Readonly<Float64Array>;

/**
 * Indicators of `ctx.ind`: the KernelSet methods of the same names (WASM or TypeScript twin,
 * whichever backend runs), computed once per worker and window for the same inputs and shared
 * by every genome that asks (SPEC section 3). Results must not be modified.
 */
export interface Indicators {
  sma(src: Series, period: number): Series;
  ema(src: Series, period: number): Series;
  rsi(src: Series, period: number): Series;
  atr(high: Series, low: Series, close: Series, period: number): Series;
  stochRsi(src: Series, rsiK: number, stochK: number, kSmooth: number, dSmooth: number): Readonly<StochRsiSeries>;
  bands(atr: Series, atrK: number, oversold: number, overbought: number, sensitivity: number, adjust: number): Readonly<BandSeries>;
  /** Rolling sample standard deviation (ddof 1) of the last `period` values. */
  stdev(src: Series, period: number): Series;
  /** Rolling maximum of the last `period` values. */
  highest(src: Series, period: number): Series;
  /** Rolling minimum of the last `period` values. */
  lowest(src: Series, period: number): Series;
  /**
   * Where a crosses b, as a target series: 1 where a crosses above b between bars t - 1 and t
   * (a[t-1] <= b[t-1] and a[t] > b[t]), -1 where it crosses below, NaN elsewhere (keep) and at
   * bar 0; no cross where either is NaN. The loop of a crossover strategy, run as a kernel:
   * `return { target: ctx.ind.cross(fast, slow) }`. Computed for each call (not cached).
   */
  cross(a: Series, b: Series): Series;
}

/**
 * What `signals` reads (read only): the bars of the window being evaluated preceded by its
 * warm-up bars (README "Windows and warm-up"), and the indicators. The window begins at index
 * `start` of every series; targets (entries, exits, stop and take distances) before it are
 * ignored: nothing is decided, filled or measured there.
 */
export interface StrategyContext {
  readonly open: Series;
  readonly high: Series;
  readonly low: Series;
  readonly close: Series;
  readonly volume: Series;
  /** Epoch milliseconds. */
  readonly time: Series;
  /** Bars of the warm-up and the window together (the length of every series). */
  readonly length: number;
  /**
   * Index of the window's first bar in the series: the warm-up bars before it (all the market's
   * earlier bars by default, at most the `warmup` option's; 0 for a cold start).
   */
  readonly start: number;
  readonly ind: Indicators;
}

/** Per-bar values a strategy may return as a plain array or any typed array. */
export type BarValues = ArrayLike<number>;
/** Per-bar flags (truthy = set). */
export type BarFlags = ArrayLike<number | boolean>;

/** Optional per-bar stop and take-profit distances in price units, taken at the signal bar. */
export interface StopSeries {
  stopDistance?: BarValues;
  takeDistance?: BarValues;
}

/** The desired position at each bar's close, in [-1, 1]; NaN keeps what is held. */
export interface TargetSignals extends StopSeries {
  target: BarValues;
}

/** vectorbt/freqtrade-style flags: long entries and exits, optionally short ones. */
export interface EntryExitSignals extends StopSeries {
  entries: BarFlags;
  exits: BarFlags;
  shortEntries?: BarFlags;
  shortExits?: BarFlags;
}

export type Signals = TargetSignals | EntryExitSignals;

/**
 * A strategy (SPEC section 9): a name, genes, an optional idempotent repair and one function
 * from bars to signals. The default export of a strategy module.
 */
export interface StrategyDefinition {
  /** Lower-case letters, digits and dashes, starting with a letter (`ema-cross`). */
  readonly name: string;
  readonly description?: string;
  readonly genes: readonly GeneDef[];
  /** Restores the strategy's constraints in place (`fast < slow`); must be idempotent. */
  repair?(p: Params): void;
  /**
   * Signals of one genome over ctx's bars (the warm-up and the window), decided at each bar's
   * close from bars up to it; only those from ctx.start on are acted upon.
   */
  signals(ctx: StrategyContext, p: Params): Signals;
  /** Sizing used unless the run says otherwise. @default 'fraction' */
  readonly sizing?: 'fraction' | 'risk';
  /** Trade shorts unless the run says otherwise. @default true */
  readonly allowShort?: boolean;
}
