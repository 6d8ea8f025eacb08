import { BACKTEST_DEFAULTS } from '../backtest.js';
import type { BacktestOptions } from '../backtest.js';
import { configError } from '../errors.js';
import type { StrategyFamily } from '../genome/families.js';
import type { Backend } from '../kernels/kernel-set.js';
import type { Evaluator } from '../pool/evaluator.js';
import type { RunSignature } from './checkpoint.js';
import { signatureDifferences } from './checkpoint.js';

/**
 * Execution options with every unset one at the value it takes for the family, so that an
 * evaluator built with `{}` and a run that spells out the defaults compare equal. An unset
 * periodsPerYear is estimated from the timestamps, which the data digest already covers.
 */
function effective(family: StrategyFamily, bt: Omit<BacktestOptions, 'backend' | 'window'>): Record<string, unknown> {
  const { backend: _unused, ...defaults } = BACKTEST_DEFAULTS;
  const given = Object.fromEntries(Object.entries(bt).filter(([, v]) => v !== undefined));
  return {
    ...defaults,
    sizing: family.defaultSizing,
    allowShort: family.defaultAllowShort,
    periodsPerYear: 'estimated from the timestamps',
    ...given,
  };
}

/**
 * Refuses (E_CONFIG, option `evaluator`) an evaluator built for other data or other
 * result-affecting options than the run's, naming each difference, with the comparison the
 * checkpoint signature uses. `backend` is compared when the run names one; otherwise the run
 * uses the evaluator's.
 */
export function checkEvaluator(
  evaluator: Evaluator,
  run: { markets: readonly { name: string; digest: string; market: { length: number } }[]; family: StrategyFamily; backtest: Omit<BacktestOptions, 'backend' | 'window'>; backend?: Backend },
): void {
  if (typeof evaluator.describe !== 'function') {
    throw configError('evaluator', 'does not describe what it was built for (Evaluator.describe() is missing)');
  }
  const d = evaluator.describe();
  const backend = run.backend !== undefined ? { backend: run.backend } : {};
  const first = run.markets[0]!;
  // Several markets: the evaluator's markets must be the run's, in order (a slot names a market by its index).
  const several = run.markets.length > 1 || (d.markets !== undefined && d.markets.length > 1);
  const theirs: RunSignature = {
    data: d.data, bars: d.bars,
    ...(several ? { markets: (d.markets ?? [{ digest: d.data, bars: d.bars }]).map((m, i) => ({ name: run.markets[i]?.name ?? `markets[${i}]`, digest: m.digest, bars: m.bars })) } : {}),
    options: { backtest: effective(run.family, d.backtest), ...(run.backend !== undefined ? { backend: d.backend } : {}) },
  };
  const ours: RunSignature = {
    data: first.digest, bars: first.market.length,
    ...(several ? { markets: run.markets.map((m) => ({ name: m.name, digest: m.digest, bars: m.market.length })) } : {}),
    options: { backtest: effective(run.family, run.backtest), ...backend },
  };
  const diffs = signatureDifferences(theirs, ours, 'evaluator', 'evolve');
  if (diffs.length > 0) throw configError('evaluator', `was built for another run: ${diffs.join('; ')}`);
}
