// `evoquant worker`'s engine: takes evaluation jobs from the queue and runs them on its own
// Piscina pool, so that its event loop stays free to renew job locks and heartbeats.
import { hostname } from 'node:os';
import { availableParallelism } from 'node:os';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { MarketData } from '../data/market.js';
import { EngineError, configError } from '../errors.js';
import { base64ToF64, f64ToBase64 } from '../ga/checkpoint.js';
import type { StrategyInput } from '../strategy/load.js';
import { loadStrategyModule } from '../strategy/load.js';
import type { Strategy } from '../strategy/strategy.js';
import type { Evaluator } from '../pool/evaluator.js';
import { createPoolEvaluator } from '../pool/pool.js';
import { packageVersion } from '../paths.js';
import { checkReachable, connectionCause, hostPort, parseRedisUrl, redisOptions } from './connection.js';
import { getMarket } from './market-store.js';
import { DEFAULT_QUEUE, PREFIX, PROTOCOL } from './protocol.js';
import type { JobData, JobResult, WorkerInfo } from './protocol.js';
import { announceWorker, retireWorker, runAlive } from './registry.js';
import { moduleRegistry, resolveStrategy } from './strategies.js';
import type { ResolvedStrategy } from './strategies.js';

/** Options of a queue worker. */
export interface QueueWorkerOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://...` (TLS). */
  redis: string;
  /** @default 'evaluate' */
  queue?: string;
  /** Threads of the worker's pool. @default os.availableParallelism() */
  threads?: number;
  /** Jobs held at once (with more than one, the next is on hand while one computes). @default 1 with one thread, else 2 */
  concurrency?: number;
  /** Name in messages and in the coordinator's errors. @default `<hostname>-<pid>` */
  name?: string;
  /** Strategy module files this worker may run (matched by the sha256 of their content). */
  strategies?: readonly string[];
  /**
   * Seconds a job's lock lasts without renewal: a worker killed mid-job has its job given to
   * another after one to two times this. @default 10
   */
  lockSeconds?: number;
  /** One line per event worth telling (start, each run served, connection trouble, stop). */
  log?: (line: string) => void;
}

/** A running worker. */
export interface QueueWorker {
  readonly name: string;
  /** Stops taking jobs, finishes the ones in hand, releases the pool and the connections. */
  close(): Promise<void>;
  /** Resolves once the worker has stopped. */
  readonly closed: Promise<void>;
  /** Jobs evaluated so far (discarded jobs of abandoned runs not counted). */
  jobs(): number;
}

interface RunLog {
  jobs: number;
  discarded: number;
  genomes: number;
  barEvals: number;
  computeMs: number;
  last: number;
}

interface PoolEntry {
  key: string;
  /** Its markets' digests, in the slot-index order of the jobs' basket. */
  digests: string[];
  evaluator: Promise<Evaluator>;
  /** Evaluations on one pool run one after another: the pool is busy anyway, and timings stay exact. */
  chain: Promise<unknown>;
  busy: number;
  lastUsed: number;
}

/** Pools kept alive at once (one per basket of markets and execution options; runs rarely interleave). */
const MAX_POOLS = 2;

/**
 * Starts a worker: checks Redis answers (an unreachable one fails at once, naming host and
 * port), reads the strategy modules it may run, and takes jobs until close().
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const target = parseRedisUrl(options.redis);
  const queueName = options.queue ?? DEFAULT_QUEUE;
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) throw configError('threads', `must be an integer in [1, 1024], got ${threads}`);
  // One thread: one job at a time. A second job held while one computes measured slower with
  // two 1-thread workers (README "Running on several machines": the held job waits behind the
  // running one while the other worker runs dry at the end of a call), and the next job comes
  // with the previous one's result in one round trip anyway. Several threads: two, so the next
  // job's batches fill the threads the last batches of the current one leave idle.
  const concurrency = options.concurrency ?? (threads === 1 ? 1 : 2);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024) throw configError('concurrency', `must be an integer in [1, 1024], got ${concurrency}`);
  const lockSeconds = options.lockSeconds ?? 10;
  if (!(lockSeconds >= 0.5 && lockSeconds <= 3600)) throw configError('lockSeconds', `must be in [0.5, 3600], got ${lockSeconds}`);
  const name = options.name ?? `${hostname()}-${process.pid}`;
  if (!/^[A-Za-z0-9_.@-]{1,100}$/.test(name)) throw configError('name', `must be 1 to 100 letters, digits, _ . @ or -, got ${JSON.stringify(name)}`);
  const modules = moduleRegistry(options.strategies ?? []);
  const log = options.log ?? (() => undefined);
  const version = packageVersion();

  await checkReachable(target);
  const client = new Redis(redisOptions(target));
  let down = false;
  client.on('error', (e: unknown) => {
    if (!down) log(`lost Redis at ${hostPort(target)}: ${connectionCause(e)} (reconnecting)`);
    down = true;
  });
  client.on('ready', () => {
    if (down) log(`reconnected to Redis at ${hostPort(target)}`);
    down = false;
  });

  const info: WorkerInfo = { name, host: hostname(), pid: process.pid, threads, concurrency, version };
  const markets = new Map<string, Promise<MarketData>>();
  const pools = new Map<string, PoolEntry>();
  const runs = new Map<string, RunLog>();
  let jobsDone = 0;

  const marketOf = (digest: string): Promise<MarketData> => {
    let m = markets.get(digest);
    if (m === undefined) {
      m = getMarket(client, queueName, digest);
      m.catch(() => markets.delete(digest));
      markets.set(digest, m);
    }
    return m;
  };
  // Markets stay while a pool holds them; one that no pool holds goes (its pool closed).
  const pruneMarkets = (): void => {
    const held = new Set([...pools.values()].flatMap((p) => p.digests));
    for (const d of [...markets.keys()]) if (!held.has(d)) markets.delete(d);
  };

  // One pool per basket of markets (a run's markets, all in the pool's shared memory) and
  // execution options: jobs of one run on any of its markets go to the same workers.
  const poolFor = (data: JobData): PoolEntry => {
    const digests = data.basket ?? [data.market];
    const key = `${digests.join(',')}|${data.backend}|${JSON.stringify(data.backtest)}`;
    let entry = pools.get(key);
    if (entry === undefined) {
      const evaluator = Promise.all(digests.map(marketOf)).then((ms) =>
        createPoolEvaluator({ markets: ms, backtest: data.backtest, backend: data.backend, threads }));
      entry = { key, digests, evaluator, chain: Promise.resolve(), busy: 0, lastUsed: Date.now() };
      evaluator.catch(() => pools.delete(key));
      pools.set(key, entry);
      // Close the least recently used idle pools beyond the limit.
      const idle = [...pools.values()].filter((p) => p.busy === 0 && p !== entry).sort((a, b) => a.lastUsed - b.lastUsed);
      while (pools.size > MAX_POOLS && idle.length > 0) {
        const old = idle.shift()!;
        pools.delete(old.key);
        void old.evaluator.then((e) => e.close()).catch(() => undefined);
      }
      pruneMarkets();
    }
    return entry;
  };

  /**
   * The one seam between a job's strategy and the evaluation path: a built-in runs on the pool
   * by name; a strategy module is the file the worker was started with (`module.path`, already
   * matched by digest), loaded once and run by the pool's workers through its module URL.
   */
  const loaded = new Map<string, Promise<Strategy>>();
  const strategyForPool = (s: ResolvedStrategy): StrategyInput | Promise<Strategy> => {
    if (s.kind === 'builtin') return s.name;
    // A module the worker was started with, matched by digest: imported once, and refused if
    // the file changed on disk since the worker started.
    let m = loaded.get(s.module.digest);
    if (m === undefined) {
      m = loadStrategyModule(s.module.path, { option: '--strategy', expectDigest: s.module.digest });
      loaded.set(s.module.digest, m);
    }
    return m;
  };

  const processJob = async (job: Job<JobData, JobResult>): Promise<JobResult> => {
    const data = job.data;
    const base = { run: data.run, call: data.call, batch: data.batch, worker: name };
    if (data.v !== PROTOCOL) throw new UnrecoverableError(`worker ${name} (evoquant ${version}) speaks job format ${PROTOCOL}, the job has format ${String(data.v)}`);
    const r = runs.get(data.run) ?? { jobs: 0, discarded: 0, genomes: 0, barEvals: 0, computeMs: 0, last: 0 };
    runs.set(data.run, r);
    r.last = Date.now();
    if (!(await runAlive(client, queueName, data.run))) {
      r.discarded++;
      return { ...base, computeMs: 0, discarded: true };
    }
    const resolved = resolveStrategy(data.strategy, name, modules, version);
    if (resolved instanceof EngineError) throw new UnrecoverableError(resolved.message);
    const strategy = await strategyForPool(resolved);
    const index = (data.basket ?? [data.market]).indexOf(data.market);
    if (index < 0) throw new UnrecoverableError(`worker ${name}: job ${job.id ?? '?'} names market ${data.market.slice(0, 12)}... outside its basket`);
    const entry = poolFor(data);
    entry.busy++;
    entry.lastUsed = Date.now();
    try {
      const evaluator = await entry.evaluator;
      const genomes = base64ToF64(data.genomes);
      const work = entry.chain.then(async () => {
        const c0 = evaluator.stats().computeMs;
        const metrics = await evaluator.evaluateSlots(strategy, genomes, [{ market: index, window: data.window }]);
        return { metrics, computeMs: evaluator.stats().computeMs - c0 };
      });
      entry.chain = work.catch(() => undefined);
      const { metrics, computeMs } = await work;
      r.jobs++;
      r.genomes += data.count;
      r.barEvals += data.count * (data.window.end - data.window.start);
      r.computeMs += computeMs;
      r.last = Date.now();
      jobsDone++;
      return { ...base, metrics: f64ToBase64(metrics), computeMs };
    } catch (e) {
      if (e instanceof UnrecoverableError) throw e;
      // Evaluation errors are deterministic (bad genomes, a kernel status): retrying elsewhere
      // would fail the same way, so the job fails for good and the coordinator reports it.
      throw new UnrecoverableError(`worker ${name}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      entry.busy--;
      entry.lastUsed = Date.now();
    }
  };

  const lockDuration = Math.round(lockSeconds * 1000);
  const worker = new Worker<JobData, JobResult>(queueName, processJob, {
    connection: redisOptions(target),
    prefix: PREFIX,
    name,
    concurrency,
    lockDuration,
    stalledInterval: lockDuration,
    // A job whose worker died is given to another; one that keeps killing workers fails.
    maxStalledCount: 3,
    autorun: false,
  });
  worker.on('error', (e: Error) => {
    if (!down) log(`worker error: ${connectionCause(e)}`);
  });
  worker.on('failed', (job, e) => {
    if (job !== undefined) log(`job ${job.id ?? '?'} failed: ${e.message}`);
  });

  const printRun = (runId: string, r: RunLog): void => {
    const rate = r.computeMs > 0 ? r.barEvals / (r.computeMs / 1000) : 0;
    const discarded = r.discarded > 0 ? `, ${r.discarded} jobs of the abandoned run discarded` : '';
    log(`run ${runId.slice(0, 8)}: ${r.jobs} jobs, ${r.genomes.toLocaleString('en-US')} backtests, ${r.barEvals.toExponential(2)} bar-evaluations, ${(r.computeMs / 1000).toFixed(2)} s computing (${rate.toExponential(2)} bar-evaluations/s)${discarded}`);
  };
  const heartbeat = async (): Promise<void> => {
    try {
      await announceWorker(client, queueName, info);
      for (const [runId, r] of runs) {
        // A run is over for this worker when its coordinator is gone, or it sent nothing for a while.
        if (Date.now() - r.last > 3000 && (Date.now() - r.last > 30_000 || !(await runAlive(client, queueName, runId)))) {
          runs.delete(runId);
          printRun(runId, r);
        }
      }
    } catch {
      // Redis away: the connection handlers have said so; keep trying.
    }
  };
  await announceWorker(client, queueName, info);
  const beat = setInterval(() => void heartbeat(), 2000);
  void worker.run().catch((e: unknown) => log(`worker stopped: ${connectionCause(e)}`));
  await worker.waitUntilReady();
  const mods = modules.size === 0 ? 'built-in strategies only' : `built-ins and ${modules.size} strategy module${modules.size === 1 ? '' : 's'}`;
  log(`worker ${name} (evoquant ${version}) on ${target.display}, queue ${queueName}: ${threads} thread${threads === 1 ? '' : 's'}, ${concurrency} job${concurrency === 1 ? '' : 's'} at a time, ${mods}`);

  let closing: Promise<void> | null = null;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  return {
    name,
    closed,
    jobs: () => jobsDone,
    close(): Promise<void> {
      closing ??= (async () => {
        clearInterval(beat);
        // Finishes the jobs in hand (their results are sent), takes no new one.
        await worker.close();
        for (const [runId, r] of runs) printRun(runId, r);
        runs.clear();
        await Promise.allSettled([...pools.values()].map((p) => p.evaluator.then((e) => e.close())));
        await retireWorker(client, queueName, name).catch(() => undefined);
        client.disconnect();
        log(`worker ${name} stopped after ${jobsDone} jobs`);
        markClosed();
      })();
      return closing;
    },
  };
}
