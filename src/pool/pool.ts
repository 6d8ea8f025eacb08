import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { marketName, marketTransfer } from '../data/market.js';
import { EngineError, abortError, configError, ioError, poolError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { StrategyInput } from '../strategy/load.js';
import type { Strategy } from '../strategy/strategy.js';
import type { Window } from '../kernels/kernel-set.js';
import { MET_LENGTH } from '../kernels/layout.js';
import { compileWasm } from '../kernels/wasm/loader.js';
import { packageRoot } from '../paths.js';
import type { EvaluateOptions, Evaluator, EvaluatorOptions } from './evaluator.js';
import { checkThreads, emitEngineWarning } from './threads.js';
import {
  ConfigCache, addIndicatorStats, describeEvaluator, marketsOf, prepareSlots, seriesMarket, throwIfAborted,
} from './evaluator.js';
import type { EvaluatorStats, SlotSpec } from './evaluator.js';
import { fixedSlotBatches, guidedSlotBatches, permuteRows, shareOrder } from './batches.js';
import { checkBarsPerRow, summaryWidth } from '../ga/return-series.js';
import type { EvalReply, StrategyRef, WorkerHooks, WorkerSetup, WorkerTask } from './protocol.js';

/** What a task carries to name its strategy; E_CONFIG when workers cannot import it. */
function strategyRef(s: Strategy): StrategyRef {
  if (!s.builtin && s.url === null) {
    throw configError('strategy', `${s.name} was given as a definition object; worker threads import strategies by URL: give the path of its module (or evaluate in process, threads 0)`);
  }
  return { name: s.name, url: s.builtin ? null : s.url, digest: s.digest, builtin: s.builtin };
}

/** Input indices of a batch cut in shared-work order, for messages (the first 8 and a count). */
function genomeList(ids: Int32Array): string {
  const shown = Array.from(ids.subarray(0, 8)).join(', ');
  return ids.length > 8 ? `${shown}, ... (${ids.length} in all)` : shown;
}

/** Options of the worker-pool evaluator. */
export interface PoolEvaluatorOptions extends EvaluatorOptions {
  /** Worker threads. @default os.availableParallelism() */
  threads?: number;
  /**
   * Genomes per task. @default guided: tasks shrinking from a (2 x threads)th of the population
   * (see defaultBatchSizes)
   */
  batchSize?: number;
  /**
   * Hears a warning about the options (more threads than cores). @default process.emitWarning
   */
  onWarning?: (message: string) => void;
  /** Test-only fault injection (a worker that exits, throws or fails its kernel on a batch). @internal */
  testHooks?: { exitOnBatch?: number; exitTimes?: number; throwOnBatch?: number; corruptOnBatch?: number };
}

/** The pool evaluator, with a diagnostic view of its threads. */
export interface PoolEvaluator extends Evaluator {
  /** Always present on the pool. */
  returnSeries: NonNullable<Evaluator['returnSeries']>;
  /** Thread ids of the live workers (to see that a stop kills none). */
  threadIds(): number[];
}

/** The compiled worker script (the pool runs the built JavaScript, also under the tests). */
export function workerPath(): string {
  return join(packageRoot(), 'dist', 'workers', 'evaluate.js');
}

/**
 * How a population of `count` genomes over `bars` bars is cut into tasks by default: guided
 * scheduling, as OpenMP's `schedule(guided)`. Each task takes a (2 x threads)th of the genomes
 * not yet handed out: the first tasks are large, the last ones small, so a thread that finishes
 * early (its core was less busy, say) waits at most a small task for the others. A task is
 * never smaller than 2^20 bar-evaluations (about 3 ms of WASM; sending and answering a task
 * costs about 0.15 ms), unless that would leave a thread without work, and sizes are even
 * where possible (the WASM kernel runs genomes in pairs).
 */
export function defaultBatchSizes(count: number, threads: number, bars: number): number[] {
  return guidedSlotBatches(count, [bars], threads, 2 ** 20)[0]!;
}

/**
 * An evaluator that shards populations over a Piscina pool. Every market is handed to the
 * workers once, as shared memory, with the WASM module compiled once here; workers stay alive
 * between calls. A task names its market (an index) and window and carries a transferred batch
 * of genomes; its transferred metrics land at their (slot, batch) place, so the result never
 * depends on how the work was cut. evaluateSlots runs every slot's batches as one round of tasks.
 *
 * A worker that dies mid-task is replaced by the pool and its batch retried once on a fresh
 * worker; a second failure fails the call (E_POOL). A kernel error in a worker fails the call
 * with its code (E_KERNEL) and message. An AbortSignal raises a shared stop flag that running
 * tasks check between genomes (no worker is killed); the call rejects with E_ABORT.
 */
export function createPoolEvaluator(options: PoolEvaluatorOptions): PoolEvaluator {
  const backend = options.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'ts') throw configError('backend', `must be wasm or ts, got ${String(backend)}`);
  const threads = options.threads ?? availableParallelism();
  const warning = checkThreads('threads', threads);
  if (warning !== null) (options.onWarning ?? emitEngineWarning)(warning);
  if (options.batchSize !== undefined && (!Number.isInteger(options.batchSize) || options.batchSize < 1)) {
    throw configError('batchSize', `must be a positive integer, got ${options.batchSize}`);
  }
  const filename = workerPath();
  if (!existsSync(filename)) throw ioError(`cannot find the worker ${filename} (run \`npm run build\`)`);
  const markets = marketsOf(options);
  const market = markets[0]!;
  const configs = markets.map((m) => new ConfigCache(m, options.backtest ?? {}));

  const stopBuffer = new SharedArrayBuffer(4);
  const stop = new Int32Array(stopBuffer);
  let hooks: WorkerHooks | undefined;
  if (options.testHooks !== undefined) {
    const t = options.testHooks;
    hooks = {};
    if (t.exitOnBatch !== undefined) {
      const counter = new SharedArrayBuffer(4);
      new Int32Array(counter)[0] = t.exitTimes ?? 1;
      hooks.exitOnBatch = t.exitOnBatch;
      hooks.exitCounter = counter;
    }
    if (t.throwOnBatch !== undefined) hooks.throwOnBatch = t.throwOnBatch;
    if (t.corruptOnBatch !== undefined) hooks.corruptOnBatch = t.corruptOnBatch;
  }
  const setup: WorkerSetup = {
    markets: markets.map(marketTransfer),
    backend,
    module: backend === 'wasm' ? compileWasm('release') : null,
    stop: stopBuffer,
    ...(options.indicatorCacheBytes !== undefined ? { indicatorCacheBytes: options.indicatorCacheBytes } : {}),
    ...(hooks !== undefined ? { hooks } : {}),
  };
  const pool = new Piscina<WorkerTask, EvalReply>({
    filename: pathToFileURL(filename).href,
    minThreads: threads,
    maxThreads: threads,
    // Workers hold the instance and their copy of the market: keep them for the whole run.
    idleTimeout: 60 * 60 * 1000,
    concurrentTasksPerWorker: 1,
    // Tasks run in the order they were queued: the guided batches shrink, and without this
    // Piscina sends a task it could not place yet to the back of its queue, so a large batch
    // could start last and keep one thread busy while the other idles.
    stricterFIFO: true,
    workerData: setup,
  });
  // Errors the pool cannot pin on a task (a worker failing outside one) are kept for the next
  // failure message rather than crashing the process.
  let poolFault: Error | null = null;
  pool.on('error', (e: Error) => {
    poolFault = e;
  });

  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const stats: EvaluatorStats = { tasks: 0, computeMs: 0 };

  /**
   * One call's batches on the pool: every slot's batches as one round of tasks. `returns` (a
   * bars-per-row, one slot) asks for return summaries instead of metrics; `onProgress` hears of
   * each batch done (genomes done so far, of the count).
   */
  async function run(
    strategyInput: StrategyInput, genomes: Float64Array, slots: readonly SlotSpec[], signal: AbortSignal | undefined,
    returns?: { barsPerRow: number; onProgress?: (done: number, total: number) => void },
  ): Promise<Float64Array> {
    const { count, strategy: s, windows } = prepareSlots(markets, strategyInput, genomes, slots);
    throwIfAborted(signal);
    const execs = windows.map((w, i) => configs[slots[i]!.market]!.execution(s, w));
    const strategy = strategyRef(s);
    const G = s.genes.length;
    // Genomes that share work in their kernel's batch go to the same tasks (results still land
    // at their input places).
    const order = shareOrder(s.fused?.shareKey, genomes, G);
    const work = order === null ? genomes : permuteRows(genomes, order, G);
    const sizes = options.batchSize !== undefined
      ? fixedSlotBatches(count, slots.length, options.batchSize)
      : guidedSlotBatches(count, windows.map((w) => w.end - w.start), threads, 2 ** 20);
    const width = returns === undefined ? MET_LENGTH : summaryWidth(windows[0]!, returns.barsPerRow);
    const out = new Float64Array(slots.length * count * width);
    const total = slots.length * count;
    let done = 0;
    let failure: EngineError | null = null;
    const fail = (e: EngineError): void => {
      if (failure === null) failure = e;
      Atomics.store(stop, 0, 1);
    };
    const onAbort = (): void => fail(abortError(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    // Names a batch in messages; the slot only when there are several (one-slot messages stay as they were).
    const where = (slot: number, batch: number, start: number, end: number): string =>
      `${slots.length > 1 ? `slot ${slot} (${marketName(markets[slots[slot]!.market]!)}, bars [${windows[slot]!.start}, ${windows[slot]!.end})) ` : ''}batch ${batch} (genomes ${order === null ? `${start}..${end - 1}` : genomeList(order.subarray(start, end))})`;

    const runBatch = async (slot: number, batch: number, start: number, end: number): Promise<void> => {
      const { cfg, riskPerTrade } = execs[slot]!;
      const at = slot * count + start;
      for (let attempt = 0; ; attempt++) {
        if (failure !== null) return;
        const part = work.slice(start * G, end * G);
        const fields = { batch, market: slots[slot]!.market, strategy, window: windows[slot]!, cfg, riskPerTrade, genomes: part, count: end - start };
        const task: WorkerTask = returns === undefined ? { kind: 'metrics', ...fields } : { kind: 'returns', ...fields, barsPerRow: returns.barsPerRow };
        let reply: EvalReply;
        try {
          reply = await pool.run(task, { transferList: [part.buffer] });
        } catch (e) {
          // The worker died (or could not start): the pool replaces it; retry once.
          if (attempt === 0) continue;
          const why = e instanceof Error ? e.message : String(e);
          const extra = poolFault !== null ? ` (pool: ${(poolFault as Error).message})` : '';
          fail(poolError(`${where(slot, batch, start, end)} failed on two workers: ${why}${extra}`, e));
          return;
        }
        if (reply instanceof Float64Array) {
          const n = (end - start) * width;
          if (order === null) out.set(reply.subarray(0, n), at * width);
          else for (let j = start; j < end; j++) out.set(reply.subarray((j - start) * width, (j - start + 1) * width), (slot * count + order[j]!) * width);
          stats.tasks++;
          stats.computeMs += reply[n]!;
          done += end - start;
          returns?.onProgress?.(done, total);
          if (s.fused === null) addIndicatorStats(stats, reply[n + 1]!, reply[n + 2]!);
          return;
        }
        if (reply.code === 'E_ABORT') fail(abortError(signal?.reason));
        else fail(new EngineError(reply.code as ErrorCode, `${where(slot, batch, start, end)}: ${reply.message}`));
        return;
      }
    };

    try {
      // Batches are numbered across the whole round, in the order they are queued.
      const tasks: Promise<void>[] = [];
      let batch = 0;
      sizes.forEach((slotSizes, slot) => {
        let start = 0;
        for (const size of slotSizes) {
          tasks.push(runBatch(slot, batch++, start, start + size));
          start += size;
        }
      });
      await Promise.all(tasks);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      Atomics.store(stop, 0, 0);
    }
    if (failure !== null) throw failure;
    return out;
  }

  /** Calls run one at a time: they share the stop flag, and the pool is busy anyway. */
  const enqueue = (work: () => Promise<Float64Array>): Promise<Float64Array> => {
    if (closed) return Promise.reject(configError('evaluator', 'is closed'));
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  };

  return {
    kind: 'pool',
    backend,
    threads,
    market,
    markets,
    evaluateSlots: (strategy, genomes, slots, opts = {}) => enqueue(() => run(strategy, genomes, slots, opts.signal)),
    evaluate: (strategy: StrategyInput, genomes: Float64Array, window?: Window, opts: EvaluateOptions = {}) =>
      enqueue(() => run(strategy, genomes, [{ market: 0, window, option: 'window' }], opts.signal)),
    returnSeries(strategy, genomes, window, barsPerRow, opts = {}): Promise<Float64Array> {
      if (closed) return Promise.reject(configError('evaluator', 'is closed'));
      let m: number;
      try {
        checkBarsPerRow(barsPerRow);
        m = seriesMarket(markets, opts.market);
      } catch (e) {
        return Promise.reject(e);
      }
      const progress = opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {};
      return enqueue(() => run(strategy, genomes, [{ market: m, window, option: 'window' }], opts.signal, { barsPerRow, ...progress }));
    },
    stats: () => ({ ...stats }),
    describe: describeEvaluator(options),
    threadIds(): number[] {
      return pool.threads.map((t) => t.threadId);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await queue;
      await pool.destroy();
    },
  };
}
