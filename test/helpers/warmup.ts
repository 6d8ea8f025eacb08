// Shared by the warm-up tests (README "Windows and warm-up"): the strategies, backends and
// execution vectors they run, and the reference for a window: the strategy's signals on the
// whole series, cut to the window and simulated on the window alone (a cold start), which is
// what a window with its warm-up must reproduce.
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { configVector, resolveOptions } from '../../src/backtest.js';
import type { BacktestOptions } from '../../src/backtest.js';
import type { MarketData } from '../../src/data/market.js';
import type { KernelSet, RawBacktest, Window } from '../../src/kernels/kernel-set.js';
import { CFG_SHORTS } from '../../src/kernels/layout.js';
import { createTsKernels } from '../../src/kernels/ts-kernels.js';
import { createWasmKernels } from '../../src/kernels/wasm/loader.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { createContext } from '../../src/strategy/context.js';
import { loadStrategyModule } from '../../src/strategy/load.js';
import type { Execution } from '../../src/strategy/run.js';
import { simulateInputOf } from '../../src/strategy/signals.js';
import type { Strategy } from '../../src/strategy/strategy.js';
import { genesToParams } from '../../src/strategy/strategy.js';
import type { Signals } from '../../src/strategy/types.js';
import { firstDifference } from './shared.js';

export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/strategies/${name}`, import.meta.url));

/** Every kernel set: the twin contract holds for each of them. */
export const BACKENDS: [string, KernelSet][] = [
  ['ts', createTsKernels()],
  ['wasm-release', createWasmKernels({ variant: 'release' })],
  ['wasm-debug', createWasmKernels({ variant: 'debug' })],
];

/**
 * Each strategy with its module form (the same rules as signals; the fused built-ins' are the
 * test fixtures, a module built-in is its own), and the options it runs under.
 */
export interface Case {
  label: string;
  strategy: Strategy;
  moduleForm: Strategy;
  options: BacktestOptions;
}

export async function cases(): Promise<Case[]> {
  const smaModule = await loadStrategyModule(fixture('sma-cross.mjs'));
  const srbModule = await loadStrategyModule(fixture('stoch-rsi-bands.mjs'));
  const own = (name: string, options: BacktestOptions = {}): Case => ({ label: name, strategy: getStrategy(name), moduleForm: getStrategy(name), options });
  return [
    { label: 'sma-cross (fused)', strategy: getStrategy('sma-cross'), moduleForm: smaModule, options: {} },
    { label: 'sma-cross (fused, long only, close fills)', strategy: getStrategy('sma-cross'), moduleForm: smaModule, options: { allowShort: false, fill: 'close', slippage: 0.001 } },
    { label: 'stoch-rsi-bands (fused)', strategy: getStrategy('stoch-rsi-bands'), moduleForm: srbModule, options: { sizing: 'risk', allowShort: false } },
    { label: 'stoch-rsi-bands (fused, close fills)', strategy: getStrategy('stoch-rsi-bands'), moduleForm: srbModule, options: { sizing: 'risk', allowShort: false, fill: 'close' } },
    own('ema-cross'),
    own('bollinger-reversion'),
    own('donchian-breakout'),
    { label: 'sma-cross.mjs (a module)', strategy: smaModule, moduleForm: smaModule, options: {} },
  ];
}

export function execution(s: Strategy, market: MarketData, o: BacktestOptions, window: Window): Execution {
  const r = resolveOptions(s, market, o, window);
  return { cfg: configVector(r), riskPerTrade: r.riskPerTrade };
}

/** What signals returns for one genome over the bars [0, end) of a market (a cold context). */
export function rawSignals(k: KernelSet, market: MarketData, s: Strategy, genes: Float64Array, end: number): Signals {
  return s.definition.signals(createContext(k, market, { start: 0, end }, 0, null), genesToParams(s, genes));
}

/** Every per-bar field of a signals object, cut to [from, to). */
export function cut(sig: Signals, from: number, to: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, v] of Object.entries(sig)) {
    if (v === undefined) continue;
    out[name] = Array.from(v as ArrayLike<number | boolean>, Number).slice(from, to);
  }
  return out;
}

/**
 * The reference of a window: the module form's signals on the whole series, cut to the window
 * and run through the generic simulator on the window's bars alone (warm-up 0).
 */
export function reference(
  k: KernelSet, market: MarketData, c: Case, genes: Float64Array, window: Window,
): RawBacktest {
  const full = rawSignals(k, market, c.moduleForm, genes, market.length);
  const sliced = Object.fromEntries(
    Object.entries(full).filter(([, v]) => v !== undefined).map(([name, v]) => [name, Array.from(v as ArrayLike<number | boolean>, Number).slice(window.start, window.end)]),
  ) as unknown as Signals;
  const fake: Strategy = { ...c.moduleForm, definition: { ...c.moduleForm.definition, signals: () => sliced } };
  const exec = execution(c.strategy, market, { ...c.options, warmup: 0 }, window);
  const ctx = createContext(k, market, window, 0, null);
  const input = simulateInputOf(fake, ctx, genesToParams(fake, genes), exec.cfg[CFG_SHORTS] !== 0, exec.riskPerTrade);
  return k.simulate(market, window, input, exec.cfg, { equity: true, trades: true });
}

export function expectSameBits(label: string, a: Float64Array | null, b: Float64Array | null): void {
  expect(a, label).not.toBeNull();
  expect(b, label).not.toBeNull();
  const i = firstDifference(a!, b!);
  expect(i < 0 ? '' : `${label}: first difference at ${i}: ${a![i]} vs ${b![i]}`).toBe('');
  expect(a!.length, label).toBe(b!.length);
}

export function expectSameBacktest(label: string, a: RawBacktest, b: RawBacktest): void {
  expectSameBits(`${label} metrics`, a.metrics, b.metrics);
  expectSameBits(`${label} equity`, a.equity, b.equity);
  expectSameBits(`${label} trades`, a.trades, b.trades);
}
