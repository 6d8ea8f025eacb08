// evolve({ evaluator }) with an evaluator built for something else: another series, other costs,
// another periodsPerYear or backend. The run must refuse it (E_CONFIG, option `evaluator`),
// naming what differs, instead of reporting metrics of one setup under the name of another.
// An evaluator built for the run's own data and options, spelled differently, is accepted and
// gives the result of a run that makes its own evaluator.
import { describe, expect, it } from 'vitest';
import { marketFromArrays } from '../../src/data/market.js';
import { synthetic } from '../../src/data/synthetic.js';
import { EngineError } from '../../src/errors.js';
import type { EvolveOptions, EvolveResult } from '../../src/ga/evolve.js';
import { evolve } from '../../src/ga/evolve.js';
import type { Evaluator } from '../../src/pool/evaluator.js';
import { createInProcessEvaluator } from '../../src/pool/in-process.js';

const MARKET = synthetic({ bars: 1500, seed: 11 });
const BASE: EvolveOptions = { market: MARKET, strategy: 'sma-cross', population: 8, generations: 2, seed: 5, threads: 0 };

async function refusal(p: Promise<unknown>): Promise<EngineError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(EngineError);
  return e as EngineError;
}

const withoutTimings = (r: EvolveResult): string => JSON.stringify({ ...r, timings: null });

describe('evolve refuses an evaluator built for something else', () => {
  it('an evaluator on another series: E_CONFIG naming the data (bars and digests)', async () => {
    const other = createInProcessEvaluator({ market: synthetic({ bars: 1500, seed: 12 }) });
    const e = await refusal(evolve({ ...BASE, evaluator: other }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.option).toBe('evaluator');
    expect(e.message).toMatch(/^evaluator: was built for another run: the data differs \(evaluator: 1500 bars, sha256 [0-9a-f]{12}\.\.\.; evolve: 1500 bars, sha256 [0-9a-f]{12}\.\.\.\)$/);
    // a shorter series is named by its length too
    const shorter = createInProcessEvaluator({ market: synthetic({ bars: 1400, seed: 11 }) });
    expect((await refusal(evolve({ ...BASE, evaluator: shorter }))).message).toContain('evaluator: 1400 bars');
  });

  it('an evaluator at commission 0.02 for a run at the default 0.001: refused, naming the option and both values', async () => {
    const dear = createInProcessEvaluator({ market: MARKET, backtest: { commission: 0.02 } });
    const e = await refusal(evolve({ ...BASE, evaluator: dear }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toBe('evaluator: was built for another run: backtest.commission differs (evaluator: 0.02, evolve: 0.001)');
  });

  it('every difference is named: periodsPerYear, fills, sizing fraction, shorts', async () => {
    const ev = createInProcessEvaluator({ market: MARKET, backtest: { periodsPerYear: 252, fill: 'close', fraction: 0.5 } });
    const e = await refusal(evolve({ ...BASE, backtest: { allowShort: false }, evaluator: ev }));
    expect(e.message).toContain('backtest.periodsPerYear differs (evaluator: 252, evolve: "estimated from the timestamps")');
    expect(e.message).toContain('backtest.fill differs (evaluator: "close", evolve: "next-open")');
    expect(e.message).toContain('backtest.fraction differs (evaluator: 0.5, evolve: 1)');
    expect(e.message).toContain('backtest.allowShort differs (evaluator: true, evolve: false)');
  });

  it('a backend the run names and the evaluator does not run: refused; a run that names none uses the evaluator\'s', async () => {
    const ts = createInProcessEvaluator({ market: MARKET, backend: 'ts' });
    const e = await refusal(evolve({ ...BASE, backend: 'wasm', evaluator: ts }));
    expect(e.message).toBe('evaluator: was built for another run: backend differs (evaluator: "ts", evolve: "wasm")');
    const r = await evolve({ ...BASE, evaluator: ts });
    expect(r.timings.backend).toBe('ts');
  });

  it('an evaluator that cannot say what it was built for is refused', async () => {
    const inner = createInProcessEvaluator({ market: MARKET });
    const bare = { ...inner, describe: undefined } as unknown as Evaluator;
    const e = await refusal(evolve({ ...BASE, evaluator: bare }));
    expect(e.message).toContain('evaluator: does not describe what it was built for');
  });

  it('the same data in another object and the defaults spelled out: accepted, the result of a run with its own evaluator', async () => {
    const own = await evolve(BASE);
    const copy = marketFromArrays({
      time: Array.from(MARKET.time), open: Array.from(MARKET.open), high: Array.from(MARKET.high),
      low: Array.from(MARKET.low), close: Array.from(MARKET.close), volume: Array.from(MARKET.volume),
    });
    const ev = createInProcessEvaluator({ market: copy, backtest: { commission: 0.001, sizing: 'fraction', allowShort: true, cash: 10_000 } });
    const r = await evolve({ ...BASE, evaluator: ev });
    expect(withoutTimings(r)).toBe(withoutTimings(own));
  });
});
