// The queue's faults with a real Redis server and real processes (issue 12, item 3): a worker
// killed mid-job, a coordinator killed mid-run and resumed, no worker at all, Redis unreachable
// or going away, each compared with what the local pool does.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/ga/checkpoint.js';
import { PREFIX } from '../../src/queue/protocol.js';
import { cli, startWorker } from './processes.js';
import type { Proc } from './processes.js';
import { HAVE_REDIS, freePort, selfSignedCert, startRedis } from './redis.js';
import type { RedisServer } from './redis.js';

/** Generations of a few hundred ms each, cut into many small jobs so that a worker always holds some. */
const RUN = ['evolve', '--synth-bars', '60000', '--population', '24', '--generations', '7', '--seed', '3', '--batch-size', '2'];

let tmp = '';
const procs: Proc[] = [];
let redis: RedisServer;

/** result.json without its timings, as bytes. */
async function resultBytes(dir: string): Promise<string> {
  const r = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as Record<string, unknown>;
  delete r['timings'];
  return JSON.stringify(r);
}

async function localRun(name: string): Promise<string> {
  const out = join(tmp, name);
  const p = cli([...RUN, '--threads', '1', '--out', out, '--no-progress']);
  procs.push(p);
  const { code } = await p.exited;
  expect(code, p.stderr()).toBe(0);
  return resultBytes(out);
}

let local = '';
beforeAll(async () => {
  if (!HAVE_REDIS) return;
  tmp = await mkdtemp(join(tmpdir(), 'evoquant-queue-faults-'));
  redis = await startRedis();
  local = await localRun('local');
});
afterEach(async () => {
  await Promise.allSettled(procs.splice(0).map((p) => p.kill('SIGKILL')));
});
afterAll(async () => {
  if (!HAVE_REDIS) return;
  await redis.stop(true);
  await rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!HAVE_REDIS)('queue faults', () => {
  it('a worker killed mid-job: the run finishes on the other, byte-identical to the local pool', async () => {
    const events = new QueueEvents('evaluate', { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
    const stalled: string[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();
    const a = await startWorker(redis.url, 'wa');
    const b = await startWorker(redis.url, 'wb');
    procs.push(a, b);
    const out = join(tmp, 'killed-worker');
    const coord = cli([...RUN, '--redis', redis.url, '--out', out]);
    procs.push(coord);
    await coord.waitFor(/gen +2\/7/);
    // Kill wa while it holds a job (BullMQ records which worker took it).
    const queue = new Queue('evaluate', { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
    for (let held = false; !held;) held = (await queue.getActive()).some((j) => j.processedBy === 'wa');
    await a.kill('SIGKILL');
    await queue.close();
    const { code } = await coord.exited;
    expect(code, coord.stderr()).toBe(0);
    expect(await resultBytes(out)).toBe(local);
    expect(stalled.length).toBeGreaterThan(0);
    await events.close();
    // The survivor reports the run it served.
    await b.kill('SIGTERM');
    expect(b.stdout()).toMatch(/run [0-9a-f]{8}: \d+ jobs, [\d,]+ backtests/);
    expect(b.stdout()).toMatch(/worker wb stopped after \d+ jobs/);
  });

  it('the coordinator killed mid-run, then resumed with the same workers: identical to a straight run', async () => {
    const a = await startWorker(redis.url, 'wc');
    const b = await startWorker(redis.url, 'wd');
    procs.push(a, b);
    const out = join(tmp, 'resumed');
    const ckpt = join(tmp, 'resumed.ckpt');
    const first = cli([...RUN, '--redis', redis.url, '--checkpoint', ckpt]);
    procs.push(first);
    await first.waitFor(/gen +3\/7/);
    await first.kill('SIGKILL');
    const { state: saved } = await readCheckpoint(ckpt);
    expect(saved.generation).toBeGreaterThanOrEqual(3);
    expect(saved.generation).toBeLessThan(7);
    const second = cli([...RUN, '--redis', redis.url, '--resume', ckpt, '--out', out]);
    procs.push(second);
    const { code } = await second.exited;
    expect(code, second.stderr()).toBe(0);
    expect(await resultBytes(out)).toBe(local);
    const r = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as { timings: { resumedFrom: number; evaluator: string } };
    expect(r.timings).toMatchObject({ resumedFrom: saved.generation, evaluator: 'queue' });
  });

  it('no worker connected: says so within seconds, keeps waiting, and --max-seconds still applies', async () => {
    const t0 = Date.now();
    const coord = cli([...RUN, '--redis', redis.url, '--queue', 'empty', '--max-seconds', '6']);
    procs.push(coord);
    await coord.waitFor(/waiting for workers: none connected to redis:\/\/127\.0\.0\.1:\d+ \(queue empty\)/, 10_000);
    expect(Date.now() - t0).toBeLessThan(6000);
    const { code } = await coord.exited;
    const s = (Date.now() - t0) / 1000;
    expect(s).toBeGreaterThanOrEqual(6);
    expect(s).toBeLessThan(15);
    expect(code).toBe(130);
    expect(coord.stderr()).toMatch(/error: stopped at the time limit with no worker connected/);
  });

  it('Redis unreachable at start: one line naming host and port, exit 1, within 5 s', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const coord = cli([...RUN, '--redis', `redis://user:hunter2-pw@127.0.0.1:${port}`]);
    procs.push(coord);
    const { code } = await coord.exited;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(code).toBe(1);
    const lines = coord.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^error: cannot reach Redis at 127\\.0\\.0\\.1:${port} .*ECONNREFUSED`));
    expect(coord.stderr()).not.toContain('hunter2');
    const w = cli(['worker', '--redis', `redis://127.0.0.1:${port}`]);
    procs.push(w);
    expect((await w.exited).code).toBe(1);
    expect(w.stderr()).toContain(`cannot reach Redis at 127.0.0.1:${port}`);
  });

  it('Redis going away mid-run: a clear error, and the last checkpoint intact', async () => {
    const own = await startRedis();
    try {
      const w = await startWorker(own.url, 'we');
      procs.push(w);
      const ckpt = join(tmp, 'lost.ckpt');
      const coord = cli([...RUN, '--generations', '40', '--redis', own.url, '--checkpoint', ckpt]);
      procs.push(coord);
      await coord.waitFor(/gen +2\/40/);
      await own.stop(true);
      const t0 = Date.now();
      const { code } = await coord.exited;
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(code).toBe(1);
      expect(coord.stderr()).toMatch(new RegExp(`error: lost the connection to Redis at 127\\.0\\.0\\.1:${own.port} .* the run stops`));
      const { state: saved } = await readCheckpoint(ckpt);
      expect(saved.generation).toBeGreaterThanOrEqual(2);
      expect(saved.format).toBe('evoquant-checkpoint');
    } finally {
      await own.stop(true);
    }
  });

  it('works over TLS (rediss://), the certificate checked against NODE_EXTRA_CA_CERTS', async (ctx) => {
    const cert = selfSignedCert(tmp);
    if (cert === null) ctx.skip();
    const tls = await startRedis({ tls: cert! });
    try {
      expect(tls.url.startsWith('rediss://')).toBe(true);
      const env = { NODE_EXTRA_CA_CERTS: cert!.cert };
      const w = cli(['worker', '--redis', tls.url, '--threads', '1', '--name', 'wtls'], env);
      procs.push(w);
      await w.waitFor(new RegExp(`worker wtls \\(evoquant [^)]*\\) on rediss://127\\.0\\.0\\.1:${tls.port}`));
      const small = ['evolve', '--synth-bars', '3000', '--population', '8', '--generations', '2', '--no-progress', '--json'];
      const coord = cli([...small, '--redis', tls.url], env);
      procs.push(coord);
      const { code } = await coord.exited;
      expect(code, coord.stderr()).toBe(0);
      const local = cli([...small, '--threads', '1']);
      procs.push(local);
      await local.exited;
      const strip = (t: string): string => JSON.stringify({ ...(JSON.parse(t) as object), timings: null });
      expect(strip(coord.stdout())).toBe(strip(local.stdout()));
      // Without the CA the certificate is refused.
      const untrusted = cli(['worker', '--redis', tls.url, '--threads', '1']);
      procs.push(untrusted);
      expect((await untrusted.exited).code).toBe(1);
      expect(untrusted.stderr()).toMatch(new RegExp(`cannot reach Redis at 127\\.0\\.0\\.1:${tls.port}`));
    } finally {
      await tls.stop(true);
    }
  });
});
