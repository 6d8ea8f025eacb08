// Checks a backend's W2 metrics against the reference file (../shared/reference/README.md):
// trades exactly, every other metric within 1e-9 relative (1e-12 absolute floor near zero).
import { expect } from 'vitest';
import { METRIC_NAMES, MET_LENGTH } from '../../src/kernels/layout.js';
import { relDiff, w2Metric } from './shared.js';
import type { W2File } from './shared.js';

export function compareW2(out: Float64Array, ref: W2File, what: string): void {
  expect(out.length).toBe(ref.genomes.length * MET_LENGTH);
  expect(ref.metrics).toEqual([...METRIC_NAMES]);
  const failures: string[] = [];
  let worst = 0;
  ref.genomes.forEach((g, i) => {
    METRIC_NAMES.forEach((name, k) => {
      const got = out[i * MET_LENGTH + k]!;
      const want = w2Metric(g, name);
      if (name === 'trades') {
        if (got !== want) failures.push(`${what} genome ${i}: trades ${got} vs ${want}`);
        return;
      }
      const rel = got === want ? 0 : relDiff(got, want);
      if (!(rel <= 1e-9)) failures.push(`${what} genome ${i}: ${name} ${got} vs ${want} (rel ${rel})`);
      else worst = Math.max(worst, rel);
    });
  });
  expect(failures.slice(0, 8)).toEqual([]);
  expect(worst).toBeLessThanOrEqual(1e-9);
}
