// Family `stoch-rsi-bands` (SPEC section 4): StochRSI %K/%D crosses inside volatility-adjusted
// bands, ATR stops and targets, `risk` sizing. Twin: assembly/strategies/stoch-rsi-bands.ts.
import { OK, E_LENGTH, E_PERIOD, E_PARAM, E_SCRATCH } from '../status.js';
import { CFG_FILL, CFG_SHORTS, CFG_ATR_PERIOD, FILL_CLOSE, EXIT_SIGNAL } from '../layout.js';
import { stochRsi } from '../indicators/stoch-rsi.js';
import { atr } from '../indicators/atr.js';
import { bands } from '../indicators/bands.js';
import * as acc from './account-scalar.js';

export const STOCH_RSI_BANDS_GENES = 12;
/** Scratch series the kernel needs: RSI, raw StochRSI, %K, %D, ATR, lower and upper band. */
export const STOCH_RSI_BANDS_SCRATCH = 7;

/**
 * One genome [rsiK, stochK, kSmooth, dSmooth, oversold, overbought, atrK, sensitivity, adjust,
 * stopAtr, takeProfitAtr, riskPerTrade] over bars [0, n). Long entry when flat and %K crosses
 * above %D while %K < lower band; exit when %K > upper band, or at the stop (entry - stopAtr x
 * ATR) or target (entry + takeProfitAtr x ATR), ATR taken at the signal bar. Shorts mirrored
 * when CFG_SHORTS is set. Stops are checked from the fill bar on (next-open) or from the bar
 * after it (close fills, whose fill bar's range is already past). Signals are decided from
 * accountFirstSignal(1) on: bars before the window's origin (CFG_ORIGIN) only warm the
 * indicators up (the cross at the origin looks at the bar before it). scratch holds
 * STOCH_RSI_BANDS_SCRATCH * n values.
 */
export function stochRsiBands(
  open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, n: number,
  genes: Float64Array, cfg: Float64Array, out: Float64Array, equity: Float64Array | null,
  trades: Float64Array | null, tradesCap: number, scratch: Float64Array, scratchBytes: number,
): number {
  return stochRsiBandsRun(open, high, low, close, n, genes, cfg, out, equity, trades, tradesCap, scratch, scratchBytes, false);
}

/**
 * The series kernel; with atrReady the ATR (which depends only on the config) is already in
 * scratch. The batch kernel (stoch-rsi-bands-batch.ts) falls back to it for unusual inputs.
 */
export function stochRsiBandsRun(
  open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, n: number,
  genes: Float64Array, cfg: Float64Array, out: Float64Array, equity: Float64Array | null,
  trades: Float64Array | null, tradesCap: number, scratch: Float64Array, scratchBytes: number,
  atrReady: boolean,
): number {
  if (n < 1) return E_LENGTH;
  if (scratchBytes < n * 8 * STOCH_RSI_BANDS_SCRATCH) return E_SCRATCH;
  const rsiK = genes[0]! | 0;
  const stochK = genes[1]! | 0;
  const kSmooth = genes[2]! | 0;
  const dSmooth = genes[3]! | 0;
  const atrK = genes[6]! | 0;
  const atrPeriod = cfg[CFG_ATR_PERIOD]! | 0;
  if (rsiK < 1 || stochK < 1 || kSmooth < 1 || dSmooth < 1 || atrK < 1 || atrPeriod < 1) return E_PERIOD;
  const sensitivity = genes[7]!;
  if (!(sensitivity > 0)) return E_PARAM;
  const stopAtr = genes[9]!;
  const takeProfitAtr = genes[10]!;

  const sRsi = scratch.subarray(0, n);
  const sStoch = scratch.subarray(n, 2 * n);
  const sK = scratch.subarray(2 * n, 3 * n);
  const sD = scratch.subarray(3 * n, 4 * n);
  const sAtr = scratch.subarray(4 * n, 5 * n);
  const sLo = scratch.subarray(5 * n, 6 * n);
  const sHi = scratch.subarray(6 * n, 7 * n);
  stochRsi(close, n, rsiK, stochK, kSmooth, dSmooth, sRsi, sStoch, sK, sD);
  if (!atrReady) atr(high, low, close, n, atrPeriod, sAtr);
  bands(sAtr, n, atrK, genes[4]!, genes[5]!, sensitivity, genes[8]!, sLo, sHi);

  const closeFill = (cfg[CFG_FILL]! | 0) === FILL_CLOSE;
  const shorts = cfg[CFG_SHORTS] !== 0;
  acc.accInit(cfg, equity, trades, tradesCap);
  acc.accSetRiskPerTrade(genes[11]!);
  const first = acc.accFirstSignal(1); // the cross looks at bar t - 1; nothing is decided before the window
  let pending = false;
  let pendingTarget = 0;
  let pendingStop = 0;
  let pendingTake = 0;
  for (let t = 0; t < n; t++) {
    if (pending) {
      acc.accOrder(pendingTarget, open[t]!, t, EXIT_SIGNAL, pendingStop, pendingTake);
      pending = false;
    }
    if (acc.dir !== 0 && (closeFill ? t > acc.entryBar : t >= acc.entryBar)) {
      acc.accCheckStops(open[t]!, high[t]!, low[t]!, t);
    }
    const c = close[t]!;
    if (t >= first && t <= n - 2) {
      const k = sK[t]!;
      const d = sD[t]!;
      const pk = sK[t - 1]!;
      const pd = sD[t - 1]!;
      const lo = sLo[t]!;
      const hi = sHi[t]!;
      let target = 2;
      if (acc.dir === 0) {
        if (pk <= pd && k > d && k < lo) target = 1;
        else if (shorts && pk >= pd && k < d && k > hi) target = -1;
      } else if (acc.dir > 0) {
        if (k > hi) target = 0;
      } else if (k < lo) {
        target = 0;
      }
      if (target !== 2) {
        const a = sAtr[t]!;
        const stopDistance = target !== 0 ? stopAtr * a : 0.0;
        const takeDistance = target !== 0 ? takeProfitAtr * a : 0.0;
        if (target === 0 || a > 0) {
          if (closeFill) acc.accOrder(target, c, t, EXIT_SIGNAL, stopDistance, takeDistance);
          else {
            pending = true;
            pendingTarget = target;
            pendingStop = stopDistance;
            pendingTake = takeDistance;
          }
        }
      }
    }
    acc.accMark(c, t);
  }
  acc.accFinish(n, close[n - 1]!, out);
  return OK;
}
