// Built-in `bollinger-reversion`, written only with the public module API: copy this file to
// start your own strategy (in a copy, import defineStrategy from 'evoquant').
//
// Rules: Bollinger bands = SMA(period) +- width x rolling sample stdev(period) of the close.
// Long when the close falls below the lower band, exit the long when it is back at or above the
// middle; short when the close rises above the upper band, exit at or below the middle.
import { defineStrategy } from '../strategy/define.js';

export default defineStrategy({
  name: 'bollinger-reversion',
  description: 'mean reversion: buy below the lower Bollinger band, sell above the upper, exit at the middle',
  genes: [
    { name: 'period', min: 5, max: 100, kind: 'int', default: 20, description: 'SMA and stdev period' },
    { name: 'width', min: 0.5, max: 4, kind: 'real', default: 2, description: 'band half-width in standard deviations' },
  ],
  signals(ctx, p) {
    const mid = ctx.ind.sma(ctx.close, p.period!);
    const sd = ctx.ind.stdev(ctx.close, p.period!);
    const n = ctx.length;
    const entries = new Uint8Array(n);
    const exits = new Uint8Array(n);
    const shortEntries = new Uint8Array(n);
    const shortExits = new Uint8Array(n);
    for (let t = 0; t < n; t++) {
      const c = ctx.close[t]!;
      const m = mid[t]!;
      const w = p.width! * sd[t]!;
      entries[t] = c < m - w ? 1 : 0;
      shortEntries[t] = c > m + w ? 1 : 0;
      exits[t] = c >= m ? 1 : 0;
      shortExits[t] = c <= m ? 1 : 0;
    }
    return { entries, exits, shortEntries, shortExits };
  },
});
