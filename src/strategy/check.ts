// `evoquant strategy check`: what a strategy author wants to know before a long run. Runs the
// strategy on the synthetic series with its defaults and a few random genomes, twice, on both
// backends, and says whether the outputs repeat, whether the backends agree and what one
// evaluation costs.
import { configVector, resolveOptions } from '../backtest.js';
import type { BacktestOptions } from '../backtest.js';
import type { MarketData } from '../data/market.js';
import { synthetic } from '../data/synthetic.js';
import { randomGenome } from '../genome/canonical.js';
import { MET_LENGTH } from '../kernels/layout.js';
import { kernelsFor } from '../kernels/registry.js';
import { Random } from '../random.js';
import { IndicatorCache } from './indicator-cache.js';
import type { StrategyInput } from './load.js';
import { resolveStrategy } from './load.js';
import { evaluateStrategy } from './run.js';
import type { GeneSpec } from './strategy.js';
import { genesToParams } from './strategy.js';

export interface StrategyCheckReport {
  strategy: { name: string; file: string | null; digest: string; builtin: boolean; genes: readonly GeneSpec[] };
  bars: number;
  /** The genomes run: the defaults first, then random ones. */
  genomes: Record<string, number>[];
  /** Same bits when run again (with the indicators cached from the first run). */
  repeats: boolean;
  /** Same bits from the WASM kernels and their TypeScript twins. */
  backendsAgree: boolean;
  /** The inputs (bars) were left as they were. */
  inputsUntouched: boolean;
  /** Milliseconds per evaluation (one genome over the series), by backend, first run (indicators computed). */
  msPerEvaluation: { wasm: number; ts: number };
  /** Metrics per genome (wasm), MET_LENGTH each. */
  metrics: number[][];
  problems: string[];
}

function same(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function digestOf(m: MarketData): string {
  let h = 0;
  for (const col of [m.open, m.high, m.low, m.close, m.volume, m.time]) for (let i = 0; i < col.length; i++) h = (h * 31 + col[i]!) % 1e15;
  return String(h);
}

/** Checks a strategy (a path, a name or a definition). Throws what loading or running throws. */
export async function checkStrategy(
  ref: StrategyInput, o: { bars?: number; seed?: number; random?: number; backtest?: BacktestOptions } = {},
): Promise<StrategyCheckReport> {
  const s = await resolveStrategy(ref);
  const market = synthetic({ bars: o.bars ?? 5000, seed: o.seed ?? 42 });
  const before = digestOf(market);
  const G = s.genes.length;
  const count = 1 + (o.random ?? 4);
  const genomes = new Float64Array(count * G);
  s.genes.forEach((g, i) => (genomes[i] = g.default));
  const rng = new Random(o.seed ?? 42);
  for (let i = 1; i < count; i++) randomGenome(rng, s, genomes, i * G);
  const window = { start: 0, end: market.length };
  const resolved = resolveOptions(s, market, o.backtest ?? {});
  const exec = { cfg: configVector(resolved), riskPerTrade: resolved.riskPerTrade };
  const run = (backend: 'wasm' | 'ts', cache: IndicatorCache): [Float64Array, number] => {
    const t0 = performance.now();
    const out = evaluateStrategy(kernelsFor(backend), market, window, s, genomes, count, exec, cache)!;
    return [out, (performance.now() - t0) / count];
  };
  const cacheW = new IndicatorCache();
  const cacheT = new IndicatorCache();
  const [w1, msW] = run('wasm', cacheW);
  const [t1, msT] = run('ts', cacheT);
  const [w2] = run('wasm', cacheW);
  const [t2] = run('ts', cacheT);
  const problems: string[] = [];
  const repeats = same(w1, w2) && same(t1, t2);
  if (!repeats) problems.push('a second run gave other metrics: signals must depend on ctx and params only (no state kept between calls, no writes into ctx or indicator results)');
  const backendsAgree = same(w1, t1);
  if (!backendsAgree) problems.push('the WASM and TypeScript backends disagree');
  const inputsUntouched = digestOf(market) === before;
  if (!inputsUntouched) problems.push('the bars were modified: ctx series are read only');
  const metrics: number[][] = [];
  for (let i = 0; i < count; i++) metrics.push(Array.from(w1.subarray(i * MET_LENGTH, (i + 1) * MET_LENGTH)));
  return {
    strategy: { name: s.name, file: s.file, digest: s.digest, builtin: s.builtin, genes: s.genes },
    bars: market.length,
    genomes: Array.from({ length: count }, (_, i) => genesToParams(s, genomes, i * G)),
    repeats,
    backendsAgree,
    inputsUntouched,
    msPerEvaluation: { wasm: msW, ts: msT },
    metrics,
    problems,
  };
}
