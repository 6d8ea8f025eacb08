// The kernel benchmark suite, standalone: `node dist/bench/kernels.bench.js [--quick]
// [--sizes 1e4,1e5] [--time 300] [--warmup 100] [--kernels sma,ema]`. Prints the table on stdout
// (progress on stderr) and writes bench/results/kernels-<ISO time>.json and kernels-latest.json.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/io.js';
import { packageRoot } from '../src/paths.js';
import {
  formatKernelTable, kernelSuiteOptions, KERNEL_SUITE_QUICK, runKernelSuite,
} from '../src/bench/kernels.js';
import type { KernelBenchReport, KernelSuiteOptions } from '../src/bench/kernels.js';
import { describeMachine } from '../src/bench/machine.js';

function numberList(text: string, option: string): number[] {
  return text.split(',').map((s) => {
    const v = Number(s.trim());
    if (s.trim() === '' || !Number.isFinite(v)) throw new Error(`--${option}: not a number: "${s}"`);
    return v;
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      time: { type: 'string' },
      warmup: { type: 'string' },
      kernels: { type: 'string' },
    },
  });
  const options: KernelSuiteOptions = values.quick === true ? { ...KERNEL_SUITE_QUICK, sizes: [...KERNEL_SUITE_QUICK.sizes] } : {};
  if (values.sizes !== undefined) options.sizes = numberList(values.sizes, 'sizes');
  if (values.time !== undefined) options.timeMs = numberList(values.time, 'time')[0]!;
  if (values.warmup !== undefined) options.warmupMs = numberList(values.warmup, 'warmup')[0]!;
  if (values.kernels !== undefined) options.kernels = values.kernels.split(',').map((s) => s.trim());
  const resolved = kernelSuiteOptions(options);
  const machine = describeMachine();

  const started = Date.now();
  const results = await runKernelSuite({ ...options, onProgress: (msg) => process.stderr.write(`${msg}\n`) });
  const date = new Date().toISOString();
  process.stdout.write(`${formatKernelTable(results, machine)}\n`);
  process.stderr.write(`kernel suite: ${results.length} kernel x size pairs in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  const report: KernelBenchReport = { suite: 'kernels', date, machine, options: resolved, results };
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const dir = join(packageRoot(), 'bench', 'results');
  const stamped = join(dir, `kernels-${date.replace(/:/g, '-')}.json`);
  await writeFileAtomic(stamped, json);
  await writeFileAtomic(join(dir, 'kernels-latest.json'), json);
  process.stderr.write(`wrote ${stamped} and kernels-latest.json\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
