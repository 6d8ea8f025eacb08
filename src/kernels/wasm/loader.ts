import type { MarketData } from '../../data/market.js';
import { kernelError } from '../../errors.js';
import { WasmArena, compileWasm, instantiateKernels } from './instance.js';
import type { WasmVariant } from './instance.js';
export { WasmArena, compileWasm, instantiateKernels, wasmPath } from './instance.js';
export type { KernelExports, WasmVariant } from './instance.js';
import type { KernelSet, RawBacktest, Window } from '../kernel-set.js';
import { MET_LENGTH, SIM_ROW, TR_LENGTH } from '../layout.js';
import { PRICE_COLUMNS, type BarColumn, type WasmBars } from '../fused.js';
import { checkCrossLengths, checkStatus } from '../chunking.js';
import { interleaveBars } from '../strategies/sma-cross-batch.js';
import { checkSimulateInput } from '../simulate-input.js';
import { originOf } from '../origin.js';
import { E_STOPPED } from '../status.js';

/** Byte addresses of the columns of one market bound so far (see bind). */
interface BoundMarket {
  length: number;
  columns: Partial<Record<BarColumn, number>>;
}

/** Bytes a bar takes of one column in linear memory. */
const columnBytes = (c: BarColumn): number => (c === 'interleaved' ? 16 : 8);

/** Bytes of market columns an instance keeps bound before it starts over (see bind). */
const MAX_BOUND_BYTES = 1024 * 1024 * 1024;

/** What a WASM kernel set holds of the markets it was given (for tests and diagnostics). */
export interface WasmBindStats {
  /** Markets with at least one column in linear memory now. */
  markets: number;
  /** Columns copied in so far (a market's column used again is not copied again). */
  copies: number;
  /** Bytes of linear memory they take: 8 a bar per price column, 16 for the interleaved pairs. */
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

  // A market's columns are copied into linear memory when a call first reads them (each kernel
  // names its columns: FusedKernel.columns, PRICE_COLUMNS for the simulator), once per instance
  // and column, and stay there: calls that alternate between markets read them in place. Bound
  // columns sit at the bottom of the arena, one after another, and each call's scratch goes
  // above them (so a call binds its columns before it takes scratch). Bound markets are known by
  // their MarketData object (markets are not modified once built; a worker keeps one object per
  // market, and an object whose columns are not views of its buffer is its own market). Past
  // MAX_BOUND_BYTES of columns, the next new one starts the arena over (every column is then
  // copied again when next used): a process that backtests ever new markets stays bounded.
  const bind = (market: MarketData, columns: readonly BarColumn[]): BoundMarket => {
    let b = bound.get(market);
    const missing = columns.filter((c) => b === undefined || b.columns[c] === undefined);
    if (b !== undefined && missing.length === 0) return b;
    if (arena.mark() !== boundTop) throw kernelError('internal: a market was bound while scratch memory was in use');
    const n = market.length;
    const bytes = missing.reduce((a, c) => a + n * columnBytes(c), 0);
    if (bound.size > 0 && stats.bytes + bytes > MAX_BOUND_BYTES) {
      bound.clear();
      arena.release(arena.base);
      stats.markets = 0;
      stats.bytes = 0;
      b = undefined;
      missing.splice(0, missing.length, ...columns);
    }
    if (b === undefined) {
      b = { length: n, columns: {} };
      bound.set(market, b);
    }
    for (const c of missing) {
      if (c === 'interleaved') {
        // The pairs written by interleaveBars's twin (plain copies: the same bits) straight from
        // the shared columns, so that binding the pairs alone does not also bind open and close.
        const p = arena.alloc(n * 16);
        checkStatus(interleaveBars(market.open, market.close, n, arena.f64(p, 2 * n)), 'interleaveBars');
        b.columns.interleaved = p;
      } else {
        b.columns[c] = arena.put(market[c]);
      }
      stats.copies++;
      stats.bytes += n * columnBytes(c);
    }
    boundTop = arena.mark();
    stats.markets = bound.size;
    return b;
  };

  // The window's bars in place, for the kernels (0 for a column the call did not bind).
  const barsAt = (b: BoundMarket, w: Window): WasmBars => {
    const off = w.start * 8;
    const at = (c: BarColumn): number => {
      const p = b.columns[c];
      return p === undefined ? 0 : p + (c === 'interleaved' ? 2 * off : off);
    };
    return {
      x, open: at('open'), high: at('high'), low: at('low'), close: at('close'), interleaved: at('interleaved'), n: w.end - w.start,
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
    cross(a, b) {
      checkCrossLengths(a, b);
      return scoped(() => {
        const n = a.length;
        const pa = arena.put(a);
        const pb = arena.put(b);
        const o = arena.alloc(n * 8);
        checkStatus(x.cross(pa, pb, n, o), 'cross');
        return arena.take(o, n);
      });
    },
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
    stochOf(src, stochK) {
      return scoped(() => {
        const n = src.length;
        const s = arena.put(src);
        const o = arena.alloc(3 * n * 8); // the series, then the kernel's two scratch series
        checkStatus(x.stochOf(s, n, stochK, o, o + n * 8, o + 2 * n * 8), 'stochOf');
        return arena.take(o, n);
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
      const b = bind(market, kernel.columns.single);
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
      const b = bind(market, kernel.columns.batch);
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
      const b = bind(market, PRICE_COLUMNS);
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
      const b = bind(market, PRICE_COLUMNS);
      const count = inputs.length;
      const result = new Float64Array(count * MET_LENGTH);
      // The inputs' series are copied into linear memory a chunk at a time (about 16 MB), so a
      // large batch does not grow the memory by its whole size.
      const n = window.end - window.start;
      originOf(cfg, n, 'simulate');
      const chunk = Math.max(2, Math.floor(2_097_152 / Math.max(1, 3 * n)));
      for (let g = 0; g < count; g += chunk) {
        const k = Math.min(chunk, count - g);
        const done = scoped(() => {
          const w = barsAt(b, window);
          // One block for the chunk's table and series, written through one view.
          let values = 0;
          for (let i = 0; i < k; i++) {
            const input = inputs[g + i]!;
            values += n + (input.stopDistance === null ? 0 : n) + (input.takeDistance === null ? 0 : n);
          }
          const table = arena.alloc((k * SIM_ROW + values) * 8);
          const mem = new Float64Array(x.memory.buffer);
          let at = (table >>> 3) + k * SIM_ROW;
          const place = (a: Float64Array): number => {
            mem.set(a, at);
            at += n;
            return (at - n) * 8;
          };
          for (let i = 0; i < k; i++) {
            const input = inputs[g + i]!;
            const row = (table >>> 3) + i * SIM_ROW;
            mem[row] = place(input.target);
            mem[row + 1] = input.stopDistance === null ? 0 : place(input.stopDistance);
            mem[row + 2] = input.takeDistance === null ? 0 : place(input.takeDistance);
            mem[row + 3] = input.riskPerTrade;
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
