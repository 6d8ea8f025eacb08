// The compiled kernels as a module and an instance: where the .wasm files are, compiling them
// once per variant, instantiating with the host's imports, and the bump arena over an
// instance's linear memory. createWasmKernels (loader.ts) builds the KernelSet on top.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { ioError, kernelError } from '../../errors.js';
import { packageRoot } from '../../paths.js';

/** `release` (-O3, no asserts) is what runs; `debug` (asserts on) is checked against it in tests. */
export type WasmVariant = 'release' | 'debug';

/** The raw exports of assembly/index.ts: pointers are byte offsets into `memory`. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  sma(src: number, n: number, period: number, out: number): number;
  ema(src: number, n: number, period: number, out: number): number;
  rsi(src: number, n: number, period: number, out: number): number;
  stdev(src: number, n: number, period: number, out: number): number;
  highest(src: number, n: number, period: number, out: number): number;
  lowest(src: number, n: number, period: number, out: number): number;
  cross(a: number, b: number, n: number, out: number): number;
  stochRsi(src: number, n: number, rsiK: number, stochK: number, kSmooth: number, dSmooth: number, oR: number, oS: number, oK: number, oD: number): number;
  stochOf(src: number, n: number, stochK: number, out: number, sufMin: number, sufMax: number): number;
  atr(high: number, low: number, close: number, n: number, period: number, out: number): number;
  bands(atr: number, n: number, atrK: number, oversold: number, overbought: number, sensitivity: number, adjust: number, lo: number, hi: number): number;
  sizeFraction(equity: number, price: number, n: number, fraction: number, lotSize: number, direction: number, out: number): number;
  sizeRisk(equity: number, price: number, stop: number, n: number, risk: number, minPriceRisk: number, maxLeverage: number, lotSize: number, direction: number, out: number): number;
  returns(equity: number, n: number, out: number): number;
  totalReturn(equity: number, n: number): number;
  sharpe(rets: number, count: number, ppy: number): number;
  sortino(rets: number, count: number, ppy: number): number;
  maxDrawdown(equity: number, n: number): number;
  annualReturn(equity: number, n: number, ppy: number): number;
  calmar(equity: number, n: number, ppy: number): number;
  winRate(pnl: number, count: number): number;
  profitFactor(pnl: number, count: number): number;
  exposure(units: number, n: number): number;
  smaCross(o: number, h: number, l: number, c: number, n: number, genes: number, cfg: number, out: number, eq: number, tr: number, cap: number): number;
  smaCrossBatch(bars: number, n: number, genomes: number, count: number, cfg: number, out: number, scratch: number, scratchBytes: number): number;
  interleaveBars(open: number, close: number, n: number, out: number): number;
  stochRsiBands(o: number, h: number, l: number, c: number, n: number, genes: number, cfg: number, out: number, eq: number, tr: number, cap: number, scratch: number, scratchBytes: number): number;
  stochRsiBandsBatch(o: number, h: number, l: number, c: number, n: number, genomes: number, count: number, cfg: number, out: number, scratch: number, scratchBytes: number): number;
  stochRsiBandsBacktest(o: number, h: number, l: number, c: number, n: number, genes: number, cfg: number, out: number, eq: number, tr: number, cap: number, scratch: number, scratchBytes: number): number;
  simulate(o: number, h: number, l: number, c: number, n: number, target: number, stop: number, take: number, riskPerTrade: number, cfg: number, out: number, eq: number, tr: number, cap: number): number;
  simulateBatch(o: number, h: number, l: number, c: number, n: number, table: number, count: number, cfg: number, out: number): number;
}

const modules = new Map<WasmVariant, WebAssembly.Module>();

export function wasmPath(variant: WasmVariant): string {
  return join(packageRoot(), 'build', `${variant}.wasm`);
}

/**
 * Compiles build/<variant>.wasm once per process (the pool hands the Module to its workers).
 *
 * V8 first compiles WebAssembly with its baseline compiler and swaps in optimised code only
 * between calls; a kernel call that runs for seconds would run baseline code throughout. The
 * module is a few kilobytes, so it is compiled optimised up front (`--no-liftoff`, a
 * process-wide V8 setting that only concerns how WebAssembly is compiled).
 */
export function compileWasm(variant: WasmVariant = 'release'): WebAssembly.Module {
  let m = modules.get(variant);
  if (m === undefined) {
    setFlagsFromString('--no-liftoff');
    const path = wasmPath(variant);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw ioError(`cannot read the kernel module ${path} (run \`npm run build\`): ${(e as Error).message}`, e);
    }
    m = new WebAssembly.Module(bytes);
    modules.set(variant, m);
  }
  return m;
}

/**
 * Instantiates the kernel module. Its imports: the host's Math.pow (see metrics.ts), and
 * `shouldStop`, which the batch kernels call between genomes (it calls `stopCheck`).
 */
export function instantiateKernels(module: WebAssembly.Module, stopCheck: () => boolean = () => false): KernelExports {
  let exportsRef: KernelExports | undefined;
  const instance = new WebAssembly.Instance(module, {
    env: {
      pow: Math.pow,
      shouldStop: () => stopCheck(),
      abort(msg: number, file: number, line: number, column: number) {
        const mem = exportsRef?.memory;
        const text = (p: number): string => {
          if (mem === undefined || p === 0) return '?';
          const len = new Uint32Array(mem.buffer, p - 4, 1)[0]! >>> 1;
          return String.fromCharCode(...new Uint16Array(mem.buffer, p, len));
        };
        throw kernelError(`kernel assertion failed: ${text(msg)} at ${text(file)}:${line}:${column}`);
      },
    },
  });
  exportsRef = instance.exports as unknown as KernelExports;
  return exportsRef;
}

/**
 * Linear memory from the module's heap base up, handed out by a bump pointer. Market data sits
 * at the bottom for the life of the instance; each call takes scratch above it and gives it
 * back. Views are made fresh after every allocation, because growing memory detaches the old
 * buffer.
 */
export class WasmArena {
  private top: number;
  readonly base: number;

  constructor(readonly memory: WebAssembly.Memory, base: number) {
    this.base = (base + 15) & ~15;
    this.top = this.base;
  }

  alloc(bytes: number): number {
    const p = this.top;
    const end = p + ((bytes + 15) & ~15);
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / 65536));
    this.top = end;
    return p;
  }

  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, length);
  }

  /** Copies src into fresh memory and returns its address. */
  put(src: ArrayLike<number>): number {
    const p = this.alloc(src.length * 8);
    this.f64(p, src.length).set(src);
    return p;
  }

  /**
   * A copy (never a view: views of WASM memory must not escape) of length values at ptr; the
   * constructor's copy took a third less time than slice() on Node 20 (2e3 and 1e5 values).
   */
  take(ptr: number, length: number): Float64Array {
    return new Float64Array(this.f64(ptr, length));
  }
}
