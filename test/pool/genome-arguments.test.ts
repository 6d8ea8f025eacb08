import { afterAll, describe, expect, it } from 'vitest';
import { createInProcessEvaluator, createPoolEvaluator, synthetic } from '../../src/index.js';

// Issue 15 item 9: genomes that are not a Float64Array are refused on the caller's thread with
// E_CONFIG naming the argument, before any task reaches a worker (today: "failed on two workers").

const market = synthetic({ bars: 200, seed: 4 });
const pool = createPoolEvaluator({ market, threads: 1 });
afterAll(async () => {
  await pool.close();
});

const bad: Array<[string, unknown, RegExp]> = [
  ['a plain array', [10, 30], /got an Array of 2; wrap numbers in Float64Array\.from/],
  ['null', null, /got null/],
  ['an Int32Array', Int32Array.of(10, 30), /got an Int32Array/],
];

describe('evaluators refuse genomes that are not a Float64Array', () => {
  for (const [what, genomes, message] of bad) {
    it(`${what}: E_CONFIG on the main thread, pool and in-process alike`, async () => {
      for (const evaluator of [pool, createInProcessEvaluator({ market })]) {
        const e = await evaluator.evaluate('sma-cross', genomes as Float64Array).then(() => null, (err: unknown) => err);
        expect(e, evaluator.kind).toMatchObject({ code: 'E_CONFIG', option: 'genomes' });
        expect((e as Error).message).toMatch(/^genomes: expected a Float64Array \(genomes x 2 genes of sma-cross, row after row\)/);
        expect((e as Error).message).toMatch(message);
      }
      expect(pool.stats().tasks).toBe(0);
    });
  }

  it('the pool still works afterwards', async () => {
    const m = await pool.evaluate('sma-cross', Float64Array.of(10, 30));
    expect(m.length).toBeGreaterThan(0);
    expect(pool.stats().tasks).toBe(1);
  });
});
