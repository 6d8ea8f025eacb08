// The final overfitting analysis, bounded (issue 15 item 8): a documented, deterministic sample
// (the final population's best K distinct genomes by fitness), backtested on the pool as return
// summaries (moments + returns compounded into rows), with progress, and the same bits whatever
// the threads, batch size or backend. The statistics are recomputed here independently, from
// full per-bar return series of the genomes read back from the run's checkpoint.
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions, configVector } from '../../src/backtest.js';
import { synthetic } from '../../src/data/synthetic.js';
import { EngineError } from '../../src/errors.js';
import { base64ToF64, readCheckpoint } from '../../src/ga/checkpoint.js';
import type { AnalysisProgress, EvolveOptions, EvolveResult } from '../../src/ga/evolve.js';
import { evolve } from '../../src/ga/evolve.js';
import { genomeReturns } from '../../src/ga/overfitting.js';
import { SUMMARY_HEAD, summaryWidth } from '../../src/ga/return-series.js';
import { canonicalKey } from '../../src/genome/canonical.js';
import { getFamily } from '../../src/genome/families.js';
import { kernelsFor } from '../../src/kernels/registry.js';
import { createInProcessEvaluator } from '../../src/pool/in-process.js';
import { createPoolEvaluator } from '../../src/pool/pool.js';
import { returnMoments } from '../../src/stats/deflated-sharpe.js';
import { probabilityOfBacktestOverfitting } from '../../src/stats/pbo.js';
import { Matrix } from 'ml-matrix';

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'evoquant-analysis-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const bytes = (r: EvolveResult): string => JSON.stringify({ ...r, timings: null });

/** (1 + r1)...(1 + rk) - 1 over consecutive groups of k returns, written plainly. */
function compoundByHand(r: Float64Array, k: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < r.length; s += k) {
    if (k === 1) out.push(r[s]!);
    else out.push(r.subarray(s, s + k).reduce((g, x) => g * (1 + x), 1) - 1);
  }
  return out;
}

describe('return summaries on the pool', () => {
  // 45,000 bars: 44,999 returns compound 3 bars per row into 15,000 rows.
  const market = synthetic({ bars: 45_000, seed: 3 });
  const genomes = Float64Array.from([5, 20, 10, 30, 3, 200, 40, 41, 12, 90, 7, 8]);
  const window = { start: 1000, end: 45_000 };

  it('equal the in-process ones bit for bit (threads, batch size, backend), and the hand-compounded full series', async () => {
    const k = 3;
    const width = summaryWidth(window, k);
    expect(width).toBe(SUMMARY_HEAD + 14_667);
    const local = await createInProcessEvaluator({ market }).returnSeries!('sma-cross', genomes, window, k);
    expect(local.length).toBe(6 * width);
    for (const opts of [{ threads: 2 }, { threads: 2, batchSize: 1 }, { threads: 1, backend: 'ts' as const }]) {
      const pool = createPoolEvaluator({ market, ...opts });
      try {
        const seen: number[] = [];
        const got = await pool.returnSeries!('sma-cross', genomes, window, k, { onProgress: (d, t) => seen.push(d / t) });
        expect(Buffer.from(got.buffer).equals(Buffer.from(local.buffer))).toBe(true);
        expect(seen.at(-1)).toBe(1);
        expect([...seen].sort((a, b) => a - b)).toEqual(seen);
      } finally {
        await pool.close();
      }
    }
    const family = getFamily('sma-cross');
    const cfg = configVector(resolveOptions(family, market, {}, window));
    for (let i = 0; i < 6; i++) {
      const r = genomeReturns(kernelsFor('ts'), market, window, family, genomes.subarray(i * 2, i * 2 + 2), { cfg, riskPerTrade: 0.01 });
      const m = returnMoments(r);
      expect(Array.from(local.subarray(i * width, i * width + SUMMARY_HEAD))).toEqual([m.mean, m.std, m.skewness, m.kurtosis, m.sharpe, m.count]);
      const rows = compoundByHand(r, k);
      const mine = local.subarray(i * width + SUMMARY_HEAD, (i + 1) * width);
      expect(mine.length).toBe(rows.length);
      for (let j = 0; j < rows.length; j++) expect(Math.abs(mine[j]! - rows[j]!)).toBeLessThanOrEqual(1e-15 * (1 + Math.abs(rows[j]!)));
    }
  });

  it('a bad bars-per-row is refused naming it', async () => {
    const e = await createInProcessEvaluator({ market }).returnSeries!('sma-cross', genomes, window, 0).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).message).toBe('barsPerRow: must be a positive integer, got 0');
  });
});

describe('the analysis sample', () => {
  const market = synthetic({ bars: 2500, seed: 9 });
  const base: EvolveOptions = { market, strategy: 'sma-cross', population: 24, generations: 3, seed: 4, analysisSample: 6 };

  it('is the final population\'s best K distinct genomes by fitness: PBO recomputed from their full return series agrees', async () => {
    const ck = join(tmp, 'sample.json');
    const progress: AnalysisProgress[] = [];
    const r = await evolve({ ...base, threads: 2, checkpoint: ck }, { onAnalysis: (p) => progress.push(p) });
    const sample = r.overfitting.details.sample;
    expect(r.config['analysisSample']).toBe(6);
    expect(sample).toMatchObject({ limit: 6, size: 6, barsPerRow: 1 });
    expect(sample.distinct).toBeGreaterThan(6);
    expect(sample.rule).toBe("the final population's best 6 distinct genomes by fitness");
    expect(r.overfitting.details.pbo!.strategies).toBe(6);
    expect(sample.matrixBytes).toBe(sample.rows * 6 * 8);
    // progress: from 0 to the sample plus the best genome, never backwards
    expect(progress[0]!.done).toBe(0);
    expect(progress.at(-1)).toMatchObject({ done: 7, total: 7 });
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));

    // Independently: the population and its fitness from the checkpoint, the best 6 distinct by
    // fitness (ties by genome), their full per-bar returns, PBO with the run's 16 blocks.
    const { state } = await readCheckpoint(ck);
    const family = getFamily('sma-cross');
    const pop = base64ToF64(state.population);
    const fit = base64ToF64((state.progress as { fitness: string }).fitness);
    const order = Array.from({ length: 24 }, (_, i) => i).map((i) => ({ i, key: canonicalKey(family, pop, i * 2) }));
    order.sort((a, b) => fit[b.i]! - fit[a.i]! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const picked: number[] = [];
    const keys = new Set<string>();
    for (const o of order) if (!keys.has(o.key) && keys.add(o.key) && picked.length < 6) picked.push(o.i);
    expect(keys.size).toBe(sample.distinct);
    const w = r.overfitting.window;
    const cfg = configVector(resolveOptions(family, market, {}, w));
    const cols = picked.map((i) => genomeReturns(kernelsFor('ts'), market, w, family, pop.subarray(i * 2, i * 2 + 2), { cfg, riskPerTrade: 0.01 }));
    const m = new Matrix(cols[0]!.length, 6);
    cols.forEach((c, j) => c.forEach((x, t) => m.set(t, j, x)));
    const pbo = probabilityOfBacktestOverfitting(m, { blocks: 16 });
    expect(r.overfitting.pbo).toBe(pbo.pbo);
    expect(r.overfitting.details.pbo!.probabilityOfLoss).toBe(pbo.probabilityOfLoss);
  });

  it('gives the same bytes in process, on 2 threads with batches of 1, on the TS backend, and resumed', async () => {
    const ref = await evolve({ ...base, threads: 0 });
    expect(bytes(await evolve({ ...base, threads: 2, batchSize: 1 }))).toBe(bytes(ref));
    expect(bytes(await evolve({ ...base, threads: 1, backend: 'ts' }))).toBe(bytes(ref));
    const ck = join(tmp, 'resume.json');
    await evolve({ ...base, generations: 2, threads: 2, checkpoint: ck });
    expect(bytes(await evolve({ ...base, threads: 2, resume: ck }))).toBe(bytes(ref));
  });

  it('a larger K than the distinct genomes takes them all; K below 2 is refused naming the option', async () => {
    const r = await evolve({ ...base, threads: 0, analysisSample: 1000 });
    expect(r.overfitting.details.sample.size).toBe(r.overfitting.details.sample.distinct);
    const e = await evolve({ ...base, threads: 0, analysisSample: 1 }).catch((x: unknown) => x);
    expect((e as EngineError).message).toBe('analysisSample: must be an integer in [2, 1000000], got 1');
  });
});

describe('--threads is bounded by the machine', () => {
  const cores = availableParallelism();
  const market = synthetic({ bars: 1000, seed: 1 });

  it('above 4 x the cores: refused naming the option, by evolve and by the pool', async () => {
    const e = await evolve({ market, population: 4, generations: 1, threads: 4 * cores + 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).code).toBe('E_CONFIG');
    expect((e as EngineError).message).toBe(`threads: ${4 * cores + 1} is more than 4 x the ${cores} core${cores === 1 ? '' : 's'} this process can use (os.availableParallelism()); use at most ${4 * cores}`);
    expect(() => createPoolEvaluator({ market, threads: 1024 })).toThrow(/^threads: 1024 is more than 4 x the/);
  });

  it('above the cores: a warning through onWarning, once; at the cores: none', async () => {
    const warnings: string[] = [];
    await evolve({ market, strategy: 'sma-cross', population: 4, generations: 1, threads: cores + 1 }, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([`threads: ${cores + 1} threads on ${cores} core${cores === 1 ? '' : 's'}: they share the cores, which makes the run no faster and uses more memory`]);
    const none: string[] = [];
    await evolve({ market, strategy: 'sma-cross', population: 4, generations: 1, threads: cores }, { onWarning: (w) => none.push(w) });
    expect(none).toEqual([]);
  });
});
