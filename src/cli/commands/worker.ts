import { Command } from 'commander';
import type { Io } from '../context.js';
import { notEmpty } from '../context.js';
import { num } from '../parse.js';

interface WorkerCli {
  redis: string;
  queue?: string;
  threads?: number;
  concurrency?: number;
  name?: string;
  strategy: string[];
  lockSeconds?: number;
}

/** `evoquant worker`: a long-running process that evaluates jobs from the queue until SIGTERM or Ctrl-C. */
export function workerCommand(io: Io): Command {
  return new Command('worker')
    .description('evaluate genomes for `evolve --redis` coordinators on this host, until SIGTERM or Ctrl-C')
    .requiredOption('--redis <url>', 'redis://[user:password@]host:port[/db] or rediss:// (TLS); or the password in EVOQUANT_REDIS_PASSWORD', notEmpty)
    .option('--queue <name>', 'queue name, to keep groups of workers apart (default evaluate)')
    .option('--threads <n>', 'threads of this worker\'s pool (default: all cores)', num({ min: 1, max: 1024, integer: true }))
    .option('--concurrency <k>', 'jobs held at once; with 2 or more the next is on hand while one computes (default 1 with --threads 1, else 2)', num({ min: 1, max: 1024, integer: true }))
    .option('--name <id>', 'name in logs and in the coordinator\'s errors (default: hostname-pid)')
    .option('--strategy <path>', 'a strategy module this worker may run (matched by its sha256); repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--lock-seconds <s>', 'a job held by a silent (killed) worker goes to another after 1 to 2 times this (default 10)', num({ min: 0.5, max: 3600 }))
    .action(async (o: WorkerCli) => {
      // Loaded when a worker starts (BullMQ takes about 0.1 s to import; see queue-run.ts).
      const { startQueueWorker } = await import('../../queue/worker.js');
      const worker = await startQueueWorker({
        redis: o.redis,
        strategies: o.strategy,
        log: (line) => io.out(`${line}\n`),
        ...(o.queue !== undefined ? { queue: o.queue } : {}),
        ...(o.threads !== undefined ? { threads: o.threads } : {}),
        ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
        ...(o.name !== undefined ? { name: o.name } : {}),
        ...(o.lockSeconds !== undefined ? { lockSeconds: o.lockSeconds } : {}),
      });
      // SIGTERM or Ctrl-C: finish the jobs in hand and stop. A second Ctrl-C quits at once.
      const stop = (signal: string): void => {
        io.out(`${signal}: finishing the jobs in hand, then stopping (Ctrl-C again to quit at once)\n`);
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        void worker.close();
      };
      const onTerm = (): void => stop('SIGTERM');
      const onInt = (): void => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
      try {
        await worker.closed;
      } finally {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
      }
    });
}
