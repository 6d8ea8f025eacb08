// `evolve --redis`: the queue evaluator as the CLI opens it, and what it tells the user while it
// waits for workers. Kept apart from the evolve command so that command only wires it in.
import type { BacktestOptions } from '../backtest.js';
import type { MarketData } from '../data/market.js';
import type { Backend } from '../kernels/kernel-set.js';
import type { QueueEvaluator, QueueStatus } from '../queue/evaluator.js';
import type { Io } from './context.js';

/** Seconds without a worker before the coordinator says so. */
const NOTICE_AFTER_S = 2;
/** How often a non-terminal stderr repeats that it is still waiting. */
const REPEAT_S = 10;

export interface QueueRunOptions {
  redis: string;
  queue?: string;
  batchSize?: number;
  maxSeconds?: number;
  markets: readonly MarketData[];
  backtest: Omit<BacktestOptions, 'backend' | 'window'>;
  backend?: Backend;
  /** Whether stderr is a terminal: the waiting line is then rewritten in place. */
  tty: boolean;
}

/** Opens the queue evaluator of a CLI run; its status lines go to stderr. */
export async function openQueueEvaluator(o: QueueRunOptions, io: Io): Promise<QueueEvaluator> {
  // Loaded here: BullMQ and its Redis client take about 0.1 s to import, which every other run
  // would pay for nothing.
  const { createQueueEvaluator } = await import('../queue/evaluator.js');
  const started = Date.now();
  let noticed = false;
  let lastRepeat = 0;
  const onStatus = (s: QueueStatus): void => {
    if (s.workers > 0) {
      if (noticed) io.err(`${o.tty ? '\r\x1b[K' : ''}${s.workers} worker${s.workers === 1 ? '' : 's'} connected (${s.threads} threads): evaluating (${s.done}/${s.jobs} jobs done)\n`);
      noticed = false;
      return;
    }
    if (s.noWorkerSeconds < NOTICE_AFTER_S) return;
    const line = `waiting for workers: none connected to ${s.redis} (queue ${s.queue}) for ${Math.round(s.noWorkerSeconds)} s, ${s.done}/${s.jobs} jobs done; start one with \`evoquant worker --redis URL\``;
    if (o.tty) {
      io.err(`\r\x1b[K${line}`);
    } else if (!noticed || s.noWorkerSeconds - lastRepeat >= REPEAT_S) {
      io.err(`${line}\n`);
      lastRepeat = s.noWorkerSeconds;
    }
    noticed = true;
  };
  return createQueueEvaluator({
    redis: o.redis,
    markets: o.markets,
    backtest: o.backtest,
    onStatus,
    ...(o.backend !== undefined ? { backend: o.backend } : {}),
    ...(o.queue !== undefined ? { queue: o.queue } : {}),
    ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
    ...(o.maxSeconds !== undefined ? { deadline: started + o.maxSeconds * 1000 } : {}),
  });
}
