import { createReadStream } from 'node:fs';
import { EngineError, configError, dataError, ioError } from '../errors.js';
import type { DataLocation } from '../errors.js';
import { writeFileAtomic } from '../io.js';
import { allocateMarket, MARKET_COLUMNS } from './market.js';
import type { MarketData } from './market.js';
import {
  MAX_TIME_MS,
  ROLE_CLOSE,
  ROLE_HIGH,
  ROLE_LOW,
  ROLE_OPEN,
  ROLE_TIME,
  ROLE_VOLUME,
  barIsValid,
  barProblems,
  timeOrderMessage,
  validateMarket,
} from './validate.js';

/**
 * Options of loadCsv(). Reserved: loading always stops at the first problem and throws it;
 * checkCsv() is the variant that keeps going and collects every problem.
 */
export interface LoadCsvOptions {}

/** One problem found by checkCsv(). */
export interface DataIssue {
  location: DataLocation;
  /** What is wrong, without the `file:line:column` prefix (formatLocation() gives that). */
  message: string;
}

/** What checkCsv() found in one file. */
export interface CheckReport {
  file: string;
  /** Data rows read, valid or not (header and blank lines excluded; 0 when the header is unusable). */
  bars: number;
  /** The problems, in file order, at most `maxErrors` of them. */
  errors: DataIssue[];
  /** True when there were more problems than `maxErrors`. */
  truncated: boolean;
}

/** Default cap on the problems checkCsv() reports. */
export const DEFAULT_MAX_ERRORS = 20;

const READ_CHUNK_BYTES = 1 << 20;
/** No CSV row is this long; a file that is (one endless line) would otherwise be held whole. */
const MAX_LINE_CHARS = 16 << 20;
const STORE_CHUNK_ROWS = 1 << 16;
const WRITE_CHUNK_ROWS = 10_000;
const MS_PER_DAY = 86_400_000;
/** Epoch numbers with |v| >= this are milliseconds, smaller ones seconds (1e11 s is year 5138). */
const EPOCH_MS_THRESHOLD = 1e11;
/** Year 0000-01-01 and 9999-12-31T23:59:59.999Z: what a four-digit ISO year can express. */
const MIN_WRITABLE_TIME = -62_167_219_200_000;
const MAX_WRITABLE_TIME = 253_402_300_799_999;

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TIME_NAMES = new Set(['date', 'time', 'timestamp', 'datetime']);
const ROLE_NAMES = new Map<string, number>([
  ['open', ROLE_OPEN],
  ['high', ROLE_HIGH],
  ['low', ROLE_LOW],
  ['close', ROLE_CLOSE],
  ['volume', ROLE_VOLUME],
]);
const TIME_FORMATS = 'an ISO 8601 date (YYYY-MM-DD), a date-time (YYYY-MM-DD[T or space]HH:MM[:SS[.fff]][Z or ±HH:MM]) or an epoch number';

/** How the file writes its times, fixed by the first row with a valid time. */
const TIME_UNKNOWN = 0;
const TIME_ISO = 1;
const TIME_EPOCH_SECONDS = 2;
const TIME_EPOCH_MILLIS = 3;

/** Raised inside the parser to stop at the first problem; carries the issue out of the loop. */
class StopParsing {
  constructor(readonly issue: DataIssue) {}
}

/** Growable column storage: fixed-size Float64Array chunks, copied once into the shared buffer. */
class ColumnStore {
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

/**
 * The streaming parser. It sees the file one line at a time (as bounds into the current text
 * chunk, so no per-line strings), finds the fields of the six known columns with indexOf, and
 * reports each problem through `report`, which may throw to stop.
 */
class CsvParser {
  line = 0;
  bars = 0;
  /** False once the header is unusable: nothing after it can be read. */
  usable = true;
  hasVolume = false;
  private headerDone = false;
  private nColumns = 0;
  private names: string[] = [];
  /** Role of each file column, -1 for an ignored one. */
  private roles: Int8Array = new Int8Array(0);
  /** File column index (0-based) of each role, -1 when absent. */
  private readonly columnOf = new Int32Array(6).fill(-1);
  /**
   * The fields of known columns in the current row: the text of quoted fields and of the time
   * (kept for messages), else null with the field's bounds in the line text, so that most
   * numbers are parsed in place without a string of their own.
   */
  private readonly rawText: Array<string | null> = [null, null, null, null, null, null];
  private readonly rawStart = new Int32Array(6);
  private readonly rawEnd = new Int32Array(6);
  private readonly values = new Float64Array(6);
  private timeMode = TIME_UNKNOWN;
  /** The line whose time decided timeMode. */
  private timeModeLine = 0;
  private prevTime = -Infinity;
  private prevTimeText = '';
  private prevTimeLine = 0;
  /** Unescaped text of the last quoted field read by scanQuoted(). */
  private quoted = '';

  constructor(
    readonly file: string,
    private readonly report: (issue: DataIssue) => void,
    private readonly store: ColumnStore | null,
  ) {}

  private issue(line: number, column: number, message: string): void {
    const location: DataLocation = { file: this.file, line, column };
    if (column > 0) {
      const name = this.names[column - 1];
      if (name !== undefined && name !== '') location.columnName = name;
    }
    this.report({ location, message });
  }

  /** One line of the file, `text.slice(start, end)` without its line terminator. */
  onLine(text: string, start: number, end: number): void {
    const line = ++this.line;
    if (!this.headerDone) {
      this.headerDone = true;
      this.parseHeader(text, start, end);
      return;
    }
    if (!this.usable) return;
    if (start === end) {
      this.issue(line, 0, 'blank line (only the final newline may end the file)');
      return;
    }
    this.bars++;
    this.parseRow(text, start, end, line);
  }

  /** The next line has no end in sight: reported once, and reading stops. */
  lineTooLong(): void {
    this.usable = false;
    this.issue(this.line + 1, 0, `line longer than ${MAX_LINE_CHARS} characters: not a CSV row`);
  }

  /** Called at end of input. */
  finish(): void {
    if (!this.headerDone) {
      this.issue(1, 0, 'empty file');
      return;
    }
    if (this.usable && this.bars === 0) this.issue(2, 0, 'no data rows (the file has a header only)');
  }

  private parseHeader(text: string, start: number, end: number): void {
    if (start === end) {
      this.usable = false;
      this.issue(1, 0, 'the first line is blank; it must be the header row');
      return;
    }
    const fields: string[] = [];
    if (!this.scanFields(text, start, end, 1, fields)) {
      this.usable = false;
      return;
    }
    this.names = fields.map((f) => f.trim());
    this.nColumns = fields.length;
    this.roles = new Int8Array(this.nColumns).fill(-1);
    const lower = this.names.map((n) => n.toLowerCase());
    const namedTime = lower.some((n) => TIME_NAMES.has(n));
    let ok = true;
    for (let i = 0; i < lower.length; i++) {
      const name = lower[i]!;
      // An unnamed first column (pandas' index) is the time only when no column is named so.
      const role = TIME_NAMES.has(name) || (i === 0 && name === '' && !namedTime) ? ROLE_TIME : (ROLE_NAMES.get(name) ?? -1);
      if (role < 0) continue;
      const first = this.columnOf[role]!;
      if (first >= 0) {
        ok = false;
        this.issue(1, i + 1, `duplicate ${MARKET_COLUMNS[role]!} column: "${this.names[i]!}" (column ${i + 1}) and "${this.names[first]!}" (column ${first + 1})`);
        continue;
      }
      this.columnOf[role] = i;
      this.roles[i] = role;
    }
    const missing: string[] = [];
    if (this.columnOf[ROLE_TIME]! < 0) missing.push('time (date, time, timestamp, datetime or an unnamed first column)');
    for (const role of [ROLE_OPEN, ROLE_HIGH, ROLE_LOW, ROLE_CLOSE]) if (this.columnOf[role]! < 0) missing.push(MARKET_COLUMNS[role]!);
    if (missing.length > 0) {
      ok = false;
      this.issue(1, 0, `missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
    }
    this.hasVolume = this.columnOf[ROLE_VOLUME]! >= 0;
    this.usable = ok;
  }

  /**
   * Splits one line into fields. With `all`, every field is collected there (the header);
   * otherwise only the fields of known columns go to `this.rawText`/`rawStart`/`rawEnd`. Reports a wrong field count
   * or a malformed quote and returns false.
   */
  private scanFields(text: string, start: number, end: number, line: number, all: string[] | null): boolean {
    // The header sets the field count; rows must match it.
    const expected = all === null ? this.nColumns : Infinity;
    let pos = start;
    let col = 0;
    for (;;) {
      let next: number;
      let c = text.charCodeAt(pos);
      let p = pos;
      while (c === 32 && p < end) c = text.charCodeAt(++p);
      if (c === 34 && p < end) {
        const after = this.scanQuoted(text, p, end);
        if (after < 0) {
          this.issue(line, col + 1, 'unterminated quoted field');
          return false;
        }
        let q = after;
        while (q < end && text.charCodeAt(q) === 32) q++;
        if (q === end) next = -1;
        else if (text.charCodeAt(q) === 44) next = q + 1;
        else {
          this.issue(line, col + 1, 'unexpected text after the closing quote of a quoted field');
          return false;
        }
        if (all !== null) all.push(this.quoted);
        else if (this.roles[col]! >= 0) this.rawText[this.roles[col]!] = this.quoted;
      } else {
        const comma = text.indexOf(',', pos);
        const fieldEnd = comma < 0 || comma >= end ? end : comma;
        next = fieldEnd === end ? -1 : fieldEnd + 1;
        if (all !== null) all.push(text.slice(pos, fieldEnd));
        else {
          const role = this.roles[col]!;
          if (role >= 0) {
            this.rawText[role] = role === ROLE_TIME ? text.slice(pos, fieldEnd) : null;
            this.rawStart[role] = pos;
            this.rawEnd[role] = fieldEnd;
          }
        }
      }
      col++;
      if (next < 0) break;
      if (col >= expected) {
        this.issue(line, expected + 1, `too many fields: more than the ${expected} of the header`);
        return false;
      }
      pos = next;
    }
    if (all === null && col < expected) {
      this.issue(line, col + 1, `too few fields: ${col} of the ${expected} of the header`);
      return false;
    }
    return true;
  }

  /** Reads a quoted field opening at `open`; sets `this.quoted`, returns the index after the closing quote or -1. */
  private scanQuoted(text: string, open: number, end: number): number {
    let from = open + 1;
    let value = '';
    for (;;) {
      const q = text.indexOf('"', from);
      if (q < 0 || q >= end) return -1;
      if (q + 1 < end && text.charCodeAt(q + 1) === 34) {
        value += text.slice(from, q + 1);
        from = q + 2;
        continue;
      }
      this.quoted = value + text.slice(from, q);
      return q + 1;
    }
  }

  private parseRow(text: string, start: number, end: number, line: number): void {
    if (!this.scanFields(text, start, end, line, null)) return;
    const rawText = this.rawText;
    const values = this.values;
    let ok = true;
    let timeText = '';
    for (let col = 0; col < this.nColumns; col++) {
      const role = this.roles[col]!;
      if (role < 0) continue;
      let x: number;
      if (role === ROLE_TIME) {
        timeText = rawText[ROLE_TIME]!.trim();
        x = this.parseTime(timeText, line, col + 1);
      } else {
        const s = rawText[role]!;
        x = s === null ? plainDecimal(text, this.rawStart[role]!, this.rawEnd[role]!) : NaN;
        // Anything the fast path declines (exponents, long mantissas, spaces, quotes, junk) takes the strict general path.
        if (Number.isNaN(x)) x = this.parseNumber((s ?? text.slice(this.rawStart[role]!, this.rawEnd[role]!)).trim(), role, line, col + 1);
      }
      if (Number.isNaN(x)) ok = false;
      values[role] = x;
    }
    if (!this.hasVolume) values[ROLE_VOLUME] = 0;
    const t = values[ROLE_TIME]!;
    if (!Number.isNaN(t)) {
      if (t > this.prevTime) {
        this.prevTime = t;
        this.prevTimeText = timeText;
        this.prevTimeLine = line;
      } else {
        ok = false;
        const message = timeOrderMessage(timeText, this.prevTimeText, `line ${this.prevTimeLine}`, t === this.prevTime);
        this.issue(line, this.columnOf[ROLE_TIME]! + 1, message);
      }
    }
    const o = values[ROLE_OPEN]!;
    const h = values[ROLE_HIGH]!;
    const l = values[ROLE_LOW]!;
    const c = values[ROLE_CLOSE]!;
    const v = values[ROLE_VOLUME]!;
    if (!barIsValid(o, h, l, c, v)) {
      for (const p of barProblems(o, h, l, c, v)) {
        // A value that did not parse was reported already; rules about it would only echo NaN.
        const involved = p.role === ROLE_HIGH || p.role === ROLE_LOW ? [p.role, ROLE_OPEN, ROLE_CLOSE] : [p.role];
        if (involved.some((r) => Number.isNaN(values[r]!))) continue;
        ok = false;
        this.issue(line, this.columnOf[p.role]! + 1, p.message);
      }
    }
    if (ok && this.store !== null) this.store.push(t, o, h, l, c, v);
  }

  /** A strictly decimal, finite number, or NaN after reporting why not. */
  private parseNumber(s: string, role: number, line: number, column: number): number {
    if (s === '') {
      this.issue(line, column, `${MARKET_COLUMNS[role]!} is empty`);
      return NaN;
    }
    if (!NUMBER_RE.test(s)) {
      this.issue(line, column, `${MARKET_COLUMNS[role]!} ${JSON.stringify(s)} is not a number`);
      return NaN;
    }
    const x = Number(s);
    if (!Number.isFinite(x)) {
      this.issue(line, column, `${MARKET_COLUMNS[role]!} ${s} is not finite`);
      return NaN;
    }
    return x;
  }

  /** Epoch milliseconds, or NaN after reporting why not. */
  private parseTime(s: string, line: number, column: number): number {
    if (s === '') {
      this.issue(line, column, 'time is empty');
      return NaN;
    }
    const mode = this.timeMode;
    if (NUMBER_RE.test(s)) {
      if (mode === TIME_ISO) {
        this.issue(line, column, `time ${s} is an epoch number, but this file's times are ISO 8601 (since line ${this.timeModeLine})`);
        return NaN;
      }
      const x = Number(s);
      if (!Number.isFinite(x)) {
        this.issue(line, column, `time ${s} is not finite`);
        return NaN;
      }
      // The unit is decided once, so a file never mixes seconds and milliseconds.
      const unit = mode === TIME_UNKNOWN ? (Math.abs(x) >= EPOCH_MS_THRESHOLD ? TIME_EPOCH_MILLIS : TIME_EPOCH_SECONDS) : mode;
      const ms = Math.round(unit === TIME_EPOCH_SECONDS ? x * 1000 : x);
      if (!(Math.abs(ms) <= MAX_TIME_MS)) {
        this.issue(line, column, `time ${s} is out of range for an epoch ${unit === TIME_EPOCH_SECONDS ? 'seconds' : 'milliseconds'} value`);
        return NaN;
      }
      if (mode === TIME_UNKNOWN) {
        this.timeMode = unit;
        this.timeModeLine = line;
      }
      return ms === 0 ? 0 : ms; // no -0: it would not survive a round trip through text
    }
    if (mode === TIME_EPOCH_SECONDS || mode === TIME_EPOCH_MILLIS) {
      const unit = mode === TIME_EPOCH_SECONDS ? 'seconds' : 'milliseconds';
      this.issue(line, column, `time ${JSON.stringify(s)} is not a number, but this file's times are epoch ${unit} (since line ${this.timeModeLine})`);
      return NaN;
    }
    const r = parseIsoTime(s);
    if (typeof r === 'string') {
      this.issue(line, column, r);
      return NaN;
    }
    if (mode === TIME_UNKNOWN) {
      this.timeMode = TIME_ISO;
      this.timeModeLine = line;
    }
    return r;
  }
}

/** Exact powers of ten: 10^k is a double with no rounding for k <= 22. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The fast path for the common number form `[+-]digits[.digits]` with at most 15 digits:
 * the digits form an exact integer below 2^53 and 10^k is exact, so one IEEE division is
 * correctly rounded and gives the same double as Number() (Clinger's fast path). Returns NaN
 * for anything else, which then goes through the strict general parser.
 */
function plainDecimal(text: string, start: number, end: number): number {
  let i = start;
  let c = text.charCodeAt(i);
  const negative = c === 45;
  if (negative || c === 43) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 46 && fraction < 0) {
      fraction = 0;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || digits > 15) return NaN;
  const x = fraction > 0 ? mantissa / POW10[fraction]! : mantissa;
  return negative ? -x : x;
}

/** Two ASCII digits at i as a number, or -1. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
 * Plain arithmetic rather than Date.UTC, which maps years 0-99 to 1900-1999.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function badTime(s: string): string {
  return `time ${JSON.stringify(s)} is not ${TIME_FORMATS}`;
}

function invalidTime(s: string, why: string): string {
  return `time ${JSON.stringify(s)} is not a valid date-time: ${why}`;
}

/**
 * Parses the ISO 8601 forms of SPEC section 1 strictly, from validated parts (Date.parse
 * accepts far too much): YYYY-MM-DD, then optionally T or a space, HH:MM, :SS, .fraction
 * (rounded to the millisecond), and Z or ±HH:MM / ±HHMM (no zone = UTC). Returns epoch
 * milliseconds or an error message.
 */
export function parseIsoTime(s: string): number | string {
  const n = s.length;
  if (n < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return badTime(s);
  const y1 = digits2(s, 0);
  const y2 = digits2(s, 2);
  const month = digits2(s, 5);
  const day = digits2(s, 8);
  if (y1 < 0 || y2 < 0 || month < 0 || day < 0) return badTime(s);
  const year = y1 * 100 + y2;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millis = 0;
  let offset = 0;
  if (n > 10) {
    const sep = s.charCodeAt(10);
    if ((sep !== 84 && sep !== 32) || n < 16 || s.charCodeAt(13) !== 58) return badTime(s);
    hour = digits2(s, 11);
    minute = digits2(s, 14);
    if (hour < 0 || minute < 0) return badTime(s);
    let i = 16;
    if (i < n && s.charCodeAt(i) === 58) {
      second = digits2(s, i + 1);
      if (second < 0) return badTime(s);
      i += 3;
      if (i < n && s.charCodeAt(i) === 46) {
        let j = i + 1;
        while (j < n && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
        if (j === i + 1) return badTime(s);
        // Round to the nearest millisecond from the digits themselves (no float parsing).
        const frac = s.slice(i + 1, j);
        millis = Number((frac + '000').slice(0, 3));
        if (frac.length > 3 && frac.charCodeAt(3) >= 53) millis++;
        i = j;
      }
    }
    if (i < n) {
      const z = s.charCodeAt(i);
      if (z === 90 && i + 1 === n) {
        offset = 0;
      } else if (z === 43 || z === 45) {
        const oh = digits2(s, i + 1);
        const colon = s.charCodeAt(i + 3) === 58 ? 1 : 0;
        const om = digits2(s, i + 3 + colon);
        if (oh < 0 || om < 0 || i + 5 + colon !== n) return badTime(s);
        if (oh > 23) return `time ${JSON.stringify(s)} has an out-of-range offset: hours ${oh} (0-23)`;
        if (om > 59) return `time ${JSON.stringify(s)} has an out-of-range offset: minutes ${om} (0-59)`;
        offset = (z === 45 ? -1 : 1) * (oh * 60 + om);
      } else {
        return badTime(s);
      }
    }
  }
  if (month < 1 || month > 12) return invalidTime(s, `month ${month} is out of range (1-12)`);
  const dim = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > dim) return invalidTime(s, `day ${day} does not exist in ${s.slice(0, 7)} (1-${dim})`);
  if (hour > 23) return invalidTime(s, `hour ${hour} is out of range (0-23)`);
  if (minute > 59) return invalidTime(s, `minute ${minute} is out of range (0-59)`);
  if (second > 59) return invalidTime(s, `second ${second} is out of range (0-59)`);
  return daysFromCivil(year, month, day) * MS_PER_DAY + hour * 3_600_000 + (minute - offset) * 60_000 + second * 1000 + millis;
}

/** Streams the file through the parser; read failures become E_IO naming the path. */
async function parseFile(parser: CsvParser, path: string): Promise<void> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES });
  let carry = '';
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let text = carry === '' ? chunk : carry + chunk;
      if (first) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        parser.onLine(text, start, nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
        start = nl + 1;
      }
      carry = start === 0 ? text : text.slice(start);
      if (carry.length > MAX_LINE_CHARS) {
        parser.lineTooLong();
        return;
      }
    }
  } catch (e) {
    if (e instanceof StopParsing || e instanceof EngineError) throw e;
    throw ioError(`cannot read ${path}: ${(e as Error).message}`, e);
  } finally {
    stream.destroy();
  }
  // The last line has no newline after it; an empty carry is the one tolerated final newline.
  if (carry !== '') {
    const end = carry.charCodeAt(carry.length - 1) === 13 ? carry.length - 1 : carry.length;
    parser.onLine(carry, 0, end);
  }
  parser.finish();
}

/**
 * Loads an OHLCV CSV file (SPEC section 1) into shared columnar market data, streaming it in
 * 1 MiB chunks so the text is never held whole. Strict: the first problem is thrown as an
 * `E_DATA` EngineError whose `location` names the file, line (header = 1), column (1-based in
 * the file's header; 0 for the whole line) and the column's header name. A file that cannot
 * be read throws `E_IO` naming the path. Rows are never dropped or reordered.
 */
export async function loadCsv(path: string, _options: LoadCsvOptions = {}): Promise<MarketData> {
  const store = new ColumnStore();
  const parser = new CsvParser(
    path,
    (issue) => {
      throw new StopParsing(issue);
    },
    store,
  );
  try {
    await parseFile(parser, path);
  } catch (e) {
    if (e instanceof StopParsing) throw dataError(e.issue.location, e.issue.message);
    throw e;
  }
  return store.toMarket(path, parser.hasVolume);
}

/**
 * Checks a CSV file against the same rules as loadCsv() but keeps going, collecting up to
 * `maxErrors` problems (default 20; `truncated` says there were more). Reading continues to
 * the end so `bars` counts every data row. Only an unreadable file throws (`E_IO`).
 */
export async function checkCsv(path: string, options: { maxErrors?: number } = {}): Promise<CheckReport> {
  const maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
  if (!Number.isInteger(maxErrors) || maxErrors < 0) throw configError('maxErrors', `expected an integer >= 0, got ${maxErrors}`);
  const errors: DataIssue[] = [];
  let truncated = false;
  const parser = new CsvParser(
    path,
    (issue) => {
      if (errors.length < maxErrors) errors.push(issue);
      else truncated = true;
    },
    null,
  );
  await parseFile(parser, path);
  return { file: path, bars: parser.bars, errors, truncated };
}

/** A number in JS's shortest round-trip form; -0 keeps its sign so the bits survive. */
function numberText(x: number): string {
  return x === 0 && 1 / x < 0 ? '-0' : String(x);
}

const PAD2 = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + String(i));

/** `YYYY-MM-DD` of a day number since 1970-01-01 (Hinnant's civil_from_days), year 0-9999. */
function formatDay(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return PAD2[Math.floor(year / 100)]! + PAD2[year % 100]! + '-' + PAD2[month]! + '-' + PAD2[day]!;
}

/**
 * Time text for writeCsv(): what toISOString() gives (or its first 10 characters), built by
 * hand because new Date() per row made dates cost as much as all the numbers together.
 */
class TimeFormatter {
  private lastDay = NaN;
  private lastDayText = '';

  constructor(private readonly dateOnly: boolean) {}

  format(t: number): string {
    const days = Math.floor(t / MS_PER_DAY);
    if (days !== this.lastDay) {
      this.lastDay = days;
      this.lastDayText = formatDay(days);
    }
    if (this.dateOnly) return this.lastDayText;
    let ms = t - days * MS_PER_DAY;
    const hour = Math.floor(ms / 3_600_000);
    ms -= hour * 3_600_000;
    const minute = Math.floor(ms / 60_000);
    ms -= minute * 60_000;
    const second = Math.floor(ms / 1000);
    ms -= second * 1000;
    const millis = (ms < 100 ? (ms < 10 ? '00' : '0') : '') + String(ms);
    return this.lastDayText + 'T' + PAD2[hour]! + ':' + PAD2[minute]! + ':' + PAD2[second]! + '.' + millis + 'Z';
  }
}

function* csvChunks(m: MarketData, dateOnly: boolean): Generator<string> {
  const { time, open, high, low, close, volume, hasVolume } = m;
  const n = m.length;
  const times = new TimeFormatter(dateOnly);
  yield hasVolume ? 'time,open,high,low,close,volume\n' : 'time,open,high,low,close\n';
  for (let from = 0; from < n; from += WRITE_CHUNK_ROWS) {
    const to = Math.min(n, from + WRITE_CHUNK_ROWS);
    let s = '';
    for (let i = from; i < to; i++) {
      s += times.format(time[i]!);
      s += ',' + numberText(open[i]!) + ',' + numberText(high[i]!) + ',' + numberText(low[i]!) + ',' + numberText(close[i]!);
      s += hasVolume ? ',' + numberText(volume[i]!) + '\n' : '\n';
    }
    yield s;
  }
}

/**
 * Writes market data as CSV, atomically (temporary file, fsync, rename) and in chunks of
 * 10,000 rows. Header `time,open,high,low,close,volume` (no volume column when the data has
 * none); times as `YYYY-MM-DD` when every bar is at midnight UTC, else
 * `YYYY-MM-DDTHH:MM:SS.sssZ`; numbers in shortest round-trip form, so loadCsv() gives back
 * bit-identical columns. The data must pass validateMarket() and its times must be whole
 * milliseconds in years 0000-9999, else `E_DATA` (what loads is what was written).
 */
export async function writeCsv(market: MarketData, path: string): Promise<void> {
  await writeFileAtomic(path, csvText(market));
}

/** The CSV text of a market, in chunks (validated first, so a bad market fails before any output). */
export function csvText(market: MarketData): Iterable<string> {
  validateMarket(market);
  const { time } = market;
  let dateOnly = true;
  for (let i = 0; i < market.length; i++) {
    const t = time[i]!;
    if (!Number.isInteger(t) || t < MIN_WRITABLE_TIME || t > MAX_WRITABLE_TIME) {
      const loc: DataLocation = { file: market.source, line: i + 1, column: ROLE_TIME + 1, columnName: 'time' };
      throw dataError(loc, `row ${i + 1}: time ${t} cannot be written: it must be whole milliseconds in years 0000-9999`);
    }
    if (t % MS_PER_DAY !== 0) dateOnly = false;
  }
  return csvChunks(market, dateOnly);
}
