import { configError } from '../errors.js';
import { METRIC_NAMES } from '../kernels/layout.js';
import type { MetricName } from '../kernels/layout.js';

/** Fitness a genome gets when it trades fewer than its window's minimum number of trades. */
export const MIN_TRADES_PENALTY = -1000;

/**
 * Named fitness functions. `default` is 0.5 sharpe + 0.5 calmar: both are ratios of return to
 * risk, so scaling every position down leaves them (to first order) unchanged and the GA cannot
 * win by trading less. `seed` is the source documents' sharpe - 0.5 maxDrawdown + 0.3 winRate,
 * which rewards shrinking the position (Sharpe does not change with size, drawdown does).
 */
export const FITNESS_NAMES = ['default', 'seed', 'sharpe', 'sortino', 'calmar', 'totalReturn'] as const;

/**
 * Minimum trades per 1,000 bars of a window (the default of `minTradeRate`): a window of N bars
 * asks for at least ceil(rate x N / 1000) trades, and never fewer than `minTrades`.
 */
export const DEFAULT_MIN_TRADE_RATE = 5;

/** The minimum number of trades on a window of `bars` bars. */
export function windowMinTrades(bars: number, minTrades: number, rate: number): number {
  return Math.max(minTrades, Math.ceil((rate * bars) / 1000));
}

/**
 * Profit factor as a fitness or an objective is capped here: without losses it is Infinity,
 * and beyond 10 it says more about a small sample than about the strategy.
 */
export const PROFIT_FACTOR_CAP = 10;

/** A fitness: a weighted sum of metrics (the named ones are presets). */
export interface FitnessSpec {
  /** As written by the user (for the result file). */
  text: string;
  terms: { metric: MetricName; weight: number }[];
}

const PRESETS: Record<(typeof FITNESS_NAMES)[number], { metric: MetricName; weight: number }[]> = {
  default: [
    { metric: 'sharpe', weight: 0.5 },
    { metric: 'calmar', weight: 0.5 },
  ],
  seed: [
    { metric: 'sharpe', weight: 1 },
    { metric: 'maxDrawdown', weight: -0.5 },
    { metric: 'winRate', weight: 0.3 },
  ],
  sharpe: [{ metric: 'sharpe', weight: 1 }],
  sortino: [{ metric: 'sortino', weight: 1 }],
  calmar: [{ metric: 'calmar', weight: 1 }],
  totalReturn: [{ metric: 'totalReturn', weight: 1 }],
};

function metricIndex(name: string, option: string): number {
  const i = (METRIC_NAMES as readonly string[]).indexOf(name);
  if (i < 0) throw configError(option, `unknown metric "${name}" (known: ${METRIC_NAMES.join(', ')})`);
  return i;
}

/**
 * A fitness by name (`default`, `seed`, `sharpe`, `sortino`, `calmar`, `totalReturn`) or a weighted mix
 * `metric:weight,metric:weight` (e.g. `sharpe:0.7,calmar:0.3`, `sharpe:1,maxDrawdown:-0.5`).
 */
export function parseFitness(text: string, option = 'fitness'): FitnessSpec {
  if (typeof text !== 'string') {
    throw configError(option, `must be a fitness name (${FITNESS_NAMES.join(', ')}) or a string metric:weight,...; got ${describeValue(text)} (a function is not accepted: results must be reproducible from result.json and a checkpoint, so the fitness must be data; use a weighted mix or objectives)`);
  }
  const t = text.trim();
  if ((FITNESS_NAMES as readonly string[]).includes(t)) {
    return { text: t, terms: PRESETS[t as (typeof FITNESS_NAMES)[number]] };
  }
  const terms = t.split(',').map((part) => {
    const m = /^\s*([A-Za-z]+)\s*(?::\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))?\s*$/.exec(part);
    if (m === null) throw configError(option, `"${part}" is not a fitness name or metric:weight (known names: ${FITNESS_NAMES.join(', ')})`);
    metricIndex(m[1]!, option);
    const weight = m[2] === undefined ? 1 : Number(m[2]);
    if (!Number.isFinite(weight)) throw configError(option, `weight of ${m[1]} must be finite`);
    return { metric: m[1] as MetricName, weight };
  });
  if (terms.length === 0) throw configError(option, 'is empty');
  return { text: t, terms };
}

/**
 * Compiles a fitness into a function of one metrics vector. A genome with fewer than minTrades
 * trades gets MIN_TRADES_PENALTY; a non-finite fitness (an infinite calmar, say) is capped so
 * that comparisons stay meaningful.
 */
export function compileFitness(spec: FitnessSpec, minTrades: number): (metrics: Float64Array, offset: number) => number {
  const idx = spec.terms.map((t) => metricIndex(t.metric, 'fitness'));
  const w = spec.terms.map((t) => t.weight);
  const trades = metricIndex('trades', 'fitness');
  const pf = metricIndex('profitFactor', 'fitness');
  return (m, o) => {
    if (m[o + trades]! < minTrades) return MIN_TRADES_PENALTY;
    let f = 0;
    for (let i = 0; i < idx.length; i++) f += w[i]! * (idx[i] === pf ? cappedProfitFactor(m[o + pf]!) : m[o + idx[i]!]!);
    return finiteOrCap(f);
  };
}

/** Profit factor as fitness and objectives see it: at most PROFIT_FACTOR_CAP. */
export function cappedProfitFactor(x: number): number {
  return x > PROFIT_FACTOR_CAP ? PROFIT_FACTOR_CAP : x;
}

/** A value as an error message names it (type and, for short values, the value). */
export function describeValue(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** NaN -> the penalty; +-Infinity -> +-1e9. */
export function finiteOrCap(x: number): number {
  if (Number.isNaN(x)) return MIN_TRADES_PENALTY;
  if (x === Infinity) return 1e9;
  if (x === -Infinity) return -1e9;
  return x;
}

/** One objective of multi-objective mode: a metric, maximised or minimised. */
export interface Objective {
  metric: MetricName;
  /** 1 maximise, -1 minimise. */
  direction: 1 | -1;
}

/** Metrics that are better when smaller (the default direction when none is written). */
const SMALLER_IS_BETTER: ReadonlySet<string> = new Set(['maxDrawdown']);

/**
 * Objectives `max:sharpe,min:maxDrawdown` (or bare names with their natural direction:
 * maxDrawdown is minimised, everything else maximised). At least two.
 */
export function parseObjectives(text: string, option = 'objectives'): Objective[] {
  if (typeof text !== 'string') {
    const hint = Array.isArray(text) ? ` (write the list as one string: "${(text as unknown[]).map(String).join(',')}")` : '';
    throw configError(option, `must be a string such as "max:sharpe,min:maxDrawdown"; got ${describeValue(text)}${hint}`);
  }
  const objs = text.split(',').map((part) => {
    const m = /^\s*(?:(max|min)\s*:\s*)?([A-Za-z]+)\s*$/.exec(part);
    if (m === null) throw configError(option, `"${part}" is not an objective (write max:metric or min:metric)`);
    metricIndex(m[2]!, option);
    const direction: 1 | -1 = m[1] === 'max' ? 1 : m[1] === 'min' ? -1 : SMALLER_IS_BETTER.has(m[2]!) ? -1 : 1;
    return { metric: m[2] as MetricName, direction };
  });
  if (objs.length < 2) throw configError(option, 'needs at least two objectives (one objective: use --fitness)');
  const names = objs.map((o) => o.metric);
  if (new Set(names).size !== names.length) throw configError(option, 'lists a metric twice');
  return objs;
}

/**
 * The objective values of one metrics vector (raw metric values; directions are applied by
 * NSGA-II). Genomes under minTrades get the worst value in every objective.
 */
export function objectiveValues(objs: Objective[], minTrades: number, m: Float64Array, o: number, out: Float64Array, oo: number): void {
  const penalised = m[o + metricIndex('trades', 'objectives')]! < minTrades;
  objs.forEach((obj, i) => {
    const raw = m[o + metricIndex(obj.metric, 'objectives')]!;
    const v = obj.metric === 'profitFactor' ? cappedProfitFactor(raw) : raw;
    out[oo + i] = penalised ? obj.direction * MIN_TRADES_PENALTY : Number.isNaN(v) ? obj.direction * MIN_TRADES_PENALTY : finiteOrCap(v);
  });
}
