import type { Metrics } from '../backtest.js';
import { METRIC_NAMES } from '../kernels/layout.js';
import type { MetricName } from '../kernels/layout.js';

const PERCENT: ReadonlySet<MetricName> = new Set(['totalReturn', 'annualReturn', 'maxDrawdown', 'winRate', 'exposure']);

/** A metric for people: percentages where they read better, fixed decimals otherwise. */
export function formatMetric(name: MetricName, v: number): string {
  if (Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (name === 'trades') return String(v);
  if (PERCENT.has(name)) return `${(v * 100).toFixed(2)}%`;
  return v.toFixed(4);
}

export function metricsTable(m: Metrics): string {
  const w = Math.max(...METRIC_NAMES.map((n) => n.length));
  return METRIC_NAMES.map((n) => `  ${n.padEnd(w)}  ${formatMetric(n, m[n]).padStart(12)}`).join('\n');
}

/** A plain text table: header row, rule, rows; numbers right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const isNum = (s: string): boolean => /^[-+]?[\d.,]+%?$|^n\/a$|^-?inf$/.test(s);
  const line = (r: string[]): string =>
    r.map((c, i) => (isNum(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

/** ISO date (or date-time when not at midnight UTC). */
export function isoTime(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('T00:00:00.000Z') ? s.slice(0, 10) : s;
}

/**
 * A formatter of epoch-ms times in the resolution of the given times (the data's own): dates
 * when every time is a UTC midnight (`2015-03-02`), minutes when every time is on a minute
 * (`2017-04-19 09:00`), seconds, else milliseconds. Times are UTC.
 */
export function timeFormatter(times: readonly number[]): (ms: number) => string {
  const all = (unit: number): boolean => times.every((t) => t % unit === 0);
  const cut = all(86_400_000) ? 10 : all(60_000) ? 16 : all(1000) ? 19 : 23;
  return (ms) => new Date(ms).toISOString().slice(0, cut).replace('T', ' ');
}

/** JSON for machines: non-finite numbers (a profit factor without losses) become null. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return null;
      if (v instanceof Float64Array) return Array.from(v);
      return v;
    },
    indent,
  );
}
