// The queue evaluator against a real Redis server (started here on a loopback port) and real
// workers (in this process, each with its own Piscina pool): the same bits as evaluating
// locally, at-least-once delivery, abandoned runs, strategies by digest, and connection errors
// that name the server but never its password.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthetic } from '../../src/data/synthetic.js';
import { EngineError } from '../../src/errors.js';
import { evolve } from '../../src/ga/evolve.js';
import { MET_LENGTH } from '../../src/kernels/layout.js';
import { createInProcessEvaluator } from '../../src/pool/in-process.js';
import { parseRedisUrl, redactUrl } from '../../src/queue/connection.js';
import { createQueueEvaluator, queueBatchSizes } from '../../src/queue/evaluator.js';
import type { QueueStatus } from '../../src/queue/evaluator.js';
import { putMarket } from '../../src/queue/market-store.js';
import { PREFIX, PROTOCOL, keys } from '../../src/queue/protocol.js';
import type { JobData } from '../../src/queue/protocol.js';
import { builtinRef } from '../../src/queue/strategies.js';
import { startQueueWorker } from '../../src/queue/worker.js';
import { loadStrategyModule } from '../../src/strategy/load.js';
import type { QueueWorker } from '../../src/queue/worker.js';
import { HAVE_REDIS, freePort, startRedis } from './redis.js';
import type { RedisServer } from './redis.js';

const market = synthetic({ bars: 4000, seed: 11 });
const FIXTURE = fileURLToPath(new URL('../fixtures/queue/strategy-a.mjs', import.meta.url));
const MOMENTUM = fileURLToPath(new URL('../fixtures/strategies/momentum.mjs', import.meta.url));

/** sma-cross genomes (fast, slow), all valid. */
function genomes(n: number, seed = 1): Float64Array {
  const g = new Float64Array(n * 2);
  let s = seed;
  const next = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < n; i++) {
    const fast = 2 + Math.floor(next() * 60);
    g[2 * i] = fast;
    g[2 * i + 1] = fast + 3 + Math.floor(next() * 150);
  }
  return g;
}

const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

let redis: RedisServer;
const workers: QueueWorker[] = [];
const logs: string[] = [];
async function worker(name: string, extra: { strategies?: string[]; queue?: string; lockSeconds?: number } = {}): Promise<QueueWorker> {
  const w = await startQueueWorker({ redis: redis.url, threads: 1, name, log: (l) => logs.push(`${name}: ${l}`), ...extra });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  if (!HAVE_REDIS) return;
  redis = await startRedis();
});
afterAll(async () => {
  if (!HAVE_REDIS) return;
  await Promise.allSettled(workers.map((w) => w.close()));
  await redis.stop();
});

describe.skipIf(!HAVE_REDIS)('queue evaluator', () => {
  it('gives the bits of the local evaluator, whatever the batch size and the number of workers', async () => {
    await worker('w1');
    await worker('w2');
    const local = createInProcessEvaluator({ market, backtest: { commission: 0.002 } });
    const g = genomes(37);
    const windows = [undefined, { start: 500, end: 3000 }, { start: 3000, end: 4000 }];
    for (const batchSize of [undefined, 1, 5, 64]) {
      const q = await createQueueEvaluator({ redis: redis.url, market, backtest: { commission: 0.002 }, ...(batchSize !== undefined ? { batchSize } : {}) });
      try {
        expect(q.kind).toBe('queue');
        for (const w of windows) {
          const want = await local.evaluate('sma-cross', g, w);
          const got = await q.evaluate('sma-cross', g, w);
          expect(bytes(got).equals(bytes(want))).toBe(true);
        }
        expect(q.stats().tasks).toBeGreaterThanOrEqual(batchSize === 1 ? 37 * 3 : 3);
      } finally {
        await q.close();
      }
    }
    // The run's heartbeat is gone once the evaluator is closed.
    const client = new Redis(redis.url);
    expect(await client.keys(`${PREFIX}:evaluate:run:*`)).toEqual([]);
    client.disconnect();
  });

  it('stores the market once, under its sha256, and workers check it', async () => {
    const client = new Redis(redis.url);
    try {
      const a = await putMarket(client, 'evaluate', market);
      expect(a.uploaded).toBe(false); // the previous test's runs stored it already
      const other = synthetic({ bars: 300, seed: 5 });
      const b = await putMarket(client, 'evaluate', other);
      expect(b.uploaded).toBe(true);
      expect((await putMarket(client, 'evaluate', other)).uploaded).toBe(false);
      expect(await client.exists(keys('evaluate').market(b.digest))).toBe(1);
      // A corrupted entry is refused by the worker (the digest no longer matches).
      const raw = (await client.hgetBuffer(keys('evaluate').market(b.digest), 'bars'))!;
      raw[100] = raw[100]! ^ 1;
      await client.hset(keys('evaluate').market(b.digest), 'bars', raw);
      const q = await createQueueEvaluator({ redis: redis.url, market: other });
      try {
        await expect(q.evaluate('sma-cross', genomes(2))).rejects.toThrow(/does not match its digest/);
      } finally {
        await q.close();
      }
    } finally {
      client.disconnect();
    }
  });

  it('ignores the late result of a job that stalled and was redone elsewhere', async () => {
    // A rogue consumer takes jobs and never renews their locks, then answers garbage after the
    // lock has expired and a real worker has redone the job: that answer must change nothing.
    const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
    let took = 0;
    const rogue: Worker = new Worker('evaluate', async (job) => {
      // One round of jobs only: the rogue stops fetching once it holds some.
      if (took++ === 0) void rogue.pause(true);
      await new Promise((r) => setTimeout(r, 2500));
      const d = job.data as JobData;
      return { run: d.run, call: d.call, batch: d.batch, worker: 'rogue', metrics: Buffer.alloc(d.count * 8 * MET_LENGTH, 7).toString('base64'), computeMs: 0 };
    }, { connection, prefix: PREFIX, lockDuration: 600, skipLockRenewal: true, skipStalledCheck: true, concurrency: 4, autorun: true });
    rogue.on('error', () => undefined);
    rogue.on('failed', () => undefined);
    await rogue.waitUntilReady();
    try {
      await Promise.all(workers.map((w) => w.close()));
      workers.length = 0;
      const q = await createQueueEvaluator({ redis: redis.url, market, batchSize: 4 });
      const g = genomes(16, 7);
      const pending = q.evaluate('sma-cross', g);
      // Let the rogue take the jobs first, then start the real worker (its stalled check hands
      // the expired jobs back to the queue).
      while (took === 0) await new Promise((r) => setTimeout(r, 20));
      await worker('w3', { lockSeconds: 1 });
      const got = await pending;
      const want = await createInProcessEvaluator({ market }).evaluate('sma-cross', g);
      expect(took).toBeGreaterThan(0);
      expect(bytes(got).equals(bytes(want))).toBe(true);
      // Once the rogue's late answers are in, the next evaluation is still exact.
      await new Promise((r) => setTimeout(r, 2600));
      await rogue.close(true);
      const g2 = genomes(8, 9);
      expect(bytes(await q.evaluate('sma-cross', g2)).equals(bytes(await createInProcessEvaluator({ market }).evaluate('sma-cross', g2)))).toBe(true);
      await q.close();
    } finally {
      await rogue.close(true).catch(() => undefined);
    }
  });

  it('discards the jobs of an abandoned run: removed by the next run, skipped by workers', async () => {
    const client = new Redis(redis.url);
    const queue = new Queue('evaluate', { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
    try {
      await Promise.all(workers.map((w) => w.close()));
      workers.length = 0;
      const dead: JobData = {
        v: PROTOCOL, run: 'dead-run', call: 1, batch: 0, market: 'x'.repeat(64), bars: market.length,
        strategy: builtinRef('sma-cross'), backend: 'wasm', backtest: {}, window: { start: 0, end: 10 }, count: 1,
        genomes: Buffer.from(new Float64Array([5, 20]).buffer).toString('base64'),
      };
      await queue.addBulk([0, 1, 2].map((b) => ({ name: 'evaluate-batch', data: { ...dead, batch: b }, opts: { jobId: `dead-run.1.${b}` } })));
      expect(await queue.getWaitingCount()).toBe(3);
      // A new run removes them before sending its own.
      const q = await createQueueEvaluator({ redis: redis.url, market });
      expect(await queue.getWaitingCount()).toBe(0);
      // One that arrives later is taken by a worker, found abandoned and not evaluated.
      await queue.add('evaluate-batch', { ...dead, batch: 9 }, { jobId: 'dead-run.1.9' });
      const w = await worker('w4');
      const got = await q.evaluate('sma-cross', genomes(6));
      expect(got.length).toBe(6 * MET_LENGTH);
      for (let i = 0; i < 100 && (await queue.getJobState('dead-run.1.9')) !== 'completed'; i++) await new Promise((r) => setTimeout(r, 50));
      const job = await queue.getJob('dead-run.1.9');
      expect(job?.returnvalue).toMatchObject({ discarded: true, worker: 'w4' });
      expect(w.jobs()).toBe(1); // only the live run's job was evaluated
      await q.close();
    } finally {
      await queue.close();
      client.disconnect();
    }
  });

  it('fails a job whose strategy the worker does not have, naming the worker, the strategy and the digest', async () => {
    await worker('w5', { strategies: [FIXTURE], queue: 'modules' });
    const fixtureDigest = createHash('sha256').update(readFileSync(FIXTURE)).digest('hex');
    const other = createHash('sha256').update('another version of the file').digest('hex');
    const q = await createQueueEvaluator({ redis: redis.url, market, queue: 'modules', strategyRef: (s) => ({ name: s.name, digest: other }) });
    try {
      const e = await q.evaluate('sma-cross', genomes(4)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(EngineError);
      const msg = (e as Error).message;
      expect(msg).toContain('worker w5');
      expect(msg).toContain('strategy module sma-cross');
      expect(msg).toContain(other);
      expect(msg).toContain(`strategy-a.mjs sha256 ${fixtureDigest.slice(0, 12)}`);
    } finally {
      await q.close();
    }
    // A built-in of another evoquant version is refused too.
    const q2 = await createQueueEvaluator({ redis: redis.url, market, queue: 'modules', strategyRef: (s) => builtinRef(s.name, '0.0.1-other') });
    try {
      await expect(q2.evaluate('sma-cross', genomes(4))).rejects.toThrow(/worker w5 cannot run strategy sma-cross: the job asks for builtin:sma-cross@0\.0\.1-other/);
    } finally {
      await q2.close();
    }
  });

  it('runs a strategy module on a worker started with the same file: the bits of the local evaluator', async () => {
    await worker('w6', { strategies: [MOMENTUM], queue: 'momentum' });
    const strategy = await loadStrategyModule(MOMENTUM);
    const n = 9;
    const g = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) g.set([4 + i, 56 + 2 * i, 45 + i, 1 + i / 4], i * 4);
    const local = createInProcessEvaluator({ market, backend: 'ts' });
    const q = await createQueueEvaluator({ redis: redis.url, market, queue: 'momentum', batchSize: 4 });
    try {
      for (const w of [undefined, { start: 1000, end: 3500 }]) {
        const want = await local.evaluate(strategy, g, w);
        const got = await q.evaluate(strategy, g, w);
        expect(bytes(got).equals(bytes(want))).toBe(true);
      }
    } finally {
      await q.close();
    }
  });

  it('says when no worker is connected, and gives up at the deadline', async () => {
    const statuses: QueueStatus[] = [];
    const t0 = Date.now();
    const q = await createQueueEvaluator({ redis: redis.url, market, queue: 'nobody', deadline: t0 + 3500, onStatus: (s) => statuses.push(s) });
    try {
      const e = await q.evaluate('sma-cross', genomes(4)).catch((x: unknown) => x);
      expect((e as EngineError).code).toBe('E_ABORT');
      expect((e as Error).message).toMatch(/no worker connected to redis:\/\/127\.0\.0\.1:\d+ \(queue nobody\)/);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(3500);
      expect(Date.now() - t0).toBeLessThan(8000);
      expect(statuses.length).toBeGreaterThanOrEqual(2);
      expect(statuses.every((s) => s.workers === 0 && s.jobs === 1 && s.done === 0)).toBe(true);
      expect(statuses.at(-1)!.noWorkerSeconds).toBeGreaterThanOrEqual(2);
    } finally {
      await q.close();
    }
    // Nothing of the run is left in the queue.
    const queue = new Queue('nobody', { connection: { host: '127.0.0.1', port: redis.port }, prefix: PREFIX });
    expect(await queue.getWaitingCount()).toBe(0);
    await queue.close();
  });

  it('runs evolve() to the same result as the local pool', async () => {
    await worker('w6');
    const opts = { market, strategy: 'sma-cross', population: 12, generations: 3, seed: 4 } as const;
    const local = await evolve({ ...opts, threads: 1 });
    const q = await createQueueEvaluator({ redis: redis.url, market });
    const remote = await evolve({ ...opts, evaluator: q });
    await q.close();
    const strip = (r: typeof local): string => JSON.stringify({ ...r, timings: undefined });
    expect(strip(remote)).toBe(strip(local));
    expect(remote.timings.evaluator).toBe('queue');
  });
});

describe.skipIf(!HAVE_REDIS)('connections', () => {
  it('fails at once, naming host and port, when Redis is not there', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const e = await createQueueEvaluator({ redis: `redis://someone:s3cret-pw@127.0.0.1:${port}`, market }).catch((x: unknown) => x);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((e as EngineError).code).toBe('E_POOL');
    expect((e as Error).message).toContain(`cannot reach Redis at 127.0.0.1:${port}`);
    expect((e as Error).message).toContain('ECONNREFUSED');
    expect((e as Error).message).not.toContain('s3cret-pw');
    const w = await startQueueWorker({ redis: `redis://127.0.0.1:${port}`, threads: 1 }).catch((x: unknown) => x);
    expect((w as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it('works with a password, and never shows it', async () => {
    const password = 'pa:ss@w/rd-42';
    const secure = await startRedis({ password });
    try {
      const wrong = `redis://:${encodeURIComponent('nope-pw')}@127.0.0.1:${secure.port}`;
      const e = await createQueueEvaluator({ redis: wrong, market }).catch((x: unknown) => x);
      expect((e as Error).message).toMatch(/WRONGPASS|NOAUTH|invalid/i);
      expect((e as Error).message).not.toContain('nope-pw');
      const log: string[] = [];
      const w = await startQueueWorker({ redis: secure.url, threads: 1, name: 'secure', log: (l) => log.push(l) });
      const q = await createQueueEvaluator({ redis: secure.url, market });
      expect(q.redis).toBe(`redis://:***@127.0.0.1:${secure.port}`);
      const g = genomes(6);
      expect(bytes(await q.evaluate('sma-cross', g)).equals(bytes(await createInProcessEvaluator({ market }).evaluate('sma-cross', g)))).toBe(true);
      await q.close();
      await w.close();
      expect(log.join('\n')).toContain(`redis://:***@127.0.0.1:${secure.port}`);
      expect(log.join('\n')).not.toContain('ss@w');
      // The password may come from the environment instead of the URL.
      const t = parseRedisUrl(`redis://127.0.0.1:${secure.port}`, 'redis', { EVOQUANT_REDIS_PASSWORD: password });
      expect(t.password).toBe(password);
      expect(t.display).toBe(`redis://:***@127.0.0.1:${secure.port}`);
    } finally {
      await secure.stop();
    }
  });

  it('parses redis:// and rediss:// URLs and redacts passwords in any text', () => {
    const t = parseRedisUrl('rediss://user:pw@cache.example.com:6380/3', 'redis', {});
    expect(t).toMatchObject({ host: 'cache.example.com', port: 6380, db: 3, tls: true, username: 'user', password: 'pw', display: 'rediss://user:***@cache.example.com:6380/3' });
    expect(parseRedisUrl('redis://localhost', 'redis', {})).toMatchObject({ host: 'localhost', port: 6379, db: 0, tls: false, display: 'redis://localhost' });
    expect(() => parseRedisUrl('http://user:pw@host', 'redis', {})).toThrow(/scheme must be redis:\/\/ or rediss:\/\//);
    expect(() => parseRedisUrl('redis://:pw@host/x', 'redis', {})).toThrow(/database/);
    expect(() => parseRedisUrl('redis://:topsecret@host/x', 'redis', {})).not.toThrow(/topsecret/);
    expect(redactUrl('failed on redis://a:b@h:1 and rediss://:c@h2')).toBe('failed on redis://a:***@h:1 and rediss://:***@h2');
  });

  it('cuts populations into guided jobs of at least 2^22 bar-evaluations', () => {
    // 1M bars: jobs of at least ceil(2^22 / 1e6) = 5 genomes, made even; each takes an 8th of what is left.
    expect(queueBatchSizes(100, 4, 1_000_000)).toEqual([14, 12, 10, 8, 8, 6, 6, 6, 6, 6, 6, 6, 6]);
    // 1,000 bars: 2^22 bar-evaluations would be 4,195 genomes, more than a thread's share (25): 26 each.
    expect(queueBatchSizes(100, 4, 1000)).toEqual([26, 26, 26, 22]);
    expect(queueBatchSizes(3, 8, 10)).toEqual([2, 1]);
  });
});
