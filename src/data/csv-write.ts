import { dataError } from '../errors.js';
import type { DataLocation } from '../errors.js';
import { writeFileAtomic } from '../io.js';
import type { MarketData } from './market.js';
import { MS_PER_DAY, ROLE_TIME, validateMarket } from './validate.js';

/*
 * Writing market data as CSV that loadCsv() reads back bit for bit.
 */

const WRITE_CHUNK_ROWS = 10_000;
/** Year 0000-01-01 and 9999-12-31T23:59:59.999Z: what a four-digit ISO year can express. */
const MIN_WRITABLE_TIME = -62_167_219_200_000;
const MAX_WRITABLE_TIME = 253_402_300_799_999;

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
