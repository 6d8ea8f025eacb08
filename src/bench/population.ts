import { resolveWindow } from '../backtest.js';
import type { BacktestOptions } from '../backtest.js';
import type { MarketData } from '../data/market.js';
import { marketFromArrays } from '../data/market.js';
import { synthetic } from '../data/synthetic.js';
import type { Backend } from '../kernels/kernel-set.js';
import { MET_LENGTH, MET_MAX_DRAWDOWN, MET_SHARPE, MET_TOTAL_RETURN, MET_TRADES, MET_WIN_RATE } from '../kernels/layout.js';
import type { Evaluator } from '../pool/evaluator.js';
import { createInProcessEvaluator } from '../pool/in-process.js';
import { createPoolEvaluator } from '../pool/pool.js';
import { Random } from '../random.js';
import { randomGenome } from '../genome/canonical.js';
import { packageRoot } from '../paths.js';
import { getStrategy } from '../strategies/registry.js';
import { loadStrategyModule } from '../strategy/load.js';
import type { Strategy } from '../strategy/strategy.js';
import { buildNative, runNative } from './native.js';

/** The execution options of the reference workload W1 (SPEC section 7). */
export const W1_OPTIONS: Omit<BacktestOptions, 'backend' | 'window'> = {
  commission: 0.001,
  slippage: 0,
  cash: 1,
  fraction: 1,
  lotSize: 0,
  allowShort: true,
  fill: 'next-open',
  periodsPerYear: 252,
};

/** One population over a market: W1's sma-cross genomes (fast, slow pairs) unless `strategy` says otherwise. */
export interface PopulationWorkload {
  name: string;
  market: MarketData;
  genomes: Float64Array;
  /** @default the built-in sma-cross (its fused kernel) */
  strategy?: Strategy;
  /** Include the native C baseline (W1's sma-cross only). @default true when strategy is not given */
  native?: boolean;
}

/**
 * A built-in's own module file loaded as a user's module would be: its signals through the
 * generic simulator instead of its fused kernel (the compiled module, so workers can import it).
 */
export async function builtinAsModule(name: string): Promise<Strategy> {
  getStrategy(name);
  return loadStrategyModule(`${packageRoot()}/dist/src/strategies/${name}.js`);
}

/** `count` seeded random genomes of a strategy (repaired). */
export function randomGenomes(s: Strategy, count: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const out = new Float64Array(count * s.genes.length);
  for (let i = 0; i < count; i++) randomGenome(rng, s, out, i * s.genes.length);
  return out;
}

/** One measured configuration (flat, for JSON). */
export interface PopulationRecord {
  suite: 'population';
  workload: string;
  /** The strategy evaluated, and whether through its fused kernel or its module path. */
  strategy: string;
  path: 'fused' | 'module' | 'native';
  backend: Backend | 'native';
  /** `native`, `in-process` or `pool`. */
  evaluator: string;
  threads: number;
  bars: number;
  genomes: number;
  /** genomes x bars / seconds of the whole-population evaluation (best of the repeats). */
  barEvalsPerSecond: number;
  seconds: number;
  /** Pool start and warm-up (instantiation, copying the market into each worker), not timed above. */
  setupSeconds: number;
}

export interface PopulationSuiteOptions {
  workloads: PopulationWorkload[];
  backends?: Backend[];
  threads?: number[];
  /** Timed runs per configuration (the best is kept). @default 3 */
  repeats?: number;
  /** Include the native C baseline when a compiler is present. @default true */
  native?: boolean;
  /** Include the in-process evaluators. @default true */
  inProcess?: boolean;
  /** Only configurations whose `workload:evaluator:backend:threads` contains this text. */
  only?: string;
  onProgress?: (message: string) => void;
}

export interface PopulationSuiteResult {
  records: PopulationRecord[];
  /** Why the native baseline is missing, when it is. */
  nativeNote: string | null;
}

/** The full W1 grid of ../shared/reference/w1_goog.json: fast in [5, 50), slow in [10, 200), fast < slow. */
export function w1Grid(): Float64Array {
  const pairs: number[] = [];
  for (let f = 5; f < 50; f++) for (let s = 10; s < 200; s++) if (f < s) pairs.push(f, s);
  return Float64Array.from(pairs);
}

/** Seeded random sma-cross genomes like W1's synthetic set: fast in [2, 240), slow in [30, 250], fast < slow. */
export function randomW1Genomes(count: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const out = new Float64Array(count * 2);
  for (let i = 0; i < count; i++) {
    const slow = rng.int(30, 250);
    out[2 * i] = rng.int(2, slow - 1);
    out[2 * i + 1] = slow;
  }
  return out;
}

/** A market from open/close only (W1 reads nothing else): high/low spanning them, daily stamps. */
export function marketFromOpenClose(open: Float64Array, close: Float64Array, source: string): MarketData {
  const n = close.length;
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    high[i] = Math.max(open[i]!, close[i]!);
    low[i] = Math.min(open[i]!, close[i]!);
  }
  const time = Float64Array.from({ length: n }, (_, i) => 946_857_600_000 + i * 86_400_000);
  return marketFromArrays({ time, open, high, low, close }, source);
}

/** The built-in synthetic W1 workload (no files needed): `bars` bars, `genomes` random genomes. */
export function syntheticWorkload(bars: number, genomes: number, seed = 42): PopulationWorkload {
  const m = synthetic({ bars, seed });
  return { name: `synthetic ${formatCount(bars)} bars x ${genomes}`, market: m, genomes: randomW1Genomes(genomes, seed) };
}

export function formatCount(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return n.toLocaleString('en-US');
}

/** Checks the native metrics against the engine's (trades and winRate exactly, the rest to 1e-9). */
function checkNative(w: PopulationWorkload, native: Float64Array, engine: Float64Array): void {
  const count = w.genomes.length / 2;
  for (let i = 0; i < count; i++) {
    const e = (k: number): number => engine[i * MET_LENGTH + k]!;
    const n = (k: number): number => native[i * 5 + k]!;
    const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
    const bad =
      n(3) !== e(MET_TRADES) || n(4) !== e(MET_WIN_RATE) ||
      rel(n(0), e(MET_TOTAL_RETURN)) > 1e-9 || rel(n(1), e(MET_SHARPE)) > 1e-9 || rel(n(2), e(MET_MAX_DRAWDOWN)) > 1e-9;
    if (bad) throw new Error(`native baseline disagrees with the engine on ${w.name}, genome ${i} (${w.genomes[2 * i]}, ${w.genomes[2 * i + 1]})`);
  }
}

/** One configuration to time: a function that runs the whole population `repeat` times. */
interface Config {
  record: Omit<PopulationRecord, 'barEvalsPerSecond' | 'seconds'>;
  /** Resolves to the fastest of `repeat` runs, in seconds, after checking each run's result. */
  run: (repeat: number) => Promise<number>;
  close: () => Promise<void>;
  best: number;
  /** Runs per round: 1 in the first round, then enough for about MIN_ROUND_SECONDS. */
  repeat: number;
}

/** A round of one configuration lasts at least this long: short runs are repeated within it. */
const MIN_ROUND_SECONDS = 0.5;

/**
 * W1 throughput: the native C baseline, the in-process evaluators and the pool for every
 * backend and thread count, each on the same populations. Every configuration is set up first
 * (workers started and warmed), then all are timed in interleaved rounds and each keeps its
 * fastest run: on a shared machine whose load drifts, the ratios then compare numbers taken under
 * the same conditions. After the first round, a configuration whose run is short (GOOG: tens of
 * milliseconds) runs several times per round, for about MIN_ROUND_SECONDS. The engine's results
 * are checked against each other (every configuration must give the same bits) and against the
 * native baseline's metrics before anything is reported.
 */
export async function runPopulationSuite(o: PopulationSuiteOptions): Promise<PopulationSuiteResult> {
  const backends = o.backends ?? ['ts', 'wasm'];
  const threadCounts = o.threads ?? [1, 2];
  const repeats = o.repeats ?? 3;
  const progress = o.onProgress ?? ((): void => undefined);
  const wanted = (key: string): boolean => o.only === undefined || key.includes(o.only);
  const records: PopulationRecord[] = [];
  let nativeNote: string | null = null;
  const native = o.native === false ? null : buildNative();
  if (native !== null && !native.ok) nativeNote = `native baseline skipped: ${native.reason}`;

  for (const w of o.workloads) {
    const bars = w.market.length;
    const strategy = w.strategy ?? getStrategy('sma-cross');
    const G = strategy.genes.length;
    const count = w.genomes.length / G;
    resolveWindow(w.market, undefined);
    const path = strategy.fused !== null ? 'fused' as const : 'module' as const;
    const base = { suite: 'population' as const, workload: w.name, strategy: strategy.name, path, bars, genomes: count };
    // The reference answer every configuration must reproduce bit for bit.
    const expected = await createInProcessEvaluator({ market: w.market, backtest: W1_OPTIONS, backend: 'wasm' }).evaluate(strategy, w.genomes);
    const same = (got: Float64Array, what: string): void => {
      for (let i = 0; i < expected.length; i++) {
        if (!Object.is(got[i], expected[i])) throw new Error(`${what} on ${w.name} differs from in-process wasm at value ${i}`);
      }
    };
    const configs: Config[] = [];
    // The fastest of `repeat` runs of an engine configuration, each checked.
    const timed = (e: Evaluator, what: string) => async (repeat: number): Promise<number> => {
      let best = Infinity;
      for (let i = 0; i < repeat; i++) {
        const t0 = performance.now();
        const out = await e.evaluate(strategy, w.genomes);
        best = Math.min(best, (performance.now() - t0) / 1000);
        same(out, what);
      }
      return best;
    };
    const warm = async (e: Evaluator): Promise<void> => {
      // Every worker: instance, the market copied into its memory, optimised code.
      await e.evaluate(strategy, w.genomes.subarray(0, Math.min(count, 4 * e.threads) * G), { start: 0, end: Math.min(bars, 4000) });
    };
    try {
      if (native !== null && native.ok && (w.native ?? w.strategy === undefined) && wanted(`${w.name}:native`)) {
        const binary = native.binary;
        configs.push({
          record: { ...base, path: 'native', backend: 'native', evaluator: 'native', threads: 1, setupSeconds: 0 },
          best: Infinity,
          repeat: 1,
          // The binary times its own runs (loading excluded) and reports the fastest.
          run: async (repeat) => {
            const r = runNative(binary, w.market.open, w.market.close, w.genomes, repeat);
            checkNative(w, r.metrics, expected);
            return r.seconds;
          },
          close: async () => undefined,
        });
      }
      for (const backend of backends) {
        if (o.inProcess !== false && wanted(`${w.name}:in-process:${backend}:1`)) {
          const t0 = performance.now();
          const e = createInProcessEvaluator({ market: w.market, backtest: W1_OPTIONS, backend });
          await warm(e);
          configs.push({
            record: { ...base, backend, evaluator: 'in-process', threads: 1, setupSeconds: (performance.now() - t0) / 1000 },
            best: Infinity,
            repeat: 1,
            run: timed(e, `in-process ${backend}`),
            close: () => e.close(),
          });
        }
        for (const threads of threadCounts) {
          if (!wanted(`${w.name}:pool:${backend}:${threads}`)) continue;
          progress(`${w.name}: starting pool ${backend} x ${threads}`);
          const t0 = performance.now();
          const pool = createPoolEvaluator({ market: w.market, backtest: W1_OPTIONS, backend, threads });
          configs.push({
            record: { ...base, backend, evaluator: 'pool', threads, setupSeconds: 0 },
            best: Infinity,
            repeat: 1,
            run: timed(pool, `pool ${backend} x ${threads}`),
            close: () => pool.close(),
          });
          await warm(pool);
          configs[configs.length - 1]!.record.setupSeconds = (performance.now() - t0) / 1000;
        }
      }
      for (let r = 0; r < repeats; r++) {
        for (const c of configs) {
          progress(`${w.name}: round ${r + 1}/${repeats}, ${c.record.evaluator} ${c.record.backend} x ${c.record.threads} (${c.repeat} runs)`);
          const seconds = await c.run(c.repeat);
          c.best = Math.min(c.best, seconds);
          c.repeat = Math.max(1, Math.min(1000, Math.ceil(MIN_ROUND_SECONDS / Math.max(seconds, 1e-6))));
        }
      }
    } finally {
      for (const c of configs) await c.close();
    }
    for (const c of configs) records.push({ ...c.record, seconds: c.best, barEvalsPerSecond: (count * bars) / c.best });
  }
  return { records, nativeNote };
}

const fmtRate = (x: number): string => `${(x / 1e6).toFixed(1)}M`;
const fmtRatio = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '' : `${x.toFixed(2)}x`);

/**
 * The population table: one row per configuration with its throughput and its ratios to the
 * native baseline, to the TS twin at the same threads, to one thread of the same backend and,
 * for a strategy's module path, to its fused kernel in the same configuration.
 */
export function formatPopulationTable(r: PopulationSuiteResult): string {
  const find = (x: PopulationRecord, o: Partial<PopulationRecord>): PopulationRecord | undefined => {
    const want = { ...x, ...o };
    return r.records.find((y) => y.workload === want.workload && y.strategy === want.strategy && y.path === want.path
      && y.backend === want.backend && y.evaluator === want.evaluator && y.threads === want.threads);
  };
  const header = ['workload', 'strategy', 'backend', 'evaluator', 'threads', 'bar-evals/s', 'vs native', 'vs ts', 'vs 1 thread', 'vs fused'];
  const ratio = (x: PopulationRecord, y: PopulationRecord | undefined): string => (y === undefined ? '' : fmtRatio(x.barEvalsPerSecond / y.barEvalsPerSecond));
  const rows = r.records.map((x) => {
    const nat = r.records.find((y) => y.workload === x.workload && y.path === 'native');
    return [
      x.workload,
      x.path === 'module' ? `${x.strategy} (module)` : x.strategy,
      x.backend,
      x.evaluator,
      String(x.threads),
      fmtRate(x.barEvalsPerSecond),
      x.backend === 'native' ? '' : ratio(x, nat),
      x.backend !== 'wasm' ? '' : ratio(x, find(x, { backend: 'ts' })),
      x.threads === 1 ? '' : ratio(x, find(x, { threads: 1 })),
      x.path !== 'module' ? '' : ratio(x, find(x, { path: 'fused' })),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  if (r.nativeNote !== null) out.push(r.nativeNote);
  return out.join('\n');
}
