import { afterAll, beforeAll, expect, it } from 'vitest';
import { synthetic } from '../../src/data/synthetic.js';
import { createInProcessEvaluator } from '../../src/pool/in-process.js';
import { createQueueEvaluator } from '../../src/queue/evaluator.js';
import { startQueueWorker } from '../../src/queue/worker.js';
import { startRedis } from './redis.js';
import type { RedisServer } from './redis.js';

let redis: RedisServer;
beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => { await redis.stop(); });

it('smoke', async () => {
  const market = synthetic({ bars: 3000, seed: 3 });
  const lines: string[] = [];
  const w = await startQueueWorker({ redis: redis.url, threads: 1, name: 'w1', log: (l) => lines.push(l) });
  const q = await createQueueEvaluator({ redis: redis.url, market });
  const genomes = Float64Array.from([5, 20, 10, 50, 3, 7, 20, 100]);
  const t0 = performance.now();
  const a = await q.evaluate('sma-cross', genomes);
  console.log('ms', performance.now() - t0);
  const t1 = performance.now();
  for (let i = 0; i < 20; i++) await q.evaluate('sma-cross', genomes);
  console.log('per call ms', (performance.now() - t1) / 20);
  const b = await createInProcessEvaluator({ market }).evaluate('sma-cross', genomes);
  expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  await q.close();
  await w.close();
  console.log(lines.join('\n'));
});
