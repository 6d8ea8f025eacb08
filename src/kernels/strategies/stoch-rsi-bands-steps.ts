// Steps of the chunked stoch-rsi-bands genome kernel (stoch-rsi-bands-pass.ts): the end of a
// quiet stretch of a position. Twin: assembly/strategies/stoch-rsi-bands-steps.ts (which also
// holds the block extremes and the candidate bits of its f64x2 passes, written inline here).
import * as acc from './account-scalar.js';

/**
 * The first bar u in [t, t1) where the open position (dir, stopLevel, targetLevel, cash,
 * units of the scalar account) could do anything but be marked: a stop or target touched (the
 * checks of accountCheckStops), %K beyond `exitBound` towards the exit band (hiMin long, loMax
 * short: a superset of the exits), or the mark at or below zero (ruin). %K of bar u is
 * ringK[kAt + u].
 */
export function quietUntil(
  t: number, t1: number, low: Float64Array, high: Float64Array, close: Float64Array, ringK: Float64Array, kAt: number, exitBound: number,
): number {
  const lv = acc.stopLevel;
  const tv = acc.targetLevel;
  const cs = acc.cash;
  const us = acc.units;
  let u = t;
  if (acc.dir > 0) {
    for (; u < t1; u++) {
      if (low[u]! <= lv || high[u]! >= tv || ringK[kAt + u]! > exitBound || !(cs + us * close[u]! > 0)) break;
    }
  } else {
    for (; u < t1; u++) {
      if (high[u]! >= lv || low[u]! <= tv || ringK[kAt + u]! < exitBound || !(cs + us * close[u]! > 0)) break;
    }
  }
  return u;
}

