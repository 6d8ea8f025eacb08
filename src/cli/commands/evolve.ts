import { join } from 'node:path';
import { Command, Option } from 'commander';
import { backtest } from '../../backtest.js';
import type { BacktestOptions } from '../../backtest.js';
import { configError } from '../../errors.js';
import type { EvolveOptions, EvolveResult, GenerationReport, RankedGenome } from '../../ga/evolve.js';
import { evolve } from '../../ga/evolve.js';
import { FITNESS_NAMES } from '../../ga/fitness.js';
import type { CrossoverKind, MutationKind, OperatorConfig } from '../../ga/operators.js';
import { CROSSOVER_KINDS, MUTATION_KINDS } from '../../ga/operators.js';
import { STRATEGY_NAMES } from '../../genome/families.js';
import { writeFileAtomic } from '../../io.js';
import { writeEquityCsv, writeTradesCsv } from '../../output.js';
import { renderReport } from '../../report/html.js';
import type { DataOptions, Io, RunState } from '../context.js';
import { loadData, requireFile } from '../context.js';
import { formatMetric, isoTime, table, toJson } from '../format.js';
import { addDataOptions, addExecutionOptions, executionOptions } from '../options.js';
import type { ExecutionCli } from '../options.js';
import { num, oneOf, strategyArg } from '../parse.js';
import { openQueueEvaluator } from '../queue-run.js';

interface EvolveCli extends DataOptions, ExecutionCli {
  strategy: string;
  population?: number;
  generations?: number;
  seed?: number;
  threads?: number;
  batchSize?: number;
  fitness?: string;
  objectives?: string;
  minTrades?: number;
  train?: number;
  folds?: number;
  foldAgg?: 'mean' | 'min';
  tournamentSize?: number;
  crossover?: CrossoverKind;
  cxpb?: number;
  sbxEta?: number;
  blendAlpha?: number;
  uniformIndpb?: number;
  mutation?: MutationKind;
  mutpb?: number;
  mutationRate?: number;
  polynomialEta?: number;
  gaussianSigma?: number;
  elitism?: number;
  immigrants?: number;
  cacheSize?: number;
  hallOfFame?: number;
  patience?: number;
  maxSeconds?: number;
  checkpoint?: string;
  resume?: string;
  out?: string;
  json?: boolean;
  report?: string;
  progress: boolean;
  holdout: boolean;
  redis?: string;
  queue?: string;
}

const fmt = (x: number, d = 4): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));

function duration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '--:--';
  const t = Math.round(s);
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
}

/** One progress line (plain) or bar (TTY) per generation, on stderr. */
function progressLine(r: GenerationReport, bar: boolean): string {
  const g = r.stats;
  const done = g.generation + 1;
  const parts = [
    `gen ${String(done).padStart(String(r.generations).length)}/${r.generations}`,
    `best ${fmt(g.best)}`,
    `mean ${fmt(g.mean)}${g.penalized > 0 ? ` (${g.penalized} under min trades)` : ''}`,
    `${Math.round(r.evaluationsPerSecond).toLocaleString('en-US')} evals/s`,
    `cache ${(r.cacheHitRate * 100).toFixed(0)}%`,
    `ETA ${duration(r.etaSeconds)}`,
  ];
  if (g.front !== undefined) parts.splice(3, 0, `front ${g.front}`);
  const rho = g.diversity.hallOfFameCorrelation;
  parts.splice(parts.length - 2, 0, `hof rho ${rho === null ? 'n/a' : rho.toFixed(2)}  spread ${g.diversity.genotypeSpread.toFixed(2)}`);
  if (!bar) return parts.join('  ');
  const width = 20;
  const filled = Math.round((done / r.generations) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${parts.join('  ')}`;
}

function metricCells(m: RankedGenome['inSample'] | null): string[] {
  if (m === null) return ['', '', '', ''];
  return [formatMetric('sharpe', m.sharpe), formatMetric('totalReturn', m.totalReturn), formatMetric('maxDrawdown', m.maxDrawdown), formatMetric('trades', Math.round(m.trades * 10) / 10)];
}

/** The hall-of-fame table: fitness, in-sample and out-of-sample metrics, then the genes. */
export function hallOfFameTable(r: EvolveResult, limit = 10): string {
  const hof = r.hallOfFame.slice(0, limit);
  const oosLabel = r.windows.test.length > 1 ? 'OOS (fold mean)' : 'OOS';
  const header = ['#', 'fitness', 'IS sharpe', 'IS return', 'IS maxDD', 'IS trades', `${oosLabel} sharpe`, 'OOS return', 'OOS maxDD', 'OOS trades'];
  const rows = hof.map((h) => [String(h.rank), fmt(h.fitness), ...metricCells(h.inSample), ...metricCells(h.outOfSample)]);
  const w = String(hof.length).length + 1;
  const genes = hof.map((h) => `${`#${h.rank}`.padEnd(w)}  ${Object.entries(h.params).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`).join(' ')}`);
  return `${table(header, rows)}\n\n${genes.join('\n')}`;
}

function windowText(r: EvolveResult): string {
  const w = r.windows;
  const span = (a: { start: number; end: number }): string => `bars [${a.start}, ${a.end})`;
  if (w.test.length === 0) return `in-sample: ${span(w.train[0]!)} (no out-of-sample window)`;
  if (w.train.length === 1) return `in-sample: ${span(w.train[0]!)}, out-of-sample: ${span(w.test[0]!)}`;
  return `walk-forward: ${w.train.length} anchored folds${w.holdout !== null ? `, holdout ${span(w.holdout)}` : ''}`;
}

export function evolveCommand(io: Io, state: RunState): Command {
  const cmd = new Command('evolve')
    .description('evolve strategy parameters with a genetic algorithm (the main job)')
    .addOption(new Option('--strategy <name|path>', 'a built-in (see `evoquant strategies`) or a .mjs/.js strategy module').argParser(strategyArg(STRATEGY_NAMES)).default('stoch-rsi-bands'))
    .option('--population <n>', 'genomes per generation (default 128)', num({ min: 4, max: 1e6, integer: true }))
    .option('--generations <n>', 'generations, the initial one included (default 40)', num({ min: 1, max: 1e6, integer: true }))
    .option('--seed <n>', 'seed of the run (default 1)', num({ min: 0, max: 2 ** 32 - 1, integer: true }))
    .option('--threads <n>', 'worker threads, 0 = this thread (default: all cores)', num({ min: 0, max: 1024, integer: true }))
    .option('--batch-size <n>', 'genomes per worker task (default: guided, shrinking as the work runs out)', num({ min: 1, max: 1e6, integer: true }))
    .option('--fitness <spec>', `fitness: ${FITNESS_NAMES.join(', ')}, or metric:weight,... (default: default = sharpe - 0.5 maxDrawdown + 0.3 winRate)`)
    .option('--objectives <list>', 'multi-objective NSGA-II, e.g. max:sharpe,min:maxDrawdown')
    .option('--min-trades <n>', 'genomes with fewer trades get the penalty fitness -1000 (default 5)', num({ min: 0, max: 1e9, integer: true }))
    .option('--train <f>', 'in-sample fraction, the rest is out of sample (default 0.7)', num())
    .option('--no-holdout', 'use every bar in sample: no out-of-sample window (not with --train)')
    .option('--folds <k>', 'anchored walk-forward folds', num({ min: 1, max: 100, integer: true }))
    .addOption(new Option('--fold-agg <how>', 'fold fitness: mean, or min (the worst fold) (default mean)').argParser(oneOf(['mean', 'min'] as const)))
    .option('--tournament-size <k>', 'tournament selection size (default 3)', num({ min: 1, max: 1e6, integer: true }))
    .addOption(new Option('--crossover <kind>', 'crossover operator (default sbx)').argParser(oneOf(CROSSOVER_KINDS)))
    .option('--cxpb <p>', 'crossover probability per pair (default 0.9)', num({ min: 0, max: 1 }))
    .option('--sbx-eta <x>', 'SBX distribution index (default 15)', num({ min: 0 }))
    .option('--blend-alpha <x>', 'BLX-alpha (default 0.5)', num({ min: 0 }))
    .option('--uniform-indpb <p>', 'uniform crossover swap probability per gene (default 0.5)', num({ min: 0, max: 1 }))
    .addOption(new Option('--mutation <kind>', 'mutation operator (default polynomial)').argParser(oneOf(MUTATION_KINDS)))
    .option('--mutpb <p>', 'probability that a child is mutated (default 1)', num({ min: 0, max: 1 }))
    .option('--mutation-rate <p>', 'per-gene mutation probability (default 1/genes)', num({ min: 0, max: 1 }))
    .option('--polynomial-eta <x>', 'polynomial mutation distribution index (default 20)', num({ min: 0 }))
    .option('--gaussian-sigma <f>', 'gaussian mutation sigma as a fraction of the gene range (default 0.1)', num({ min: 0 }))
    .option('--elitism <n>', 'best genomes kept unchanged (default 2)', num({ min: 0, max: 1e6, integer: true }))
    .option('--immigrants <f>', 'fraction of fresh random genomes per generation (default 0.05)', num({ min: 0, max: 1 }))
    .option('--cache-size <n>', 'fitness cache entries (default 100000)', num({ min: 0, max: 1e8, integer: true }))
    .option('--hall-of-fame <n>', 'hall of fame size (default 10)', num({ min: 1, max: 10000, integer: true }))
    .option('--patience <g>', 'stop after G generations without a better best', num({ min: 1, max: 1e9, integer: true }))
    .option('--max-seconds <s>', 'stop starting generations after S seconds', num({ min: 0, minOpen: true }))
    .option('--checkpoint <file>', 'write the run state after every generation')
    .option('--resume <file>', 'continue a checkpointed run (keeps checkpointing to it)')
    .option('--out <dir>', 'write result.json and the best genome\'s trades and equity as CSV')
    .option('--json', 'print the result as JSON on stdout')
    .option('--report <file>', 'write a self-contained HTML report')
    .option('--no-progress', 'no progress output')
    .option('--redis <url>', 'evaluate on `evoquant worker` processes through Redis: redis://[user:password@]host:port or rediss:// (TLS)')
    .option('--queue <name>', 'with --redis: the queue the workers serve (default evaluate)');
  addDataOptions(cmd);
  addExecutionOptions(cmd);
  cmd.action(async (o: EvolveCli) => {
    if (o.longOnly === true && o.allowShort === true) throw configError('--long-only', 'cannot be combined with --allow-short');
    if (o.resume !== undefined) requireFile('--resume', o.resume);
    if (o.train !== undefined && !(o.train > 0 && o.train < 1)) throw configError('--train', `must be in (0, 1), got ${o.train}`);
    const market = await loadData(o);
    const exec: BacktestOptions = executionOptions(o);
    const { backend, ...bt } = exec;
    const operators: Partial<OperatorConfig> = {};
    const put = <K extends keyof OperatorConfig>(k: K, v: OperatorConfig[K] | undefined): void => {
      if (v !== undefined) operators[k] = v;
    };
    put('tournamentSize', o.tournamentSize);
    put('crossover', o.crossover);
    put('cxpb', o.cxpb);
    put('sbxEta', o.sbxEta);
    put('blendAlpha', o.blendAlpha);
    put('uniformIndpb', o.uniformIndpb);
    put('mutation', o.mutation);
    put('mutpb', o.mutpb);
    put('mutationIndpb', o.mutationRate);
    put('polynomialEta', o.polynomialEta);
    put('gaussianSigma', o.gaussianSigma);
    put('elitism', o.elitism);
    put('immigrants', o.immigrants);
    const options: EvolveOptions = { market, strategy: o.strategy, backtest: bt, operators, ...(backend !== undefined ? { backend } : {}) };
    const copy = <K extends keyof EvolveOptions & keyof EvolveCli>(k: K): void => {
      if (o[k] !== undefined) (options as Record<string, unknown>)[k] = o[k];
    };
    (['population', 'generations', 'seed', 'threads', 'batchSize', 'fitness', 'objectives', 'minTrades', 'train', 'folds', 'cacheSize', 'patience', 'maxSeconds', 'checkpoint', 'resume'] as const).forEach(copy);
    if (o.foldAgg !== undefined) options.foldAggregate = o.foldAgg;
    if (!o.holdout) {
      if (o.train !== undefined) throw configError('--no-holdout', 'cannot be combined with --train');
      options.train = null;
    }
    if (o.hallOfFame !== undefined) options.hallOfFame = o.hallOfFame;

    // Ctrl-C: abandon the generation in progress, keep the checkpoint, write what there is.
    const controller = new AbortController();
    let interrupted = false;
    const onSigint = (): void => {
      interrupted = true;
      io.err('\ninterrupted: finishing with the last completed generation (Ctrl-C again to quit at once)\n');
      controller.abort(new Error('SIGINT'));
      process.off('SIGINT', onSigint);
    };
    process.on('SIGINT', onSigint);
    const bar = o.progress && io.errIsTTY === true;
    let lastLength = 0;
    let result: EvolveResult;
    try {
      if (o.redis !== undefined) {
        if (o.threads !== undefined) throw configError('--threads', 'applies to the local pool: with --redis, give each worker its --threads');
        options.evaluator = await openQueueEvaluator({
          redis: o.redis, market, backtest: bt, tty: io.errIsTTY === true,
          ...(backend !== undefined ? { backend } : {}),
          ...(o.queue !== undefined ? { queue: o.queue } : {}),
          ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
          ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}),
        }, io);
      }
      result = await evolve(options, {
        signal: controller.signal,
        onGeneration: (r) => {
          if (!o.progress) return;
          const line = progressLine(r, bar);
          if (bar) {
            io.err(`\r${line.padEnd(lastLength)}`);
            lastLength = line.length;
          } else {
            io.err(`${line}\n`);
          }
        },
      });
    } finally {
      process.off('SIGINT', onSigint);
      if (bar && lastLength > 0) io.err('\n');
      await options.evaluator?.close();
    }

    const files: string[] = [];
    if (o.out !== undefined) {
      const best = result.hallOfFame[0];
      if (best !== undefined) {
        // The module's own backtest (by its file: the name of a module is not a built-in's).
        const full = backtest(market, result.strategy.file ?? result.strategy.name, best.params, { ...exec, window: { start: 0, end: market.length } });
        await writeTradesCsv(join(o.out, 'best-trades.csv'), full.trades);
        await writeEquityCsv(join(o.out, 'best-equity.csv'), market, full.window, full.equity);
        files.push(join(o.out, 'best-trades.csv'), join(o.out, 'best-equity.csv'));
      }
      await writeFileAtomic(join(o.out, 'result.json'), `${toJson(result)}\n`);
      files.unshift(join(o.out, 'result.json'));
    }
    if (o.report !== undefined) {
      await writeFileAtomic(o.report, renderReport(result));
      files.push(o.report);
    }
    if (o.json === true) {
      io.out(`${toJson(result)}\n`);
    } else {
      const mode = result.paretoFront !== null ? `NSGA-II, objectives ${(result.config['objectives'] as string[]).join(', ')}` : `fitness ${String(result.config['fitness'])}`;
      io.out(`${result.config['strategy'] as string} on ${result.data.source} (${result.data.bars} bars, ${isoTime(result.data.from)} .. ${isoTime(result.data.to)}), ${mode}\n`);
      io.out(`${windowText(result)}\n`);
      const why = { generations: 'the generation limit', patience: `no better best for ${String(result.config['patience'])} generations`, 'max-seconds': 'the time limit', interrupted: 'interrupted' }[result.stopped.reason];
      io.out(`stopped after ${result.stopped.generations} generations (${why}); ${result.evaluations.backtests.toLocaleString('en-US')} backtests, cache hits ${result.evaluations.cacheHits.toLocaleString('en-US')}; ${result.timings.totalSeconds.toFixed(1)} s on ${result.timings.threads} thread${result.timings.threads === 1 ? '' : 's'} (${result.timings.backend})\n\n`);
      io.out(`hall of fame\n${hallOfFameTable(result)}\n`);
      io.out(`\noverfitting (on the in-sample window, bars [${result.overfitting.window.start}, ${result.overfitting.window.end}))\n  ${result.overfitting.verdicts.deflatedSharpe}\n  ${result.overfitting.verdicts.pbo}\n`);
      if (result.paretoFront !== null) io.out(`\nPareto front: ${result.paretoFront.length} genomes (in result.json)\n`);
      if (files.length > 0) io.out(`\nwrote ${files.join(', ')}\n`);
    }
    if (interrupted || result.stopped.reason === 'interrupted') state.exitCode = 130;
  });
  return cmd;
}
