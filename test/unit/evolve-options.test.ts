// evolve() checks what it is given (issue 14 item 7): unknown keys with a did-you-mean, wrong
// types named by option, never a bare TypeError, and never a silent run on defaults.
import { describe, expect, it } from 'vitest';
import { synthetic } from '../../src/data/synthetic.js';
import { EngineError } from '../../src/errors.js';
import { evolve } from '../../src/ga/evolve.js';
import type { EvolveOptions } from '../../src/ga/evolve.js';
import { didYouMean } from '../../src/ga/options-check.js';

async function refusal(options: unknown, hooks?: unknown): Promise<EngineError> {
  let caught: unknown = null;
  try {
    await evolve(options as EvolveOptions, hooks as undefined);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(EngineError);
  expect((caught as EngineError).code).toBe('E_CONFIG');
  return caught as EngineError;
}

describe('evolve() option checking', () => {
  const market = synthetic({ bars: 300, seed: 1 });

  it('unknown keys: E_CONFIG naming the key, with the closest known one', async () => {
    // the example: it used to run on synthetic data with population 128
    const e = await refusal({ markt: market, populaton: 16 });
    expect(e.option).toBe('markt');
    expect(e.message).toMatch(/markt: is not an option of evolve\(\) \(did you mean market\?\)/);
    expect((await refusal({ market, populaton: 16 })).message).toMatch(/did you mean population\?/);
    expect((await refusal({ market, generation: 3 })).message).toMatch(/did you mean generations\?/);
    expect((await refusal({ market, zzzzzz: 3 })).message).not.toMatch(/did you mean/);
    expect((await refusal({ market, backtest: { comission: 0.001 } })).message).toMatch(/backtest\.comission: .*did you mean backtest\.commission\?/);
    expect((await refusal({ market, operators: { cxpbb: 0.5 } })).message).toMatch(/operators\.cxpbb: .*did you mean operators\.cxpb\?/);
    expect((await refusal({ market }, { onGeneraton: () => undefined })).message).toMatch(/did you mean onGeneration\?/);
  });

  it('wrong types: E_CONFIG naming the option and what it must be', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ objectives: ['max:sharpe', 'min:maxDrawdown'] }, 'objectives', /must be a string .*got an array/],
      [{ fitness: (m: unknown) => m }, 'fitness', /not accepted.*got a function/],
      [{ population: '16' }, 'population', /must be a number, got the string "16"/],
      [{ market: [1, 2, 3] }, 'market', /must be market data/],
      [{ backtest: 'cheap' }, 'backtest', /must be an object/],
      [{ backtest: { allowShort: 'yes' } }, 'backtest.allowShort', /must be true or false/],
      [{ train: '0.7' }, 'train', /must be a number or null/],
      [{ evaluator: {} }, 'evaluator', /must be an Evaluator/],
      [{ operators: { crossover: ['sbx'] } }, 'operators.crossover', /must be a number or a name/],
    ];
    for (const [o, option, pattern] of cases) {
      const e = await refusal({ market, ...o });
      expect(e.option, option).toBe(option);
      expect(e.message, option).toMatch(pattern);
    }
    expect((await refusal('population 16')).message).toMatch(/must be an object/);
    expect((await refusal({ market }, { signal: 'stop' })).option).toBe('signal');
  });

  it('didYouMean: close names only', () => {
    expect(didYouMean('populaton', ['population', 'generations'])).toBe('population');
    expect(didYouMean('seeed', ['seed', 'strategy'])).toBe('seed');
    expect(didYouMean('banana', ['seed', 'strategy'])).toBeNull();
  });

  it('valid options still run (undefined values are allowed, as if absent)', async () => {
    const r = await evolve({ market, population: 8, generations: 1, threads: 0, seed: undefined, train: null });
    expect(r.generations).toHaveLength(1);
  });
});
