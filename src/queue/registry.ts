// Who is on the queue: workers announce themselves with heartbeat keys that expire, runs keep a
// heartbeat while their coordinator lives. Plain keys with a TTL: no clocks are compared across
// hosts, and a process that is killed simply stops renewing them.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { WORKER_TTL_MS, keys } from './protocol.js';
import type { JobData, JobResult, WorkerInfo } from './protocol.js';

/** Renews a worker's heartbeat (and lists it among the queue's workers). */
export async function announceWorker(redis: Redis, queue: string, info: WorkerInfo): Promise<void> {
  const k = keys(queue);
  await redis.multi().set(k.worker(info.name), JSON.stringify(info), 'PX', WORKER_TTL_MS).sadd(k.workers, info.name).exec();
}

/** Removes a worker's heartbeat (a clean stop). */
export async function retireWorker(redis: Redis, queue: string, name: string): Promise<void> {
  const k = keys(queue);
  await redis.multi().del(k.worker(name)).srem(k.workers, name).exec();
}

/** The workers whose heartbeat is alive, and their threads; forgets the others. */
export async function liveWorkers(redis: Redis, queue: string): Promise<{ count: number; threads: number; names: string[] }> {
  const k = keys(queue);
  const names = await redis.smembers(k.workers);
  if (names.length === 0) return { count: 0, threads: 0, names: [] };
  const values = await redis.mget(names.map((n) => k.worker(n)));
  const alive: string[] = [];
  let threads = 0;
  const gone: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      gone.push(names[i]!);
      return;
    }
    alive.push(names[i]!);
    threads += (JSON.parse(v) as WorkerInfo).threads;
  });
  if (gone.length > 0) await redis.srem(k.workers, ...gone);
  return { count: alive.length, threads, names: alive };
}

/** Whether the run's coordinator is alive (its heartbeat key exists). */
export async function runAlive(redis: Redis, queue: string, runId: string): Promise<boolean> {
  return (await redis.exists(keys(queue).run(runId))) === 1;
}

/**
 * Removes waiting jobs of runs whose coordinator is gone (killed, say), so that a later run
 * does not queue behind them. Workers also discard such jobs unevaluated when they take one.
 */
export async function discardAbandoned(redis: Redis, queue: Queue<JobData, JobResult>, queueName: string, limit = 10_000): Promise<number> {
  const waiting = await queue.getJobs(['wait', 'paused', 'delayed', 'prioritized'], 0, limit - 1);
  const runs = new Map<string, boolean>();
  let removed = 0;
  for (const job of waiting) {
    const run = (job.data as JobData | undefined)?.run;
    if (run === undefined || job.id === undefined) continue;
    let alive = runs.get(run);
    if (alive === undefined) {
      alive = await runAlive(redis, queueName, run);
      runs.set(run, alive);
    }
    if (!alive) removed += await queue.remove(job.id);
  }
  return removed;
}
