import type { Random } from '../random.js';
import type { StrategyFamily } from './families.js';

/**
 * A string that is equal for two genomes exactly when they are the same genome: the family
 * name, then every gene as its shortest round-trip decimal (`String(v)`), which is unique per
 * float64 value, so integer genes come out as exact integers ("14") and real genes "as stored"
 * (two reals one ulp apart get different keys). `-0` and `0` give the same key (`String(-0)` is
 * "0"), because no kernel can tell them apart.
 *
 * Meant for repaired genomes (the GA caches evaluations by this key); an integer gene that was
 * not rounded is encoded as stored rather than rounded here, so the key never hides a difference
 * the kernel might see.
 */
export function canonicalKey(family: StrategyFamily, genes: Float64Array, offset: number): string {
  const n = family.genes.length;
  let key = family.name;
  for (let i = 0; i < n; i++) {
    key += (i === 0 ? ':' : ',') + String(genes[offset + i]!);
  }
  return key;
}

/** Applies `family.repair` to each of the first `count` rows of `pop` (rows of `family.genes.length`). */
export function repairPopulation(family: StrategyFamily, pop: Float64Array, count: number): void {
  const n = family.genes.length;
  if (pop.length < count * n) throw new RangeError(`repairPopulation: ${count} rows of ${n} genes need ${count * n} values, got ${pop.length}`);
  for (let r = 0; r < count; r++) family.repair(pop, r * n);
}

/**
 * Draws one genome into `out` at `offset`, gene by gene in family order, one draw per gene:
 * an integer gene is `rng.int(min, max)` (every integer in the bounds equally likely), a real
 * gene is `min + (max - min) * rng.next()`. Then the family's repair restores its constraints
 * (for sma-cross, fast < slow).
 */
export function randomGenome(rng: Random, family: StrategyFamily, out: Float64Array, offset: number): void {
  const specs = family.genes;
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i]!;
    out[offset + i] = s.kind === 'int' ? rng.int(Math.ceil(s.min), Math.floor(s.max)) : s.min + (s.max - s.min) * rng.next();
  }
  family.repair(out, offset);
}
