// Fused-kernel descriptors: one object per fused strategy kernel (signals and account in one
// pass), which says how many genes it reads, how much scratch it needs and how each backend runs
// its single and batch forms. KernelSet.backtest/evaluate take a descriptor, so choosing a kernel
// is a property lookup on the strategy's definition, never a comparison of names.
import { maxGene } from './chunking.js';
import type { KernelExports } from './wasm/loader.js';
import { smaCross, SMA_CROSS_GENES } from './strategies/sma-cross.js';
import { smaCrossBatch, smaCrossBatchScratchBytes } from './strategies/sma-cross-batch.js';
import { STOCH_RSI_BANDS_GENES } from './strategies/stoch-rsi-bands.js';
import { stochRsiBandsBacktest, stochRsiBandsBatch, stochRsiBandsBatchScratchBytes } from './strategies/stoch-rsi-bands-batch.js';

/**
 * A column of a market's bars a kernel reads: the four prices, or `interleaved`, the (close,
 * open) pairs of interleaveBars. A WASM kernel set copies into linear memory only the columns a
 * call names (once per market and column); a column the call did not name has address 0.
 */
export type BarColumn = 'open' | 'high' | 'low' | 'close' | 'interleaved';

/** The four price columns: what the generic simulator and a kernel that checks stops read. */
export const PRICE_COLUMNS: readonly BarColumn[] = ['open', 'high', 'low', 'close'];

/** The bars of one window as the TypeScript twins read them. */
export interface TsBars {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  n: number;
  /** The window's bars as (close, open) pairs (see interleaveBars), built once per market. */
  interleaved(): Float64Array;
}

/** The bars of one window in WASM linear memory: byte addresses of the window's first bar. */
export interface WasmBars {
  x: KernelExports;
  open: number;
  high: number;
  low: number;
  close: number;
  /** (close, open) pairs of the window. */
  interleaved: number;
  n: number;
}

/** Where one call of a fused kernel writes its results (TS twin). */
export interface TsOutputs {
  out: Float64Array;
  equity: Float64Array | null;
  trades: Float64Array | null;
  tradesCap: number;
}

/** Where one call of a fused kernel writes its results (byte addresses; 0 = not wanted). */
export interface WasmOutputs {
  out: number;
  equity: number;
  trades: number;
  tradesCap: number;
}

/**
 * One fused strategy kernel. `name` labels its kernel errors; `genes` is the length of one
 * genome. Scratch sizes are in bytes; a backend hands the kernel at least that much.
 */
export interface FusedKernel {
  readonly name: string;
  readonly genes: number;
  /** The columns each form reads (the WASM backend binds only those; see BarColumn). */
  readonly columns: { readonly single: readonly BarColumn[]; readonly batch: readonly BarColumn[] };
  /** Scratch bytes of one backtest over n bars. */
  scratchBytes(n: number): number;
  /**
   * Genomes with equal keys share work inside one batch call (the batch visits them together),
   * so an evaluator that cuts a population into batches keeps them together (src/pool/batches.ts
   * shareOrder). Absent: the kernel shares nothing between genomes. Never changes a result.
   */
  shareKey?(genomes: Float64Array, offset: number): number;
  /** Scratch bytes of one batch call over n bars with these genomes (count x genes values). */
  batchScratchBytes(n: number, genomes: Float64Array): number;
  readonly ts: {
    single(b: TsBars, genes: Float64Array, cfg: Float64Array, o: TsOutputs, scratch: Float64Array, scratchBytes: number): number;
    batch(b: TsBars, genomes: Float64Array, count: number, cfg: Float64Array, out: Float64Array, scratch: Float64Array, scratchBytes: number): number;
  };
  readonly wasm: {
    single(b: WasmBars, genes: number, cfg: number, o: WasmOutputs, scratch: number, scratchBytes: number): number;
    batch(b: WasmBars, genomes: number, count: number, cfg: number, out: number, scratch: number, scratchBytes: number): number;
  };
}

/** `sma-cross` (SPEC section 4, the W1 kernel): the batch form runs two genomes per SIMD pair. */
export const smaCrossKernel: FusedKernel = {
  name: 'sma-cross',
  genes: SMA_CROSS_GENES,
  columns: { single: ['open', 'close'], batch: ['interleaved'] },
  scratchBytes: () => 0,
  batchScratchBytes: (n, genomes) => smaCrossBatchScratchBytes(n, maxGene(genomes)),
  ts: {
    single: (b, genes, cfg, o) => smaCross(b.open, b.high, b.low, b.close, b.n, genes, cfg, o.out, o.equity, o.trades, o.tradesCap),
    batch: (b, genomes, count, cfg, out, s, bytes) => smaCrossBatch(b.interleaved(), b.n, genomes, count, cfg, out, s, bytes),
  },
  wasm: {
    single: (b, g, c, o) => b.x.smaCross(b.open, b.high, b.low, b.close, b.n, g, c, o.out, o.equity, o.trades, o.tradesCap),
    batch: (b, gp, count, c, out, s, bytes) => b.x.smaCrossBatch(b.interleaved, b.n, gp, count, c, out, s, bytes),
  },
};

/** `stoch-rsi-bands` (SPEC section 4, the W2 kernel). */
export const stochRsiBandsKernel: FusedKernel = {
  name: 'stoch-rsi-bands',
  genes: STOCH_RSI_BANDS_GENES,
  columns: { single: PRICE_COLUMNS, batch: PRICE_COLUMNS },
  // One backtest runs the batch kernel's streaming pass (the series kernel where it must).
  scratchBytes: (n) => stochRsiBandsBatchScratchBytes(n, 1),
  // The batch computes the raw StochRSI once per run of genomes with the same rsiK and stochK.
  shareKey: (g, o) => g[o]! * 4096 + Math.min(g[o + 1]!, 4095),
  batchScratchBytes: (n, genomes) => stochRsiBandsBatchScratchBytes(n, genomes.length / STOCH_RSI_BANDS_GENES),
  ts: {
    single: (b, genes, cfg, o, s, bytes) =>
      stochRsiBandsBacktest(b.open, b.high, b.low, b.close, b.n, genes, cfg, o.out, o.equity, o.trades, o.tradesCap, s, bytes),
    batch: (b, genomes, count, cfg, out, s, bytes) =>
      stochRsiBandsBatch(b.open, b.high, b.low, b.close, b.n, genomes, count, cfg, out, s, bytes),
  },
  wasm: {
    single: (b, g, c, o, s, bytes) =>
      b.x.stochRsiBandsBacktest(b.open, b.high, b.low, b.close, b.n, g, c, o.out, o.equity, o.trades, o.tradesCap, s, bytes),
    batch: (b, gp, count, c, out, s, bytes) =>
      b.x.stochRsiBandsBatch(b.open, b.high, b.low, b.close, b.n, gp, count, c, out, s, bytes),
  },
};
