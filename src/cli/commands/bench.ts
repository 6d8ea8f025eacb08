import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { formatKernelTable, runKernelSuite } from '../../bench/kernels.js';
import type { KernelBenchRecord } from '../../bench/kernels.js';
import { describeMachine, formatMachine } from '../../bench/machine.js';
import { formatPopulationTable, randomGenomes, runPopulationSuite, syntheticWorkload, w1Grid, w2MarketWorkload, w2SyntheticWorkload } from '../../bench/population.js';
import { synthetic } from '../../data/synthetic.js';
import { STRATEGY_NAMES } from '../../strategies/registry.js';
import { resolveStrategy } from '../../strategy/load.js';
import type { PopulationRecord, PopulationWorkload } from '../../bench/population.js';
import type { Io } from '../context.js';
import { loadData } from '../context.js';
import { toJson } from '../format.js';
import { packageRoot } from '../../paths.js';
import { num, oneOf, strategyArg } from '../parse.js';

interface BenchCli {
  suite: 'kernels' | 'population' | 'all';
  bars?: number;
  genomes: number;
  threads: string;
  time: number;
  repeats: number;
  data?: string;
  strategy?: string;
  json?: boolean;
}

/**
 * `evoquant bench`: the kernel suite (every WASM kernel against its TypeScript twin) and the
 * W1 population suite (native C baseline, TS and WASM, in process and on the pool) on this machine.
 * The defaults finish in well under a minute; the bench/ scripts run the full, longer versions.
 */
export function benchCommand(io: Io): Command {
  return new Command('bench')
    .description('benchmark the kernels (WASM vs TypeScript) and the W1 population throughput on this machine')
    .addOption(new Option('--suite <name>', 'which suite').argParser(oneOf(['kernels', 'population', 'all'] as const)).default('all'))
    .option('--bars <n>', 'bars per series (default: kernels 1e5, population 100000)', num({ min: 100, max: 1e8, integer: true }))
    .option('--genomes <n>', 'population size of the population suite (W1; W2 takes 8x on GOOG and 2x on the synthetic series)', num({ min: 2, max: 1e6, integer: true }), 256)
    .option('--threads <list>', 'thread counts of the population suite, comma-separated', '1,2')
    .option('--time <ms>', 'measuring time per kernel task', num({ min: 1, max: 60_000 }), 100)
    .option('--repeats <n>', 'timed runs per population configuration (the best is kept)', num({ min: 1, max: 100, integer: true }), 2)
    .option('--data <file>', 'also run the population suite on this CSV with the full W1 grid')
    .option('--strategy <name|path>', 'population suite: measure this strategy (a built-in or a .mjs/.js module) on random genomes instead of W1', strategyArg(STRATEGY_NAMES))
    .option('--json', 'print one JSON object: machine and a flat results array')
    .action(async (o: BenchCli) => {
      const machine = describeMachine();
      const progress = (m: string): void => {
        if (o.json !== true) io.err(`  ${m}\n`);
      };
      const threads = o.threads.split(',').map((s) => {
        const v = Number(s);
        if (!Number.isInteger(v) || v < 1 || v > 1024) throw new Error(`--threads: "${s}" is not a thread count`);
        return v;
      });
      const results: (KernelBenchRecord | PopulationRecord)[] = [];
      let text = '';
      if (o.suite !== 'population') {
        const records = await runKernelSuite({ sizes: [o.bars ?? 100_000], timeMs: o.time, warmupMs: Math.min(30, o.time), onProgress: progress });
        results.push(...records);
        text += `kernels (ops/s, higher is better)\n${formatKernelTable(records, machine).split('\n').slice(0, -1).join('\n')}\n\n`;
      }
      if (o.suite !== 'kernels') {
        const workloads: PopulationWorkload[] = [];
        if (o.strategy !== undefined) {
          const s = await resolveStrategy(o.strategy, '--strategy');
          const bars = o.bars ?? 100_000;
          workloads.push({ name: `synthetic ${bars} bars x ${o.genomes} random`, market: synthetic({ bars, seed: 42 }), genomes: randomGenomes(s, o.genomes, 42), strategy: s });
          if (o.data !== undefined) {
            const market = await loadData({ data: o.data, synthBars: 0, synthSeed: 0 });
            workloads.push({ name: `${o.data} x ${o.genomes} random`, market, genomes: randomGenomes(s, o.genomes, 42), strategy: s });
          }
        } else {
          workloads.push(syntheticWorkload(o.bars ?? 100_000, o.genomes));
        }
        if (o.data !== undefined && o.strategy === undefined) {
          const market = await loadData({ data: o.data, synthBars: 0, synthSeed: 0 });
          workloads.push({ name: `${o.data} x ${w1Grid().length / 2} (W1 grid)`, market, genomes: w1Grid() });
        }
        if (o.strategy === undefined) {
          // W2 (stoch-rsi-bands): GOOG daily from ../shared beside the package when it is there.
          const goog = join(packageRoot(), '..', 'shared', 'data', 'GOOG.csv');
          if (existsSync(goog)) workloads.push(w2MarketWorkload(await loadData({ data: goog, synthBars: 0, synthSeed: 0 }), 'W2 GOOG', 8 * o.genomes));
          workloads.push(w2SyntheticWorkload(o.bars ?? 100_000, 2 * o.genomes));
        }
        const r = await runPopulationSuite({ workloads, threads, repeats: o.repeats, onProgress: progress });
        results.push(...r.records);
        text += `population (W1 and W2 bar-evaluations per second)\n${formatPopulationTable(r)}\n\n`;
      }
      if (o.json === true) {
        io.out(`${toJson({ machine, results })}\n`);
        return;
      }
      io.out(`${text}${formatMachine(machine)}\n`);
    });
}
