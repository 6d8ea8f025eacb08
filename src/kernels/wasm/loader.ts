import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { MarketData } from '../../data/market.js';
import { ioError, kernelError } from '../../errors.js';
import { packageRoot } from '../../paths.js';
import type { KernelSet, RawBacktest, Window } from '../kernel-set.js';
import { MET_LENGTH, TR_LENGTH } from '../layout.js';
import type { WasmBars } from '../fused.js';
import { checkStatus } from '../chunking.js';
import { checkSimulateInput } from '../simulate-input.js';
import { originOf } from '../origin.js';
import { E_STOPPED } from '../status.js';

/** Columns of one row of simulateBatch's input table (twin: assembly/strategies/simulate.ts). */
const SIM_ROW = 4;

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
  stochRsi(src: number, n: number, rsiK: number, stochK: number, kSmooth: number, dSmooth: number, oR: number, oS: number, oK: number, oD: number): number;
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

  /** A copy (never a view: views of WASM memory must not escape) of length values at ptr. */
  take(ptr: number, length: number): Float64Array {
    return this.f64(ptr, length).slice();
  }
}

interface BoundMarket {
  length: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** (close, open) pairs, the sma-cross batch kernel's input. */
  bars: number;
}

/** Bytes of market columns an instance keeps bound before it starts over (see bind). */
const MAX_BOUND_BYTES = 1024 * 1024 * 1024;

/** What a WASM kernel set holds of the markets it was given (for tests and diagnostics). */
export interface WasmBindStats {
  /** Markets in linear memory now. */
  markets: number;
  /** Markets copied in so far (a market used again is not copied again). */
  copies: number;
  /** Bytes of linear memory they take (48 per bar: four columns and the interleaved pairs). */
  bytes: number;
}

const bindStats = new WeakMap<KernelSet, WasmBindStats>();

/** The bind counters of a kernel set made by createWasmKernels (undefined for any other). */
export function wasmBindStats(kernels: KernelSet): WasmBindStats | undefined {
  const s = bindStats.get(kernels);
  return s === undefined ? undefined : { ...s };
}

/** The compiled AssemblyScript kernels behind the KernelSet interface. */
export function createWasmKernels(options: { variant?: WasmVariant; module?: WebAssembly.Module } = {}): KernelSet {
  const variant = options.variant ?? 'release';
  let stopFlag: Int32Array | undefined;
  const x = instantiateKernels(options.module ?? compileWasm(variant), () => stopFlag !== undefined && Atomics.load(stopFlag, 0) !== 0);
  const arena = new WasmArena(x.memory, x.heapBase() >>> 0);
  const bound = new Map<MarketData, BoundMarket>();
  const stats: WasmBindStats = { markets: 0, copies: 0, bytes: 0 };
  let boundTop = arena.base;

  // Every market's columns are copied into linear memory once (per instance), with the
  // interleaved (close, open) pairs the sma-cross batch reads, and stay there: calls that
  // alternate between markets read them in place. Markets sit at the bottom of the arena, one
  // after another, and each call's scratch goes above them. Bound markets are known by their
  // MarketData object (markets are not modified once built; a worker keeps one object per
  // market, and an object whose columns are not views of its buffer is its own market). Past
  // MAX_BOUND_BYTES of markets, the next new one starts the arena over (every market is then
  // copied again when next used): a process that backtests ever new markets stays bounded.
  const bind = (market: MarketData): BoundMarket => {
    const known = bound.get(market);
    if (known !== undefined) return known;
    if (arena.mark() !== boundTop) throw kernelError('internal: a market was bound while scratch memory was in use');
    const bytes = market.length * 48;
    if (bound.size > 0 && stats.bytes + bytes > MAX_BOUND_BYTES) {
      bound.clear();
      arena.release(arena.base);
      stats.markets = 0;
      stats.bytes = 0;
    }
    const b: BoundMarket = {
      length: market.length,
      open: arena.put(market.open),
      high: arena.put(market.high),
      low: arena.put(market.low),
      close: arena.put(market.close),
      bars: 0,
    };
    b.bars = arena.alloc(market.length * 16);
    checkStatus(x.interleaveBars(b.open, b.close, market.length, b.bars), 'interleaveBars');
    bound.set(market, b);
    boundTop = arena.mark();
    stats.markets = bound.size;
    stats.copies++;
    stats.bytes += bytes;
    return b;
  };

  // The window's bars in place, for the fused kernels.
  const barsAt = (b: BoundMarket, w: Window): WasmBars => {
    const off = w.start * 8;
    return {
      x, open: b.open + off, high: b.high + off, low: b.low + off, close: b.close + off, interleaved: b.bars + 2 * off, n: w.end - w.start,
    };
  };

  // Runs fn with scratch memory that is given back afterwards (market data stays).
  const scoped = <T>(fn: () => T): T => {
    const mark = arena.mark();
    try {
      return fn();
    } finally {
      arena.release(mark);
    }
  };

  const unary = (name: 'sma' | 'ema' | 'rsi' | 'stdev' | 'highest' | 'lowest', src: Float64Array, period: number): Float64Array =>
    scoped(() => {
      const n = src.length;
      const s = arena.put(src);
      const o = arena.alloc(n * 8);
      checkStatus(x[name](s, n, period, o), name);
      return arena.take(o, n);
    });

  const scalar = (fn: (p: number, n: number) => number, src: Float64Array): number =>
    scoped(() => fn(arena.put(src), src.length));

  const kernels: KernelSet = {
    backend: 'wasm',
    name: `wasm-${variant}`,
    sma: (src, period) => unary('sma', src, period),
    ema: (src, period) => unary('ema', src, period),
    rsi: (src, period) => unary('rsi', src, period),
    stdev: (src, period) => unary('stdev', src, period),
    highest: (src, period) => unary('highest', src, period),
    lowest: (src, period) => unary('lowest', src, period),
    stochRsi(src, rsiK, stochK, kSmooth, dSmooth) {
      return scoped(() => {
        const n = src.length;
        const s = arena.put(src);
        const o = arena.alloc(4 * n * 8);
        const [r, st, k, d] = [o, o + n * 8, o + 2 * n * 8, o + 3 * n * 8];
        checkStatus(x.stochRsi(s, n, rsiK, stochK, kSmooth, dSmooth, r, st, k, d), 'stochRsi');
        return { rsi: arena.take(r, n), stoch: arena.take(st, n), k: arena.take(k, n), d: arena.take(d, n) };
      });
    },
    atr(high, low, close, period) {
      return scoped(() => {
        const n = close.length;
        const h = arena.put(high);
        const l = arena.put(low);
        const c = arena.put(close);
        const o = arena.alloc(n * 8);
        checkStatus(x.atr(h, l, c, n, period, o), 'atr');
        return arena.take(o, n);
      });
    },
    bands(a, atrK, oversold, overbought, sensitivity, adjust) {
      return scoped(() => {
        const n = a.length;
        const s = arena.put(a);
        const lo = arena.alloc(n * 8);
        const hi = arena.alloc(n * 8);
        checkStatus(x.bands(s, n, atrK, oversold, overbought, sensitivity, adjust, lo, hi), 'bands');
        return { lower: arena.take(lo, n), upper: arena.take(hi, n) };
      });
    },
    sizeFraction(equity, price, fraction, lotSize, direction) {
      return scoped(() => {
        const n = equity.length;
        const e = arena.put(equity);
        const p = arena.put(price);
        const o = arena.alloc(n * 8);
        checkStatus(x.sizeFraction(e, p, n, fraction, lotSize, direction, o), 'sizeFraction');
        return arena.take(o, n);
      });
    },
    sizeRisk(equity, price, stopDistance, riskPerTrade, minPriceRisk, maxLeverage, lotSize, direction) {
      return scoped(() => {
        const n = equity.length;
        const e = arena.put(equity);
        const p = arena.put(price);
        const s = arena.put(stopDistance);
        const o = arena.alloc(n * 8);
        checkStatus(x.sizeRisk(e, p, s, n, riskPerTrade, minPriceRisk, maxLeverage, lotSize, direction, o), 'sizeRisk');
        return arena.take(o, n);
      });
    },
    returns(equity) {
      return scoped(() => {
        const n = equity.length;
        const e = arena.put(equity);
        const o = arena.alloc(Math.max(0, n - 1) * 8);
        checkStatus(x.returns(e, n, o), 'returns');
        return arena.take(o, Math.max(0, n - 1));
      });
    },
    totalReturn: (e) => scalar((p, n) => x.totalReturn(p, n), e),
    sharpe: (r, ppy) => scalar((p, n) => x.sharpe(p, n, ppy), r),
    sortino: (r, ppy) => scalar((p, n) => x.sortino(p, n, ppy), r),
    maxDrawdown: (e) => scalar((p, n) => x.maxDrawdown(p, n), e),
    annualReturn: (e, ppy) => scalar((p, n) => x.annualReturn(p, n, ppy), e),
    calmar: (e, ppy) => scalar((p, n) => x.calmar(p, n, ppy), e),
    winRate: (pnl) => scalar((p, n) => x.winRate(p, n), pnl),
    profitFactor: (pnl) => scalar((p, n) => x.profitFactor(p, n), pnl),
    exposure: (u) => scalar((p, n) => x.exposure(p, n), u),

    backtest(market, window: Window, kernel, genes, cfg, emit = {}): RawBacktest {
      const b = bind(market);
      return scoped(() => {
        const w = barsAt(b, window);
        const n = w.n;
        const windowBars = n - originOf(cfg, n, kernel.name); // the window's bars (after the warm-up)
        const g = arena.put(genes);
        const c = arena.put(cfg);
        const out = arena.alloc(MET_LENGTH * 8);
        const eq = emit.equity === true ? arena.alloc(windowBars * 8) : 0;
        const cap = n + 1;
        const tr = emit.trades === true ? arena.alloc(cap * TR_LENGTH * 8) : 0;
        const bytes = kernel.scratchBytes(n);
        const s = arena.alloc(bytes);
        checkStatus(kernel.wasm.single(w, g, c, { out, equity: eq, trades: tr, tradesCap: cap }, s, bytes), kernel.name);
        const metrics = arena.take(out, MET_LENGTH);
        const tradeCount = metrics[5]!;
        return {
          metrics,
          equity: eq === 0 ? null : arena.take(eq, windowBars),
          trades: tr === 0 ? null : arena.take(tr, tradeCount * TR_LENGTH),
          tradeCount,
        };
      });
    },

    evaluate(market, window, kernel, genomes, count, cfg, stop) {
      const b = bind(market);
      return scoped(() => {
        const w = barsAt(b, window);
        originOf(cfg, w.n, kernel.name);
        const gs = genomes.subarray(0, count * kernel.genes);
        const gp = arena.put(gs);
        const c = arena.put(cfg);
        const out = arena.alloc(count * MET_LENGTH * 8);
        const bytes = kernel.batchScratchBytes(w.n, gs);
        const s = arena.alloc(bytes);
        stopFlag = stop;
        let status: number;
        try {
          status = kernel.wasm.batch(w, gp, count, c, out, s, bytes);
        } finally {
          stopFlag = undefined;
        }
        if (status === E_STOPPED) return null;
        checkStatus(status, kernel.name);
        return arena.take(out, count * MET_LENGTH);
      });
    },

    simulate(market, window, input, cfg, emit = {}): RawBacktest {
      checkSimulateInput(input, window);
      const b = bind(market);
      return scoped(() => {
        const w = barsAt(b, window);
        const n = w.n;
        const windowBars = n - originOf(cfg, n, 'simulate'); // the window's bars (after the warm-up)
        const tg = arena.put(input.target);
        const sd = input.stopDistance === null ? 0 : arena.put(input.stopDistance);
        const td = input.takeDistance === null ? 0 : arena.put(input.takeDistance);
        const c = arena.put(cfg);
        const out = arena.alloc(MET_LENGTH * 8);
        const eq = emit.equity === true ? arena.alloc(windowBars * 8) : 0;
        const cap = n + 1;
        const tr = emit.trades === true ? arena.alloc(cap * TR_LENGTH * 8) : 0;
        checkStatus(x.simulate(w.open, w.high, w.low, w.close, n, tg, sd, td, input.riskPerTrade, c, out, eq, tr, cap), 'simulate');
        const metrics = arena.take(out, MET_LENGTH);
        const tradeCount = metrics[5]!;
        return {
          metrics,
          equity: eq === 0 ? null : arena.take(eq, windowBars),
          trades: tr === 0 ? null : arena.take(tr, tradeCount * TR_LENGTH),
          tradeCount,
        };
      });
    },

    simulateBatch(market, window, inputs, cfg, stop) {
      inputs.forEach((input, i) => checkSimulateInput(input, window, i));
      const b = bind(market);
      const count = inputs.length;
      const result = new Float64Array(count * MET_LENGTH);
      // The inputs' series are copied into linear memory a chunk at a time (about 16 MB), so a
      // large batch does not grow the memory by its whole size.
      const n = window.end - window.start;
      originOf(cfg, n, 'simulate');
      const chunk = Math.max(1, Math.floor(2_097_152 / Math.max(1, 3 * n)));
      for (let g = 0; g < count; g += chunk) {
        const k = Math.min(chunk, count - g);
        const done = scoped(() => {
          const w = barsAt(b, window);
          const table = arena.alloc(k * SIM_ROW * 8);
          for (let i = 0; i < k; i++) {
            const input = inputs[g + i]!;
            const tg = arena.put(input.target);
            const sd = input.stopDistance === null ? 0 : arena.put(input.stopDistance);
            const td = input.takeDistance === null ? 0 : arena.put(input.takeDistance);
            arena.f64(table + i * SIM_ROW * 8, SIM_ROW).set([tg, sd, td, input.riskPerTrade]);
          }
          const c = arena.put(cfg);
          const out = arena.alloc(k * MET_LENGTH * 8);
          stopFlag = stop;
          let status: number;
          try {
            status = x.simulateBatch(w.open, w.high, w.low, w.close, w.n, table, k, c, out);
          } finally {
            stopFlag = undefined;
          }
          if (status === E_STOPPED) return false;
          checkStatus(status, 'simulate');
          result.set(arena.f64(out, k * MET_LENGTH), g * MET_LENGTH);
          return true;
        });
        if (!done) return null;
      }
      return result;
    },
  };
  bindStats.set(kernels, stats);
  return kernels;
}
