// Bounded work from the command line: --threads above what the machine can run is refused
// (above 4 x the cores) or warned about (above the cores), naming the option; --analysis-sample
// reaches the result.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const SMALL = ['evolve', '--strategy', 'sma-cross', '--synth-bars', '1500', '--population', '12', '--generations', '2', '--no-progress'];
const cores = availableParallelism();

describe('evolve --threads', () => {
  it('above 4 x the cores: a usage error naming --threads and the bound, before any work', async () => {
    const r = await runCli([...SMALL, '--threads', String(4 * cores + 1)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: --threads: ${4 * cores + 1} is more than 4 x the ${cores} core${cores === 1 ? '' : 's'} this process can use (os.availableParallelism()); use at most ${4 * cores}\n`);
  });

  it('1024 (which once aborted V8 after minutes): refused at once', async () => {
    const r = await runCli([...SMALL, '--threads', '1024']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --threads: 1024 is more than 4 x the/);
  });

  it('above the cores: one warning line, and the run completes', async () => {
    const r = await runCli([...SMALL, '--threads', String(cores + 1), '--json'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`warning: --threads: ${cores + 1} threads on ${cores} core${cores === 1 ? '' : 's'}: they share the cores, which makes the run no faster and uses more memory\n`);
    const res = JSON.parse(r.stdout) as { timings: { threads: number } };
    expect(res.timings.threads).toBe(cores + 1);
  });
});

describe('evolve --analysis-sample', () => {
  it('bounds the genomes of the overfitting analysis, and says so in the result', async () => {
    const r = await runCli([...SMALL, '--threads', '1', '--analysis-sample', '4', '--json'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as { config: Record<string, unknown>; overfitting: { details: { sample: { limit: number; size: number }; pbo: { strategies: number } | null } } };
    expect(res.config['analysisSample']).toBe(4);
    expect(res.overfitting.details.sample).toMatchObject({ limit: 4, size: 4 });
    expect(res.overfitting.details.pbo?.strategies).toBe(4);
  });
});
