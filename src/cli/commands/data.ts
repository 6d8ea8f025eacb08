import { Command } from 'commander';
import { csvText, writeCsv } from '../../data/csv.js';
import { checkMarketFile } from '../../data/load.js';
import { resolveDataPaths } from '../../data/basket.js';
import type { CheckReport } from '../../data/rows.js';
import { synthetic, DEFAULT_SYNTHETIC_BARS, DEFAULT_SYNTHETIC_SEED } from '../../data/synthetic.js';
import { formatLocation } from '../../errors.js';
import type { Io, RunState } from '../context.js';
import { isoTime, toJson } from '../format.js';
import { checkOutputs } from '../outputs.js';
import { num } from '../parse.js';

export function dataCommand(io: Io, state: RunState): Command {
  const cmd = new Command('data').description('make and check OHLCV data');
  cmd
    .command('synth')
    .description('write the built-in synthetic series as CSV')
    .option('--bars <n>', 'number of bars', num({ min: 2, max: 1e8, integer: true }), DEFAULT_SYNTHETIC_BARS)
    .option('--seed <n>', 'seed', num({ min: 0, max: 2 ** 32 - 1, integer: true }), DEFAULT_SYNTHETIC_SEED)
    .option('--out <file>', 'CSV file to write (atomically; default: the CSV on stdout)')
    .action(async (o: { bars: number; seed: number; out?: string }) => {
      if (o.out !== undefined) checkOutputs([], [{ option: '--out', path: o.out }]);
      const m = synthetic({ bars: o.bars, seed: o.seed });
      if (o.out === undefined) {
        for (const chunk of csvText(m)) io.out(chunk);
        return;
      }
      await writeCsv(m, o.out);
      io.out(`wrote ${m.length} bars (${isoTime(m.time[0]!)} .. ${isoTime(m.time[m.length - 1]!)}) to ${o.out}\n`);
    });
  cmd
    .command('check')
    .description('validate CSV or Parquet files against the data rules; lists the first errors of each with line (row) and column')
    .argument('<file...>', 'CSV or Parquet files (by extension), directories of them, or globs')
    .option('--max-errors <n>', 'stop listing a file\'s errors after this many', num({ min: 1, max: 1e6, integer: true }), 20)
    .option('--json', 'print the report as JSON (one object for one file, an array for several)')
    .action(async (paths: string[], o: { maxErrors: number; json?: boolean }) => {
      const files = resolveDataPaths(paths, '<file>');
      const reports: CheckReport[] = [];
      for (const file of files) reports.push(await checkMarketFile(file, { maxErrors: o.maxErrors }));
      if (reports.some((r) => r.errors.length > 0)) state.exitCode = 1;
      if (o.json === true) {
        const json = reports.map((r) => ({ file: r.file, bars: r.bars, ok: r.errors.length === 0, truncated: r.truncated, errors: r.errors.map((e) => ({ ...e.location, message: e.message })) }));
        io.out(`${toJson(json.length === 1 ? json[0] : json)}\n`);
        return;
      }
      files.forEach((file, i) => {
        const r = reports[i]!;
        if (r.errors.length === 0) {
          io.out(`${file}: OK, ${r.bars} bars\n`);
          return;
        }
        for (const e of r.errors) io.out(`${formatLocation(e.location)}: ${e.message}\n`);
        io.out(`${file}: ${r.errors.length}${r.truncated ? '+' : ''} error${r.errors.length === 1 ? '' : 's'}${r.truncated ? ` (first ${r.errors.length} shown)` : ''}\n`);
      });
      const bad = reports.filter((r) => r.errors.length > 0).length;
      if (files.length > 1) io.out(`${files.length} files: ${files.length - bad} OK, ${bad} with errors\n`);
    });
  return cmd;
}
