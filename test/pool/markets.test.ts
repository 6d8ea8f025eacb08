// Several markets in one evaluator: a basket of three synthetic markets of different lengths
// plus GOOG. evaluateSlots over many (market, window) slots gives, slot by slot, the bits of a
// single-market evaluate() on that market and window, whatever the evaluator (in process, the
// pool on 1 or 2 threads), backend or batch size; a WASM kernel set that alternates between
// markets keeps each one in its memory, copied once.
// These tests run the built worker (dist/workers/evaluate.js): `npm test` builds first.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCsv } from '../../src/data/csv.js';
import type { MarketData } from '../../src/data/market.js';
import { synthetic } from '../../src/data/synthetic.js';
import { EngineError } from '../../src/errors.js';
import type { Window } from '../../src/kernels/kernel-set.js';
import { MET_LENGTH } from '../../src/kernels/layout.js';
import { createTsKernels } from '../../src/kernels/ts-kernels.js';
import { createWasmKernels, wasmBindStats } from '../../src/kernels/wasm/loader.js';
import type { EvalSlot } from '../../src/pool/evaluator.js';
import { ConfigCache, cachedMarketDigest } from '../../src/pool/evaluator.js';
import { createInProcessEvaluator } from '../../src/pool/in-process.js';
import { guidedSlotBatches, permuteRows, shareOrder } from '../../src/pool/batches.js';
import { createPoolEvaluator, defaultBatchSizes } from '../../src/pool/pool.js';
import { Random } from '../../src/random.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { evaluateStrategy } from '../../src/strategy/run.js';
import type { Strategy } from '../../src/strategy/strategy.js';
import { DATA, firstDifference } from '../helpers/shared.js';

/** Genomes drawn inside the strategy's bounds (integers where it wants them), repaired. */
function randomGenomes(s: Strategy, count: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const G = s.genes.length;
  const out = new Float64Array(count * G);
  for (let i = 0; i < count; i++) {
    s.genes.forEach((g, j) => {
      out[i * G + j] = g.kind === 'int' ? rng.int(g.min, g.max) : g.min + (g.max - g.min) * rng.next();
    });
    s.repair(out, i * G);
  }
  return out;
}

let markets: MarketData[];
let slots: EvalSlot[];

/** Per market: the whole series, a 70/30 split and a middle fold; markets interleaved. */
function slotsOf(ms: readonly MarketData[]): EvalSlot[] {
  const out: EvalSlot[] = [];
  const cuts = (n: number): Window[] => [
    { start: 0, end: n },
    { start: 0, end: Math.floor(0.7 * n) },
    { start: Math.floor(0.7 * n), end: n },
    { start: Math.floor(0.2 * n), end: Math.floor(0.5 * n) },
  ];
  for (let k = 0; k < 4; k++) ms.forEach((m, i) => out.push({ market: i, window: cuts(m.length)[k]! }));
  return out;
}

beforeAll(async () => {
  markets = [
    synthetic({ bars: 1500, seed: 1 }),
    await loadCsv(DATA('GOOG.csv')),
    synthetic({ bars: 3100, seed: 2 }),
    synthetic({ bars: 700, seed: 3 }),
  ];
  slots = slotsOf(markets);
});

/** One single-market, TypeScript, in-process evaluate() per slot: the independent reference. */
async function reference(strategy: string, genomes: Float64Array): Promise<Float64Array> {
  const count = genomes.length / getStrategy(strategy).genes.length;
  const out = new Float64Array(slots.length * count * MET_LENGTH);
  for (let i = 0; i < slots.length; i++) {
    const e = createInProcessEvaluator({ market: markets[slots[i]!.market]!, backend: 'ts' });
    out.set(await e.evaluate(strategy, genomes, slots[i]!.window), i * count * MET_LENGTH);
  }
  return out;
}

describe('evaluateSlots over a basket of markets', () => {
  // sma-cross runs a fused kernel; ema-cross is a module-path strategy (signals, then the simulator).
  for (const [strategy, count] of [['sma-cross', 21], ['ema-cross', 9]] as const) {
    it(`${strategy}: every evaluator, backend, thread count and batch size gives the per-slot bits`, async () => {
      const genomes = randomGenomes(getStrategy(strategy), count, 7);
      const want = await reference(strategy, genomes);
      expect(want.length).toBe(16 * count * MET_LENGTH);
      // The slots are not all alike (else the test would show nothing).
      expect(firstDifference(want.subarray(0, count * MET_LENGTH), want.subarray(count * MET_LENGTH, 2 * count * MET_LENGTH))).not.toBe(-1);
      for (const backend of ['wasm', 'ts'] as const) {
        const inProcess = createInProcessEvaluator({ markets, backend });
        expect(firstDifference(await inProcess.evaluateSlots(strategy, genomes, slots), want), `in-process ${backend}`).toBe(-1);
        for (const [threads, batchSize] of [[1, undefined], [2, undefined], [2, 1], [2, 4], [1, 5]] as const) {
          const pool = createPoolEvaluator({ markets, backend, threads, ...(batchSize !== undefined ? { batchSize } : {}) });
          try {
            const got = await pool.evaluateSlots(strategy, genomes, slots);
            expect(firstDifference(got, want), `pool ${backend} threads=${threads} batch=${batchSize}`).toBe(-1);
            // Each slot of market 0 also equals evaluate() on the same pool (market 0 is the default).
            const one = await pool.evaluate(strategy, genomes, slots[0]!.window);
            expect(firstDifference(one, want.subarray(0, count * MET_LENGTH))).toBe(-1);
            if (batchSize !== undefined) {
              // One task per batch of each slot (the slots went out as one round; none was skipped or repeated).
              expect(pool.stats().tasks).toBe(slots.length * Math.ceil(count / batchSize) + Math.ceil(count / batchSize));
            }
          } finally {
            await pool.close();
          }
        }
      }
    });
  }

  it('returnSeries takes a market index (default 0), with the bits of a single-market evaluator', async () => {
    const s = getStrategy('sma-cross');
    const genomes = randomGenomes(s, 6, 3);
    const pool = createPoolEvaluator({ markets, threads: 2, batchSize: 4 });
    try {
      for (const m of [2, 1]) {
        const window = { start: 100, end: markets[m]!.length - 50 };
        const single = createInProcessEvaluator({ market: markets[m]!, backend: 'ts' });
        const want = await single.returnSeries!('sma-cross', genomes, window, 7);
        expect(firstDifference(await pool.returnSeries('sma-cross', genomes, window, 7, { market: m }), want)).toBe(-1);
        const inProcess = createInProcessEvaluator({ markets });
        expect(firstDifference(await inProcess.returnSeries!('sma-cross', genomes, window, 7, { market: m }), want)).toBe(-1);
      }
      const w0 = { start: 0, end: 600 };
      const want0 = await createInProcessEvaluator({ market: markets[0]! }).returnSeries!('sma-cross', genomes, w0, 5);
      expect(firstDifference(await pool.returnSeries('sma-cross', genomes, w0, 5), want0)).toBe(-1);
      const e = await pool.returnSeries('sma-cross', genomes, w0, 5, { market: 4 }).then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(EngineError);
      expect((e as EngineError).message).toMatch(/market: must be an index of the evaluator's 4 market\(s\), got 4/);
    } finally {
      await pool.close();
    }
  });

  it('describe() lists every market, in slot-index order; a bad slot is an E_CONFIG naming it', async () => {
    const pool = createPoolEvaluator({ markets, threads: 1 });
    try {
      const d = pool.describe();
      expect(d.markets).toEqual(markets.map((m) => ({ digest: cachedMarketDigest(m), bars: m.length })));
      expect(d.markets.map((m) => m.bars)).toEqual([1500, markets[1]!.length, 3100, 700]);
      expect(new Set(d.markets.map((m) => m.digest)).size).toBe(4);
      expect(d.data).toBe(d.markets[0]!.digest);
      expect(pool.markets).toEqual(markets);
      const genomes = new Float64Array([10, 50]);
      const bad = [{ market: 0, window: { start: 0, end: 100 } }, { market: 5, window: { start: 0, end: 100 } }];
      for (const e of [pool, createInProcessEvaluator({ markets })]) {
        const err = await e.evaluateSlots('sma-cross', genomes, bad).then(() => null, (x: unknown) => x);
        expect((err as EngineError).code).toBe('E_CONFIG');
        expect((err as EngineError).message).toMatch(/slots\[1\]\.market: must be an index of the evaluator's 4 market\(s\), got 5/);
      }
      const long = await pool.evaluateSlots('sma-cross', genomes, [{ market: 3, window: { start: 0, end: 701 } }]).then(() => null, (x: unknown) => x);
      expect((long as EngineError).message).toMatch(/slots\[0\]\.window: must be whole bars within \[0, 700\]/);
      expect(await pool.evaluateSlots('sma-cross', genomes, [])).toEqual(new Float64Array(0));
    } finally {
      await pool.close();
    }
  });
});

describe('a WASM kernel set holds every market once', () => {
  it('alternating markets gives the bits of a fresh instance per market, copying each market once', () => {
    const s = getStrategy('sma-cross');
    const genomes = randomGenomes(s, 8, 11);
    const wasm = createWasmKernels();
    const ts = createTsKernels();
    const w = (m: MarketData): Window => ({ start: 10, end: m.length - 10 });
    const exec = (m: MarketData): ReturnType<ConfigCache['execution']> => new ConfigCache(m, {}).execution(s, w(m));
    const before = wasmBindStats(wasm)!;
    expect(before).toEqual({ markets: 0, copies: 0, bytes: 0 });
    for (let round = 0; round < 3; round++) {
      for (const m of markets) {
        const got = evaluateStrategy(wasm, m, w(m), s, genomes, 8, exec(m), null)!;
        if (round === 0 && m === markets[0]) {
          // The sma-cross batch reads only the (close, open) pairs: 16 bytes a bar, nothing else copied.
          expect(wasmBindStats(wasm)).toEqual({ markets: 1, copies: 1, bytes: m.length * 16 });
        }
        const want = evaluateStrategy(ts, m, w(m), s, genomes, 8, exec(m), null)!;
        expect(firstDifference(got, want), `round ${round}, ${m.source}`).toBe(-1);
        // The module path (indicators, then the simulator) reads the same bound columns.
        const ema = getStrategy('ema-cross');
        const eg = randomGenomes(ema, 2, round);
        const ex = new ConfigCache(m, {}).execution(ema, w(m));
        expect(firstDifference(evaluateStrategy(wasm, m, w(m), ema, eg, 2, ex, null)!, evaluateStrategy(ts, m, w(m), ema, eg, 2, ex, null)!)).toBe(-1);
      }
    }
    const bars = markets.reduce((a, m) => a + m.length, 0);
    // Each of the four markets' five columns copied once, whatever the alternation: 48 bytes a
    // bar (the pairs for the sma-cross batch, the four prices for the simulator).
    expect(wasmBindStats(wasm)).toEqual({ markets: 4, copies: 20, bytes: bars * 48 });
    expect(wasmBindStats(ts)).toBeUndefined();
  });
});

describe('guidedSlotBatches: one schedule over every slot of a call', () => {
  it('covers each slot exactly, shrinks over the whole call, and is the single-window schedule for one slot', () => {
    expect(guidedSlotBatches(100, [1500], 2, 2 ** 20)).toEqual([defaultBatchSizes(100, 2, 1500)]);
    expect(guidedSlotBatches(512, [1e6], 2, 2 ** 20)).toEqual([defaultBatchSizes(512, 2, 1e6)]);
    const bars = [100_000, 2148, 50_000, 100_000];
    const sizes = guidedSlotBatches(128, bars, 2, 2 ** 20);
    for (const s of sizes) expect(s.reduce((a, b) => a + b, 0)).toBe(128);
    // Work per batch (genomes x bars) never grows from one batch to the next of the same slot,
    // and the first batch of the last slot is smaller than the first of the first slot: the
    // schedule shrinks across slots, not once per slot.
    const work = sizes.map((s, i) => s.map((k) => k * bars[i]!));
    for (const w of work) for (let j = 1; j < w.length; j++) expect(w[j]!).toBeLessThanOrEqual(w[j - 1]!);
    expect(work[3]![0]!).toBeLessThan(work[0]![0]!);
    // Hand count for a small case: 10 genomes on slots of 1000 and 3000 bars, 2 threads, no
    // minimum: total work 40,000; the first batch takes ceil(40000 / 4 / 1000) = 10 genomes
    // (all of slot 0), leaving 30,000; slot 1 then takes ceil(30000/12000) = 3 -> 4 (even), ...
    expect(guidedSlotBatches(10, [1000, 3000], 2, 0)).toEqual([[10], [4, 2, 2, 2]]);
  });
});

describe('shareOrder: genomes that share work in their kernel go to the same batches', () => {
  it('orders by key, then input index; kernels without a key keep input order', () => {
    // three genes: key = first gene
    const g = Float64Array.from([5, 0, 0, 3, 1, 1, 5, 2, 2, 3, 3, 3, 1, 4, 4]);
    const order = shareOrder((x, o) => x[o]!, g, 3)!;
    expect(Array.from(order)).toEqual([4, 1, 3, 0, 2]);
    expect(Array.from(permuteRows(g, order, 3))).toEqual([1, 4, 4, 3, 1, 1, 3, 3, 3, 5, 0, 0, 5, 2, 2]);
    expect(shareOrder(undefined, g, 3)).toBeNull();
  });

  it('stoch-rsi-bands keys on (rsiK, stochK), and the pool gives the in-process bits whatever the cut', async () => {
    const s = getStrategy('stoch-rsi-bands');
    const G = s.genes.length;
    const rng = new Random(4);
    const count = 41;
    const genomes = new Float64Array(count * G);
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < G; k++) {
        const spec = s.genes[k]!;
        const v = spec.min + rng.next() * (spec.max - spec.min);
        genomes[i * G + k] = spec.kind === 'int' ? Math.round(v) : v;
      }
      // few distinct (rsiK, stochK) pairs, so that sharing happens
      genomes[i * G] = 8 + (i % 3);
      genomes[i * G + 1] = 3 + (i % 2);
      s.repair(genomes, i * G);
    }
    const order = shareOrder(s.fused!.shareKey, genomes, G)!;
    for (let j = 1; j < count; j++) {
      const a = order[j - 1]! * G, b = order[j]! * G;
      expect(genomes[a]! * 4096 + genomes[a + 1]! <= genomes[b]! * 4096 + genomes[b + 1]!).toBe(true);
    }
    const market = synthetic({ bars: 1500, seed: 9 });
    const reference = await createInProcessEvaluator({ market }).evaluate(s, genomes);
    for (const batchSize of [undefined, 1, 5]) {
      const pool = createPoolEvaluator({ market, threads: 2, ...(batchSize !== undefined ? { batchSize } : {}) });
      try {
        expect(firstDifference(await pool.evaluate(s, genomes), reference), `batch ${batchSize}`).toBe(-1);
      } finally {
        await pool.close();
      }
    }
  });
});
