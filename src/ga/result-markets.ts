import { marketName } from '../data/market.js';
import type { EvolveResult, MarketMetrics, RankedGenome, ResultMarket } from './result-types.js';

// One way to read a result's markets whether it has one or several: a single-market result
// keeps today's fields only (no `markets`), and these give it the basket's shape.

/** The result's markets: `markets`, or the one market described by `data` and `windows`. */
export function resultMarkets(r: EvolveResult): ResultMarket[] {
  if (r.markets !== undefined) return r.markets;
  const d = r.data;
  return [{
    name: marketName(d), source: d.source, digest: d.sha256, bars: d.bars, from: d.from, to: d.to, windows: r.windows,
    minTradesPerWindow: r.config.minTradesPerWindow, curve: r.curve,
  }];
}

/** A hall-of-fame or Pareto-front entry's metrics per market (one market: its own fields). */
export function genomeMarkets(r: EvolveResult, h: RankedGenome): MarketMetrics[] {
  if (h.markets !== undefined) return h.markets;
  return [{ name: marketName(r.data), inSample: h.inSample, outOfSample: h.outOfSample, holdout: h.holdout, folds: h.folds }];
}
