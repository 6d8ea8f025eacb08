// What the CLI writes, under faults (issue 15, items 1-3): a short write (`ulimit -f`) fails
// with E_IO and leaves nothing truncated in place; `--out` is checked before the run and
// written as one set (result.json last, naming its files with their digests); an output never
// replaces an input or another output, symlinks included.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from './helpers.js';
import type { CliResult } from './helpers.js';

const PROGRESS = /^gen +\d+\/\d+ /m;

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'evoquant-outputs-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
async function dir(name: string): Promise<string> {
  const d = join(tmp, name);
  await mkdir(d, { recursive: true });
  return d;
}

/** The CLI under `ulimit -f kib` (file size limit in KiB blocks), in `cwd`. */
function runLimited(kib: number, args: readonly string[], cwd: string): Promise<CliResult> {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `ulimit -f ${kib}; exec ${quoted}`], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, timedOut: false }));
  });
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('a short write is never silent (ulimit -f)', () => {
  it('data synth: exit 1, E_IO naming the file and the cause, no file and no temporary left', async () => {
    const d = await dir('synth');
    const r = await runLimited(64, ['data', 'synth', '--bars', '5000', '--out', 'x.csv'], d);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('wrote');
    expect(r.stderr).toMatch(/^error: cannot write x\.csv: EFBIG: file too large/m);
    expect(await readdir(d)).toEqual([]);
  });

  it('data synth over an existing file keeps the old file whole', async () => {
    const d = await dir('synth-keep');
    await writeFile(join(d, 'x.csv'), 'old');
    const r = await runLimited(64, ['data', 'synth', '--bars', '5000', '--out', 'x.csv'], d);
    expect(r.code).toBe(1);
    expect(await readFile(join(d, 'x.csv'), 'utf8')).toBe('old');
    expect(await readdir(d)).toEqual(['x.csv']);
  });

  it('backtest --trades: exit 1, no truncated trade list', async () => {
    const d = await dir('trades');
    // sma-cross 2/5 on 20,000 bars trades thousands of times: far more than 16 KiB of CSV.
    const r = await runLimited(16, ['backtest', '--synth-bars', '20000', '--strategy', 'sma-cross', '--param', 'fast=2', '--param', 'slow=5', '--trades', 't.csv'], d);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot write t\.csv: EFBIG/m);
    expect(await readdir(d)).toEqual([]);
  });

  it('evolve --checkpoint: exit 1 naming the checkpoint, no temporary left', async () => {
    const d = await dir('checkpoint');
    const r = await runLimited(4, ['evolve', '--synth-bars', '600', '--population', '200', '--generations', '2', '--threads', '0', '--checkpoint', 'ck.json'], d);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot write ck\.json(\.history)?: EFBIG/m);
    expect((await readdir(d)).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });
});

describe('--out is all or nothing', () => {
  const RUN = ['evolve', '--synth-bars', '3000', '--population', '8', '--generations', '2', '--threads', '0', '--no-progress'];

  it('result.json names every file of its set with its size and sha256', async () => {
    const d = await dir('set');
    const r = await runCli([...RUN, '--out', join(d, 'out')]);
    expect(r.code).toBe(0);
    const res = JSON.parse(await readFile(join(d, 'out', 'result.json'), 'utf8')) as { files: Record<string, { bytes: number; sha256: string }> };
    expect(Object.keys(res.files).sort()).toEqual(['best-equity.csv', 'best-trades.csv']);
    for (const [name, f] of Object.entries(res.files)) {
      const bytes = await readFile(join(d, 'out', name));
      expect(f).toEqual({ bytes: bytes.length, sha256: sha256(bytes) });
    }
  });

  it('a failed write leaves no result.json beside files of another run', async () => {
    const d = await dir('set-fail');
    const out = join(d, 'out');
    expect((await runCli([...RUN, '--out', out])).code).toBe(0);
    expect(existsSync(join(out, 'result.json'))).toBe(true);
    // The equity curve of 3,000 bars is about 90 KiB: over the limit.
    const r = await runLimited(64, [...RUN, '--seed', '2', '--out', out], d);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot write .*best-equity\.csv: EFBIG/m);
    const left = await readdir(out);
    expect(left).not.toContain('result.json');
    expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--out naming a file, or an unwritable place, fails before the run starts', async () => {
    const d = await dir('out-file');
    await writeFile(join(d, 'f'), 'x');
    const r = await runCli(['evolve', '--synth-bars', '3000', '--population', '8', '--generations', '50', '--threads', '0', '--out', join(d, 'f')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --out: .*f exists and is not a directory$/m);
    expect(r.stderr).not.toMatch(PROGRESS);
    const under = await runCli(['evolve', '--synth-bars', '3000', '--population', '8', '--generations', '50', '--threads', '0', '--out', join(d, 'f', 'sub')]);
    expect(under.code).toBe(2);
    expect(under.stderr).toMatch(/^error: --out: cannot write .*: .*f is not a directory$/m);
    expect(under.stderr).not.toMatch(PROGRESS);
    expect(await readFile(join(d, 'f'), 'utf8')).toBe('x');
  });
});

describe('an output never replaces an input or another output', () => {
  let d = '';
  let data = '';
  let before = '';
  beforeAll(async () => {
    d = await dir('clash');
    data = join(d, 'data.csv');
    expect((await runCli(['data', 'synth', '--bars', '400', '--out', data])).code).toBe(0);
    before = await readFile(data, 'utf8');
    await symlink(data, join(d, 'link.csv'));
    await mkdir(join(d, 'dir'));
    await symlink(data, join(d, 'dir', 'result.json'));
  });

  const EVOLVE = ['evolve', '--population', '8', '--generations', '2', '--threads', '0'];
  it.for([
    [() => [...EVOLVE, '--data', data, '--checkpoint', data], /^error: --checkpoint: .*data\.csv is the input of --data: /],
    [() => [...EVOLVE, '--data', data, '--report', join(d, 'link.csv')], /^error: --report: .*link\.csv is the input of --data \(.*data\.csv\): /],
    [() => [...EVOLVE, '--data', data, '--out', join(d, 'dir')], /^error: --out: .*result\.json is the input of --data /],
    [() => [...EVOLVE, '--data', data, '--checkpoint', join(d, 'ck.json'), '--report', join(d, 'ck.json')], /^error: --report: .*ck\.json is also written by --checkpoint: /],
    [() => [...EVOLVE, '--out', d, '--report', join(d, 'best-trades.csv')], /^error: --report: .*best-trades\.csv is also written by --out: /],
    [() => ['backtest', '--data', data, '--trades', join(d, 'link.csv')], /^error: --trades: .*link\.csv is the input of --data/],
    [() => ['backtest', '--data', data, '--trades', join(d, 't.csv'), '--equity', join(d, 't.csv')], /^error: --equity: .*t\.csv is also written by --trades: /],
    [() => ['report', data, '--out', join(d, 'link.csv')], /^error: --out: .*link\.csv is the input of <result>/],
  ] as const)('%#: usage error naming both options, the input untouched', async ([args, message]) => {
    const r = await runCli(args());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(PROGRESS);
    expect(await readFile(data, 'utf8')).toBe(before);
    expect(existsSync(join(d, 't.csv'))).toBe(false);
  });
});

describe('one run per checkpoint', () => {
  it('a second run on a checkpoint in use is refused naming the first process; Ctrl-C releases the lock', async () => {
    const d = await dir('lock');
    const ck = join(d, 'ck.json');
    const args = ['evolve', '--synth-bars', '20000', '--population', '16', '--generations', '1000', '--threads', '1', '--checkpoint', ck];
    const first = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    first.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    first.stdout.resume();
    const done = new Promise<number | null>((r) => first.on('close', (code) => r(code)));
    try {
      // wait for the first generation: the lock is taken before it
      for (let i = 0; i < 600 && !PROGRESS.test(stderr); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await readFile(`${ck}.lock`, 'utf8')).toBe(`${first.pid}\n`);
      const second = await runCli([...args.slice(0, -1), ck, '--generations', '2']);
      expect(second.code).toBe(1);
      expect(second.stderr).toBe(`error: checkpoint ${ck} is in use by process ${first.pid}: its lock file ${ck}.lock is held; wait for that run to end (or stop it)\n`);
      const resumeToo = await runCli(['evolve', '--synth-bars', '20000', '--population', '16', '--threads', '1', '--resume', ck]);
      expect(resumeToo.code).toBe(1);
      expect(resumeToo.stderr).toContain(`is in use by process ${first.pid}`);
    } finally {
      first.kill('SIGINT');
    }
    expect(await done).toBe(130);
    expect((await readdir(d)).sort()).toEqual(['ck.json', 'ck.json.history']);
  }, 60_000);
});
