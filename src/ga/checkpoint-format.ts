import { createHash } from 'node:crypto';
import { configError } from '../errors.js';

// The checkpoint's file format tools: the canonical form digests are taken over, and field
// checks whose messages name the file and the field (never an internal error).

/** JSON with object keys sorted at every level: the form digests are taken over. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** sha256 (hex) of an object's canonical form without its own `sha256` field. */
export function contentDigest(o: Record<string, unknown>): string {
  const { sha256: _, ...rest } = o;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Fails with E_CONFIG on `resume`, naming the file: what a user reads when a checkpoint is bad. */
export function bad(file: string, message: string): never {
  throw configError('resume', `${file}: ${message}`);
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Field checks that name the field (`progress.hof[2].genes`) in the message. */
export class Fields {
  constructor(readonly file: string) {}
  private wrong(v: unknown, name: string, want: string): never {
    if (v === undefined) bad(this.file, `${name} is missing`);
    bad(this.file, `${name} must be ${want}, got ${kind(v)}`);
  }
  obj(v: unknown, name: string): Obj {
    if (!isObj(v)) this.wrong(v, name, 'an object');
    return v;
  }
  arr(v: unknown, name: string, length?: number): unknown[] {
    if (!Array.isArray(v)) this.wrong(v, name, 'an array');
    if (length !== undefined && v.length !== length) bad(this.file, `${name} must have ${length} entries, got ${v.length}`);
    return v;
  }
  str(v: unknown, name: string): string {
    if (typeof v !== 'string') this.wrong(v, name, 'a string');
    return v;
  }
  num(v: unknown, name: string): number {
    if (typeof v !== 'number') this.wrong(v, name, 'a number');
    return v;
  }
  int(v: unknown, name: string, lo = 0, hi = Number.MAX_SAFE_INTEGER): number {
    if (v === undefined) this.wrong(v, name, 'an integer');
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) bad(this.file, `${name} must be an integer in [${lo}, ${hi}], got ${JSON.stringify(v) ?? kind(v)}`);
    return v;
  }
  /** Base64 of exactly `count` float64 values (any count when undefined; then a multiple of `multiple`). */
  f64(v: unknown, name: string, count?: number, multiple = 1): void {
    const s = this.str(v, name);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) bad(this.file, `${name} is not base64`);
    const bytes = Buffer.from(s, 'base64');
    const expected = count === undefined ? undefined : count * 8;
    if (expected !== undefined ? bytes.length !== expected : bytes.length % (8 * multiple) !== 0) {
      bad(this.file, `${name} must hold ${count !== undefined ? `${count} float64 values (${expected} bytes)` : `float64 values in groups of ${multiple}`}, got ${bytes.length} bytes`);
    }
  }
}

export function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}
