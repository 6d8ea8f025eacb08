// The reference workload W2 through the worker pool (WASM and the TS twins, 1 and 2 threads, a
// small batch size so every genome block crosses threads): all 300 genomes on GOOG and EURUSD
// match the reference (../shared/reference/README.md). The in-process and kernel-level checks
// are test/kernels/w2.test.ts.
import { describe, it } from 'vitest';
import { loadCsv } from '../../src/data/csv.js';
import { W2_OPTIONS } from '../../src/bench/population.js';
import { createPoolEvaluator } from '../../src/pool/pool.js';
import { DATA, readW2, w2Genomes } from '../helpers/shared.js';
import { compareW2 } from '../helpers/w2.js';

const files: [string, 'w2_goog.json' | 'w2_eurusd.json', string][] = [
  ['GOOG', 'w2_goog.json', 'GOOG.csv'],
  ['EURUSD', 'w2_eurusd.json', 'EURUSD.csv'],
];

for (const [label, file, csv] of files) {
  describe(`W2 on ${label} through the pool`, async () => {
    const ref = readW2(file);
    const market = await loadCsv(DATA(csv));
    const genomes = w2Genomes(ref);
    for (const backend of ['wasm', 'ts'] as const) {
      for (const threads of [1, 2]) {
        it(`pool ${backend} x ${threads} reproduces every genome`, async () => {
          const pool = createPoolEvaluator({ market, backtest: W2_OPTIONS, backend, threads, batchSize: 37 });
          try {
            compareW2(await pool.evaluate('stoch-rsi-bands', genomes), ref, `pool ${backend} x ${threads}`);
          } finally {
            await pool.close();
          }
        });
      }
    }
  });
}
