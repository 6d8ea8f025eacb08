// What the queue evaluator is made from and what it shows: its options, its status and its
// default cut of a population into jobs.
import type { Strategy } from '../strategy/strategy.js';
import type { Evaluator, EvaluatorOptions } from '../pool/evaluator.js';
import { guidedSlotBatches } from '../pool/batches.js';
import type { StrategyRef } from './protocol.js';

/** Options of the queue evaluator. */
export interface QueueEvaluatorOptions extends EvaluatorOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://...` (TLS). */
  redis: string;
  /** Queue name, to keep several groups of workers apart on one Redis. @default 'evaluate' */
  queue?: string;
  /**
   * Genomes per job. @default guided over the connected workers' threads, no job under 2^22
   * bar-evaluations (see queueBatchSizes)
   */
  batchSize?: number;
  /** Id of the run (keys its jobs and results). @default a random UUID */
  runId?: string;
  /**
   * How a job names the strategy of an evaluate() call. @default built-ins by name and
   * evoquant version (`builtin:<name>@<version>`)
   */
  strategyRef?: (strategy: Strategy) => StrategyRef;
  /** Called about once a second while an evaluation is in progress. */
  onStatus?: (status: QueueStatus) => void;
  /**
   * Epoch ms after which an evaluation that has no worker to run it gives up (E_ABORT): how
   * `--max-seconds` applies while nobody is there to do the work.
   */
  deadline?: number;
  /** Seconds without a connection to Redis after which an evaluation fails. @default 10 */
  lostAfterSeconds?: number;
}

/** What the coordinator sees of the queue. */
export interface QueueStatus {
  /** Workers with a live heartbeat, and their threads. */
  workers: number;
  threads: number;
  /** Jobs of the current evaluation: all of them, and those with a result. */
  jobs: number;
  done: number;
  /** Seconds since a worker was last seen (0 while one is connected). */
  noWorkerSeconds: number;
  /** Whether the connection to Redis is up. */
  connected: boolean;
  /** The Redis URL without its password. */
  redis: string;
  queue: string;
}

/** The queue evaluator, with its run id and the queue's state. */
export interface QueueEvaluator extends Evaluator {
  readonly runId: string;
  /** The Redis URL without its password. */
  readonly redis: string;
  status(): QueueStatus;
}

/**
 * How a population of `count` genomes over `bars` bars is cut into jobs by default: guided, as
 * the pool does (each job a (2 x threads)th of what is left), but no job under `minBarEvals`
 * bar-evaluations unless that would leave a thread without work: a job costs about a
 * millisecond of queue traffic, the pool's tasks a tenth of that.
 */
export function queueBatchSizes(count: number, threads: number, bars: number, minBarEvals = 2 ** 22): number[] {
  return guidedSlotBatches(count, [bars], threads, minBarEvals)[0]!;
}

