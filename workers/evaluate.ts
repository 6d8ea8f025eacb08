// The Piscina worker: evaluates batches of genomes on market data it shares with the main
// thread. Everything heavy happens once per worker: the WASM instance (from the Module compiled
// on the main thread) on the first task; the views over a market's shared buffer and the copy
// of that market into the instance's memory on the first task that names the market (the
// instance then holds every market it was asked about, once); a strategy module is imported
// once, on the first task that names it. Each task only brings its genomes (a transferred Float64Array) and
// returns its metrics the same way.
import { workerData } from 'node:worker_threads';
import { move } from 'piscina';
import { marketFromTransfer } from '../src/data/market.js';
import type { MarketData } from '../src/data/market.js';
import { EngineError } from '../src/errors.js';
import type { KernelSet } from '../src/kernels/kernel-set.js';
import { createTsKernels } from '../src/kernels/ts-kernels.js';
import { createWasmKernels } from '../src/kernels/wasm/loader.js';
import { summarizeBlock } from '../src/ga/return-series.js';
import type { EvalReply, StrategyRef, WorkerSetup, WorkerTask } from '../src/pool/protocol.js';
import { getStrategy } from '../src/strategies/registry.js';
import { IndicatorCache } from '../src/strategy/indicator-cache.js';
import { loadStrategyModule } from '../src/strategy/load.js';
import { evaluateStrategy } from '../src/strategy/run.js';
import type { Strategy } from '../src/strategy/strategy.js';

const setup = workerData as WorkerSetup;
const stop = new Int32Array(setup.stop);
let kernelSet: KernelSet | null = null;
/** Views over each market's shared buffer, made once (the WASM kernels key their copy by them). */
const markets: (MarketData | undefined)[] = [];
const indicators = new IndicatorCache(setup.indicatorCacheBytes);
const modules = new Map<string, Promise<Strategy>>();

function init(m: number): { kernels: KernelSet; market: MarketData } {
  kernelSet ??= setup.backend === 'wasm' ? createWasmKernels({ module: setup.module! }) : createTsKernels();
  let market = markets[m];
  if (market === undefined) {
    const t = setup.markets[m];
    if (t === undefined) throw new EngineError('E_POOL', `task names market ${m}, the pool has ${setup.markets.length}`);
    market = marketFromTransfer(t);
    markets[m] = market;
  }
  return { kernels: kernelSet, market };
}

function strategyOf(ref: StrategyRef): Promise<Strategy> {
  if (ref.builtin || ref.url === null) return Promise.resolve(getStrategy(ref.name));
  let s = modules.get(ref.url);
  if (s === undefined) {
    s = loadStrategyModule(new URL(ref.url), { expectDigest: ref.digest });
    modules.set(ref.url, s);
  }
  return s;
}

function injectFaults(task: WorkerTask): void {
  const hooks = setup.hooks;
  if (hooks === undefined) return;
  if (hooks.exitOnBatch === task.batch && hooks.exitCounter !== undefined) {
    if (Atomics.sub(new Int32Array(hooks.exitCounter), 0, 1) > 0) process.exit(1);
  }
  if (hooks.throwOnBatch === task.batch) throw new Error(`injected failure in batch ${task.batch}`);
  if (hooks.corruptOnBatch === task.batch) task.genomes.fill(0);
}

export default async function evaluate(task: WorkerTask): Promise<EvalReply> {
  try {
    injectFaults(task);
    const strategy = await strategyOf(task.strategy);
    const t0 = performance.now();
    const { kernels, market } = init(task.market);
    const h0 = indicators.hits;
    const m0 = indicators.misses;
    const exec = { cfg: task.cfg, riskPerTrade: task.riskPerTrade };
    const out = task.kind === 'returns'
      ? summarizeBlock(kernels, market, task.window, strategy, task.genomes, task.count, exec, indicators, task.barsPerRow, stop)
      : evaluateStrategy(kernels, market, task.window, strategy, task.genomes, task.count, exec, indicators, stop);
    if (out === null) return { failed: true, code: 'E_ABORT', message: 'cancelled' };
    // The results (metrics or return summaries) plus three trailing values (the worker's compute time in ms, the indicator
    // cache's hits and misses) in a fresh array (never a view of WASM memory) that is
    // transferred, not copied.
    const reply = new Float64Array(out.length + 3);
    reply.set(out);
    reply[out.length] = performance.now() - t0;
    reply[out.length + 1] = indicators.hits - h0;
    reply[out.length + 2] = indicators.misses - m0;
    return move(reply) as Float64Array;
  } catch (e) {
    return {
      failed: true,
      code: e instanceof EngineError ? e.code : 'E_POOL',
      message: e instanceof Error ? e.message : String(e),
    };
  }
}
