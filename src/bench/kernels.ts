// The kernel benchmark suite: every export of assembly/index.ts (heapBase and the account
// accessors aside) against its plain TypeScript twin, on the same inputs with the same
// parameters, with tinybench. STYLE.md "Benchmarks"; task names `ts:sma(n=1e5)`,
// `wasm:sma(n=1e5)`.
//
// What is measured is the kernel and nothing else:
// - WASM: every input is put into linear memory once per size and every output is allocated
//   there once; a measured call is the raw export called with pointers (no copies, no views).
// - TS: the twin function called directly with preallocated output arrays.
// Before a kernel is timed at a size, one call of each side runs on outputs pre-filled with a
// sentinel and the outputs (and the returned status or value) are compared bit for bit; a
// difference throws, because a benchmark of wrong code is worthless. The check runs again after
// the measurement, on the optimised code that was measured.
//
// Short calls (an O(1) kernel, a trade list of a few hundred entries) last less than the
// timer's own cost, so a sample is a block of calls sized to about SAMPLE_MS, recorded as the
// mean per call (tinybench's overriddenDuration); ops/s are kernel calls per second either way.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { Bench } from 'tinybench';
import type { FnReturnedObject, Task } from 'tinybench';
import { MAX_SYNTHETIC_BARS } from '../data/synthetic.js';
import { configError, ioError, kernelError } from '../errors.js';
import { instantiateKernels, wasmPath, WasmArena } from '../kernels/wasm/loader.js';
import type { KernelExports } from '../kernels/wasm/loader.js';
import type { MachineInfo } from './machine.js';
import { formatMachine } from './machine.js';
import { formatBars, formatOps, formatRme, renderTable } from './table.js';
import { buildCases, status } from './kernel-cases.js';
import type { Case } from './kernel-cases.js';

/** Every kernel the suite measures: the exports of assembly/index.ts but heapBase and the account accessors. */
export const KERNEL_NAMES = [
  'sma', 'ema', 'rsi', 'stochRsi', 'stochOf', 'atr', 'bands', 'stdev', 'highest', 'lowest', 'cross',
  'sizeFraction', 'sizeRisk',
  'returns', 'totalReturn', 'sharpe', 'sortino', 'maxDrawdown', 'annualReturn', 'calmar', 'winRate',
  'profitFactor', 'exposure',
  'interleaveBars', 'smaCross', 'smaCrossBatch', 'simulate', 'simulateBatch', 'stochRsiBands', 'stochRsiBandsBacktest', 'stochRsiBandsBatch',
] as const;

/** Name of a benchmarked kernel (the same in assembly/ and src/kernels/). */
export type KernelName = (typeof KERNEL_NAMES)[number];

/** Options of `runKernelSuite`. */
export interface KernelSuiteOptions {
  /**
   * Series lengths (bars) to run every kernel at; integers in [2, 10,000,000].
   * @default [1e4, 1e5, 1e6]
   */
  sizes?: number[];
  /**
   * Measuring time per task (one kernel on one backend at one size), milliseconds.
   * @default 300
   */
  timeMs?: number;
  /**
   * Warm-up time per task before measuring, milliseconds (at least two calls are made anyway).
   * @default 100
   */
  warmupMs?: number;
  /**
   * Kernels to run, in suite order whatever the order given.
   * @default every kernel of KERNEL_NAMES
   */
  kernels?: string[];
  /**
   * Seed of the synthetic series.
   * @default 42
   */
  seed?: number;
  /** Called with one line of progress after each kernel at each size (never for output). */
  onProgress?: (msg: string) => void;
}

/** The options a suite ran with, every default filled in (written to the JSON). */
export interface ResolvedKernelSuiteOptions {
  sizes: number[];
  timeMs: number;
  warmupMs: number;
  kernels: KernelName[];
  seed: number;
  /** Calls a sample aims to last (short calls are timed in blocks of about this length), ms. */
  sampleMs: number;
  /** Minimum samples per task. */
  minSamples: number;
  /** V8 flags the suite set before compiling the module. */
  v8Flags: string[];
}

/** One kernel at one size on both backends: the flat record of the JSON results. */
export interface KernelBenchRecord {
  suite: 'kernels';
  kernel: KernelName;
  bars: number;
  /** Kernel calls per second of the TypeScript twin (tinybench's mean throughput). */
  tsOpsPerSecond: number;
  /** Kernel calls per second of the WASM export. */
  wasmOpsPerSecond: number;
  /** wasmOpsPerSecond / tsOpsPerSecond: above 1, WASM is faster. */
  ratio: number;
  /** Relative margin of error (95%) of tsOpsPerSecond, percent. */
  tsRme: number;
  /** Relative margin of error (95%) of wasmOpsPerSecond, percent. */
  wasmRme: number;
  /** Values of the main input one call walks: bars, bars - 1 returns, or the trade count. */
  items: number;
  /** Genomes per call of a batch kernel. */
  genomes?: number;
  /** Batch kernels: genomes x bars evaluated per second by the twin. */
  tsGenomeBarsPerSecond?: number;
  /** Batch kernels: genomes x bars evaluated per second by WASM. */
  wasmGenomeBarsPerSecond?: number;
  /** Median of the twin's per-sample throughput: less swayed than the mean by a preempted sample. */
  tsOpsPerSecondMedian: number;
  wasmOpsPerSecondMedian: number;
  tsSamples: number;
  wasmSamples: number;
  /** Calls timed together as one sample (1 for calls longer than sampleMs). */
  tsCallsPerSample: number;
  wasmCallsPerSample: number;
}

/** What bench/kernels.bench.ts writes to bench/results/. */
export interface KernelBenchReport {
  suite: 'kernels';
  /** ISO time the suite finished. */
  date: string;
  machine: MachineInfo;
  options: ResolvedKernelSuiteOptions;
  results: KernelBenchRecord[];
}

/** The standalone script's settings. */
export const KERNEL_SUITE_DEFAULTS = { sizes: [1e4, 1e5, 1e6], timeMs: 300, warmupMs: 100, seed: 42 } as const;

/** Settings for a quick run (the CLI's default): the whole suite in a few seconds. */
export const KERNEL_SUITE_QUICK = { sizes: [1e5], timeMs: 100, warmupMs: 30 } as const;

const SAMPLE_MS = 0.5;
const MIN_SAMPLES = 10;
const WARMUP_MIN_CALLS = 2;
// V8 compiles WebAssembly with its baseline compiler (Liftoff) first and swaps in optimised
// (TurboFan) code only between calls: there is no on-stack replacement for WebAssembly, so a
// long call started in Liftoff code finishes in it. Measured on this codebase (Node 20.20,
// V8 11.3, sma over 1e6 bars): the first call takes 4.5 ms with Liftoff and 2.7 ms without,
// later calls 1.4 ms either way, i.e. dynamic tiering replaces the code after one call. Warm-up
// alone would therefore do, but compiling the suite's own module with --no-liftoff makes every
// call optimised code, even the first of a long batch call and even with no warm-up at all. The
// flag only changes how WebAssembly is compiled from now on in this process (the module is a few
// kilobytes); the suite compiles its own Module after setting it, so a module compiled earlier
// (say with Liftoff) is never what gets measured. The TypeScript side needs warm-up regardless
// (JavaScript has on-stack replacement, so its long loops are optimised mid-call).
const V8_FLAGS = ['--no-liftoff'];

// Results of measured calls are added here (a module variable, which V8 must keep writing), so
// no call can be dropped as dead code.
let sink = 0;

function resolveSuiteOptions(o: KernelSuiteOptions): ResolvedKernelSuiteOptions {
  const sizes = o.sizes ?? [...KERNEL_SUITE_DEFAULTS.sizes];
  if (!Array.isArray(sizes) || sizes.length === 0) throw configError('sizes', 'must be a non-empty list of bar counts');
  for (const n of sizes) {
    if (!Number.isInteger(n) || n < 2 || n > MAX_SYNTHETIC_BARS) {
      throw configError('sizes', `every size must be an integer in [2, ${MAX_SYNTHETIC_BARS}], got ${String(n)}`);
    }
  }
  const timeMs = o.timeMs ?? KERNEL_SUITE_DEFAULTS.timeMs;
  if (!Number.isFinite(timeMs) || timeMs <= 0) throw configError('timeMs', `must be a positive number, got ${String(timeMs)}`);
  const warmupMs = o.warmupMs ?? KERNEL_SUITE_DEFAULTS.warmupMs;
  if (!Number.isFinite(warmupMs) || warmupMs < 0) throw configError('warmupMs', `must be a number >= 0, got ${String(warmupMs)}`);
  const seed = o.seed ?? KERNEL_SUITE_DEFAULTS.seed;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw configError('seed', `must be an integer in [0, 4294967295], got ${String(seed)}`);
  }
  let kernels: KernelName[] = [...KERNEL_NAMES];
  if (o.kernels !== undefined) {
    const known = new Set<string>(KERNEL_NAMES);
    const unknown = o.kernels.filter((k) => !known.has(k));
    if (unknown.length > 0) throw configError('kernels', `unknown kernel ${unknown.join(', ')} (known: ${KERNEL_NAMES.join(', ')})`);
    if (o.kernels.length === 0) throw configError('kernels', 'must name at least one kernel');
    kernels = KERNEL_NAMES.filter((k) => o.kernels!.includes(k));
  }
  return { sizes: [...sizes], timeMs, warmupMs, kernels, seed, sampleMs: SAMPLE_MS, minSamples: MIN_SAMPLES, v8Flags: [...V8_FLAGS] };
}

/** The kernel module compiled afresh, after V8_FLAGS (see there). */
function compileOptimised(): KernelExports {
  for (const f of V8_FLAGS) setFlagsFromString(f);
  const path = wasmPath('release');
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw ioError(`cannot read the kernel module ${path} (run \`npm run build\`): ${(e as Error).message}`, e);
  }
  return instantiateKernels(new WebAssembly.Module(bytes));
}

const SENTINEL = -1.2345e300;

function sameBits(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

/** One call on each side on sentinel-filled outputs; throws E_KERNEL unless every bit agrees. */
function checkTwins(c: Case, arena: WasmArena, label: string): void {
  for (const o of c.outputs) {
    o.ts.fill(SENTINEL, 0, o.length);
    arena.f64(o.ptr, o.length).fill(SENTINEL);
  }
  const a = c.ts();
  const b = c.wasm();
  if (c.returnsStatus) {
    status(`ts:${label}`, a);
    status(`wasm:${label}`, b);
  } else if (!sameBits(a, b)) {
    throw kernelError(`kernel bench: ${label} returns ${a} in TypeScript and ${b} in WASM; not benchmarking different results`);
  }
  c.outputs.forEach((o, k) => {
    const w = arena.f64(o.ptr, o.length);
    for (let i = 0; i < o.length; i++) {
      if (!sameBits(o.ts[i]!, w[i]!)) {
        throw kernelError(
          `kernel bench: ${label} output ${k} differs at index ${i} of ${o.length}: ${o.ts[i]} (TypeScript) vs ${w[i]} (WASM); ` +
            'not benchmarking different results',
        );
      }
    }
  });
}

/** Runs `calls` calls of the kernel; returns the sum of their results and the milliseconds taken. */
type Block = (calls: number) => [sum: number, ms: number];

/**
 * A timing loop of its own for one task. One loop shared by every task would see dozens of
 * different functions at its call site, which V8 then stops inlining (megamorphic); an O(1)
 * kernel would then measure that indirection (a first version showed ts:totalReturn at 54 M
 * calls/s at one size and 159 M at another). Compiling the loop per task, from source made
 * unique by the task name so no compilation cache shares it, gives every task a monomorphic
 * call site, as a hand-written loop around one kernel would have.
 */
function makeBlock(fn: () => number, name: string): Block {
  const factory = new Function(
    'fn',
    `// ${name.replace(/[\r\n]/g, ' ')}
    return function block(calls) {
      const t0 = performance.now();
      let s = 0;
      for (let i = 0; i < calls; i++) s += fn();
      return [s, performance.now() - t0];
    };`,
  ) as (f: () => number) => Block;
  return factory(fn);
}

/**
 * How many calls make a sample of about SAMPLE_MS, found by doubling a block of calls (which
 * also warms the code up a little before tinybench's own warm-up).
 */
function callsPerSample(block: Block): number {
  for (let k = 1; ; k *= 2) {
    const [s, ms] = block(k);
    sink += s;
    if (ms >= SAMPLE_MS / 4 || k >= 1 << 24) return Math.max(1, Math.round((k * SAMPLE_MS) / Math.max(ms, 1e-9)));
  }
}

/** The tinybench task function: `calls` calls timed as one sample, recorded per call. */
function timedBlock(block: Block, calls: number): () => FnReturnedObject {
  return () => {
    const [s, ms] = block(calls);
    sink += s;
    return { overriddenDuration: ms / calls, overriddenIterationCost: ms };
  };
}

function stats(task: Task | undefined, name: string): { ops: number; median: number; rme: number; samples: number } {
  const r = task?.result;
  if (r === undefined || (r.state !== 'completed' && r.state !== 'aborted-with-statistics')) {
    const why = r?.state === 'errored' ? `: ${r.error.message}` : ` (state ${r?.state ?? 'missing'})`;
    throw kernelError(`kernel bench: task ${name} did not complete${why}`);
  }
  return { ops: r.throughput.mean, median: r.throughput.p50, rme: r.throughput.rme, samples: r.throughput.samplesCount };
}

/**
 * Runs the kernel suite: for every kernel and size, `ts:<kernel>(n=<bars>)` and
 * `wasm:<kernel>(n=<bars>)` on the same inputs, checked bit-equal first, then timed by tinybench
 * (throws: true, with warm-up). Sets the V8 flag `--no-liftoff` for the rest of the process
 * (see V8_FLAGS). Returns one record per kernel and size, in suite order.
 */
export async function runKernelSuite(options: KernelSuiteOptions = {}): Promise<KernelBenchRecord[]> {
  const o = resolveSuiteOptions(options);
  const x = compileOptimised();
  const arena = new WasmArena(x.memory, x.heapBase() >>> 0);
  const records: KernelBenchRecord[] = [];
  for (const n of o.sizes) {
    const cases = buildCases(x, arena, n, o.seed, o.kernels);
    for (const c of cases) {
      const label = `${c.kernel}(n=${formatBars(n)})`;
      checkTwins(c, arena, label);
      const tsBlock = makeBlock(c.ts, `ts:${label}`);
      const wasmBlock = makeBlock(c.wasm, `wasm:${label}`);
      const tsCalls = callsPerSample(tsBlock);
      const wasmCalls = callsPerSample(wasmBlock);
      const bench = new Bench({
        name: `kernels ${label}`,
        time: o.timeMs,
        iterations: MIN_SAMPLES,
        warmup: true,
        warmupTime: o.warmupMs,
        warmupIterations: WARMUP_MIN_CALLS,
        throws: true,
      });
      bench.add(`ts:${label}`, timedBlock(tsBlock, tsCalls), { async: false });
      bench.add(`wasm:${label}`, timedBlock(wasmBlock, wasmCalls), { async: false });
      await bench.run();
      // Again on the code that was measured (by now optimised on both sides).
      checkTwins(c, arena, label);
      const t = stats(bench.getTask(`ts:${label}`), `ts:${label}`);
      const w = stats(bench.getTask(`wasm:${label}`), `wasm:${label}`);
      const rec: KernelBenchRecord = {
        suite: 'kernels',
        kernel: c.kernel,
        bars: n,
        tsOpsPerSecond: t.ops,
        wasmOpsPerSecond: w.ops,
        ratio: w.ops / t.ops,
        tsRme: t.rme,
        wasmRme: w.rme,
        items: c.items,
        tsOpsPerSecondMedian: t.median,
        wasmOpsPerSecondMedian: w.median,
        tsSamples: t.samples,
        wasmSamples: w.samples,
        tsCallsPerSample: tsCalls,
        wasmCallsPerSample: wasmCalls,
      };
      if (c.genomes !== undefined) {
        rec.genomes = c.genomes;
        rec.tsGenomeBarsPerSecond = t.ops * c.genomes * n;
        rec.wasmGenomeBarsPerSecond = w.ops * c.genomes * n;
      }
      records.push(rec);
      options.onProgress?.(
        `${label}: ts ${formatOps(t.ops)} ops/s ${formatRme(t.rme)}, wasm ${formatOps(w.ops)} ops/s ${formatRme(w.rme)}, ` +
          `wasm/ts ${rec.ratio.toFixed(2)}`,
      );
    }
    arena.release(arena.base);
  }
  return records;
}

/** The resolved options `runKernelSuite` would run with: for the JSON report. */
export function kernelSuiteOptions(options: KernelSuiteOptions = {}): ResolvedKernelSuiteOptions {
  return resolveSuiteOptions(options);
}

/**
 * The suite as a plain-text table: kernel, bars, TS ops/s, WASM ops/s, WASM/TS, both relative
 * margins of error; a last line names the machine.
 */
export function formatKernelTable(records: readonly KernelBenchRecord[], machine: MachineInfo): string {
  const table = renderTable(
    [
      { header: 'kernel' },
      { header: 'bars', align: 'right' },
      { header: 'TS ops/s', align: 'right' },
      { header: 'WASM ops/s', align: 'right' },
      { header: 'WASM/TS', align: 'right' },
      { header: 'TS ±', align: 'right' },
      { header: 'WASM ±', align: 'right' },
    ],
    records.map((r) => [
      r.genomes === undefined ? r.kernel : `${r.kernel} x${r.genomes}`,
      formatBars(r.bars),
      formatOps(r.tsOpsPerSecond),
      formatOps(r.wasmOpsPerSecond),
      `${r.ratio.toFixed(2)}x`,
      formatRme(r.tsRme),
      formatRme(r.wasmRme),
    ]),
  );
  return `${table}\n${formatMachine(machine)}`;
}
