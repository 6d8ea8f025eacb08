// Signals and pipes, as `timeout`, `docker stop`, a closed terminal and `| head` deliver them to
// the built CLI in its own process (so `npm run build` first): SIGTERM and SIGHUP end a run like
// Ctrl-C (the completed generations are the result, the checkpoint is kept, exit 128 + the
// signal's number), and a stdout whose reader has gone ends the program quietly with 141.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers.js';

/** Generations of tens of milliseconds each: long enough to be interrupted after the first. */
const LONG = ['evolve', '--synth-bars', '20000', '--population', '16', '--generations', '12', '--threads', '2'];
const PROGRESS = /^gen +\d+\/\d+ {2}best /m;

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'evoquant-signals-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Ended { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Starts the CLI; `closeStdout` closes the reading end of its stdout before it prints anything. */
function start(args: readonly string[], o: { closeStdout?: boolean } = {}): { child: ChildProcess; firstProgress: Promise<void>; done: Promise<Ended> } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['EVOQUANT_DEBUG'];
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  if (o.closeStdout === true) child.stdout!.destroy();
  else child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  let progressed: () => void = () => undefined;
  const firstProgress = new Promise<void>((resolve) => (progressed = resolve));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    if (PROGRESS.test(stderr)) progressed();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const done = new Promise<Ended>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, firstProgress, done };
}

const readJson = async (p: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(p, 'utf8')) as Record<string, unknown>;

describe('SIGTERM and SIGHUP end a run like Ctrl-C', () => {
  for (const [sig, status] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`${sig}: exit ${status}, the completed generations written as the result, the checkpoint kept`, async () => {
      const d = await mkdtemp(join(tmp, `${sig}-`));
      const ck = join(d, 'ck.json');
      const out = join(d, 'out');
      const run = start([...LONG, '--checkpoint', ck, '--out', out]);
      await run.firstProgress;
      run.child.kill(sig);
      const r = await run.done;
      expect(r.signal).toBeNull();
      expect(r.code).toBe(status);
      expect(r.stderr).toContain(`interrupted: finishing with the last completed generation (${sig} again to quit at once)`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const res = await readJson(join(out, 'result.json'));
      const stopped = res['stopped'] as { reason: string; generations: number };
      expect(stopped.reason).toBe('interrupted');
      expect(stopped.generations).toBeGreaterThanOrEqual(1);
      expect(stopped.generations).toBeLessThan(12);
      expect((res['generations'] as unknown[]).length).toBe(stopped.generations);
      const state = await readJson(ck);
      expect(state).toMatchObject({ format: 'evoquant-checkpoint', generation: stopped.generations });
      expect((await readdir(d)).sort()).toEqual(['ck.json', 'ck.json.history', 'out']);
    }, 120_000);
  }
});

describe('a closed stdout ends the program quietly', () => {
  it('backtest with its stdout closed: exit 141, nothing on stderr', async () => {
    const r = await start(['backtest', '--strategy', 'sma-cross', '--synth-bars', '2000'], { closeStdout: true }).done;
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(141);
  }, 60_000);

  it('evolve --json with its stdout closed: exit 141, no stack trace, --out written in full', async () => {
    const d = await mkdtemp(join(tmp, 'epipe-'));
    const r = await start(['evolve', '--synth-bars', '1500', '--population', '12', '--generations', '3', '--json', '--no-progress', '--out', d], { closeStdout: true }).done;
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(141);
    const res = await readJson(join(d, 'result.json'));
    expect(res['stopped']).toEqual({ reason: 'generations', generations: 3 });
  }, 60_000);

  it('through a real `| head -c 100`: the reader gets its bytes, the program exits without a trace', async () => {
    const sh = spawn('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" evolve --synth-bars 1500 --population 12 --generations 3 --json --no-progress | head -c 100; echo; echo "status \${PIPESTATUS[0]}"`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    sh.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    sh.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    await new Promise((resolve) => sh.on('close', resolve));
    expect(out.startsWith('{\n  "format": "evoquant-result"')).toBe(true);
    // head may have read all of a small result before closing (then the run simply succeeded)
    expect(out).toMatch(/status (0|141)\n$/);
    expect(err).toBe('');
  }, 60_000);
});
