import { createHash } from 'node:crypto';
import type { MarketData } from '../data/market.js';
import { configError } from '../errors.js';

// The run signature: what decides a run's result, and the comparison that names what differs
// (a checkpoint's against the resuming run, an evaluator's against the run).

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
  /** The (first) market's digest and length. */
  data: string;
  bars: number;
  /** Several markets only: every market of the basket, in order. */
  markets?: { name: string; digest: string; bars: number }[];
  /** The strategy and its content digest (sha256 of its module): a changed module is another run. */
  strategy?: { name: string; digest: string };
  options: Record<string, unknown>;
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
 * The differences between two signatures, one sentence each, naming every option that differs
 * (nested settings field by field, `backtest.commission`) with both values under their labels.
 */
export function signatureDifferences(a: RunSignature, b: RunSignature, labelA: string, labelB: string): string[] {
  const diffs: string[] = [];
  if (a.markets !== undefined || b.markets !== undefined) {
    diffs.push(...basketDifferences(a, b, labelA, labelB));
  } else if (a.data !== b.data || a.bars !== b.bars) {
    diffs.push(`the data differs (${labelA}: ${a.bars} bars, sha256 ${a.data.slice(0, 12)}...; ${labelB}: ${b.bars} bars, sha256 ${b.data.slice(0, 12)}...)`);
  }
  if (a.strategy !== undefined && b.strategy !== undefined && a.strategy.digest !== b.strategy.digest) {
    diffs.push(`the strategy ${b.strategy.name} changed since the ${labelA} (sha256 ${a.strategy.digest.slice(0, 12)}... then, ${b.strategy.digest.slice(0, 12)}... ${labelB})`);
  }
  // Nested settings (backtest costs, operators) are compared field by field, so the message
  // names the field that differs instead of printing two whole objects to diff by eye.
  const was = leaves(a.options);
  const is = leaves(b.options);
  const keys = [...new Set([...Object.keys(was), ...Object.keys(is)])].sort();
  for (const k of keys) {
    const x = JSON.stringify(was[k]);
    const y = JSON.stringify(is[k]);
    if (x !== y) diffs.push(`${k} differs (${labelA}: ${x ?? 'unset'}, ${labelB}: ${y ?? 'unset'})`);
  }
  return diffs;
}

/** The markets of a signature (one unnamed market for a single-market signature). */
function basket(s: RunSignature): { name: string; digest: string; bars: number }[] {
  return s.markets ?? [{ name: '(the single market)', digest: s.data, bars: s.bars }];
}

/** The differences between two baskets, naming each market that changed, left or joined. */
function basketDifferences(a: RunSignature, b: RunSignature, labelA: string, labelB: string): string[] {
  const was = basket(a);
  const is = basket(b);
  const diffs: string[] = [];
  const short = (m: { digest: string; bars: number }): string => `${m.bars} bars, sha256 ${m.digest.slice(0, 12)}...`;
  for (const m of was) {
    const n = is.find((x) => x.name === m.name);
    if (n === undefined) diffs.push(`market ${m.name} differs (${labelA}: ${short(m)}; ${labelB}: not in the basket)`);
    else if (n.digest !== m.digest || n.bars !== m.bars) diffs.push(`market ${m.name} differs (${labelA}: ${short(m)}; ${labelB}: ${short(n)})`);
  }
  for (const n of is) if (!was.some((m) => m.name === n.name)) diffs.push(`market ${n.name} differs (${labelA}: not in the basket; ${labelB}: ${short(n)})`);
  if (diffs.length === 0 && was.map((m) => m.name).join('\n') !== is.map((m) => m.name).join('\n')) {
    diffs.push(`the markets are in another order (${labelA}: ${was.map((m) => m.name).join(', ')}; ${labelB}: ${is.map((m) => m.name).join(', ')})`);
  }
  return diffs;
}

/**
 * Refuses to resume a checkpoint whose data or result-affecting options differ, naming each
 * difference. Stopping options, threads, batch size and backend are not part of the signature.
 */
export function checkSignature(saved: RunSignature, now: RunSignature): void {
  const diffs = signatureDifferences(saved, now, 'checkpoint', 'now');
  if ((saved.strategy === undefined) !== (now.strategy === undefined)) {
    diffs.push(`the strategy's digest is missing from the ${saved.strategy === undefined ? 'checkpoint' : 'run'}`);
  }
  if (diffs.length > 0) throw configError('resume', `the checkpoint is from another run: ${diffs.join('; ')}`);
}
