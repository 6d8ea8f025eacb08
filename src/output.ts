import type { Trade } from './backtest.js';
import type { MarketData } from './data/market.js';
import type { Window } from './kernels/kernel-set.js';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ioError } from './errors.js';
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

/** One file of an output set: its name inside the set's directory and its content. */
export interface OutputFile {
  name: string;
  content: string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;
}

/** The name of the file that names the others; written last. */
export const OUTPUT_SET_INDEX = 'result.json';

/**
 * Writes an output set into `dir` so that a reader never takes files of two runs for one set:
 * the previous index (`result.json`) is removed first, then every file is written atomically,
 * then the index is written last, naming each file of its set with its size and sha256. A
 * reader who starts from the index and checks the digests sees one complete set or none; a
 * failure (full disk) leaves no index, and the files this attempt wrote are removed. `index`
 * receives the list of files and returns the index's content.
 */
export async function writeOutputSet(
  dir: string,
  files: readonly OutputFile[],
  index: (files: Record<string, { bytes: number; sha256: string }>) => string,
): Promise<string[]> {
  const indexPath = join(dir, OUTPUT_SET_INDEX);
  try {
    await mkdir(dir, { recursive: true });
    await unlink(indexPath).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  } catch (e) {
    throw ioError(`cannot write ${indexPath}: ${(e as Error).message}`, e);
  }
  const written: string[] = [];
  const listed: Record<string, { bytes: number; sha256: string }> = {};
  try {
    for (const f of files) {
      const w = await writeFileAtomic(join(dir, f.name), f.content);
      written.push(w.path);
      listed[f.name] = { bytes: w.bytes, sha256: w.sha256 };
    }
    await writeFileAtomic(indexPath, index(listed));
  } catch (e) {
    for (const p of written) await unlink(p).catch(() => undefined);
    throw e;
  }
  return [indexPath, ...written];
}
