import type { Trade } from './backtest.js';
import type { MarketData } from './data/market.js';
import type { Window } from './kernels/kernel-set.js';
import { writeFileAtomic } from './io.js';

function iso(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('T00:00:00.000Z') ? s.slice(0, 10) : s;
}

const TRADE_HEADER = 'entry_time,exit_time,direction,units,entry_price,exit_price,pnl,return,exit_reason,entry_bar,exit_bar\n';

/** Trades as CSV (one row per closed trade; numbers in shortest round-trip form). */
export function* tradesCsv(trades: readonly Trade[]): Generator<string> {
  yield TRADE_HEADER;
  let chunk = '';
  for (const t of trades) {
    chunk += `${iso(t.entryTime)},${iso(t.exitTime)},${t.direction > 0 ? 'long' : 'short'},${t.units},${t.entryPrice},${t.exitPrice},${t.pnl},${t.return},${t.exitReason},${t.entryBar},${t.exitBar}\n`;
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** The equity curve of a window as CSV: time,equity. */
export function* equityCsv(market: MarketData, window: Window, equity: Float64Array): Generator<string> {
  yield 'time,equity\n';
  let chunk = '';
  for (let i = 0; i < equity.length; i++) {
    chunk += `${iso(market.time[window.start + i]!)},${equity[i]}\n`;
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

export async function writeTradesCsv(path: string, trades: readonly Trade[]): Promise<void> {
  await writeFileAtomic(path, tradesCsv(trades));
}

export async function writeEquityCsv(path: string, market: MarketData, window: Window, equity: Float64Array): Promise<void> {
  await writeFileAtomic(path, equityCsv(market, window, equity));
}
