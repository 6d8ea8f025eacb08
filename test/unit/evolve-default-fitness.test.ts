// The default fitness cannot be won by trading less (issue 14 item 1). With the source
// documents' formula (`seed`) the default run drifts to the smallest sizing bound (riskPerTrade
// 0.002): Sharpe does not change with the position's size, drawdown does, so shrinking pays.
// The default (0.5 sharpe + 0.5 calmar, both return over risk) does not, on GOOG and on the
// built-in synthetic series, with the default options of `evoquant evolve`.
import { describe, expect, it } from 'vitest';
import { loadCsv } from '../../src/data/csv.js';
import { synthetic } from '../../src/data/synthetic.js';
import { evolve } from '../../src/ga/evolve.js';
import type { EvolveResult } from '../../src/ga/evolve.js';
import { getFamily } from '../../src/genome/families.js';
import { DATA } from '../helpers/shared.js';

const gene = getFamily('stoch-rsi-bands').genes.find((g) => g.name === 'riskPerTrade')!;
/** Where riskPerTrade sits in its range: 0 at the smallest bound, 1 at the largest. */
const position = (r: EvolveResult): number => (r.hallOfFame[0]!.params['riskPerTrade']! - gene.min) / (gene.max - gene.min);

describe('default fitness against the sizing drift', () => {
  for (const [name, load] of [
    ['GOOG', async () => loadCsv(DATA('GOOG.csv'))],
    ['synthetic', async () => synthetic()],
  ] as const) {
    it(`${name}: seed drifts to the smallest riskPerTrade, the default does not, and trades at least its window's minimum`, async () => {
      const market = await load();
      const seed = await evolve({ market, fitness: 'seed', threads: 0 });
      const def = await evolve({ market, threads: 0 });
      expect(gene.min).toBe(0.002);
      // seed: within 5% of the range above the bound (0.0044), the drift the issue observed
      expect(position(seed)).toBeLessThan(0.05);
      // default: well away from it
      expect(position(def)).toBeGreaterThan(0.2);
      const min = (def.config['minTradesPerWindow'] as number[])[0]!;
      const bars = def.windows.train[0]!.end - def.windows.train[0]!.start;
      expect(min).toBe(Math.max(5, Math.ceil((5 * bars) / 1000)));
      expect(def.hallOfFame[0]!.inSample.trades).toBeGreaterThanOrEqual(min);
    });
  }
});

describe('statistics that match their labels', () => {
  it('with folds, the mean and median leave out the penalised genomes (generation 0 of GOOG: no -300 mean)', async () => {
    const market = await loadCsv(DATA('GOOG.csv'));
    const r = await evolve({ market, folds: 3, train: 0.8, population: 48, generations: 4, seed: 2, threads: 0 });
    expect(r.generations[0]!.penalized).toBeGreaterThan(0);
    for (const g of r.generations) {
      expect(g.penalized).toBeLessThan(48);
      // every genome is either exactly the penalty or a real score (no -1000 mixed into a fold mean)
      expect(g.mean).toBeGreaterThan(-50);
      expect(g.median).toBeGreaterThan(-50);
      expect(g.worst === -1000 || g.worst > -50).toBe(true);
    }
    for (const h of r.hallOfFame) expect(h.fitness === -1000 || h.fitness > -50).toBe(true);
  });

  it('every metric as a fitness gives finite, distinguishing scores (none capped to 1e9)', async () => {
    const market = synthetic({ bars: 1500, seed: 9 });
    for (const name of ['default', 'seed', 'sharpe', 'sortino', 'calmar', 'totalReturn', 'trades', 'winRate', 'profitFactor', 'exposure', 'annualReturn', 'maxDrawdown']) {
      const r = await evolve({ market, fitness: name, population: 16, generations: 3, seed: 4, threads: 0, hallOfFame: 5 });
      const fits = r.hallOfFame.map((h) => h.fitness);
      for (const f of fits) {
        expect(Number.isFinite(f), name).toBe(true);
        expect(Math.abs(f), name).toBeLessThan(1e6);
      }
      expect(new Set(fits.filter((f) => f !== -1000)).size, name).toBeGreaterThan(1);
    }
  });
});
