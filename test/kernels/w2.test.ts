// The reference workload W2 (../shared/reference/README.md): 300 stoch-rsi-bands genomes on GOOG
// and on EURUSD, whose metrics come from an independent Numba implementation, reproduced by
// every backend (TS twin, WASM release and debug, the in-process evaluator) and by the
// benchmark's native C baseline (bench/native/w2.c): trades exactly, the rest to 1e-9 relative.
// The pool's copy of this check is test/pool/w2-pool.test.ts.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNativeW2, runNativeW2 } from '../../src/bench/native.js';
import { loadCsv } from '../../src/data/csv.js';
import type { MarketData } from '../../src/data/market.js';
import { configVector, resolveOptions } from '../../src/backtest.js';
import type { BacktestOptions } from '../../src/backtest.js';
import { getFamily } from '../../src/genome/families.js';
import { stochRsiBandsKernel } from '../../src/kernels/fused.js';
import { createTsKernels } from '../../src/kernels/ts-kernels.js';
import { createWasmKernels } from '../../src/kernels/wasm/loader.js';
import type { KernelSet } from '../../src/kernels/kernel-set.js';
import { MET_LENGTH } from '../../src/kernels/layout.js';
import { STOCH_RSI_BANDS_GENES } from '../../src/kernels/strategies/stoch-rsi-bands.js';
import { createInProcessEvaluator } from '../../src/pool/in-process.js';
import { W2_OPTIONS } from '../../src/bench/population.js';
import { DATA, readW2, w2Genomes } from '../helpers/shared.js';
import type { W2File } from '../helpers/shared.js';
import { compareW2 } from '../helpers/w2.js';

const family = getFamily('stoch-rsi-bands');

/** The file's options, spelled as the engine's backtest options. */
function optionsOf(ref: W2File): BacktestOptions {
  const o = ref.options;
  return {
    fill: o.fill as 'next-open',
    commission: o.commission as number,
    slippage: o.slippage as number,
    cash: o.cash as number,
    sizing: o.sizing as 'risk',
    maxLeverage: o.maxLeverage as number,
    minPriceRisk: o.minPriceRisk as number,
    lotSize: o.lotSize as number,
    allowShort: o.allowShort as boolean,
    atrPeriod: o.atrPeriod as number,
    periodsPerYear: o.periodsPerYear as number,
  };
}

const backends: [string, () => KernelSet][] = [
  ['ts', () => createTsKernels()],
  ['wasm-release', () => createWasmKernels({ variant: 'release' })],
  ['wasm-debug', () => createWasmKernels({ variant: 'debug' })],
];

const native = buildNativeW2();
afterAll(() => {
  if (native.ok) rmSync(dirname(native.binary), { recursive: true, force: true });
});

const files: [string, 'w2_goog.json' | 'w2_eurusd.json', string][] = [
  ['GOOG', 'w2_goog.json', 'GOOG.csv'],
  ['EURUSD', 'w2_eurusd.json', 'EURUSD.csv'],
];

for (const [label, file, csv] of files) {
  describe(`W2 on ${label} (300 genomes)`, async () => {
    const ref = readW2(file);
    const market: MarketData = await loadCsv(DATA(csv));
    const genomes = w2Genomes(ref);
    const P = ref.genomes.length;

    it('has the reference shape, and the bench options are the file\'s', () => {
      expect(market.length).toBe(ref.bars);
      expect(P).toBe(300);
      expect(ref.genes).toEqual(family.genes.map((g) => g.name));
      expect(genomes.length).toBe(P * STOCH_RSI_BANDS_GENES);
      expect(W2_OPTIONS).toEqual(optionsOf(ref));
    });
    const cfg = configVector(resolveOptions(family, market, optionsOf(ref)));
    for (const [name, make] of backends) {
      it(`${name} reproduces every genome (batch)`, () => {
        const out = make().evaluate(market, { start: 0, end: market.length }, stochRsiBandsKernel, genomes, P, cfg)!;
        compareW2(out, ref, name);
      });
    }
    it('ts and wasm-release reproduce every genome one backtest at a time', () => {
      for (const [name, make] of backends.slice(0, 2)) {
        const ks = make();
        const out = new Float64Array(P * MET_LENGTH);
        for (let i = 0; i < P; i++) {
          const r = ks.backtest(market, { start: 0, end: market.length }, stochRsiBandsKernel, genomes.subarray(i * STOCH_RSI_BANDS_GENES, (i + 1) * STOCH_RSI_BANDS_GENES), cfg);
          out.set(r.metrics, i * MET_LENGTH);
        }
        compareW2(out, ref, `${name} backtest`);
      }
    });
    for (const backend of ['wasm', 'ts'] as const) {
      it(`the in-process evaluator (${backend}) reproduces every genome`, async () => {
        const e = createInProcessEvaluator({ market, backtest: optionsOf(ref), backend });
        compareW2(await e.evaluate('stoch-rsi-bands', genomes), ref, `in-process ${backend}`);
        await e.close();
      });
    }
    it.skipIf(!native.ok)(native.ok ? 'the native C baseline (cc -O3) reproduces every genome' : `native: skipped, ${native.reason}`, () => {
      if (!native.ok) return;
      const run = runNativeW2(native.binary, market, genomes, 1);
      compareW2(run.metrics, ref, 'native');
    });
  });
}
