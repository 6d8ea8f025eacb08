import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { abortError, configError } from '../errors.js';
import { getFamily } from '../genome/families.js';
import type { StrategyName } from '../genome/families.js';
import { genomesPerChunk } from '../kernels/chunking.js';
import type { Window } from '../kernels/kernel-set.js';
import { MET_LENGTH } from '../kernels/layout.js';
import { kernelsFor } from '../kernels/registry.js';
import { checkBarsPerRow, summarizeInProcess } from '../ga/return-series.js';
import type { EvaluateOptions, Evaluator, EvaluatorOptions } from './evaluator.js';
import { ConfigCache, describeEvaluator, prepareEvaluation, throwIfAborted } from './evaluator.js';

/**
 * The evaluator that runs on the calling thread, with the TypeScript twins or the WASM
 * kernels. It yields to the event loop between chunks of genomes, so an AbortSignal can stop it.
 */
export function createInProcessEvaluator(options: EvaluatorOptions): Evaluator {
  const backend = options.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'ts') throw configError('backend', `must be wasm or ts, got ${String(backend)}`);
  const kernels = kernelsFor(backend);
  const market = options.market;
  const configs = new ConfigCache(market, options.backtest ?? {});
  let closed = false;
  const stats = { tasks: 0, computeMs: 0 };

  return {
    kind: 'in-process',
    backend,
    threads: 1,
    market,
    async evaluate(strategy: StrategyName, genomes: Float64Array, window?: Window, opts: EvaluateOptions = {}) {
      if (closed) throw configError('evaluator', 'is closed');
      const { window: w, count } = prepareEvaluation(market, strategy, genomes, window);
      const cfg = configs.get(strategy, w);
      const G = getFamily(strategy).genes.length;
      const out = new Float64Array(count * MET_LENGTH);
      const chunk = genomesPerChunk(w.end - w.start, count, backend);
      for (let g = 0; g < count; g += chunk) {
        throwIfAborted(opts.signal);
        const k = Math.min(chunk, count - g);
        const t0 = performance.now();
        const part = kernels.evaluate(market, w, getFamily(strategy).fused, genomes.subarray(g * G, (g + k) * G), k, cfg);
        stats.tasks++;
        stats.computeMs += performance.now() - t0;
        if (part === null) throw abortError();
        out.set(part, g * MET_LENGTH);
        if (g + k < count) await yieldToEventLoop();
      }
      return out;
    },
    async returnSeries(strategy, genomes, window, barsPerRow, opts = {}) {
      if (closed) throw configError('evaluator', 'is closed');
      checkBarsPerRow(barsPerRow);
      const { window: w } = prepareEvaluation(market, strategy, genomes, window);
      return summarizeInProcess(kernels, market, w, strategy, genomes, configs.get(strategy, w), barsPerRow, opts);
    },
    async close() {
      closed = true;
    },
    stats: () => ({ ...stats }),
    describe: describeEvaluator(options),
  };
}
