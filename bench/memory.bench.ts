// Peak memory of the 1M-bar W1 workload on the pool: 1,000,000 bars x 512 genomes, 2 threads,
// WASM. Run it under /usr/bin/time -v to read "Maximum resident set size":
//   npm run build && /usr/bin/time -v node dist/bench/memory.bench.js [--threads N] [--backend ts]
// With --evolve it runs a whole `evolve` instead (sma-cross, population 512, --generations G,
// default 2, on the same 1M bars), the final analysis included, and prints its peak RSS:
//   node dist/bench/memory.bench.js --evolve [--generations G] [--analysis-sample K]
// With --markets it measures a basket instead: 10 synthetic markets x 100,000 bars on a pool of
// --threads (default 2) evaluating a population (--strategy, default sma-cross; --genomes,
// default 256) over the in-sample and out-of-sample slots of every market in one
// evaluateSlots call, and compares the peak RSS with the target (1.5 x the raw column bytes
// + 150 MB):
//   node dist/bench/memory.bench.js --markets [--market-count M] [--bars N] [--strategy S]
// It also prints the process's own peak RSS (threads share the process, so that counts them).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { W1_OPTIONS, marketFromOpenClose, syntheticWorkload } from '../src/bench/population.js';
import type { PopulationWorkload } from '../src/bench/population.js';
import { evolve } from '../src/ga/evolve.js';
import { createPoolEvaluator } from '../src/pool/pool.js';
import { packageRoot } from '../src/paths.js';
import { MARKET_COLUMNS } from '../src/data/market.js';
import { synthetic } from '../src/data/synthetic.js';
import { Random } from '../src/random.js';
import { getStrategy } from '../src/strategies/registry.js';
import type { Strategy } from '../src/strategy/strategy.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'wasm' },
    evolve: { type: 'boolean', default: false },
    generations: { type: 'string', default: '2' },
    'analysis-sample': { type: 'string' },
    markets: { type: 'boolean', default: false },
    'market-count': { type: 'string', default: '10' },
    bars: { type: 'string', default: '100000' },
    strategy: { type: 'string', default: 'sma-cross' },
    genomes: { type: 'string', default: '256' },
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

const threads = Number(values.threads);
if (values.markets) {
  await basket();
  process.exit(0);
}
const w = workload();
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

/** The basket measurement (--markets). */
async function basket(): Promise<void> {
  const count = Number(values['market-count']);
  const bars = Number(values.bars);
  const strategy = getStrategy(values.strategy);
  const markets = Array.from({ length: count }, (_, i) => synthetic({ bars, seed: 100 + i }));
  const rawBytes = markets.reduce((a, m) => a + m.length * 8 * MARKET_COLUMNS.length, 0);
  const slots = markets.flatMap((m, i) => [
    { market: i, window: { start: 0, end: Math.floor(0.7 * m.length) } },
    { market: i, window: { start: Math.floor(0.7 * m.length), end: m.length } },
  ]);
  const genomes = randomPopulation(strategy, Number(values.genomes), 7);
  const before = process.resourceUsage().maxRSS / 1024;
  const pool = createPoolEvaluator({ markets, backend: values.backend === 'ts' ? 'ts' : 'wasm', threads });
  const t0 = performance.now();
  // Two calls: the second one runs on workers that already hold every market.
  await pool.evaluateSlots(strategy.name, genomes, slots);
  const out = await pool.evaluateSlots(strategy.name, genomes, slots);
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  const peak = process.resourceUsage().maxRSS / 1024;
  const mb = rawBytes / 1e6;
  const target = 1.5 * mb + 150;
  process.stdout.write(
    `${count} markets x ${bars} bars (raw columns ${mb.toFixed(1)} MB), ${strategy.name} x ${genomes.length / strategy.genes.length} genomes over ${slots.length} slots, ` +
      `${threads} threads: ${(seconds).toFixed(1)} s for two calls (${out.length / 10} backtests each); peak RSS ${peak.toFixed(0)} MB ` +
      `(${before.toFixed(0)} MB before the pool); target ${target.toFixed(0)} MB (1.5 x raw + 150): ${peak <= target ? 'within' : 'OVER'}\n`,
  );
}

/** Random genomes inside the strategy's bounds, repaired. */
function randomPopulation(s: Strategy, n: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const G = s.genes.length;
  const out = new Float64Array(n * G);
  for (let i = 0; i < n; i++) {
    s.genes.forEach((g, j) => {
      out[i * G + j] = g.kind === 'int' ? rng.int(g.min, g.max) : g.min + (g.max - g.min) * rng.next();
    });
    s.repair(out, i * G);
  }
  return out;
}
