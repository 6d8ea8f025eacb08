// The module path (signals -> generic simulator) against the fused built-ins: sma-cross written
// as a plain module reproduces W1 and the fused kernel's bits; stoch-rsi-bands written as a
// module (entries/exits, stops, targets, risk sizing) gives the built-in's metrics.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configVector, resolveOptions } from '../../src/backtest.js';
import type { BacktestOptions } from '../../src/backtest.js';
import { loadCsv } from '../../src/data/csv.js';
import type { MarketData } from '../../src/data/market.js';
import { synthetic } from '../../src/data/synthetic.js';
import { randomGenome } from '../../src/genome/canonical.js';
import type { KernelSet } from '../../src/kernels/kernel-set.js';
import { MET_LENGTH, MET_MAX_DRAWDOWN, MET_SHARPE, MET_TOTAL_RETURN, MET_TRADES, MET_WIN_RATE, METRIC_NAMES } from '../../src/kernels/layout.js';
import { createTsKernels } from '../../src/kernels/ts-kernels.js';
import { createWasmKernels } from '../../src/kernels/wasm/loader.js';
import { Random } from '../../src/random.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { IndicatorCache } from '../../src/strategy/indicator-cache.js';
import { loadStrategyModule } from '../../src/strategy/load.js';
import { backtestStrategy, evaluateStrategy } from '../../src/strategy/run.js';
import type { Execution } from '../../src/strategy/run.js';
import type { Strategy } from '../../src/strategy/strategy.js';
import { strategyFromDefinition } from '../../src/strategy/strategy.js';
import { DATA, firstDifference, readW1, relDiff } from '../helpers/shared.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/strategies/${name}`, import.meta.url));
const backends: [string, KernelSet][] = [['ts', createTsKernels()], ['wasm', createWasmKernels({ variant: 'release' })]];

function execution(s: Strategy, market: MarketData, o: BacktestOptions): Execution {
  const r = resolveOptions(s, market, o);
  return { cfg: configVector(r), riskPerTrade: r.riskPerTrade };
}

function expectSameBits(label: string, a: Float64Array, b: Float64Array): void {
  const i = firstDifference(a, b);
  const where = i < 0 ? '' : `genome ${Math.floor(i / MET_LENGTH)}, ${METRIC_NAMES[i % MET_LENGTH]}: ${a[i]} vs ${b[i]}`;
  expect(where, label).toBe('');
  expect(a.length).toBe(b.length);
}

describe('sma-cross as a module (target form, a plain object importing nothing)', async () => {
  const ref = readW1('w1_goog.json');
  const market = await loadCsv(DATA('GOOG.csv'));
  const mod = await loadStrategyModule(fixture('sma-cross.mjs'));
  const builtin = getStrategy('sma-cross');
  const W1 = { commission: 0.001, cash: 1, fraction: 1, lotSize: 0, allowShort: true, fill: 'next-open', periodsPerYear: 252 } as const;
  const genomes = Float64Array.from(ref.genomes.flatMap((g) => [g.fast, g.slow]));
  const P = ref.genomes.length;
  const window = { start: 0, end: market.length };

  for (const [name, k] of backends) {
    it(`${name}: reproduces every genome of W1 on GOOG and the fused kernel's bits`, () => {
      const cache = new IndicatorCache();
      const got = evaluateStrategy(k, market, window, mod, genomes, P, execution(mod, market, W1), cache)!;
      const failures: string[] = [];
      ref.genomes.forEach((g, i) => {
        const m = got.subarray(i * MET_LENGTH, (i + 1) * MET_LENGTH);
        const rel = Math.max(relDiff(m[MET_TOTAL_RETURN]!, g.total_return), relDiff(m[MET_SHARPE]!, g.sharpe), relDiff(m[MET_MAX_DRAWDOWN]!, g.max_dd));
        if (m[MET_TRADES] !== g.trades || m[MET_WIN_RATE] !== g.win_rate || !(rel <= 1e-9)) failures.push(`fast=${g.fast} slow=${g.slow}`);
      });
      expect(failures.slice(0, 5)).toEqual([]);
      const fused = evaluateStrategy(k, market, window, builtin, genomes, P, execution(builtin, market, W1), null)!;
      expectSameBits('module vs fused', got, fused);
      // 7,730 genomes ask for SMAs of 45 fast and 190 slow periods: each computed once.
      expect(cache.stats().misses).toBe(new Set(ref.genomes.flatMap((g) => [`f${g.fast}`, `s${g.slow}`].map((x) => Number(x.slice(1))))).size);
      expect(cache.stats().hits).toBe(2 * P - cache.stats().misses);
      // The built-in's own signals (ctx.ind.cross instead of the fixture's loop) through the
      // module path, as `bench --suite population` runs them: the same bits again.
      const own = strategyFromDefinition(builtin.definition, { file: null, url: null, digest: builtin.digest, builtin: false });
      expect(own.fused).toBeNull();
      const ownGot = evaluateStrategy(k, market, window, own, genomes, P, execution(own, market, W1), new IndicatorCache())!;
      expectSameBits('built-in signals vs fused', ownGot, fused);
    });
  }

  it('single backtests give the fused kernel\'s equity curve and trades, long-only and with close fills too', () => {
    const k = backends[0]![1];
    for (const o of [W1, { ...W1, allowShort: false }, { ...W1, fill: 'close' as const, slippage: 0.001 }]) {
      for (const g of [[5, 20], [12, 150], [30, 31]]) {
        const genes = Float64Array.from(g);
        const a = backtestStrategy(k, market, window, mod, genes, execution(mod, market, o), null, { equity: true, trades: true });
        const b = backtestStrategy(k, market, window, builtin, genes, execution(builtin, market, o), null, { equity: true, trades: true });
        expectSameBits(`${JSON.stringify(o)} ${g} metrics`, a.metrics, b.metrics);
        expectSameBits(`${g} equity`, a.equity!, b.equity!);
        expectSameBits(`${g} trades`, a.trades!, b.trades!);
      }
    }
  });
});

describe('stoch-rsi-bands as a module (entries/exits, ATR stops and targets, risk sizing)', async () => {
  const mod = await loadStrategyModule(fixture('stoch-rsi-bands.mjs'));
  const builtin = getStrategy('stoch-rsi-bands');
  const markets: [string, MarketData][] = [['GOOG', await loadCsv(DATA('GOOG.csv'))], ['synthetic', synthetic()]];
  const P = 500;
  const rng = new Random(2026);
  const genomes = new Float64Array(P * builtin.genes.length);
  for (let i = 0; i < P; i++) randomGenome(rng, builtin, genomes, i * builtin.genes.length);

  for (const [mname, market] of markets) {
    for (const [name, k] of backends) {
      it(`${name}: 500 random genomes on ${mname} give the built-in's metrics`, () => {
        const window = { start: 0, end: market.length };
        const o: BacktestOptions = { sizing: 'risk', allowShort: false };
        const got = evaluateStrategy(k, market, window, mod, genomes, P, execution(mod, market, o), new IndicatorCache())!;
        const fused = evaluateStrategy(k, market, window, builtin, genomes, P, execution(builtin, market, o), null)!;
        expectSameBits('module vs fused', got, fused);
        let trades = 0;
        for (let i = 0; i < P; i++) trades += got[i * MET_LENGTH + MET_TRADES]!;
        expect(trades).toBeGreaterThan(P);
      });
    }
  }
});
