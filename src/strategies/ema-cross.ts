// Built-in `ema-cross`, written only with the public module API: copy this file to start your
// own strategy (in a copy, import defineStrategy from 'evoquant').
//
// Rules: long when the fast EMA crosses above the slow EMA, short when it crosses below (flat
// instead with long-only); every entry carries a stop at stopAtr x ATR(atrPeriod) from the fill.
import { defineStrategy } from '../strategy/define.js';

export default defineStrategy({
  name: 'ema-cross',
  description: 'fast/slow EMA crossover with an ATR stop-loss',
  genes: [
    { name: 'fast', min: 2, max: 50, kind: 'int', default: 12, description: 'fast EMA period' },
    { name: 'slow', min: 5, max: 200, kind: 'int', default: 26, description: 'slow EMA period' },
    { name: 'atrPeriod', min: 5, max: 50, kind: 'int', default: 14, description: 'ATR period of the stop' },
    { name: 'stopAtr', min: 0.5, max: 8, kind: 'real', default: 3, description: 'stop-loss distance in ATRs' },
  ],
  // Keep fast < slow (idempotent: a valid genome is left as it is).
  repair(p) {
    if (p.fast! >= p.slow!) p.slow = p.fast! + 1;
  },
  signals(ctx, p) {
    const f = ctx.ind.ema(ctx.close, p.fast!);
    const s = ctx.ind.ema(ctx.close, p.slow!);
    const atr = ctx.ind.atr(ctx.high, ctx.low, ctx.close, p.atrPeriod!);
    const n = ctx.length;
    // The crosses as targets (ctx.ind.cross runs the loop of sma-cross's rules as a kernel).
    const target = ctx.ind.cross(f, s);
    const stopDistance = new Float64Array(n);
    // NaN before the ATR's warm-up: no stop then.
    for (let t = 1; t < n; t++) stopDistance[t] = p.stopAtr! * atr[t]!;
    return { target, stopDistance };
  },
});
