import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { configError } from '../errors.js';
import { appendFileDurable, truncateFile, writeFileAtomic } from '../io.js';
import { Fields, bad, canonicalJson, contentDigest, isObj, kind } from './checkpoint-format.js';
import type { Obj } from './checkpoint-format.js';
import type { RandomState } from '../random.js';
import type { RunSignature } from './signature.js';
import { checkSignature } from './signature.js';

export { checkSignature, marketDigest, signatureDifferences } from './signature.js';
export type { RunSignature } from './signature.js';

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

/**
 * The files of a checkpoint: the snapshot itself (rewritten each generation), its append-only
 * history beside it, and the lock held while a run writes it.
 */
export function checkpointFiles(path: string): { snapshot: string; history: string; lock: string } {
  return { snapshot: path, history: `${path}.history`, lock: `${path}.lock` };
}

/** The coordinator's bookkeeping at the end of a generation (JSON-safe; floats as base64). */
export interface SnapshotProgress {
  /** The run's generation limit: a resume without its own keeps it. */
  generationLimit?: number;
  hof: { key: string; genes: number[]; fitness: number; metrics: string }[];
  bestEver: number | null;
  stale: number;
  backtests: number;
  hits: number;
  misses: number;
  /** The evaluated population: fitness (SO) or objectives (MO), and its metrics per window. */
  fitness: string;
  objectives: string | null;
  metrics: string[];
}

/**
 * One generation of the append-only history: its statistics, and what its evaluation did to
 * the fitness cache (the genomes looked up, and per train window the metrics of the misses in
 * order), so a resumed run rebuilds the cache and the trial statistics exactly by replaying.
 */
export interface HistoryRecord {
  generation: number;
  stats: unknown;
  /** The genomes evaluated (population x genes float64, base64). */
  block: string;
  /** Per train window: metrics of the cache misses, in lookup order (float64, base64). */
  misses: string[];
}

/**
 * The snapshot file: everything needed to continue a run after its last completed generation,
 * except the history, which is in the file beside it (`<snapshot>.history`) and named here by
 * its record count, byte length and sha256. `sha256` is the digest of the snapshot's canonical
 * form (sorted keys, the field itself left out).
 */
export interface CheckpointState {
  format: 'evoquant-checkpoint';
  version: 2;
  signature: RunSignature;
  /** Generations completed (the next one to evaluate has this index). */
  generation: number;
  population: string;
  rng: RandomState;
  progress: SnapshotProgress;
  history: { file: string; records: number; bytes: number; sha256: string };
  sha256: string;
}

export { canonicalJson, contentDigest } from './checkpoint-format.js';

/**
 * A history record as one line of its file, with its own digest. The line keeps the record's
 * key order (a resumed run's statistics must serialise exactly like a straight run's); the
 * digest is taken over the canonical form, so it does not depend on that order.
 */
export function historyLine(r: HistoryRecord): string {
  const rec = r as unknown as Record<string, unknown>;
  return `${JSON.stringify({ ...rec, sha256: contentDigest(rec) })}\n`;
}

/** Sizes a checkpoint must have for this run (checked after the signature). */
export interface CheckpointShape {
  population: number;
  genes: number;
  /** Objectives (0 in single-objective mode). */
  objectives: number;
  /** Train windows. */
  windows: number;
  /** Metrics per backtest. */
  metrics: number;
}

/** A checkpoint read and verified: the snapshot, its history records, and the history's bytes. */
export interface LoadedCheckpoint {
  state: CheckpointState;
  records: HistoryRecord[];
  /** The history file's verified bytes (the records the snapshot names). */
  historyBytes: Buffer;
  /** Bytes after them: a torn append or a generation whose snapshot was never written. */
  tailBytes: number;
}

/** Writes a checkpoint snapshot atomically (temporary file, fsync, rename), with its digest. */
export async function writeCheckpoint(path: string, state: Omit<CheckpointState, 'sha256'>): Promise<void> {
  const o = state as unknown as Obj;
  await writeFileAtomic(path, canonicalJson({ ...o, sha256: contentDigest(o) }));
}

/**
 * Reads and verifies a checkpoint: the snapshot's digest, its structure, the run signature
 * (against `now`), the sizes for this run, and the history file (its bytes against the digest
 * the snapshot names, each record against its own). Every problem is E_CONFIG on `resume`
 * naming the file and the field, or E_IO when a file cannot be read.
 */
export async function readCheckpoint(path: string, now?: RunSignature, shape?: CheckpointShape): Promise<LoadedCheckpoint> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw configError('resume', `cannot read ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw configError('resume', `${path} is not a checkpoint (not JSON: ${(e as Error).message})`);
  }
  if (!isObj(raw) || raw['format'] !== 'evoquant-checkpoint') {
    throw configError('resume', `${path} is not an evoquant checkpoint (format ${isObj(raw) ? String(raw['format']) : kind(raw)})`);
  }
  if (raw['version'] !== 2) {
    bad(path, `checkpoint version ${String(raw['version'])} is not supported by this evoquant (version 2): start a new run`);
  }
  if (typeof raw['sha256'] !== 'string') bad(path, 'has no sha256 digest: not a complete checkpoint');
  if (contentDigest(raw) !== raw['sha256']) {
    bad(path, 'its content does not match its sha256 digest: the checkpoint was edited or damaged and cannot be resumed');
  }
  const f = new Fields(path);
  const sig = f.obj(raw['signature'], 'signature');
  const signature: RunSignature = { data: f.str(sig['data'], 'signature.data'), bars: f.int(sig['bars'], 'signature.bars'), options: f.obj(sig['options'], 'signature.options') };
  if (sig['markets'] !== undefined) {
    signature.markets = f.arr(sig['markets'], 'signature.markets').map((x, i) => {
      const e = f.obj(x, `signature.markets[${i}]`);
      return { name: f.str(e['name'], `signature.markets[${i}].name`), digest: f.str(e['digest'], `signature.markets[${i}].digest`), bars: f.int(e['bars'], `signature.markets[${i}].bars`) };
    });
  }
  if (sig['strategy'] !== undefined) {
    const st = f.obj(sig['strategy'], 'signature.strategy');
    signature.strategy = { name: f.str(st['name'], 'signature.strategy.name'), digest: f.str(st['digest'], 'signature.strategy.digest') };
  }
  if (now !== undefined) checkSignature(signature, now);
  const generation = f.int(raw['generation'], 'generation', 1);
  const rngRaw = f.obj(raw['rng'], 'rng');
  const sWords = f.arr(rngRaw['s'], 'rng.s', 4).map((x, i) => f.int(x, `rng.s[${i}]`, 0, 0xffffffff));
  const spare = rngRaw['spare'] === null ? null : f.num(rngRaw['spare'], 'rng.spare');
  const P = shape?.population;
  const G = shape?.genes;
  const W = shape?.windows;
  const K = shape?.metrics;
  f.f64(raw['population'], 'population', P !== undefined && G !== undefined ? P * G : undefined);
  const pr = f.obj(raw['progress'], 'progress');
  const hof = f.arr(pr['hof'], 'progress.hof').map((h, i) => {
    const e = f.obj(h, `progress.hof[${i}]`);
    const genes = f.arr(e['genes'], `progress.hof[${i}].genes`, G).map((x, j) => f.num(x, `progress.hof[${i}].genes[${j}]`));
    f.f64(e['metrics'], `progress.hof[${i}].metrics`, W !== undefined && K !== undefined ? W * K : undefined);
    return { key: f.str(e['key'], `progress.hof[${i}].key`), genes, fitness: f.num(e['fitness'], `progress.hof[${i}].fitness`), metrics: e['metrics'] as string };
  });
  const progress: SnapshotProgress = {
    ...(pr['generationLimit'] === undefined ? {} : { generationLimit: f.int(pr['generationLimit'], 'progress.generationLimit', 1) }),
    hof,
    bestEver: pr['bestEver'] === null ? null : f.num(pr['bestEver'], 'progress.bestEver'),
    stale: f.int(pr['stale'], 'progress.stale'),
    backtests: f.int(pr['backtests'], 'progress.backtests'),
    hits: f.int(pr['hits'], 'progress.hits'),
    misses: f.int(pr['misses'], 'progress.misses'),
    fitness: (f.f64(pr['fitness'], 'progress.fitness', P), pr['fitness'] as string),
    objectives: pr['objectives'] === null ? null : (f.f64(pr['objectives'], 'progress.objectives', P !== undefined && shape !== undefined ? P * shape.objectives : undefined), pr['objectives'] as string),
    metrics: f.arr(pr['metrics'], 'progress.metrics', W).map((x, i) => (f.f64(x, `progress.metrics[${i}]`, P !== undefined && K !== undefined ? P * K : undefined), x as string)),
  };
  if (shape !== undefined && (progress.objectives === null) !== (shape.objectives === 0)) {
    bad(path, `progress.objectives must be ${shape.objectives === 0 ? 'null (single objective)' : `${shape.objectives} objectives per genome`}`);
  }
  const hi = f.obj(raw['history'], 'history');
  const history = { file: f.str(hi['file'], 'history.file'), records: f.int(hi['records'], 'history.records'), bytes: f.int(hi['bytes'], 'history.bytes'), sha256: f.str(hi['sha256'], 'history.sha256') };
  if (history.records !== generation) bad(path, `history.records (${history.records}) must equal generation (${generation})`);
  const state: CheckpointState = {
    format: 'evoquant-checkpoint', version: 2, signature, generation, population: raw['population'] as string,
    rng: { s: sWords as [number, number, number, number], spare }, progress, history, sha256: raw['sha256'],
  };
  const { records, historyBytes, tailBytes } = await readHistory(checkpointFiles(path).history, history, shape);
  return { state, records, historyBytes, tailBytes };
}

/** Reads the history file the snapshot names, verifying its bytes and every record. */
async function readHistory(file: string, named: CheckpointState['history'], shape?: CheckpointShape): Promise<Omit<LoadedCheckpoint, 'state'>> {
  let all: Buffer;
  try {
    all = await readFile(file);
  } catch (e) {
    throw configError('resume', `cannot read the checkpoint's history ${file}: ${(e as Error).message}`);
  }
  if (all.length < named.bytes) bad(file, `the history holds ${all.length} bytes, the checkpoint names ${named.bytes}: it was truncated`);
  const bytes = all.subarray(0, named.bytes);
  if (createHash('sha256').update(bytes).digest('hex') !== named.sha256) {
    bad(file, 'the history does not match the sha256 its checkpoint names: it was edited, damaged or belongs to another checkpoint');
  }
  const lines = bytes.toString('utf8').split('\n');
  if (lines.pop() !== '') bad(file, 'the history does not end with a complete record');
  if (lines.length !== named.records) bad(file, `the history holds ${lines.length} records, the checkpoint names ${named.records}`);
  const f = new Fields(file);
  const records = lines.map((line, g): HistoryRecord => {
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (e) {
      bad(file, `record ${g + 1} is not JSON: ${(e as Error).message}`);
    }
    const r = f.obj(o, `record ${g + 1}`);
    if (r['sha256'] !== contentDigest(r)) bad(file, `record ${g + 1} does not match its sha256 digest`);
    if (r['generation'] !== g) bad(file, `record ${g + 1} is generation ${String(r['generation'])}, expected ${g}`);
    const stats = f.obj(r['stats'], `record ${g + 1}.stats`);
    if (stats['generation'] !== g) bad(file, `record ${g + 1}.stats.generation must be ${g}`);
    const count = shape !== undefined ? shape.population * shape.genes : undefined;
    f.f64(r['block'], `record ${g + 1}.block`, count);
    const misses = f.arr(r['misses'], `record ${g + 1}.misses`, shape?.windows);
    misses.forEach((m, i) => f.f64(m, `record ${g + 1}.misses[${i}]`, undefined, shape?.metrics ?? 1));
    return { generation: g, stats, block: r['block'] as string, misses: misses as string[] };
  });
  return { records, historyBytes: Buffer.from(bytes), tailBytes: all.length - named.bytes };
}

/**
 * Writes a run's checkpoint after every generation at a cost proportional to the generation:
 * the generation's history record is appended to the history file (fsynced; a failed append is
 * cut off again), then the snapshot, which names the history's record count, length and
 * running sha256, is rewritten atomically. A crash between the two leaves a history longer
 * than its snapshot says: a resume cuts the extra bytes off.
 */
export class CheckpointWriter {
  readonly historyPath: string;
  private records = 0;
  private bytes = 0;
  private hash = createHash('sha256');
  /** History bytes to write before the first append (a run resumed from another file), or null when the file holds them. */
  private pending: Buffer | null = Buffer.alloc(0);

  constructor(readonly path: string) {
    this.historyPath = checkpointFiles(path).history;
  }

  /** Continues from a loaded checkpoint; `samePath`: it is this writer's file, so its torn tail is cut off now. */
  async adopt(loaded: LoadedCheckpoint, samePath: boolean): Promise<void> {
    this.records = loaded.records.length;
    this.bytes = loaded.historyBytes.length;
    this.hash = createHash('sha256').update(loaded.historyBytes);
    if (!samePath) {
      this.pending = loaded.historyBytes;
      return;
    }
    if (loaded.tailBytes > 0) await truncateFile(this.historyPath, this.bytes);
    this.pending = null;
  }

  async save(record: HistoryRecord, snapshot: Omit<CheckpointState, 'format' | 'version' | 'history' | 'sha256'>): Promise<void> {
    const line = Buffer.from(historyLine(record));
    if (this.pending !== null) {
      await writeFileAtomic(this.historyPath, [this.pending, line]);
      this.pending = null;
    } else {
      await appendFileDurable(this.historyPath, line, this.bytes);
    }
    this.hash.update(line);
    this.bytes += line.length;
    this.records++;
    await writeCheckpoint(this.path, {
      format: 'evoquant-checkpoint',
      version: 2,
      ...snapshot,
      history: { file: basename(this.historyPath), records: this.records, bytes: this.bytes, sha256: this.hash.copy().digest('hex') },
    });
  }
}
