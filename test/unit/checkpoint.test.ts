// Checkpoint integrity (issue 15, items 6 and 10): a digest over the snapshot's canonical form
// and over its append-only history; every edit refused naming the file; every structural problem
// an E_CONFIG message naming the field; an exclusive lock naming the process that holds it;
// a torn history tail cut off on resume; a snapshot whose size does not grow with the run.
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthetic } from '../../src/data/synthetic.js';
import { EngineError } from '../../src/errors.js';
import { contentDigest } from '../../src/ga/checkpoint.js';
import { evolve } from '../../src/ga/evolve.js';
import type { EvolveOptions, EvolveResult } from '../../src/ga/evolve.js';

const BASE: EvolveOptions = { market: synthetic({ bars: 600, seed: 3 }), strategy: 'sma-cross', population: 8, seed: 4, threads: 0 };

type Json = Record<string, unknown>;

function bytes(r: EvolveResult): string {
  const copy: Partial<EvolveResult> = { ...r };
  delete copy.timings;
  return JSON.stringify(copy);
}

async function rejection(p: Promise<unknown>): Promise<EngineError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(EngineError);
  return e as EngineError;
}

let tmp = '';
let n = 0;
/** A fresh checkpoint path in its own directory. */
async function ckPath(): Promise<string> {
  const d = await mkdtemp(join(tmp, `ck${++n}-`));
  return join(d, 'ck.json');
}

let straight: EvolveResult;
/** A checkpoint of 2 generations (snapshot text, history text), to copy and tamper with. */
let snap2 = '';
let hist2 = '';
let hist3 = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'evoquant-checkpoint-'));
  straight = await evolve({ ...BASE, generations: 4 });
  const ck = await ckPath();
  await evolve({ ...BASE, generations: 2, checkpoint: ck });
  snap2 = await readFile(ck, 'utf8');
  hist2 = await readFile(`${ck}.history`, 'utf8');
  const ck3 = await ckPath();
  await evolve({ ...BASE, generations: 3, checkpoint: ck3 });
  hist3 = await readFile(`${ck3}.history`, 'utf8');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Writes a checkpoint (snapshot and history) to a fresh path. */
async function place(snapshot: string, history = hist2): Promise<string> {
  const ck = await ckPath();
  await writeFile(ck, snapshot);
  await writeFile(`${ck}.history`, history);
  return ck;
}

/** Resumes `ck` to 4 generations expecting a refusal: E_CONFIG on resume; its message. */
async function refused(ck: string): Promise<string> {
  const e = await rejection(evolve({ ...BASE, generations: 4, resume: ck }));
  expect(e.code).toBe('E_CONFIG');
  expect(e.option).toBe('resume');
  expect(e.message).not.toMatch(/Cannot read properties|out of bounds|undefined|NaN/);
  return e.message;
}

/** The snapshot edited by `edit`, with its digest recomputed (so only the structure checks can catch it). */
function resigned(edit: (s: Json) => void): string {
  const s = JSON.parse(snap2) as Json;
  edit(s);
  s['sha256'] = contentDigest(s);
  return JSON.stringify(s);
}

/** The first float64 of a base64 string, changed by one ulp-ish step. */
function nudge(b64: string): string {
  const b = Buffer.from(b64, 'base64');
  const f = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  f[0] = f[0]! + 1;
  return Buffer.from(f.buffer).toString('base64');
}

describe('a checkpoint resumes to the straight run', () => {
  it('as written, and after a torn or un-snapshotted history tail (cut off)', async () => {
    const plain = await place(snap2);
    expect(bytes(await evolve({ ...BASE, generations: 4, resume: plain }))).toBe(bytes(straight));

    // a torn append: half a record after the last complete one
    const torn = await place(snap2, `${hist2}{"generation":2,"stats":{"gen`);
    expect(bytes(await evolve({ ...BASE, generations: 4, resume: torn }))).toBe(bytes(straight));
    // a crash after appending generation 3's record, before its snapshot was renamed in
    const ahead = await place(snap2, hist3);
    expect(hist3.startsWith(hist2) && hist3.length > hist2.length).toBe(true);
    expect(bytes(await evolve({ ...BASE, generations: 4, resume: ahead }))).toBe(bytes(straight));
    // both resumed files now hold exactly 4 records
    for (const ck of [torn, ahead]) expect((await readFile(`${ck}.history`, 'utf8')).split('\n')).toHaveLength(5);
  });
});

describe('an edited checkpoint is refused, naming the file', () => {
  it('one float of the population, the PRNG state, a counter', async () => {
    const s = (edit: (o: Json) => void): string => {
      const o = JSON.parse(snap2) as Json;
      edit(o);
      return JSON.stringify(o);
    };
    for (const edit of [
      (o: Json) => (o['population'] = nudge(o['population'] as string)),
      (o: Json) => ((o['rng'] as { s: number[] }).s[0]! += 1),
      (o: Json) => ((o['progress'] as Json)['stale'] = Number((o['progress'] as Json)['stale']) + 1),
    ]) {
      const ck = await place(s(edit));
      expect(await refused(ck)).toBe(`resume: ${ck}: its content does not match its sha256 digest: the checkpoint was edited or damaged and cannot be resumed`);
    }
  });

  it('the history: a statistic, a cached result, a removed cache miss', async () => {
    const lines = hist2.split('\n');
    const rec = JSON.parse(lines[1]!) as Json;
    const edits: ((r: Json) => void)[] = [
      (r) => ((r['stats'] as Json)['best'] = -123.45678901234567),
      (r) => ((r['misses'] as string[])[0] = nudge((r['misses'] as string[])[0]!)),
      (r) => ((r['misses'] as string[])[0] = Buffer.from((r['misses'] as string[])[0]!, 'base64').subarray(8 * 10).toString('base64')),
    ];
    for (const edit of edits) {
      const r = structuredClone(rec);
      edit(r);
      const ck = await place(snap2, [lines[0], JSON.stringify(r), ''].join('\n'));
      const msg = await refused(ck);
      // an edit that keeps the length breaks the digest; one that shortens the file is a truncation
      expect(msg.startsWith(`resume: ${ck}.history: the history `), msg).toBe(true);
      expect(msg).toMatch(/the history (does not match the sha256 its checkpoint names|holds \d+ bytes, the checkpoint names \d+: it was truncated)/);
    }
    // a record re-signed by hand still disagrees with the snapshot's digest of the history
    const r = structuredClone(rec);
    (r['stats'] as Json)['best'] = -123.45678901234567;
    r['sha256'] = contentDigest(r);
    expect(await refused(await place(snap2, [lines[0], JSON.stringify(r), ''].join('\n')))).toContain('the history does not match');
    // a truncated history
    expect(await refused(await place(snap2, lines[0]!))).toMatch(/the history holds \d+ bytes, the checkpoint names \d+: it was truncated/);
  });
});

describe('every structural problem is a message naming the file and the field', () => {
  it.for([
    ['not JSON', (ck: string) => `{"format":"evoquant-checkpoint","vers`, /is not a checkpoint \(not JSON/],
    ['JSON null', () => 'null', /is not an evoquant checkpoint \(format null\)/],
    ['an older version', () => JSON.stringify({ ...JSON.parse(snap2), version: 1 }), /checkpoint version 1 is not supported/],
    ['no digest', () => JSON.stringify({ ...JSON.parse(snap2), sha256: undefined }), /has no sha256 digest/],
    ['population of the wrong size', () => resigned((s) => (s['population'] = Buffer.alloc(8 * 5).toString('base64'))), /population must hold 16 float64 values \(128 bytes\), got 40 bytes$/],
    ['population not base64', () => resigned((s) => (s['population'] = '%%%')), /population is not base64$/],
    ['population a number', () => resigned((s) => (s['population'] = 3)), /population must be a string, got number$/],
    ['rng.s short', () => resigned((s) => ((s['rng'] as Json)['s'] = [1, 2])), /rng\.s must have 4 entries, got 2$/],
    ['rng null', () => resigned((s) => (s['rng'] = null)), /rng must be an object, got null$/],
    ['progress missing', () => resigned((s) => delete s['progress']), /progress is missing$/],
    ['hall of fame genes', () => resigned((s) => ((s['progress'] as { hof: Json[] }).hof[0]!['genes'] = [1])), /progress\.hof\[0\]\.genes must have 2 entries, got 1$/],
    ['metrics per window', () => resigned((s) => ((s['progress'] as Json)['metrics'] = [])), /progress\.metrics must have 1 entries, got 0$/],
    ['generation a string', () => resigned((s) => (s['generation'] = '2')), /generation must be an integer in \[1, \d+\], got "2"$/],
    ['records and generation disagree', () => resigned((s) => ((s['history'] as Json)['records'] = 3)), /history\.records \(3\) must equal generation \(2\)$/],
  ] as const)('%s', async ([, make, pattern]) => {
    const ck = await ckPath();
    await writeFile(ck, make(ck));
    await writeFile(`${ck}.history`, hist2);
    const msg = await refused(ck);
    expect(msg).toContain(ck);
    expect(msg).toMatch(pattern);
  });

  it('a missing history file', async () => {
    const ck = await ckPath();
    await writeFile(ck, snap2);
    expect(await refused(ck)).toMatch(/cannot read the checkpoint's history .*ck\.json\.history/);
  });
});

describe('one run per checkpoint: the lock file', () => {
  it('a second run on the same checkpoint is refused naming the process; the first is unharmed', async () => {
    const ck = await ckPath();
    const first = evolve({ ...BASE, generations: 6, checkpoint: ck });
    // the first run takes the lock before its first await returns to us
    await new Promise((r) => setTimeout(r, 0));
    const e = await rejection(evolve({ ...BASE, generations: 2, checkpoint: ck }));
    expect(e.code).toBe('E_IO');
    expect(e.message).toBe(`checkpoint ${ck} is in use by process ${process.pid} (this process): its lock file ${ck}.lock is held; wait for that run to end (or stop it)`);
    expect((await first).stopped.generations).toBe(6);
    expect(await readdir(join(ck, '..'))).not.toContain('ck.json.lock');
  });

  it('a lock of a live process is refused; once that process is gone, it is taken over', async () => {
    const ck = await place(snap2);
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await writeFile(`${ck}.lock`, `${sleeper.pid}\n`);
      const e = await rejection(evolve({ ...BASE, generations: 4, resume: ck }));
      expect(e.message).toContain(`is in use by process ${sleeper.pid}: its lock file ${ck}.lock is held`);
      expect(await readFile(ck, 'utf8')).toBe(snap2);
    } finally {
      const gone = new Promise((r) => sleeper.once('exit', r));
      sleeper.kill('SIGKILL');
      await gone;
    }
    expect(bytes(await evolve({ ...BASE, generations: 4, resume: ck }))).toBe(bytes(straight));
    expect(await readdir(join(ck, '..'))).not.toContain('ck.json.lock');
  });

  it('released after an error (a refused resume) too', async () => {
    const ck = await place(snap2);
    await rejection(evolve({ ...BASE, seed: 99, generations: 4, resume: ck }));
    expect((await readdir(join(ck, '..'))).sort()).toEqual(['ck.json', 'ck.json.history']);
  });
});

describe('checkpoint cost per generation does not grow with the run', () => {
  it('the snapshot stays the same size; the history grows by about one record per generation', async () => {
    const sizes: { snapshot: number; history: number }[] = [];
    const ck = await ckPath();
    // a tiny population over many generations: the case where rewriting everything was quadratic
    await evolve({ ...BASE, population: 4, generations: 60, checkpoint: ck }, {
      onGeneration: () => undefined,
    });
    const snapshot60 = (await stat(ck)).size;
    const history60 = (await stat(`${ck}.history`)).size;
    const ck5 = await ckPath();
    await evolve({ ...BASE, population: 4, generations: 5, checkpoint: ck5 });
    sizes.push({ snapshot: (await stat(ck5)).size, history: (await stat(`${ck5}.history`)).size });
    // The snapshot holds the population, the hall of fame and counters only: no history, no cache.
    expect(snapshot60).toBeLessThan(sizes[0]!.snapshot * 1.25);
    // Each record is one generation's statistics and its cache traffic: bounded per generation.
    const perRecord = history60 / 60;
    expect(perRecord).toBeLessThan((sizes[0]!.history / 5) * 1.5);
    const lines = (await readFile(`${ck}.history`, 'utf8')).split('\n');
    expect(lines).toHaveLength(61);
    await appendFile(`${ck}.history`, ''); // the file is an ordinary append-only file
  });
});
