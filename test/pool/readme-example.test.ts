// The README's library example must run as written: it is extracted from README.md, saved inside
// the package (so `import ... from 'evoquant'` resolves to this package by its own name), and
// run with node against the build.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('README', () => {
  it('the library example runs and prints what it says it prints', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('## Library API'));
    const m = /```ts\n([\s\S]*?)```/.exec(section);
    expect(m).not.toBeNull();
    mkdirSync(`${root}test-output`, { recursive: true });
    const file = `${root}test-output/readme-example.mjs`;
    writeFileSync(file, m![1]!);
    const r = spawnSync(process.execPath, [file], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    // backtest: sharpe, trade count, last equity
    expect(lines[0]).toMatch(/^-?\d+(\.\d+)?(e-?\d+)? \d+ \d+(\.\d+)?/);
    // the pool: the first genome's metrics by name
    expect(lines[1]).toMatch(/^totalReturn=.* sharpe=.* exposure=.* annualReturn=/);
    // evolution: one line per generation, then the best parameters and the verdict
    expect(lines.filter((l) => /^\d+ -?\d/.test(l))).toHaveLength(20);
    expect(lines.at(-1)).toMatch(/DSR .* PBO /);
  });
});
