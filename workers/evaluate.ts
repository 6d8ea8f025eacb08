// The Piscina worker: evaluates batches of genomes on market data it shares with the main
// thread. Everything heavy happens once per worker, on its first task: the views over the
// shared market buffer, the WASM instance (from the Module compiled on the main thread) and the
// copy of the market into that instance's memory; a strategy module is imported once, on the
// first task that names it. Each task only brings its genomes (a transferred Float64Array) and
// returns its metrics the same way.
import { workerData } from 'node:worker_threads';
import { move } from 'piscina';
import { marketFromTransfer } from '../src/data/market.js';
import type { MarketData } from '../src/data/market.js';
import { EngineError } from '../src/errors.js';
import type { KernelSet } from '../src/kernels/kernel-set.js';
import { createTsKernels } from '../src/kernels/ts-kernels.js';
import { createWasmKernels } from '../src/kernels/wasm/loader.js';
import type { EvalReply, EvalTask, StrategyRef, WorkerSetup } from '../src/pool/protocol.js';
import { getStrategy } from '../src/strategies/registry.js';
import { IndicatorCache } from '../src/strategy/indicator-cache.js';
import { loadStrategyModule } from '../src/strategy/load.js';
import { evaluateStrategy } from '../src/strategy/run.js';
import type { Strategy } from '../src/strategy/strategy.js';

const setup = workerData as WorkerSetup;
const stop = new Int32Array(setup.stop);
let ready: { kernels: KernelSet; market: MarketData } | null = null;
const indicators = new IndicatorCache(setup.indicatorCacheBytes);
const modules = new Map<string, Promise<Strategy>>();

function init(): { kernels: KernelSet; market: MarketData } {
  if (ready === null) {
    const market = marketFromTransfer(setup.market);
    const kernels = setup.backend === 'wasm' ? createWasmKernels({ module: setup.module! }) : createTsKernels();
    ready = { kernels, market };
  }
  return ready;
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

function injectFaults(task: EvalTask): void {
  const hooks = setup.hooks;
  if (hooks === undefined) return;
  if (hooks.exitOnBatch === task.batch && hooks.exitCounter !== undefined) {
    if (Atomics.sub(new Int32Array(hooks.exitCounter), 0, 1) > 0) process.exit(1);
  }
  if (hooks.throwOnBatch === task.batch) throw new Error(`injected failure in batch ${task.batch}`);
  if (hooks.corruptOnBatch === task.batch) task.genomes.fill(0);
}

export default async function evaluate(task: EvalTask): Promise<EvalReply> {
  try {
    injectFaults(task);
    const strategy = await strategyOf(task.strategy);
    const t0 = performance.now();
    const { kernels, market } = init();
    const h0 = indicators.hits;
    const m0 = indicators.misses;
    const exec = { cfg: task.cfg, riskPerTrade: task.riskPerTrade };
    const out = evaluateStrategy(kernels, market, task.window, strategy, task.genomes, task.count, exec, indicators, stop);
    if (out === null) return { failed: true, code: 'E_ABORT', message: 'cancelled' };
    // The metrics plus three trailing values (the worker's compute time in ms, the indicator
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
