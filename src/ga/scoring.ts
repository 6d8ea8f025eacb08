import { MET_LENGTH } from '../kernels/layout.js';
import type { Objective } from './fitness.js';
import { MIN_TRADES_PENALTY, objectiveValues } from './fitness.js';
import type { Direction } from './nsga2.js';
import type { TrainSlot } from './run-setup.js';
import type { FoldAggregate, MarketAggregate } from './windows.js';
import { aggregate, aggregateMarkets } from './windows.js';

/** A block's scores: fitness per genome and, with NSGA-II, its objectives (count x objectives). */
export interface Scores {
  fitness: Float64Array;
  objs: Float64Array | null;
}

/**
 * Fitness (and objectives) of a block from its metrics on every train slot: first over the folds
 * within a market (foldAggregate), then over the markets (marketAggregate). Under the minimum
 * trades on any window of any market, the genome gets the penalty: it is a marker, and an
 * average of -1000 with real fitness values would be neither a score nor a marker.
 */
export class Scorer {
  private readonly markets: number;
  private readonly folds: number;

  constructor(
    private readonly slots: readonly TrainSlot[],
    private readonly foldAgg: FoldAggregate,
    private readonly marketAgg: MarketAggregate,
    private readonly objectives: Objective[],
    private readonly directions: readonly Direction[],
  ) {
    this.markets = slots[slots.length - 1]!.market + 1;
    this.folds = slots.length / this.markets;
  }

  score(metrics: readonly Float64Array[], count: number): Scores {
    const m = this.objectives.length;
    const W = this.folds;
    const fitness = new Float64Array(count);
    const objs = m > 0 ? new Float64Array(count * m) : null;
    const perFold = new Float64Array(W);
    const tmp = new Float64Array(m);
    for (let i = 0; i < count; i++) {
      const perMarket: number[] = [];
      for (let mk = 0; mk < this.markets; mk++) {
        const f: number[] = [];
        for (let wi = 0; wi < W; wi++) {
          const s = mk * W + wi;
          f.push(this.slots[s]!.fitness(metrics[s]!, i * MET_LENGTH));
        }
        perMarket.push(f.includes(MIN_TRADES_PENALTY) ? MIN_TRADES_PENALTY : aggregate(f, this.foldAgg));
      }
      fitness[i] = perMarket.includes(MIN_TRADES_PENALTY) ? MIN_TRADES_PENALTY : aggregateMarkets(perMarket, this.marketAgg);
      if (objs === null) continue;
      for (let k = 0; k < m; k++) {
        const dir = this.directions[k]!;
        if (fitness[i] === MIN_TRADES_PENALTY) {
          objs[i * m + k] = dir * MIN_TRADES_PENALTY;
          continue;
        }
        const perMarketObj: number[] = [];
        for (let mk = 0; mk < this.markets; mk++) {
          for (let wi = 0; wi < W; wi++) {
            const s = mk * W + wi;
            objectiveValues(this.objectives, this.slots[s]!.windowMin, metrics[s]!, i * MET_LENGTH, tmp, 0);
            perFold[wi] = tmp[k]!;
          }
          // 'min' aggregation is the worst fold in the objective's own direction.
          const vals = Array.from(perFold);
          perMarketObj.push(this.foldAgg === 'mean' ? aggregate(vals, 'mean') : dir === 1 ? Math.min(...vals) : Math.max(...vals));
        }
        objs[i * m + k] = aggregateMarkets(perMarketObj, this.marketAgg, dir);
      }
    }
    return { fitness, objs };
  }
}
