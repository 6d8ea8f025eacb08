import { MS_PER_DAY, bothReadings, decideEpochUnit, timeOrderMessage, timeUnitProblem } from './validate.js';

/*
 * Reading times the way SPEC section 1 writes them, shared by every file reader: ISO 8601 text
 * parsed strictly, epoch numbers whose unit is decided once per file, and the strict order.
 */

/** A strictly decimal number: what a CSV field (or a Parquet string) must look like to be one. */
export const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const TIME_FORMATS = 'an ISO 8601 date (YYYY-MM-DD), a date-time (YYYY-MM-DD[T or space]HH:MM[:SS[.fff]][Z or ±HH:MM]) or an epoch number';

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


/** How a file writes its times, fixed by the first valid time. */
const TIME_UNKNOWN = 0;
const TIME_ISO = 1;
const TIME_EPOCH_SECONDS = 2;
const TIME_EPOCH_MILLIS = 3;
/** A typed column (Parquet TIMESTAMP or DATE): the unit is the type's, no heuristics. */
const TIME_TYPED = 4;

/**
 * The time rules of one file: the format (ISO text or epoch numbers) and the epoch unit are
 * decided by the first valid time and hold for the whole file; each later epoch time must be
 * plausible in that unit (validate.ts: years 1900-2200, no jump of more than 100x); times must
 * increase strictly. Every method returns epoch milliseconds, or a message saying what is wrong
 * (the caller adds file, place and column). `place` names a position in messages: "line" for
 * CSV (header = line 1), "row" for Parquet.
 */
export class TimeReader {
  private mode = TIME_UNKNOWN;
  /** Where the time that decided the mode is. */
  private modeAt = 0;
  private prevTime = -Infinity;
  private prevText = '';
  private prevAt = 0;

  constructor(private readonly place: 'line' | 'row') {}

  /** Time text: ISO 8601 or an epoch number (the file's unit). */
  text(s: string, at: number): number | string {
    if (s === '') return 'time is empty';
    if (NUMBER_RE.test(s)) {
      if (this.mode === TIME_ISO) return `time ${s} is an epoch number, but this file's times are ISO 8601 (since ${this.place} ${this.modeAt})`;
      const x = Number(s);
      if (!Number.isFinite(x)) return `time ${s} is not finite`;
      return this.epoch(x, at);
    }
    if (this.mode === TIME_EPOCH_SECONDS || this.mode === TIME_EPOCH_MILLIS) {
      const unit = this.mode === TIME_EPOCH_SECONDS ? 'seconds' : 'milliseconds';
      return `time ${JSON.stringify(s)} is not a number, but this file's times are epoch ${unit} (since ${this.place} ${this.modeAt})`;
    }
    const r = parseIsoTime(s);
    if (typeof r === 'string') return r;
    if (this.mode === TIME_UNKNOWN) this.decide(TIME_ISO, at);
    return r;
  }

  /** An epoch number without a unit of its own (a CSV number, an untyped Parquet integer). */
  epoch(x: number, at: number): number | string {
    if (!Number.isFinite(x)) return `time ${x} is not finite`;
    let unit = this.mode;
    if (unit === TIME_ISO) return `time ${x} is an epoch number, but this file's times are ISO 8601 (since ${this.place} ${this.modeAt})`;
    if (unit === TIME_UNKNOWN) {
      // The unit is decided once, from the first time, so a file never mixes seconds and milliseconds.
      const decided = decideEpochUnit(x);
      if (decided === null) return `time ${x} is outside years 1900-2200 in either epoch unit: ${bothReadings(x)}`;
      unit = decided === 'seconds' ? TIME_EPOCH_SECONDS : TIME_EPOCH_MILLIS;
    }
    const ms = Math.round(unit === TIME_EPOCH_SECONDS ? x * 1000 : x);
    if (this.mode === TIME_UNKNOWN) {
      this.decide(unit, at);
    } else {
      const previous = this.prevTime === -Infinity ? NaN : this.prevTime;
      const unitName = unit === TIME_EPOCH_SECONDS ? 'seconds' : 'milliseconds';
      const problem = timeUnitProblem(x, ms, unitName, `this file's unit since ${this.place} ${this.modeAt}`, previous, this.prevText, `${this.place} ${this.prevAt}`);
      if (problem !== null) return problem;
    }
    return ms === 0 ? 0 : ms; // no -0: it would not survive a round trip through text
  }

  /** A time whose unit its type gives (epoch ms already), e.g. a Parquet TIMESTAMP or DATE. */
  typed(ms: number): number | string {
    if (!Number.isFinite(ms)) return `time ${ms} is not finite`;
    this.mode = TIME_TYPED;
    return ms === 0 ? 0 : ms;
  }

  /**
   * The order rule for a parsed time (`text` as the file writes it, for messages): null and
   * remembered when it comes strictly after the last accepted time, else the message.
   */
  order(t: number, text: string, at: number): string | null {
    if (t > this.prevTime) {
      this.prevTime = t;
      this.prevText = text;
      this.prevAt = at;
      return null;
    }
    return timeOrderMessage(text, this.prevText, `${this.place} ${this.prevAt}`, t === this.prevTime);
  }

  private decide(mode: number, at: number): void {
    this.mode = mode;
    this.modeAt = at;
  }
}
