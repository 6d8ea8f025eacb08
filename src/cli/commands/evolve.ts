import { constants } from 'node:os';
import { Command, Option } from 'commander';
import { backtest } from '../../backtest.js';
import type { BacktestOptions } from '../../backtest.js';
import { configError } from '../../errors.js';
import type { EvolveOptions, EvolveResult } from '../../ga/evolve.js';
import { evolve } from '../../ga/evolve.js';
import { FITNESS_NAMES } from '../../ga/fitness.js';
import type { CrossoverKind, MutationKind, OperatorConfig } from '../../ga/operators.js';
import { CROSSOVER_KINDS, MUTATION_KINDS } from '../../ga/operators.js';
import { STRATEGY_NAMES } from '../../genome/families.js';
import { METRIC_NAMES } from '../../kernels/layout.js';
import { writeFileAtomic } from '../../io.js';
import { looksLikeModule } from '../../strategy/load.js';
import { OUTPUT_SET_INDEX, equityCsv, tradesCsv, writeOutputSet } from '../../output.js';
import type { OutputFile } from '../../output.js';
import { checkpointFiles } from '../../ga/checkpoint.js';
import { renderReport } from '../../report/html.js';
import type { DataOptions, Io, RunState } from '../context.js';
import { dataFiles, dataInputs, loadDataMarkets, requireFile } from '../context.js';
import type { MarketData } from '../../data/market.js';
import { marketName } from '../../data/market.js';
import { timeFormatter, toJson } from '../format.js';
import { checkOutputs } from '../outputs.js';
import type { InputPath, OutputPath } from '../outputs.js';
import { fittedProgressLine, progressLine, redraw } from '../progress.js';
import { hallOfFameTable, paretoTable, stopText, windowsTable, marketsTable } from '../result-tables.js';
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
  minTradeRate?: number;
  train?: number;
  folds?: number;
  foldAgg?: 'mean' | 'min';
  marketAgg?: 'mean' | 'median' | 'min';
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
  analysisSample?: number;
  hofDistinct?: string;
  islands?: number;
  migrationInterval?: number;
  landscape?: [string, string];
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

/** The signals that interrupt a run like Ctrl-C (exit 130, 143, 129). */
/** The markets as evolve() options: `market` for one, `markets` for several. */
function marketsOption(markets: readonly MarketData[]): { market?: MarketData; markets?: readonly MarketData[] } {
  return markets.length === 1 ? { market: markets[0]! } : { markets };
}

const INTERRUPTS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function windowText(r: EvolveResult): string {
  const w = r.windows;
  const span = (a: { start: number; end: number }): string => `bars [${a.start}, ${a.end})`;
  if (w.test.length === 0) return `in-sample: ${span(w.train[0]!)} (no out-of-sample window)`;
  if (w.train.length === 1) return `in-sample: ${span(w.train[0]!)}, out-of-sample: ${span(w.test[0]!)}`;
  return `walk-forward: ${w.train.length} anchored folds${w.holdout !== null ? `, holdout ${span(w.holdout)}` : ''}`;
}

/**
 * The files of an `--out` directory (result.json names the others with their digests): the best
 * genome's trades and equity, per market when there are several (`best-trades-<market>.csv`).
 */
function outFiles(markets: readonly string[]): string[] {
  if (markets.length <= 1) return [OUTPUT_SET_INDEX, 'best-trades.csv', 'best-equity.csv'];
  return [OUTPUT_SET_INDEX, ...markets.flatMap((m) => [`best-trades-${m}.csv`, `best-equity-${m}.csv`])];
}

/**
 * Every path the run reads or writes, checked before any work: outputs writable, none over an
 * input or over another output (the checkpoint may continue the file it resumes).
 */
function checkEvolvePaths(o: EvolveCli, dataFiles: readonly string[]): void {
  const inputs: InputPath[] = dataInputs(dataFiles);
  const outputs: OutputPath[] = [];
  if (looksLikeModule(o.strategy)) inputs.push({ option: '--strategy', path: o.strategy });
  if (o.resume !== undefined) {
    const f = checkpointFiles(o.resume);
    inputs.push({ option: '--resume', path: o.resume, files: [f.snapshot, f.history] });
  }
  const ck = o.checkpoint ?? o.resume;
  if (ck !== undefined) {
    const f = checkpointFiles(ck);
    outputs.push({ option: o.checkpoint !== undefined ? '--checkpoint' : '--resume', path: ck, files: [f.snapshot, f.history, f.lock] });
  }
  if (o.out !== undefined) outputs.push({ option: '--out', path: o.out, kind: 'dir', files: outFiles(dataFiles.map((f) => marketName({ source: f }))) });
  if (o.report !== undefined) outputs.push({ option: '--report', path: o.report });
  checkOutputs(inputs, outputs, [['--checkpoint', '--resume']]);
}

export function evolveCommand(io: Io, state: RunState): Command {
  const cmd = new Command('evolve')
    .description('evolve strategy parameters with a genetic algorithm (the main job)')
    .addOption(new Option('--strategy <name|path>', 'a built-in (see `evoquant strategies`) or a .mjs/.js strategy module').argParser(strategyArg(STRATEGY_NAMES)).default('stoch-rsi-bands'))
    .option('--population <n>', 'genomes per generation (default 128)', num({ min: 4, max: 1e6, integer: true }))
    .option('--generations <n>', 'generations, the initial one included (default 40)', num({ min: 1, max: 1e6, integer: true }))
    .option('--seed <n>', 'seed of the run (default 1)', num({ min: 0, max: 2 ** 32 - 1, integer: true }))
    .option('--threads <n>', 'worker threads, 0 = this thread, at most 4 x the cores (default: all cores)', num({ min: 0, max: 1e6, integer: true }))
    .option('--batch-size <n>', 'genomes per worker task (default: guided, shrinking as the work runs out)', num({ min: 1, max: 1e6, integer: true }))
    .option('--fitness <spec>', `fitness: ${FITNESS_NAMES.join(', ')}, or metric:weight,... over ${METRIC_NAMES.join(', ')} (default: default = 0.5 sharpe + 0.5 calmar; seed = sharpe - 0.5 maxDrawdown + 0.3 winRate)`)
    .option('--objectives <list>', 'multi-objective NSGA-II, e.g. max:sharpe,min:maxDrawdown')
    .option('--min-trades <n>', 'floor of the minimum-trades rule: genomes with fewer trades on a window get the penalty fitness -1000 (default 5)', num({ min: 0, max: 1e9, integer: true }))
    .option('--min-trade-rate <r>', 'minimum trades per 1,000 bars of each window, floored by --min-trades (default 5)', num({ min: 0, max: 1000 }))
    .option('--train <f>', 'in-sample fraction, the rest is out of sample (default 0.7)', num())
    .option('--no-holdout', 'use every bar in sample: no out-of-sample window (not with --train)')
    .option('--folds <k>', 'anchored walk-forward folds', num({ min: 1, max: 100, integer: true }))
    .addOption(new Option('--fold-agg <how>', 'fold fitness: mean, or min (the worst fold) (default mean)').choices(['mean', 'min']).argParser(oneOf(['mean', 'min'] as const)))
    .addOption(new Option('--market-agg <how>', 'with several markets, how their fitness (each over its folds first) is combined: mean, median, or min (the worst market) (default mean)').choices(['mean', 'median', 'min']).argParser(oneOf(['mean', 'median', 'min'] as const)))
    .option('--tournament-size <k>', 'tournament selection size (default 3)', num({ min: 1, max: 1e6, integer: true }))
    .addOption(new Option('--crossover <kind>', 'crossover operator (default sbx)').choices(CROSSOVER_KINDS).argParser(oneOf(CROSSOVER_KINDS)))
    .option('--cxpb <p>', 'crossover probability per pair (default 0.9)', num({ min: 0, max: 1 }))
    .option('--sbx-eta <x>', 'SBX distribution index (default 15)', num({ min: 0 }))
    .option('--blend-alpha <x>', 'BLX-alpha (default 0.5)', num({ min: 0 }))
    .option('--uniform-indpb <p>', 'uniform crossover swap probability per gene (default 0.5)', num({ min: 0, max: 1 }))
    .addOption(new Option('--mutation <kind>', 'mutation operator (default polynomial)').choices(MUTATION_KINDS).argParser(oneOf(MUTATION_KINDS)))
    .option('--mutpb <p>', 'probability that a child is mutated (default 1)', num({ min: 0, max: 1 }))
    .option('--mutation-rate <p>', 'per-gene mutation probability (default 1/genes)', num({ min: 0, max: 1 }))
    .option('--polynomial-eta <x>', 'polynomial mutation distribution index (default 20)', num({ min: 0 }))
    .option('--gaussian-sigma <f>', 'gaussian mutation sigma as a fraction of the gene range (default 0.1)', num({ min: 0 }))
    .option('--elitism <n>', 'best genomes kept unchanged (default 2)', num({ min: 0, max: 1e6, integer: true }))
    .option('--immigrants <f>', 'fraction of fresh random genomes per generation (default 0.05)', num({ min: 0, max: 1 }))
    .option('--cache-size <n>', 'fitness cache entries (default 100000)', num({ min: 0, max: 1e8, integer: true }))
    .option('--analysis-sample <k>', 'genomes in the final overfitting analysis: the best K distinct (default 256)', num({ min: 2, max: 1e6, integer: true }))
    .option('--hall-of-fame <n>', 'hall of fame size (default 10)', num({ min: 1, max: 10000, integer: true }))
    .option('--hof-distinct <rule>', 'hall-of-fame entries must differ: corr:R (return correlation <= R), gene:D (normalised gene distance >= D) or off (default corr:0.95)')
    .option('--islands <k>', 'island model: k sub-populations with ring migration, 1 = off (default 1)', num({ min: 1, max: 1e6, integer: true }))
    .option('--migration-interval <g>', 'generations between ring migrations (default 5)', num({ min: 1, max: 1e6, integer: true }))
    .option('--landscape <a,b>', 'the two genes of the report\'s heat-map (default: the two most influential)', (v: string) => v.split(',').map((x) => x.trim()) as [string, string])
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
    // Every data file is resolved, checked as an input and loaded (all validated) before any work.
    const inputFiles = dataFiles(o);
    checkEvolvePaths(o, inputFiles);
    const markets = await loadDataMarkets(o, inputFiles);
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
    // One market as `market` (a basket of one is the same run, to the bit); several as `markets`.
    const options: EvolveOptions = { ...marketsOption(markets), strategy: o.strategy, backtest: bt, operators, ...(backend !== undefined ? { backend } : {}) };
    const copy = <K extends keyof EvolveOptions & keyof EvolveCli>(k: K): void => {
      if (o[k] !== undefined) (options as Record<string, unknown>)[k] = o[k];
    };
    (['population', 'generations', 'seed', 'threads', 'batchSize', 'fitness', 'objectives', 'minTrades', 'minTradeRate', 'train', 'folds', 'cacheSize', 'hofDistinct', 'islands', 'migrationInterval', 'patience', 'maxSeconds', 'checkpoint', 'resume', 'analysisSample'] as const).forEach(copy);
    if (o.foldAgg !== undefined) options.foldAggregate = o.foldAgg;
    if (o.marketAgg !== undefined) options.marketAggregate = o.marketAgg;
    if (!o.holdout) {
      if (o.train !== undefined) throw configError('--no-holdout', 'cannot be combined with --train');
      options.train = null;
    }
    if (o.hallOfFame !== undefined) options.hallOfFame = o.hallOfFame;
    if (o.landscape !== undefined) options.landscapeGenes = o.landscape;

    // Ctrl-C, SIGTERM (timeout, docker stop) and SIGHUP (a closed terminal): abandon the
    // generation in progress, keep the checkpoint, write what there is, exit 128 + the signal's
    // number. A second signal gets the default action: the process ends at once.
    const controller = new AbortController();
    let interruptedBy: NodeJS.Signals | null = null;
    const onSignal = (sig: NodeJS.Signals): void => {
      interruptedBy = sig;
      const again = sig === 'SIGINT' ? 'Ctrl-C' : sig;
      io.err(`\ninterrupted: finishing with the last completed generation (${again} again to quit at once)\n`);
      controller.abort(new Error(sig));
      for (const s of INTERRUPTS) process.off(s, onSignal);
    };
    for (const s of INTERRUPTS) process.on(s, onSignal);
    const bar = o.progress && io.errIsTTY === true;
    let lastLength = 0;
    let lastAnalysisLine = -Infinity;
    let result: EvolveResult;
    try {
      if (o.redis !== undefined) {
        if (o.threads !== undefined) throw configError('--threads', 'applies to the local pool: with --redis, give each worker its --threads');
        options.evaluator = await openQueueEvaluator({
          redis: o.redis, markets, backtest: bt, tty: io.errIsTTY === true,
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
          if (bar) {
            io.err(redraw(fittedProgressLine(r, io.errColumns)));
            lastLength = 1;
          } else {
            const line = progressLine(r);
            io.err(`${line}\n`);
          }
        },
        onAnalysis: (a) => {
          if (!o.progress) return;
          // Only an analysis that takes a while is shown: after a second, then every 5 s (a
          // redrawn line on a terminal), and its end.
          if (a.elapsedSeconds < 1 || (!bar && a.done < a.total && a.elapsedSeconds - lastAnalysisLine < 5)) return;
          lastAnalysisLine = a.elapsedSeconds;
          const line = `analysis: ${a.done}/${a.total} return series backtested for the overfitting statistics, ${a.elapsedSeconds.toFixed(1)} s`;
          if (bar) {
            io.err(redraw(line));
            lastLength = 1;
          } else {
            io.err(`${line}\n`);
          }
        },
        onWarning: (message) => io.err(`warning: ${message.replace(/^threads:/, '--threads:')}\n`),
      });
    } finally {
      for (const s of INTERRUPTS) process.off(s, onSignal);
      if (bar && lastLength > 0) io.err('\n');
      await options.evaluator?.close();
    }
    // Decided before anything is written, so a stdout closed meanwhile exits with it too.
    if (interruptedBy !== null || result.stopped.reason === 'interrupted') {
      state.exitCode = 128 + constants.signals[interruptedBy ?? 'SIGINT'];
    }

    const files: string[] = [];
    if (o.out !== undefined) {
      const best = result.hallOfFame[0];
      const set: OutputFile[] = [];
      if (best !== undefined) {
        for (const m of markets) {
          // The module's own backtest (by its file: the name of a module is not a built-in's).
          const full = backtest(m, result.strategy.file ?? result.strategy.name, best.params, { ...exec, window: { start: 0, end: m.length } });
          const suffix = markets.length > 1 ? `-${marketName(m)}` : '';
          set.push({ name: `best-trades${suffix}.csv`, content: tradesCsv(full.trades) }, { name: `best-equity${suffix}.csv`, content: equityCsv(m, full.window, full.equity) });
        }
      }
      // result.json is written last and names the files of its set with their digests.
      files.push(...(await writeOutputSet(o.out, set, (listed) => `${toJson({ ...result, files: listed })}\n`)));
    }
    if (o.report !== undefined) {
      await writeFileAtomic(o.report, renderReport(result));
      files.push(o.report);
    }
    if (o.json === true) {
      io.out(`${toJson(result)}\n`);
    } else {
      const mode = result.paretoFront !== null ? `NSGA-II, objectives ${(result.config.objectives ?? []).join(', ')}` : `fitness ${String(result.config.fitness)}`;
      const when = timeFormatter([result.data.from, result.data.to]);
      io.out(`${result.config.strategy} on ${result.data.source} (${result.data.bars} bars, ${when(result.data.from)} .. ${when(result.data.to)}), ${mode}\n`);
      io.out(`${windowText(result)}\n`);
      io.out(`${stopText(result)}; ${result.evaluations.backtests.toLocaleString('en-US')} backtests, cache hits ${result.evaluations.cacheHits.toLocaleString('en-US')}; ${result.timings.totalSeconds.toFixed(1)} s on ${result.timings.threads} thread${result.timings.threads === 1 ? '' : 's'} (${result.timings.backend})\n\n`);
      io.out(`hall of fame\n${hallOfFameTable(result)}\n`);
      io.out(`\nbest genome by window\n${windowsTable(result)}\n`);
      if (result.markets !== undefined) io.out(`\nbest genome by market\n${marketsTable(result)}\n`);
      const l = result.landscape;
      if (l !== null) io.out(`\nrobustness: ${(l.robustness * 100).toFixed(0)}% of the winner's ${l.neighbours} one-gene neighbours (+-2..20% of a gene's range) are within 10% of its fitness; landscape over ${l.genes[0]} x ${l.genes[1]} in the report\n`);
      if (result.paretoFront !== null) io.out(`\nPareto front (${result.paretoFront.length} genomes, sorted by ${(result.config.objectives ?? [])[0]})\n${paretoTable(result)}\n`);
      const of = result.overfitting;
      const lines = of.noTrades !== null ? [of.noTrades] : [of.verdicts.deflatedSharpe, of.verdicts.pbo];
      const where = result.markets !== undefined ? `each market's in-sample window, ${result.markets.length} markets` : `the in-sample window, bars [${of.window.start}, ${of.window.end})`;
      io.out(`\noverfitting (on ${where})\n${lines.map((l) => `  ${l}\n`).join('')}`);
      if (files.length > 0) io.out(`\nwrote ${files.join(', ')}\n`);
    }
  });
  return cmd;
}
