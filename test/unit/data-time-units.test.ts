import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCsv, loadCsv } from '../../src/data/csv.js';
import { marketFromArrays } from '../../src/data/market.js';
import { EngineError } from '../../src/errors.js';

// Issue 15 item 4: one time unit per file, never silently mixed.

const DAY = 86_400_000;
/** 2023-11-14T22:13:20Z in epoch seconds. */
const T0 = 1_700_000_000;

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'evoquant-units-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function csv(name: string, times: Array<number | string>): Promise<string> {
  const path = join(tmp, name);
  await writeFile(path, `time,open,high,low,close\n${times.map((t) => `${t},10,11,9,10`).join('\n')}\n`);
  return path;
}

async function loadError(path: string): Promise<EngineError> {
  const e = await loadCsv(path).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EngineError);
  return e as EngineError;
}

describe('CSV epoch times: the unit is decided by the first row and holds for the file', () => {
  it('seconds, then milliseconds: E_DATA at the first millisecond line, with both readings', async () => {
    // Rows 2-4 hourly in seconds, then the same clock continues in milliseconds.
    const path = await csv('s-then-ms.csv', [T0, T0 + 3600, T0 + 7200, (T0 + 10800) * 1000, (T0 + 14400) * 1000]);
    const e = await loadError(path);
    expect(e.code).toBe('E_DATA');
    expect(e.location).toEqual({ file: path, line: 5, column: 1, columnName: 'time' });
    expect(e.message).toContain(`${path}:5:1 (time): time ${(T0 + 10800) * 1000} is outside years 1900-2200 in epoch seconds (this file's unit since line 2)`);
    // Read as seconds it lands in the year 55,000-odd; as milliseconds it is the right date.
    expect(e.message).toMatch(/as epoch seconds year 55,\d{3}, as epoch milliseconds 2023-11-15T01:13:20\.000Z/);
  });

  it('milliseconds, then seconds: refused as a jump by 1000x, not as a mere decrease', async () => {
    const path = await csv('ms-then-s.csv', [T0 * 1000, (T0 + 60) * 1000, T0 + 120]);
    const e = await loadError(path);
    expect(e.location).toEqual({ file: path, line: 4, column: 1, columnName: 'time' });
    expect(e.message).toContain(`time ${T0 + 120} is 1,000x smaller than the time ${(T0 + 60) * 1000} before it at line 3`);
    expect(e.message).toContain("epoch milliseconds, this file's unit since line 2");
    expect(e.message).toMatch(/as epoch milliseconds 1970-01-20T16:13:20\.120Z, as epoch seconds 2023-11-14T22:15:20\.000Z; times must not mix units$/);
  });

  it('a factor of 100 between consecutive times is allowed, more is not', async () => {
    // Epoch milliseconds: 1e10 ms (1970-04-26) then 1e12 (2001-09-09): exactly 100x.
    const ok = await loadCsv(await csv('x100.csv', [1e10, 1e12]));
    expect(Array.from(ok.time)).toEqual([1e10, 1e12]);
    const e = await loadError(await csv('x101.csv', [1e10, 1.01e12]));
    expect(e.location?.line).toBe(3);
    expect(e.message).toMatch(/is 101x larger than the time 10000000000 before it at line 2/);
  });

  it('a first time implausible in both units is refused with both readings', async () => {
    const e = await loadError(await csv('never.csv', [1e16, 1e16 + 1]));
    expect(e.location?.line).toBe(2);
    expect(e.message).toMatch(/time 10000000000000000 is outside years 1900-2200 in either epoch unit: as epoch seconds year [\d,]+, as epoch milliseconds year 318,857/);
  });

  it('takes the unit that puts the first time in 1900-2200 (seconds when both do)', async () => {
    // 5e10 read as seconds is the year 3554; as milliseconds it is 1971-08-02.
    const ms = await loadCsv(await csv('early-ms.csv', [5e10, 5e10 + DAY]));
    expect(Array.from(ms.time)).toEqual([5e10, 5e10 + DAY]);
    // 86400 is 1970-01-02 as seconds, and as milliseconds too: seconds win.
    const s = await loadCsv(await csv('early-s.csv', [86_400, 172_800]));
    expect(Array.from(s.time)).toEqual([DAY, 2 * DAY]);
  });

  it('ISO times are not subject to the year range (they carry no unit)', async () => {
    const m = await loadCsv(await csv('iso-1871.csv', ['1871-01-01', '1871-02-01']));
    expect(m.time[0]).toBe(Date.UTC(1871, 0, 1));
  });

  it('checkCsv reports every mixed row, keeping the first unit', async () => {
    const path = await csv('mixed-check.csv', [T0, T0 + 60, (T0 + 120) * 1000, T0 + 180, (T0 + 240) * 1000]);
    const r = await checkCsv(path);
    expect(r.bars).toBe(5);
    expect(r.errors.map((e) => e.location.line)).toEqual([4, 6]);
    expect(r.errors.every((e) => /in epoch seconds \(this file's unit since line 2\)/.test(e.message))).toBe(true);
  });
});

describe('marketFromArrays applies the same rule to its epoch-millisecond times', () => {
  const bars = (time: number[]) => ({ time, open: time.map(() => 10), high: time.map(() => 11), low: time.map(() => 9), close: time.map(() => 10) });
  const fails = (time: number[]): EngineError => {
    try {
      marketFromArrays(bars(time), 'mem');
    } catch (e) {
      expect(e).toBeInstanceOf(EngineError);
      return e as EngineError;
    }
    throw new Error('marketFromArrays did not throw');
  };

  it('seconds mixed into milliseconds: E_DATA naming the row and both readings', () => {
    const e = fails([T0 * 1000, (T0 + 60) * 1000, T0 + 120]);
    expect(e.code).toBe('E_DATA');
    expect(e.location).toEqual({ file: 'mem', line: 3, column: 1, columnName: 'time' });
    expect(e.message).toMatch(/^mem:3:1 \(time\): row 3: time 1700000120 is 1,000x smaller than the time 1700000060000 before it at row 2/);
    expect(e.message).toMatch(/as epoch milliseconds 1970-01-20T16:13:20\.120Z, as epoch seconds 2023-11-14T22:15:20\.000Z/);
  });

  it('microseconds passed for milliseconds: outside 1900-2200, row 1', () => {
    const e = fails([T0 * 1e6, (T0 + 60) * 1e6]);
    expect(e.location?.line).toBe(1);
    expect(e.message).toMatch(/row 1: time 1700000000000000 is outside years 1900-2200 in epoch milliseconds/);
  });

  it('series that start at or near 0 are not taken for a change of unit', () => {
    expect(marketFromArrays(bars([0, 1, 2, 3]), 'mem').length).toBe(4);
    expect(marketFromArrays(bars([0, DAY, 2 * DAY]), 'mem').length).toBe(3);
    expect(marketFromArrays(bars([-DAY, 0, DAY]), 'mem').length).toBe(3);
  });

  it('checkTimeUnits: false lets real data outside 1900-2200 in; the SPEC rules still apply', () => {
    const t1871 = Date.UTC(1871, 0, 1);
    expect(() => marketFromArrays(bars([t1871, t1871 + DAY]), 'mem')).toThrow(/outside years 1900-2200/);
    expect(marketFromArrays(bars([t1871, t1871 + DAY]), 'mem', { checkTimeUnits: false }).time[0]).toBe(t1871);
    expect(() => marketFromArrays(bars([t1871, t1871]), 'mem', { checkTimeUnits: false })).toThrow(/duplicate timestamp/);
  });
});
