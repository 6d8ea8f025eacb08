// Fitness and objectives as the GA sees them: presets and weighted mixes against hand-computed
// values and against the W1 reference file's own fitness column (an independent implementation
// of the source documents' formula, `seed`), the min-trades rule, and the multi-objective directions.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/errors.js';
import { DEFAULT_MIN_TRADE_RATE, FITNESS_NAMES, MIN_TRADES_PENALTY, PROFIT_FACTOR_CAP, compileFitness, objectiveValues, parseFitness, parseObjectives, windowMinTrades } from '../../src/ga/fitness.js';
import { METRIC_NAMES, MET_LENGTH } from '../../src/kernels/layout.js';
import type { MetricName } from '../../src/kernels/layout.js';
import { readW1, relDiff } from '../helpers/shared.js';

/** A metrics vector in the kernels' layout from named values (unnamed metrics are 0). */
function vector(values: Partial<Record<MetricName, number>>): Float64Array {
  const v = new Float64Array(MET_LENGTH);
  for (const [name, x] of Object.entries(values)) v[METRIC_NAMES.indexOf(name as MetricName)] = x;
  return v;
}

/** A plausible backtest: every metric distinct so a wrong index shows. */
const M = {
  totalReturn: 0.42,
  sharpe: 1.2,
  sortino: 1.9,
  maxDrawdown: 0.25,
  calmar: 0.8,
  trades: 12,
  winRate: 0.6,
  profitFactor: 1.7,
  exposure: 0.55,
  annualReturn: 0.2,
} satisfies Record<MetricName, number>;

function configFailure(fn: () => unknown, option: string, pattern?: RegExp): EngineError {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(EngineError);
  const e = caught as EngineError;
  expect(e.code).toBe('E_CONFIG');
  expect(e.option).toBe(option);
  if (pattern !== undefined) expect(e.message).toMatch(pattern);
  return e;
}

describe('parseFitness and compileFitness', () => {
  const v = vector(M);
  const f = (text: string, minTrades = 0): number => compileFitness(parseFitness(text), minTrades)(v, 0);

  it('default = 0.5 sharpe + 0.5 calmar (by hand: 0.6 + 0.4); seed = the source documents\' formula', () => {
    expect(parseFitness('default').terms).toEqual([
      { metric: 'sharpe', weight: 0.5 },
      { metric: 'calmar', weight: 0.5 },
    ]);
    expect(f('default')).toBe(0.5 * 1.2 + 0.5 * 0.8);
    expect(f('default')).toBeCloseTo(1.0, 14);
  });

  it('default is scale-free: halving every position (return and drawdown halve, Sharpe stays) leaves it, seed rises', () => {
    // To first order a smaller position scales annual return and drawdown alike: calmar and
    // sharpe stay, while seed's -0.5 maxDrawdown term improves: the drift the default removes.
    const full = vector({ ...M });
    const half = vector({ ...M, totalReturn: M.totalReturn / 2, annualReturn: M.annualReturn / 2, maxDrawdown: M.maxDrawdown / 2, calmar: (M.annualReturn / 2) / (M.maxDrawdown / 2) });
    const full2 = vector({ ...M, calmar: M.annualReturn / M.maxDrawdown });
    const def = compileFitness(parseFitness('default'), 0);
    const seed = compileFitness(parseFitness('seed'), 0);
    expect(def(half, 0)).toBe(def(full2, 0));
    expect(seed(half, 0)).toBeGreaterThan(seed(full, 0));
  });

  it('seed = sharpe - 0.5 maxDrawdown + 0.3 winRate (by hand: 1.2 - 0.125 + 0.18)', () => {
    expect(parseFitness('seed').terms).toEqual([
      { metric: 'sharpe', weight: 1 },
      { metric: 'maxDrawdown', weight: -0.5 },
      { metric: 'winRate', weight: 0.3 },
    ]);
    expect(f('seed')).toBeCloseTo(1.255, 14);
    expect(f('seed')).toBe(1.2 - 0.5 * 0.25 + 0.3 * 0.6);
  });

  it('seed agrees with the W1 reference fitness on every genome of the GOOG grid', () => {
    const fit = compileFitness(parseFitness('seed'), 0);
    const ref = readW1('w1_goog.json');
    expect(ref.genomes).toHaveLength(7730);
    let worst = 0;
    for (const g of ref.genomes) {
      const x = vector({ sharpe: g.sharpe, maxDrawdown: g.max_dd, winRate: g.win_rate, trades: g.trades, totalReturn: g.total_return });
      worst = Math.max(worst, relDiff(fit(x, 0), g.fitness));
    }
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it('presets pick their metric', () => {
    expect([...FITNESS_NAMES]).toEqual(['default', 'seed', 'sharpe', 'sortino', 'calmar', 'totalReturn']);
    expect(f('sharpe')).toBe(1.2);
    expect(f('sortino')).toBe(1.9);
    expect(f('calmar')).toBe(0.8);
    expect(f('totalReturn')).toBe(0.42);
    expect(f('  sharpe ')).toBe(1.2);
  });

  it('weighted mixes: metric:weight terms summed; a bare metric weighs 1', () => {
    expect(f('sharpe:0.7,calmar:0.3')).toBeCloseTo(0.7 * 1.2 + 0.3 * 0.8, 14);
    expect(f('sharpe:1,maxDrawdown:-0.5')).toBeCloseTo(1.075, 14);
    expect(f('totalReturn, exposure:-2')).toBeCloseTo(0.42 - 1.1, 14);
    expect(f('winRate:3e-1,profitFactor:.5')).toBeCloseTo(0.18 + 0.85, 14);
    // the mixes that spell out the presets are the presets
    expect(f('sharpe:1,maxDrawdown:-0.5,winRate:0.3')).toBe(f('seed'));
    expect(f('sharpe:0.5,calmar:0.5')).toBe(f('default'));
    expect(parseFitness('sharpe:0.7,calmar:0.3').text).toBe('sharpe:0.7,calmar:0.3');
  });

  it('an unknown metric or a malformed term is E_CONFIG naming the option', () => {
    configFailure(() => parseFitness('nope'), 'fitness', /unknown metric "nope"/);
    configFailure(() => parseFitness('sharpe:0.5,drawdown:1'), 'fitness', /unknown metric "drawdown"/);
    configFailure(() => parseFitness('sharpe:abc'), 'fitness', /not a fitness name or metric:weight/);
    configFailure(() => parseFitness(''), 'fitness');
    configFailure(() => parseFitness('sharpe,'), 'fitness');
    configFailure(() => parseFitness('bogus', '--fitness'), '--fitness');
  });

  it('min trades: fewer trades than minTrades gives the fixed penalty, exactly minTrades does not', () => {
    expect(MIN_TRADES_PENALTY).toBe(-1000);
    expect(f('default', 13)).toBe(MIN_TRADES_PENALTY);
    expect(f('default', 12)).toBe(f('default', 0));
    expect(f('seed', 13)).toBe(MIN_TRADES_PENALTY);
    expect(f('sharpe', 100)).toBe(MIN_TRADES_PENALTY);
    const none = vector({ sharpe: 0, trades: 0 });
    expect(compileFitness(parseFitness('default'), 1)(none, 0)).toBe(MIN_TRADES_PENALTY);
    expect(compileFitness(parseFitness('default'), 0)(none, 0)).toBe(0);
  });

  it('the minimum scales with the window: max(floor, ceil(rate x bars / 1000))', () => {
    expect(DEFAULT_MIN_TRADE_RATE).toBe(5);
    expect(windowMinTrades(3500, 5, 5)).toBe(18); // 17.5 rounds up
    expect(windowMinTrades(1503, 5, 5)).toBe(8);
    expect(windowMinTrades(500, 5, 5)).toBe(5); // the floor
    expect(windowMinTrades(500, 0, 0)).toBe(0);
    expect(windowMinTrades(1000, 0, 2.5)).toBe(3);
  });

  it('profitFactor is capped at 10 as a fitness and as an objective, so no-loss genomes do not all score 1e9', () => {
    expect(PROFIT_FACTOR_CAP).toBe(10);
    const fit = compileFitness(parseFitness('profitFactor'), 0);
    expect(fit(vector({ profitFactor: Infinity, trades: 9 }), 0)).toBe(10);
    expect(fit(vector({ profitFactor: 25, trades: 9 }), 0)).toBe(10);
    expect(fit(vector({ profitFactor: 1.7, trades: 9 }), 0)).toBe(1.7);
    const out = new Float64Array(2);
    objectiveValues(parseObjectives('max:profitFactor,min:maxDrawdown'), 0, vector({ profitFactor: Infinity, maxDrawdown: 0.1 }), 0, out, 0);
    expect(Array.from(out)).toEqual([10, 0.1]);
  });

  it('a function, an array or a number as fitness or objectives is E_CONFIG naming the option', () => {
    configFailure(() => parseFitness((() => 1) as unknown as string), 'fitness', /got a function.*not accepted/);
    configFailure(() => parseFitness(3 as unknown as string), 'fitness', /got number 3/);
    configFailure(() => parseObjectives(['max:sharpe', 'min:maxDrawdown'] as unknown as string), 'objectives', /got an array.*"max:sharpe,min:maxDrawdown"/);
  });

  it('reads the vector at the offset; a non-finite fitness is capped or penalised', () => {
    const two = new Float64Array(2 * MET_LENGTH);
    two.set(vector({ sharpe: 9, trades: 50 }), 0);
    two.set(v, MET_LENGTH);
    expect(compileFitness(parseFitness('default'), 5)(two, MET_LENGTH)).toBe(f('default'));
    const fit = compileFitness(parseFitness('calmar'), 0);
    expect(fit(vector({ calmar: Infinity, trades: 3 }), 0)).toBe(1e9);
    expect(fit(vector({ calmar: -Infinity, trades: 3 }), 0)).toBe(-1e9);
    expect(fit(vector({ calmar: NaN, trades: 3 }), 0)).toBe(MIN_TRADES_PENALTY);
  });
});

describe('parseObjectives and objectiveValues', () => {
  it('directions: max:/min: prefixes; bare names maximise, except maxDrawdown which is minimised', () => {
    expect(parseObjectives('max:sharpe,min:maxDrawdown')).toEqual([
      { metric: 'sharpe', direction: 1 },
      { metric: 'maxDrawdown', direction: -1 },
    ]);
    expect(parseObjectives('sharpe,maxDrawdown')).toEqual([
      { metric: 'sharpe', direction: 1 },
      { metric: 'maxDrawdown', direction: -1 },
    ]);
    expect(parseObjectives('min:exposure, totalReturn, max:maxDrawdown')).toEqual([
      { metric: 'exposure', direction: -1 },
      { metric: 'totalReturn', direction: 1 },
      { metric: 'maxDrawdown', direction: 1 },
    ]);
  });

  it('fewer than two objectives, a repeated metric, an unknown metric or direction: E_CONFIG', () => {
    configFailure(() => parseObjectives('sharpe'), 'objectives', /at least two/);
    configFailure(() => parseObjectives('max:sharpe'), 'objectives', /at least two/);
    configFailure(() => parseObjectives('sharpe,max:sharpe'), 'objectives', /twice/);
    configFailure(() => parseObjectives('max:nope,min:maxDrawdown'), 'objectives', /unknown metric "nope"/);
    configFailure(() => parseObjectives('up:sharpe,min:maxDrawdown'), 'objectives', /not an objective/);
    configFailure(() => parseObjectives('max:sharpe,,min:maxDrawdown'), 'objectives');
  });

  it('raw metric values; under minTrades the worst value in each objective direction', () => {
    const objs = parseObjectives('max:sharpe,min:maxDrawdown,totalReturn');
    const out = new Float64Array(4);
    objectiveValues(objs, 5, vector(M), 0, out, 1);
    expect(Array.from(out)).toEqual([0, 1.2, 0.25, 0.42]);
    objectiveValues(objs, 13, vector(M), 0, out, 0);
    // maximised -> -1000, minimised -> +1000
    expect(Array.from(out.subarray(0, 3))).toEqual([-1000, 1000, -1000]);
    objectiveValues(parseObjectives('max:calmar,min:maxDrawdown'), 0, vector({ calmar: Infinity, maxDrawdown: NaN }), 0, out, 0);
    expect(Array.from(out.subarray(0, 2))).toEqual([1e9, 1000]);
  });
});
