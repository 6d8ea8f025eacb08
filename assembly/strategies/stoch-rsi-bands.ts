// Family `stoch-rsi-bands` (SPEC section 4): StochRSI %K/%D crosses inside volatility-adjusted
// bands, ATR stops and targets, `risk` sizing. Twin: src/kernels/strategies/stoch-rsi-bands.ts.
import { ld } from "../memory";
import { OK, E_LENGTH, E_PERIOD, E_PARAM, E_SCRATCH } from "../status";
import {
  CFG_FILL, CFG_SHORTS, CFG_ATR_PERIOD, FILL_CLOSE, EXIT_SIGNAL,
} from "../layout";
import { stochRsi } from "../indicators/stoch-rsi";
import { atr } from "../indicators/atr";
import { bands } from "../indicators/bands";
import {
  accInit, accOrder, accMark, accFinish, accCheckStops, accSetRiskPerTrade, accFirstSignal, dir, entryBar,
} from "./account-scalar";

export const STOCH_RSI_BANDS_GENES: i32 = 12;
/** Scratch series the kernel needs: RSI, raw StochRSI, %K, %D, ATR, lower and upper band. */
export const STOCH_RSI_BANDS_SCRATCH: i32 = 7;

/**
 * One genome [rsiK, stochK, kSmooth, dSmooth, oversold, overbought, atrK, sensitivity, adjust,
 * stopAtr, takeProfitAtr, riskPerTrade] over bars [0, n). Long entry when flat and %K crosses
 * above %D while %K < lower band; exit when %K > upper band, or at the stop (entry - stopAtr x
 * ATR) or target (entry + takeProfitAtr x ATR), ATR taken at the signal bar. Shorts mirrored
 * when CFG_SHORTS is set. Stops are checked from the fill bar on (next-open) or from the bar
 * after it (close fills, whose fill bar's range is already past). Signals are decided from
 * accountFirstSignal(1) on: bars before the window's origin (CFG_ORIGIN) only warm the
 * indicators up (the cross at the origin looks at the bar before it). scratch holds
 * STOCH_RSI_BANDS_SCRATCH * n f64.
 */
export function stochRsiBands(
  open: usize, high: usize, low: usize, close: usize, n: i32, genes: usize, cfg: usize,
  out: usize, equity: usize, trades: usize, tradesCap: i32, scratch: usize, scratchBytes: usize,
): i32 {
  return stochRsiBandsRun(open, high, low, close, n, genes, cfg, out, equity, trades, tradesCap, scratch, scratchBytes, false);
}

/**
 * The series kernel; with atrReady the ATR (which depends only on the config) is already in
 * scratch. The batch kernel (stoch-rsi-bands-batch.ts) falls back to it for unusual inputs.
 */
export function stochRsiBandsRun(
  open: usize, high: usize, low: usize, close: usize, n: i32, genes: usize, cfg: usize,
  out: usize, equity: usize, trades: usize, tradesCap: i32, scratch: usize, scratchBytes: usize,
  atrReady: bool,
): i32 {
  if (n < 1) return E_LENGTH;
  if (scratchBytes < <usize>n * 8 * STOCH_RSI_BANDS_SCRATCH) return E_SCRATCH;
  const rsiK = <i32>ld(genes, 0);
  const stochK = <i32>ld(genes, 1);
  const kSmooth = <i32>ld(genes, 2);
  const dSmooth = <i32>ld(genes, 3);
  const atrK = <i32>ld(genes, 6);
  const atrPeriod = <i32>ld(cfg, CFG_ATR_PERIOD);
  if (rsiK < 1 || stochK < 1 || kSmooth < 1 || dSmooth < 1 || atrK < 1 || atrPeriod < 1) return E_PERIOD;
  const sensitivity = ld(genes, 7);
  if (!(sensitivity > 0)) return E_PARAM;
  const stopAtr = ld(genes, 9);
  const takeProfitAtr = ld(genes, 10);

  const bytes = <usize>n * 8;
  const sRsi = scratch;
  const sStoch = sRsi + bytes;
  const sK = sStoch + bytes;
  const sD = sK + bytes;
  const sAtr = sD + bytes;
  const sLo = sAtr + bytes;
  const sHi = sLo + bytes;
  stochRsi(close, n, rsiK, stochK, kSmooth, dSmooth, sRsi, sStoch, sK, sD);
  if (!atrReady) atr(high, low, close, n, atrPeriod, sAtr);
  bands(sAtr, n, atrK, ld(genes, 4), ld(genes, 5), sensitivity, ld(genes, 8), sLo, sHi);

  const closeFill = <i32>ld(cfg, CFG_FILL) == FILL_CLOSE;
  const shorts = ld(cfg, CFG_SHORTS) != 0;
  accInit(cfg, equity, trades, tradesCap);
  accSetRiskPerTrade(ld(genes, 11));
  const first = accFirstSignal(1); // the cross looks at bar t - 1; nothing is decided before the window
  let pending = false;
  let pendingTarget = 0;
  let pendingStop: f64 = 0;
  let pendingTake: f64 = 0;
  for (let t = 0; t < n; t++) {
    if (pending) {
      accOrder(pendingTarget, ld(open, t), t, EXIT_SIGNAL, pendingStop, pendingTake);
      pending = false;
    }
    if (dir != 0 && (closeFill ? t > entryBar : t >= entryBar)) {
      accCheckStops(ld(open, t), ld(high, t), ld(low, t), t);
    }
    const c = ld(close, t);
    if (t >= first && t <= n - 2) {
      const k = ld(sK, t);
      const d = ld(sD, t);
      const pk = ld(sK, t - 1);
      const pd = ld(sD, t - 1);
      const lo = ld(sLo, t);
      const hi = ld(sHi, t);
      let target = 2;
      if (dir == 0) {
        if (pk <= pd && k > d && k < lo) target = 1;
        else if (shorts && pk >= pd && k < d && k > hi) target = -1;
      } else if (dir > 0) {
        if (k > hi) target = 0;
      } else if (k < lo) {
        target = 0;
      }
      if (target != 2) {
        const a = ld(sAtr, t);
        const stopDistance = target != 0 ? stopAtr * a : 0.0;
        const takeDistance = target != 0 ? takeProfitAtr * a : 0.0;
        if (target == 0 || a > 0) {
          if (closeFill) accOrder(target, c, t, EXIT_SIGNAL, stopDistance, takeDistance);
          else {
            pending = true;
            pendingTarget = target;
            pendingStop = stopDistance;
            pendingTake = takeDistance;
          }
        }
      }
    }
    accMark(c, t);
  }
  accFinish(n, ld(close, n - 1), out);
  return OK;
}
