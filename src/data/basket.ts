// Many market files at once: what `--data` names (files, directories, globs) resolved to a
// list of files, then every file loaded and validated before any work starts.
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { configError } from '../errors.js';
import { byPath, globFiles, isGlob } from './glob.js';
import { loadMarket } from './load.js';
import type { MarketData } from './market.js';
import { marketName } from './market.js';

/** The extensions a directory's data files have (case-insensitive). */
const DATA_EXTENSIONS = new Set(['.csv', '.parquet', '.pq']);

/**
 * The files each argument names, in argument order: a file as it is; a directory as every
 * `.csv`/`.parquet`/`.pq` file directly in it, sorted by name; a pattern with `*` or `?` (see
 * globFiles) as every file it matches, sorted by path. An argument that names nothing is an
 * E_CONFIG naming `option` and the argument.
 */
export function resolveDataPaths(args: readonly string[], option = '--data'): string[] {
  const files: string[] = [];
  for (const arg of args) {
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(arg);
    } catch {
      st = undefined;
    }
    if (st?.isFile() === true) {
      files.push(arg);
    } else if (st?.isDirectory() === true) {
      const inDir = readdirSync(arg)
        .filter((n) => DATA_EXTENSIONS.has(extname(n).toLowerCase()) && !n.startsWith('.'))
        .map((n) => join(arg, n))
        .filter((p) => statSync(p, { throwIfNoEntry: false })?.isFile() === true)
        .sort(byPath);
      if (inDir.length === 0) throw configError(option, `no .csv or .parquet file in the directory ${arg}`);
      files.push(...inDir);
    } else if (st !== undefined) {
      throw configError(option, `not a file or directory: ${arg}`);
    } else if (isGlob(arg)) {
      const matched = globFiles(arg);
      if (matched.length === 0) throw configError(option, `no file matches ${arg}`);
      files.push(...matched);
    } else {
      throw configError(option, `file not found: ${arg}`);
    }
  }
  return files;
}

/**
 * Refuses two files that would be markets of the same name (the file stem, see marketName),
 * naming both files; the same file given twice is such a pair.
 */
export function checkMarketNames(files: readonly string[], option = '--data'): void {
  const seen = new Map<string, string>();
  for (const f of files) {
    const name = marketName({ source: f });
    const other = seen.get(name);
    if (other !== undefined) {
      throw configError(option, `two markets named ${name}: ${other} and ${f} (a market is named by its file's stem; rename one)`);
    }
    seen.set(name, f);
  }
}

/**
 * Loads every file (CSV or Parquet by loadMarket) and validates it, one after another, before
 * returning any: the first bad file stops the whole basket with its error (file, line, column).
 * Names are checked first (checkMarketNames). Each market keeps its own length and calendar.
 */
export async function loadMarkets(files: readonly string[], option = '--data'): Promise<MarketData[]> {
  if (files.length === 0) throw configError(option, 'names no file');
  checkMarketNames(files, option);
  const markets: MarketData[] = [];
  for (const f of files) markets.push(await loadMarket(f));
  return markets;
}
