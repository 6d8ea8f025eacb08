import { Command } from 'commander';
import { METRIC_NAMES } from '../../kernels/layout.js';
import { builtinStrategies } from '../../strategies/registry.js';
import { checkStrategy } from '../../strategy/check.js';
import type { GeneSpec } from '../../strategy/strategy.js';
import type { Io, RunState } from '../context.js';
import { formatMetric, table, toJson } from '../format.js';
import { num } from '../parse.js';

function genesTable(genes: readonly GeneSpec[]): string {
  return table(
    ['gene', 'kind', 'min', 'max', 'default', 'description'],
    genes.map((g) => [g.name, g.kind, String(g.min), String(g.max), String(g.default), g.description]),
  ).split('\n').map((l) => `  ${l}`).join('\n');
}

/** `evoquant strategies`: the built-ins with their genes. */
export function strategiesCommand(io: Io): Command {
  return new Command('strategies')
    .description('list the built-in strategies with their genes')
    .option('--json', 'print them as JSON')
    .action((o: { json?: boolean }) => {
      const list = builtinStrategies();
      if (o.json === true) {
        io.out(`${toJson(list.map((s) => ({ name: s.name, description: s.description, fused: s.fused !== null, sizing: s.defaultSizing, allowShort: s.defaultAllowShort, genes: s.genes })))}\n`);
        return;
      }
      for (const s of list) {
        io.out(`${s.name}${s.fused !== null ? ' (fused kernel)' : ''}: ${s.description}\n  sizing ${s.defaultSizing}, ${s.defaultAllowShort ? 'long-short' : 'long only'} by default\n${genesTable(s.genes)}\n\n`);
      }
      io.out('Your own: evoquant evolve --strategy ./my-strategy.mjs (see "Your own strategy" in the README).\n');
    });
}

interface CheckCli {
  bars: number;
  seed: number;
  random: number;
  json?: boolean;
}

/** `evoquant strategy check PATH`. */
export function strategyCommand(io: Io, state: RunState): Command {
  const cmd = new Command('strategy').description('work with strategy modules');
  cmd
    .command('check')
    .description('load a strategy module, print its genes, run it twice on both backends and report')
    .argument('<module>', 'path of the .mjs/.js module (or a built-in name)')
    .option('--bars <n>', 'bars of the synthetic series', num({ min: 100, max: 1e7, integer: true }), 5000)
    .option('--seed <n>', 'seed of the series and of the random genomes', num({ min: 0, max: 2 ** 32 - 1, integer: true }), 42)
    .option('--random <n>', 'random genomes besides the defaults', num({ min: 0, max: 1000, integer: true }), 4)
    .option('--json', 'print the report as JSON')
    .action(async (path: string, o: CheckCli) => {
      const r = await checkStrategy(path, { bars: o.bars, seed: o.seed, random: o.random });
      if (r.problems.length > 0) state.exitCode = 1;
      if (o.json === true) {
        io.out(`${toJson(r)}\n`);
        return;
      }
      const s = r.strategy;
      io.out(`${s.name}${s.file !== null ? ` (${s.file})` : ''}\n  sha256 ${s.digest}\n\n${genesTable(s.genes)}\n\n`);
      const shown = ['sharpe', 'totalReturn', 'maxDrawdown', 'trades'] as const;
      const rows = r.genomes.map((g, i) => [
        i === 0 ? 'defaults' : `random ${i}`,
        ...shown.map((m) => formatMetric(m, r.metrics[i]![METRIC_NAMES.indexOf(m)]!)),
        Object.entries(g).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`).join(' '),
      ]);
      io.out(`on the synthetic series (${r.bars} bars):\n${table(['genome', ...shown, 'params'], rows).split('\n').map((l) => `  ${l}`).join('\n')}\n\n`);
      const yes = (b: boolean): string => (b ? 'yes' : 'NO');
      io.out(`  outputs repeat:      ${yes(r.repeats)}\n  backends agree:      ${yes(r.backendsAgree)}\n  inputs untouched:    ${yes(r.inputsUntouched)}\n`);
      io.out(`  time per evaluation: ${r.msPerEvaluation.wasm.toFixed(2)} ms (wasm), ${r.msPerEvaluation.ts.toFixed(2)} ms (ts), indicators included\n`);
      for (const p of r.problems) io.out(`\nproblem: ${p}\n`);
    });
  return cmd;
}
