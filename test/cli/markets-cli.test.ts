// `--data` as a basket: repeatable, files, directories and globs, each file a market named by its
// stem, every file loaded and validated before any work (a bad one stops the run naming its
// file, line and column), `data check` over several files, and every data file an input of the
// outputs check. The CLI runs as a user runs it (the built dist/, its own process).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvText } from '../../src/data/csv.js';
import { checkMarketNames, loadMarkets, resolveDataPaths } from '../../src/data/basket.js';
import { globFiles } from '../../src/data/glob.js';
import { marketName } from '../../src/data/market.js';
import { synthetic } from '../../src/data/synthetic.js';
import { EngineError } from '../../src/errors.js';
import { runCli } from './helpers.js';

let tmp = '';
let basket = '';
let bad = '';
/** The line (1-based, the header is line 1) and column of the value made bad. */
const BAD_LINE = 7;
const BAD_COLUMN = 3;

/** A Parquet file of the synthetic series (time as epoch ms, prices as doubles); `nanAt` puts a NaN close at that row (1-based). */
async function writeParquetOf(path: string, bars: number, seed: number, nanAt?: number): Promise<void> {
  const m = synthetic({ bars, seed });
  const close = Array.from(m.close);
  if (nanAt !== undefined) close[nanAt - 1] = NaN;
  const col = (name: string, data: number[]): { name: string; data: number[]; type: 'DOUBLE' } => ({ name, data, type: 'DOUBLE' });
  const buf = parquetWriteBuffer({
    columnData: [col('time', Array.from(m.time)), col('open', Array.from(m.open)), col('high', Array.from(m.high)), col('low', Array.from(m.low)), col('close', close)],
  });
  await writeFile(path, new Uint8Array(buf));
}

function csvOf(bars: number, seed: number): string {
  return [...csvText(synthetic({ bars, seed }))].join('');
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'evoquant-markets-cli-'));
  basket = join(tmp, 'basket');
  await mkdir(join(basket, 'deep', 'er'), { recursive: true });
  await writeFile(join(basket, 'BBB.csv'), csvOf(900, 2));
  await writeFile(join(basket, 'AAA.csv'), csvOf(1200, 1));
  await writeFile(join(basket, 'notes.txt'), 'not data\n');
  await writeFile(join(basket, '.hidden.csv'), 'not data either\n');
  await writeFile(join(basket, 'deep', 'CCC.csv'), csvOf(700, 3));
  await writeFile(join(basket, 'deep', 'er', 'DDD.csv'), csvOf(600, 4));
  // A basket whose last file (by name) has a bad high at line 7, column 3.
  bad = join(tmp, 'bad');
  await mkdir(bad);
  await writeFile(join(bad, 'A1.csv'), csvOf(800, 5));
  await writeFile(join(bad, 'A2.csv'), csvOf(800, 6));
  const lines = csvOf(800, 7).split('\n');
  const cells = lines[BAD_LINE - 1]!.split(',');
  cells[BAD_COLUMN - 1] = 'oops';
  lines[BAD_LINE - 1] = cells.join(',');
  await writeFile(join(bad, 'Z9.csv'), lines.join('\n'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('resolving --data', () => {
  it('a directory is its .csv/.parquet files sorted by name; files as given; arguments in order', () => {
    expect(resolveDataPaths([basket])).toEqual([join(basket, 'AAA.csv'), join(basket, 'BBB.csv')]);
    expect(resolveDataPaths([join(basket, 'deep', 'CCC.csv'), basket])).toEqual([join(basket, 'deep', 'CCC.csv'), join(basket, 'AAA.csv'), join(basket, 'BBB.csv')]);
  });

  it('globs: * and ? within a name, ** across directories, no hidden files, sorted', () => {
    expect(globFiles(join(basket, '*.csv'))).toEqual([join(basket, 'AAA.csv'), join(basket, 'BBB.csv')]);
    expect(globFiles(join(basket, '?AA.csv'))).toEqual([join(basket, 'AAA.csv')]);
    expect(globFiles(join(basket, '*'))).toEqual([join(basket, 'AAA.csv'), join(basket, 'BBB.csv'), join(basket, 'notes.txt')]);
    expect(globFiles(join(basket, '**', '*.csv'))).toEqual(
      [join(basket, 'AAA.csv'), join(basket, 'BBB.csv'), join(basket, 'deep', 'CCC.csv'), join(basket, 'deep', 'er', 'DDD.csv')],
    );
    expect(globFiles(join(basket, 'deep', '**'))).toEqual([join(basket, 'deep', 'CCC.csv'), join(basket, 'deep', 'er', 'DDD.csv')]);
    expect(globFiles(join(basket, '.*.csv'))).toEqual([join(basket, '.hidden.csv')]);
    // Relative patterns stay relative.
    const rel = relative(process.cwd(), basket);
    expect(globFiles(`${rel}/*.csv`)).toEqual([`${rel}/AAA.csv`, `${rel}/BBB.csv`]);
    expect(globFiles(join(basket, '*.parquet'))).toEqual([]);
  });

  it('an argument naming nothing, an empty directory or a glob matching nothing is an E_CONFIG naming it', () => {
    const fail = (args: string[]): string => {
      try {
        resolveDataPaths(args);
      } catch (e) {
        expect((e as EngineError).code).toBe('E_CONFIG');
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(fail([join(tmp, 'missing.csv')])).toBe(`--data: file not found: ${join(tmp, 'missing.csv')}`);
    expect(fail([join(basket, '*.parquet')])).toBe(`--data: no file matches ${join(basket, '*.parquet')}`);
    expect(fail([join(basket, 'deep', 'er', '..', '..', 'deep', 'er', 'nothing-*')])).toMatch(/no file matches/);
  });

  it('two markets of the same name are refused, naming both files', () => {
    expect(() => checkMarketNames([join(basket, 'AAA.csv'), join(tmp, 'x', 'AAA.parquet')])).toThrow(
      `--data: two markets named AAA: ${join(basket, 'AAA.csv')} and ${join(tmp, 'x', 'AAA.parquet')}`,
    );
  });

  it('loads every market with its own name, length and calendar', async () => {
    const ms = await loadMarkets(resolveDataPaths([basket, join(basket, 'deep', '**', '*.csv')]));
    expect(ms.map(marketName)).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);
    expect(ms.map((m) => m.length)).toEqual([1200, 900, 700, 600]);
    expect(ms[0]!.close).toEqual(synthetic({ bars: 1200, seed: 1 }).close.map((x) => Number(String(x))));
  });
});

describe('--data on the command line', () => {
  it('evolve: a basket where one file is bad stops before any evaluation, naming file, line and column', async () => {
    const out = join(tmp, 'out-bad');
    const r = await runCli(['evolve', '--data', bad, '--population', '8', '--generations', '2', '--out', out, '--threads', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: ${join(bad, 'Z9.csv').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${BAD_LINE}:${BAD_COLUMN} \\(high\\)`, 'm'));
    expect(r.stderr).not.toMatch(/^gen /m);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('data check takes several files, a directory or a glob and reports each', async () => {
    const r = await runCli(['data', 'check', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${join(bad, 'A1.csv')}: OK, 800 bars`);
    expect(r.stdout).toContain(`${join(bad, 'A2.csv')}: OK, 800 bars`);
    expect(r.stdout).toContain(`${join(bad, 'Z9.csv')}:${BAD_LINE}:${BAD_COLUMN} (high)`);
    expect(r.stdout).toContain('3 files: 2 OK, 1 with errors');
    const good = await runCli(['data', 'check', join(basket, '*.csv'), join(basket, 'deep', 'CCC.csv'), '--json']);
    expect(good.code).toBe(0);
    const j = JSON.parse(good.stdout) as { file: string; ok: boolean; bars: number }[];
    expect(j.map((x) => [x.file, x.ok, x.bars])).toEqual([[join(basket, 'AAA.csv'), true, 1200], [join(basket, 'BBB.csv'), true, 900], [join(basket, 'deep', 'CCC.csv'), true, 700]]);
  });

  it('two files of the same name: a usage error naming both', async () => {
    await mkdir(join(tmp, 'other'), { recursive: true });
    await writeFile(join(tmp, 'other', 'AAA.csv'), csvOf(500, 9));
    const r = await runCli(['evolve', '--data', basket, '--data', join(tmp, 'other', 'AAA.csv'), '--generations', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`two markets named AAA: ${join(basket, 'AAA.csv')} and ${join(tmp, 'other', 'AAA.csv')}`);
  });

  it('every data file is an input of the outputs check; backtest takes one market', async () => {
    const r = await runCli(['evolve', '--data', basket, '--report', join(basket, 'BBB.csv'), '--generations', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--report');
    expect(r.stderr).toContain('an output never replaces an input');
    expect(await readFile(join(basket, 'BBB.csv'), 'utf8')).toBe(csvOf(900, 2));
    const b = await runCli(['backtest', '--data', join(basket, '*.csv'), '--strategy', 'sma-cross']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--data: backtest takes one market, got 2 files');
  });

  it('a directory of CSV and Parquet files is one basket; a bad Parquet file stops it naming file, row and column', async () => {
    const mixed = join(tmp, 'mixed');
    await mkdir(mixed);
    await writeFile(join(mixed, 'EEE.csv'), csvOf(500, 11));
    await writeParquetOf(join(mixed, 'FFF.parquet'), 650, 12);
    const ms = await loadMarkets(resolveDataPaths([mixed]));
    expect(ms.map((m) => [marketName(m), m.length])).toEqual([['EEE', 500], ['FFF', 650]]);
    expect(Array.from(ms[1]!.close)).toEqual(Array.from(synthetic({ bars: 650, seed: 12 }).close));
    const check = await runCli(['data', 'check', mixed]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('2 files: 2 OK, 0 with errors');
    await writeParquetOf(join(mixed, 'GGG.parquet'), 300, 13, 4);
    const r = await runCli(['evolve', '--data', mixed, '--generations', '1', '--population', '8', '--threads', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${join(mixed, 'GGG.parquet')}:4:5 (close)`);
    expect(r.stderr).not.toMatch(/^gen /m);
  });

  it('a glob matching one file runs as --data FILE does', async () => {
    const byGlob = await runCli(['backtest', '--data', join(basket, 'A?A.csv'), '--strategy', 'sma-cross', '--json']);
    const byFile = await runCli(['backtest', '--data', join(basket, 'AAA.csv'), '--strategy', 'sma-cross', '--json']);
    expect(byGlob.code).toBe(0);
    expect(byGlob.stdout).toBe(byFile.stdout);
  });
});
