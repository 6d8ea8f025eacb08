// The queue evaluator's costs, on this machine, against a redis-server started here on a
// loopback port: W1 on the 1M-bar reference series with 2 worker processes of 1 thread against
// 1 worker process (rounds interleaved, beside a local pool of 1 and of 2 threads), the per-job overhead (enqueue to result, a job with
// no real work), and the jobs per second one Redis sustains with the workers there are.
// Run: `npm run build && node dist/bench/queue.bench.js [--rounds N] [--genomes N] [--concurrency K]`.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { marketFromOpenClose, syntheticWorkload, W1_OPTIONS } from '../src/bench/population.js';
import { describeMachine, formatMachine } from '../src/bench/machine.js';
import { synthetic } from '../src/data/synthetic.js';
import type { MarketData } from '../src/data/market.js';
import { writeFileAtomic } from '../src/io.js';
import { packageRoot } from '../src/paths.js';
import { createPoolEvaluator } from '../src/pool/pool.js';
import { createQueueEvaluator } from '../src/queue/evaluator.js';
import type { QueueEvaluator } from '../src/queue/evaluator.js';
import { startRedis } from '../test/queue/redis.js';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, genomes: { type: 'string' }, concurrency: { type: 'string' } } });
const rounds = Number(values.rounds ?? 3);
// 512 genomes: the W1 population benchmark's 1M x 512, about 1.5 s of one thread's work.
const nGenomes = Number(values.genomes ?? 512);
// Jobs each worker of the two comparisons holds at once (the default of a 1-thread worker is 1).
const held = Number(values.concurrency ?? 1);
const root = packageRoot();
const shared = join(root, '..', 'shared', 'reference');
const say = (s: string): void => void process.stderr.write(`  ${s}\n`);

function readF64(path: string): Float64Array {
  const b = readFileSync(path);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function w1(): { market: MarketData; genomes: Float64Array; name: string } {
  if (!existsSync(join(shared, 'w1_synth100k.json'))) {
    const w = syntheticWorkload(1_000_000, nGenomes);
    return { market: w.market, genomes: w.genomes, name: w.name };
  }
  const ref = JSON.parse(readFileSync(join(shared, 'w1_synth100k.json'), 'utf8')) as { genomes: { fast: number; slow: number }[] };
  const genomes = Float64Array.from(ref.genomes.slice(0, nGenomes).flatMap((g) => [g.fast, g.slow]));
  const market = marketFromOpenClose(readF64(join(shared, 'synth1m_open.f64')), readF64(join(shared, 'synth1m_close.f64')), 'reference synth1m');
  return { market, genomes, name: `W1, reference synth1m (1M bars) x ${genomes.length / 2} genomes` };
}

const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const children: ChildProcess[] = [];
function startWorker(url: string, queue: string, name: string, concurrency = 2): Promise<void> {
  const child = spawn(process.execPath, [cli, 'worker', '--redis', url, '--queue', queue, '--threads', '1', '--concurrency', String(concurrency), '--name', name], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes(`worker ${name} (`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code}): ${out}`)));
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const redis = await startRedis();
const evaluators: QueueEvaluator[] = [];
try {
  const { market, genomes, name } = w1();
  const count = genomes.length / 2;
  const barEvals = count * market.length;
  say(`workers: solo (1 process x 1 thread), duo (2 processes x 1 thread)`);
  await Promise.all([startWorker(redis.url, 'solo', 's1', held), startWorker(redis.url, 'duo', 'd1', held), startWorker(redis.url, 'duo', 'd2', held)]);
  const solo = await createQueueEvaluator({ redis: redis.url, queue: 'solo', market, backtest: W1_OPTIONS });
  const duo = await createQueueEvaluator({ redis: redis.url, queue: 'duo', market, backtest: W1_OPTIONS });
  evaluators.push(solo, duo);
  const pool = createPoolEvaluator({ market, backtest: W1_OPTIONS, threads: 1 });
  // The same two cores without the queue: what 2 threads of one local pool reach.
  const pool2 = createPoolEvaluator({ market, backtest: W1_OPTIONS, threads: 2 });
  // Warm-up: workers fetch the market (48 MB) and start their pools.
  await Promise.all([solo.evaluate('sma-cross', genomes.slice(0, 4)), duo.evaluate('sma-cross', genomes.slice(0, 8)), pool.evaluate('sma-cross', genomes.slice(0, 4)), pool2.evaluate('sma-cross', genomes.slice(0, 8))]);
  const t = { solo: [] as number[], duo: [] as number[], pool: [] as number[], pool2: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    t.pool.push(await timed(() => pool.evaluate('sma-cross', genomes)));
    t.solo.push(await timed(() => solo.evaluate('sma-cross', genomes)));
    t.duo.push(await timed(() => duo.evaluate('sma-cross', genomes)));
    t.pool2.push(await timed(() => pool2.evaluate('sma-cross', genomes)));
    say(`round ${r + 1}: local pool 1 thread ${t.pool.at(-1)!.toFixed(3)} s, queue 1 worker ${t.solo.at(-1)!.toFixed(3)} s, queue 2 workers ${t.duo.at(-1)!.toFixed(3)} s, local pool 2 threads ${t.pool2.at(-1)!.toFixed(3)} s`);
  }
  await pool.close();
  await pool2.close();
  const localRatios = t.pool.map((s, i) => s / t.pool2[i]!);
  const ratios = t.solo.map((s, i) => s / t.duo[i]!);

  // Per-job overhead: one job at a time, 2 genomes over 100 bars (microseconds of compute).
  const tiny = synthetic({ bars: 100, seed: 1 });
  const over = await createQueueEvaluator({ redis: redis.url, queue: 'solo', market: tiny, backtest: W1_OPTIONS });
  evaluators.push(over);
  const two = Float64Array.from([5, 20, 10, 40]);
  await over.evaluate('sma-cross', two);
  const calls = 200;
  const overhead = (await timed(async () => {
    for (let i = 0; i < calls; i++) await over.evaluate('sma-cross', two);
  })) / calls;

  // Jobs per second: 3,000 one-genome jobs at once, both duo workers holding 8 each.
  children.splice(1, 2).forEach((c) => c.kill('SIGTERM'));
  await Promise.all([startWorker(redis.url, 'burst', 'b1', 8), startWorker(redis.url, 'burst', 'b2', 8)]);
  const burst = await createQueueEvaluator({ redis: redis.url, queue: 'burst', market: tiny, backtest: W1_OPTIONS, batchSize: 1 });
  evaluators.push(burst);
  await burst.evaluate('sma-cross', two);
  const many = new Float64Array(3000 * 2);
  for (let i = 0; i < 3000; i++) many.set([2 + (i % 50), 60 + (i % 200)], 2 * i);
  const burstS = await timed(() => burst.evaluate('sma-cross', many));
  const jobsPerSecond = 3000 / burstS;

  const rate = (s: number): string => (barEvals / s).toExponential(3);
  const lines = [
    `queue evaluator, ${name}`,
    `  local pool, 1 thread:              median ${median(t.pool).toFixed(3)} s  (${rate(median(t.pool))} bar-evaluations/s)`,
    `  queue, 1 worker x 1 thread:        median ${median(t.solo).toFixed(3)} s  (${rate(median(t.solo))} bar-evaluations/s)`,
    `  queue, 2 workers x 1 thread:       median ${median(t.duo).toFixed(3)} s  (${rate(median(t.duo))} bar-evaluations/s)`,
    `  2 workers / 1 worker:              median ${median(ratios).toFixed(2)}x  (rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')})`,
    `  local pool, 2 threads / 1 thread:  median ${median(localRatios).toFixed(2)}x  (rounds: ${localRatios.map((x) => x.toFixed(2)).join(', ')}; ${median(t.pool2).toFixed(3)} s)`,
    `  per-job overhead (enqueue to result, 2 genomes x 100 bars, one job at a time): ${(overhead * 1000).toFixed(2)} ms`,
    `  jobs per second (3,000 one-genome jobs, 2 workers x 8 in hand): ${jobsPerSecond.toFixed(0)}`,
  ];
  lines.push(`  load average during the run (1 min): ${loadavg()[0]!.toFixed(1)} on ${describeMachine().cores} cores`);
  process.stdout.write(`${lines.join('\n')}\n${formatMachine(describeMachine())}\n`);
  const json = JSON.stringify({ suite: 'queue', machine: describeMachine(), workload: name, seconds: t, ratios, localRatios, perJobOverheadMs: overhead * 1000, jobsPerSecond }, null, 2);
  await writeFileAtomic(join(root, 'bench', 'results', 'queue-latest.json'), json);
} finally {
  await Promise.allSettled(evaluators.map((e) => e.close()));
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await redis.stop();
}
