import { existsSync, statSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import type { MarketData } from '../data/market.js';
import { loadMarket } from '../data/load.js';
import { synthetic, DEFAULT_SYNTHETIC_BARS, DEFAULT_SYNTHETIC_SEED } from '../data/synthetic.js';
import { configError } from '../errors.js';

/** Where a command writes: stdout and stderr by default, buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal. */
  isTTY: boolean;
  /** Whether stderr is a terminal (progress bars only then). */
  errIsTTY?: boolean;
  /** Width of the terminal stderr writes to (the progress line fits it); unknown: 80. */
  errColumns?: number;
}

/** Exit status a command asks for (0 unless it says otherwise). */
export interface RunState {
  exitCode: number;
}

/** Data options shared by every command that reads market data. */
export interface DataOptions {
  data?: string;
  synthBars: number;
  synthSeed: number;
}

export const DATA_DEFAULTS = { synthBars: DEFAULT_SYNTHETIC_BARS, synthSeed: DEFAULT_SYNTHETIC_SEED };

/** Fails as a usage error, naming the option, when a file option points at nothing. */
export function requireFile(option: string, path: string): void {
  if (!existsSync(path)) throw configError(option, `file not found: ${path}`);
  if (!statSync(path).isFile()) throw configError(option, `not a file: ${path}`);
}

/** `--data FILE` (CSV or Parquet, by extension), or the built-in synthetic series. */
export async function loadData(o: DataOptions): Promise<MarketData> {
  if (o.data !== undefined) {
    requireFile('--data', o.data);
    return loadMarket(o.data);
  }
  return synthetic({ bars: o.synthBars, seed: o.synthSeed });
}

export function notEmpty(raw: string): string {
  if (raw.trim() === '') throw new InvalidArgumentError('must not be empty.');
  return raw;
}
