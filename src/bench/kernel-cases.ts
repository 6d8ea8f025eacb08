// The kernel benchmark suite's cases: for one size, the inputs (a seeded synthetic series and
// what the metric, sizing and strategy kernels take), placed once in linear memory, and for
// every kernel a call of its WASM export and of its TypeScript twin with the outputs they write.
// The suite that times and checks them is in kernels.ts.
import { configVector, resolveOptions } from '../backtest.js';
import { synthetic } from '../data/synthetic.js';
import { kernelError } from '../errors.js';
import { genesFromParams, getFamily } from '../genome/families.js';
import { maxGene } from '../kernels/chunking.js';
import {
  CFG_FRACTION, CFG_LOT_SIZE, CFG_MAX_LEVERAGE, CFG_MIN_PRICE_RISK, CFG_PERIODS_PER_YEAR, MET_LENGTH,
  MET_TRADES, TR_ENTRY_BAR, TR_EXIT_BAR, TR_EXIT_REASON, TR_LENGTH, TR_PNL, TR_UNITS, EXIT_END, SIM_ROW,
} from '../kernels/layout.js';
import { OK, statusMessage } from '../kernels/status.js';
import { sma } from '../kernels/indicators/sma.js';
import { stdev } from '../kernels/indicators/stdev.js';
import { highest, lowest } from '../kernels/indicators/extremes.js';
import { cross } from '../kernels/indicators/cross.js';
import { ema } from '../kernels/indicators/ema.js';
import { rsi } from '../kernels/indicators/rsi.js';
import { stochOf, stochRsi } from '../kernels/indicators/stoch-rsi.js';
import { atr } from '../kernels/indicators/atr.js';
import { bands } from '../kernels/indicators/bands.js';
import { sizeFraction, sizeRisk } from '../kernels/sizing/sizing.js';
import {
  returns, totalReturn, sharpe, sortino, maxDrawdown, annualReturn, calmar, winRate, profitFactor, exposure,
} from '../kernels/metrics/metrics.js';
import { smaCross } from '../kernels/strategies/sma-cross.js';
import { simulate, simulateBatch } from '../kernels/strategies/simulate.js';
import type { SimRow } from '../kernels/strategies/simulate.js';
import { interleaveBars, smaCrossBatch, smaCrossBatchScratchBytes } from '../kernels/strategies/sma-cross-batch.js';
import {
  stochRsiBands, STOCH_RSI_BANDS_GENES, STOCH_RSI_BANDS_SCRATCH,
} from '../kernels/strategies/stoch-rsi-bands.js';
import { stochRsiBandsBacktest, stochRsiBandsBatch, stochRsiBandsBatchScratchBytes } from '../kernels/strategies/stoch-rsi-bands-batch.js';
import type { WasmArena } from '../kernels/wasm/loader.js';
import type { KernelExports } from '../kernels/wasm/loader.js';
import type { KernelName } from './kernels.js';

/** An output of a kernel in both worlds: the twin's array and the same values in linear memory. */
export interface Output {
  ts: Float64Array;
  ptr: number;
  length: number;
}

/** One kernel at one size: a call on each side, what they write, and what the call walks. */
export interface Case {
  kernel: KernelName;
  items: number;
  genomes?: number;
  /** True when the return value is a status (must be OK), false when it is the result. */
  returnsStatus: boolean;
  ts: () => number;
  wasm: () => number;
  outputs: Output[];
}

/** The bench's genomes for the batch kernels: a spread of typical parameter sets. */
const SMA_CROSS_GENOMES = [[10, 50], [5, 20], [20, 100], [15, 60], [30, 200], [8, 34], [50, 150], [12, 26]];
const STOCH_RSI_BANDS_VARIANTS: Record<string, number>[] = [
  {},
  { rsiK: 7, stochK: 7 },
  { rsiK: 21, stochK: 14, kSmooth: 5, dSmooth: 5 },
  { oversold: 30, overbought: 70 },
  { atrK: 40, sensitivity: 1.2, adjust: 0.8 },
  { stopAtr: 1, takeProfitAtr: 2, riskPerTrade: 0.02 },
  { rsiK: 10, stochK: 20, kSmooth: 1, dSmooth: 2 },
  { rsiK: 28, stochK: 28, oversold: 10, overbought: 90, atrK: 10 },
];

/**
 * The inputs of one size, in JS arrays and in linear memory (placed once), and every case.
 * Inputs: a seeded synthetic series; the equity curve and trades of a real sma-cross [10, 50]
 * backtest (metric kernels); its returns; trade PnLs (winRate, profitFactor); units held per
 * bar (exposure); ATR(14) (bands) and 2 x ATR as stop distance (sizeRisk).
 */
export function buildCases(x: KernelExports, arena: WasmArena, n: number, seed: number, kernels: readonly KernelName[]): Case[] {
  const market = synthetic({ bars: n, seed });
  // Plain (non-shared) copies, so the twin runs on ordinary Float64Arrays.
  const open = market.open.slice();
  const high = market.high.slice();
  const low = market.low.slice();
  const close = market.close.slice();
  const smaFamily = getFamily('sma-cross');
  const srbFamily = getFamily('stoch-rsi-bands');
  const cfgSma = configVector(resolveOptions(smaFamily, market));
  const cfgSrb = configVector(resolveOptions(srbFamily, market));
  const ppy = cfgSma[CFG_PERIODS_PER_YEAR]!;
  const smaGenes = new Float64Array([10, 50]);
  const srbGenes = genesFromParams(srbFamily, {});
  const smaGenomes = new Float64Array(SMA_CROSS_GENOMES.flat());
  const srbGenomes = new Float64Array(STOCH_RSI_BANDS_VARIANTS.length * STOCH_RSI_BANDS_GENES);
  STOCH_RSI_BANDS_VARIANTS.forEach((p, i) => srbGenomes.set(genesFromParams(srbFamily, p), i * STOCH_RSI_BANDS_GENES));
  const nSma = SMA_CROSS_GENOMES.length;
  const nSrb = STOCH_RSI_BANDS_VARIANTS.length;

  // A real backtest (the twin; the check below holds the WASM side to the same bits).
  const cap = n + 1;
  const equity = new Float64Array(n);
  const tradeRecords = new Float64Array(cap * TR_LENGTH);
  const refMetrics = new Float64Array(MET_LENGTH);
  status('smaCross', smaCross(open, high, low, close, n, smaGenes, cfgSma, refMetrics, equity, tradeRecords, cap));
  const tradeCount = refMetrics[MET_TRADES]!;
  const rets = new Float64Array(n - 1);
  status('returns', returns(equity, n, rets));
  const pnl = new Float64Array(tradeCount);
  const units = new Float64Array(n);
  for (let i = 0; i < tradeCount; i++) {
    const p = i * TR_LENGTH;
    pnl[i] = tradeRecords[p + TR_PNL]!;
    // Held from the entry bar's mark up to the exit fill; a position open at the end is held to the last bar.
    const to = tradeRecords[p + TR_EXIT_REASON] === EXIT_END ? tradeRecords[p + TR_EXIT_BAR]! + 1 : tradeRecords[p + TR_EXIT_BAR]!;
    units.fill(tradeRecords[p + TR_UNITS]!, tradeRecords[p + TR_ENTRY_BAR]!, to);
  }
  const atr14 = new Float64Array(n);
  status('atr', atr(high, low, close, n, 14, atr14));
  const stopDistance = atr14.map((a) => 2 * a);
  const rsi14 = new Float64Array(n);
  status('rsi', rsi(close, n, 14, rsi14));
  // W1's default periods, the series a crossover strategy compares.
  const sma10 = new Float64Array(n);
  const sma30 = new Float64Array(n);
  status('sma', sma(close, n, 10, sma10));
  status('sma', sma(close, n, 30, sma30));
  // The generic simulator's inputs: the crosses of each batch genome's SMAs as targets (what the
  // sma-cross module returns), every other row with a stop at 2 x ATR(14).
  const simRows: SimRow[] = SMA_CROSS_GENOMES.map(([fast, slow], i) => {
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    const target = new Float64Array(n);
    status('sma', sma(close, n, fast!, a));
    status('sma', sma(close, n, slow!, b));
    status('cross', cross(a, b, n, target));
    return { target, stop: i % 2 === 1 ? stopDistance : null, take: null, riskPerTrade: 0 };
  });

  // Outputs: seven series in one block (also the stoch-rsi-bands scratch), an equity curve, a
  // trade list, metrics for a batch, the sma-cross batch scratch. Cases run one at a time.
  const srbScratchBytes = n * 8 * STOCH_RSI_BANDS_SCRATCH;
  // The batch also takes one sort key per genome after the seven series.
  const srbBatchBytes = stochRsiBandsBatchScratchBytes(n, nSrb);
  const smaBatchBytes = smaCrossBatchScratchBytes(n, maxGene(smaGenomes));
  const tsBlock = new Float64Array(srbBatchBytes / 8);
  const tsS = (i: number): Float64Array => tsBlock.subarray(i * n, (i + 1) * n);
  const tsEq = new Float64Array(n);
  const tsTr = new Float64Array(cap * TR_LENGTH);
  const tsMet = new Float64Array(Math.max(nSma, nSrb) * MET_LENGTH);
  const tsSmaScratch = new Float64Array(Math.ceil(smaBatchBytes / 8));
  // The batch kernel reads (close, open) pairs, laid out once per market as the engine does.
  const tsBars = new Float64Array(2 * n);
  interleaveBars(open, close, n, tsBars);

  arena.release(arena.base);
  const p = {
    open: arena.put(open), high: arena.put(high), low: arena.put(low), close: arena.put(close),
    equity: arena.put(equity), rets: arena.put(rets), pnl: arena.put(pnl), units: arena.put(units),
    atr: arena.put(atr14), stop: arena.put(stopDistance), rsi14: arena.put(rsi14),
    sma10: arena.put(sma10), sma30: arena.put(sma30),
    simTable: arena.alloc(nSma * SIM_ROW * 8),
    smaGenes: arena.put(smaGenes), srbGenes: arena.put(srbGenes), smaGenomes: arena.put(smaGenomes),
    srbGenomes: arena.put(srbGenomes), cfgSma: arena.put(cfgSma), cfgSrb: arena.put(cfgSrb),
    block: arena.alloc(srbBatchBytes), eq: arena.alloc(n * 8), tr: arena.alloc(cap * TR_LENGTH * 8),
    met: arena.alloc(tsMet.length * 8), smaScratch: arena.alloc(smaBatchBytes), bars: arena.put(tsBars),
  };
  // The table's rows hold the addresses of their series (the stop rows share p.stop).
  const simPtrs = simRows.map((r) => [arena.put(r.target), r.stop === null ? 0 : p.stop, 0, r.riskPerTrade]);
  // (Views after the last put: growing the memory detaches earlier ones.)
  simPtrs.forEach((row, i) => arena.f64(p.simTable + i * SIM_ROW * 8, SIM_ROW).set(row));
  const S = (i: number): number => p.block + i * n * 8;
  const series = (i: number, length = n): Output => ({ ts: tsS(i).subarray(0, length), ptr: S(i), length });
  const metrics = (count: number): Output => ({ ts: tsMet.subarray(0, count * MET_LENGTH), ptr: p.met, length: count * MET_LENGTH });
  const strategyOutputs = (): Output[] => [
    metrics(1), { ts: tsEq, ptr: p.eq, length: n }, { ts: tsTr, ptr: p.tr, length: tsTr.length },
  ];

  const fraction = cfgSma[CFG_FRACTION]!;
  const lot = cfgSma[CFG_LOT_SIZE]!;
  const risk = srbGenes[11]!;
  const minPriceRisk = cfgSrb[CFG_MIN_PRICE_RISK]!;
  const maxLeverage = cfgSrb[CFG_MAX_LEVERAGE]!;
  const T = tradeCount;
  const all: Record<KernelName, () => Case> = {
    sma: () => ({
      kernel: 'sma', items: n, returnsStatus: true, outputs: [series(0)],
      ts: () => sma(close, n, 20, tsS(0)), wasm: () => x.sma(p.close, n, 20, S(0)),
    }),
    ema: () => ({
      kernel: 'ema', items: n, returnsStatus: true, outputs: [series(0)],
      ts: () => ema(close, n, 20, tsS(0)), wasm: () => x.ema(p.close, n, 20, S(0)),
    }),
    rsi: () => ({
      kernel: 'rsi', items: n, returnsStatus: true, outputs: [series(0)],
      ts: () => rsi(close, n, 14, tsS(0)), wasm: () => x.rsi(p.close, n, 14, S(0)),
    }),
    stochRsi: () => {
      const [a, b, c, d] = [tsS(0), tsS(1), tsS(2), tsS(3)];
      return {
        kernel: 'stochRsi', items: n, returnsStatus: true, outputs: [series(0), series(1), series(2), series(3)],
        ts: () => stochRsi(close, n, 14, 14, 3, 3, a, b, c, d),
        wasm: () => x.stochRsi(p.close, n, 14, 14, 3, 3, S(0), S(1), S(2), S(3)),
      };
    },
    stochOf: () => {
      // The raw StochRSI of RSI(14) (what ctx.ind.stochRsi computes per rsiK and stochK), scratch in series 2 and 3.
      const [o, a, b] = [tsS(1), tsS(2), tsS(3)];
      return {
        kernel: 'stochOf', items: n, returnsStatus: true, outputs: [series(1)],
        ts: () => stochOf(rsi14, n, 14, o, a, b),
        wasm: () => x.stochOf(p.rsi14, n, 14, S(1), S(2), S(3)),
      };
    },
    atr: () => ({
      kernel: 'atr', items: n, returnsStatus: true, outputs: [series(0)],
      ts: () => atr(high, low, close, n, 14, tsS(0)), wasm: () => x.atr(p.high, p.low, p.close, n, 14, S(0)),
    }),
    bands: () => {
      const [lo, hi] = [tsS(0), tsS(1)];
      return {
        kernel: 'bands', items: n, returnsStatus: true, outputs: [series(0), series(1)],
        ts: () => bands(atr14, n, 20, 20, 80, 1.5, 0.5, lo, hi),
        wasm: () => x.bands(p.atr, n, 20, 20, 80, 1.5, 0.5, S(0), S(1)),
      };
    },
    // Bollinger's and Donchian's usual period.
    stdev: () => ({
      kernel: 'stdev', items: n, returnsStatus: true, outputs: [series(0)],
      ts: () => stdev(close, n, 20, tsS(0)), wasm: () => x.stdev(p.close, n, 20, S(0)),
    }),
    highest: () => ({
      kernel: 'highest', items: n, returnsStatus: true, outputs: [series(0)],
      ts: () => highest(high, n, 20, tsS(0)), wasm: () => x.highest(p.high, n, 20, S(0)),
    }),
    lowest: () => ({
      kernel: 'lowest', items: n, returnsStatus: true, outputs: [series(0)],
      ts: () => lowest(low, n, 20, tsS(0)), wasm: () => x.lowest(p.low, n, 20, S(0)),
    }),
    cross: () => ({
      kernel: 'cross', items: n, returnsStatus: true, outputs: [series(0)],
      ts: () => cross(sma10, sma30, n, tsS(0)), wasm: () => x.cross(p.sma10, p.sma30, n, S(0)),
    }),
    sizeFraction: () => ({
      kernel: 'sizeFraction', items: n, returnsStatus: true, outputs: [series(0)],
      ts: () => sizeFraction(equity, close, n, fraction, lot, 1, tsS(0)),
      wasm: () => x.sizeFraction(p.equity, p.close, n, fraction, lot, 1, S(0)),
    }),
    sizeRisk: () => ({
      kernel: 'sizeRisk', items: n, returnsStatus: true, outputs: [series(0)],
      ts: () => sizeRisk(equity, close, stopDistance, n, risk, minPriceRisk, maxLeverage, lot, 1, tsS(0)),
      wasm: () => x.sizeRisk(p.equity, p.close, p.stop, n, risk, minPriceRisk, maxLeverage, lot, 1, S(0)),
    }),
    returns: () => ({
      kernel: 'returns', items: n, returnsStatus: true, outputs: [series(0, n - 1)],
      ts: () => returns(equity, n, tsS(0)), wasm: () => x.returns(p.equity, n, S(0)),
    }),
    totalReturn: () => ({
      kernel: 'totalReturn', items: n, returnsStatus: false, outputs: [],
      ts: () => totalReturn(equity, n), wasm: () => x.totalReturn(p.equity, n),
    }),
    sharpe: () => ({
      kernel: 'sharpe', items: n - 1, returnsStatus: false, outputs: [],
      ts: () => sharpe(rets, n - 1, ppy), wasm: () => x.sharpe(p.rets, n - 1, ppy),
    }),
    sortino: () => ({
      kernel: 'sortino', items: n - 1, returnsStatus: false, outputs: [],
      ts: () => sortino(rets, n - 1, ppy), wasm: () => x.sortino(p.rets, n - 1, ppy),
    }),
    maxDrawdown: () => ({
      kernel: 'maxDrawdown', items: n, returnsStatus: false, outputs: [],
      ts: () => maxDrawdown(equity, n), wasm: () => x.maxDrawdown(p.equity, n),
    }),
    annualReturn: () => ({
      kernel: 'annualReturn', items: n, returnsStatus: false, outputs: [],
      ts: () => annualReturn(equity, n, ppy), wasm: () => x.annualReturn(p.equity, n, ppy),
    }),
    calmar: () => ({
      kernel: 'calmar', items: n, returnsStatus: false, outputs: [],
      ts: () => calmar(equity, n, ppy), wasm: () => x.calmar(p.equity, n, ppy),
    }),
    winRate: () => ({
      kernel: 'winRate', items: T, returnsStatus: false, outputs: [],
      ts: () => winRate(pnl, T), wasm: () => x.winRate(p.pnl, T),
    }),
    profitFactor: () => ({
      kernel: 'profitFactor', items: T, returnsStatus: false, outputs: [],
      ts: () => profitFactor(pnl, T), wasm: () => x.profitFactor(p.pnl, T),
    }),
    exposure: () => ({
      kernel: 'exposure', items: n, returnsStatus: false, outputs: [],
      ts: () => exposure(units, n), wasm: () => x.exposure(p.units, n),
    }),
    // The (close, open) pairs the sma-cross batch reads, laid out once per market.
    interleaveBars: () => ({
      kernel: 'interleaveBars', items: n, returnsStatus: true, outputs: [{ ts: tsBlock.subarray(0, 2 * n), ptr: S(0), length: 2 * n }],
      ts: () => interleaveBars(open, close, n, tsBlock), wasm: () => x.interleaveBars(p.open, p.close, n, S(0)),
    }),
    smaCross: () => {
      const met = tsMet.subarray(0, MET_LENGTH);
      return {
        kernel: 'smaCross', items: n, returnsStatus: true, outputs: strategyOutputs(),
        ts: () => smaCross(open, high, low, close, n, smaGenes, cfgSma, met, tsEq, tsTr, cap),
        wasm: () => x.smaCross(p.open, p.high, p.low, p.close, n, p.smaGenes, p.cfgSma, p.met, p.eq, p.tr, cap),
      };
    },
    smaCrossBatch: () => {
      const met = tsMet.subarray(0, nSma * MET_LENGTH);
      return {
        kernel: 'smaCrossBatch', items: n, genomes: nSma, returnsStatus: true, outputs: [metrics(nSma)],
        ts: () => smaCrossBatch(tsBars, n, smaGenomes, nSma, cfgSma, met, tsSmaScratch, smaBatchBytes),
        wasm: () => x.smaCrossBatch(p.bars, n, p.smaGenomes, nSma, p.cfgSma, p.met, p.smaScratch, smaBatchBytes),
      };
    },
    simulate: () => {
      const met = tsMet.subarray(0, MET_LENGTH);
      const r = simRows[1]!; // with a stop
      const [tg, sd] = simPtrs[1]! as [number, number];
      return {
        kernel: 'simulate', items: n, returnsStatus: true, outputs: strategyOutputs(),
        ts: () => simulate(open, high, low, close, n, r.target, r.stop, r.take, r.riskPerTrade, cfgSma, met, tsEq, tsTr, cap),
        wasm: () => x.simulate(p.open, p.high, p.low, p.close, n, tg, sd, 0, r.riskPerTrade, p.cfgSma, p.met, p.eq, p.tr, cap),
      };
    },
    simulateBatch: () => {
      const met = tsMet.subarray(0, nSma * MET_LENGTH);
      return {
        kernel: 'simulateBatch', items: n, genomes: nSma, returnsStatus: true, outputs: [metrics(nSma)],
        ts: () => simulateBatch(open, high, low, close, n, simRows, nSma, cfgSma, met),
        wasm: () => x.simulateBatch(p.open, p.high, p.low, p.close, n, p.simTable, nSma, p.cfgSma, p.met),
      };
    },
    stochRsiBands: () => {
      const met = tsMet.subarray(0, MET_LENGTH);
      return {
        kernel: 'stochRsiBands', items: n, returnsStatus: true, outputs: strategyOutputs(),
        ts: () => stochRsiBands(open, high, low, close, n, srbGenes, cfgSrb, met, tsEq, tsTr, cap, tsBlock, srbScratchBytes),
        wasm: () => x.stochRsiBands(
          p.open, p.high, p.low, p.close, n, p.srbGenes, p.cfgSrb, p.met, p.eq, p.tr, cap, p.block, srbScratchBytes,
        ),
      };
    },
    stochRsiBandsBacktest: () => {
      const met = tsMet.subarray(0, MET_LENGTH);
      const bytes = stochRsiBandsBatchScratchBytes(n, 1);
      return {
        kernel: 'stochRsiBandsBacktest', items: n, returnsStatus: true, outputs: strategyOutputs(),
        ts: () => stochRsiBandsBacktest(open, high, low, close, n, srbGenes, cfgSrb, met, tsEq, tsTr, cap, tsBlock, bytes),
        wasm: () => x.stochRsiBandsBacktest(
          p.open, p.high, p.low, p.close, n, p.srbGenes, p.cfgSrb, p.met, p.eq, p.tr, cap, p.block, bytes,
        ),
      };
    },
    stochRsiBandsBatch: () => {
      const met = tsMet.subarray(0, nSrb * MET_LENGTH);
      return {
        kernel: 'stochRsiBandsBatch', items: n, genomes: nSrb, returnsStatus: true, outputs: [metrics(nSrb)],
        ts: () => stochRsiBandsBatch(open, high, low, close, n, srbGenomes, nSrb, cfgSrb, met, tsBlock, srbBatchBytes),
        wasm: () => x.stochRsiBandsBatch(p.open, p.high, p.low, p.close, n, p.srbGenomes, nSrb, p.cfgSrb, p.met, p.block, srbBatchBytes),
      };
    },
  };
  return kernels.map((k) => all[k]());
}

export function status(kernel: string, s: number): void {
  if (s !== OK) throw kernelError(`kernel bench: ${kernel} failed with status ${s}: ${statusMessage(s)}`);
}
