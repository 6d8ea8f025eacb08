import type { MarketData } from './data/market.js';
import { estimatePeriodsPerYear } from './data/market.js';
import { configError, dataError } from './errors.js';
import type { StrategyFamily } from './genome/families.js';
import { genesFromParams, genesToParams } from './genome/families.js';
import type { StrategyInput } from './strategy/load.js';
import { strategyFromSync } from './strategy/load.js';
import { DEFAULT_RISK_PER_TRADE, backtestStrategy } from './strategy/run.js';
import { genomeProblem } from './strategy/strategy.js';
import type { Backend, Window } from './kernels/kernel-set.js';
import { kernelsFor } from './kernels/registry.js';
import {
  CFG_LENGTH, CFG_COMMISSION, CFG_SLIPPAGE, CFG_CASH, CFG_FILL, CFG_SIZING, CFG_FRACTION,
  CFG_LOT_SIZE, CFG_MAX_LEVERAGE, CFG_MIN_PRICE_RISK, CFG_SHORTS, CFG_PERIODS_PER_YEAR,
  CFG_ATR_PERIOD, CFG_WARMUP, FILL_CLOSE, FILL_NEXT_OPEN, SIZING_FRACTION, SIZING_RISK, METRIC_NAMES,
  TR_LENGTH, TR_ENTRY_BAR, TR_EXIT_BAR, TR_DIRECTION, TR_UNITS, TR_ENTRY_PRICE, TR_EXIT_PRICE,
  TR_PNL, TR_RETURN, TR_EXIT_REASON, EXIT_REASONS,
} from './kernels/layout.js';
import type { MetricName, ExitReason } from './kernels/layout.js';

/** How fills happen (SPEC section 2). */
export type FillMode = 'next-open' | 'close';
/** How positions are sized (SPEC section 2). */
export type SizingMode = 'fraction' | 'risk';

/** Execution options of a backtest; every field is optional and has the spec's default. */
export interface BacktestOptions {
  /** Fraction of traded notional charged on entry and on exit. @default 0.001 */
  commission?: number;
  /** Fraction applied adversely to every fill price. @default 0 */
  slippage?: number;
  /** Initial equity. @default 10000 */
  cash?: number;
  /** `next-open`: a signal at bar t fills at open[t+1]; `close`: at close[t]. @default 'next-open' */
  fill?: FillMode;
  /** @default the family's: `fraction` for sma-cross, `risk` for stoch-rsi-bands */
  sizing?: SizingMode;
  /** Target exposure as a fraction of equity (sizing `fraction`). @default 1 */
  fraction?: number;
  /** Units are floored to a multiple of this; 0 = fractional units. @default 0 */
  lotSize?: number;
  /** Cap on |units| x price / equity (sizing `risk`). @default 1 */
  maxLeverage?: number;
  /** Minimum stop distance as a fraction of price (sizing `risk`). @default 0.001 */
  minPriceRisk?: number;
  /** Trade short side too. @default the family's: true for sma-cross, false for stoch-rsi-bands */
  allowShort?: boolean;
  /** Annualisation of sharpe, sortino and calmar. @default estimated from the timestamps */
  periodsPerYear?: number;
  /** ATR period of stops and volatility bands. @default 14 */
  atrPeriod?: number;
  /**
   * Equity fraction risked per trade with sizing `risk`, for strategy modules without a
   * `riskPerTrade` gene (a gene of that name wins). @default 0.01
   */
  riskPerTrade?: number;
  /**
   * Bars before a window that its indicators may use (README "Windows and warm-up"): a window is
   * traded, marked and measured on its own bars only, its indicators are computed from up to
   * this many earlier bars of the market. A non-negative integer; 0 is a cold start (the window
   * as if the data held only its bars). undefined, Infinity or null (JSON's Infinity) = all
   * earlier bars. @default all history
   */
  warmup?: number | null;
  /** Kernel backend. @default 'wasm' */
  backend?: Backend;
  /** Bars to use, half-open [start, end). @default the whole series */
  window?: Window;
}

/** Every option with its value decided (warmup: a bar count, or null for all history). */
export type ResolvedOptions = Required<Omit<BacktestOptions, 'window'>>;

export const BACKTEST_DEFAULTS = {
  commission: 0.001,
  slippage: 0,
  cash: 10_000,
  fill: 'next-open' as FillMode,
  fraction: 1,
  lotSize: 0,
  maxLeverage: 1,
  minPriceRisk: 0.001,
  atrPeriod: 14,
  riskPerTrade: DEFAULT_RISK_PER_TRADE,
  /** All history (null; Infinity and undefined mean the same). */
  warmup: null as number | null,
  backend: 'wasm' as Backend,
};

/** The metrics of one backtest, by the spec's names (SPEC section 5). */
export type Metrics = Record<MetricName, number>;

/** One closed trade. Bars are indices into the market data (not the window). */
export interface Trade {
  entryBar: number;
  exitBar: number;
  entryTime: number;
  exitTime: number;
  direction: 1 | -1;
  units: number;
  entryPrice: number;
  exitPrice: number;
  /** Net of both commissions. */
  pnl: number;
  /** pnl / equity at entry. */
  return: number;
  exitReason: ExitReason;
}

/** What `backtest` returns. */
export interface BacktestResult {
  strategy: string;
  /** The strategy's module file (null for a definition given as an object) and content digest. */
  file: string | null;
  digest: string;
  params: Record<string, number>;
  options: ResolvedOptions;
  window: Window;
  metrics: Metrics;
  trades: Trade[];
  /** Mark-to-market equity per bar of the window. */
  equity: Float64Array;
}

function finite(option: string, v: number, lo: number, hi: number, loOpen = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (loOpen ? v <= lo : v < lo) || v > hi) {
    const range = `${loOpen ? '(' : '['}${lo}, ${hi === Infinity ? 'inf)' : `${hi}]`}`;
    throw configError(option, `must be a number in ${range}, got ${String(v)}`);
  }
  return v;
}

/**
 * Fills in defaults and validates every option (E_CONFIG naming the option). periodsPerYear
 * is estimated from the timestamps of `window` (default: the whole market) when not given.
 */
export function resolveOptions(family: StrategyFamily, market: MarketData, o: BacktestOptions = {}, window?: Window): ResolvedOptions {
  const d = BACKTEST_DEFAULTS;
  const sizing = o.sizing ?? family.defaultSizing;
  if (sizing !== 'fraction' && sizing !== 'risk') throw configError('sizing', `must be fraction or risk, got ${String(sizing)}`);
  if (!family.sizings.includes(sizing)) {
    throw configError('sizing', `${family.name} supports ${family.sizings.join(', ')}, not ${sizing}`);
  }
  const fill = o.fill ?? d.fill;
  if (fill !== 'next-open' && fill !== 'close') throw configError('fill', `must be next-open or close, got ${String(fill)}`);
  const backend = o.backend ?? d.backend;
  if (backend !== 'wasm' && backend !== 'ts') throw configError('backend', `must be wasm or ts, got ${String(backend)}`);
  let ppy = o.periodsPerYear;
  if (ppy === undefined) {
    ppy = estimatePeriodsPerYear(market, window);
    if (!Number.isFinite(ppy)) {
      throw configError('periodsPerYear', 'cannot be estimated from the timestamps (fewer than two bars or no time span); give it');
    }
  }
  const atrPeriod = finite('atrPeriod', o.atrPeriod ?? d.atrPeriod, 1, 1e6);
  if (!Number.isInteger(atrPeriod)) throw configError('atrPeriod', `must be an integer, got ${atrPeriod}`);
  const warmup = o.warmup === undefined || o.warmup === null || o.warmup === Infinity ? null : o.warmup;
  if (warmup !== null && !(typeof warmup === 'number' && Number.isInteger(warmup) && warmup >= 0)) {
    throw configError('warmup', `must be a non-negative integer (bars before a window; omit it for all history), got ${String(warmup)}`);
  }
  return {
    commission: finite('commission', o.commission ?? d.commission, 0, 0.5),
    slippage: finite('slippage', o.slippage ?? d.slippage, 0, 0.5),
    cash: finite('cash', o.cash ?? d.cash, 0, Number.MAX_VALUE, true),
    fill,
    sizing,
    fraction: finite('fraction', o.fraction ?? d.fraction, 0, 100, true),
    lotSize: finite('lotSize', o.lotSize ?? d.lotSize, 0, Number.MAX_VALUE),
    maxLeverage: finite('maxLeverage', o.maxLeverage ?? d.maxLeverage, 0, 1000, true),
    minPriceRisk: finite('minPriceRisk', o.minPriceRisk ?? d.minPriceRisk, 0, 1, true),
    allowShort: o.allowShort ?? family.defaultAllowShort,
    periodsPerYear: finite('periodsPerYear', ppy, 0, 1e9, true),
    atrPeriod,
    riskPerTrade: finite('riskPerTrade', o.riskPerTrade ?? d.riskPerTrade, 0, 1, true),
    warmup,
    backend,
  };
}

/** The kernels' configuration vector (layout in src/kernels/layout.ts). */
export function configVector(o: ResolvedOptions): Float64Array {
  const c = new Float64Array(CFG_LENGTH);
  c[CFG_COMMISSION] = o.commission;
  c[CFG_SLIPPAGE] = o.slippage;
  c[CFG_CASH] = o.cash;
  c[CFG_FILL] = o.fill === 'close' ? FILL_CLOSE : FILL_NEXT_OPEN;
  c[CFG_SIZING] = o.sizing === 'risk' ? SIZING_RISK : SIZING_FRACTION;
  c[CFG_FRACTION] = o.fraction;
  c[CFG_LOT_SIZE] = o.lotSize;
  c[CFG_MAX_LEVERAGE] = o.maxLeverage;
  c[CFG_MIN_PRICE_RISK] = o.minPriceRisk;
  c[CFG_SHORTS] = o.allowShort ? 1 : 0;
  c[CFG_PERIODS_PER_YEAR] = o.periodsPerYear;
  c[CFG_ATR_PERIOD] = o.atrPeriod;
  c[CFG_WARMUP] = o.warmup ?? Infinity;
  return c;
}

/** The whole series, or a checked window of it (at least two bars). */
export function resolveWindow(market: MarketData, w: Window | undefined, option = 'window'): Window {
  // Without a window the data itself is too short: say so about the data, not an option.
  if (w === undefined && market.length < 2) {
    throw dataError({ file: market.source, line: 0, column: 0 }, `has ${market.length} bar${market.length === 1 ? '' : 's'}; a backtest needs at least 2`);
  }
  const win = w ?? { start: 0, end: market.length };
  if (!Number.isInteger(win.start) || !Number.isInteger(win.end) || win.start < 0 || win.end > market.length || win.end - win.start < 2) {
    throw configError(option, `must be whole bars within [0, ${market.length}] spanning at least 2 bars, got [${win.start}, ${win.end})`);
  }
  return { start: win.start, end: win.end };
}

export function metricsFromVector(v: ArrayLike<number>, offset = 0): Metrics {
  const m = {} as Metrics;
  METRIC_NAMES.forEach((name, i) => {
    m[name] = v[offset + i]!;
  });
  return m;
}

export function tradesFromRecords(records: Float64Array, count: number, market: MarketData, start: number): Trade[] {
  const out: Trade[] = [];
  for (let i = 0; i < count; i++) {
    const p = i * TR_LENGTH;
    const entryBar = start + records[p + TR_ENTRY_BAR]!;
    const exitBar = start + records[p + TR_EXIT_BAR]!;
    out.push({
      entryBar,
      exitBar,
      entryTime: market.time[entryBar]!,
      exitTime: market.time[exitBar]!,
      direction: records[p + TR_DIRECTION]! > 0 ? 1 : -1,
      units: records[p + TR_UNITS]!,
      entryPrice: records[p + TR_ENTRY_PRICE]!,
      exitPrice: records[p + TR_EXIT_PRICE]!,
      pnl: records[p + TR_PNL]!,
      return: records[p + TR_RETURN]!,
      exitReason: EXIT_REASONS[records[p + TR_EXIT_REASON]!] ?? 'signal',
    });
  }
  return out;
}

/**
 * Backtests one parameter set of a strategy on market data: metrics, trades and the equity
 * curve. `strategy` is a built-in's name, the path or file: URL of a strategy module, or a
 * definition. Parameters not given take the strategy's defaults; options take the spec's.
 */
export function backtest(
  market: MarketData,
  strategy: StrategyInput,
  params: Record<string, number> = {},
  options: BacktestOptions = {},
): BacktestResult {
  const family = strategyFromSync(strategy);
  const genes = genesFromParams(family, params);
  const problem = genomeProblem(family, genes, 0);
  if (problem !== null) throw configError(`param ${family.genes[0]!.name}`, problem);
  const window = resolveWindow(market, options.window);
  const resolved = resolveOptions(family, market, options, window);
  const raw = backtestStrategy(
    kernelsFor(resolved.backend), market, window, family, genes,
    { cfg: configVector(resolved), riskPerTrade: resolved.riskPerTrade }, null, { equity: true, trades: true },
  );
  return {
    strategy: family.name,
    file: family.file,
    digest: family.digest,
    params: genesToParams(family, genes),
    options: resolved,
    window,
    metrics: metricsFromVector(raw.metrics),
    trades: tradesFromRecords(raw.trades!, raw.tradeCount, market, window.start),
    equity: raw.equity!,
  };
}
