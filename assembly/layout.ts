// Layout of the vectors that cross the JS/WASM boundary. Twin: src/kernels/layout.ts
// (test/kernels/layout.test.ts checks that both files define the same numbers).

// Backtest configuration vector (f64 each).
export const CFG_COMMISSION: i32 = 0;
export const CFG_SLIPPAGE: i32 = 1;
export const CFG_CASH: i32 = 2;
export const CFG_FILL: i32 = 3; // 0 = next-open, 1 = close
export const CFG_SIZING: i32 = 4; // 0 = fraction, 1 = risk
export const CFG_FRACTION: i32 = 5;
export const CFG_LOT_SIZE: i32 = 6;
export const CFG_MAX_LEVERAGE: i32 = 7;
export const CFG_MIN_PRICE_RISK: i32 = 8;
export const CFG_SHORTS: i32 = 9; // 1 = shorts allowed, 0 = long only
export const CFG_PERIODS_PER_YEAR: i32 = 10;
export const CFG_ATR_PERIOD: i32 = 11;
// Warm-up: the index, within the bars handed to a kernel, of the window's first bar (bars before
// it only warm the indicators up). 0 = a cold start. Twin: src/kernels/layout.ts.
export const CFG_ORIGIN: i32 = 12;
// The warm-up cap of the options (bars before a window; Infinity = all history). Read by the
// host only (src/strategy/run.ts), which turns it into the bars handed over and CFG_ORIGIN.
export const CFG_WARMUP: i32 = 13;
export const CFG_LENGTH: i32 = 14;

export const FILL_NEXT_OPEN: i32 = 0;
export const FILL_CLOSE: i32 = 1;
export const SIZING_FRACTION: i32 = 0;
export const SIZING_RISK: i32 = 1;

// Metrics vector, one per genome (f64 each), in SPEC section 5 order, then extras.
export const MET_TOTAL_RETURN: i32 = 0;
export const MET_SHARPE: i32 = 1;
export const MET_SORTINO: i32 = 2;
export const MET_MAX_DRAWDOWN: i32 = 3;
export const MET_CALMAR: i32 = 4;
export const MET_TRADES: i32 = 5;
export const MET_WIN_RATE: i32 = 6;
export const MET_PROFIT_FACTOR: i32 = 7;
export const MET_EXPOSURE: i32 = 8;
export const MET_ANNUAL_RETURN: i32 = 9;
export const MET_LENGTH: i32 = 10;

// Trade record (f64 each).
export const TR_ENTRY_BAR: i32 = 0;
export const TR_EXIT_BAR: i32 = 1;
export const TR_DIRECTION: i32 = 2;
export const TR_UNITS: i32 = 3;
export const TR_ENTRY_PRICE: i32 = 4;
export const TR_EXIT_PRICE: i32 = 5;
export const TR_PNL: i32 = 6;
export const TR_RETURN: i32 = 7;
export const TR_EXIT_REASON: i32 = 8;
export const TR_LENGTH: i32 = 9;

export const EXIT_SIGNAL: i32 = 0;
export const EXIT_STOP: i32 = 1;
export const EXIT_TARGET: i32 = 2;
export const EXIT_END: i32 = 3;
export const EXIT_REVERSAL: i32 = 4;
export const EXIT_RUIN: i32 = 5;

/** One row of simulateBatch's input table (f64 each): addresses of target, stop and take, then riskPerTrade. */
export const SIM_ROW: i32 = 4;
