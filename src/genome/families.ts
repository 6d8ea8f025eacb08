import { configError } from '../errors.js';
import type { FusedKernel } from '../kernels/fused.js';
import { smaCrossKernel, stochRsiBandsKernel } from '../kernels/fused.js';
import { STOCH_RSI_BANDS_SCRATCH } from '../kernels/strategies/stoch-rsi-bands.js';

/**
 * One gene of a strategy family. `min`/`max` bound the GA's search (SPEC section 4); `limit` is
 * the wider domain a backtest accepts (any period >= 1, say), so a user or a workload such as W1
 * can evaluate parameters outside the search space.
 */
export interface GeneSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Inclusive domain of valid values for a backtest. */
  readonly limit: readonly [number, number];
  readonly kind: 'int' | 'real';
  /** The value used when a backtest does not give it. */
  readonly default: number;
  readonly description: string;
}

/** Names of the built-in strategy families (SPEC section 4). */
export type StrategyName = 'sma-cross' | 'stoch-rsi-bands';

/** A strategy family: its genes, its execution defaults, and how constraints are repaired. */
export interface StrategyFamily {
  readonly name: StrategyName;
  readonly description: string;
  readonly genes: readonly GeneSpec[];
  /** Sizing mode the family uses unless told otherwise. */
  readonly defaultSizing: 'fraction' | 'risk';
  /** Whether the family trades short unless told otherwise. */
  readonly defaultAllowShort: boolean;
  /** Sizing modes the family's kernel supports. */
  readonly sizings: readonly ('fraction' | 'risk')[];
  /** Scratch series (n values each) one evaluation needs. */
  readonly scratchSeries: number;
  /** The fused kernel that backtests the family's genomes. */
  readonly fused: FusedKernel;
  /**
   * The family's own constraint between genes (beyond each gene's limit), or null when the
   * genome at `offset` meets it: the gene to name and what is wrong.
   */
  constraint(genes: Float64Array, offset: number): { gene: string; message: string } | null;
  /**
   * Restores the family's constraints in place (genes at `offset`), after clamping to bounds
   * and rounding integer genes. Must be idempotent.
   */
  repair(genes: Float64Array, offset: number): void;
}

function clampRound(f: StrategyFamily, g: Float64Array, o: number): void {
  f.genes.forEach((spec, i) => {
    let v = g[o + i]!;
    if (spec.kind === 'int') v = Math.round(v);
    if (v < spec.min) v = spec.min;
    if (v > spec.max) v = spec.max;
    g[o + i] = v;
  });
}

const smaCrossFamily: StrategyFamily = {
  name: 'sma-cross',
  description: 'fast/slow SMA crossover; cross-up goes long, cross-down goes short (or flat with long-only)',
  genes: [
    { name: 'fast', min: 2, max: 100, limit: [1, 1e6], kind: 'int', default: 10, description: 'fast SMA period' },
    { name: 'slow', min: 5, max: 300, limit: [2, 1e6], kind: 'int', default: 30, description: 'slow SMA period' },
  ],
  defaultSizing: 'fraction',
  defaultAllowShort: true,
  sizings: ['fraction'],
  scratchSeries: 0,
  fused: smaCrossKernel,
  constraint(g, o) {
    return g[o]! < g[o + 1]! ? null : { gene: 'fast', message: `fast (${g[o]}) must be below slow (${g[o + 1]})` };
  },
  repair(g, o) {
    clampRound(this, g, o);
    // fast < slow. After clamping, fast > slow means slow is in [5, 99], so swapping stays in
    // bounds; equal periods (in [5, 100]) become slow + 1 (at most 101 <= 300).
    let fast = g[o]!;
    let slow = g[o + 1]!;
    if (fast > slow) [fast, slow] = [slow, fast];
    else if (fast === slow) slow = slow + 1;
    g[o] = fast;
    g[o + 1] = slow;
  },
};

const stochRsiBandsFamily: StrategyFamily = {
  name: 'stoch-rsi-bands',
  description: 'StochRSI %K/%D crosses inside volatility-adjusted bands, ATR stop and target, risk sizing',
  genes: [
    { name: 'rsiK', min: 2, max: 50, limit: [1, 1e6], kind: 'int', default: 14, description: 'RSI period' },
    { name: 'stochK', min: 2, max: 50, limit: [1, 1e6], kind: 'int', default: 14, description: 'StochRSI lookback' },
    { name: 'kSmooth', min: 1, max: 10, limit: [1, 1e6], kind: 'int', default: 3, description: '%K smoothing (SMA)' },
    { name: 'dSmooth', min: 1, max: 10, limit: [1, 1e6], kind: 'int', default: 3, description: '%D smoothing (SMA of %K)' },
    { name: 'oversold', min: 5, max: 45, limit: [0, 100], kind: 'real', default: 20, description: 'base lower band' },
    { name: 'overbought', min: 55, max: 95, limit: [0, 100], kind: 'real', default: 80, description: 'base upper band' },
    { name: 'atrK', min: 5, max: 50, limit: [1, 1e6], kind: 'int', default: 20, description: 'SMA period of ATR for the volatility ratio' },
    { name: 'sensitivity', min: 1.05, max: 2.0, limit: [1, 1000], kind: 'real', default: 1.5, description: 'volatility ratio that moves the bands' },
    { name: 'adjust', min: 0, max: 1, limit: [0, 100], kind: 'real', default: 0.5, description: 'how far the bands move' },
    { name: 'stopAtr', min: 0.5, max: 6, limit: [0.01, 1000], kind: 'real', default: 2, description: 'stop-loss distance in ATRs' },
    { name: 'takeProfitAtr', min: 0.5, max: 10, limit: [0.01, 1000], kind: 'real', default: 3, description: 'take-profit distance in ATRs' },
    { name: 'riskPerTrade', min: 0.002, max: 0.05, limit: [1e-6, 1], kind: 'real', default: 0.01, description: 'equity fraction risked per trade' },
  ],
  defaultSizing: 'risk',
  defaultAllowShort: false,
  sizings: ['risk', 'fraction'],
  scratchSeries: STOCH_RSI_BANDS_SCRATCH,
  fused: stochRsiBandsKernel,
  constraint: () => null,
  repair(g, o) {
    clampRound(this, g, o);
  },
};

const FAMILIES: Record<StrategyName, StrategyFamily> = {
  'sma-cross': smaCrossFamily,
  'stoch-rsi-bands': stochRsiBandsFamily,
};

if (Object.values(FAMILIES).some((f) => f.genes.length !== f.fused.genes)) {
  throw new Error('gene registry out of step with the kernels');
}

/** Names of every registered family. */
export const STRATEGY_NAMES = Object.keys(FAMILIES) as StrategyName[];

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(FAMILIES, name);
}

/** The family called `name`; E_CONFIG naming the option when there is none. */
export function getFamily(name: string, option = 'strategy'): StrategyFamily {
  if (!isStrategyName(name)) {
    throw configError(option, `unknown strategy "${name}" (known: ${STRATEGY_NAMES.join(', ')})`);
  }
  return FAMILIES[name];
}

/**
 * A genome from named parameters: unknown names and values outside a gene's `limit` are E_CONFIG
 * errors naming the parameter; missing genes take their defaults; integer genes must be integers.
 */
export function genesFromParams(family: StrategyFamily, params: Record<string, number>, option = 'param'): Float64Array {
  const g = new Float64Array(family.genes.length);
  for (const key of Object.keys(params)) {
    if (!family.genes.some((s) => s.name === key)) {
      throw configError(`${option} ${key}`, `unknown parameter for ${family.name} (known: ${family.genes.map((s) => s.name).join(', ')})`);
    }
  }
  family.genes.forEach((spec, i) => {
    const v = params[spec.name] ?? spec.default;
    if (!Number.isFinite(v)) throw configError(`${option} ${spec.name}`, `must be a finite number, got ${v}`);
    if (spec.kind === 'int' && !Number.isInteger(v)) throw configError(`${option} ${spec.name}`, `must be an integer, got ${v}`);
    if (v < spec.limit[0] || v > spec.limit[1]) {
      throw configError(`${option} ${spec.name}`, `must be in [${spec.limit[0]}, ${spec.limit[1]}], got ${v}`);
    }
    g[i] = v;
  });
  return g;
}

/**
 * The reason a genome at `offset` cannot be backtested, or null: used to reject bad genomes at
 * the edges (non-finite, not an integer where one is needed, outside the gene's `limit`, or
 * breaking the family's constraint).
 */
export function genomeProblem(family: StrategyFamily, g: Float64Array, offset: number): string | null {
  for (let i = 0; i < family.genes.length; i++) {
    const spec = family.genes[i]!;
    const v = g[offset + i]!;
    if (!Number.isFinite(v)) return `gene ${spec.name} is ${v}`;
    if (spec.kind === 'int' && !Number.isInteger(v)) return `gene ${spec.name} = ${v} is not an integer`;
    if (v < spec.limit[0] || v > spec.limit[1]) return `gene ${spec.name} = ${v} is outside [${spec.limit[0]}, ${spec.limit[1]}]`;
  }
  return family.constraint(g, offset)?.message ?? null;
}

/** Named view of a genome, for output. */
export function genesToParams(family: StrategyFamily, g: ArrayLike<number>, offset = 0): Record<string, number> {
  const out: Record<string, number> = {};
  family.genes.forEach((spec, i) => {
    out[spec.name] = g[offset + i]!;
  });
  return out;
}
