// Peak memory of the 1M-bar W1 workload on the pool: 1,000,000 bars x 512 genomes, 2 threads,
// WASM. Run it under /usr/bin/time -v to read "Maximum resident set size":
//   npm run build && /usr/bin/time -v node dist/bench/memory.bench.js [--threads N] [--backend ts]
// With --evolve it runs a whole `evolve` instead (sma-cross, population 512, --generations G,
// default 2, on the same 1M bars), the final analysis included, and prints its peak RSS:
//   node dist/bench/memory.bench.js --evolve [--generations G] [--analysis-sample K]
// It also prints the process's own peak RSS (threads share the process, so that counts them).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { W1_OPTIONS, marketFromOpenClose, syntheticWorkload } from '../src/bench/population.js';
import type { PopulationWorkload } from '../src/bench/population.js';
import { evolve } from '../src/ga/evolve.js';
import { createPoolEvaluator } from '../src/pool/pool.js';
import { packageRoot } from '../src/paths.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'wasm' },
    evolve: { type: 'boolean', default: false },
    generations: { type: 'string', default: '2' },
    'analysis-sample': { type: 'string' },
  },
});
const ref = join(packageRoot(), '..', 'shared', 'reference');

function readF64(path: string): Float64Array {
  const b = readFileSync(path);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function workload(): PopulationWorkload {
  if (!existsSync(join(ref, 'w1_synth100k.json'))) return syntheticWorkload(1_000_000, 512);
  const genomes = (JSON.parse(readFileSync(join(ref, 'w1_synth100k.json'), 'utf8')) as { genomes: { fast: number; slow: number }[] }).genomes;
  const market = marketFromOpenClose(readF64(join(ref, 'synth1m_open.f64')), readF64(join(ref, 'synth1m_close.f64')), 'reference synth1m');
  return { name: 'synthetic 1M bars x 512 (W1)', market, genomes: Float64Array.from(genomes.flatMap((g) => [g.fast, g.slow])) };
}

const w = workload();
const threads = Number(values.threads);
const backend = values.backend === 'ts' ? 'ts' : 'wasm';
const rssMb = (): string => (process.resourceUsage().maxRSS / 1024).toFixed(0);
if (values.evolve) {
  const generations = Number(values.generations);
  const t0 = performance.now();
  const sample = values['analysis-sample'];
  const r = await evolve({
    market: w.market, strategy: 'sma-cross', population: 512, generations, seed: 1, backend, threads,
    backtest: W1_OPTIONS, ...(sample !== undefined ? { analysisSample: Number(sample) } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `evolve sma-cross on ${w.market.length} bars, population 512, ${generations} generations: ${backend} x ${threads} threads, ` +
      `${seconds.toFixed(1)} s, PBO ${String(r.overfitting.pbo)}, DSR ${String(r.overfitting.deflatedSharpe)}; peak RSS ${rssMb()} MB\n`,
  );
} else {
  const pool = createPoolEvaluator({ market: w.market, backtest: W1_OPTIONS, backend, threads });
  const t0 = performance.now();
  const out = await pool.evaluate('sma-cross', w.genomes);
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  const rate = (w.genomes.length / 2) * w.market.length / seconds;
  process.stdout.write(
    `${w.name}: ${backend} x ${threads} threads, ${(rate / 1e6).toFixed(1)}M bar-evals/s (including worker start), ${out.length / 10} genomes; ` +
      `peak RSS ${rssMb()} MB\n`,
  );
}
