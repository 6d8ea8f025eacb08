import { Command, Option } from 'commander';
import { backtest } from '../../backtest.js';
import { configError } from '../../errors.js';
import { STRATEGY_NAMES } from '../../genome/families.js';
import { writeTradesCsv, writeEquityCsv } from '../../output.js';
import type { Io } from '../context.js';
import { dataFiles, dataInputs, loadDataMarkets } from '../context.js';
import type { DataOptions } from '../context.js';
import { isoTime, metricsTable, toJson } from '../format.js';
import { checkOutputs } from '../outputs.js';
import { addDataOptions, addExecutionOptions, executionOptions } from '../options.js';
import type { ExecutionCli } from '../options.js';
import { collectParam, strategyArg } from '../parse.js';

interface BacktestCli extends DataOptions, ExecutionCli {
  strategy: string;
  param?: Record<string, number>;
  json?: boolean;
  trades?: string;
  equity?: string;
}

export function backtestCommand(io: Io): Command {
  const cmd = new Command('backtest')
    .description('backtest one parameter set and print its metrics')
    .addOption(new Option('--strategy <name|path>', 'a built-in (see `evoquant strategies`) or a .mjs/.js strategy module').argParser(strategyArg(STRATEGY_NAMES)).default('stoch-rsi-bands'))
    .option('--param <name=value>', 'a gene of the strategy (repeatable; missing genes take their defaults)', collectParam);
  addDataOptions(cmd);
  addExecutionOptions(cmd);
  cmd
    .option('--json', 'print one JSON object instead of the table')
    .option('--trades <file>', 'write the trade list as CSV')
    .option('--equity <file>', 'write the equity curve as CSV')
    .action(async (o: BacktestCli) => {
      if (o.longOnly === true && o.allowShort === true) throw configError('--long-only', 'cannot be combined with --allow-short');
      const files = dataFiles(o);
      if (files.length > 1) throw configError('--data', `backtest takes one market, got ${files.length} files (${files.join(', ')})`);
      checkOutputs(
        dataInputs(files),
        [
          ...(o.trades !== undefined ? [{ option: '--trades', path: o.trades }] : []),
          ...(o.equity !== undefined ? [{ option: '--equity', path: o.equity }] : []),
        ],
      );
      const market = (await loadDataMarkets(o, files))[0]!;
      const r = backtest(market, o.strategy, o.param ?? {}, executionOptions(o));
      if (o.trades !== undefined) await writeTradesCsv(o.trades, r.trades);
      if (o.equity !== undefined) await writeEquityCsv(o.equity, market, r.window, r.equity);
      const span = `${isoTime(market.time[r.window.start]!)} .. ${isoTime(market.time[r.window.end - 1]!)}`;
      if (o.json === true) {
        io.out(
          `${toJson({
            strategy: r.strategy,
            params: r.params,
            data: { source: market.source, bars: r.window.end - r.window.start, from: isoTime(market.time[r.window.start]!), to: isoTime(market.time[r.window.end - 1]!) },
            options: r.options,
            metrics: r.metrics,
            files: { trades: o.trades ?? null, equity: o.equity ?? null },
          })}\n`,
        );
        return;
      }
      const params = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ');
      io.out(`${r.strategy} ${params}\n`);
      io.out(`data: ${market.source} (${r.window.end - r.window.start} bars, ${span}), backend ${r.options.backend}\n\n`);
      io.out(`${metricsTable(r.metrics)}\n`);
      if (o.trades !== undefined) io.out(`\ntrades: ${o.trades}\n`);
      if (o.equity !== undefined) io.out(`${o.trades === undefined ? '\n' : ''}equity: ${o.equity}\n`);
    });
  return cmd;
}
