// What travels through Redis between a coordinator and its workers: key names, job payloads
// and results. Data and numbers only: a job names its strategy by name and digest, never
// carries code.
import type { BacktestOptions } from '../backtest.js';
import type { Backend, Window } from '../kernels/kernel-set.js';

/** Version of the job format; a worker refuses jobs of another one. */
export const PROTOCOL = 1;
/** BullMQ key prefix of every evoquant queue. */
export const PREFIX = 'evoquant';
/** The queue of evaluation jobs (one purpose, one queue). @default */
export const DEFAULT_QUEUE = 'evaluate';
/** Job name: a batch of genomes to backtest on one window. */
export const JOB_NAME = 'evaluate-batch';

/** How long a run's heartbeat lives without being renewed: after that its jobs are discarded. */
export const RUN_TTL_MS = 10_000;
/** How long a worker's heartbeat lives: a worker silent this long is no longer counted. */
export const WORKER_TTL_MS = 6_000;
/** Market data stays in Redis this long after the last run that used it. */
export const MARKET_TTL_S = 7 * 24 * 3600;

/** Redis keys of one queue (besides BullMQ's own). */
export function keys(queue: string): {
  market: (digest: string) => string;
  run: (runId: string) => string;
  workers: string;
  worker: (name: string) => string;
} {
  const base = `${PREFIX}:${queue}`;
  return {
    market: (digest) => `${base}:market:${digest}`,
    run: (runId) => `${base}:run:${runId}`,
    workers: `${base}:workers`,
    worker: (name) => `${base}:worker:${name}`,
  };
}

/**
 * A strategy as a job names it. Built-ins: digest `builtin:<name>@<evoquant version>` (a worker
 * runs them only on the same version, since the kernels decide the bits). Modules: the sha256
 * (hex) of the module file, which a worker must have been started with (--strategy PATH).
 */
export interface StrategyRef {
  name: string;
  digest: string;
}

/** One job: a batch of genomes of one evaluate() call of one run. */
export interface JobData {
  v: number;
  run: string;
  /** The evaluate() call of the run (generation, or a final out-of-sample evaluation). */
  call: number;
  batch: number;
  /** sha256 of the market (marketDigest), fetched once per worker from Redis. */
  market: string;
  bars: number;
  /**
   * Every market of the run (digests, in the coordinator's order; `market` is one of them), when
   * it has several: a worker then keeps them all in one pool. Absent for one market. A worker
   * that ignores it still evaluates the job right (on `market`).
   */
  basket?: string[];
  strategy: StrategyRef;
  backend: Backend;
  backtest: Omit<BacktestOptions, 'backend' | 'window'>;
  window: Window;
  count: number;
  /** The genomes, Float64 bytes as base64 (exact bits). */
  genomes: string;
}

/** What a worker returns for a job. */
export interface JobResult {
  run: string;
  call: number;
  batch: number;
  worker: string;
  /** Metrics (count x MET_LENGTH Float64) as base64; absent when the run was abandoned. */
  metrics?: string;
  computeMs: number;
  /** The job belonged to a run that no longer has a coordinator: not evaluated. */
  discarded?: true;
}

/** Job id: run, call and batch (BullMQ ids may not contain ':'). */
export function jobId(run: string, call: number, batch: number): string {
  return `${run}.${call}.${batch}`;
}

/** A worker's heartbeat record. */
export interface WorkerInfo {
  name: string;
  host: string;
  pid: number;
  threads: number;
  concurrency: number;
  version: string;
}
