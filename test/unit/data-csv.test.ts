import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCsv, loadCsv, parseIsoTime, writeCsv } from '../../src/data/csv.js';
import { allocateMarket, marketFromArrays } from '../../src/data/market.js';
import type { MarketData } from '../../src/data/market.js';
import { synthetic } from '../../src/data/synthetic.js';
import { validateMarket } from '../../src/data/validate.js';
import { EngineError } from '../../src/errors.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/data/${name}`, import.meta.url));
const shared = (name: string): string => fileURLToPath(new URL(`../../../shared/data/${name}`, import.meta.url));

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** 2013-01-02T00:00:00Z: 43 years after 1970 with 11 leap days (1972..2012), plus one day = 15707 days. */
const JAN2 = 15707 * DAY;

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'evoquant-data-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function loadError(path: string): Promise<EngineError> {
  try {
    await loadCsv(path);
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error(`loadCsv(${path}) did not throw`);
}

describe('loadCsv rejects each rule violation with file, line and column', () => {
  const cases: Array<{ file: string; line: number; column: number; columnName?: string; message: RegExp }> = [
    { file: 'missing-column.csv', line: 1, column: 0, message: /missing column: close/ },
    { file: 'empty.csv', line: 1, column: 0, message: /empty file/ },
    { file: 'header-only.csv', line: 2, column: 0, message: /no data rows/ },
    { file: 'too-few-fields.csv', line: 3, column: 6, columnName: 'Volume', message: /too few fields: 5 of the 6/ },
    { file: 'too-many-fields.csv', line: 2, column: 7, message: /too many fields/ },
    { file: 'bad-date.csv', line: 3, column: 1, columnName: 'Date', message: /time "2013\/01\/03" is not an ISO 8601 date/ },
    { file: 'bad-month.csv', line: 3, column: 1, columnName: 'Date', message: /month 13 is out of range/ },
    { file: 'bad-day.csv', line: 3, column: 1, columnName: 'Date', message: /day 30 does not exist in 2013-02/ },
    { file: 'not-a-number.csv', line: 3, column: 3, columnName: 'High', message: /high "abc" is not a number/ },
    { file: 'nan.csv', line: 2, column: 5, columnName: 'Close', message: /close "NaN" is not a number/ },
    { file: 'infinity.csv', line: 2, column: 3, columnName: 'High', message: /high "inf" is not a number/ },
    { file: 'non-finite.csv', line: 3, column: 6, columnName: 'Volume', message: /volume 1e999 is not finite/ },
    { file: 'empty-value.csv', line: 2, column: 4, columnName: 'Low', message: /low is empty/ },
    { file: 'price-not-positive.csv', line: 3, column: 4, columnName: 'Low', message: /low 0 is not positive/ },
    { file: 'high-below.csv', line: 3, column: 3, columnName: 'High', message: /high 9\.5 is below max\(open, close\) = 10$/ },
    { file: 'low-above.csv', line: 3, column: 4, columnName: 'Low', message: /low 10\.2 is above min\(open, close\) = 10$/ },
    { file: 'negative-volume.csv', line: 3, column: 6, columnName: 'Volume', message: /volume -5 is negative/ },
    { file: 'duplicate-time.csv', line: 4, column: 1, columnName: 'Date', message: /time 2013-01-03 repeats the previous time at line 3/ },
    { file: 'decreasing-time.csv', line: 4, column: 1, columnName: 'Date', message: /time 2013-01-03 is earlier than the previous time 2013-01-04 at line 3/ },
    { file: 'blank-line.csv', line: 3, column: 0, message: /blank line/ },
    { file: 'duplicate-column.csv', line: 1, column: 6, columnName: 'Close', message: /duplicate close column/ },
    { file: 'unterminated-quote.csv', line: 2, column: 5, columnName: 'Close', message: /unterminated quoted field/ },
    { file: 'mixed-time-formats.csv', line: 3, column: 1, columnName: 'time', message: /not a number, but this file's times are epoch seconds \(since line 2\)/ },
  ];
  for (const c of cases) {
    it(`${c.file} -> line ${c.line}, column ${c.column}`, async () => {
      const path = fixture(c.file);
      const e = await loadError(path);
      expect(e.code).toBe('E_DATA');
      expect(e.location).toEqual({ file: path, line: c.line, column: c.column, ...(c.columnName === undefined ? {} : { columnName: c.columnName }) });
      expect(e.message.startsWith(`${path}:${c.line}`)).toBe(true);
      expect(e.message).toMatch(c.message);
    });
  }

  it('names the missing columns, all of them', async () => {
    const path = join(tmp, 'missing-two.csv');
    await writeFile(path, 'when,open,high\n2013-01-02,1,2\n');
    const e = await loadError(path);
    expect(e.location).toEqual({ file: path, line: 1, column: 0 });
    expect(e.message).toMatch(/missing columns: time \(date, time, timestamp, datetime or an unnamed first column\), low, close$/);
  });

  it('does not take "adj close" for "close"', async () => {
    const path = join(tmp, 'adj-close.csv');
    await writeFile(path, 'date,open,high,low,adj close\n2013-01-02,1,2,1,1\n');
    expect((await loadError(path)).message).toMatch(/missing column: close$/);
  });

  it('rejects a second newline at the end as a blank line', async () => {
    const path = join(tmp, 'two-newlines.csv');
    await writeFile(path, 'date,open,high,low,close\n2013-01-02,1,2,1,1\n\n');
    expect((await loadError(path)).location).toEqual({ file: path, line: 3, column: 0 });
  });

  it('says that lines end in CR only, instead of "header only"', async () => {
    const path = join(tmp, 'cr-only.csv');
    await writeFile(path, 'date,open,high,low,close\r2013-01-02,1,2,1,1\r2013-01-03,1,2,1,1\r');
    const e = await loadError(path);
    expect(e.location).toEqual({ file: path, line: 1, column: 0 });
    expect(e.message).toBe(`${path}:1: lines end in CR only (old Mac line ends): save the file with LF or CRLF line ends`);
    const r = await checkCsv(path);
    expect(r.errors.map((x) => x.message)).toEqual(['lines end in CR only (old Mac line ends): save the file with LF or CRLF line ends']);
  });

  it('reports a missing file as E_IO naming the path', async () => {
    const path = join(tmp, 'does-not-exist.csv');
    const e = await loadError(path);
    expect(e.code).toBe('E_IO');
    expect(e.message).toContain(path);
    await expect(checkCsv(path)).rejects.toMatchObject({ code: 'E_IO' });
  });

  it('reports a directory as E_IO', async () => {
    const e = await loadError(tmp);
    expect(e.code).toBe('E_IO');
    expect(e.message).toContain(tmp);
  });
});

describe('checkCsv', () => {
  it('collects every problem with its line and column', async () => {
    const path = fixture('several-errors.csv');
    const report = await checkCsv(path);
    expect(report.file).toBe(path);
    expect(report.bars).toBe(7);
    expect(report.truncated).toBe(false);
    expect(report.errors.map((e) => [e.location.line, e.location.column, e.location.columnName])).toEqual([
      [3, 3, 'High'],
      [4, 6, 'Volume'],
      [5, 3, 'High'],
      [5, 6, 'Volume'],
      [6, 1, 'Date'],
      [7, 1, 'Date'],
    ]);
    expect(report.errors[2]!.message).toBe('high 9 is below max(open, close) = 10.5');
    for (const e of report.errors) expect(e.location.file).toBe(path);
  });

  it('stops collecting at maxErrors and says so', async () => {
    const report = await checkCsv(fixture('several-errors.csv'), { maxErrors: 4 });
    expect(report.errors).toHaveLength(4);
    expect(report.truncated).toBe(true);
    expect(report.bars).toBe(7);
  });

  it('stops at a line too long to be a row instead of holding it whole', async () => {
    const path = join(tmp, 'endless.csv');
    await writeFile(path, 'date,open,high,low,close\n' + 'x'.repeat(17 << 20));
    const report = await checkCsv(path);
    expect(report.errors.map((e) => e.location)).toEqual([{ file: path, line: 2, column: 0 }]);
    expect(report.errors[0]!.message).toMatch(/line longer than/);
    expect((await loadError(path)).code).toBe('E_DATA');
  });

  it('rejects a bad maxErrors', async () => {
    await expect(checkCsv(fixture('nan.csv'), { maxErrors: -1 })).rejects.toMatchObject({ code: 'E_CONFIG', option: 'maxErrors' });
  });

  it('reports a clean file as clean, and header problems without reading on', async () => {
    expect(await checkCsv(shared('GOOG.csv'))).toEqual({ file: shared('GOOG.csv'), bars: 2148, errors: [], truncated: false });
    const missing = await checkCsv(fixture('missing-column.csv'));
    expect(missing.bars).toBe(0);
    expect(missing.errors.map((e) => e.location)).toEqual([{ file: fixture('missing-column.csv'), line: 1, column: 0 }]);
    expect((await checkCsv(fixture('empty.csv'))).errors[0]!.message).toBe('empty file');
  });
});

describe('loadCsv accepts the documented variants', () => {
  it('a UTF-8 BOM and CRLF line endings', async () => {
    const path = join(tmp, 'bom-crlf.csv');
    await writeFile(path, '\uFEFFDate,Open,High,Low,Close,Volume\r\n2013-01-02,10,11,9,10.5,100\r\n2013-01-03,10.5,12,10,11.5,200\r\n');
    const m = await loadCsv(path);
    expect(m.length).toBe(2);
    expect(Array.from(m.time)).toEqual([JAN2, JAN2 + DAY]);
    expect(Array.from(m.volume)).toEqual([100, 200]);
  });

  it('a file without a final newline, and CRLF on its last line', async () => {
    const path = join(tmp, 'no-final-newline.csv');
    await writeFile(path, 'date,open,high,low,close\r\n2013-01-02,10,11,9,10.5\r');
    const m = await loadCsv(path);
    expect(Array.from(m.close)).toEqual([10.5]);
  });

  it('double-quoted fields, with spaces, commas and escaped quotes', async () => {
    const m = await loadCsv(fixture('quoted.csv'));
    expect(m.length).toBe(2);
    expect(Array.from(m.open)).toEqual([10.5, 10]);
    expect(Array.from(m.close)).toEqual([10.75, 10.5]);
    expect(Array.from(m.volume)).toEqual([1000, 7]);
    expect(m.time[0]).toBe(JAN2);
  });

  it('epoch seconds (unit from the first row, fractions rounded to the millisecond)', async () => {
    const m = await loadCsv(fixture('epoch-seconds.csv'));
    expect(Array.from(m.time)).toEqual([1357084800000, 1357171200500, 1357257600000]);
  });

  it('epoch milliseconds', async () => {
    const m = await loadCsv(fixture('epoch-ms.csv'));
    expect(Array.from(m.time)).toEqual([1357084800000, 1357084800001, 1357171200000]);
  });

  it('date-times with T or a space, offsets, fractions and no zone (UTC)', async () => {
    const m = await loadCsv(fixture('offsets.csv'));
    expect(Array.from(m.time)).toEqual([
      JAN2 + 4 * HOUR, // 09:30+05:30 = 04:00Z
      JAN2 + 14 * HOUR + 30 * 60_000, // 09:30-05:00 = 14:30Z
      JAN2 + 86_399_123, // 23:59:59.1234Z, rounded to .123
      JAN2 + DAY + 1000, // 00:00:00.9995 rounds up to 00:00:01.000
      JAN2 + DAY + 10 * HOUR, // 10:00, no zone = UTC
    ]);
    expect(m.hasVolume).toBe(false);
  });

  it('extra columns are ignored (Adj Close is not close)', async () => {
    const m = await loadCsv(fixture('extra-columns.csv'));
    expect(Array.from(m.close)).toEqual([10.5, 11.5]);
    expect(Array.from(m.volume)).toEqual([100, 200]);
  });

  it('no volume column: hasVolume false, volume zeros', async () => {
    const m = await loadCsv(fixture('no-volume.csv'));
    expect(m.hasVolume).toBe(false);
    expect(Array.from(m.volume)).toEqual([0, 0]);
    expect(Array.from(m.high)).toEqual([11, 12]);
  });

  it('a named time column wins over an unnamed first column (a pandas index)', async () => {
    const path = join(tmp, 'index-and-date.csv');
    await writeFile(path, ',date,open,high,low,close\n0,2013-01-02,10,11,9,10.5\n1,2013-01-03,10,11,9,10.5\n');
    expect(Array.from((await loadCsv(path)).time)).toEqual([JAN2, JAN2 + DAY]);
  });
});

describe('parseIsoTime', () => {
  it('agrees with Date.UTC on valid parts and checks ranges', () => {
    expect(parseIsoTime('2012-02-29')).toBe(Date.UTC(2012, 1, 29));
    expect(parseIsoTime('2000-02-29T12:34:56.789Z')).toBe(Date.UTC(2000, 1, 29, 12, 34, 56, 789));
    expect(parseIsoTime('0001-01-01')).toBe(-62135596800000);
    expect(parseIsoTime('2013-01-02T00:00+0000')).toBe(JAN2);
    expect(parseIsoTime('1900-02-29')).toMatch(/day 29 does not exist/);
    expect(parseIsoTime('2013-01-02T24:00')).toMatch(/hour 24/);
    expect(parseIsoTime('2013-01-02T10:60')).toMatch(/minute 60/);
    expect(parseIsoTime('2013-01-02T10:00:60')).toMatch(/second 60/);
    expect(parseIsoTime('2013-01-02T10:00+24:00')).toMatch(/offset/);
    for (const bad of ['2013-1-02', '2013-01-02T', '2013-01-02Z', '2013-01-02T10', '2013-01-02T10:00:00.', '2013-01-02x10:00', '2013-01-02T10:00+5', ' 2013-01-02', 'Jan 2 2013']) {
      expect(parseIsoTime(bad)).toMatch(/is not an ISO 8601 date/);
    }
  });
});

describe('real data (../shared/data)', () => {
  const expectRow = (m: MarketData, i: number, row: [number, number, number, number, number, number]): void => {
    expect([m.time[i], m.open[i], m.high[i], m.low[i], m.close[i], m.volume[i]]).toEqual(row);
  };

  it('GOOG.csv: 2148 daily bars', async () => {
    const m = await loadCsv(shared('GOOG.csv'));
    expect(m.length).toBe(2148);
    expect(m.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(m.hasVolume).toBe(true);
    expect(m.source).toBe(shared('GOOG.csv'));
    expectRow(m, 0, [Date.UTC(2004, 7, 19), 100, 104.06, 95.96, 100.34, 22351900]);
    expectRow(m, 2147, [Date.UTC(2013, 2, 1), 797.8, 807.14, 796.15, 806.19, 2175400]);
    validateMarket(m);
  });

  it('EURUSD.csv: 5000 hourly bars', async () => {
    const m = await loadCsv(shared('EURUSD.csv'));
    expect(m.length).toBe(5000);
    expect(m.buffer).toBeInstanceOf(SharedArrayBuffer);
    expectRow(m, 0, [Date.UTC(2017, 3, 19, 9), 1.0716, 1.0722, 1.07083, 1.07219, 1413]);
    expectRow(m, 4999, [Date.UTC(2018, 1, 7, 15), 1.23427, 1.23444, 1.22904, 1.22904, 6143]);
  });

  it('BTCUSD.csv: 156 monthly bars', async () => {
    const m = await loadCsv(shared('BTCUSD.csv'));
    expect(m.length).toBe(156);
    expect(m.buffer).toBeInstanceOf(SharedArrayBuffer);
    expectRow(m, 0, [Date.UTC(2012, 0, 31), 4.58, 7.38, 3.8, 5.55, 2012.25343589]);
    expectRow(m, 155, [Date.UTC(2024, 11, 31), 96515, 108364, 92092, 93381, 25342.80228337]);
  });
});

function expectSameBits(a: MarketData, b: MarketData): void {
  expect(b.length).toBe(a.length);
  expect(b.hasVolume).toBe(a.hasVolume);
  expect(Buffer.from(new Uint8Array(b.buffer)).equals(Buffer.from(new Uint8Array(a.buffer)))).toBe(true);
}

describe('writeCsv', () => {
  it('round-trips real data bit for bit, with date-only times', async () => {
    for (const name of ['GOOG.csv', 'EURUSD.csv', 'BTCUSD.csv']) {
      const m = await loadCsv(shared(name));
      const path = join(tmp, `rt-${name}`);
      await writeCsv(m, path);
      expectSameBits(m, await loadCsv(path));
    }
    const { readFile } = await import('node:fs/promises');
    const goog = await readFile(join(tmp, 'rt-GOOG.csv'), 'utf8');
    expect(goog.slice(0, 80)).toBe('time,open,high,low,close,volume\n2004-08-19,100,104.06,95.96,100.34,22351900\n2004-'.slice(0, 80));
    const eur = await readFile(join(tmp, 'rt-EURUSD.csv'), 'utf8');
    expect(eur.split('\n')[1]).toBe('2017-04-19T09:00:00.000Z,1.0716,1.0722,1.07083,1.07219,1413');
  });

  it('round-trips awkward numbers and no volume column', async () => {
    const m = marketFromArrays({
      time: [-86_400_000, 1, 2],
      open: [0.1 + 0.2, 1e-300, 5e-324],
      high: [Number.MAX_VALUE, 1e-300, 5e-324],
      low: [0.1, 1e-300, 5e-324],
      close: [1 / 3, 1e-300, 5e-324],
    });
    const path = join(tmp, 'awkward.csv');
    await writeCsv(m, path);
    expectSameBits(m, await loadCsv(path));
  });

  it('writes times exactly as toISOString() does, over years 0000-9999', async () => {
    const lo = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
    const hi = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    const n = 5000;
    const time = Array.from({ length: n }, (_, i) => (i === n - 1 ? hi : lo + Math.floor(((hi - lo) / n) * i) + ((i * 7919) % 86_400_000)));
    const ones = time.map(() => 1);
    // Years outside 1900-2200 are fine in memory (and as ISO text) once the time-unit rule is off.
    const m = marketFromArrays({ time, open: ones, high: ones, low: ones, close: ones }, 'arrays', { checkTimeUnits: false });
    const path = join(tmp, 'times.csv');
    await writeCsv(m, path);
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines[0]).toBe('time,open,high,low,close');
    expect(lines.slice(1, -1)).toEqual(time.map((t) => `${new Date(t).toISOString()},1,1,1,1`));
    expectSameBits(m, await loadCsv(path));
  });

  it('refuses data it could not read back', async () => {
    const m = marketFromArrays({ time: [0, 0.5], open: [1, 1], high: [1, 1], low: [1, 1], close: [1, 1] }, 'mem');
    await expect(writeCsv(m, join(tmp, 'x.csv'))).rejects.toMatchObject({ code: 'E_DATA', location: { file: 'mem', line: 2, column: 1 } });
  });

  it('round-trips 1,000,000 synthetic bars bit for bit', async () => {
    const m = synthetic({ bars: 1_000_000, seed: 7 });
    const path = join(tmp, 'million.csv');
    await writeCsv(m, path);
    const back = await loadCsv(path);
    expectSameBits(m, back);
    await rm(path);
  }, 60_000);
});

/** Bars as given, unchecked (what marketFromArrays() refuses): for testing validateMarket() itself. */
function uncheckedMarket(cols: { time: number[]; open: number[]; high: number[]; low: number[]; close: number[]; volume?: number[] }, source: string): MarketData {
  const m = allocateMarket(cols.close.length, source, cols.volume !== undefined);
  m.time.set(cols.time);
  m.open.set(cols.open);
  m.high.set(cols.high);
  m.low.set(cols.low);
  m.close.set(cols.close);
  if (cols.volume !== undefined) m.volume.set(cols.volume);
  return m;
}

describe('validateMarket, and marketFromArrays() which applies it', () => {
  const good = { time: [0, DAY, 2 * DAY], open: [10, 10, 10], high: [11, 11, 11], low: [9, 9, 9], close: [10, 10, 10], volume: [1, 2, 3] };
  const check = (f: () => unknown, line: number, column: number, columnName: string, message: RegExp): void => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngineError);
    const e = err as EngineError;
    expect(e.code).toBe('E_DATA');
    expect(e.location).toEqual({ file: 'mem', line, column, columnName });
    expect(e.message).toMatch(new RegExp(`^mem:${line}:${column} \\(${columnName}\\): row ${line}: `));
    expect(e.message).toMatch(message);
  };
  const expectFailure = (cols: typeof good, line: number, column: number, columnName: string, message: RegExp): void => {
    check(() => validateMarket(uncheckedMarket(cols, 'mem')), line, column, columnName, message);
    check(() => marketFromArrays(cols, 'mem'), line, column, columnName, message);
  };

  it('accepts good bars', () => {
    validateMarket(marketFromArrays(good));
  });

  it('reports row and column of each rule', () => {
    expectFailure({ ...good, high: [11, 9.5, 11] }, 2, 3, 'high', /high 9\.5 is below max\(open, close\) = 10$/);
    expectFailure({ ...good, low: [9, 9, 10.5] }, 3, 4, 'low', /low 10\.5 is above min\(open, close\) = 10$/);
    expectFailure({ ...good, close: [10, 10, -1] }, 3, 5, 'close', /close -1 is not positive/);
    expectFailure({ ...good, volume: [1, -2, 3] }, 2, 6, 'volume', /volume -2 is negative/);
    expectFailure({ ...good, open: [10, NaN, 10] }, 2, 2, 'open', /open NaN is not a finite number/);
    expectFailure({ ...good, close: [10, 10, NaN] }, 3, 5, 'close', /close NaN is not a finite number/);
    expectFailure({ ...good, time: [0, DAY, DAY] }, 3, 1, 'time', /time 1970-01-02 repeats the previous time at row 2/);
    expectFailure({ ...good, time: [0, 2 * DAY, DAY] }, 3, 1, 'time', /time 1970-01-02 is earlier than the previous time 1970-01-03 at row 2/);
    expectFailure({ ...good, time: [0, Infinity, 3 * DAY] }, 2, 1, 'time', /time Infinity is not a finite number/);
  });

  it('rejects empty data', () => {
    expect(() => validateMarket(uncheckedMarket({ time: [], open: [], high: [], low: [], close: [] }, 'mem'))).toThrow(/no bars/);
    expect(() => marketFromArrays({ time: [], open: [], high: [], low: [], close: [] }, 'mem')).toThrow(/no bars/);
  });

  it('marketFromArrays refuses columns of different lengths or missing ones as E_CONFIG', () => {
    expect(() => marketFromArrays({ ...good, time: [0, DAY] }, 'mem')).toThrow(expect.objectContaining({ code: 'E_CONFIG', option: 'columns.time' }));
    expect(() => marketFromArrays({ ...good, volume: [1] }, 'mem')).toThrow(/columns\.volume: has 1 values, but close has 3/);
    expect(() => marketFromArrays({ ...good, open: null as unknown as number[] }, 'mem')).toThrow(expect.objectContaining({ code: 'E_CONFIG', option: 'columns.open' }));
  });
});
