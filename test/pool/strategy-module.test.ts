// A user's strategy module through a whole run: byte-identical results for threads 0, 1 and 2,
// any batch size and both backends; everything the run reports comes from the module's own
// backtests; its digest guards resumes; an import that fails is reported before the run starts.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { backtest } from '../../src/backtest.js';
import { synthetic } from '../../src/data/synthetic.js';
import { evolve } from '../../src/ga/evolve.js';
import type { EvolveOptions, EvolveResult } from '../../src/ga/evolve.js';
import { createPoolEvaluator } from '../../src/pool/pool.js';
import type { StrategyDefinition } from '../../src/strategy/types.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/strategies/${name}`, import.meta.url));
const MODULE = fixture('momentum.mjs');
const MARKET = synthetic({ bars: 1500, seed: 11 });
const tmp = mkdtempSync(join(tmpdir(), 'evoquant-modpool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function bytes(r: EvolveResult): string {
  const copy: Partial<EvolveResult> = { ...r };
  delete copy.timings;
  // The indicator cache's counters depend on how the work was spread (one cache per thread).
  const ev = { ...r.evaluations };
  delete ev.indicatorCache;
  return JSON.stringify({ ...copy, evaluations: ev });
}

const base: EvolveOptions = { market: MARKET, strategy: MODULE, population: 16, generations: 4, seed: 3, minTrades: 1 };

describe('a user module through evolve', () => {
  let ref: EvolveResult;
  it('in process: records the strategy, and reports from its own backtests', async () => {
    ref = await evolve({ ...base, threads: 0 });
    expect(ref.strategy).toMatchObject({ name: 'rsi-momentum', file: MODULE, builtin: false });
    expect(ref.strategy.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(ref.evaluations.indicatorCache!.hits).toBeGreaterThan(0);
    const best = ref.hallOfFame[0]!;
    const bt = (w: { start: number; end: number }) => backtest(MARKET, MODULE, best.params, { window: w });
    expect(best.inSample).toEqual(bt(ref.windows.train[0]!).metrics);
    expect(best.outOfSample).toEqual(bt(ref.windows.test[0]!).metrics);
    const full = bt({ start: 0, end: MARKET.length });
    expect(ref.curve.equity.at(-1)).toBe(full.equity.at(-1));
    expect(ref.overfitting.details.deflatedSharpe?.annualSharpe).toBeCloseTo(bt(ref.overfitting.window).metrics.sharpe, 12);
  });

  it.each([
    ['threads 0, ts', { threads: 0, backend: 'ts' }],
    ['threads 1', { threads: 1 }],
    ['threads 2', { threads: 2 }],
    ['threads 2, batch 1', { threads: 2, batchSize: 1 }],
    ['threads 2, batch 5, ts', { threads: 2, batchSize: 5, backend: 'ts' }],
  ] as const)('%s gives the same bytes', async (_name, o) => {
    const r = await evolve({ ...base, ...o });
    expect(bytes(r)).toBe(bytes(ref));
  });

  it('resuming after the module changed is refused, naming the strategy', async () => {
    const file = join(tmp, 'plain.mjs');
    const src = (k: number): string => `export default { name: 'plain-cross', genes: [{ name: 'k', min: 2, max: 40, kind: 'int', default: 10 }], signals(ctx, p) { const s = ctx.ind.sma(ctx.close, p.k); return { target: Array.from(s, (v, t) => (v === v ? (ctx.close[t] > v ? 1 : ${k}) : NaN)) }; } };\n`;
    writeFileSync(file, src(-1));
    const ck = join(tmp, 'ck.json');
    const o: EvolveOptions = { market: MARKET, strategy: file, population: 8, generations: 2, seed: 1, threads: 0, checkpoint: ck };
    await evolve(o);
    writeFileSync(file, src(0));
    await expect(evolve({ ...o, generations: 3, checkpoint: undefined, resume: ck })).rejects.toThrow(/the strategy plain-cross changed since the checkpoint/);
    writeFileSync(file, src(-1));
    const resumed = await evolve({ ...o, generations: 3, checkpoint: undefined, resume: ck });
    expect(resumed.timings.resumedFrom).toBe(2);
  });

  it('an import failure is reported before the run starts', async () => {
    const bad = join(tmp, 'bad.mjs');
    copyFileSync(fixture('throws-at-import.mjs'), bad);
    await expect(evolve({ ...base, strategy: bad, threads: 2 })).rejects.toMatchObject({ code: 'E_STRATEGY', message: expect.stringContaining('boom at import') });
  });

  it('a definition object runs in process; workers need its module', async () => {
    const def: StrategyDefinition = {
      name: 'inline',
      genes: [{ name: 'k', min: 2, max: 9, kind: 'int', default: 3 }],
      signals: (ctx, p) => ({ target: ctx.ind.sma(ctx.close, p.k!).map((v, t) => (ctx.close[t]! > v ? 1 : -1)) }),
    };
    const r = await evolve({ market: MARKET, strategy: def, population: 8, generations: 2, threads: 0 });
    expect(r.strategy).toMatchObject({ name: 'inline', file: null });
    await expect(evolve({ market: MARKET, strategy: def, population: 8, generations: 2, threads: 1 })).rejects.toThrow(/give the path of its module/);
  });

  it('a signals error inside a worker comes back as E_STRATEGY naming the genome', async () => {
    const pool = createPoolEvaluator({ market: MARKET, threads: 1 });
    try {
      const { loadStrategyModule } = await import('../../src/strategy/load.js');
      const s = await loadStrategyModule(fixture('broken-signals.mjs'));
      await expect(pool.evaluate(s, Float64Array.of(2, 3))).rejects.toMatchObject({
        code: 'E_STRATEGY', message: expect.stringMatching(/\{"mode":2\}: signals threw RangeError: mode 2 is not supported at throwFromHere/),
      });
    } finally {
      await pool.close();
    }
  });
});
