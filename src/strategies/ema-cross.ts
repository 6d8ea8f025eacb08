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
    const target = new Float64Array(n).fill(NaN);
    const stopDistance = new Float64Array(n);
    let pf = f[0]!;
    let ps = s[0]!;
    for (let t = 1; t < n; t++) {
      const cf = f[t]!;
      const cs = s[t]!;
      if (pf <= ps && cf > cs) target[t] = 1;
      else if (pf >= ps && cf < cs) target[t] = -1;
      pf = cf;
      ps = cs;
      // NaN before the ATR's warm-up: no stop then.
      stopDistance[t] = p.stopAtr! * atr[t]!;
    }
    return { target, stopDistance };
  },
});
