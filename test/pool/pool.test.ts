// The worker pool against the in-process evaluator: same bits for any thread count, batch size
// and backend; faults surface with the right code and nothing is lost; a stop kills no worker.
// These tests run the built worker (dist/workers/evaluate.js): `npm test` builds first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCsv } from '../../src/data/csv.js';
import type { MarketData } from '../../src/data/market.js';
import { synthetic } from '../../src/data/synthetic.js';
import { EngineError } from '../../src/errors.js';
import { getFamily } from '../../src/genome/families.js';
import type { StrategyFamily } from '../../src/genome/families.js';
import { MET_LENGTH } from '../../src/kernels/layout.js';
import type { Evaluator } from '../../src/pool/evaluator.js';
import { createInProcessEvaluator } from '../../src/pool/in-process.js';
import { createPoolEvaluator, defaultBatchSizes } from '../../src/pool/pool.js';
import { Random } from '../../src/random.js';
import { DATA, firstDifference } from '../helpers/shared.js';

/** Genomes drawn inside the family's search space (integers where the family wants them). */
function randomGenomes(family: StrategyFamily, count: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const G = family.genes.length;
  const out = new Float64Array(count * G);
  for (let i = 0; i < count; i++) {
    family.genes.forEach((g, j) => {
      out[i * G + j] = g.kind === 'int' ? rng.int(g.min, g.max) : g.min + (g.max - g.min) * rng.next();
    });
    family.repair(out, i * G);
  }
  return out;
}

describe('defaultBatchSizes: guided scheduling', () => {
  it('covers the population exactly, shrinking from a (2 x threads)th of what is left', () => {
    const cases: [number, number, number][] = [[512, 2, 1e6], [512, 1, 1e6], [7730, 2, 2148], [100, 2, 1500], [3, 2, 100], [1, 8, 100], [64, 8, 1e5], [999, 3, 5e4]];
    for (const [count, threads, bars] of cases) {
      const sizes = defaultBatchSizes(count, threads, bars);
      const label = `${count} genomes, ${threads} threads, ${bars} bars: ${sizes.join(' ')}`;
      expect(sizes.reduce((a, b) => a + b, 0), label).toBe(count);
      let left = count;
      sizes.forEach((size, i) => {
        expect(size, label).toBeGreaterThan(0);
        if (i < sizes.length - 1) {
          expect(size % 2, `${label}: task ${i} is odd`).toBe(0);
          expect(size, `${label}: task ${i}`).toBeGreaterThanOrEqual(Math.ceil(left / (2 * threads)));
          if (i > 0) expect(size, `${label}: task ${i} grew`).toBeLessThanOrEqual(sizes[i - 1]!);
        }
        left -= size;
      });
      // At least one task per thread when there are two genomes per thread.
      if (count >= 2 * threads) expect(sizes.length, label).toBeGreaterThanOrEqual(threads);
    }
  });

  it('keeps tasks at 2^20 bar-evaluations or more on short series, and small at the end of long ones', () => {
    // GOOG-sized: 7,730 genomes x 2,148 bars on 2 threads.
    const goog = defaultBatchSizes(7730, 2, 2148);
    expect(Math.min(...goog.slice(0, -1)) * 2148).toBeGreaterThanOrEqual(2 ** 20);
    expect(goog[0]).toBe(Math.ceil(7730 / 4) + 1); // 1,933 rounded up to even
    // 1M bars: the first task is a quarter of the population, the last ones two genomes.
    const big = defaultBatchSizes(512, 2, 1e6);
    expect(big[0]).toBe(128);
    expect(big.at(-1)).toBe(2);
    // A small GA population still uses both threads.
    expect(defaultBatchSizes(100, 2, 1500)).toEqual([50, 50]);
  });
});

async function expectEngineError(p: Promise<unknown>, code: string, pattern?: RegExp): Promise<EngineError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EngineError);
  expect((e as EngineError).code).toBe(code);
  if (pattern !== undefined) expect((e as EngineError).message).toMatch(pattern);
  return e as EngineError;
}

async function withPool<T>(e: Evaluator, fn: (e: Evaluator) => Promise<T>): Promise<T> {
  try {
    return await fn(e);
  } finally {
    await e.close();
  }
}

let goog: MarketData;
let synth: MarketData;
beforeAll(async () => {
  goog = await loadCsv(DATA('GOOG.csv'));
  synth = synthetic({ bars: 20_000, seed: 11 });
});

describe('results do not depend on how the work is cut', () => {
  const cases: { name: string; strategy: 'sma-cross' | 'stoch-rsi-bands'; market: () => MarketData; count: number }[] = [
    { name: 'GOOG, sma-cross', strategy: 'sma-cross', market: () => goog, count: 61 },
    { name: 'GOOG, stoch-rsi-bands', strategy: 'stoch-rsi-bands', market: () => goog, count: 23 },
    { name: 'synthetic, stoch-rsi-bands', strategy: 'stoch-rsi-bands', market: () => synth, count: 17 },
    { name: 'synthetic, sma-cross', strategy: 'sma-cross', market: () => synth, count: 33 },
  ];
  for (const c of cases) {
    it(`${c.name}: threads 1, 2, 3, 8 x batch sizes x backends all equal in-process`, async () => {
      const market = c.market();
      const genomes = randomGenomes(getFamily(c.strategy), c.count, 99);
      const window = { start: 0, end: market.length };
      const reference = await createInProcessEvaluator({ market, backend: 'ts' }).evaluate(c.strategy, genomes, window);
      expect(reference.length).toBe(c.count * MET_LENGTH);
      const wasmInProcess = await createInProcessEvaluator({ market, backend: 'wasm' }).evaluate(c.strategy, genomes, window);
      expect(firstDifference(wasmInProcess, reference)).toBe(-1);
      for (const backend of ['wasm', 'ts'] as const) {
        for (const [threads, batchSize] of [[1, undefined], [2, 1], [3, 7], [8, undefined]] as const) {
          // More threads than cores on purpose (the same bits); their warning is not this test's subject.
          const pool = createPoolEvaluator({ market, backend, threads, onWarning: () => undefined, ...(batchSize !== undefined ? { batchSize } : {}) });
          const got = await withPool(pool, (p) => p.evaluate(c.strategy, genomes, window));
          expect(firstDifference(got, reference), `${backend} threads=${threads} batch=${batchSize}`).toBe(-1);
        }
      }
    });
  }

  it('a window gives the same bits in the pool as in process', async () => {
    const genomes = randomGenomes(getFamily('sma-cross'), 12, 5);
    const window = { start: 300, end: 1700 };
    const reference = await createInProcessEvaluator({ market: goog, backend: 'wasm' }).evaluate('sma-cross', genomes, window);
    const got = await withPool(createPoolEvaluator({ market: goog, threads: 2, batchSize: 5 }), (p) => p.evaluate('sma-cross', genomes, window));
    expect(firstDifference(got, reference)).toBe(-1);
  });

  it('workers stay alive across calls and keep giving the same answers', async () => {
    const genomes = randomGenomes(getFamily('stoch-rsi-bands'), 9, 3);
    const pool = createPoolEvaluator({ market: synth, threads: 2, batchSize: 2 });
    await withPool(pool, async (p) => {
      const first = await p.evaluate('stoch-rsi-bands', genomes);
      const ids = (pool as ReturnType<typeof createPoolEvaluator>).threadIds();
      const second = await p.evaluate('stoch-rsi-bands', genomes);
      expect(firstDifference(second, first)).toBe(-1);
      expect(pool.threadIds()).toEqual(ids);
    });
  });
});

describe('faults', () => {
  const family = getFamily('sma-cross');
  const genomes = randomGenomes(family, 24, 7);
  let reference: Float64Array;
  beforeAll(async () => {
    reference = await createInProcessEvaluator({ market: goog }).evaluate('sma-cross', genomes);
  });

  it('a worker that dies mid-task is replaced and its batch retried once: nothing lost or duplicated', async () => {
    const pool = createPoolEvaluator({ market: goog, threads: 2, batchSize: 4, testHooks: { exitOnBatch: 2, exitTimes: 1 } });
    const got = await withPool(pool, async (p) => {
      const before = pool.threadIds();
      const out = await p.evaluate('sma-cross', genomes);
      // The dead worker was replaced: two live threads, not the same set as before.
      expect(pool.threadIds()).toHaveLength(2);
      expect(pool.threadIds()).not.toEqual(before);
      return out;
    });
    expect(firstDifference(got, reference)).toBe(-1);
  });

  it('a batch whose worker dies twice fails the call with E_POOL, and the pool still works', async () => {
    const pool = createPoolEvaluator({ market: goog, threads: 2, batchSize: 4, testHooks: { exitOnBatch: 3, exitTimes: 2 } });
    await withPool(pool, async (p) => {
      await expectEngineError(p.evaluate('sma-cross', genomes), 'E_POOL', /batch 3 \(genomes 12\.\.15\) failed on two workers: worker exited with code: 1/);
      const again = await p.evaluate('sma-cross', genomes);
      expect(firstDifference(again, reference)).toBe(-1);
    });
  });

  it('a worker exception reaches the caller as E_POOL with the original message', async () => {
    const pool = createPoolEvaluator({ market: goog, threads: 2, batchSize: 4, testHooks: { throwOnBatch: 1 } });
    await withPool(pool, (p) => expectEngineError(p.evaluate('sma-cross', genomes), 'E_POOL', /injected failure in batch 1/));
  });

  it('a kernel status error in a worker reaches the caller as E_KERNEL with the kernel message', async () => {
    for (const backend of ['wasm', 'ts'] as const) {
      const pool = createPoolEvaluator({ market: goog, backend, threads: 2, batchSize: 4, testHooks: { corruptOnBatch: 0 } });
      await withPool(pool, (p) => expectEngineError(p.evaluate('sma-cross', genomes), 'E_KERNEL', /batch 0 .*sma-cross failed with status 2: period out of range/));
    }
  });

  it('bad genomes are rejected before any worker sees them, naming the genome', async () => {
    const pool = createPoolEvaluator({ market: goog, threads: 1 });
    await withPool(pool, async (p) => {
      const nan = genomes.slice();
      nan[2 * 5 + 1] = NaN;
      const e1 = await expectEngineError(p.evaluate('sma-cross', nan), 'E_CONFIG', /genomes\[5\]: gene slow is NaN/);
      expect(e1.option).toBe('genomes[5]');
      const zero = genomes.slice();
      zero[2 * 9] = 0;
      await expectEngineError(p.evaluate('sma-cross', zero), 'E_CONFIG', /genomes\[9\]: gene fast = 0 is outside/);
      const crossed = genomes.slice();
      crossed[2 * 3] = 50;
      crossed[2 * 3 + 1] = 20;
      await expectEngineError(p.evaluate('sma-cross', crossed), 'E_CONFIG', /genomes\[3\]: breaks the rule of sma-cross \(its repair changes fast 50 -> 20, slow 20 -> 50\)/);
      const fractional = genomes.slice();
      fractional[2 * 4] = 10.5;
      await expectEngineError(p.evaluate('sma-cross', fractional), 'E_CONFIG', /genomes\[4\]: gene fast = 10.5 is not an integer/);
      await expectEngineError(p.evaluate('sma-cross', genomes.subarray(0, 7)), 'E_CONFIG', /length 7 is not a multiple of 2/);
      await expectEngineError(p.evaluate('sma-cross', genomes, { start: 0, end: goog.length + 1 }), 'E_CONFIG', /window/);
    });
  });
});

describe('cancellation', () => {
  let market: MarketData;
  beforeAll(() => {
    market = synthetic({ bars: 400_000, seed: 2 });
  });
  afterAll(() => undefined);

  it('an AbortSignal stops a running evaluation without killing workers; the next call is exact', async () => {
    const family = getFamily('stoch-rsi-bands');
    const genomes = randomGenomes(family, 64, 21);
    const pool = createPoolEvaluator({ market, backend: 'ts', threads: 2, batchSize: 2 });
    await withPool(pool, async (p) => {
      // Warm the workers (instantiate, copy the market) so the abort hits the evaluation itself.
      await p.evaluate('stoch-rsi-bands', genomes.subarray(0, 2 * family.genes.length), { start: 0, end: 1000 });
      const ids = pool.threadIds();
      const controller = new AbortController();
      let finished = 0;
      const running = p.evaluate('stoch-rsi-bands', genomes, undefined, { signal: controller.signal }).finally(() => {
        finished++;
      });
      setTimeout(() => controller.abort(new Error('user stop')), 50);
      await expectEngineError(running, 'E_ABORT');
      expect(finished).toBe(1);
      expect(pool.threadIds()).toEqual(ids);
      // The stop flag was lowered again: a later call runs to completion with exact results.
      const small = genomes.subarray(0, 4 * family.genes.length);
      const window = { start: 0, end: 5000 };
      const expected = await createInProcessEvaluator({ market, backend: 'ts' }).evaluate('stoch-rsi-bands', small, window);
      const got = await p.evaluate('stoch-rsi-bands', small, window);
      expect(firstDifference(got, expected)).toBe(-1);
    });
  });

  it('an already aborted signal rejects at once; the in-process evaluator honours signals too', async () => {
    const genomes = randomGenomes(getFamily('sma-cross'), 8, 1);
    const pool = createPoolEvaluator({ market, threads: 1 });
    await withPool(pool, (p) => expectEngineError(p.evaluate('sma-cross', genomes, undefined, { signal: AbortSignal.abort() }), 'E_ABORT'));
    const inProcess = createInProcessEvaluator({ market, backend: 'ts' });
    const controller = new AbortController();
    const big = randomGenomes(getFamily('sma-cross'), 200, 2);
    const running = inProcess.evaluate('sma-cross', big, undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expectEngineError(running, 'E_ABORT');
  });

  it('close() leaves no threads behind: a process that used a pool exits by itself', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const script = fileURLToPath(new URL('./fixtures/pool-exit.mjs', import.meta.url));
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the process did not exit after close()'));
      }, 60_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(0);
  });
});
