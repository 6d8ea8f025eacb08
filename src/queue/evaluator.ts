// The coordinator's side of the queue: an Evaluator whose batches of genomes are BullMQ jobs
// that `evoquant worker` processes run on other cores or hosts. Results land at their batch's
// place, so a distributed run gives the same bits as a local one.
import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { EngineError, abortError, configError, poolError } from '../errors.js';
import { base64ToF64, f64ToBase64 } from '../ga/checkpoint.js';
import type { StrategyInput } from '../strategy/load.js';
import type { Strategy } from '../strategy/strategy.js';
import type { Window } from '../kernels/kernel-set.js';
import { MET_LENGTH } from '../kernels/layout.js';
import type { EvaluateOptions, EvaluatorStats } from '../pool/evaluator.js';
import type { SlotSpec } from '../pool/evaluator.js';
import { ConfigCache, cachedMarketDigest, describeEvaluator, marketsOf, prepareSlots, throwIfAborted } from '../pool/evaluator.js';
import { fixedSlotBatches, guidedSlotBatches } from '../pool/batches.js';
import { marketName } from '../data/market.js';
import { checkReachable, connectionCause, hostPort, parseRedisUrl, redisOptions, withTimeout } from './connection.js';
import type { QueueEvaluator, QueueEvaluatorOptions, QueueStatus } from './options.js';
export type { QueueEvaluator, QueueEvaluatorOptions, QueueStatus } from './options.js';
export { queueBatchSizes } from './options.js';
import type { RedisTarget } from './connection.js';
import { putMarket } from './market-store.js';
import { DEFAULT_QUEUE, JOB_NAME, PREFIX, PROTOCOL, RUN_TTL_MS, jobId, keys } from './protocol.js';
import type { JobData, JobResult, StrategyRef } from './protocol.js';
import { builtinRef } from './strategies.js';
import { discardAbandoned, liveWorkers } from './registry.js';

/** One job: genomes [start, end) of a slot, whose metrics land at genome `at` of the call's result. */
interface Slot {
  batch: number;
  slot: number;
  start: number;
  end: number;
  at: number;
  id: string;
  attempt: number;
}

interface Call {
  call: number;
  /** The market index of a job's slot. */
  marketOf: (slot: Slot) => number;
  slots: Map<string, Slot>;
  total: number;
  done: number;
  out: Float64Array;
  resolve: () => void;
  reject: (e: EngineError) => void;
  requeue: (slot: Slot) => void;
}

/**
 * An evaluator that sends each population to `evoquant worker` processes through a BullMQ
 * queue on Redis. Each market goes to Redis once, under its sha256; each evaluate() becomes jobs
 * of genome batches keyed by run id, call and batch, and each evaluateSlots() one round of jobs
 * for every slot's batches, each job naming its market's digest (and the run's basket, so a
 * worker holds every market of the run in one pool); a result lands at its (slot, batch) place and a
 * second result for the same batch (at-least-once delivery: a stalled job redone elsewhere) or
 * a late one (a finished call) is ignored. A run keeps a heartbeat in Redis: workers discard
 * the jobs of a run whose coordinator is gone, and later runs remove them from the queue.
 *
 * Resolves once Redis answered and the market is stored; an unreachable Redis fails at once
 * (E_POOL, naming host and port). A job that fails on a worker (a strategy it does not have, a
 * kernel error) fails the evaluation with the worker's message; so does losing Redis for
 * `lostAfterSeconds`. No URL with its password appears in any message.
 */
export async function createQueueEvaluator(options: QueueEvaluatorOptions): Promise<QueueEvaluator> {
  const target: RedisTarget = parseRedisUrl(options.redis);
  const backend = options.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'ts') throw configError('backend', `must be wasm or ts, got ${String(backend)}`);
  if (options.batchSize !== undefined && (!Number.isInteger(options.batchSize) || options.batchSize < 1)) {
    throw configError('batchSize', `must be a positive integer, got ${options.batchSize}`);
  }
  const queueName = options.queue ?? DEFAULT_QUEUE;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(queueName)) throw configError('queue', `must be 1 to 64 letters, digits, - or _, got ${JSON.stringify(queueName)}`);
  const runId = options.runId ?? randomUUID();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(runId)) throw configError('runId', `must be 1 to 64 letters, digits, - or _, got ${JSON.stringify(runId)}`);
  const lostAfterMs = (options.lostAfterSeconds ?? 10) * 1000;
  const markets = marketsOf(options);
  const market = markets[0]!;
  const backtestOptions = options.backtest ?? {};
  // Resolving configs here validates the execution options before any job is sent.
  const configs = markets.map((m) => new ConfigCache(m, backtestOptions));
  // Built-ins by name and version; modules by name and the sha256 of their file, which a worker
  // must have been started with (workers never run code that comes from the queue).
  const refOf = options.strategyRef ?? ((s: Strategy): StrategyRef => (s.builtin ? builtinRef(s.name) : { name: s.name, digest: s.digest }));
  const k = keys(queueName);

  await checkReachable(target);
  const client = new Redis(redisOptions(target, { maxRetriesPerRequest: 1 }));
  let lastCause = '';
  let downSince: number | null = null;
  client.on('error', (e: unknown) => {
    lastCause = connectionCause(e);
  });
  client.on('close', () => {
    downSince ??= Date.now();
  });
  client.on('ready', () => {
    downSince = null;
  });
  const connection = redisOptions(target);
  const queue = new Queue<JobData, JobResult>(queueName, { connection, prefix: PREFIX });
  const events = new QueueEvents(queueName, { connection, prefix: PREFIX });
  queue.on('error', () => undefined);
  events.on('error', () => undefined);
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled([withTimeout(events.close(), 2000), withTimeout(queue.close(), 2000)]);
    // With Redis gone the graceful close does not finish: drop the connections (and their
    // reconnect timers) outright, or they would keep the process alive for ever.
    for (const c of [queue.client, events.client]) {
      await withTimeout(c, 200).then((r) => r.disconnect(), () => undefined);
    }
    client.disconnect();
  };
  const marketIds = markets.map(cachedMarketDigest);
  try {
    await client.set(k.run(runId), String(Date.now()), 'PX', RUN_TTL_MS);
    for (let i = 0; i < markets.length; i++) await putMarket(client, queueName, markets[i]!, marketIds[i]!);
    await discardAbandoned(client, queue, queueName);
    await events.waitUntilReady();
  } catch (e) {
    await closeAll();
    if (e instanceof EngineError) throw e;
    throw poolError(`Redis at ${hostPort(target)} (${target.display}): ${connectionCause(e)}`, e);
  }

  const stats: EvaluatorStats = { tasks: 0, computeMs: 0 };
  let workers = { count: 0, threads: 0 };
  let lastWorkerSeen = Date.now();
  let current: Call | null = null;
  let callSeq = 0;
  let lastEvent = Date.now();
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();

  const status = (): QueueStatus => ({
    workers: workers.count,
    threads: workers.threads,
    jobs: current?.total ?? 0,
    done: current?.done ?? 0,
    noWorkerSeconds: workers.count > 0 ? 0 : (Date.now() - lastWorkerSeen) / 1000,
    connected: downSince === null,
    redis: target.display,
    queue: queueName,
  });

  const onResult = (id: string, value: JobResult | null | undefined): void => {
    lastEvent = Date.now();
    const c = current;
    const slot = c?.slots.get(id);
    // Another run's job, a finished call, or a batch already answered: ignored.
    if (c === null || slot === undefined || value === null || value === undefined) return;
    if (value.run !== runId || value.call !== c.call || value.batch !== slot.batch) return;
    c.slots.delete(id);
    if (value.discarded === true || value.metrics === undefined) {
      // A worker took this run for abandoned (its heartbeat had lapsed): send the batch again.
      c.requeue(slot);
      return;
    }
    const metrics = base64ToF64(value.metrics);
    const n = (slot.end - slot.start) * MET_LENGTH;
    if (metrics.length !== n) {
      c.reject(poolError(`job ${id} (batch ${slot.batch}) came back from worker ${value.worker} with ${metrics.length} values, expected ${n}`));
      return;
    }
    c.out.set(metrics, slot.at * MET_LENGTH);
    c.done++;
    stats.tasks++;
    stats.computeMs += value.computeMs;
    if (c.slots.size === 0) c.resolve();
  };
  const onFailed = (id: string, reason: string): void => {
    lastEvent = Date.now();
    const c = current;
    const slot = c?.slots.get(id);
    if (c === null || slot === undefined) return;
    const where = markets.length > 1 ? `slot ${slot.slot} (${marketName(markets[c.marketOf(slot)]!)}), ` : '';
    c.reject(poolError(`job ${id} (${where}batch ${slot.batch}, genomes ${slot.start}..${slot.end - 1}) failed: ${reason}`));
  };
  events.on('completed', ({ jobId: id, returnvalue }) => onResult(id, returnvalue as unknown as JobResult));
  events.on('failed', ({ jobId: id, failedReason }) => onFailed(id, failedReason));

  // Once a second: renew the run's heartbeat, count the workers, watch the connection, and
  // ask Redis directly about jobs whose events did not arrive (QueueEvents reconnected, say).
  let ticking = false;
  const tick = async (): Promise<void> => {
    if (ticking) return;
    ticking = true;
    try {
      const now = Date.now();
      const c = current;
      if (downSince !== null && c !== null && now - downSince >= lostAfterMs) {
        c.reject(poolError(`lost the connection to Redis at ${hostPort(target)} (${lastCause || 'connection closed'}) for ${Math.round((now - downSince) / 1000)} s: the run stops`));
        return;
      }
      if (downSince !== null) return;
      await client.set(k.run(runId), String(now), 'PX', RUN_TTL_MS);
      workers = await liveWorkers(client, queueName);
      if (workers.count > 0) lastWorkerSeen = now;
      if (c !== null && workers.count === 0 && options.deadline !== undefined && now >= options.deadline) {
        c.reject(new EngineError('E_ABORT', `stopped at the time limit with no worker connected to ${target.display} (queue ${queueName}) for ${Math.round((now - lastWorkerSeen) / 1000)} s`));
        return;
      }
      if (c !== null && now - lastEvent > 3000) {
        for (const id of [...c.slots.keys()].slice(0, 64)) {
          const job = await Job.fromId<JobData, JobResult>(queue, id);
          if (job === undefined) {
            c.requeue(c.slots.get(id)!);
            c.slots.delete(id);
          } else if (job.finishedOn !== undefined) {
            if (job.failedReason !== undefined && job.failedReason !== '' && job.returnvalue === null) onFailed(id, job.failedReason);
            else onResult(id, job.returnvalue);
          }
        }
        lastEvent = now;
      }
      if (c !== null) options.onStatus?.(status());
    } catch {
      // A command failed (Redis going away): the connection watcher decides when to give up.
    } finally {
      ticking = false;
    }
  };
  const ticker = setInterval(() => void tick(), 1000);
  // The first count of workers, so the first evaluation sizes its jobs for them.
  await tick();

  const remove = async (ids: string[]): Promise<void> => {
    // Waiting jobs go; jobs in a worker's hands stay locked and their results are ignored.
    await Promise.allSettled(ids.map((id) => withTimeout(queue.remove(id), 2000)));
  };

  async function run(strategyInput: StrategyInput, genomes: Float64Array, specs: readonly SlotSpec[], signal: AbortSignal | undefined): Promise<Float64Array> {
    const { count, strategy, windows } = prepareSlots(markets, strategyInput, genomes, specs);
    throwIfAborted(signal);
    windows.forEach((w, i) => configs[specs[i]!.market]!.get(strategy, w));
    const G = strategy.genes.length;
    const threads = Math.max(1, workers.threads);
    const sizes = options.batchSize !== undefined
      ? fixedSlotBatches(count, specs.length, options.batchSize)
      : guidedSlotBatches(count, windows.map((w) => w.end - w.start), threads, 2 ** 22);
    const call = ++callSeq;
    const ref = refOf(strategy);
    const basket = markets.length > 1 ? { basket: marketIds } : {};
    const dataOf = (slot: Slot): JobData => {
      const m = specs[slot.slot]!.market;
      return {
        v: PROTOCOL, run: runId, call, batch: slot.batch, market: marketIds[m]!, bars: markets[m]!.length, ...basket, strategy: ref, backend,
        backtest: backtestOptions, window: windows[slot.slot]!, count: slot.end - slot.start,
        genomes: f64ToBase64(genomes.subarray(slot.start * G, slot.end * G)),
      };
    };
    const jobOpts = (slot: Slot) => ({ jobId: slot.id, removeOnComplete: { age: 600, count: 20_000 }, removeOnFail: { age: 24 * 3600 } });
    let settle!: { resolve: () => void; reject: (e: EngineError) => void };
    const finished = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const slots: Slot[] = [];
    sizes.forEach((slotSizes, slot) => {
      let start = 0;
      for (const size of slotSizes) {
        const b = slots.length;
        slots.push({ batch: b, slot, start, end: start + size, at: slot * count + start, id: jobId(runId, call, b), attempt: 0 });
        start += size;
      }
    });
    let failure: EngineError | null = null;
    const c: Call = {
      call,
      marketOf: (slot) => specs[slot.slot]!.market,
      slots: new Map(slots.map((s) => [s.id, s])),
      total: slots.length,
      done: 0,
      out: new Float64Array(specs.length * count * MET_LENGTH),
      resolve: () => settle.resolve(),
      reject: (e) => {
        if (failure === null) failure = e;
        settle.reject(e);
      },
      requeue: (slot) => {
        const again: Slot = { ...slot, attempt: slot.attempt + 1, id: `${jobId(runId, call, slot.batch)}.r${slot.attempt + 1}` };
        c.slots.set(again.id, again);
        queue.add(JOB_NAME, dataOf(again), jobOpts(again)).catch(() => undefined);
      },
    };
    if (slots.length === 0) return c.out;
    const onAbort = (): void => c.reject(abortError(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    current = c;
    lastEvent = Date.now();
    try {
      const added = queue.addBulk(slots.map((s) => ({ name: JOB_NAME, data: dataOf(s), opts: jobOpts(s) })));
      added.catch((e: unknown) => c.reject(poolError(`cannot enqueue jobs on Redis at ${hostPort(target)}: ${connectionCause(e)}`, e)));
      await finished;
      return c.out;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      current = null;
      if (failure !== null) void remove([...c.slots.keys()]);
    }
  }

  function enqueue(strategy: StrategyInput, genomes: Float64Array, specs: readonly SlotSpec[], opts: EvaluateOptions): Promise<Float64Array> {
    if (closed) return Promise.reject(configError('evaluator', 'is closed'));
    const result = chain.then(() => run(strategy, genomes, specs, opts.signal));
    chain = result.catch(() => undefined);
    return result;
  }
  const evaluate = (strategy: StrategyInput, genomes: Float64Array, window?: Window, opts: EvaluateOptions = {}): Promise<Float64Array> =>
    enqueue(strategy, genomes, [{ market: 0, window, option: 'window' }], opts);

  return {
    kind: 'queue',
    backend,
    describe: describeEvaluator(options),
    get threads() {
      return Math.max(1, workers.threads);
    },
    market,
    markets,
    evaluateSlots: (strategy, genomes, slots, opts = {}) => enqueue(strategy, genomes, slots, opts),
    runId,
    redis: target.display,
    evaluate,
    stats: () => ({ ...stats }),
    status,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await chain;
      clearInterval(ticker);
      if (downSince === null) await withTimeout(client.del(k.run(runId)), 2000).catch(() => undefined);
      await closeAll();
    },
  };
}
