// The one registry of built-in strategies: name -> strategy. Adding a built-in means writing its
// module (beside this file) and adding one line below.
import { configError } from '../errors.js';
import { smaCrossKernel, stochRsiBandsKernel } from '../kernels/fused.js';
import { packageVersion } from '../paths.js';
import type { BuiltinExtras, Strategy } from '../strategy/strategy.js';
import { sha256, strategyFromDefinition } from '../strategy/strategy.js';
import type { StrategyDefinition } from '../strategy/types.js';
import smaCross from './sma-cross.js';
import stochRsiBands from './stoch-rsi-bands.js';
import emaCross from './ema-cross.js';
import bollingerReversion from './bollinger-reversion.js';
import donchianBreakout from './donchian-breakout.js';

/**
 * A built-in: shipped with the package, so its digest is that of the package version and its
 * genes (the same whether evoquant runs from its sources or its build), and workers find it by
 * name.
 */
function builtin(definition: StrategyDefinition, extras: BuiltinExtras = {}): Strategy {
  const digest = sha256(JSON.stringify({ evoquant: packageVersion(), builtin: definition.name, genes: definition.genes }));
  return strategyFromDefinition(definition, { file: null, url: null, digest, builtin: true }, extras);
}

const BUILTINS: readonly Strategy[] = [
  builtin(smaCross, { fused: smaCrossKernel, sizings: ['fraction'] }),
  builtin(stochRsiBands, { fused: stochRsiBandsKernel, sizings: ['risk', 'fraction'] }),
  builtin(emaCross),
  builtin(bollingerReversion),
  builtin(donchianBreakout),
];

if (BUILTINS.some((s) => s.fused !== null && s.fused.genes !== s.genes.length)) {
  throw new Error('a built-in\'s genes are out of step with its fused kernel');
}

const BY_NAME = new Map(BUILTINS.map((s) => [s.name, s]));

/** Names of the built-in strategies. */
export const STRATEGY_NAMES: readonly string[] = BUILTINS.map((s) => s.name);

/** Every built-in strategy, in registry order. */
export function builtinStrategies(): readonly Strategy[] {
  return BUILTINS;
}

export function isBuiltinName(name: string): boolean {
  return BY_NAME.has(name);
}

/** The built-in called `name`; E_CONFIG naming the option when there is none. */
export function getStrategy(name: string, option = 'strategy'): Strategy {
  const s = BY_NAME.get(name);
  if (s === undefined) {
    throw configError(option, `unknown strategy "${name}" (built-ins: ${STRATEGY_NAMES.join(', ')}; or give the path of a .mjs/.js module)`);
  }
  return s;
}
