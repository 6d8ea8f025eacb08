// A hall of fame of distinct strategies and the island model (issue 14 item 2).
import { describe, expect, it } from 'vitest';
import { backtest } from '../../src/backtest.js';
import { synthetic } from '../../src/data/synthetic.js';
import { EngineError } from '../../src/errors.js';
import { evolve } from '../../src/ga/evolve.js';
import { geneDistance, parseHofDistinct, pearson, selectDistinct } from '../../src/ga/hall-of-fame.js';
import { islandBounds, migrateRing } from '../../src/ga/islands.js';

const f64 = (...x: number[]): Float64Array => Float64Array.from(x);

describe('hall-of-fame distinctness', () => {
  it('parses the rule; refuses what is not one', () => {
    expect(parseHofDistinct('corr:0.95')).toEqual({ kind: 'corr', max: 0.95 });
    expect(parseHofDistinct('gene:0.1')).toEqual({ kind: 'gene', min: 0.1 });
    expect(parseHofDistinct('off')).toEqual({ kind: 'off' });
    for (const bad of ['corr:1', 'gene:0', 'gene:2', 'dist:0.1', '']) expect(() => parseHofDistinct(bad)).toThrow(EngineError);
  });

  it('gene distance is the largest normalised difference; pearson by hand', () => {
    expect(geneDistance(f64(0, 10), f64(5, 10), f64(0, 0), f64(10, 100))).toBe(0.5);
    expect(geneDistance(f64(0, 10), f64(1, 30), f64(0, 0), f64(10, 100))).toBeCloseTo(0.2, 15);
    expect(pearson(f64(1, 2, 3), f64(2, 4, 6))).toBeCloseTo(1, 15);
    expect(pearson(f64(1, 2, 3), f64(3, 2, 1))).toBeCloseTo(-1, 15);
    expect(pearson(f64(0, 0, 0), f64(0, 0, 0))).toBe(1);
    expect(pearson(f64(0, 0, 0), f64(1, 2, 0))).toBe(0);
  });

  it('greedy by fitness: a candidate too close to a kept entry is skipped, the next distinct one kept', () => {
    const low = f64(0);
    const up = f64(100);
    const c = [
      { key: 'a', genes: f64(50), fitness: 3 },
      { key: 'b', genes: f64(51), fitness: 2.9 }, // 1% from a
      { key: 'c', genes: f64(80), fitness: 2 },
      { key: 'd', genes: f64(82), fitness: 1 }, // 2% from c
      { key: 'e', genes: f64(10), fitness: 0.5 },
    ];
    const none = (): Float64Array => f64();
    expect(selectDistinct(c, 3, { kind: 'gene', min: 0.05 }, low, up, none).map((x) => x.key)).toEqual(['a', 'c', 'e']);
    expect(selectDistinct(c, 3, { kind: 'off' }, low, up, none).map((x) => x.key)).toEqual(['a', 'b', 'c']);
    const returns: Record<string, Float64Array> = { a: f64(1, 2, 3), b: f64(1, 2, 3.1), c: f64(3, 1, 2), d: f64(1, 3, 2), e: f64(2, 2, 1) };
    expect(selectDistinct(c, 3, { kind: 'corr', max: 0.95 }, low, up, (x) => returns[x.key]!).map((x) => x.key)).toEqual(['a', 'c', 'd']);
  });

  it('evolve: with the default corr:0.95 no two hall-of-fame entries trade alike; off keeps near-clones', async () => {
    const market = synthetic({ bars: 2000, seed: 11 });
    const base = { market, population: 32, generations: 12, seed: 3, threads: 0 };
    const def = await evolve(base);
    const off = await evolve({ ...base, hofDistinct: 'off' });
    expect(def.config['hofDistinct']).toBe('corr:0.95');
    const rets = (r: typeof def): Float64Array[] => r.hallOfFame.map((h) => {
      const e = backtest(market, 'stoch-rsi-bands', h.params, { window: r.windows.train[0]! }).equity;
      return Float64Array.from({ length: e.length - 1 }, (_, t) => e[t + 1]! / e[t]! - 1);
    });
    const maxPair = (rs: Float64Array[]): number => {
      let m = -1;
      for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) m = Math.max(m, pearson(rs[i]!, rs[j]!));
      return m;
    };
    expect(maxPair(rets(def))).toBeLessThanOrEqual(0.95);
    expect(maxPair(rets(off))).toBeGreaterThan(0.95);
    // the best is the best either way
    expect(def.hallOfFame[0]!.fitness).toBe(off.hallOfFame[0]!.fitness);
  });
});

describe('island model', () => {
  it('contiguous islands; ring migration moves each best onto the next island\'s worst', () => {
    expect(islandBounds(12, 3)).toEqual([0, 4, 8, 12]);
    expect(islandBounds(10, 3)).toEqual([0, 3, 6, 10]);
    // one gene per genome; fitness = gene
    const pop = f64(1, 5, 2, 9, 3, 4);
    const { pop: p, fitness } = migrateRing(pop, Float64Array.from(pop), 1, [0, 2, 4, 6]);
    // island 0 best 5 -> island 1 worst (2); island 1 best 9 -> island 2 worst (3); island 2 best 4 -> island 0 worst (1)
    expect(Array.from(p)).toEqual([4, 5, 5, 9, 9, 4]);
    expect(Array.from(fitness)).toEqual([4, 5, 5, 9, 9, 4]);
  });

  it('islands: 1 is the panmictic GA bit for bit; bad settings are E_CONFIG', async () => {
    const market = synthetic({ bars: 800, seed: 2 });
    const a = await evolve({ market, population: 12, generations: 3, threads: 0 });
    const b = await evolve({ market, population: 12, generations: 3, threads: 0, islands: 1, migrationInterval: 3 });
    expect(b.hallOfFame).toEqual(a.hallOfFame);
    const c = await evolve({ market, population: 12, generations: 3, threads: 0, islands: 3 });
    expect(c.hallOfFame).not.toEqual(a.hallOfFame);
    await expect(evolve({ market, population: 12, islands: 4, threads: 0 })).rejects.toMatchObject({ code: 'E_CONFIG', option: 'islands' });
    await expect(evolve({ market, population: 12, islands: 2, objectives: 'sharpe,maxDrawdown', threads: 0 })).rejects.toMatchObject({ code: 'E_CONFIG', option: 'islands' });
  });
});

describe('parameter landscape', () => {
  it('heat-map over two genes from every evaluated genome; the neighbourhood scan counts as trials', async () => {
    const r = await evolve({ market: synthetic({ bars: 1500, seed: 5 }), population: 24, generations: 5, seed: 2, threads: 0 });
    const l = r.landscape!;
    expect(l.genes[0]).not.toBe(l.genes[1]);
    // the two genes are the most influential
    const sorted = Object.values(l.influence).sort((a, b) => b - a);
    expect(l.influence[l.genes[0]]).toBe(sorted[0]);
    expect(l.influence[l.genes[1]]).toBe(sorted[1]);
    expect(l.cells.length).toBe(l.yEdges.length - 1);
    expect(l.cells[0]!.length).toBe(l.xEdges.length - 1);
    expect(l.sensitivity).toHaveLength(12);
    expect(l.neighbours).toBeGreaterThan(40);
    expect(l.robustness).toBeGreaterThanOrEqual(0);
    expect(l.robustness).toBeLessThanOrEqual(1);
    // every cell is the best fitness in it, so none beats the winner
    for (const row of l.cells) for (const c of row) if (c !== null) expect(c).toBeLessThanOrEqual(r.hallOfFame[0]!.fitness);
    const trials = r.overfitting.details.deflatedSharpe!.trials;
    expect(trials).toBeGreaterThan(l.points);
    expect(trials).toBeLessThanOrEqual(l.points + l.neighbours);
    const picked = await evolve({ market: synthetic({ bars: 1500, seed: 5 }), population: 24, generations: 5, seed: 2, threads: 0, landscapeGenes: ['rsiK', 'oversold'] });
    expect(picked.landscape!.genes).toEqual(['rsiK', 'oversold']);
    await expect(evolve({ market: synthetic({ bars: 500, seed: 5 }), population: 8, generations: 1, threads: 0, landscapeGenes: ['rsiK', 'nope'] })).rejects.toMatchObject({ option: 'landscapeGenes' });
  });
});
