import { describe, expect, it } from 'vitest';
import { canonicalKey, randomGenome, repairPopulation } from '../../src/genome/canonical.js';
import { genomeProblem, getFamily } from '../../src/genome/families.js';
import { Random } from '../../src/random.js';

const sma = getFamily('sma-cross');
const srb = getFamily('stoch-rsi-bands');

function nextUp(x: number): number {
  const f = new Float64Array([x]);
  const u = new BigInt64Array(f.buffer);
  u[0] = u[0]! + (x >= 0 ? 1n : -1n);
  return f[0]!;
}

const SRB_DEFAULTS = Float64Array.from(srb.genes, (s) => s.default);

describe('canonicalKey', () => {
  it('names the family and writes integers exactly', () => {
    expect(canonicalKey(sma, new Float64Array([10, 30]), 0)).toBe('sma-cross:10,30');
    expect(canonicalKey(srb, SRB_DEFAULTS, 0)).toBe('stoch-rsi-bands:14,14,3,3,20,80,20,1.5,0.5,2,3,0.01');
  });

  it('is equal for equal genomes, wherever they sit, and for 0 and -0', () => {
    const pop = new Float64Array([7, 9, 10, 30, 10, 30]);
    expect(canonicalKey(sma, pop, 2)).toBe(canonicalKey(sma, pop, 4));
    const a = SRB_DEFAULTS.slice();
    const b = SRB_DEFAULTS.slice();
    a[8] = 0;
    b[8] = -0;
    expect(Object.is(a[8], b[8])).toBe(false);
    expect(canonicalKey(srb, a, 0)).toBe(canonicalKey(srb, b, 0));
  });

  it('differs when an integer gene differs by 1', () => {
    expect(canonicalKey(sma, new Float64Array([10, 30]), 0)).not.toBe(canonicalKey(sma, new Float64Array([10, 31]), 0));
    const a = SRB_DEFAULTS.slice();
    a[6] = a[6]! + 1;
    expect(canonicalKey(srb, a, 0)).not.toBe(canonicalKey(srb, SRB_DEFAULTS, 0));
  });

  it('differs when a real gene differs by one ulp, for every real gene', () => {
    const base = canonicalKey(srb, SRB_DEFAULTS, 0);
    srb.genes.forEach((spec, i) => {
      if (spec.kind !== 'real') return;
      const g = SRB_DEFAULTS.slice();
      g[i] = nextUp(g[i]!);
      expect(g[i]).not.toBe(SRB_DEFAULTS[i]);
      expect(canonicalKey(srb, g, 0), spec.name).not.toBe(base);
    });
    // Values whose shortest decimal is long still round-trip to distinct keys.
    const g1 = SRB_DEFAULTS.slice();
    const g2 = SRB_DEFAULTS.slice();
    g1[11] = 0.1 + 0.2;
    g2[11] = 0.3;
    expect(canonicalKey(srb, g1, 0)).not.toBe(canonicalKey(srb, g2, 0));
  });

  it('recovers every gene exactly from the key', () => {
    const rng = new Random(5);
    const g = new Float64Array(srb.genes.length);
    for (let t = 0; t < 200; t++) {
      randomGenome(rng, srb, g, 0);
      const parts = canonicalKey(srb, g, 0).split(':')[1]!.split(',').map(Number);
      expect(Float64Array.from(parts)).toEqual(g);
    }
  });
});

describe('repairPopulation', () => {
  it('enforces fast < slow, bounds and integers on every sma-cross row', () => {
    const pop = new Float64Array([
      50, 20, // swapped
      40, 40, // equal: slow + 1
      30.4, 29.6, // rounds to equal: slow + 1
      1.4, 400, // out of bounds both ways
      10.6, 10.4, // rounds to 11, 10: swapped
      100, 5, // extremes, swapped
      3, 4.5, // slow rounds and clamps to 5
    ]);
    repairPopulation(sma, pop, 7);
    expect(Array.from(pop)).toEqual([20, 50, 40, 41, 30, 31, 2, 300, 10, 11, 5, 100, 3, 5]);
    for (let r = 0; r < 7; r++) expect(genomeProblem(sma, pop, r * 2)).toBeNull();
  });

  it('only touches the first count rows', () => {
    const pop = new Float64Array([50, 20, 50, 20]);
    repairPopulation(sma, pop, 1);
    expect(Array.from(pop)).toEqual([20, 50, 50, 20]);
  });
});

describe('randomGenome', () => {
  it('gives valid genomes within bounds, integers where required', () => {
    const rng = new Random(11);
    for (const family of [sma, srb]) {
      const n = family.genes.length;
      const pop = new Float64Array(2000 * n);
      for (let r = 0; r < 2000; r++) randomGenome(rng, family, pop, r * n);
      for (let r = 0; r < 2000; r++) expect(genomeProblem(family, pop, r * n)).toBeNull();
    }
  });

  it('reaches every integer of a bound range, both ends included, about uniformly', () => {
    const rng = new Random(3);
    const g = new Float64Array(srb.genes.length);
    const counts = new Map<number, number>();
    const draws = 20_000;
    for (let t = 0; t < draws; t++) {
      randomGenome(rng, srb, g, 0);
      counts.set(g[2]!, (counts.get(g[2]!) ?? 0) + 1); // kSmooth in [1, 10]
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const c of counts.values()) expect(Math.abs(c - draws / 10)).toBeLessThan(5 * Math.sqrt((draws / 10) * 0.9));
  });

  it('is deterministic: same seed, same genomes', () => {
    const run = (seed: number): Float64Array => {
      const rng = new Random(seed);
      const out = new Float64Array(50 * srb.genes.length);
      for (let r = 0; r < 50; r++) randomGenome(rng, srb, out, r * srb.genes.length);
      return out;
    };
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });
});
