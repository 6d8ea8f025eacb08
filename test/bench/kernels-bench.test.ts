// Smoke test of the kernel benchmark suite: it runs on tiny inputs and returns results of the
// right shape. Never a speed: timings on a shared machine prove nothing.
import { describe, expect, it } from 'vitest';
import {
  formatKernelTable, kernelSuiteOptions, KERNEL_NAMES, runKernelSuite,
} from '../../src/bench/kernels.js';
import type { KernelBenchRecord } from '../../src/bench/kernels.js';
import { describeMachine, formatMachine } from '../../src/bench/machine.js';
import { formatBars, renderTable } from '../../src/bench/table.js';
import { isEngineError } from '../../src/errors.js';

const positiveFinite = (x: number): boolean => Number.isFinite(x) && x > 0;

describe('kernel benchmark suite', () => {
  let records: KernelBenchRecord[] = [];
  const progress: string[] = [];

  it('runs every kernel on both backends at a tiny size', async () => {
    records = await runKernelSuite({ sizes: [200], timeMs: 5, warmupMs: 1, onProgress: (m) => progress.push(m) });
    expect(records.map((r) => r.kernel)).toEqual([...KERNEL_NAMES]);
    expect(progress).toHaveLength(KERNEL_NAMES.length);
    for (const r of records) {
      expect(r.suite).toBe('kernels');
      expect(r.bars).toBe(200);
      expect(positiveFinite(r.tsOpsPerSecond), `${r.kernel} ts ops/s ${r.tsOpsPerSecond}`).toBe(true);
      expect(positiveFinite(r.wasmOpsPerSecond), `${r.kernel} wasm ops/s ${r.wasmOpsPerSecond}`).toBe(true);
      expect(r.ratio).toBeCloseTo(r.wasmOpsPerSecond / r.tsOpsPerSecond, 12);
      expect(typeof r.tsRme).toBe('number');
      expect(typeof r.wasmRme).toBe('number');
      expect(r.tsRme >= 0 && r.wasmRme >= 0, `${r.kernel} rme ${r.tsRme} ${r.wasmRme}`).toBe(true);
      expect(r.tsSamples).toBeGreaterThan(0);
      expect(r.wasmSamples).toBeGreaterThan(0);
    }
    const batch = records.find((r) => r.kernel === 'smaCrossBatch')!;
    expect(batch.genomes).toBeGreaterThan(1);
    expect(batch.wasmGenomeBarsPerSecond).toBeCloseTo(batch.wasmOpsPerSecond * batch.genomes! * 200, 3);
  });

  it('formats one row per kernel and ends with the machine', () => {
    const machine = describeMachine();
    const text = formatKernelTable(records, machine);
    for (const k of KERNEL_NAMES) expect(text).toMatch(new RegExp(`^${k}\\b`, 'm'));
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe(formatMachine(machine));
    expect(lines.at(-1)).toContain(`${machine.cores} cores`);
    expect(lines.at(-1)).toContain(process.version);
    expect(lines.at(-1)).toContain(machine.cpu);
    expect(lines[0]).toMatch(/kernel.*bars.*TS ops\/s.*WASM ops\/s.*WASM\/TS/);
    expect(lines).toHaveLength(2 + records.length + 1);
  });

  it('rejects bad options with E_CONFIG before running anything', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return isEngineError(e) ? `${e.code} ${e.option}` : String(e);
      }
      return undefined;
    };
    expect(code(() => kernelSuiteOptions({ kernels: ['nope'] }))).toBe('E_CONFIG kernels');
    expect(code(() => kernelSuiteOptions({ sizes: [1] }))).toBe('E_CONFIG sizes');
    expect(code(() => kernelSuiteOptions({ sizes: [] }))).toBe('E_CONFIG sizes');
    expect(code(() => kernelSuiteOptions({ timeMs: 0 }))).toBe('E_CONFIG timeMs');
    expect(kernelSuiteOptions({ kernels: ['ema', 'sma'] }).kernels).toEqual(['sma', 'ema']);
  });
});

describe('bench tables', () => {
  it('pads columns to their widest cell', () => {
    const t = renderTable([{ header: 'a' }, { header: 'b', align: 'right' }], [['xyz', '1'], ['q', '100']]);
    expect(t.split('\n')).toEqual(['a      b', '---  ---', 'xyz    1', 'q    100']);
    expect([200, 1e4, 1e6, 2.5e5].map(formatBars)).toEqual(['200', '1e4', '1e6', '2.5e5']);
  });
});
