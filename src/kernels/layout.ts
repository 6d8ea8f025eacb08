// Layout of the vectors that cross the JS/WASM boundary. Twin: assembly/layout.ts
// (test/kernels/layout.test.ts checks that both files define the same numbers).

// Backtest configuration vector (f64 each).
export const CFG_COMMISSION = 0;
export const CFG_SLIPPAGE = 1;
export const CFG_CASH = 2;
export const CFG_FILL = 3; // 0 = next-open, 1 = close
export const CFG_SIZING = 4; // 0 = fraction, 1 = risk
export const CFG_FRACTION = 5;
export const CFG_LOT_SIZE = 6;
export const CFG_MAX_LEVERAGE = 7;
export const CFG_MIN_PRICE_RISK = 8;
export const CFG_SHORTS = 9; // 1 = shorts allowed, 0 = long only
export const CFG_PERIODS_PER_YEAR = 10;
export const CFG_ATR_PERIOD = 11;
/**
 * Warm-up (README "Windows and warm-up"): the index, within the bars handed to a kernel, of the
 * window's first bar. Bars before it only warm the indicators up: nothing is decided, filled,
 * marked or measured there. 0 = a cold start.
 */
export const CFG_ORIGIN = 12;
/**
 * The `warmup` option: bars before a window its indicators may use (Infinity = all history).
 * Read by the host only (src/strategy/run.ts windowSpan), which hands the kernels the window
 * with those bars before it and sets CFG_ORIGIN; no kernel reads it.
 */
export const CFG_WARMUP = 13;
export const CFG_LENGTH = 14;

export const FILL_NEXT_OPEN = 0;
export const FILL_CLOSE = 1;
export const SIZING_FRACTION = 0;
export const SIZING_RISK = 1;

// Metrics vector, one per genome (f64 each), in SPEC section 5 order, then extras.
export const MET_TOTAL_RETURN = 0;
export const MET_SHARPE = 1;
export const MET_SORTINO = 2;
export const MET_MAX_DRAWDOWN = 3;
export const MET_CALMAR = 4;
export const MET_TRADES = 5;
export const MET_WIN_RATE = 6;
export const MET_PROFIT_FACTOR = 7;
export const MET_EXPOSURE = 8;
export const MET_ANNUAL_RETURN = 9;
export const MET_LENGTH = 10;

// Trade record (f64 each).
export const TR_ENTRY_BAR = 0;
export const TR_EXIT_BAR = 1;
export const TR_DIRECTION = 2;
export const TR_UNITS = 3;
export const TR_ENTRY_PRICE = 4;
export const TR_EXIT_PRICE = 5;
export const TR_PNL = 6;
export const TR_RETURN = 7;
export const TR_EXIT_REASON = 8;
export const TR_LENGTH = 9;

export const EXIT_SIGNAL = 0;
export const EXIT_STOP = 1;
export const EXIT_TARGET = 2;
export const EXIT_END = 3;
export const EXIT_REVERSAL = 4;
export const EXIT_RUIN = 5;

/** Metric names in the order of the metrics vector (SPEC section 5, then extras). */
export const METRIC_NAMES = [
  'totalReturn',
  'sharpe',
  'sortino',
  'maxDrawdown',
  'calmar',
  'trades',
  'winRate',
  'profitFactor',
  'exposure',
  'annualReturn',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** One row of simulateBatch's input table (f64 each): addresses of target, stop and take, then riskPerTrade. */
export const SIM_ROW = 4;

export const EXIT_REASONS = ['signal', 'stop', 'target', 'end', 'reversal', 'ruin'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];
