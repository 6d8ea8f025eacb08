// The warmup option in a run (README "Windows and warm-up"): the in-sample window starts at bar 0
// and has no warm-up, so the GA's course is the same whatever the option; the out-of-sample
// window gets the bars before it. The option is part of the run's signature (a checkpoint or an
// evaluator of another warm-up is refused, naming backtest.warmup).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthetic } from '../../src/data/synthetic.js';
import { EngineError } from '../../src/errors.js';
import type { EvolveOptions } from '../../src/ga/evolve.js';
import { evolve } from '../../src/ga/evolve.js';
import { createInProcessEvaluator } from '../../src/pool/in-process.js';

const MARKET = synthetic({ bars: 1500, seed: 11 });
const BASE: EvolveOptions = { market: MARKET, strategy: 'sma-cross', population: 8, generations: 2, seed: 5, threads: 0 };
const dir = mkdtempSync(join(tmpdir(), 'evoquant-warmup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('warmup in evolve', () => {
  it('changes the out-of-sample figures only: the in-sample window has no bars before it', async () => {
    const warm = await evolve(BASE);
    const cold = await evolve({ ...BASE, backtest: { warmup: 0 } });
    expect(warm.hallOfFame.map((h) => [h.params, h.inSample])).toEqual(cold.hallOfFame.map((h) => [h.params, h.inSample]));
    expect(warm.hallOfFame.map((h) => h.outOfSample)).not.toEqual(cold.hallOfFame.map((h) => h.outOfSample));
    expect((warm.config['backtest'] as Record<string, unknown>)['warmup']).toBeNull();
    expect((cold.config['backtest'] as Record<string, unknown>)['warmup']).toBe(0);
  });

  it('is part of the signature: a checkpoint of another warm-up is refused, naming it', async () => {
    const ck = join(dir, 'run.ckpt');
    await evolve({ ...BASE, generations: 1, checkpoint: ck });
    const e = await refusal(evolve({ ...BASE, backtest: { warmup: 50 }, resume: ck }));
    expect(e.option).toBe('resume');
    expect(e.message).toContain('backtest.warmup differs (checkpoint: null, now: 50)');
  });

  it('an evaluator built for another warm-up is refused; all history spelled out is the default', async () => {
    const ev = createInProcessEvaluator({ market: MARKET, backtest: { warmup: 0 } });
    const e = await refusal(evolve({ ...BASE, evaluator: ev }));
    expect(e.message).toContain('backtest.warmup differs (evaluator: 0, evolve: null)');
    const plain = await evolve(BASE);
    for (const warmup of [Infinity, null]) {
      const all = createInProcessEvaluator({ market: MARKET, backtest: { warmup } });
      const r = await evolve({ ...BASE, evaluator: all });
      expect(r.hallOfFame).toEqual(plain.hallOfFame);
    }
  });

  it('a bad value is refused before any work, naming backtest.warmup', async () => {
    const e = await refusal(evolve({ ...BASE, backtest: { warmup: -3 } }));
    expect(e.message).toMatch(/warmup: must be a non-negative integer/);
  });
});
