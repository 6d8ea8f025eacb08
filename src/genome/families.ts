// Gene helpers shared by every strategy. The strategies themselves are built from definitions
// (src/strategy/) and found in the one registry (src/strategies/registry.ts).
import { configError } from '../errors.js';
import type { FusedKernel, Strategy } from '../strategy/strategy.js';
import { getStrategy } from '../strategies/registry.js';

export type { GeneSpec, Strategy } from '../strategy/strategy.js';
export { genomeProblem, genesToParams } from '../strategy/strategy.js';
export { STRATEGY_NAMES } from '../strategies/registry.js';

/** A strategy as the GA and the evaluators see it (the older name of `Strategy`). */
export type StrategyFamily = Strategy;
/** A strategy's name: a built-in's or a module's. */
export type StrategyName = string;

/** A built-in with its fused kernel: a kernel family. */
export type KernelFamily = Strategy & { readonly fused: FusedKernel };

/**
 * The built-in called `name` with a fused kernel (the kernel tests and benchmarks use it); any
 * strategy by name is `getStrategy`.
 */
export function getFamily(name: string, option = 'strategy'): KernelFamily {
  const s = getStrategy(name, option);
  if (s.fused === null) throw configError(option, `${name} has no fused kernel (it runs through the generic simulator)`);
  return s as KernelFamily;
}

/**
 * A genome from named parameters: unknown names and values outside a gene's `limit` are E_CONFIG
 * errors naming the parameter; missing genes take their defaults; integer genes must be integers.
 */
export function genesFromParams(family: Strategy, params: Record<string, number>, option = 'param'): Float64Array {
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
