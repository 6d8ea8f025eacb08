// The CLI as a user runs it (issue "The engine in one process"): the built binary in its own
// process, its exit status, stdout, stderr and the files it writes. Library results computed
// here in the test process are the reference for what the CLI prints.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest, loadCsv, synthetic } from '../../src/index.js';
import type { MarketData, ResolvedOptions } from '../../src/index.js';
import { DATA, sameBits } from '../helpers/shared.js';
import { csvRows, runCli, runCliRaw, runJson } from './helpers.js';

/** SPEC section 5's metric names. */
const SPEC_METRICS = ['totalReturn', 'sharpe', 'sortino', 'maxDrawdown', 'calmar', 'trades', 'winRate', 'profitFactor', 'exposure'] as const;
/** What the JSON's metrics hold: the spec's nine plus annualReturn (calmar's numerator). */
const JSON_METRICS = [...SPEC_METRICS, 'annualReturn'].sort();
const TRADES_HEADER = 'entry_time,exit_time,direction,units,entry_price,exit_price,pnl,return,exit_reason,entry_bar,exit_bar';

const GOOG = DATA('GOOG.csv');
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/cli/${name}`, import.meta.url));
const SMA = ['--strategy', 'sma-cross', '--param', 'fast=10', '--param', 'slow=30'];

interface BacktestJson {
  strategy: string;
  params: Record<string, number>;
  data: { source: string; bars: number; from: string; to: string };
  options: ResolvedOptions;
  metrics: Record<string, number | null>;
  files: { trades: string | null; equity: string | null };
}

let tmp = '';
let goog: MarketData;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'evoquant-cli-'));
  goog = await loadCsv(GOOG);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A fresh directory under the test's temporary folder. */
async function dir(name: string): Promise<string> {
  const d = join(tmp, name);
  await mkdir(d, { recursive: true });
  return d;
}

/** Files the atomic writer leaves behind only when it fails to clean up: `.name.pid.n.tmp`. */
async function leftoverTemps(d: string): Promise<string[]> {
  return (await readdir(d)).filter((f) => /^\..*\.tmp$/.test(f));
}

const num = (x: number | null | undefined): number => {
  if (typeof x !== 'number') throw new Error(`expected a number, got ${String(x)}`);
  return x;
};

describe('help and version', () => {
  it('--help lists the commands and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: evoquant');
    expect(r.stdout).toMatch(/^\s+backtest\b/m);
    expect(r.stdout).toMatch(/^\s+data\b/m);
    expect(r.stderr).toBe('');
  });

  it('backtest --help lists its options and exits 0', async () => {
    const r = await runCli(['backtest', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--strategy', '--param', '--data', '--synth-bars', '--synth-seed', '--commission', '--slippage', '--cash', '--fill', '--sizing',
      '--fraction', '--lot-size', '--max-leverage', '--min-price-risk', '--long-only', '--allow-short', '--atr-period',
      '--periods-per-year', '--warmup', '--backend', '--json', '--trades', '--equity',
    ]) {
      expect(r.stdout, flag).toMatch(new RegExp(`^\\s+${flag}\\b`, 'm'));
    }
    expect(r.stderr).toBe('');
  });

  it('data synth --help and data check --help exit 0', async () => {
    const synth = await runCli(['data', 'synth', '--help']);
    expect(synth.code).toBe(0);
    for (const flag of ['--bars', '--seed', '--out']) expect(synth.stdout).toContain(flag);
    const check = await runCli(['data', 'check', '--help']);
    expect(check.code).toBe(0);
    for (const flag of ['--max-errors', '--json']) expect(check.stdout).toContain(flag);
  });

  it('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('an unknown command is a usage error', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('frobnicate');
  });
});

describe('backtest output', () => {
  it('without options: the default strategy on the built-in synthetic data, as a table', async () => {
    const r = await runCli(['backtest']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('stoch-rsi-bands');
    expect(r.stdout).toContain('synthetic');
    // Every metric on a row of its own: its name, then one value.
    const rows = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const m = /^\s+([A-Za-z]+)\s+(\S+)$/.exec(line);
      if (m !== null) rows.set(m[1]!, m[2]!);
    }
    for (const name of SPEC_METRICS) expect(rows.has(name), `row ${name}`).toBe(true);

    // The table shows the values the JSON gives.
    const j = await runJson<BacktestJson>(['backtest']);
    expect(j.strategy).toBe('stoch-rsi-bands');
    expect(j.data.bars).toBe(5000);
    expect(rows.get('trades')).toBe(String(j.metrics['trades']));
    expect(rows.get('totalReturn')).toBe(`${(num(j.metrics['totalReturn']) * 100).toFixed(2)}%`);
    expect(rows.get('sharpe')).toBe(num(j.metrics['sharpe']).toFixed(4));
  });

  it('--json prints one object: strategy, params, options, data and the metrics as numbers', async () => {
    const r = await runCli(['backtest', '--synth-bars', '600', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout) as BacktestJson;
    expect(typeof j).toBe('object');
    expect(Array.isArray(j)).toBe(false);
    for (const key of ['strategy', 'params', 'options', 'data', 'metrics']) expect(j, key).toHaveProperty(key);
    expect(Object.keys(j.metrics).sort()).toEqual(JSON_METRICS);
    for (const name of SPEC_METRICS) {
      const v = j.metrics[name];
      // Non-finite numbers become null; only a profit factor without losses is infinite.
      if (name === 'profitFactor' && v === null) continue;
      expect(typeof v, name).toBe('number');
      expect(Number.isFinite(v), name).toBe(true);
    }
    expect(j.data.bars).toBe(600);
    expect(j.options).toMatchObject({ commission: 0.001, slippage: 0, cash: 10_000, fill: 'next-open', sizing: 'risk', allowShort: false });
  });

  it('an infinite profit factor (no losing trade) is null in JSON and inf in the table', async () => {
    // Prices fall, then rise: one long trade, still open and in profit at the end.
    const args = ['backtest', '--data', fixture('rising.csv'), '--strategy', 'sma-cross', '--param', 'fast=2', '--param', 'slow=5', '--long-only'];
    const j = await runJson<BacktestJson>(args);
    expect(j.metrics['trades']).toBe(1);
    expect(j.metrics['winRate']).toBe(1);
    expect(j.metrics['profitFactor']).toBeNull();
    const t = await runCli(args);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^\s+profitFactor\s+inf$/m);
  });

  it('on GOOG the metrics equal what the library returns for the same inputs', async () => {
    const j = await runJson<BacktestJson>(['backtest', '--data', GOOG, ...SMA]);
    const lib = backtest(goog, 'sma-cross', { fast: 10, slow: 30 });
    expect(j.strategy).toBe('sma-cross');
    expect(j.params).toEqual({ fast: 10, slow: 30 });
    expect(j.options).toEqual(lib.options);
    expect(j.data).toEqual({ source: GOOG, bars: goog.length, from: '2004-08-19', to: '2013-03-01' });
    expect(lib.metrics.trades).toBeGreaterThan(10);
    for (const name of SPEC_METRICS) expect(j.metrics[name], name).toBe(lib.metrics[name]);
  });

  it('--backend ts and --backend wasm give the same metrics', async () => {
    for (const strategy of ['sma-cross', 'stoch-rsi-bands']) {
      const args = ['backtest', '--data', GOOG, '--strategy', strategy];
      const ts = await runJson<BacktestJson>([...args, '--backend', 'ts']);
      const wasm = await runJson<BacktestJson>([...args, '--backend', 'wasm']);
      expect(ts.options.backend).toBe('ts');
      expect(wasm.options.backend).toBe('wasm');
      expect(num(ts.metrics['trades'])).toBeGreaterThan(0);
      expect(ts.metrics, strategy).toStrictEqual(wasm.metrics);
    }
  });

  it('--synth-bars and --synth-seed choose the synthetic series', async () => {
    const a = await runJson<BacktestJson>(['backtest', '--synth-bars', '500', '--synth-seed', '1', ...SMA]);
    const b = await runJson<BacktestJson>(['backtest', '--synth-bars', '500', '--synth-seed', '2', ...SMA]);
    expect(a.data.bars).toBe(500);
    expect(a.data.source).toContain('seed=1');
    expect(a.metrics).not.toEqual(b.metrics);
    const lib = backtest(synthetic({ bars: 500, seed: 1 }), 'sma-cross', { fast: 10, slow: 30 });
    for (const name of SPEC_METRICS) expect(a.metrics[name], name).toBe(lib.metrics[name]);
  });
});

describe('backtest --trades and --equity', () => {
  it('write the trade list and the equity curve as CSV, atomically', async () => {
    const d = await dir('files');
    const trades = join(d, 'trades.csv');
    const equity = join(d, 'equity.csv');
    const j = await runJson<BacktestJson>(['backtest', '--data', GOOG, ...SMA, '--trades', trades, '--equity', equity]);
    expect(j.files).toEqual({ trades, equity });
    expect(await leftoverTemps(d)).toEqual([]);
    expect((await readdir(d)).sort()).toEqual(['equity.csv', 'trades.csv']);
    const lib = backtest(goog, 'sma-cross', { fast: 10, slow: 30 });

    // Equity: a header and one row per bar; the last value is cash x (1 + totalReturn).
    const eq = csvRows(await readFile(equity, 'utf8'));
    expect(eq[0]).toEqual(['time', 'equity']);
    expect(eq.length).toBe(goog.length + 1);
    const values = eq.slice(1).map((r) => Number(r[1]));
    expect(values[0]).toBe(10_000);
    const expectedLast = j.options.cash * (1 + num(j.metrics['totalReturn']));
    expect(Math.abs(values.at(-1)! - expectedLast) / expectedLast).toBeLessThan(1e-12);
    expect(eq[1]![0]).toBe('2004-08-19');
    expect(eq.at(-1)![0]).toBe('2013-03-01');
    // Numbers are written in round-trip form: the curve is the library's, bit for bit.
    expect(sameBits(values, lib.equity)).toBe(true);

    // Trades: a header and one row per trade.
    const tr = csvRows(await readFile(trades, 'utf8'));
    expect(tr[0]!.join(',')).toBe(TRADES_HEADER);
    expect(tr.length - 1).toBe(j.metrics['trades']);
    const rows = tr.slice(1);
    expect(rows.map((r) => Number(r[3]))).toEqual(lib.trades.map((t) => t.units));
    expect(rows.map((r) => Number(r[6]))).toEqual(lib.trades.map((t) => t.pnl));
    expect(rows.map((r) => r[8])).toEqual(lib.trades.map((t) => t.exitReason));
    expect(rows.map((r) => Number(r[9]))).toEqual(lib.trades.map((t) => t.entryBar));
  });

  it('overwrite an existing file and leave no temporary files', async () => {
    const d = await dir('overwrite');
    const trades = join(d, 'trades.csv');
    await writeFile(trades, 'old content\n');
    const r = await runCli(['backtest', '--synth-bars', '400', ...SMA, '--trades', trades]);
    expect(r.code).toBe(0);
    expect((await readFile(trades, 'utf8')).split('\n')[0]).toBe(TRADES_HEADER);
    expect(await leftoverTemps(d)).toEqual([]);
  });

  it('an output path that cannot be written is a usage error naming the option and the path, before any work', async () => {
    const d = await dir('unwritable');
    const file = join(d, 'a-file');
    await writeFile(file, 'x');
    const under = join(file, 'trades.csv');
    const r = await runCli(['backtest', '--synth-bars', '300', ...SMA, '--trades', under, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: --trades: /);
    expect(r.stderr).toContain(under);

    // A directory where the file should go.
    const isDir = await dir('unwritable/target-is-a-dir');
    const e = await runCli(['backtest', '--synth-bars', '300', ...SMA, '--equity', isDir]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/^error: --equity: .* is a directory, not a file/);
    expect(e.stdout).toBe('');
    expect(e.stderr).toContain(isDir);
    expect(await leftoverTemps(d)).toEqual([]);
  });
});

describe('execution options change results the expected way (GOOG, sma-cross 10/30)', () => {
  const base = ['backtest', '--data', GOOG, ...SMA];
  let ref: BacktestJson;
  beforeAll(async () => {
    ref = await runJson<BacktestJson>(base);
  });

  it('higher --commission or --slippage lowers totalReturn', async () => {
    const c = await runJson<BacktestJson>([...base, '--commission', '0.005']);
    expect(c.options.commission).toBe(0.005);
    expect(c.metrics['trades']).toBe(ref.metrics['trades']);
    expect(num(c.metrics['totalReturn'])).toBeLessThan(num(ref.metrics['totalReturn']));
    const s = await runJson<BacktestJson>([...base, '--slippage', '0.002']);
    expect(num(s.metrics['totalReturn'])).toBeLessThan(num(ref.metrics['totalReturn']));
  });

  it('--fill close fills at the signal bar\'s close', async () => {
    const d = await dir('fill');
    const trades = join(d, 'trades.csv');
    const j = await runJson<BacktestJson>([...base, '--fill', 'close', '--trades', trades]);
    expect(j.options.fill).toBe('close');
    expect(j.metrics).not.toEqual(ref.metrics);
    const rows = csvRows(await readFile(trades, 'utf8')).slice(1);
    for (const r of rows) {
      const bar = Number(r[9]);
      expect(Number(r[4])).toBe(goog.close[bar]);
    }
  });

  it('--long-only leaves no short trades (the default has some)', async () => {
    const d = await dir('long-only');
    const both = join(d, 'both.csv');
    const long = join(d, 'long.csv');
    await runJson([...base, '--trades', both]);
    const j = await runJson<BacktestJson>([...base, '--long-only', '--trades', long]);
    expect(j.options.allowShort).toBe(false);
    const dirs = (f: string): Promise<string[]> => readFile(f, 'utf8').then((t) => csvRows(t).slice(1).map((r) => r[2]!));
    expect(await dirs(both)).toContain('short');
    const longDirs = await dirs(long);
    expect(longDirs.length).toBeGreaterThan(0);
    expect(longDirs.every((x) => x === 'long')).toBe(true);
  });

  it('--lot-size makes units whole multiples of the lot (fractional by default)', async () => {
    const d = await dir('lots');
    const frac = join(d, 'frac.csv');
    const lots = join(d, 'lots.csv');
    await runJson([...base, '--trades', frac]);
    const j = await runJson<BacktestJson>([...base, '--lot-size', '5', '--trades', lots]);
    expect(j.options.lotSize).toBe(5);
    const units = (f: string): Promise<number[]> => readFile(f, 'utf8').then((t) => csvRows(t).slice(1).map((r) => Number(r[3])));
    expect((await units(frac)).some((u) => !Number.isInteger(u))).toBe(true);
    const lotUnits = await units(lots);
    expect(lotUnits.length).toBeGreaterThan(0);
    for (const u of lotUnits) {
      expect(Math.abs(u) % 5).toBe(0);
      expect(u).not.toBe(0);
    }
  });

  it('--periods-per-year replaces the estimate', async () => {
    expect(ref.options.periodsPerYear).toBeGreaterThan(251.6);
    expect(ref.options.periodsPerYear).toBeLessThan(251.8);
    const j = await runJson<BacktestJson>([...base, '--periods-per-year', '252']);
    expect(j.options.periodsPerYear).toBe(252);
    expect(j.metrics['totalReturn']).toBe(ref.metrics['totalReturn']);
    expect(j.metrics['sharpe']).not.toBe(ref.metrics['sharpe']);
  });
});

describe('usage errors exit 2, name the option on stderr, print nothing on stdout', () => {
  const cases: [string, string[], string[]][] = [
    ['unknown option', ['--bogus'], ['--bogus']],
    ['non-numeric commission', ['--commission', 'abc'], ['--commission', 'abc']],
    ['negative commission', ['--commission', '-1'], ['--commission']],
    ['unknown fill', ['--fill', 'sideways'], ['--fill', 'sideways']],
    ['unknown strategy', ['--strategy', 'nope'], ['--strategy', 'nope']],
    ['param without =', ['--param', 'nonsense'], ['--param', 'nonsense']],
    ['unknown gene', ['--param', 'zzz=1'], ['--param zzz']],
    ['gene far out of bounds', ['--strategy', 'sma-cross', '--param', 'fast=0'], ['--param fast']],
    ['fast above the default slow', ['--strategy', 'sma-cross', '--param', 'fast=1000'], ['--param fast']],
    ['fast not below slow', ['--strategy', 'sma-cross', '--param', 'fast=50', '--param', 'slow=20'], ['--param fast', 'slow']],
    ['integer gene not an integer', ['--strategy', 'sma-cross', '--param', 'fast=10.5'], ['--param fast']],
    ['missing data file', ['--data', 'does-not-exist.csv'], ['--data', 'does-not-exist.csv']],
    ['long-only with allow-short', ['--long-only', '--allow-short'], ['--long-only', '--allow-short']],
    ['risk sizing for sma-cross', ['--strategy', 'sma-cross', '--sizing', 'risk'], ['--sizing']],
    ['zero cash', ['--cash', '0'], ['--cash']],
    ['unknown backend', ['--backend', 'gpu'], ['--backend', 'gpu']],
    ['negative warm-up', ['--warmup', '-5'], ['--warmup', '-5']],
    ['warm-up not a count', ['--warmup', 'some'], ['--warmup', 'some']],
    ['extra argument', ['surplus'], ['too many arguments', 'backtest']],
  ];
  it.each(cases)('%s', async (_label, args, mentions) => {
    const d = await dir('usage');
    const r = await runCli(['backtest', '--synth-bars', '300', ...args], { cwd: d });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: /);
    for (const m of mentions) expect(r.stderr).toContain(m);
    expect(await readdir(d)).toEqual([]);
  });
});

describe('runtime errors exit 1', () => {
  it('a CSV with a bad row: E_DATA naming file, line and column', async () => {
    const file = fixture('bad-row.csv');
    const r = await runCli(['backtest', '--data', file, '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: ${file}:4:5 (Close): close "oops" is not a number\n`);
  });
});

describe('data synth', () => {
  it('writes a CSV that data check accepts and that loads as the same bars, the same every time', async () => {
    const d = await dir('synth');
    const a = join(d, 'a.csv');
    const b = join(d, 'b.csv');
    const r = await runCli(['data', 'synth', '--bars', '300', '--seed', '7', '--out', a]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('300 bars');
    expect(r.stdout).toContain(a);
    expect((await runCli(['data', 'synth', '--bars', '300', '--seed', '7', '--out', b])).code).toBe(0);
    expect((await readFile(a)).equals(await readFile(b))).toBe(true);
    expect((await readdir(d)).sort()).toEqual(['a.csv', 'b.csv']);

    const check = await runCli(['data', 'check', a]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('OK');
    expect(check.stdout).toContain('300 bars');
    // without --out: the same CSV on stdout
    const piped = await runCli(['data', 'synth', '--bars', '300', '--seed', '7']);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(await readFile(a, 'utf8'));

    const loaded = await loadCsv(a);
    const made = synthetic({ bars: 300, seed: 7 });
    expect(loaded.length).toBe(300);
    for (const col of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
      expect(sameBits(loaded[col], made[col]), col).toBe(true);
    }

    // A backtest of the file is a backtest of the series.
    const fromFile = await runJson<BacktestJson>(['backtest', '--data', a, ...SMA]);
    const fromSynth = await runJson<BacktestJson>(['backtest', '--synth-bars', '300', '--synth-seed', '7', ...SMA]);
    expect(fromFile.metrics).toStrictEqual(fromSynth.metrics);
  });

  it('different seeds give different files', async () => {
    const d = await dir('synth-seeds');
    await runCli(['data', 'synth', '--bars', '50', '--seed', '1', '--out', join(d, 'one.csv')]);
    await runCli(['data', 'synth', '--bars', '50', '--seed', '2', '--out', join(d, 'two.csv')]);
    expect((await readFile(join(d, 'one.csv'))).equals(await readFile(join(d, 'two.csv')))).toBe(false);
  });

  it('without --out writes the CSV to stdout, nothing else', async () => {
    const r = await runCli(['data', 'synth', '--bars', '300']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^time,open,high,low,close/);
    expect(lines).toHaveLength(301);
  });

  it('a bad --bars is a usage error', async () => {
    const r = await runCli(['data', 'synth', '--bars', 'many', '--out', join(tmp, 'never.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--bars');
  });
});

describe('data check', () => {
  const bad = fixture('many-errors.csv');
  const LOCATIONS = [`${bad}:3:3`, `${bad}:5:3`, `${bad}:6:1`];

  it('lists every error with file:line:column and exits 1', async () => {
    const r = await runCli(['data', 'check', bad]);
    expect(r.code).toBe(1);
    const listed = r.stdout.split('\n').filter((l) => l.startsWith(`${bad}:`) && /^.*:\d+(:\d+)?/.test(l) && !l.startsWith(`${bad}: `));
    expect(listed.map((l) => l.split(' ')[0])).toEqual(LOCATIONS);
    expect(r.stdout).toContain('3 errors');
  });

  it('--max-errors 1 shows one', async () => {
    const r = await runCli(['data', 'check', bad, '--max-errors', '1']);
    expect(r.code).toBe(1);
    const listed = r.stdout.split('\n').filter((l) => LOCATIONS.some((loc) => l.startsWith(`${loc} `)));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toContain(`${LOCATIONS[0]!} (High)`);
  });

  it('--json gives a parseable report', async () => {
    const r = await runCli(['data', 'check', bad, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { file: string; bars: number; ok: boolean; truncated: boolean; errors: { file: string; line: number; column: number; message: string }[] };
    expect(j.file).toBe(bad);
    expect(j.ok).toBe(false);
    expect(j.bars).toBe(6);
    expect(j.truncated).toBe(false);
    expect(j.errors.map((e) => [e.line, e.column])).toEqual([[3, 3], [5, 3], [6, 1]]);
    for (const e of j.errors) {
      expect(e.file).toBe(bad);
      expect(e.message.length).toBeGreaterThan(0);
    }
    const good = await runCli(['data', 'check', GOOG, '--json']);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ file: GOOG, ok: true, bars: goog.length, errors: [] });
  });

  it('a real file is OK with its bar count', async () => {
    const r = await runCli(['data', 'check', GOOG]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('OK');
    expect(r.stdout).toContain(`${goog.length} bars`);
  });

  it('a file that does not exist is a usage error', async () => {
    const missing = join(tmp, 'missing.csv');
    const r = await runCli(['data', 'check', missing]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(missing);
    // The file is an argument, not an option: no made-up flag in the message.
    expect(r.stderr).not.toContain('--file');
  });
});

describe('the process ends by itself', () => {
  it('every command exits well within the timeout', async () => {
    for (const args of [['backtest', '--synth-bars', '200', '--backend', 'wasm'], ['backtest', '--synth-bars', '200', '--backend', 'ts'], ['data', 'check', GOOG]]) {
      const r = await runCliRaw(args, { timeoutMs: 10_000 });
      expect(r.timedOut, args.join(' ')).toBe(false);
      expect(r.code).toBe(0);
    }
  });
});
