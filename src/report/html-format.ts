// How the report writes numbers, dates and text (shared by its sections).
import type { MetricName } from '../kernels/layout.js';

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const PERCENT = new Set<MetricName>(['totalReturn', 'annualReturn', 'maxDrawdown', 'winRate', 'exposure']);

/** A number as the report shows it (the browser test reads these back). */
export function show(v: number | null | undefined, kind: 'percent' | 'fixed' | 'int' | 'prob' = 'fixed'): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (kind === 'percent') return `${(v * 100).toFixed(2)}%`;
  if (kind === 'int') return Math.round(v).toLocaleString('en-US');
  if (kind === 'prob') return v.toFixed(4);
  return v.toFixed(4);
}

export function metric(name: MetricName, v: number | null | undefined): string {
  if (name === 'trades' && typeof v === 'number' && Number.isFinite(v)) return Number.isInteger(v) ? String(v) : v.toFixed(1);
  return show(v, PERCENT.has(name) ? 'percent' : 'fixed');
}

export function isoDate(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('T00:00:00.000Z') ? s.slice(0, 10) : s.replace('.000Z', 'Z');
}
