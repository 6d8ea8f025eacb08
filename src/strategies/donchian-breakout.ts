// Built-in `donchian-breakout`, written only with the public module API: copy this file to start
// your own strategy (in a copy, import defineStrategy from 'evoquant').
//
// Rules (the turtle traders' channel breakout): long when the close breaks above the highest
// high of the previous `entry` bars, short when it breaks below the lowest low; a long exits when
// the close falls below the lowest low of the previous `exit` bars (a short above the highest
// high); every entry carries a stop at stopAtr x ATR(14) from the fill.
import { defineStrategy } from '../strategy/define.js';

export default defineStrategy({
  name: 'donchian-breakout',
  description: 'channel breakout of the rolling high/low, shorter exit channel, ATR stop-loss',
  genes: [
    { name: 'entry', min: 5, max: 120, kind: 'int', default: 20, description: 'entry channel (bars)' },
    { name: 'exit', min: 2, max: 60, kind: 'int', default: 10, description: 'exit channel (bars)' },
    { name: 'stopAtr', min: 0.5, max: 8, kind: 'real', default: 2, description: 'stop-loss distance in ATR(14)s' },
  ],
  signals(ctx, p) {
    const upper = ctx.ind.highest(ctx.high, p.entry!);
    const lower = ctx.ind.lowest(ctx.low, p.entry!);
    const exitHigh = ctx.ind.highest(ctx.high, p.exit!);
    const exitLow = ctx.ind.lowest(ctx.low, p.exit!);
    const atr = ctx.ind.atr(ctx.high, ctx.low, ctx.close, 14);
    const n = ctx.length;
    const entries = new Uint8Array(n);
    const exits = new Uint8Array(n);
    const shortEntries = new Uint8Array(n);
    const shortExits = new Uint8Array(n);
    const stopDistance = new Float64Array(n);
    for (let t = 1; t < n; t++) {
      // Channels of the bars before t: a breakout is a close beyond what came before.
      const c = ctx.close[t]!;
      entries[t] = c > upper[t - 1]! ? 1 : 0;
      shortEntries[t] = c < lower[t - 1]! ? 1 : 0;
      exits[t] = c < exitLow[t - 1]! ? 1 : 0;
      shortExits[t] = c > exitHigh[t - 1]! ? 1 : 0;
      stopDistance[t] = p.stopAtr! * atr[t]!;
    }
    return { entries, exits, shortEntries, shortExits, stopDistance };
  },
});
