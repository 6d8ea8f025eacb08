// `evoquant evolve` as a user runs it: the built CLI in its own process (so `npm run build`
// first), its exit status, stdout, stderr, the files it writes, and what it does on Ctrl-C and
// when killed. Library runs in this process are the reference for what the CLI prints.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest } from '../../src/backtest.js';
import { toJson } from '../../src/cli/format.js';
import { synthetic } from '../../src/data/synthetic.js';
import { evolve } from '../../src/ga/evolve.js';
import type { EvolveResult } from '../../src/ga/evolve.js';
import { CLI, csvRows, runCli } from './helpers.js';

/** A small run: 1,500 synthetic bars, 12 genomes, 4 generations (well under a second). */
const SMALL = ['evolve', '--synth-bars', '1500', '--population', '12', '--generations', '4'];
/** A run whose generations take tens of milliseconds each, long enough to be interrupted. */
const LONG = ['evolve', '--synth-bars', '20000', '--population', '16', '--generations', '12'];

type Json = Record<string, unknown>;

/** A parsed result without the one key allowed to differ between runs, as bytes. */
function withoutTimings(r: Json): string {
  const copy = { ...r };
  expect(copy['timings']).toBeTypeOf('object');
  delete copy['timings'];
  return JSON.stringify(copy);
}

const PROGRESS = /^gen +(\d+)\/(\d+) {2}best -?\d+\.\d{4} {2}mean /;

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'evoquant-evolve-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
async function dir(name: string): Promise<string> {
  const d = join(tmp, name);
  await mkdir(d, { recursive: true });
  return d;
}

/** A running CLI whose stderr is watched line by line, for signals at a known point. */
interface Running {
  child: ChildProcess;
  /** Resolves once `n` progress lines have appeared on stderr. */
  progressLines(n: number): Promise<void>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function start(args: readonly string[], timeoutMs = 60_000): Running {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['FORCE_COLOR'];
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { n: number; resolve: () => void }[] = [];
  const count = (): number => stderr.split('\n').filter((l) => PROGRESS.test(l)).length;
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    const c = count();
    for (const w of waiters.filter((x) => x.n <= c)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    done,
    progressLines: (n) =>
      new Promise<void>((resolve, reject) => {
        if (count() >= n) return resolve();
        waiters.push({ n, resolve });
        void done.then(() => reject(new Error(`the CLI ended before ${n} progress lines:\n${stderr}`)));
      }),
  };
}

const readJson = async (path: string): Promise<Json> => JSON.parse(await readFile(path, 'utf8')) as Json;

describe('evoquant evolve with no options (the README\'s first command)', () => {
  it('evolves stoch-rsi-bands on the built-in data and prints the hall of fame and the verdicts', async () => {
    const r = await runCli(['evolve'], { timeoutMs: 90_000 });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^stoch-rsi-bands on synthetic\(seed=42,bars=5000\) \(5000 bars, /);
    expect(r.stdout).toContain('in-sample: bars [0, 3500), out-of-sample: bars [3500, 5000)');
    expect(r.stdout).toMatch(/stopped after 40 generations: reached the limit of 40 generations;/);
    expect(r.stdout).toMatch(/^best genome by window\nwindow +bars +sharpe +return +maxDD +trades +winRate +exposure\n[- ]+\nin-sample +\[0, 3500\) +-?\d\.\d{4} .*\nout-of-sample +\[3500, 5000\) +-?\d\.\d{4} /m);
    const lines = r.stdout.split('\n');
    const hof = lines.indexOf('hall of fame');
    expect(hof).toBeGreaterThan(0);
    expect(lines[hof + 1]).toMatch(/^# +fitness +IS sharpe +IS return +IS maxDD +IS trades +OOS sharpe +OOS return +OOS maxDD +OOS trades$/);
    // ten ranked rows under the rule, then one parameter line per rank
    for (let k = 1; k <= 10; k++) expect(lines[hof + 2 + k]).toMatch(new RegExp(`^ *${k} +-?\\d+\\.\\d{4} `));
    expect(r.stdout).toMatch(/^#1 +rsiK=\d+ stochK=\d+ kSmooth=\d+ dSmooth=\d+ oversold=/m);
    expect(r.stdout).toMatch(/^overfitting \(on the in-sample window, bars \[0, 3500\)\)$/m);
    expect(r.stdout).toMatch(/^ {2}DSR (\d\.\d\d|n\/a)/m);
    expect(r.stdout).toMatch(/^ {2}PBO (\d\.\d\d|n\/a)/m);
    expect(r.stderr.trimEnd().split('\n').filter((l) => PROGRESS.test(l))).toHaveLength(40);
  }, 120_000);
});

describe('progress', () => {
  it('not on a terminal: one plain line per generation on stderr, no carriage returns', async () => {
    const r = await runCli([...SMALL, '--threads', '1']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('\r');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    lines.forEach((l, i) => {
      const m = PROGRESS.exec(l);
      expect(m, l).not.toBeNull();
      expect([Number(m![1]), Number(m![2])]).toEqual([i + 1, 4]);
      expect(l).toMatch(/evals\/s {2}hof rho (-?\d\.\d\d|n\/a) {2}spread 0\.\d\d {2}cache \d+% {2}ETA \d+:\d\d$/);
    });
    // progress goes to stderr only
    expect(r.stdout).not.toMatch(PROGRESS);
    const quiet = await runCli([...SMALL, '--threads', '1', '--no-progress']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  for (const columns of [80, 200]) {
    it(`on a terminal of ${columns} columns (a pty): one line redrawn in place that fits the width`, async () => {
      const pty = fileURLToPath(new URL('../fixtures/cli/pty-run.py', import.meta.url));
      const out = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
        const child = spawn('python3', [pty, String(columns), process.execPath, CLI, ...SMALL, '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
        let text = '';
        child.stdout.setEncoding('utf8').on('data', (s: string) => (text += s));
        child.stderr.setEncoding('utf8').on('data', (s: string) => (text += s));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, text }));
      });
      expect(out.code, out.text).toBe(0);
      // The progress is everything before the result's first line; a terminal turns \n into \r\n.
      const progress = out.text.slice(0, out.text.indexOf('stoch-rsi-bands on'));
      const draws = progress.split('\r').filter((d) => d.length > 0 && d !== '\n');
      expect(draws).toHaveLength(4);
      // no line feed between redraws: the line stays in place
      expect(progress.replace(/\r\n$/, '')).not.toContain('\n');
      draws.forEach((d, i) => {
        const line = d.replace(/\x1b\[K$/, '').replace(/\n$/, '');
        expect(d.endsWith('\x1b[K') || d.endsWith('\x1b[K\n'), JSON.stringify(d)).toBe(true);
        expect(line.length, line).toBeLessThan(columns);
        expect(line).toMatch(new RegExp(`gen ${i + 1}/4  best -?\\d+\\.\\d{4}  mean .*ETA \\d+:\\d\\d$`));
      });
      const last = draws.at(-1)!.replace(/\x1b\[K\n?$/, '');
      if (columns === 80) {
        // fields dropped by priority: the diversity figures go first; a 10-cell bar stays
        expect(last).toMatch(/^\[#{10}\] gen 4\/4 /);
        expect(last).not.toContain('spread');
        expect(last).not.toContain('hof rho');
      } else {
        // wide enough for every field and a 20-cell bar
        expect(last).toMatch(/^\[#{20}\] gen 4\/4 /);
        expect(last).toMatch(/evals\/s {2}hof rho (-?\d\.\d\d|n\/a) {2}spread 0\.\d\d {2}cache \d+% {2}ETA \d+:\d\d$/);
      }
      expect(out.text).not.toMatch(/^gen +\d+\/4/m);
      expect(out.text).toContain('hall of fame');
    });
  }
});

describe('--json and --out', () => {
  it('--json prints one object: the library\'s result for the same options', async () => {
    const r = await runCli([...SMALL, '--threads', '2', '--json']);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as Json;
    const api = await evolve({ market: synthetic({ bars: 1500, seed: 42 }), population: 12, generations: 4, threads: 0 });
    const expected = JSON.parse(toJson(api)) as Json;
    expect(Object.keys(printed).sort()).toEqual(Object.keys(expected).sort());
    expect(withoutTimings(printed)).toBe(withoutTimings(expected));
    expect(printed['timings']).toMatchObject({ threads: 2, evaluator: 'pool', backend: 'wasm' });
  });

  it('--out writes result.json, best-trades.csv and best-equity.csv; result.json is the same for 1 and 2 threads', async () => {
    const d1 = await dir('out-1');
    const d2 = await dir('out-2');
    const [r1, r2] = [await runCli([...SMALL, '--threads', '1', '--out', d1]), await runCli([...SMALL, '--threads', '2', '--out', d2])];
    expect(r1.code).toBe(0);
    expect(r2.code).toBe(0);
    expect(r1.stdout).toContain(`wrote ${join(d1, 'result.json')}, ${join(d1, 'best-trades.csv')}, ${join(d1, 'best-equity.csv')}`);
    expect((await readdir(d1)).sort()).toEqual(['best-equity.csv', 'best-trades.csv', 'result.json']);

    const res = await readJson(join(d1, 'result.json'));
    const config = res['config'] as Json;
    expect(config).toMatchObject({ strategy: 'stoch-rsi-bands', population: 12, generations: 4, seed: 1, mode: 'ga', fitness: 'default', train: 0.7 });
    const gens = res['generations'] as Json[];
    expect(gens).toHaveLength(4);
    for (const g of gens) {
      for (const k of ['generation', 'best', 'mean', 'median', 'worst', 'bestParams', 'evaluated', 'cacheHits', 'cacheMisses', 'distinct', 'diversity']) expect(g).toHaveProperty(k);
    }
    const hof = res['hallOfFame'] as EvolveResult['hallOfFame'];
    expect(hof.length).toBeGreaterThan(0);
    expect(hof[0]).toMatchObject({ rank: 1 });
    expect(res['paretoFront']).toBeNull();
    expect(res['overfitting']).toHaveProperty('verdict');
    expect(res['timings']).toHaveProperty('totalSeconds');
    expect(res['data']).toMatchObject({ bars: 1500 });
    expect(res['stopped']).toEqual({ reason: 'generations', generations: 4 });

    // the best genome over the whole series, as the library computes it
    const market = synthetic({ bars: 1500, seed: 42 });
    const full = backtest(market, 'stoch-rsi-bands', hof[0]!.params, { window: { start: 0, end: 1500 } });
    const equity = csvRows(await readFile(join(d1, 'best-equity.csv'), 'utf8'));
    expect(equity[0]).toEqual(['time', 'equity']);
    expect(equity).toHaveLength(1 + 1500);
    expect(equity[1]![0]).toBe(new Date(market.time[0]!).toISOString().slice(0, 10));
    expect(equity.slice(1).map((row) => Number(row[1]))).toEqual(Array.from(full.equity));
    const trades = csvRows(await readFile(join(d1, 'best-trades.csv'), 'utf8'));
    expect(trades[0]!.join(',')).toBe('entry_time,exit_time,direction,units,entry_price,exit_price,pnl,return,exit_reason,entry_bar,exit_bar');
    expect(trades).toHaveLength(1 + full.trades.length);

    const t1 = await readFile(join(d1, 'result.json'), 'utf8');
    const t2 = await readFile(join(d2, 'result.json'), 'utf8');
    expect(t1).not.toBe(t2); // the timings differ...
    expect(withoutTimings(JSON.parse(t2) as Json)).toBe(withoutTimings(JSON.parse(t1) as Json)); // ...and nothing else
    expect((JSON.parse(t2) as Json)['timings']).toMatchObject({ threads: 2 });
  });

  it('multi-objective: result.json holds the Pareto front with the objective values', async () => {
    const d = await dir('out-mo');
    const r = await runCli([...SMALL, '--threads', '2', '--objectives', 'max:sharpe,min:maxDrawdown', '--out', d]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NSGA-II, objectives max:sharpe, min:maxDrawdown/);
    expect(r.stdout).toMatch(/^ranked by non-dominated front, then by crowding distance/m);
    expect(r.stdout).toMatch(/^# +front +crowding +max:sharpe +min:maxDrawdown +IS sharpe/m);
    const m = /^Pareto front \((\d+) genomes, sorted by max:sharpe\)\n# +max:sharpe +min:maxDrawdown +IS trades +OOS sharpe +parameters\n[- ]+\n((?:.+\n)+)/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const shown = m![2]!.trimEnd().split('\n').filter((l) => /^\d+ /.test(l)).map((l) => Number(l.trim().split(/ +/)[1]));
    expect(shown.length).toBe(Math.min(20, Number(m![1])));
    // sorted by the first objective, best first
    expect([...shown].sort((a, b) => b - a)).toEqual(shown);
    const res = await readJson(join(d, 'result.json'));
    const front = res['paretoFront'] as EvolveResult['paretoFront'];
    expect(front!.length).toBeGreaterThan(0);
    for (const p of front!) expect(Object.keys(p.objectives!)).toEqual(['sharpe', 'maxDrawdown']);
    expect((res['config'] as Json)['objectives']).toEqual(['max:sharpe', 'min:maxDrawdown']);
  });
});

describe('bad options: exit 2 and a message naming the option', () => {
  it.concurrent.for([
    [['--population', '-5'], /^error: option '--population <n>' argument '-5' is invalid/],
    [['--market-agg', 'max'], /^error: option '--market-agg <how>' argument 'max' is invalid/],
    [['--strategy', 'nope'], /^error: option '--strategy <name\|path>' argument 'nope' is invalid/],
    [['--objectives', 'max:nope'], /^error: --objectives: unknown metric "nope"/],
    [['--train', '1.5'], /^error: --train: must be in \(0, 1\), got 1\.5/],
    [['--data', 'missing.csv'], /^error: --data: file not found: missing\.csv/],
    [['--population', '6', '--objectives', 'max:sharpe,min:maxDrawdown'], /^error: --population: must be a multiple of 4 .*got 6/],
    [['--no-holdout', '--train', '0.5'], /^error: --no-holdout: cannot be combined with --train/],
    [['--fitness', 'sharpe', '--objectives', 'max:sharpe,min:maxDrawdown'], /^error: --objectives: cannot be combined with fitness/],
  ] as const)('%j', async ([args, message], { expect }) => {
    const r = await runCli([...SMALL, '--threads', '1', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(PROGRESS);
  });

  it('--resume of a checkpoint from another configuration (another --seed)', async () => {
    const d = await dir('resume-other');
    const ck = join(d, 'ck.json');
    expect((await runCli([...SMALL, '--threads', '1', '--generations', '1', '--seed', '1', '--checkpoint', ck])).code).toBe(0);
    const before = await readFile(ck, 'utf8');
    const r = await runCli([...SMALL, '--threads', '1', '--seed', '2', '--resume', ck]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --resume: the checkpoint is from another run: seed differs \(checkpoint: 1, now: 2\)$/m);
    expect(await readFile(ck, 'utf8')).toBe(before);
    const missing = await runCli([...SMALL, '--threads', '1', '--resume', join(d, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: --resume: file not found/);
  });

  it('--resume with another --warmup: refused, naming backtest.warmup', async () => {
    const d = await dir('resume-warmup');
    const ck = join(d, 'ck.json');
    expect((await runCli([...SMALL, '--threads', '0', '--generations', '1', '--checkpoint', ck])).code).toBe(0);
    const same = await runCli([...SMALL, '--threads', '0', '--generations', '1', '--warmup', 'all', '--resume', ck]);
    expect(same.code, same.stderr).toBe(0);
    const r = await runCli([...SMALL, '--threads', '0', '--warmup', '20', '--resume', ck]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --resume: the checkpoint is from another run: backtest\.warmup differs \(checkpoint: null, now: 20\)$/m);
  });
});

describe('interrupted and killed runs', () => {
  // One uninterrupted run: what a resumed run must reproduce (timings aside).
  let straight = '';
  beforeAll(async () => {
    const d = await dir('straight');
    const r = await runCli([...LONG, '--threads', '2', '--no-progress', '--out', d], { timeoutMs: 90_000 });
    expect(r.code).toBe(0);
    straight = withoutTimings(await readJson(join(d, 'result.json')));
  }, 120_000);

  it('Ctrl-C: exit 130, result.json says interrupted, the checkpoint resumes to the uninterrupted result', async () => {
    const d = await dir('sigint');
    const ck = join(d, 'ck.json');
    const out = join(d, 'out');
    const run = start([...LONG, '--threads', '2', '--checkpoint', ck, '--out', out]);
    await run.progressLines(1);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted: finishing with the last completed generation');
    const res = await readJson(join(out, 'result.json'));
    const stopped = res['stopped'] as { reason: string; generations: number };
    expect(stopped.reason).toBe('interrupted');
    expect(stopped.generations).toBeGreaterThanOrEqual(1);
    expect(stopped.generations).toBeLessThan(12);
    expect(res['generations']).toEqual((JSON.parse(straight) as Json as { generations: unknown[] }).generations.slice(0, stopped.generations));
    // the checkpoint holds exactly the completed generations
    const state = await readJson(ck);
    expect(state).toMatchObject({ format: 'evoquant-checkpoint', version: 2, generation: stopped.generations });
    // the snapshot and its history; the lock was released on Ctrl-C
    expect((await readdir(d)).sort()).toEqual(['ck.json', 'ck.json.history', 'out']);

    const resumedOut = join(d, 'resumed');
    const resumed = await runCli([...LONG, '--threads', '1', '--resume', ck, '--out', resumedOut], { timeoutMs: 90_000 });
    expect(resumed.code).toBe(0);
    const final = await readJson(join(resumedOut, 'result.json'));
    expect(final['stopped']).toEqual({ reason: 'generations', generations: 12 });
    expect((final['timings'] as Json)['resumedFrom']).toBe(stopped.generations);
    expect(withoutTimings(final)).toBe(straight);
  }, 120_000);

  it('SIGKILL after generation k: the checkpoint holds at least k generations, no temporary file, and resumes', async () => {
    const d = await dir('sigkill');
    const ck = join(d, 'ck.json');
    const run = start([...LONG, '--threads', '2', '--checkpoint', ck]);
    await run.progressLines(3);
    run.child.kill('SIGKILL');
    const r = await run.done;
    expect(r.signal).toBe('SIGKILL');
    const seen = r.stderr.split('\n').filter((l) => PROGRESS.test(l)).length;
    expect(seen).toBeGreaterThanOrEqual(3);
    const state = await readJson(ck);
    expect(state['format']).toBe('evoquant-checkpoint');
    // at most the generation in progress is lost
    expect(state['generation']).toBeGreaterThanOrEqual(seen);
    // no temporary file; the lock of the killed process stays behind, holding its (dead) PID
    expect((await readdir(d)).sort()).toEqual(['ck.json', 'ck.json.history', 'ck.json.lock']);
    expect(await readFile(join(d, 'ck.json.lock'), 'utf8')).toBe(`${run.child.pid}\n`);

    const resumedOut = join(d, 'resumed');
    const resumed = await runCli([...LONG, '--threads', '2', '--resume', ck, '--out', resumedOut], { timeoutMs: 90_000 });
    expect(resumed.code).toBe(0);
    const final = await readJson(join(resumedOut, 'result.json'));
    expect(final['stopped']).toEqual({ reason: 'generations', generations: 12 });
    expect(withoutTimings(final)).toBe(straight);
    expect(existsSync(ck)).toBe(true);
    // the resume took the stale lock over and released it
    expect((await readdir(d)).sort()).toEqual(['ck.json', 'ck.json.history', 'resumed']);
  }, 120_000);
});
