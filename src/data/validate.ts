import { dataError } from '../errors.js';
import type { DataLocation } from '../errors.js';
import { MARKET_COLUMNS } from './market.js';
import type { MarketData } from './market.js';

/*
 * The validation rules of SPEC section 1, in one place so that the CSV loader and in-memory
 * arrays are judged (and described) identically. Column roles are indices into
 * MARKET_COLUMNS: [time, open, high, low, close, volume].
 */

export const ROLE_TIME = 0;
export const ROLE_OPEN = 1;
export const ROLE_HIGH = 2;
export const ROLE_LOW = 3;
export const ROLE_CLOSE = 4;
export const ROLE_VOLUME = 5;

/** One broken rule of one bar: the role of the offending column and what is wrong. */
export interface BarProblem {
  role: number;
  message: string;
}

const MS_PER_DAY = 86_400_000;
/** The ECMAScript time range: times outside it cannot be formatted as dates. */
export const MAX_TIME_MS = 8.64e15;

/**
 * The fast path of the bar rules: true when positive prices, high >= max(open, close),
 * low <= min(open, close) and volume >= 0 all hold. NaN fails every comparison, so a NaN never
 * passes; finiteness itself is checked where the values are parsed.
 */
export function barIsValid(o: number, h: number, l: number, c: number, v: number): boolean {
  return o > 0 && h > 0 && l > 0 && c > 0 && h >= (o > c ? o : c) && l <= (o < c ? o : c) && v >= 0;
}

/**
 * Every rule the bar breaks, in column order of the checks (prices, high, low, volume). Only
 * called when barIsValid() said no, so it may allocate.
 */
export function barProblems(o: number, h: number, l: number, c: number, v: number): BarProblem[] {
  const out: BarProblem[] = [];
  const prices: Array<[number, number]> = [
    [ROLE_OPEN, o],
    [ROLE_HIGH, h],
    [ROLE_LOW, l],
    [ROLE_CLOSE, c],
  ];
  for (const [role, x] of prices) {
    if (!(x > 0)) out.push({ role, message: `${MARKET_COLUMNS[role]!} ${fmt(x)} is not positive (prices must be > 0)` });
  }
  const hi = o > c ? o : c;
  const lo = o < c ? o : c;
  if (h < hi) out.push({ role: ROLE_HIGH, message: `high ${fmt(h)} is below max(open, close) = ${fmt(hi)}` });
  if (l > lo) out.push({ role: ROLE_LOW, message: `low ${fmt(l)} is above min(open, close) = ${fmt(lo)}` });
  if (v < 0) out.push({ role: ROLE_VOLUME, message: `volume ${fmt(v)} is negative` });
  return out;
}

/**
 * The message for a time that does not come strictly after the previous one. `where` names
 * the previous row, e.g. "line 4" or "row 3".
 */
export function timeOrderMessage(current: string, previous: string, where: string, equal: boolean): string {
  return equal
    ? `time ${current} repeats the previous time at ${where} (duplicate timestamp; times must be strictly increasing)`
    : `time ${current} is earlier than the previous time ${previous} at ${where} (times must be strictly increasing)`;
}

/**
 * An epoch-millisecond time as `YYYY-MM-DD` when it is midnight UTC, else as the ISO form
 * `YYYY-MM-DDTHH:MM:SS.sssZ`; values that are no date at all are shown as numbers.
 */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_TIME_MS) return String(ms);
  const iso = new Date(ms).toISOString();
  return ms % MS_PER_DAY === 0 ? iso.slice(0, 10) : iso;
}

function fmt(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

/**
 * Applies the CSV rules of SPEC section 1 to in-memory bars: every value finite, prices > 0,
 * high >= max(open, close), low <= min(open, close), volume >= 0, time strictly increasing,
 * and at least one bar. Throws the first violation as `E_DATA` with `file` = `m.source`,
 * `line` = row index + 1, `column` = 1-based index in [time, open, high, low, close, volume]
 * and `columnName`; the message says "row N" because there is no file line.
 */
export function validateMarket(m: MarketData): void {
  const n = m.length;
  const fail = (row: number, role: number, message: string): never => {
    const loc: DataLocation =
      role < 0 ? { file: m.source, line: row + 1, column: 0 } : { file: m.source, line: row + 1, column: role + 1, columnName: MARKET_COLUMNS[role]! };
    throw dataError(loc, `row ${row + 1}: ${message}`);
  };
  if (n < 1) fail(0, -1, 'no bars');
  const { time, open, high, low, close, volume } = m;
  const columns = [time, open, high, low, close, volume];
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = time[i]!;
    const o = open[i]!;
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    const v = volume[i]!;
    // One combined test keeps the common (valid) row to a handful of comparisons.
    if (Number.isFinite(t) && t > prev && Number.isFinite(o + h + l + c + v) && barIsValid(o, h, l, c, v)) {
      prev = t;
      continue;
    }
    for (let role = 0; role < columns.length; role++) {
      const x = columns[role]![i]!;
      if (!Number.isFinite(x)) fail(i, role, `${MARKET_COLUMNS[role]!} ${String(x)} is not a finite number`);
    }
    if (!(t > prev)) fail(i, ROLE_TIME, timeOrderMessage(formatTime(t), formatTime(prev), `row ${i}`, t === prev));
    const problem = barProblems(o, h, l, c, v)[0];
    if (problem !== undefined) fail(i, problem.role, problem.message);
    prev = t;
  }
}
