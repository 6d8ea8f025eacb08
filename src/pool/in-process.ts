import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { abortError, configError } from '../errors.js';
import type { StrategyInput } from '../strategy/load.js';
import { IndicatorCache } from '../strategy/indicator-cache.js';
import { evaluateStrategy } from '../strategy/run.js';
import { genomesPerChunk } from '../kernels/chunking.js';
import type { Window } from '../kernels/kernel-set.js';
import { MET_LENGTH } from '../kernels/layout.js';
import { kernelsFor } from '../kernels/registry.js';
import { checkBarsPerRow, summarizeInProcess } from '../ga/return-series.js';
import type { EvaluateOptions, Evaluator, EvaluatorOptions, EvaluatorStats } from './evaluator.js';
import {
  ConfigCache, addIndicatorStats, describeEvaluator, evaluateSlotsInTurn, marketsOf, prepareEvaluation, prepareSlots, seriesMarket, throwIfAborted,
} from './evaluator.js';
import type { MarketData } from '../data/market.js';
import { strategyFromSync } from '../strategy/load.js';

/**
 * The evaluator that runs on the calling thread, with the TypeScript twins or the WASM
 * kernels. It yields to the event loop between chunks of genomes, so an AbortSignal can stop it.
 */
export function createInProcessEvaluator(options: EvaluatorOptions): Evaluator {
  const backend = options.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'ts') throw configError('backend', `must be wasm or ts, got ${String(backend)}`);
  const kernels = kernelsFor(backend);
  const markets = marketsOf(options);
  const market = markets[0]!;
  const configs = markets.map((m) => new ConfigCache(m, options.backtest ?? {}));
  const indicators = new IndicatorCache(options.indicatorCacheBytes);
  let closed = false;
  const stats: EvaluatorStats = { tasks: 0, computeMs: 0 };

  async function evaluateOn(m: number, strategyInput: StrategyInput, genomes: Float64Array, window: Window | undefined, opts: EvaluateOptions): Promise<Float64Array> {
      if (closed) throw configError('evaluator', 'is closed');
      const market: MarketData = markets[m]!;
      const { window: w, count, strategy } = prepareEvaluation(market, strategyInput, genomes, window);
      const exec = configs[m]!.execution(strategy, w);
      const G = strategy.genes.length;
      const out = new Float64Array(count * MET_LENGTH);
      const chunk = genomesPerChunk(w.end - w.start, count, backend);
      for (let g = 0; g < count; g += chunk) {
        throwIfAborted(opts.signal);
        const k = Math.min(chunk, count - g);
        const t0 = performance.now();
        const h0 = indicators.hits;
        const m0 = indicators.misses;
        const part = evaluateStrategy(kernels, market, w, strategy, genomes.subarray(g * G, (g + k) * G), k, exec, indicators);
        stats.tasks++;
        stats.computeMs += performance.now() - t0;
        if (strategy.fused === null) addIndicatorStats(stats, indicators.hits - h0, indicators.misses - m0);
        if (part === null) throw abortError();
        out.set(part, g * MET_LENGTH);
        if (g + k < count) await yieldToEventLoop();
      }
      return out;
  }

  return {
    kind: 'in-process',
    backend,
    threads: 1,
    market,
    markets,
    evaluate: (strategy, genomes, window, opts = {}) => evaluateOn(0, strategy, genomes, window, opts),
    async evaluateSlots(strategy, genomes, slots, opts = {}) {
      if (closed) throw configError('evaluator', 'is closed');
      // Every slot is checked before the first is evaluated.
      prepareSlots(markets, strategy, genomes, slots);
      return evaluateSlotsInTurn(markets, genomes, strategyFromSync(strategy).genes.length, slots, (m, w) => evaluateOn(m, strategy, genomes, w, opts));
    },
    async returnSeries(strategyInput, genomes, window, barsPerRow, opts = {}) {
      if (closed) throw configError('evaluator', 'is closed');
      checkBarsPerRow(barsPerRow);
      const m = seriesMarket(markets, opts.market);
      const { window: w, strategy } = prepareEvaluation(markets[m]!, strategyInput, genomes, window);
      return summarizeInProcess(kernels, markets[m]!, w, strategy, genomes, configs[m]!.execution(strategy, w), indicators, barsPerRow, opts);
    },
    async close() {
      closed = true;
    },
    stats: () => ({ ...stats }),
    describe: describeEvaluator(options),
  };
}
