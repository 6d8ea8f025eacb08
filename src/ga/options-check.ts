import { configError } from '../errors.js';
import { describeValue } from './fitness.js';
import { OPERATOR_DEFAULTS } from './operators.js';

/** What an option must be: a predicate and the words for it. */
interface Kind {
  ok: (v: unknown) => boolean;
  what: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num: Kind = { ok: (v) => typeof v === 'number', what: 'a number' };
const str: Kind = { ok: (v) => typeof v === 'string', what: 'a string' };
const bool: Kind = { ok: (v) => typeof v === 'boolean', what: 'true or false' };
const obj: Kind = { ok: isObject, what: 'an object' };
const numOrNull: Kind = { ok: (v) => v === null || typeof v === 'number', what: 'a number or null' };
const market: Kind = {
  ok: (v) => isObject(v) && typeof v['length'] === 'number' && v['close'] instanceof Float64Array && v['time'] instanceof Float64Array,
  what: 'market data (from loadCsv, synthetic or marketFromArrays)',
};
const markets: Kind = { ok: (v) => Array.isArray(v) && v.every((m) => market.ok(m)), what: 'an array of market data (from loadCsv, synthetic or marketFromArrays)' };
const evaluator: Kind = { ok: (v) => isObject(v) && typeof v['evaluate'] === 'function' && typeof v['close'] === 'function', what: 'an Evaluator (evaluate and close)' };
const window: Kind = { ok: (v) => isObject(v) && typeof v['start'] === 'number' && typeof v['end'] === 'number', what: 'a window { start, end }' };

/** Every option of evolve() and its kind (the single list the check and did-you-mean use). */
export const EVOLVE_OPTION_KINDS: Readonly<Record<string, Kind>> = {
  market, markets,
  strategy: { ok: (v) => typeof v === 'string' || v instanceof URL || isObject(v), what: 'a built-in name, a module path or URL, or a strategy definition' },
  population: num, generations: num, seed: num, operators: obj,
  fitness: { ok: (v) => typeof v === 'string', what: 'a fitness name or "metric:weight,..." string (a function is not accepted: a run must be reproducible from its result and checkpoint)' },
  objectives: { ok: (v) => typeof v === 'string', what: 'a string such as "max:sharpe,min:maxDrawdown" (one string, not an array)' },
  minTrades: num, minTradeRate: num, train: numOrNull, folds: num, foldAggregate: str, marketAggregate: str, backtest: obj, backend: str,
  threads: num, batchSize: num, cacheSize: num, hallOfFame: num, hofDistinct: str, islands: num, migrationInterval: num,
  landscapeGenes: { ok: (v) => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string'), what: 'two gene names' },
  analysisSample: num, patience: num, maxSeconds: num, checkpoint: str, resume: str, evaluator,
};

/** The options of `backtest` inside evolve (backend and window belong to the run). */
const BACKTEST_OPTION_KINDS: Readonly<Record<string, Kind>> = {
  commission: num, slippage: num, cash: num, fill: str, sizing: str, fraction: num, lotSize: num, maxLeverage: num,
  minPriceRisk: num, allowShort: bool, periodsPerYear: num, atrPeriod: num, riskPerTrade: num, warmup: numOrNull, backend: str, window,
};

const HOOK_KINDS: Readonly<Record<string, Kind>> = {
  onGeneration: { ok: (v) => typeof v === 'function', what: 'a function' },
  onAnalysis: { ok: (v) => typeof v === 'function', what: 'a function' },
  onWarning: { ok: (v) => typeof v === 'function', what: 'a function' },
  signal: { ok: (v) => typeof AbortSignal !== 'undefined' && v instanceof AbortSignal, what: 'an AbortSignal' },
};

/** Levenshtein distance (small strings only). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length]!;
}

/** The known name closest to `name`, when it is close enough to be a typo. */
export function didYouMean(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

function checkObject(value: unknown, kinds: Readonly<Record<string, Kind>>, prefix: string, what: string): void {
  if (value === undefined) return;
  if (!isObject(value)) throw configError(prefix === '' ? what : prefix.slice(0, -1), `must be an object, got ${describeValue(value)}`);
  const known = Object.keys(kinds);
  for (const [key, v] of Object.entries(value)) {
    const kind = kinds[key];
    if (kind === undefined) {
      const near = didYouMean(key, known);
      throw configError(`${prefix}${key}`, `is not an option of ${what}${near !== null ? ` (did you mean ${prefix}${near}?)` : ''}; known: ${known.join(', ')}`);
    }
    if (v === undefined) continue;
    if (!kind.ok(v)) throw configError(`${prefix}${key}`, `must be ${kind.what}, got ${describeValue(v)}`);
  }
}

/**
 * Checks evolve()'s options and hooks before anything runs: an unknown key is an E_CONFIG that
 * names it and the closest known one; a value of the wrong type is an E_CONFIG naming the
 * option, never a TypeError from deep inside. Ranges are checked where each option is used.
 */
export function checkEvolveOptions(options: unknown, hooks: unknown): void {
  checkObject(options, EVOLVE_OPTION_KINDS, '', 'evolve()');
  checkObject(hooks, HOOK_KINDS, '', 'evolve() hooks');
  if (isObject(options) && isObject(options['backtest'])) checkObject(options['backtest'], BACKTEST_OPTION_KINDS, 'backtest.', 'evolve() backtest');
  if (isObject(options) && isObject(options['operators'])) {
    const known = Object.keys(OPERATOR_DEFAULTS);
    for (const [key, v] of Object.entries(options['operators'])) {
      if (!known.includes(key)) {
        const near = didYouMean(key, known);
        throw configError(`operators.${key}`, `is not a GA operator option${near !== null ? ` (did you mean operators.${near}?)` : ''}; known: ${known.join(', ')}`);
      }
      if (typeof v === 'function' || (typeof v === 'object' && v !== null)) throw configError(`operators.${key}`, `must be a number or a name, got ${describeValue(v)}`);
    }
  }
}
