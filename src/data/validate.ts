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

export const MS_PER_DAY = 86_400_000;
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

/*
 * Time units (issue: a file that starts in epoch seconds and goes on in milliseconds). An epoch
 * number carries no unit, so the unit is decided once, from the first time, and every later
 * time must be plausible in that unit: inside years 1900-2200, and within a factor of 100 of the
 * time before it. Seconds read as milliseconds land in January 1970 (1000x too small);
 * milliseconds read as seconds land around the year 55,000.
 */

/** 1900-01-01T00:00:00Z: the earliest time an epoch number may decode to. */
export const EPOCH_MIN_MS = -2_208_988_800_000;
/** 2201-01-01T00:00:00Z: epoch numbers must decode to a time before it (years up to 2200). */
export const EPOCH_END_MS = 7_289_654_400_000;
/** Consecutive epoch times further apart than this factor cannot share a unit. */
export const UNIT_JUMP_FACTOR = 100;
/**
 * Magnitudes below this (in ms, about 11.6 days from 1970-01-01) count as this much in the jump
 * rule, so that series starting at or near time 0 are not taken for a change of unit.
 */
const JUMP_FLOOR_MS = 1e9;

/** An epoch unit: how many milliseconds one unit is. */
export type EpochUnit = 'seconds' | 'milliseconds';

/** True when an epoch time (ms) lies in years 1900-2200. */
export function epochInRange(ms: number): boolean {
  return ms >= EPOCH_MIN_MS && ms < EPOCH_END_MS;
}

/**
 * The factor by which ms differs from the time before it when that exceeds UNIT_JUMP_FACTOR
 * (magnitudes floored at about 11.6 days), else 0.
 */
export function unitJump(previousMs: number, ms: number): number {
  if (!Number.isFinite(previousMs)) return 0;
  const a = Math.max(Math.abs(previousMs), JUMP_FLOOR_MS);
  const b = Math.max(Math.abs(ms), JUMP_FLOOR_MS);
  const f = a > b ? a / b : b / a;
  return f > UNIT_JUMP_FACTOR ? f : 0;
}

const MS_PER_YEAR = 365.2425 * MS_PER_DAY;

/** An epoch time for a message: its ISO form in years 0000-9999, else "year N". */
export function describeEpoch(ms: number): string {
  if (ms >= -62_167_219_200_000 && ms < 253_402_300_800_000) return formatTime(ms);
  const year = Math.floor(1970 + ms / MS_PER_YEAR);
  return Number.isFinite(year) ? `year ${year.toLocaleString('en-US')}` : String(ms);
}

/** Both readings of a raw epoch number, the series' unit first: "as epoch seconds X, as epoch milliseconds Y". */
export function bothReadings(raw: number, unit: EpochUnit = 'seconds'): string {
  const s = `as epoch seconds ${describeEpoch(Math.round(raw * 1000))}`;
  const m = `as epoch milliseconds ${describeEpoch(raw)}`;
  return unit === 'seconds' ? `${s}, ${m}` : `${m}, ${s}`;
}

/**
 * Why an epoch time cannot be in the series' unit, or null when it can. `raw` is the number as
 * written, `ms` its value in `unit`; `previousMs` and `previousRaw` are the time before it
 * (previousMs NaN when there is none), `previousAt` where that is ("line 4", "row 3"), and
 * `decided` says where the unit came from ("this file's unit since line 2").
 */
export function timeUnitProblem(raw: number, ms: number, unit: EpochUnit, decided: string, previousMs: number, previousRaw: number | string, previousAt: string): string | null {
  const readings = `${bothReadings(raw, unit)}; times must not mix units`;
  if (!epochInRange(ms)) return `time ${raw} is outside years 1900-2200 in epoch ${unit} (${decided}): ${readings}`;
  const f = unitJump(previousMs, ms);
  if (f === 0) return null;
  const dir = Math.abs(ms) > Math.abs(previousMs) ? 'larger' : 'smaller';
  const factor = f >= 1e6 ? f.toExponential(1) : Math.round(f).toLocaleString('en-US');
  return `time ${raw} is ${factor}x ${dir} than the time ${previousRaw} before it at ${previousAt}, too far for one unit (epoch ${unit}, ${decided}): ${readings}`;
}

/**
 * The unit of the first epoch time of a series: seconds when that puts it in years 1900-2200,
 * else milliseconds when that does, else null (no plausible reading).
 */
export function decideEpochUnit(raw: number): EpochUnit | null {
  if (epochInRange(Math.round(raw * 1000))) return 'seconds';
  if (epochInRange(raw)) return 'milliseconds';
  return null;
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
 *
 * With `timeUnits`, also the time-unit rule for epoch-millisecond times (every time in years
 * 1900-2200 and within a factor of 100 of the one before it), which catches seconds or
 * microseconds passed for milliseconds, or a mix; the message gives both readings of the value.
 */
export function validateMarket(m: MarketData, options: { timeUnits?: boolean } = {}): void {
  const timeUnits = options.timeUnits === true;
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
    if (
      Number.isFinite(t) && t > prev && Number.isFinite(o + h + l + c + v) && barIsValid(o, h, l, c, v)
      && (!timeUnits || (t >= EPOCH_MIN_MS && t < EPOCH_END_MS && (i === 0 || unitJump(prev, t) === 0)))
    ) {
      prev = t;
      continue;
    }
    for (let role = 0; role < columns.length; role++) {
      const x = columns[role]![i]!;
      if (!Number.isFinite(x)) fail(i, role, `${MARKET_COLUMNS[role]!} ${String(x)} is not a finite number`);
    }
    if (timeUnits) {
      // Before the order rule: seconds after milliseconds also decrease, but the unit is the news.
      const previous = i === 0 ? NaN : prev;
      const problem = timeUnitProblem(t, t, 'milliseconds', 'the unit of in-memory times', previous, previous, `row ${i}`);
      if (problem !== null) fail(i, ROLE_TIME, problem);
    }
    if (!(t > prev)) fail(i, ROLE_TIME, timeOrderMessage(formatTime(t), formatTime(prev), `row ${i}`, t === prev));
    const problem = barProblems(o, h, l, c, v)[0];
    if (problem !== undefined) fail(i, problem.role, problem.message);
    prev = t;
  }
}

