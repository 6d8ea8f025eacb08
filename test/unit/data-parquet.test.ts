import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ColumnSource, SchemaElement } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCsv } from '../../src/data/csv.js';
import { checkMarketFile, dataFormat, loadMarket } from '../../src/data/load.js';
import type { MarketData } from '../../src/data/market.js';
import { checkParquet, loadParquet } from '../../src/data/parquet.js';
import { EngineError } from '../../src/errors.js';
import { DATA, sameBits } from '../helpers/shared.js';

// Issue 11 item 3: Parquet input with the CSV's column rules and strict validation. The Parquet
// files are written here, at run time, from the shared CSVs (never committed copies).

const DAY = 86_400_000;
let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'evoquant-parquet-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

type Column = ColumnSource & { element?: Omit<SchemaElement, 'name'> };

/** Writes a flat Parquet file; `element` gives a column's schema explicitly. */
async function writeParquet(name: string, columns: Column[], options: { codec?: 'SNAPPY' | 'UNCOMPRESSED' | 'GZIP'; rowGroupSize?: number } = {}): Promise<string> {
  const path = join(tmp, name);
  const explicit = columns.some((c) => c.element !== undefined);
  const schema: SchemaElement[] | undefined = explicit
    ? [{ name: 'root', num_children: columns.length }, ...columns.map((c) => ({ name: c.name, repetition_type: 'OPTIONAL' as const, ...(c.element ?? guess(c)) }))]
    : undefined;
  const buf = parquetWriteBuffer({
    columnData: columns.map(({ element: _e, type, ...c }) => (explicit ? c : { ...c, ...(type === undefined ? {} : { type }) })),
    ...(schema === undefined ? {} : { schema }),
    codec: options.codec ?? 'SNAPPY',
    compressors: { GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)) },
    ...(options.rowGroupSize === undefined ? {} : { rowGroupSize: options.rowGroupSize }),
  });
  await writeFile(path, new Uint8Array(buf));
  return path;
}

function guess(c: Column): Omit<SchemaElement, 'name'> {
  if (c.type === 'STRING') return { type: 'BYTE_ARRAY', converted_type: 'UTF8' };
  if (c.type === 'INT64') return { type: 'INT64' };
  if (c.type === 'BOOLEAN') return { type: 'BOOLEAN' };
  if (c.type === 'TIMESTAMP') return { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' };
  return { type: 'DOUBLE' };
}

/** The raw time texts of a shared CSV (first field of each data line). */
function csvTimes(name: string): string[] {
  return readFileSync(DATA(name), 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(',')[0]!);
}

const prices = (m: MarketData, names = ['Open', 'High', 'Low', 'Close']): Column[] => [
  { name: names[0]!, data: Array.from(m.open), type: 'DOUBLE' },
  { name: names[1]!, data: Array.from(m.high), type: 'DOUBLE' },
  { name: names[2]!, data: Array.from(m.low), type: 'DOUBLE' },
  { name: names[3]!, data: Array.from(m.close), type: 'DOUBLE' },
];
const volume = (m: MarketData): Column => ({ name: 'Volume', data: Array.from(m.volume), type: 'DOUBLE' });

function expectSameMarket(a: MarketData, b: MarketData): void {
  expect(a.length).toBe(b.length);
  expect(a.hasVolume).toBe(b.hasVolume);
  for (const k of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) expect(sameBits(a[k], b[k]), k).toBe(true);
}

async function loadError(path: string): Promise<EngineError> {
  const e = await loadParquet(path).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EngineError);
  return e as EngineError;
}

describe('loadParquet reads what loadCsv reads, bit for bit', () => {
  it('GOOG.parquet (TIMESTAMP MILLIS times, DOUBLE prices) loads bit-identical to GOOG.csv', async () => {
    const csv = await loadCsv(DATA('GOOG.csv'));
    const path = await writeParquet('GOOG.parquet', [{ name: 'Date', data: Array.from(csv.time, (t) => new Date(t)), type: 'TIMESTAMP' }, ...prices(csv), volume(csv)]);
    const pq = await loadParquet(path);
    expect(pq.source).toBe(path);
    expectSameMarket(pq, csv);
    expect(pq.length).toBe(2148);
  });

  it('every time encoding: TIMESTAMP MICROS and NANOS, DATE, ISO strings, untyped epoch seconds, a pandas index', async () => {
    const csv = await loadCsv(DATA('GOOG.csv'));
    const rest = [...prices(csv), volume(csv)];
    const micros = { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } } as const;
    const nanos = { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'NANOS' } } as const;
    const variants: Array<[string, Column[]]> = [
      ['micros', [{ name: 'timestamp', data: Array.from(csv.time, (t) => BigInt(t) * 1000n), element: micros }, ...rest]],
      ['nanos', [{ name: 'Datetime', data: Array.from(csv.time, (t) => BigInt(t) * 1_000_000n), element: nanos }, ...rest]],
      ['date', [{ name: 'date', data: Array.from(csv.time, (t) => t / DAY), element: { type: 'INT32', converted_type: 'DATE' } }, ...rest]],
      // A DATE given as a logical type only (no converted type).
      ['date-logical', [{ name: 'date', data: Array.from(csv.time, (t) => t / DAY), element: { type: 'INT32', logical_type: { type: 'DATE' } } }, ...rest]],
      ['iso', [{ name: 'Date', data: csvTimes('GOOG.csv'), type: 'STRING' }, ...rest]],
      ['epoch-s', [{ name: 'time', data: Array.from(csv.time, (t) => BigInt(t / 1000)), type: 'INT64' }, ...rest]],
      // pandas writes an unnamed DatetimeIndex as __index_level_0__, after the other columns.
      ['pandas', [...rest, { name: '__index_level_0__', data: Array.from(csv.time, (t) => BigInt(t) * 1_000_000n), element: nanos }]],
    ];
    for (const [name, columns] of variants) {
      const m = await loadParquet(await writeParquet(`GOOG-${name}.parquet`, columns));
      expectSameMarket(m, csv);
    }
  });

  it('EURUSD (hourly) and BTCUSD (monthly), several row groups, uncompressed and gzip', async () => {
    for (const [name, codec] of [['EURUSD.csv', 'UNCOMPRESSED'], ['BTCUSD.csv', 'GZIP']] as const) {
      const csv = await loadCsv(DATA(name));
      const path = await writeParquet(name.replace('.csv', '.parquet'), [{ name: '', data: csvTimes(name), type: 'STRING' }, ...prices(csv, ['open', 'high', 'low', 'close']), volume(csv)], { codec, rowGroupSize: 1000 });
      expectSameMarket(await loadParquet(path), csv);
    }
  });

  it('without a volume column: hasVolume false; INT64 and string prices are numbers', async () => {
    const path = await writeParquet('novol.parquet', [
      { name: 'date', data: ['2013-01-02', '2013-01-03'], type: 'STRING' },
      { name: 'open', data: [10n, 11n], type: 'INT64' },
      { name: 'high', data: ['12.5', '12'], type: 'STRING' },
      { name: 'low', data: [9, 10], type: 'DOUBLE' },
      { name: 'close', data: [11, 11.5], type: 'DOUBLE' },
    ]);
    const m = await loadParquet(path);
    expect(m.hasVolume).toBe(false);
    expect(Array.from(m.open)).toEqual([10, 11]);
    expect(Array.from(m.high)).toEqual([12.5, 12]);
    expect(Array.from(m.volume)).toEqual([0, 0]);
  });
});

describe('bad Parquet is refused naming file, row and column', () => {
  const base = (n: number): Column[] => [
    { name: 'date', data: Array.from({ length: n }, (_, i) => new Date(Date.UTC(2013, 0, 2) + i * DAY)), type: 'TIMESTAMP' },
    { name: 'open', data: new Array<number>(n).fill(10), type: 'DOUBLE' },
    { name: 'high', data: new Array<number>(n).fill(11), type: 'DOUBLE' },
    { name: 'low', data: new Array<number>(n).fill(9), type: 'DOUBLE' },
    { name: 'close', data: new Array<number>(n).fill(10), type: 'DOUBLE' },
  ];
  const withColumn = (cols: Column[], name: string, data: unknown[]): Column[] => cols.map((c) => (c.name === name ? { ...c, data } : c));

  it('a missing column', async () => {
    const path = await writeParquet('no-close.parquet', base(3).filter((c) => c.name !== 'close'));
    const e = await loadError(path);
    expect(e.code).toBe('E_DATA');
    expect(e.location).toEqual({ file: path, line: 0, column: 0 });
    expect(e.message).toBe(`${path}: missing column: close`);
  });

  it('a NaN price', async () => {
    const path = await writeParquet('nan.parquet', withColumn(base(5), 'close', [10, 10, 10, NaN, 10]));
    const e = await loadError(path);
    expect(e.location).toEqual({ file: path, line: 4, column: 5, columnName: 'close' });
    expect(e.message).toBe(`${path}:4:5 (close): row 4: close NaN is not a finite number`);
  });

  it('a decreasing time', async () => {
    const t = [2, 3, 5, 4].map((d) => new Date(Date.UTC(2013, 0, d)));
    const path = await writeParquet('decreasing.parquet', withColumn(base(4), 'date', t));
    const e = await loadError(path);
    expect(e.location).toEqual({ file: path, line: 4, column: 1, columnName: 'date' });
    expect(e.message).toMatch(/row 4: time 2013-01-04 is earlier than the previous time 2013-01-05 at row 3 \(times must be strictly increasing\)$/);
  });

  it('a null value, a broken bar rule, a column of the wrong type', async () => {
    const nul = await writeParquet('null.parquet', withColumn(base(3), 'open', [10, null, 10]));
    expect((await loadError(nul)).message).toBe(`${nul}:2:2 (open): row 2: open is missing (null)`);
    const high = await writeParquet('high.parquet', withColumn(base(3), 'high', [11, 11, 9.5]));
    expect((await loadError(high)).message).toBe(`${high}:3:3 (high): row 3: high 9.5 is below max(open, close) = 10`);
    const bool = await writeParquet('bool.parquet', withColumn(base(2), 'low', [true, false]).map((c) => (c.name === 'low' ? { ...c, type: 'BOOLEAN' as const } : c)));
    const e = await loadError(bool);
    expect(e.location).toEqual({ file: bool, line: 0, column: 4, columnName: 'low' });
    expect(e.message).toMatch(/column 4 \(low\): the low column has Parquet type BOOLEAN: expected numbers/);
  });

  it('a time type that is no point in time (TIME of day) is refused clearly', async () => {
    const cols = base(2);
    cols[0] = { name: 'time', data: [1000, 2000], element: { type: 'INT32', logical_type: { type: 'TIME', isAdjustedToUTC: true, unit: 'MILLIS' } } };
    const path = await writeParquet('time-of-day.parquet', cols);
    expect((await loadError(path)).message).toMatch(/the time column has Parquet type INT32 \(TIME, MILLIS\): expected a TIMESTAMP/);
  });

  it('epoch numbers that change unit mid-file, as in a CSV', async () => {
    const s = 1_700_000_000;
    const path = await writeParquet('mixed-units.parquet', withColumn(base(3), 'date', [BigInt(s), BigInt(s + 60), BigInt((s + 120) * 1000)]).map((c) => (c.name === 'date' ? { ...c, type: 'INT64' as const } : c)));
    const e = await loadError(path);
    expect(e.location?.line).toBe(3);
    expect(e.message).toMatch(/row 3: time 1700000120000 is outside years 1900-2200 in epoch seconds \(this file's unit since row 1\): as epoch seconds year/);
  });

  it('not a Parquet file, an empty one, a missing one', async () => {
    const fake = join(tmp, 'fake.parquet');
    await writeFile(fake, 'date,open,high,low,close\n2013-01-02,1,1,1,1\n');
    const e = await loadError(fake);
    expect(e.code).toBe('E_DATA');
    expect(e.message).toMatch(new RegExp(`^${fake.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not a readable Parquet file: `));
    const empty = await writeParquet('empty.parquet', base(0).map((c) => ({ ...c, data: [] })), {});
    expect((await loadError(empty)).message).toBe(`${empty}: no data rows (the file has a schema only)`);
    const missing = await loadError(join(tmp, 'nope.parquet'));
    expect(missing.code).toBe('E_IO');
    expect(missing.message).toContain('nope.parquet');
  });

  it('checkParquet collects every problem in row order', async () => {
    const path = await writeParquet('several.parquet', withColumn(withColumn(base(6), 'close', [10, NaN, 10, 10, -1, 10]), 'open', [10, 10, null, 10, 10, 10]));
    const r = await checkParquet(path);
    expect(r.bars).toBe(6);
    expect(r.errors.map((x) => [x.location.line, x.location.column, x.location.columnName])).toEqual([
      [2, 5, 'close'],
      [3, 2, 'open'],
      [5, 5, 'close'],
      [5, 4, 'low'],
    ]);
    expect(r.errors[2]!.message).toBe('row 5: close -1 is not positive (prices must be > 0)');
  });
});

describe('loadMarket and checkMarketFile pick the reader by extension', () => {
  it('.csv, .parquet, and the Parquet magic for other names', async () => {
    const csv = await loadCsv(DATA('BTCUSD.csv'));
    const path = await writeParquet('btc.parquet', [{ name: '', data: csvTimes('BTCUSD.csv'), type: 'STRING' }, ...prices(csv), volume(csv)]);
    const odd = join(tmp, 'btc.data');
    await writeFile(odd, readFileSync(path));
    expect(await dataFormat(DATA('BTCUSD.csv'))).toBe('csv');
    expect(await dataFormat(path)).toBe('parquet');
    expect(await dataFormat(odd)).toBe('parquet');
    expectSameMarket(await loadMarket(path), csv);
    expectSameMarket(await loadMarket(odd), csv);
    expectSameMarket(await loadMarket(DATA('BTCUSD.csv')), csv);
    expect((await checkMarketFile(path)).errors).toEqual([]);
    expect((await checkMarketFile(DATA('BTCUSD.csv'))).bars).toBe(156);
  });
});
