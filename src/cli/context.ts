import { existsSync, statSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import type { MarketData } from '../data/market.js';
import { loadMarket } from '../data/load.js';
import { loadMarkets, resolveDataPaths } from '../data/basket.js';
import type { InputPath } from './outputs.js';
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
  /** `--data`, repeatable: files, directories or globs (see resolveDataPaths). */
  data?: string[];
  synthBars: number;
  synthSeed: number;
}

export const DATA_DEFAULTS = { synthBars: DEFAULT_SYNTHETIC_BARS, synthSeed: DEFAULT_SYNTHETIC_SEED };

/** Fails as a usage error, naming the option, when a file option points at nothing. */
export function requireFile(option: string, path: string): void {
  if (!existsSync(path)) throw configError(option, `file not found: ${path}`);
  if (!statSync(path).isFile()) throw configError(option, `not a file: ${path}`);
}

/** The files `--data` names (none without --data), resolved once. */
export function dataFiles(o: Pick<DataOptions, 'data'>): string[] {
  return o.data === undefined ? [] : resolveDataPaths(o.data, '--data');
}

/** Each data file as an input of the outputs check. */
export function dataInputs(files: readonly string[]): InputPath[] {
  return files.map((path) => ({ option: '--data', path }));
}

/**
 * The markets of a command: every file `files` holds (see dataFiles), all loaded and validated
 * before any is used, or the built-in synthetic series when there is none.
 */
export async function loadDataMarkets(o: DataOptions, files: readonly string[]): Promise<MarketData[]> {
  if (files.length > 0) return loadMarkets(files, '--data');
  return [synthetic({ bars: o.synthBars, seed: o.synthSeed })];
}

/** `--data FILE` (CSV or Parquet, by extension), or the built-in synthetic series: one market. */
export async function loadData(o: { data?: string | string[] | undefined; synthBars: number; synthSeed: number }): Promise<MarketData> {
  if (typeof o.data === 'string') {
    requireFile('--data', o.data);
    return loadMarket(o.data);
  }
  const files = dataFiles({ ...(o.data !== undefined ? { data: o.data } : {}) });
  if (files.length > 1) throw configError('--data', `this command takes one market, got ${files.length} files (${files.join(', ')})`);
  return (await loadDataMarkets(o as DataOptions, files))[0]!;
}

export function notEmpty(raw: string): string {
  if (raw.trim() === '') throw new InvalidArgumentError('must not be empty.');
  return raw;
}
