import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, ColumnData, FileMetaData, SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ioError } from '../errors.js';
import type { DataLocation } from '../errors.js';
import { MARKET_COLUMNS } from './market.js';
import type { MarketData } from './market.js';
import { ColumnStore, checkBar, mapColumns, numberFromText, readChecked, readStrict } from './rows.js';
import type { CheckReport, DataIssue } from './rows.js';
import { TimeReader } from './times.js';
import { MS_PER_DAY, ROLE_TIME, ROLE_VOLUME, formatTime } from './validate.js';

/*
 * Parquet input (hyparquet, with hyparquet-compressors for gzip, zstd, brotli, lz4): the same
 * columns and the same strict rules as a CSV file (rows.ts, times.ts), row by row in file order.
 * A problem is named by file, row (1-based, the first data row is row 1) and column (1-based in
 * the file's schema, with its name).
 */

/** How a column's values become numbers. */
type ValueKind = 'number' | 'text' | 'timestamp' | 'days' | 'epoch';

/** Time units of typed timestamps go to epoch ms here, rounded to the nearest ms (halves up). */
function roundedDiv(x: bigint, d: bigint): number {
  let q = x / d;
  let r = x % d;
  if (r < 0n) {
    q -= 1n;
    r += d;
  }
  return Number(2n * r >= d ? q + 1n : q);
}

const PARSERS = {
  timestampFromMilliseconds: (x: bigint): number => Number(x),
  timestampFromMicroseconds: (x: bigint): number => roundedDiv(x, 1000n),
  timestampFromNanoseconds: (x: bigint): number => roundedDiv(x, 1_000_000n),
  dateFromDays: (d: number): number => d * MS_PER_DAY,
};

/** The type of a schema element as a reader would name it: `INT64 (TIMESTAMP, NANOS)`, `BYTE_ARRAY (STRING)`. */
function describeType(e: SchemaElement): string {
  if ((e.num_children ?? 0) > 0) return 'a group (nested columns)';
  const lt = e.logical_type;
  const extra = lt === undefined ? e.converted_type : lt.type + ('unit' in lt ? `, ${lt.unit}` : '');
  return `${e.type ?? '?'}${extra === undefined ? '' : ` (${extra})`}`;
}

const isNumeric = (t: string | undefined): boolean => t === 'INT32' || t === 'INT64' || t === 'FLOAT' || t === 'DOUBLE';
const isPlainInteger = (e: SchemaElement): boolean =>
  e.logical_type === undefined ? e.converted_type === undefined || /^U?INT_/.test(e.converted_type) : e.logical_type.type === 'INTEGER';
const isString = (e: SchemaElement): boolean =>
  e.type === 'BYTE_ARRAY' && (e.logical_type === undefined ? e.converted_type === undefined || e.converted_type === 'UTF8' : e.logical_type.type === 'STRING');
const isDecimal = (e: SchemaElement): boolean => e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL';

/** How the values of a column in `role` are read, or why they cannot be. */
function valueKind(e: SchemaElement, role: number): ValueKind | string {
  const name = MARKET_COLUMNS[role]!;
  if ((e.num_children ?? 0) > 0 || e.repetition_type === 'REPEATED') return `the ${name} column is ${describeType(e)}, not a column of single values`;
  if (role === ROLE_TIME) {
    const lt = e.logical_type;
    if (lt?.type === 'TIMESTAMP' || e.converted_type === 'TIMESTAMP_MILLIS' || e.converted_type === 'TIMESTAMP_MICROS' || e.type === 'INT96') return 'timestamp';
    if (e.converted_type === 'DATE') return 'timestamp';
    // hyparquet converts a DATE by its converted type only; a logical-only DATE comes as days.
    if (lt?.type === 'DATE') return 'days';
    if (isString(e)) return 'text';
    if (isNumeric(e.type) && (e.type === 'FLOAT' || e.type === 'DOUBLE' ? lt === undefined && e.converted_type === undefined : isPlainInteger(e))) return 'epoch';
    return `the time column has Parquet type ${describeType(e)}: expected a TIMESTAMP (MILLIS, MICROS or NANOS), a DATE, a string (ISO 8601 or an epoch number) or an epoch number in seconds or milliseconds`;
  }
  // hyparquet scales a DECIMAL by its converted type only: a logical-only one would come unscaled.
  if (isDecimal(e)) return e.converted_type === 'DECIMAL' ? 'number' : `the ${name} column is a DECIMAL without the DECIMAL converted type, which cannot be read here: write it as DOUBLE`;
  if (isNumeric(e.type) && (e.type === 'FLOAT' || e.type === 'DOUBLE' || isPlainInteger(e))) return 'number';
  if (isString(e)) return 'text';
  return `the ${name} column has Parquet type ${describeType(e)}: expected numbers (FLOAT, DOUBLE, INT32, INT64 or DECIMAL) or decimal strings`;
}

/** The reader: schema checks, then every row through the shared rules. */
class ParquetReader {
  bars = 0;
  hasVolume = false;
  private readonly times = new TimeReader('row');
  private readonly values = new Float64Array(6);
  private names: string[] = [];

  constructor(
    readonly file: string,
    private readonly report: (issue: DataIssue) => void,
    private readonly store: ColumnStore | null,
  ) {}

  /** Row 0 is the file (its schema); column 0 the whole row. */
  private issue(row: number, column: number, message: string): void {
    const location: DataLocation = { file: this.file, line: row, column };
    if (column > 0) {
      const name = this.names[column - 1];
      if (name !== undefined && name !== '') location.columnName = name;
    }
    this.report({ location, message: row > 0 ? `row ${row}: ${message}` : message });
  }

  async read(): Promise<void> {
    let file: AsyncBuffer;
    let metadata: FileMetaData;
    try {
      file = await asyncBufferFromFile(this.file);
      metadata = await parquetMetadataAsync(file);
    } catch (e) {
      if (isSystemError(e)) throw ioError(`cannot read ${this.file}: ${(e as Error).message}`, e);
      this.issue(0, 0, `not a readable Parquet file: ${(e as Error).message}`);
      return;
    }
    const top = parquetSchema(metadata).children.map((c) => c.element);
    this.names = top.map((e) => e.name);
    // pandas writes an unnamed index as __index_level_0__ (after the other columns).
    const map = mapColumns(this.names, (i, name) => (i === 0 && name === '') || name === '__index_level_0__', 'an unnamed index column', (column, message) =>
      this.issue(0, column, message),
    );
    if (!map.ok) return;
    this.hasVolume = map.hasVolume;
    const kinds: Array<ValueKind | null> = [null, null, null, null, null, null];
    let ok = true;
    for (let role = 0; role < 6; role++) {
      const col = map.columnOf[role]!;
      if (col < 0) continue;
      const k = valueKind(top[col]!, role);
      if (k === 'number' || k === 'text' || k === 'timestamp' || k === 'days' || k === 'epoch') kinds[role] = k;
      else {
        ok = false;
        this.issue(0, col + 1, k);
      }
    }
    if (!ok) return;
    const total = Number(metadata.num_rows);
    if (total === 0) {
      this.issue(0, 0, 'no data rows (the file has a schema only)');
      return;
    }
    const used = [...map.columnOf].filter((c) => c >= 0);
    const columnNames = used.map((c) => this.names[c]!);
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      if (rowEnd === rowStart) continue;
      const columns = await this.readGroup(file, metadata, columnNames, rowStart, rowEnd);
      if (columns === null) return;
      const byRole = Array.from(map.columnOf, (c) => (c < 0 ? null : columns.get(this.names[c]!)!));
      for (let i = 0; i < rowEnd - rowStart; i++) this.row(rowStart + i + 1, i, byRole, kinds, map.columnOf);
      rowStart = rowEnd;
    }
  }

  /** One row group's needed columns, as arrays indexed from its first row; null after a decoding problem. */
  private async readGroup(file: AsyncBuffer, metadata: FileMetaData, columns: string[], rowStart: number, rowEnd: number): Promise<Map<string, unknown[]> | null> {
    const out = new Map<string, unknown[]>(columns.map((c) => [c, new Array<unknown>(rowEnd - rowStart)]));
    try {
      await parquetRead({
        file, metadata, columns, rowStart, rowEnd, compressors, parsers: PARSERS,
        onChunk: (chunk: ColumnData) => {
          const dest = out.get(chunk.columnName);
          if (dest === undefined) return;
          // A chunk may reach outside the rows asked for: keep the overlap.
          const from = Math.max(chunk.rowStart, rowStart);
          const to = Math.min(chunk.rowEnd, rowEnd);
          for (let r = from; r < to; r++) dest[r - rowStart] = chunk.columnData[r - chunk.rowStart];
        },
      });
    } catch (e) {
      if (isSystemError(e)) throw ioError(`cannot read ${this.file}: ${(e as Error).message}`, e);
      this.issue(rowStart + 1, 0, `cannot decode rows ${rowStart + 1}-${rowEnd}: ${(e as Error).message}`);
      return null;
    }
    return out;
  }

  private row(row: number, i: number, byRole: Array<unknown[] | null>, kinds: Array<ValueKind | null>, columnOf: Int32Array): void {
    this.bars++;
    const values = this.values;
    let ok = true;
    let timeText = '';
    for (let role = 0; role < 6; role++) {
      const col = byRole[role];
      if (col === null || col === undefined) {
        values[role] = 0; // only volume can be absent
        continue;
      }
      const raw = col[i];
      const r = this.value(raw, role, kinds[role]!, row);
      if (role === ROLE_TIME) timeText = typeof r === 'number' ? (kinds[role] === 'timestamp' || kinds[role] === 'days' ? formatTime(r) : String(raw)) : '';
      if (typeof r === 'string') {
        ok = false;
        this.issue(row, columnOf[role]! + 1, r);
        values[role] = NaN;
      } else {
        values[role] = r;
      }
    }
    const t = values[ROLE_TIME]!;
    if (!Number.isNaN(t)) {
      const problem = this.times.order(t, timeText, row);
      if (problem !== null) {
        ok = false;
        this.issue(row, columnOf[ROLE_TIME]! + 1, problem);
      }
    }
    if (!checkBar(values, (role, message) => this.issue(row, columnOf[role]! + 1, message))) ok = false;
    if (ok && this.store !== null) this.store.push(t, values[1]!, values[2]!, values[3]!, values[4]!, this.hasVolume ? values[ROLE_VOLUME]! : 0);
  }

  /** One value as a number, or what is wrong with it. */
  private value(raw: unknown, role: number, kind: ValueKind, row: number): number | string {
    const name = MARKET_COLUMNS[role]!;
    if (raw === null || raw === undefined) return `${name} is missing (null)`;
    if (kind === 'text') {
      if (typeof raw !== 'string') return `${name} ${String(raw)} is not text`;
      return role === ROLE_TIME ? this.times.text(raw.trim(), row) : numberFromText(raw.trim(), role);
    }
    let x: number;
    if (typeof raw === 'bigint') {
      x = Number(raw);
      if (!Number.isSafeInteger(x)) return `${name} ${raw} is too large to hold exactly as a double`;
    } else if (typeof raw === 'number') {
      x = raw;
    } else {
      return `${name} ${String(raw)} is not a number`;
    }
    if (kind === 'timestamp') return this.times.typed(x);
    if (kind === 'days') return this.times.typed(x * MS_PER_DAY);
    if (kind === 'epoch') return this.times.epoch(x, row);
    if (!Number.isFinite(x)) return `${name} ${x} is not a finite number`;
    return x === 0 ? 0 : x;
  }
}

/** An operating-system error (ENOENT, EISDIR, EACCES...): the file could not be read at all. */
function isSystemError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!);
}

/**
 * Loads an OHLCV Parquet file into shared columnar market data, with the column rules and the
 * strict validation of loadCsv(): the first problem is thrown as `E_DATA` whose `location`
 * names the file, the row (`line`; the first data row is 1, 0 for the schema) and the column
 * (1-based in the file's top-level schema, with its name). Times may be TIMESTAMP (ms, us or ns;
 * rounded to the millisecond), DATE, INT96, strings as in a CSV file, or epoch numbers (unit
 * decided once per file). Prices and volume: FLOAT, DOUBLE, INT32, INT64, DECIMAL or decimal
 * strings. A file that cannot be read throws `E_IO`.
 */
export async function loadParquet(path: string): Promise<MarketData> {
  const store = new ColumnStore();
  let hasVolume = false;
  await readStrict(async (report) => {
    const reader = new ParquetReader(path, report, store);
    await reader.read();
    hasVolume = reader.hasVolume;
  });
  return store.toMarket(path, hasVolume);
}

/**
 * Checks a Parquet file against the rules of loadParquet() but keeps going, collecting up to
 * `maxErrors` problems (default 20), like checkCsv(). Only an unreadable file throws (`E_IO`).
 */
export async function checkParquet(path: string, options: { maxErrors?: number } = {}): Promise<CheckReport> {
  return readChecked(path, options.maxErrors, async (report) => {
    const reader = new ParquetReader(path, report, null);
    await reader.read();
    return reader.bars;
  });
}
