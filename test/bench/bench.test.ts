// Smoke tests of the benchmark code (never a speed): the population suite on tiny inputs, and
// `evoquant bench --json` as a subprocess. The kernel suite's own smoke test is kernels-bench.test.ts.
import { describe, expect, it } from 'vitest';
import { formatPopulationTable, runPopulationSuite, syntheticWorkload } from '../../src/bench/population.js';
import { runCli } from '../cli/helpers.js';

describe('population suite', () => {
  it('measures every configuration on a tiny workload and checks them against each other', async () => {
    const w = syntheticWorkload(600, 6, 3);
    const r = await runPopulationSuite({ workloads: [w], threads: [1, 2], repeats: 1 });
    const keys = r.records.map((x) => `${x.backend}:${x.evaluator}:${x.threads}`).sort();
    const expected = ['ts:in-process:1', 'ts:pool:1', 'ts:pool:2', 'wasm:in-process:1', 'wasm:pool:1', 'wasm:pool:2'];
    if (r.nativeNote === null) expected.push('native:native:1');
    expect(keys).toEqual(expected.sort());
    for (const x of r.records) {
      expect(x.suite).toBe('population');
      expect(x.bars).toBe(600);
      expect(x.genomes).toBe(6);
      expect(Number.isFinite(x.barEvalsPerSecond) && x.barEvalsPerSecond > 0).toBe(true);
      expect(x.barEvalsPerSecond).toBeCloseTo((6 * 600) / x.seconds, 6);
    }
    const table = formatPopulationTable(r);
    expect(table.split('\n')[0]).toMatch(/workload\s+strategy\s+backend\s+evaluator\s+threads\s+bar-evals\/s\s+vs native\s+vs ts\s+vs 1 thread\s+vs fused/);
    expect(table).toContain(w.name);
  }, 60_000);
});

describe('evoquant bench', () => {
  it('--json prints a machine section and flat records of both suites', async () => {
    const r = await runCli(['bench', '--bars', '300', '--genomes', '4', '--time', '2', '--repeats', '1', '--json'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { machine: Record<string, unknown>; results: Record<string, unknown>[] };
    expect(Object.keys(out.machine)).toEqual(expect.arrayContaining(['cpu', 'cores', 'node']));
    const kernels = out.results.filter((x) => x['suite'] === 'kernels');
    const population = out.results.filter((x) => x['suite'] === 'population');
    expect(kernels.length).toBeGreaterThan(20);
    for (const k of kernels) {
      expect(Object.keys(k)).toEqual(expect.arrayContaining(['kernel', 'bars', 'tsOpsPerSecond', 'wasmOpsPerSecond', 'ratio', 'tsRme', 'wasmRme']));
      expect(k['bars']).toBe(300);
    }
    expect(population.length).toBeGreaterThanOrEqual(6);
    for (const p of population) {
      expect(Object.keys(p)).toEqual(expect.arrayContaining(['backend', 'threads', 'bars', 'genomes', 'barEvalsPerSecond']));
      expect(['ts', 'wasm', 'native']).toContain(p['backend']);
    }
  }, 150_000);

  it('prints tables whose last line states the machine', async () => {
    const r = await runCli(['bench', '--suite', 'population', '--bars', '300', '--genomes', '4', '--repeats', '1'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^machine: .+, \d+ cores?, Node v\d+/);
    expect(r.stdout).toContain('bar-evals/s');
  }, 150_000);
});
