import { Option } from 'commander';
import type { Command } from 'commander';
import type { BacktestOptions, FillMode, SizingMode } from '../backtest.js';
import { BACKTEST_DEFAULTS } from '../backtest.js';
import type { Backend } from '../kernels/kernel-set.js';
import { DATA_DEFAULTS } from './context.js';
import { num, oneOf } from './parse.js';

/** `--data` repeated: every value, in order. */
function collectData(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--data` and the synthetic source's knobs. */
export function addDataOptions(cmd: Command): Command {
  return cmd
    .option('--data <path>', 'OHLCV CSV or Parquet file (by extension), a directory of them, or a glob; repeatable: each file is a market (default: the built-in synthetic series)', collectData)
    .option('--synth-bars <n>', 'bars of the synthetic series when no --data', num({ min: 2, max: 1e8, integer: true }), DATA_DEFAULTS.synthBars)
    .option('--synth-seed <n>', 'seed of the synthetic series when no --data', num({ min: 0, max: 2 ** 32 - 1, integer: true }), DATA_DEFAULTS.synthSeed);
}

/** Costs, sizing, fills and backend: the options `backtest` and `evolve` share. */
export function addExecutionOptions(cmd: Command): Command {
  const d = BACKTEST_DEFAULTS;
  return cmd
    .option('--commission <f>', 'fraction of traded notional per side', num({ min: 0, max: 0.5 }), d.commission)
    .option('--slippage <f>', 'fraction applied against every fill price', num({ min: 0, max: 0.5 }), d.slippage)
    .option('--cash <x>', 'initial equity', num({ min: 0, minOpen: true }), d.cash)
    .addOption(new Option('--fill <mode>', 'fill at the next open or at the signal bar\'s close').choices(['next-open', 'close']).argParser(oneOf<FillMode>(['next-open', 'close'])).default(d.fill))
    .addOption(new Option('--sizing <mode>', 'position sizing (default: the strategy\'s)').choices(['fraction', 'risk']).argParser(oneOf<SizingMode>(['fraction', 'risk'])))
    .option('--fraction <f>', 'target exposure as a fraction of equity (sizing fraction)', num({ min: 0, max: 100, minOpen: true }), d.fraction)
    .option('--lot-size <x>', 'floor units to a multiple of this (0 = fractional)', num({ min: 0 }), d.lotSize)
    .option('--max-leverage <x>', 'cap on position value / equity (sizing risk)', num({ min: 0, max: 1000, minOpen: true }), d.maxLeverage)
    .option('--min-price-risk <f>', 'minimum stop distance as a fraction of price (sizing risk)', num({ min: 0, max: 1, minOpen: true }), d.minPriceRisk)
    .option('--long-only', 'never go short')
    .option('--allow-short', 'trade the short side too')
    .option('--atr-period <n>', 'ATR period of stops and bands', num({ min: 1, max: 100000, integer: true }), d.atrPeriod)
    .option('--periods-per-year <n>', 'annualisation (default: estimated from the timestamps)', num({ min: 0, minOpen: true }))
    .option('--warmup <n>', 'bars before a window its indicators may use, or `all` (0 = cold start; default: all)', warmupArg)
    .addOption(new Option('--backend <name>', 'kernel backend').choices(['wasm', 'ts']).argParser(oneOf<Backend>(['wasm', 'ts'])).default(d.backend));
}

export interface ExecutionCli {
  commission: number;
  slippage: number;
  cash: number;
  fill: FillMode;
  sizing?: SizingMode;
  fraction: number;
  lotSize: number;
  maxLeverage: number;
  minPriceRisk: number;
  longOnly?: boolean;
  allowShort?: boolean;
  atrPeriod: number;
  periodsPerYear?: number;
  warmup?: number;
  backend: Backend;
}

/** `--warmup N`: a non-negative integer, or `all` (Infinity: every earlier bar, the default). */
function warmupArg(raw: string): number {
  return raw.trim() === 'all' ? Infinity : num({ min: 0, integer: true })(raw);
}

export function executionOptions(o: ExecutionCli): BacktestOptions {
  const r: BacktestOptions = {
    commission: o.commission,
    slippage: o.slippage,
    cash: o.cash,
    fill: o.fill,
    fraction: o.fraction,
    lotSize: o.lotSize,
    maxLeverage: o.maxLeverage,
    minPriceRisk: o.minPriceRisk,
    atrPeriod: o.atrPeriod,
    backend: o.backend,
  };
  if (o.sizing !== undefined) r.sizing = o.sizing;
  if (o.periodsPerYear !== undefined) r.periodsPerYear = o.periodsPerYear;
  // All history is the default: left out, so that the run signature reads the same either way.
  if (o.warmup !== undefined && Number.isFinite(o.warmup)) r.warmup = o.warmup;
  if (o.longOnly === true) r.allowShort = false;
  if (o.allowShort === true) r.allowShort = true;
  return r;
}
