// The CLI with strategy modules: --strategy PATH for evolve and backtest, `strategies`,
// `strategy check`, and what a bad module gives on the command line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { csvRows, runCli, runJson } from './helpers.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/strategies/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'evoquant-modcli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('--strategy PATH', () => {
  it('backtest runs a module and names it', async () => {
    const r = await runJson<{ strategy: string; params: Record<string, number>; metrics: { trades: number } }>(
      ['backtest', '--strategy', fixture('momentum.mjs'), '--param', 'rsiK=10', '--synth-bars', '800'],
    );
    expect(r.strategy).toBe('rsi-momentum');
    expect(r.params).toEqual({ rsiK: 10, enter: 60, leave: 50, stopAtr: 2 });
    expect(r.metrics.trades).toBeGreaterThan(0);
  });

  it('evolve writes result.json with the strategy\'s name, file and digest, and the module\'s own trades', async () => {
    const out = join(tmp, 'run');
    const r = await runCli(['evolve', '--strategy', fixture('momentum.mjs'), '--synth-bars', '800', '--population', '8', '--generations', '2', '--threads', '1', '--min-trades', '1', '--out', out, '--no-progress'], { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as { strategy: { name: string; file: string; digest: string }; hallOfFame: { params: Record<string, number> }[] };
    expect(result.strategy.name).toBe('rsi-momentum');
    expect(result.strategy.file).toBe(fixture('momentum.mjs'));
    expect(result.strategy.digest).toMatch(/^[0-9a-f]{64}$/);
    const best = result.hallOfFame[0]!.params;
    const bt = await runJson<{ metrics: { trades: number } }>(['backtest', '--strategy', fixture('momentum.mjs'), '--synth-bars', '800', ...Object.entries(best).flatMap(([k, v]) => ['--param', `${k}=${v}`])]);
    expect(csvRows(readFileSync(join(out, 'best-trades.csv'), 'utf8')).length - 1).toBe(bt.metrics.trades);
  });

  it('a name that is neither a built-in nor a module is a usage error listing the built-ins', async () => {
    const r = await runCli(['backtest', '--strategy', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"nope" is neither a built-in \(sma-cross, stoch-rsi-bands, ema-cross, bollinger-reversion, donchian-breakout\)/);
  });

  it('a module with a syntax error, a bad gene or a failing signals: one error line, exit 1 or 2', async () => {
    const syntax = await runCli(['backtest', '--strategy', fixture('syntax-error.mjs')]);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/^error: cannot load the strategy module .*syntax-error\.mjs: SyntaxError/);
    const bad = await runCli(['evolve', '--strategy', fixture('bad-default.mjs'), '--threads', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/genes\[0\] \(period\)\.default: must be in \[5, 50\], got 80/);
    const thrown = await runCli(['evolve', '--strategy', fixture('broken-signals.mjs'), '--threads', '2', '--population', '8', '--generations', '1', '--no-progress']);
    expect(thrown.code).toBe(1);
    expect(thrown.stderr).toMatch(/^error: .*strategy broken-signals \(.*broken-signals\.mjs\) with \{"mode":\d\}/);
    expect(thrown.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('strategies and strategy check', () => {
  it('strategies lists every built-in with its genes', async () => {
    const r = await runJson<{ name: string; genes: { name: string }[] }[]>(['strategies']);
    expect(r.map((s) => s.name)).toEqual(['sma-cross', 'stoch-rsi-bands', 'ema-cross', 'bollinger-reversion', 'donchian-breakout']);
    expect(r.find((s) => s.name === 'donchian-breakout')!.genes.map((g) => g.name)).toEqual(['entry', 'exit', 'stopAtr']);
    const text = await runCli(['strategies']);
    expect(text.stdout).toMatch(/ema-cross: fast\/slow EMA crossover with an ATR stop-loss/);
  });

  it('strategy check reports genes, repetition, agreement of the backends and time', async () => {
    const r = await runCli(['strategy', 'check', fixture('momentum.mjs'), '--bars', '1000', '--random', '2'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rsi-momentum \(.*momentum\.mjs\)\n  sha256 [0-9a-f]{64}/);
    expect(r.stdout).toMatch(/stopAtr\s+real\s+0\.5\s+5\s+2/);
    expect(r.stdout).toMatch(/outputs repeat: +yes\n  backends agree: +yes/);
    expect(r.stdout).toMatch(/time per evaluation: [\d.]+ ms \(wasm\)/);
  });

  it('strategy check catches a strategy that writes into a shared indicator', async () => {
    const raw = await runCli(['strategy', 'check', fixture('mutates-indicator.mjs'), '--bars', '500', '--json'], { timeoutMs: 60_000 });
    expect(raw.code).toBe(1);
    const r = JSON.parse(raw.stdout) as { repeats: boolean; problems: string[] };
    expect(r.repeats).toBe(false);
    expect(r.problems[0]).toMatch(/no writes into ctx or indicator results/);
  });

  it('bench --suite population --strategy PATH measures a module', async () => {
    const r = await runJson<{ results: { strategy: string; path: string; barEvalsPerSecond: number }[] }>(
      ['bench', '--suite', 'population', '--strategy', fixture('momentum.mjs'), '--bars', '300', '--genomes', '4', '--repeats', '1', '--threads', '1'], { timeoutMs: 120_000 },
    );
    expect(r.results.length).toBeGreaterThanOrEqual(3);
    for (const x of r.results) {
      expect(x).toMatchObject({ strategy: 'rsi-momentum', path: 'module' });
      expect(x.barEvalsPerSecond).toBeGreaterThan(0);
    }
  });
});
