// The stoch-rsi-bands population kernel (W2 and the GA): for every genome exactly the metrics of
// stochRsiBands (stoch-rsi-bands.ts; the contract and W2 tests compare them), computed in a
// better order of memory and work. Twin: assembly/strategies/stoch-rsi-bands-batch.ts.
//
// - Shared work: the ATR depends on the config only (once per call); the RSI on rsiK alone and
//   the raw StochRSI on rsiK and stochK, so the genomes are visited in order of rsiK, then
//   stochK (a heap sort of keys rsiK * 2^32 + min(stochK, 4095) * 2^20 + input index) and the
//   RSI series is computed once per distinct rsiK, by the same `rsi` kernel, the raw StochRSI
//   once per run of genomes with the same rsiK and stochK (kept as a series of n values for the
//   next genome only when it shares both). Results are written by input index, so the visiting
//   order changes nothing.
// - One streaming pass per genome (stoch-rsi-bands-pass.ts) instead of five more series of n
//   doubles: chunks of 256 bars, each in a few short passes (the indicators of every bar, then
//   the decisions); the windows of the raw StochRSI and of %K are rings of 512 values, so
//   kSmooth and dSmooth up to 256 take it (longer ones, outside the search bounds, the series
//   kernel). Every value is the same IEEE operation on the same operands as in the series kernels.
// - The StochRSI window's min and max are block (van Herk / Gil-Werman) extremes: the suffix
//   extremes of the previous block of stochK RSI values (computed once per block) and the
//   running extremes of the current block, O(1) per bar with no data-dependent branch, where
//   the monotonic deque mispredicts. They select values, so the result is the deque's. The RSI
//   after its warm-up has no NaN and no sign bit (both checked), so the extremes are taken on
//   the values' bits as i64 (conditional moves; the twin writes Math.min / Math.max).
// - The divisions that make the raw StochRSI, %K and %D have no branch waiting on them: they
//   run in passes of their own, two bars per f64x2 in WASM (each lane the scalar IEEE division).
//   In one loop with the decisions, every mispredicted signal branch waited for its bar's chain
//   of three divisions; in one loop with the running sums, V8 spilled most of the state.
// - A flat bar with nothing pending is skipped unless %K crosses %D inside the bands' bounds
//   (below): such a bar fills nothing, checks no stop, orders nothing and is not marked.
// - The bands are computed only on the bars whose decision can depend on them. With adjust >= 0
//   the lower band never exceeds max(0, oversold + 10) and the upper band is never below
//   min(100, overbought - 10) (widening moves them apart, narrowing by at most 10, the
//   width rule moves each outwards, the clamp to [0, 100]); with a margin of 1e-9 over rounding,
//   a %K outside those bounds decides `k < lo` / `k > hi` without them.
// - Flat bars are not marked: with the position flat and a finite close, accMark adds +0 to each
//   sum and leaves the peak and trough alone (e = cash = the previous equity), so skipping it is
//   exact. Bars where the position was held at any moment (including an entry
//   stopped out within its fill bar) are marked as before; a quiet stretch of a position (no
//   stop or target touched, %K short of the exit band, the mark above ruin) in one
//   accountMarkRun, which is the per-bar mark with its state in locals.
// Inputs outside those assumptions (a non-finite close, a NaN inside the RSI after warm-up) take
// the series kernel for the genomes concerned.
import { OK, E_LENGTH, E_PERIOD, E_PARAM, E_SCRATCH, E_STOPPED } from '../status.js';
import { shouldStop } from '../host.js';
import { CFG_ATR_PERIOD, MET_LENGTH } from '../layout.js';
import { rsi } from '../indicators/rsi.js';
import { atr } from '../indicators/atr.js';
import { firstValid } from '../indicators/common.js';
import { STOCH_RSI_BANDS_GENES, STOCH_RSI_BANDS_SCRATCH, stochRsiBandsRun } from './stoch-rsi-bands.js';
import { MAX_SMOOTH, PASS_WORK, stochRsiBandsGenome } from './stoch-rsi-bands-pass.js';

const KEY_SHIFT = 4294967296.0; // 2^32: key = rsiK * 2^32 + ...
const INDEX_SHIFT = 1048576.0; // 2^20: ... + stochK * 2^20 + input index

/** Scratch bytes of stochRsiBandsBatch: the series kernel's 7n values, one genome's work, one key per genome. */
export function stochRsiBandsBatchScratchBytes(n: number, count: number): number {
  return (n * STOCH_RSI_BANDS_SCRATCH + PASS_WORK + count) * 8 + 16;
}

// Heap sort of count keys in place (ascending).
function sortKeys(keys: Float64Array, count: number): void {
  for (let i = (count >> 1) - 1; i >= 0; i--) siftDown(keys, i, count);
  for (let end = count - 1; end > 0; end--) {
    const top = keys[0]!;
    keys[0] = keys[end]!;
    keys[end] = top;
    siftDown(keys, 0, end);
  }
}

function siftDown(keys: Float64Array, i: number, size: number): void {
  const x = keys[i]!;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && keys[c + 1]! > keys[c]!) c++;
    if (!(keys[c]! > x)) break;
    keys[i] = keys[c]!;
    i = c;
  }
  keys[i] = x;
}

/** stochRsiBands for count genomes (STOCH_RSI_BANDS_GENES each) into count * MET_LENGTH metrics. */
export function stochRsiBandsBatch(
  open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, n: number,
  genomes: Float64Array, count: number, cfg: Float64Array, out: Float64Array, scratch: Float64Array,
  scratchBytes: number,
): number {
  if (n < 1) return E_LENGTH;
  if (count < 0) return E_LENGTH;
  if (scratchBytes < stochRsiBandsBatchScratchBytes(n, count)) return E_SCRATCH;
  const atrPeriod = cfg[CFG_ATR_PERIOD]! | 0;
  if (atrPeriod < 1) return E_PERIOD;
  // The checks of the series kernel, in input order, so a bad genome gives the same status.
  for (let g = 0; g < count; g++) {
    const o = g * STOCH_RSI_BANDS_GENES;
    if ((genomes[o]! | 0) < 1 || (genomes[o + 1]! | 0) < 1 || (genomes[o + 2]! | 0) < 1 || (genomes[o + 3]! | 0) < 1 || (genomes[o + 6]! | 0) < 1) return E_PERIOD;
    if (!(genomes[o + 7]! > 0)) return E_PARAM;
  }
  const sRsi = scratch.subarray(0, n);
  const sufMin = scratch.subarray(n, 2 * n);
  const sufMax = scratch.subarray(2 * n, 3 * n);
  const sAtr = scratch.subarray(4 * n, 5 * n); // where the series kernel expects the shared ATR
  const sStoch = scratch.subarray(5 * n, 6 * n); // the raw StochRSI shared by genomes of one rsiK and stochK
  const w0 = STOCH_RSI_BANDS_SCRATCH * n;
  const work = scratch.subarray(w0, w0 + PASS_WORK);
  const keys = scratch.subarray(w0 + PASS_WORK, w0 + PASS_WORK + count);
  atr(high, low, close, n, atrPeriod, sAtr);
  const fA = firstValid(sAtr, n);
  let finiteCloses = true;
  for (let t = 0; t < n; t++) if (!Number.isFinite(close[t]!)) finiteCloses = false;
  // Keys rsiK * 2^32 + min(stochK, 4095) * 2^20 + input index (rsiK * 2^32 + index for 2^20
  // genomes or more): genomes of one rsiK, and within it of one stochK, are visited together.
  const byStoch = count < 1 << 20;
  for (let g = 0; g < count; g++) {
    const o = g * STOCH_RSI_BANDS_GENES;
    const sk = genomes[o + 1]! | 0;
    keys[g] = (genomes[o]! | 0) * KEY_SHIFT + (byStoch ? (sk < 4095 ? sk : 4095) * INDEX_SHIFT : 0) + g;
  }
  sortKeys(keys, count);
  let groupK = 0;
  let fR = 0;
  let clean = false;
  // The raw StochRSI of the last genome of the fast path, kept for the next one of the same
  // rsiK and stochK (0 = none; the series kernel overwrites it).
  let cachedStochK = 0;
  for (let j = 0; j < count; j++) {
    if (shouldStop()) return E_STOPPED;
    const key = keys[j]!;
    const rsiK = Math.floor(key / KEY_SHIFT);
    const rest = key - rsiK * KEY_SHIFT;
    const g = byStoch ? rest - Math.floor(rest / INDEX_SHIFT) * INDEX_SHIFT : rest;
    const gs = genomes.subarray(g * STOCH_RSI_BANDS_GENES, (g + 1) * STOCH_RSI_BANDS_GENES);
    const os = out.subarray(g * MET_LENGTH, (g + 1) * MET_LENGTH);
    if (!finiteCloses) {
      const s = stochRsiBandsRun(open, high, low, close, n, gs, cfg, os, null, null, 0, scratch, scratchBytes, true);
      if (s !== OK) return s;
      groupK = 0;
      continue;
    }
    if (rsiK !== groupK) {
      cachedStochK = 0;
      rsi(close, n, rsiK, sRsi);
      fR = firstValid(sRsi, n);
      clean = true;
      // No NaN and no sign bit after the warm-up (what the block extremes rely on).
      for (let t = fR; t < n; t++) if (Number.isNaN(sRsi[t]!) || Object.is(sRsi[t], -0) || sRsi[t]! < 0) clean = false;
      groupK = rsiK;
    }
    if (clean && (gs[2]! | 0) <= MAX_SMOOTH && (gs[3]! | 0) <= MAX_SMOOTH) {
      const stochK = gs[1]! | 0;
      const reuse = stochK === cachedStochK;
      // Keep the raw StochRSI only for a next genome of the same rsiK and stochK.
      let keep = false;
      if (!reuse && j + 1 < count) {
        const nk = keys[j + 1]!;
        const nr = nk - Math.floor(nk / KEY_SHIFT) * KEY_SHIFT;
        const ng = byStoch ? nr - Math.floor(nr / INDEX_SHIFT) * INDEX_SHIFT : nr;
        const o = ng * STOCH_RSI_BANDS_GENES;
        keep = (genomes[o]! | 0) === rsiK && (genomes[o + 1]! | 0) === stochK;
      }
      stochRsiBandsGenome(open, high, low, close, n, gs, cfg, os, sRsi, fR, sAtr, fA, sufMin, sufMax, work, sStoch, reuse, keep);
      cachedStochK = keep || reuse ? stochK : 0;
    } else {
      cachedStochK = 0;
      // The series kernel recomputes this RSI into sRsi: the same values, so the group stays.
      const s = stochRsiBandsRun(open, high, low, close, n, gs, cfg, os, null, null, 0, scratch, scratchBytes, true);
      if (s !== OK) return s;
    }
  }
  return OK;
}

/**
 * stochRsiBands for one genome with its equity and trades on request: the streaming pass when
 * its assumptions hold, else the series kernel (twin). scratch holds
 * stochRsiBandsBatchScratchBytes(n, 1) bytes.
 */
export function stochRsiBandsBacktest(
  open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, n: number,
  genes: Float64Array, cfg: Float64Array, out: Float64Array, equity: Float64Array | null,
  trades: Float64Array | null, tradesCap: number, scratch: Float64Array, scratchBytes: number,
): number {
  if (n < 1) return E_LENGTH;
  if (scratchBytes < stochRsiBandsBatchScratchBytes(n, 1)) return E_SCRATCH;
  const atrPeriod = cfg[CFG_ATR_PERIOD]! | 0;
  if (atrPeriod < 1) return E_PERIOD;
  const rsiK = genes[0]! | 0;
  if (rsiK < 1 || (genes[1]! | 0) < 1 || (genes[2]! | 0) < 1 || (genes[3]! | 0) < 1 || (genes[6]! | 0) < 1) return E_PERIOD;
  if (!(genes[7]! > 0)) return E_PARAM;
  const sRsi = scratch.subarray(0, n);
  const sufMin = scratch.subarray(n, 2 * n);
  const sufMax = scratch.subarray(2 * n, 3 * n);
  const sAtr = scratch.subarray(4 * n, 5 * n);
  const sStoch = scratch.subarray(5 * n, 6 * n);
  const w0 = STOCH_RSI_BANDS_SCRATCH * n;
  const work = scratch.subarray(w0, w0 + PASS_WORK);
  atr(high, low, close, n, atrPeriod, sAtr);
  let fast = (genes[2]! | 0) <= MAX_SMOOTH && (genes[3]! | 0) <= MAX_SMOOTH;
  for (let t = 0; t < n && fast; t++) if (!Number.isFinite(close[t]!)) fast = false;
  let fR = 0;
  if (fast) {
    rsi(close, n, rsiK, sRsi);
    fR = firstValid(sRsi, n);
    for (let t = fR; t < n && fast; t++) if (Number.isNaN(sRsi[t]!) || Object.is(sRsi[t], -0) || sRsi[t]! < 0) fast = false;
  }
  if (!fast) return stochRsiBandsRun(open, high, low, close, n, genes, cfg, out, equity, trades, tradesCap, scratch, scratchBytes, true);
  stochRsiBandsGenome(open, high, low, close, n, genes, cfg, out, sRsi, fR, sAtr, firstValid(sAtr, n), sufMin, sufMax, work, sStoch, false, false, equity, trades, tradesCap);
  return OK;
}
