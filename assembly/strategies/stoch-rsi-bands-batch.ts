// The stoch-rsi-bands population kernel (W2 and the GA): for every genome exactly the metrics of
// stochRsiBands (stoch-rsi-bands.ts; the contract and W2 tests compare them), computed in a
// better order of memory and work. Twin: src/kernels/strategies/stoch-rsi-bands-batch.ts.
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
import { ld, st } from "../memory";
import { OK, E_LENGTH, E_PERIOD, E_PARAM, E_SCRATCH, E_STOPPED } from "../status";
import { shouldStop } from "../host";
import { CFG_ATR_PERIOD, MET_LENGTH } from "../layout";
import { rsi } from "../indicators/rsi";
import { atr } from "../indicators/atr";
import { firstValid } from "../indicators/common";
import { STOCH_RSI_BANDS_GENES, STOCH_RSI_BANDS_SCRATCH, stochRsiBandsRun } from "./stoch-rsi-bands";
import { MAX_SMOOTH, PASS_WORK, stochRsiBandsGenome } from "./stoch-rsi-bands-pass";

const KEY_SHIFT: f64 = 4294967296.0; // 2^32: key = rsiK * 2^32 + ...
const INDEX_SHIFT: f64 = 1048576.0; // 2^20: ... + stochK * 2^20 + input index

/** Scratch bytes of stochRsiBandsBatch: the series kernel's 7n values, one genome's work, one key per genome. */
export function stochRsiBandsBatchScratchBytes(n: i32, count: i32): usize {
  return (<usize>n * STOCH_RSI_BANDS_SCRATCH + <usize>PASS_WORK + <usize>count) * 8 + 16;
}

// Heap sort of count f64 keys in place (ascending).
function sortKeys(keys: usize, count: i32): void {
  for (let i = (count >> 1) - 1; i >= 0; i--) siftDown(keys, i, count);
  for (let end = count - 1; end > 0; end--) {
    const top = ld(keys, 0);
    st(keys, 0, ld(keys, end));
    st(keys, end, top);
    siftDown(keys, 0, end);
  }
}

function siftDown(keys: usize, i: i32, size: i32): void {
  const x = ld(keys, i);
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && ld(keys, c + 1) > ld(keys, c)) c++;
    if (!(ld(keys, c) > x)) break;
    st(keys, i, ld(keys, c));
    i = c;
  }
  st(keys, i, x);
}

/** stochRsiBands for count genomes (STOCH_RSI_BANDS_GENES each) into count * MET_LENGTH metrics. */
export function stochRsiBandsBatch(
  open: usize, high: usize, low: usize, close: usize, n: i32, genomes: usize, count: i32,
  cfg: usize, out: usize, scratch: usize, scratchBytes: usize,
): i32 {
  if (n < 1) return E_LENGTH;
  if (count < 0) return E_LENGTH;
  if (scratchBytes < stochRsiBandsBatchScratchBytes(n, count)) return E_SCRATCH;
  const atrPeriod = <i32>ld(cfg, CFG_ATR_PERIOD);
  if (atrPeriod < 1) return E_PERIOD;
  // The checks of the series kernel, in input order, so a bad genome gives the same status.
  for (let g = 0; g < count; g++) {
    const gp = genomes + <usize>(g * STOCH_RSI_BANDS_GENES) * 8;
    if (<i32>ld(gp, 0) < 1 || <i32>ld(gp, 1) < 1 || <i32>ld(gp, 2) < 1 || <i32>ld(gp, 3) < 1 || <i32>ld(gp, 6) < 1) return E_PERIOD;
    if (!(ld(gp, 7) > 0)) return E_PARAM;
  }
  const bytes = <usize>n * 8;
  const sRsi = scratch;
  const sufMin = sRsi + bytes;
  const sufMax = sufMin + bytes;
  const sAtr = scratch + 4 * bytes; // where the series kernel expects the shared ATR
  const sStoch = scratch + 5 * bytes; // the raw StochRSI shared by genomes of one rsiK and stochK
  const work = (scratch + bytes * STOCH_RSI_BANDS_SCRATCH + 15) & ~(<usize>15);
  const keys = work + <usize>PASS_WORK * 8;
  atr(high, low, close, n, atrPeriod, sAtr);
  const fA = firstValid(sAtr, n);
  let finiteCloses = true;
  for (let t = 0; t < n; t++) if (!isFinite(ld(close, t))) finiteCloses = false;
  // Keys rsiK * 2^32 + min(stochK, 4095) * 2^20 + input index (rsiK * 2^32 + index for 2^20
  // genomes or more): genomes of one rsiK, and within it of one stochK, are visited together.
  const byStoch = count < (1 << 20);
  for (let g = 0; g < count; g++) {
    const gp = genomes + <usize>(g * STOCH_RSI_BANDS_GENES) * 8;
    const sk = <i32>ld(gp, 1);
    const mid = byStoch ? <f64>(sk < 4095 ? sk : 4095) * INDEX_SHIFT : 0.0;
    st(keys, g, <f64>(<i32>ld(gp, 0)) * KEY_SHIFT + mid + <f64>g);
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
    const key = ld(keys, j);
    const rsiK = <i32>floor(key / KEY_SHIFT);
    const rest = key - <f64>rsiK * KEY_SHIFT;
    const g = <i32>(byStoch ? rest - floor(rest / INDEX_SHIFT) * INDEX_SHIFT : rest);
    const gp = genomes + <usize>(g * STOCH_RSI_BANDS_GENES) * 8;
    const op = out + <usize>(g * MET_LENGTH) * 8;
    if (!finiteCloses) {
      const s = stochRsiBandsRun(open, high, low, close, n, gp, cfg, op, 0, 0, 0, scratch, scratchBytes, true);
      if (s != OK) return s;
      groupK = 0;
      continue;
    }
    if (rsiK != groupK) {
      cachedStochK = 0;
      rsi(close, n, rsiK, sRsi);
      fR = firstValid(sRsi, n);
      clean = true;
      // No NaN and no sign bit after the warm-up (what the block extremes rely on).
      for (let t = fR; t < n; t++) if (isNaN(ld(sRsi, t)) || load<i64>(sRsi + (<usize>t << 3)) < 0) clean = false;
      groupK = rsiK;
    }
    if (clean && <i32>ld(gp, 2) <= MAX_SMOOTH && <i32>ld(gp, 3) <= MAX_SMOOTH) {
      const stochK = <i32>ld(gp, 1);
      const reuse = stochK == cachedStochK;
      // Keep the raw StochRSI only for a next genome of the same rsiK and stochK.
      let keep = false;
      if (!reuse && j + 1 < count) {
        const nk = ld(keys, j + 1);
        const nr = nk - floor(nk / KEY_SHIFT) * KEY_SHIFT;
        const ng = <i32>(byStoch ? nr - floor(nr / INDEX_SHIFT) * INDEX_SHIFT : nr);
        const np = genomes + <usize>(ng * STOCH_RSI_BANDS_GENES) * 8;
        keep = <i32>ld(np, 0) == rsiK && <i32>ld(np, 1) == stochK;
      }
      stochRsiBandsGenome(open, high, low, close, n, gp, cfg, op, sRsi, fR, sAtr, fA, sufMin, sufMax, work, sStoch, reuse, keep, 0, 0, 0);
      cachedStochK = keep || reuse ? stochK : 0;
    } else {
      cachedStochK = 0;
      // The series kernel recomputes this RSI into sRsi: the same values, so the group stays.
      const s = stochRsiBandsRun(open, high, low, close, n, gp, cfg, op, 0, 0, 0, scratch, scratchBytes, true);
      if (s != OK) return s;
    }
  }
  return OK;
}

/**
 * stochRsiBands for one genome, with its equity (the window's bars) and trades on request:
 * the batch kernel's streaming pass when its assumptions hold (finite closes, an RSI without
 * NaN after its warm-up, kSmooth and dSmooth <= MAX_SMOOTH), else the series kernel. The same
 * metrics, equity and trades either way (the contract tests compare them with the series
 * kernel's). scratch holds stochRsiBandsBatchScratchBytes(n, 1) bytes.
 */
export function stochRsiBandsBacktest(
  open: usize, high: usize, low: usize, close: usize, n: i32, genes: usize, cfg: usize,
  out: usize, equity: usize, trades: usize, tradesCap: i32, scratch: usize, scratchBytes: usize,
): i32 {
  if (n < 1) return E_LENGTH;
  if (scratchBytes < stochRsiBandsBatchScratchBytes(n, 1)) return E_SCRATCH;
  const atrPeriod = <i32>ld(cfg, CFG_ATR_PERIOD);
  if (atrPeriod < 1) return E_PERIOD;
  const rsiK = <i32>ld(genes, 0);
  if (rsiK < 1 || <i32>ld(genes, 1) < 1 || <i32>ld(genes, 2) < 1 || <i32>ld(genes, 3) < 1 || <i32>ld(genes, 6) < 1) return E_PERIOD;
  if (!(ld(genes, 7) > 0)) return E_PARAM;
  const bytes = <usize>n * 8;
  const sRsi = scratch;
  const sufMin = sRsi + bytes;
  const sufMax = sufMin + bytes;
  const sAtr = scratch + 4 * bytes;
  const sStoch = scratch + 5 * bytes;
  const work = (scratch + bytes * STOCH_RSI_BANDS_SCRATCH + 15) & ~(<usize>15);
  atr(high, low, close, n, atrPeriod, sAtr);
  let fast = <i32>ld(genes, 2) <= MAX_SMOOTH && <i32>ld(genes, 3) <= MAX_SMOOTH;
  for (let t = 0; t < n && fast; t++) if (!isFinite(ld(close, t))) fast = false;
  let fR = 0;
  if (fast) {
    rsi(close, n, rsiK, sRsi);
    fR = firstValid(sRsi, n);
    for (let t = fR; t < n && fast; t++) if (isNaN(ld(sRsi, t)) || load<i64>(sRsi + (<usize>t << 3)) < 0) fast = false;
  }
  if (!fast) return stochRsiBandsRun(open, high, low, close, n, genes, cfg, out, equity, trades, tradesCap, scratch, scratchBytes, true);
  stochRsiBandsGenome(open, high, low, close, n, genes, cfg, out, sRsi, fR, sAtr, firstValid(sAtr, n), sufMin, sufMax, work, sStoch, false, false, equity, trades, tradesCap);
  return OK;
}
