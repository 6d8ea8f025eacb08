// W1 throughput (bar-evaluations per second): the native C baseline, the TypeScript twins and the
// WASM kernels, in process and on the worker pool with 1 and 2 threads, on the two populations of
// the reference workload: GOOG with the full W1 grid, and 1,000,000 synthetic bars x 512 genomes.
// Run: `npm run build && node dist/bench/population.bench.js [--only TEXT] [--repeats N]`.
// Without ../shared beside the repository it falls back to the built-in synthetic series.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCsv } from '../src/data/csv.js';
import { writeFileAtomic } from '../src/io.js';
import { packageRoot } from '../src/paths.js';
import type { PopulationWorkload } from '../src/bench/population.js';
import {
  builtinAsModule, formatPopulationTable, marketFromOpenClose, randomGenomes, runPopulationSuite, syntheticWorkload, w1Grid,
} from '../src/bench/population.js';
import { getStrategy } from '../src/strategies/registry.js';
import { describeMachine, formatMachine } from '../src/bench/machine.js';

const { values } = parseArgs({
  options: { only: { type: 'string' }, repeats: { type: 'string' }, threads: { type: 'string' } },
});
const shared = join(packageRoot(), '..', 'shared');

function readF64(path: string): Float64Array {
  const b = readFileSync(path);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

async function workloads(): Promise<PopulationWorkload[]> {
  if (!existsSync(join(shared, 'reference', 'w1_synth100k.json'))) {
    process.stdout.write(`(no ${shared}: using the built-in synthetic series)\n`);
    return [syntheticWorkload(2148, 7730), syntheticWorkload(1_000_000, 512)];
  }
  const goog = await loadCsv(join(shared, 'data', 'GOOG.csv'));
  const ref = JSON.parse(readFileSync(join(shared, 'reference', 'w1_synth100k.json'), 'utf8')) as { genomes: { fast: number; slow: number }[] };
  const genomes = Float64Array.from(ref.genomes.flatMap((g) => [g.fast, g.slow]));
  const synth = marketFromOpenClose(
    readF64(join(shared, 'reference', 'synth1m_open.f64')),
    readF64(join(shared, 'reference', 'synth1m_close.f64')),
    'reference synth1m',
  );
  const goog7730 = 'GOOG 2,148 bars x 7,730 (W1 grid)';
  return [
    { name: goog7730, market: goog, genomes: w1Grid() },
    // The same population through the sma-cross module (signals, then the generic simulator).
    { name: goog7730, market: goog, genomes: w1Grid(), strategy: await builtinAsModule('sma-cross') },
    { name: 'GOOG 2,148 bars x 7,730 random', market: goog, genomes: randomGenomes(getStrategy('ema-cross'), 7730, 42), strategy: getStrategy('ema-cross') },
    { name: 'synthetic 1M bars x 512 (W1)', market: synth, genomes },
  ];
}

const result = await runPopulationSuite({
  workloads: await workloads(),
  repeats: values.repeats !== undefined ? Number(values.repeats) : 5,
  ...(values.threads !== undefined ? { threads: values.threads.split(',').map(Number) } : {}),
  ...(values.only !== undefined ? { only: values.only } : {}),
  onProgress: (m) => process.stderr.write(`  ${m}\n`),
});
const machine = describeMachine();
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${formatPopulationTable(result)}\npeak RSS of this process: ${peakRssMb.toFixed(0)} MB\n${formatMachine(machine)}\n`);
const json = JSON.stringify({ suite: 'population', machine, peakRssMb, nativeNote: result.nativeNote, results: result.records }, null, 2);
const dir = join(packageRoot(), 'bench', 'results');
if (values.only === undefined) {
  await writeFileAtomic(join(dir, `population-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), json);
  await writeFileAtomic(join(dir, 'population-latest.json'), json);
}
