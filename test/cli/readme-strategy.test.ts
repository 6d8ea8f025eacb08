// The README's strategy module ("Your own strategy") must work as written: it is extracted,
// saved inside the package (so `import ... from 'evoquant'` resolves to this package), checked
// with `evoquant strategy check` and evolved on worker threads.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('README: Your own strategy', () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## Your own strategy'));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  mkdirSync(`${root}test-output`, { recursive: true });
  const file = `${root}test-output/my-strategy.mjs`;

  it('the example file loads, repeats, and agrees on both backends', async () => {
    expect(m).not.toBeNull();
    writeFileSync(file, m![1]!);
    const r = await runCli(['strategy', 'check', file, '--json'], { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { strategy: { name: string; genes: { name: string }[] }; repeats: boolean; backendsAgree: boolean; problems: string[]; metrics: number[][] };
    expect(report.strategy.name).toBe('rsi-reversion');
    expect(report.strategy.genes.map((g) => g.name)).toEqual(['period', 'oversold', 'overbought', 'stopAtr']);
    expect(report).toMatchObject({ repeats: true, backendsAgree: true, problems: [] });
    // The defaults trade (metrics[0][5] is the trade count).
    expect(report.metrics[0]![5]).toBeGreaterThan(10);
  });

  it('evolves on two worker threads, as the README shows', async () => {
    writeFileSync(file, m![1]!);
    const r = await runCli(['evolve', '--strategy', file, '--population', '8', '--generations', '2', '--threads', '2', '--no-progress', '--json'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { strategy: { name: string; file: string }; hallOfFame: { params: Record<string, number> }[] };
    expect(result.strategy).toMatchObject({ name: 'rsi-reversion', file });
    const best = result.hallOfFame[0]!.params;
    expect(best['overbought']! - best['oversold']!).toBeGreaterThanOrEqual(10);
  });
});
