// Built-in `stoch-rsi-bands` (SPEC section 4). Its fast path is the fused kernel of
// src/kernels/strategies/stoch-rsi-bands.ts (and its WASM twin); `signals` states the same rules
// through the public module API, with the run's ATR period for stops (option atrPeriod).
import { defineStrategy } from '../strategy/define.js';

/** ATR period of the built-in's stops and bands when the module path runs it (the option's default). */
const ATR_PERIOD = 14;

export default defineStrategy({
  name: 'stoch-rsi-bands',
  description: 'StochRSI %K/%D crosses inside volatility-adjusted bands, ATR stop and target, risk sizing',
  sizing: 'risk',
  allowShort: false,
  genes: [
    { name: 'rsiK', min: 2, max: 50, limit: [1, 1e6], kind: 'int', default: 14, description: 'RSI period' },
    { name: 'stochK', min: 2, max: 50, limit: [1, 1e6], kind: 'int', default: 14, description: 'StochRSI lookback' },
    { name: 'kSmooth', min: 1, max: 10, limit: [1, 1e6], kind: 'int', default: 3, description: '%K smoothing (SMA)' },
    { name: 'dSmooth', min: 1, max: 10, limit: [1, 1e6], kind: 'int', default: 3, description: '%D smoothing (SMA of %K)' },
    { name: 'oversold', min: 5, max: 45, limit: [0, 100], kind: 'real', default: 20, description: 'base lower band' },
    { name: 'overbought', min: 55, max: 95, limit: [0, 100], kind: 'real', default: 80, description: 'base upper band' },
    { name: 'atrK', min: 5, max: 50, limit: [1, 1e6], kind: 'int', default: 20, description: 'SMA period of ATR for the volatility ratio' },
    { name: 'sensitivity', min: 1.05, max: 2.0, limit: [1, 1000], kind: 'real', default: 1.5, description: 'volatility ratio that moves the bands' },
    { name: 'adjust', min: 0, max: 1, limit: [0, 100], kind: 'real', default: 0.5, description: 'how far the bands move' },
    { name: 'stopAtr', min: 0.5, max: 6, limit: [0.01, 1000], kind: 'real', default: 2, description: 'stop-loss distance in ATRs' },
    { name: 'takeProfitAtr', min: 0.5, max: 10, limit: [0.01, 1000], kind: 'real', default: 3, description: 'take-profit distance in ATRs' },
    { name: 'riskPerTrade', min: 0.002, max: 0.05, limit: [1e-6, 1], kind: 'real', default: 0.01, description: 'equity fraction risked per trade' },
  ],
  signals(ctx, p) {
    const { k, d } = ctx.ind.stochRsi(ctx.close, p.rsiK!, p.stochK!, p.kSmooth!, p.dSmooth!);
    const atr = ctx.ind.atr(ctx.high, ctx.low, ctx.close, ATR_PERIOD);
    const { lower, upper } = ctx.ind.bands(atr, p.atrK!, p.oversold!, p.overbought!, p.sensitivity!, p.adjust!);
    const n = ctx.length;
    const entries = new Uint8Array(n);
    const exits = new Uint8Array(n);
    const shortEntries = new Uint8Array(n);
    const shortExits = new Uint8Array(n);
    const stopDistance = new Float64Array(n);
    const takeDistance = new Float64Array(n);
    for (let t = 1; t < n; t++) {
      const a = atr[t]!;
      // No entry without a positive ATR (no stop to size by).
      if (a > 0) {
        entries[t] = k[t - 1]! <= d[t - 1]! && k[t]! > d[t]! && k[t]! < lower[t]! ? 1 : 0;
        shortEntries[t] = k[t - 1]! >= d[t - 1]! && k[t]! < d[t]! && k[t]! > upper[t]! ? 1 : 0;
      }
      exits[t] = k[t]! > upper[t]! ? 1 : 0;
      shortExits[t] = k[t]! < lower[t]! ? 1 : 0;
      stopDistance[t] = p.stopAtr! * a;
      takeDistance[t] = p.takeProfitAtr! * a;
    }
    return { entries, exits, shortEntries, shortExits, stopDistance, takeDistance };
  },
});
