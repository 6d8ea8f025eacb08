// Data input and the messages a user can act on (issue 15 items 4 and 9, issue 11 item 3), as
// a user sees them: the built CLI in its own process, its exit status and its stderr.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evolve, loadCsv, synthetic } from '../../src/index.js';
import { DATA } from '../helpers/shared.js';
import { runCli } from './helpers.js';

let tmp = '';
let googParquet = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'evoquant-msg-'));
  // GOOG.parquet, written here from the shared CSV: the CSV's own time texts, DOUBLE prices.
  const m = await loadCsv(DATA('GOOG.csv'));
  const times = readFileSync(DATA('GOOG.csv'), 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(',')[0]!);
  googParquet = join(tmp, 'GOOG.parquet');
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'Date', data: times, type: 'STRING' },
      ...(['open', 'high', 'low', 'close', 'volume'] as const).map((k) => ({ name: k, data: Array.from(m[k]), type: 'DOUBLE' as const })),
    ],
  });
  await writeFile(googParquet, new Uint8Array(buf));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(tmp, name);
  await writeFile(path, text);
  return path;
}

const SMA = ['--strategy', 'sma-cross', '--param', 'fast=10', '--param', 'slow=30'];

describe('messages a user can act on', () => {
  it('a one-row CSV in backtest: a data error naming the file, not an option that does not exist', async () => {
    const path = await file('one-row.csv', 'date,open,high,low,close\n2020-01-02,10,11,9,10\n');
    const r = await runCli(['backtest', '--data', path, ...SMA]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: ${path}: has 1 bar; a backtest needs at least 2\n`);
  });

  it('a CR-only file: "lines end in CR only", in backtest and in data check', async () => {
    const path = await file('cr.csv', 'date,open,high,low,close\r2020-01-02,10,11,9,10\r2020-01-03,10,11,9,10\r');
    const r = await runCli(['backtest', '--data', path, ...SMA]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: ${path}:1: lines end in CR only (old Mac line ends): save the file with LF or CRLF line ends\n`);
    const c = await runCli(['data', 'check', path]);
    expect(c.code).toBe(1);
    expect(c.stdout).toContain(`${path}:1: lines end in CR only`);
  });

  it('report on an incomplete result.json names the missing field', async () => {
    const result = await evolve({ market: synthetic({ bars: 300, seed: 2 }), strategy: 'sma-cross', population: 8, generations: 2, threads: 0 });
    const full = JSON.parse(JSON.stringify(result)) as Record<string, Record<string, unknown>>;
    const out = join(tmp, 'report.html');
    const ok = await runCli(['report', await file('full.json', JSON.stringify(full)), '-o', out]);
    expect(ok.code, ok.stderr).toBe(0);
    delete full['overfitting']!['verdicts'];
    const noVerdicts = await file('no-verdicts.json', JSON.stringify(full));
    const r = await runCli(['report', noVerdicts, '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: <result>: ${noVerdicts} is an incomplete evoquant result: the field overfitting.verdicts is missing (write a complete one with \`evoquant evolve --out DIR\`)\n`);
    (full['hallOfFame'] as unknown as Array<Record<string, unknown>>)[0]!['inSample'] = null;
    delete full['data'];
    const noData = await file('no-data.json', JSON.stringify(full));
    expect((await runCli(['report', noData, '-o', out])).stderr).toContain('the field data is missing');
  });

  it('usage errors are one line, with the pointer to --help folded in', async () => {
    const cases: Array<[string[], string]> = [
      [['evolve', '--sed', '3'], "error: unknown option '--sed' (did you mean --seed?) (run with --help for usage)\n"],
      [['backtest', '--commission', 'x'], 'error: option \'--commission <f>\' argument \'x\' is invalid. "x" is not a number. (run with --help for usage)\n'],
      [['data', 'check'], "error: missing required argument 'file' (run with --help for usage)\n"],
      [['bogus'], "error: unknown command 'bogus' (run with --help for usage)\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(stderr);
    }
  });

  it('a CSV that mixes epoch seconds and milliseconds is refused by the CLI, naming the line and both readings', async () => {
    const s = 1_700_000_000;
    const rows = [s, s + 86_400, (s + 2 * 86_400) * 1000].map((t) => `${t},10,11,9,10`).join('\n');
    const path = await file('mixed.csv', `time,open,high,low,close\n${rows}\n`);
    const r = await runCli(['backtest', '--data', path, ...SMA]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:1 \\(time\\): time 1700172800000 is outside years 1900-2200 in epoch seconds`));
    expect(r.stderr).toContain('as epoch milliseconds 2023-11-16T22:13:20.000Z');
  });
});

describe('Parquet in the CLI', () => {
  it('data check accepts GOOG.parquet and lists the problems of a bad one by row and column', async () => {
    const ok = await runCli(['data', 'check', googParquet]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`${googParquet}: OK, 2148 bars\n`);
    const bad = join(tmp, 'bad.parquet');
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'date', data: ['2020-01-02', '2020-01-03', '2020-01-03'], type: 'STRING' },
        { name: 'open', data: [10, 10, 10], type: 'DOUBLE' },
        { name: 'high', data: [11, 11, 11], type: 'DOUBLE' },
        { name: 'low', data: [9, 9, 9], type: 'DOUBLE' },
        { name: 'close', data: [10, NaN, 10], type: 'DOUBLE' },
      ],
    });
    await writeFile(bad, new Uint8Array(buf));
    const r = await runCli(['data', 'check', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `${bad}:2:5 (close): row 2: close NaN is not a finite number\n`
      + `${bad}:3:1 (date): row 3: time 2020-01-03 repeats the previous time at row 2 (duplicate timestamp; times must be strictly increasing)\n`
      + `${bad}: 2 errors\n`,
    );
  });

  it('backtest --data GOOG.parquet gives the metrics of GOOG.csv', async () => {
    const csv = await runCli(['backtest', '--data', DATA('GOOG.csv'), ...SMA, '--json']);
    const pq = await runCli(['backtest', '--data', googParquet, ...SMA, '--json']);
    expect(pq.code, pq.stderr).toBe(0);
    const a = JSON.parse(csv.stdout) as { metrics: unknown; data: { bars: number; from: string; to: string } };
    const b = JSON.parse(pq.stdout) as typeof a;
    expect(b.metrics).toEqual(a.metrics);
    expect({ ...b.data, source: undefined }).toEqual({ ...a.data, source: undefined });
  });

  it('evolve --data reads Parquet too', async () => {
    const r = await runCli(['evolve', '--data', googParquet, '--strategy', 'sma-cross', '--population', '8', '--generations', '2', '--threads', '0', '--no-progress', '--json'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { data: { source: string; bars: number } }).data).toMatchObject({ source: googParquet, bars: 2148 });
  });
});
