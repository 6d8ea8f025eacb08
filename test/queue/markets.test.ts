// The queue evaluator with several markets, against a real Redis server and two real workers:
// every market goes to Redis once under its sha256, evaluateSlots sends every slot's batches as
// one round of jobs naming their market, and the result has the bits of the in-process
// evaluator on the same markets.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCsv } from '../../src/data/csv.js';
import type { MarketData } from '../../src/data/market.js';
import { synthetic } from '../../src/data/synthetic.js';
import { MET_LENGTH } from '../../src/kernels/layout.js';
import type { EvalSlot } from '../../src/pool/evaluator.js';
import { cachedMarketDigest } from '../../src/pool/evaluator.js';
import { createInProcessEvaluator } from '../../src/pool/in-process.js';
import { createQueueEvaluator } from '../../src/queue/evaluator.js';
import { keys } from '../../src/queue/protocol.js';
import { startQueueWorker } from '../../src/queue/worker.js';
import type { QueueWorker } from '../../src/queue/worker.js';
import { DATA } from '../helpers/shared.js';
import { HAVE_REDIS, startRedis } from './redis.js';
import type { RedisServer } from './redis.js';

const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** sma-cross genomes (fast, slow), all valid. */
function genomes(n: number): Float64Array {
  const g = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    g[2 * i] = 2 + ((i * 7) % 50);
    g[2 * i + 1] = g[2 * i]! + 5 + ((i * 13) % 120);
  }
  return g;
}

let redis: RedisServer;
const workers: QueueWorker[] = [];
let markets: MarketData[];

beforeAll(async () => {
  markets = [synthetic({ bars: 3000, seed: 4 }), await loadCsv(DATA('GOOG.csv')), synthetic({ bars: 900, seed: 8 })];
  if (!HAVE_REDIS) return;
  redis = await startRedis();
  for (const name of ['m1', 'm2']) workers.push(await startQueueWorker({ redis: redis.url, threads: 1, name }));
});
afterAll(async () => {
  if (!HAVE_REDIS) return;
  await Promise.allSettled(workers.map((w) => w.close()));
  await redis.stop();
});

describe.skipIf(!HAVE_REDIS)('queue evaluator over several markets', () => {
  it('evaluateSlots with the markets in Redis once each equals the in-process evaluator', async () => {
    const g = genomes(23);
    const slots: EvalSlot[] = [];
    for (const f of [[0, 1], [0, 0.7], [0.7, 1]]) {
      markets.forEach((m, i) => slots.push({ market: i, window: { start: Math.floor(f[0]! * m.length), end: Math.floor(f[1]! * m.length) } }));
    }
    const local = createInProcessEvaluator({ markets, backtest: { commission: 0.002 }, backend: 'ts' });
    const want = await local.evaluateSlots('sma-cross', g, slots);
    for (const batchSize of [undefined, 4]) {
      const q = await createQueueEvaluator({ redis: redis.url, markets, backtest: { commission: 0.002 }, ...(batchSize !== undefined ? { batchSize } : {}) });
      try {
        expect(q.describe().markets).toEqual(markets.map((m) => ({ digest: cachedMarketDigest(m), bars: m.length })));
        const got = await q.evaluateSlots('sma-cross', g, slots);
        expect(bytes(got).equals(bytes(want))).toBe(true);
        if (batchSize !== undefined) expect(q.stats().tasks).toBe(slots.length * Math.ceil(23 / batchSize));
        // evaluate() is market 0.
        expect(bytes(await q.evaluate('sma-cross', g, slots[0]!.window)).equals(bytes(want.subarray(0, 23 * MET_LENGTH)))).toBe(true);
      } finally {
        await q.close();
      }
    }
    const client = new Redis(redis.url);
    try {
      for (const m of markets) expect(await client.exists(keys('evaluate').market(cachedMarketDigest(m)))).toBe(1);
      expect((await client.keys('evoquant:evaluate:market:*')).length).toBe(3);
    } finally {
      client.disconnect();
    }
  });
});
