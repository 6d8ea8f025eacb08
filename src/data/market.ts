import { configError } from '../errors.js';
import { validateMarket } from './validate.js';
/**
 * Market data in memory (SPEC section 1): columnar Float64Arrays, time as epoch milliseconds,
 * all six columns in one SharedArrayBuffer laid out [time | open | high | low | close | volume]
 * so that worker threads read them without copies.
 */
export interface MarketData {
  /** Where the bars came from: a file path, or a description of the synthetic source. */
  readonly source: string;
  /** Number of bars. */
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  /** Volume; all zeros when the source has no volume column (see `hasVolume`). */
  readonly volume: Float64Array;
  readonly hasVolume: boolean;
  /** The buffer behind every column. */
  readonly buffer: SharedArrayBuffer;
}

export const MARKET_COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
export type MarketColumn = (typeof MARKET_COLUMNS)[number];

/** What crosses to a worker: the buffer and enough to rebuild the views. */
export interface MarketTransfer {
  source: string;
  length: number;
  hasVolume: boolean;
  buffer: SharedArrayBuffer;
}

/** Allocates the shared buffer for n bars and returns its (zeroed) column views. */
export function allocateMarket(n: number, source: string, hasVolume: boolean): MarketData {
  const buffer = new SharedArrayBuffer(Math.max(1, n) * 8 * MARKET_COLUMNS.length);
  return marketFromTransfer({ source, length: n, hasVolume, buffer });
}

export function marketFromTransfer(t: MarketTransfer): MarketData {
  const { buffer, length: n } = t;
  const col = (i: number): Float64Array => new Float64Array(buffer, i * n * 8, n);
  return {
    source: t.source,
    length: n,
    time: col(0),
    open: col(1),
    high: col(2),
    low: col(3),
    close: col(4),
    volume: col(5),
    hasVolume: t.hasVolume,
    buffer,
  };
}

export function marketTransfer(m: MarketData): MarketTransfer {
  return { source: m.source, length: m.length, hasVolume: m.hasVolume, buffer: m.buffer };
}

/** Options of marketFromArrays(). */
export interface MarketFromArraysOptions {
  /**
   * Apply the time-unit rule (times in years 1900-2200, no jump of more than a factor of 100
   * between consecutive times), which catches seconds or microseconds passed for milliseconds.
   * Turn it off only for data that really lies outside those years. The SPEC rules always apply.
   * @default true
   */
  checkTimeUnits?: boolean;
}

type Columns = { time: ArrayLike<number>; open: ArrayLike<number>; high: ArrayLike<number>; low: ArrayLike<number>; close: ArrayLike<number>; volume?: ArrayLike<number> };

/**
 * Builds shared market data from plain arrays (all the same length; volume optional; time in
 * epoch milliseconds) and validates it like a file (validateMarket(), then the time-unit rule):
 * the first problem is an `E_DATA` error naming the row and column. Columns that are missing or
 * of different lengths are `E_CONFIG`.
 */
export function marketFromArrays(columns: Columns, source = 'arrays', options: MarketFromArraysOptions = {}): MarketData {
  if (columns === null || typeof columns !== 'object') throw configError('columns', `expected an object of arrays { time, open, high, low, close, volume? }, got ${columns === null ? 'null' : typeof columns}`);
  const names = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
  for (const name of names) {
    const c = columns[name];
    if (c === undefined && name === 'volume') continue;
    if (c === null || typeof c !== 'object' || typeof c.length !== 'number') {
      throw configError(`columns.${name}`, `expected an array or typed array of numbers, got ${c === null ? 'null' : typeof c}`);
    }
  }
  const n = columns.close.length;
  for (const name of names) {
    const c = columns[name];
    if (c !== undefined && c.length !== n) throw configError(`columns.${name}`, `has ${c.length} values, but close has ${n} (every column needs one value per bar)`);
  }
  const m = allocateMarket(n, source, columns.volume !== undefined);
  m.time.set(columns.time);
  m.open.set(columns.open);
  m.high.set(columns.high);
  m.low.set(columns.low);
  m.close.set(columns.close);
  if (columns.volume !== undefined) m.volume.set(columns.volume);
  validateMarket(m, { timeUnits: options.checkTimeUnits !== false });
  return m;
}

const MS_PER_YEAR = 365.25 * 24 * 3600 * 1000;

/**
 * SPEC section 5: periods per year estimated as (N - 1) / years spanned by the first and last
 * timestamps, of the bars [start, end) a backtest uses (default: all of them), so that a
 * window annualises like a market holding only its bars. Undefined (NaN) with fewer than two
 * bars or a zero span.
 */
export function estimatePeriodsPerYear(m: MarketData, window: { start: number; end: number } = { start: 0, end: m.length }): number {
  const n = window.end - window.start;
  if (n < 2) return NaN;
  const years = (m.time[window.end - 1]! - m.time[window.start]!) / MS_PER_YEAR;
  return years > 0 ? (n - 1) / years : NaN;
}

/**
 * A market's name: the stem of its file (`data/BTCUSD.parquet` -> `BTCUSD`), or the whole
 * source for one that is not a file (the synthetic default's description).
 */
export function marketName(m: Pick<MarketData, 'source'>): string {
  const base = m.source.split(/[\\/]/).pop() ?? m.source;
  const stem = base.replace(/\.(csv|parquet)$/i, '');
  return stem === '' ? m.source : stem;
}
