// What a strategy's `signals` returns, checked and turned into the generic simulator's input
// (one target series plus optional stop and take distances), once, in TypeScript, for both
// backends: so every backend simulates the very same numbers.
import { strategyError } from '../errors.js';
import type { SimulateInput } from '../kernels/kernel-set.js';
import type { Strategy } from './strategy.js';
import { describeGenome, userFrame } from './strategy.js';
import type { BarFlags, BarValues, Params, Signals, StrategyContext } from './types.js';

function isSeries(v: unknown): v is ArrayLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { length?: unknown }).length === 'number';
}

function series(s: Strategy, p: Params, field: string, v: unknown, n: number): ArrayLike<number | boolean> {
  if (!isSeries(v)) throw strategyError(`${describeGenome(s, p)}: signals returned ${field} that is not an array (got ${v === null ? 'null' : typeof v})`);
  if (v.length !== n) throw strategyError(`${describeGenome(s, p)}: signals returned ${field} of length ${v.length}; ctx has ${n} bars (ctx.length: the warm-up and the window)`);
  return v as ArrayLike<number | boolean>;
}

function targets(s: Strategy, p: Params, v: BarValues, n: number, check: boolean, start: number): Float64Array {
  const out = v instanceof Float64Array ? v : Float64Array.from(v);
  if (check) checkTargets(s, p, out, n, start);
  return out;
}

/**
 * E_STRATEGY naming the first target outside [-1, 1] (NaN is allowed). The batch path leaves
 * this to the simulator, which checks every target it reads, and calls it only to name the
 * genome when the simulator refuses a batch. Targets before `start` (the warm-up) are ignored.
 */
export function checkTargets(s: Strategy, p: Params, out: Float64Array, n: number, start = 0): void {
  const v = out;
  for (let t = start; t < n; t++) {
    const x = out[t]!;
    if (!(x >= -1 && x <= 1) && x === x) {
      throw strategyError(`${describeGenome(s, p)}: signals returned target[${t}] = ${String(v[t])}; a target is in [-1, 1] or NaN (keep)`);
    }
  }
}

/** A stop or take distance series as a Float64Array (null when not returned); its values are checked apart. */
function distanceSeries(s: Strategy, p: Params, field: string, v: unknown, n: number): Float64Array | null {
  if (v === undefined || v === null) return null;
  const a = series(s, p, field, v, n);
  return a instanceof Float64Array ? a : Float64Array.from(a as ArrayLike<number>);
}

/** E_STRATEGY naming the first distance (from `start` on) that is not >= 0 and finite, or NaN. */
function checkDistances(s: Strategy, p: Params, field: string, out: Float64Array, v: unknown, n: number, start: number): void {
  const a = v as ArrayLike<number>;
  for (let t = start; t < n; t++) {
    const x = out[t]!;
    if (!(x >= 0 && x < Infinity) && x === x) {
      throw strategyError(`${describeGenome(s, p)}: signals returned ${field}[${t}] = ${String(a[t])}; a distance is a price difference >= 0 (0 or NaN: none)`);
    }
  }
}

/**
 * Whether every stop and take distance from `start` on is >= 0 and finite, or NaN, in one pass
 * over both (a value is wrong when it is below 0 or +Infinity: NaN compares false).
 */
function distancesOk(stop: Float64Array | null, take: Float64Array | null, n: number, start: number): boolean {
  if (stop !== null && take !== null) {
    for (let t = start; t < n; t++) {
      const x = stop[t]!;
      const y = take[t]!;
      if (x < 0 || x === Infinity || y < 0 || y === Infinity) return false;
    }
    return true;
  }
  const a = stop ?? take;
  if (a === null) return true;
  for (let t = start; t < n; t++) {
    const x = a[t]!;
    if (x < 0 || x === Infinity) return false;
  }
  return true;
}

/**
 * The stop and take distances, checked: the first wrong value of stopDistance, else of
 * takeDistance, is E_STRATEGY naming the field and the bar (and a wrong takeDistance series
 * comes after stopDistance's values, as when each was checked whole in turn).
 */
function distances(
  s: Strategy, p: Params, stopValue: unknown, takeValue: unknown, n: number, start: number,
): [Float64Array | null, Float64Array | null] {
  const stop = distanceSeries(s, p, 'stopDistance', stopValue, n);
  let take: Float64Array | null;
  try {
    take = distanceSeries(s, p, 'takeDistance', takeValue, n);
  } catch (e) {
    if (stop !== null) checkDistances(s, p, 'stopDistance', stop, stopValue, n, start);
    throw e;
  }
  if (!distancesOk(stop, take, n, start)) {
    if (stop !== null) checkDistances(s, p, 'stopDistance', stop, stopValue, n, start);
    if (take !== null) checkDistances(s, p, 'takeDistance', take, takeValue, n, start);
  }
  return [stop, take];
}

/**
 * Entries and exits as targets. A side's exit closes the side last entered (and wins over an
 * entry on the same bar); entries go long (1) or short (-1, only when shorts are on). The side
 * is followed from the signals alone: after a stop closes a trade, that side's exit is a no-op
 * for the account (flat already), and the next entry opens again. Flags before `start` (the
 * window's first bar, after the warm-up) are ignored: the window starts flat.
 */
export function entriesToTargets(
  entries: BarFlags, exits: BarFlags, shortEntries: BarFlags | null, shortExits: BarFlags | null, n: number, shorts: boolean,
  start = 0,
): Float64Array {
  const target = new Float64Array(n);
  target.fill(NaN, 0, start);
  if (!shorts || shortEntries === null) {
    // Long only: no short is ever entered, so shortExits do nothing. One pass, every bar written.
    let long = false;
    for (let t = start; t < n; t++) {
      let v = NaN;
      if (long && exits[t]) {
        v = 0;
        long = false;
      } else if (entries[t]) {
        v = 1;
        long = true;
      }
      target[t] = v;
    }
    return target;
  }
  let side = 0;
  for (let t = start; t < n; t++) {
    let v = NaN;
    if (side > 0 && exits[t]) {
      v = 0;
      side = 0;
    } else if (side < 0 && shortExits !== null && shortExits[t]) {
      v = 0;
      side = 0;
    } else if (entries[t]) {
      v = 1;
      side = 1;
    } else if (shortEntries[t]) {
      v = -1;
      side = -1;
    }
    target[t] = v;
  }
  return target;
}

/** Runs one genome's signals and checks them: E_STRATEGY naming the strategy, file and genome. */
export function simulateInputOf(
  s: Strategy, ctx: StrategyContext, p: Params, shorts: boolean, riskOption: number, checkRange = true,
): SimulateInput {
  const n = ctx.length;
  let out: Signals;
  try {
    // p is this call's own object: what signals does to it changes nothing else.
    out = s.definition.signals(ctx, p);
  } catch (e) {
    const frame = userFrame(e, s.file, s.url);
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw strategyError(`${describeGenome(s, p)}: signals threw ${what}${frame === null ? '' : ` at ${frame}`}`, e);
  }
  if (out === null || typeof out !== 'object') {
    throw strategyError(`${describeGenome(s, p)}: signals must return { target } or { entries, exits }, got ${out === null ? 'null' : typeof out}`);
  }
  let target: Float64Array;
  if ('target' in out && out.target !== undefined) {
    target = targets(s, p, series(s, p, 'target', out.target, n) as BarValues, n, checkRange, ctx.start);
  } else if ('entries' in out && out.entries !== undefined) {
    const entries = series(s, p, 'entries', out.entries, n);
    const exits = series(s, p, 'exits', out.exits, n);
    const se = out.shortEntries === undefined ? null : series(s, p, 'shortEntries', out.shortEntries, n);
    const sx = out.shortExits === undefined ? null : series(s, p, 'shortExits', out.shortExits, n);
    target = entriesToTargets(entries, exits, se, sx, n, shorts, ctx.start);
  } else {
    throw strategyError(`${describeGenome(s, p)}: signals must return { target } or { entries, exits }, got keys ${JSON.stringify(Object.keys(out))}`);
  }
  const riskPerTrade = s.genes.some((g) => g.name === 'riskPerTrade') ? p['riskPerTrade']! : riskOption;
  const [stopDistance, takeDistance] = distances(s, p, out.stopDistance, out.takeDistance, n, ctx.start);
  return { target, stopDistance, takeDistance, riskPerTrade };
}
