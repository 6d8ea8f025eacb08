import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { MarketData } from '../data/market.js';
import { configError } from '../errors.js';
import { writeFileAtomic } from '../io.js';
import type { RandomState } from '../random.js';

/** Float64Array <-> base64 of its bytes: exact bits, compact, JSON-safe (NaN and Infinity too). */
export function f64ToBase64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function base64ToF64(s: string): Float64Array {
  const b = Buffer.from(s, 'base64');
  const out = new Float64Array(b.length / 8);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** sha256 of the market's columns (time and OHLCV): the data part of a run's signature. */
export function marketDigest(m: MarketData): string {
  const h = createHash('sha256');
  for (const col of [m.time, m.open, m.high, m.low, m.close, m.volume]) {
    h.update(new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
  }
  return h.digest('hex');
}

/** The part of a run that decides its result: data digest and every result-affecting option. */
export interface RunSignature {
  data: string;
  bars: number;
  /** The strategy and its content digest (sha256 of its module): a changed module is another run. */
  strategy?: { name: string; digest: string };
  options: Record<string, unknown>;
}

/** Everything needed to continue a run after its last completed generation. */
export interface CheckpointState {
  format: 'evoquant-checkpoint';
  version: 1;
  signature: RunSignature;
  /** Generations completed (the next one to evaluate has this index). */
  generation: number;
  population: string;
  rng: RandomState;
  /** JSON-safe copies of the coordinator's bookkeeping (history, hall of fame, counters). */
  progress: unknown;
  cache: { keys: string[]; metrics: string; width: number };
}

/** Writes a checkpoint atomically (temporary file, fsync, rename). */
export async function writeCheckpoint(path: string, state: CheckpointState): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(state));
}

export async function readCheckpoint(path: string): Promise<CheckpointState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw configError('resume', `cannot read ${path}: ${(e as Error).message}`);
  }
  let state: CheckpointState;
  try {
    state = JSON.parse(text) as CheckpointState;
  } catch (e) {
    throw configError('resume', `${path} is not a checkpoint (not JSON: ${(e as Error).message})`);
  }
  if (state.format !== 'evoquant-checkpoint' || state.version !== 1) {
    throw configError('resume', `${path} is not an evoquant checkpoint (format ${String(state.format)}, version ${String(state.version)})`);
  }
  return state;
}

/** Leaf values of nested plain objects under dotted keys (`backtest.commission`). */
function leaves(o: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(o)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) leaves(v as Record<string, unknown>, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/**
 * Refuses to resume a checkpoint whose data or result-affecting options differ, naming each
 * difference. Stopping options, threads, batch size and backend are not part of the signature.
 */
export function checkSignature(saved: RunSignature, now: RunSignature): void {
  const diffs: string[] = [];
  if (saved.data !== now.data || saved.bars !== now.bars) {
    diffs.push(`the data differs (checkpoint: ${saved.bars} bars, sha256 ${saved.data.slice(0, 12)}...; now: ${now.bars} bars, sha256 ${now.data.slice(0, 12)}...)`);
  }
  if (saved.strategy !== undefined && now.strategy !== undefined && saved.strategy.digest !== now.strategy.digest) {
    diffs.push(`the strategy ${now.strategy.name} changed since the checkpoint (sha256 ${saved.strategy.digest.slice(0, 12)}... then, ${now.strategy.digest.slice(0, 12)}... now)`);
  } else if ((saved.strategy === undefined) !== (now.strategy === undefined)) {
    diffs.push(`the strategy's digest is missing from the ${saved.strategy === undefined ? 'checkpoint' : 'run'}`);
  }
  // Nested settings (backtest costs, operators) are compared field by field, so the message
  // names the field that differs instead of printing two whole objects to diff by eye.
  const was = leaves(saved.options);
  const is = leaves(now.options);
  const keys = [...new Set([...Object.keys(was), ...Object.keys(is)])].sort();
  for (const k of keys) {
    const a = JSON.stringify(was[k]);
    const b = JSON.stringify(is[k]);
    if (a !== b) diffs.push(`${k} differs (checkpoint: ${a ?? 'unset'}, now: ${b ?? 'unset'})`);
  }
  if (diffs.length > 0) throw configError('resume', `the checkpoint is from another run: ${diffs.join('; ')}`);
}
