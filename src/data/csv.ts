import { createReadStream } from 'node:fs';
import { EngineError, ioError } from '../errors.js';
import type { DataLocation } from '../errors.js';
import type { MarketData } from './market.js';
import { ColumnStore, StopReading, checkBar, mapColumns, numberFromText, readChecked, readStrict } from './rows.js';
import type { CheckReport, DataIssue } from './rows.js';
import { TimeReader } from './times.js';
import { ROLE_TIME, ROLE_VOLUME } from './validate.js';

export type { CheckReport, DataIssue } from './rows.js';
export { DEFAULT_MAX_ERRORS } from './rows.js';
export { parseIsoTime } from './times.js';
export { csvText, writeCsv } from './csv-write.js';

/**
 * Options of loadCsv(). Reserved: loading always stops at the first problem and throws it;
 * checkCsv() is the variant that keeps going and collects every problem.
 */
export interface LoadCsvOptions {}

const READ_CHUNK_BYTES = 1 << 20;
/** No CSV row is this long; a file that is (one endless line) would otherwise be held whole. */
const MAX_LINE_CHARS = 16 << 20;
const CR_ONLY = 'lines end in CR only (old Mac line ends): save the file with LF or CRLF line ends';

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
  private roles: Int8Array<ArrayBufferLike> = new Int8Array(0);
  /** File column index (0-based) of each role, -1 when absent. */
  private columnOf: Int32Array<ArrayBufferLike> = new Int32Array(6).fill(-1);
  /**
   * The fields of known columns in the current row: the text of quoted fields and of the time
   * (kept for messages), else null with the field's bounds in the line text, so that most
   * numbers are parsed in place without a string of their own.
   */
  private readonly rawText: Array<string | null> = [null, null, null, null, null, null];
  private readonly rawStart = new Int32Array(6);
  private readonly rawEnd = new Int32Array(6);
  private readonly values = new Float64Array(6);
  private readonly times = new TimeReader('line');
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
  lineTooLong(text: string): void {
    this.usable = false;
    if (text.includes('\r')) this.issue(this.line + 1, 0, CR_ONLY);
    else this.issue(this.line + 1, 0, `line longer than ${MAX_LINE_CHARS} characters: not a CSV row`);
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
    const cr = text.indexOf('\r', start);
    if (cr >= 0 && cr < end) {
      // Only LF ends a line here, so a file of CR-ended lines reads as one header line.
      this.usable = false;
      this.issue(1, 0, CR_ONLY);
      return;
    }
    const fields: string[] = [];
    if (!this.scanFields(text, start, end, 1, fields)) {
      this.usable = false;
      return;
    }
    this.names = fields.map((f) => f.trim());
    this.nColumns = fields.length;
    // An unnamed first column (pandas' index) is the time only when no column is named so.
    const map = mapColumns(this.names, (i, name) => i === 0 && name === '', 'an unnamed first column', (column, message) => this.issue(1, column, message));
    this.roles = map.roles;
    this.columnOf = map.columnOf;
    this.hasVolume = map.hasVolume;
    this.usable = map.ok;
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
        const r = this.times.text(timeText, line);
        x = typeof r === 'number' ? r : NaN;
        if (typeof r === 'string') this.issue(line, col + 1, r);
      } else {
        const s = rawText[role]!;
        x = s === null ? plainDecimal(text, this.rawStart[role]!, this.rawEnd[role]!) : NaN;
        // Anything the fast path declines (exponents, long mantissas, spaces, quotes, junk) takes the strict general path.
        if (Number.isNaN(x)) {
          const r = numberFromText((s ?? text.slice(this.rawStart[role]!, this.rawEnd[role]!)).trim(), role);
          x = typeof r === 'number' ? r : NaN;
          if (typeof r === 'string') this.issue(line, col + 1, r);
        }
      }
      if (Number.isNaN(x)) ok = false;
      values[role] = x;
    }
    if (!this.hasVolume) values[ROLE_VOLUME] = 0;
    const t = values[ROLE_TIME]!;
    if (!Number.isNaN(t)) {
      const problem = this.times.order(t, timeText, line);
      if (problem !== null) {
        ok = false;
        this.issue(line, this.columnOf[ROLE_TIME]! + 1, problem);
      }
    }
    if (!checkBar(values, (role, message) => this.issue(line, this.columnOf[role]! + 1, message))) ok = false;
    if (ok && this.store !== null) this.store.push(t, values[1]!, values[2]!, values[3]!, values[4]!, values[5]!);
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
        parser.lineTooLong(carry);
        return;
      }
    }
  } catch (e) {
    if (e instanceof StopReading || e instanceof EngineError) throw e;
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
  let hasVolume = false;
  await readStrict(async (report) => {
    const parser = new CsvParser(path, report, store);
    await parseFile(parser, path);
    hasVolume = parser.hasVolume;
  });
  return store.toMarket(path, hasVolume);
}

/**
 * Checks a CSV file against the same rules as loadCsv() but keeps going, collecting up to
 * `maxErrors` problems (default 20; `truncated` says there were more). Reading continues to
 * the end so `bars` counts every data row. Only an unreadable file throws (`E_IO`).
 */
export async function checkCsv(path: string, options: { maxErrors?: number } = {}): Promise<CheckReport> {
  return readChecked(path, options.maxErrors, async (report) => {
    const parser = new CsvParser(path, report, null);
    await parseFile(parser, path);
    return parser.bars;
  });
}
