import { configError } from '../errors.js';
import type { Window } from '../kernels/kernel-set.js';

/** The windows of a run: where fitness is measured, and what is only reported. */
export interface RunWindows {
  /** In-sample windows; fitness aggregates over them (one, or K walk-forward folds). */
  train: Window[];
  /** Out-of-sample window of each train window (same index): only reported. Empty when none. */
  test: Window[];
  /** The final holdout after the train part (with --train), or null. */
  holdout: Window | null;
}

/** Fewest bars a window may have (indicators need room to warm up and to trade). */
export const MIN_WINDOW_BARS = 30;

/**
 * Splits n bars (SPEC: a window is evaluated exactly as if the data held only its bars).
 *
 * - no options: one in-sample window, everything; no out-of-sample.
 * - `train` F in (0, 1): in-sample [0, floor(F n)), out-of-sample [floor(F n), n).
 * - `folds` K: anchored walk-forward over the in-sample part (the whole data, or [0, floor(F n))
 *   with `train`): it is cut into K + 1 equal segments (the remainder goes to the last); fold k
 *   (k = 1..K) trains on segments 1..k and reports segment k + 1 out of sample. With `train`, the
 *   holdout [floor(F n), n) is reported too.
 */
export function splitWindows(n: number, train?: number, folds?: number): RunWindows {
  if (train !== undefined && !(train > 0 && train < 1)) throw configError('train', `must be in (0, 1), got ${train}`);
  if (folds !== undefined && (!Number.isInteger(folds) || folds < 1 || folds > 100)) {
    throw configError('folds', `must be an integer in [1, 100], got ${folds}`);
  }
  const cut = train === undefined ? n : Math.floor(train * n);
  const check = (w: Window, what: string, option: string): Window => {
    if (w.end - w.start < MIN_WINDOW_BARS) {
      throw configError(option, `leaves ${w.end - w.start} bars in the ${what} window [${w.start}, ${w.end}) of ${n}; at least ${MIN_WINDOW_BARS} are needed`);
    }
    return w;
  };
  if (folds === undefined) {
    if (train === undefined) return { train: [check({ start: 0, end: n }, 'whole', 'data')], test: [], holdout: null };
    const is = check({ start: 0, end: cut }, 'in-sample', 'train');
    const oos = check({ start: cut, end: n }, 'out-of-sample', 'train');
    return { train: [is], test: [oos], holdout: null };
  }
  const seg = Math.floor(cut / (folds + 1));
  const trainW: Window[] = [];
  const testW: Window[] = [];
  for (let k = 1; k <= folds; k++) {
    trainW.push(check({ start: 0, end: k * seg }, `fold ${k} in-sample`, 'folds'));
    testW.push(check({ start: k * seg, end: k === folds ? cut : (k + 1) * seg }, `fold ${k} out-of-sample`, 'folds'));
  }
  const holdout = train === undefined ? null : check({ start: cut, end: n }, 'holdout', 'train');
  return { train: trainW, test: testW, holdout };
}

/** Fold fitness aggregation. */
export type FoldAggregate = 'mean' | 'min';

export function aggregate(values: number[], how: FoldAggregate): number {
  if (how === 'min') return Math.min(...values);
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** How the markets' fitness is combined (each market's already aggregated over its folds). */
export type MarketAggregate = 'mean' | 'median' | 'min';

/** Median of the values (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/**
 * The markets' values combined; `direction` -1 makes `min` the largest (the worst of an
 * objective that is minimised). One value is returned as it is, whatever `how`.
 */
export function aggregateMarkets(values: readonly number[], how: MarketAggregate, direction = 1): number {
  if (values.length === 1) return values[0]!;
  if (how === 'median') return median(values);
  if (how === 'min') return direction === 1 ? Math.min(...values) : Math.max(...values);
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

export function windowKey(w: Window): string {
  return `${w.start}:${w.end}`;
}
