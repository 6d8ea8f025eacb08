#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { EngineError } from '../errors.js';
import { packageVersion } from '../paths.js';
import type { Io, RunState } from './context.js';
import { backtestCommand } from './commands/backtest.js';
import { dataCommand } from './commands/data.js';
import { evolveCommand } from './commands/evolve.js';
import { reportCommand } from './commands/report.js';
import { benchCommand } from './commands/bench.js';
import { EXIT_CLOSED_STDOUT, processIo } from './stdio.js';
import { workerCommand } from './commands/worker.js';
import { strategiesCommand, strategyCommand } from './commands/strategies.js';

/**
 * Library option names as the CLI spells them (`periodsPerYear` -> `--periods-per-year`);
 * flags and positional arguments (`<file>`) are kept as they are.
 */
function cliOption(option: string): string {
  if (option.startsWith('-') || option.startsWith('<')) return option;
  const [name, ...rest] = option.split(' ');
  const flag = `--${name!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return [flag, ...rest].join(' ');
}

/**
 * commander's usage errors as the one line the README promises: its "(Did you mean ...?)" line
 * folded in, and the pointer to --help at the end.
 */
export function oneLineUsageError(message: string): string {
  const text = message.trimEnd().replace(/\n\(Did you mean (.*)\?\)$/, ' (did you mean $1?)').replace(/\s*\n\s*/g, ' ');
  return `${text} (run with --help for usage)\n`;
}

export function buildProgram(io: Io, state: RunState): Command {
  const program = new Command('evoquant')
    .description('Evolve trading strategies: a genetic algorithm over WebAssembly backtest kernels on all cores.')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: (s, write) => write(oneLineUsageError(s)) });
  for (const cmd of [evolveCommand(io, state), backtestCommand(io), dataCommand(io, state), reportCommand(io), benchCommand(io), strategiesCommand(io), strategyCommand(io, state), workerCommand(io)]) {
    program.addCommand(cmd);
  }
  // Subcommands made outside the program inherit nothing: give each (and theirs) the same
  // error handling, so a usage error anywhere throws here instead of exiting.
  const inherit = (c: Command): void => {
    c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: (s, write) => write(oneLineUsageError(s)) });
    c.commands.forEach(inherit);
  };
  program.commands.forEach(inherit);
  return program;
}

/**
 * Runs the CLI and returns the exit status: 0 success, 1 runtime failure (bad data, I/O, a
 * kernel or the pool), 2 usage error (unknown or invalid option, missing file), 130 / 143 / 129
 * interrupted by SIGINT / SIGTERM / SIGHUP, 141 stdout closed by its reader.
 * Errors are printed as one `error: <message>` line on stderr.
 */
export async function main(argv: string[] = process.argv, io?: Io): Promise<number> {
  const state: RunState = { exitCode: 0 };
  // A closed stdout ends the program quietly, with the status a command already asked for (an
  // interrupted evolve's 130/143/129) or else 141, as SIGPIPE would.
  const sink: Io = io ?? processIo(() => process.exit(state.exitCode !== 0 ? state.exitCode : EXIT_CLOSED_STDOUT));
  const program = buildProgram(sink, state);
  try {
    await program.parseAsync(argv);
    return state.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed its message already.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync') return e.exitCode === 0 ? 0 : 2;
      return 2;
    }
    if (e instanceof EngineError) {
      if (e.code === 'E_CONFIG') {
        sink.err(`error: ${e.option !== undefined ? `${cliOption(e.option)}: ${e.message.slice(e.option.length + 2)}` : e.message}\n`);
        return 2;
      }
      sink.err(`error: ${e.message}\n`);
      return e.code === 'E_ABORT' ? abortStatus(e) : 1;
    }
    sink.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env['EVOQUANT_DEBUG'] !== undefined && e instanceof Error && e.stack !== undefined) sink.err(`${e.stack}\n`);
    return 1;
  }
}

/** 128 + the number of the signal that cancelled the run (its abort reason names it), else SIGINT's. */
function abortStatus(e: EngineError): number {
  const name = e.cause instanceof Error ? e.cause.message : '';
  const n = (constants.signals as Record<string, number | undefined>)[name];
  return 128 + (n ?? constants.signals.SIGINT);
}

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
