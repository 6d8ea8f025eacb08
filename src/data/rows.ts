import { configError, dataError } from '../errors.js';
import type { DataLocation } from '../errors.js';
import { allocateMarket, MARKET_COLUMNS } from './market.js';
import type { MarketData } from './market.js';
import { NUMBER_RE } from './times.js';
import { ROLE_CLOSE, ROLE_HIGH, ROLE_LOW, ROLE_OPEN, ROLE_TIME, ROLE_VOLUME, barIsValid, barProblems } from './validate.js';

/*
 * The column and row rules of SPEC section 1 that every file reader (CSV, Parquet) shares: which
 * column is which, what a value must look like, and what the readers report.
 */

/** One problem found by checkCsv() or checkParquet(). */
export interface DataIssue {
  location: DataLocation;
  /** What is wrong, without the `file:line:column` prefix (formatLocation() gives that). */
  message: string;
}

/** What checkCsv() or checkParquet() found in one file. */
export interface CheckReport {
  file: string;
  /** Data rows read, valid or not (header and blank lines excluded; 0 when the header is unusable). */
  bars: number;
  /** The problems, in file order, at most `maxErrors` of them. */
  errors: DataIssue[];
  /** True when there were more problems than `maxErrors`. */
  truncated: boolean;
}

/** Default cap on the problems a check reports. */
export const DEFAULT_MAX_ERRORS = 20;

/** Raised inside a reader to stop at the first problem; carries the issue out of the loop. */
export class StopReading {
  constructor(readonly issue: DataIssue) {}
}

/** What a reader reports each problem to. */
export type Report = (issue: DataIssue) => void;

/**
 * Runs a reader in strict mode: its first problem stops it and is thrown as `E_DATA` with the
 * problem's location. Errors of its own (`E_IO`) pass through.
 */
export async function readStrict(read: (report: Report) => Promise<void>): Promise<void> {
  try {
    await read((issue) => {
      throw new StopReading(issue);
    });
  } catch (e) {
    if (e instanceof StopReading) throw dataError(e.issue.location, e.issue.message);
    throw e;
  }
}

/**
 * Runs a reader in checking mode: every problem is kept, up to `maxErrors` (default 20);
 * `read` returns the rows it saw. Only an unreadable file throws.
 */
export async function readChecked(file: string, maxErrors: number | undefined, read: (report: Report) => Promise<number>): Promise<CheckReport> {
  const max = maxErrors ?? DEFAULT_MAX_ERRORS;
  if (!Number.isInteger(max) || max < 0) throw configError('maxErrors', `expected an integer >= 0, got ${max}`);
  const errors: DataIssue[] = [];
  let truncated = false;
  const bars = await read((issue) => {
    if (errors.length < max) errors.push(issue);
    else truncated = true;
  });
  return { file, bars, errors, truncated };
}

const STORE_CHUNK_ROWS = 1 << 16;

/** Growable column storage: fixed-size Float64Array chunks, copied once into the shared buffer. */
export class ColumnStore {
  private readonly chunks: Float64Array[][] = [];
  private current: Float64Array[] = [];
  private fill = STORE_CHUNK_ROWS;
  length = 0;

  push(t: number, o: number, h: number, l: number, c: number, v: number): void {
    if (this.fill === STORE_CHUNK_ROWS) {
      this.current = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(STORE_CHUNK_ROWS));
      this.chunks.push(this.current);
      this.fill = 0;
    }
    const k = this.fill++;
    const cur = this.current;
    cur[0]![k] = t;
    cur[1]![k] = o;
    cur[2]![k] = h;
    cur[3]![k] = l;
    cur[4]![k] = c;
    cur[5]![k] = v;
    this.length++;
  }

  toMarket(source: string, hasVolume: boolean): MarketData {
    const m = allocateMarket(this.length, source, hasVolume);
    const targets = [m.time, m.open, m.high, m.low, m.close, m.volume];
    let offset = 0;
    for (const chunk of this.chunks) {
      const rows = Math.min(STORE_CHUNK_ROWS, this.length - offset);
      for (let col = 0; col < 6; col++) targets[col]!.set(chunk[col]!.subarray(0, rows), offset);
      offset += rows;
    }
    return m;
  }
}

const TIME_NAMES = new Set(['date', 'time', 'timestamp', 'datetime']);
const ROLE_NAMES = new Map<string, number>([
  ['open', ROLE_OPEN],
  ['high', ROLE_HIGH],
  ['low', ROLE_LOW],
  ['close', ROLE_CLOSE],
  ['volume', ROLE_VOLUME],
]);

/** Which file column plays which role. */
export interface ColumnMap {
  /** Role of each file column (index into MARKET_COLUMNS), -1 for an ignored one. */
  roles: Int8Array;
  /** File column index (0-based) of each role, -1 when absent. */
  columnOf: Int32Array;
  hasVolume: boolean;
  /** False when a required column is missing or a role is claimed twice. */
  ok: boolean;
}

/**
 * Maps column names to roles (SPEC section 1): names match case-insensitively; the time column
 * is `date`, `time`, `timestamp` or `datetime`, else the unnamed index column (`isIndex`; CSV:
 * an unnamed first column) when no column is named so. Reports each duplicate role at its column
 * (1-based) and every missing column at once (column 0). `indexText` describes the index form
 * in the missing-column message.
 */
export function mapColumns(
  names: readonly string[], isIndex: (i: number, name: string) => boolean, indexText: string, report: (column: number, message: string) => void,
): ColumnMap {
  const n = names.length;
  const roles = new Int8Array(n).fill(-1);
  const columnOf = new Int32Array(6).fill(-1);
  const lower = names.map((s) => s.trim().toLowerCase());
  const namedTime = lower.some((s) => TIME_NAMES.has(s));
  let ok = true;
  for (let i = 0; i < n; i++) {
    const name = lower[i]!;
    const role = TIME_NAMES.has(name) || (!namedTime && isIndex(i, name)) ? ROLE_TIME : (ROLE_NAMES.get(name) ?? -1);
    if (role < 0) continue;
    const first = columnOf[role]!;
    if (first >= 0) {
      ok = false;
      report(i + 1, `duplicate ${MARKET_COLUMNS[role]!} column: "${names[i]!.trim()}" (column ${i + 1}) and "${names[first]!.trim()}" (column ${first + 1})`);
      continue;
    }
    columnOf[role] = i;
    roles[i] = role;
  }
  const missing: string[] = [];
  if (columnOf[ROLE_TIME]! < 0) missing.push(`time (date, time, timestamp, datetime or ${indexText})`);
  for (const role of [ROLE_OPEN, ROLE_HIGH, ROLE_LOW, ROLE_CLOSE]) if (columnOf[role]! < 0) missing.push(MARKET_COLUMNS[role]!);
  if (missing.length > 0) {
    ok = false;
    report(0, `missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  }
  return { roles, columnOf, hasVolume: columnOf[ROLE_VOLUME]! >= 0, ok };
}

/** A strictly decimal, finite number written as text, or the message saying why not. */
export function numberFromText(s: string, role: number): number | string {
  if (s === '') return `${MARKET_COLUMNS[role]!} is empty`;
  if (!NUMBER_RE.test(s)) return `${MARKET_COLUMNS[role]!} ${JSON.stringify(s)} is not a number`;
  const x = Number(s);
  if (!Number.isFinite(x)) return `${MARKET_COLUMNS[role]!} ${s} is not finite`;
  return x;
}

/**
 * The bar rules on one row's values ([time, open, high, low, close, volume]; NaN where a value
 * did not parse, which was reported already). Reports each broken rule by role, skipping rules
 * about a value that did not parse (they would only echo NaN); returns false if any was broken.
 */
export function checkBar(values: Float64Array, report: (role: number, message: string) => void): boolean {
  const o = values[ROLE_OPEN]!;
  const h = values[ROLE_HIGH]!;
  const l = values[ROLE_LOW]!;
  const c = values[ROLE_CLOSE]!;
  const v = values[ROLE_VOLUME]!;
  if (barIsValid(o, h, l, c, v)) return true;
  let ok = true;
  for (const p of barProblems(o, h, l, c, v)) {
    const involved = p.role === ROLE_HIGH || p.role === ROLE_LOW ? [p.role, ROLE_OPEN, ROLE_CLOSE] : [p.role];
    if (involved.some((r) => Number.isNaN(values[r]!))) continue;
    ok = false;
    report(p.role, p.message);
  }
  return ok;
}
