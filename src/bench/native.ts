import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MarketData } from '../data/market.js';
import { packageRoot } from '../paths.js';

/** A native baseline (W1 or W2), or why there is none. */
export type NativeBuild = { ok: true; binary: string; compiler: string } | { ok: false; reason: string };

/** bench/native/w1.c: a straightforward fused scalar W1 kernel in C (the honesty baseline). */
export function nativeSource(workload: 'w1' | 'w2' = 'w1'): string {
  return join(packageRoot(), 'bench', 'native', `${workload}.c`);
}

/** Compiles the baseline with the system `cc -O3` into a temporary folder (built fresh each run). */
export function buildNative(workload: 'w1' | 'w2' = 'w1'): NativeBuild {
  const src = nativeSource(workload);
  if (!existsSync(src)) return { ok: false, reason: `no ${src}` };
  const cc = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (cc.error !== undefined || cc.status !== 0) return { ok: false, reason: 'no C compiler (cc) on this machine' };
  const dir = mkdtempSync(join(tmpdir(), 'evoquant-native-'));
  const binary = join(dir, workload);
  try {
    execFileSync('cc', ['-O3', '-o', binary, src, '-lm'], { stdio: 'pipe' });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { ok: false, reason: `cc -O3 failed: ${(e as Error).message}` };
  }
  return { ok: true, binary, compiler: (cc.stdout.split('\n')[0] ?? 'cc').trim() };
}

/** What one native run returns: the best time of `repeat` whole-population runs, and the metrics. */
export interface NativeRun {
  seconds: number;
  /** Per genome: W1's total_return, sharpe, max_dd, trades, win_rate; W2's ten metrics. */
  metrics: Float64Array;
}

/**
 * Runs the baseline on open/close and sma-cross genomes (pairs). Loading the inputs is outside
 * the timing: the binary times only the population loop.
 */
export function runNative(binary: string, open: Float64Array, close: Float64Array, genomes: Float64Array, repeat: number): NativeRun {
  const dir = mkdtempSync(join(tmpdir(), 'evoquant-w1-'));
  try {
    const o = join(dir, 'open.f64');
    const c = join(dir, 'close.f64');
    const g = join(dir, 'genomes.txt');
    writeFileSync(o, new Uint8Array(open.buffer, open.byteOffset, open.byteLength));
    writeFileSync(c, new Uint8Array(close.buffer, close.byteOffset, close.byteLength));
    let text = '';
    for (let i = 0; i < genomes.length; i += 2) text += `${genomes[i]} ${genomes[i + 1]}\n`;
    writeFileSync(g, text);
    const r = spawnSync(binary, [o, c, g, String(repeat)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`native baseline failed: ${r.stderr}`);
    const m = /seconds ([\d.]+)/.exec(r.stderr);
    if (m === null) throw new Error(`native baseline printed no timing: ${r.stderr}`);
    const lines = r.stdout.trim().split('\n');
    const metrics = new Float64Array(lines.length * 5);
    lines.forEach((line, i) => {
      const f = line.split(' ');
      for (let k = 0; k < 5; k++) metrics[i * 5 + k] = Number(f[k + 2]);
    });
    return { seconds: Number(m[1]), metrics };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** bench/native/w2.c: the fused, streaming scalar stoch-rsi-bands kernel in C (W2's baseline). */
export function buildNativeW2(): NativeBuild {
  return buildNative('w2');
}

/**
 * Runs the W2 baseline on a market's OHLC and stoch-rsi-bands genomes (12 genes each); its
 * metrics come back in the engine's layout (10 per genome, MET_* order). Loading is untimed.
 */
export function runNativeW2(binary: string, market: MarketData, genomes: Float64Array, repeat: number): NativeRun {
  const dir = mkdtempSync(join(tmpdir(), 'evoquant-w2-'));
  try {
    const bytes = (a: Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const files = (['open', 'high', 'low', 'close'] as const).map((k) => {
      const f = join(dir, `${k}.f64`);
      writeFileSync(f, bytes(market[k]));
      return f;
    });
    const g = join(dir, 'genomes.f64');
    writeFileSync(g, bytes(genomes));
    const r = spawnSync(binary, [...files, g, String(repeat)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`native W2 baseline failed: ${r.stderr}`);
    const m = /seconds ([\d.]+)/.exec(r.stderr);
    if (m === null) throw new Error(`native W2 baseline printed no timing: ${r.stderr}`);
    const lines = r.stdout.trim().split('\n');
    const metrics = new Float64Array(lines.length * 10);
    lines.forEach((line, i) => {
      const f = line.split(' ');
      // C prints an infinite profit factor as `inf`.
      for (let k = 0; k < 10; k++) metrics[i * 10 + k] = f[k] === 'inf' ? Infinity : Number(f[k]);
    });
    return { seconds: Number(m[1]), metrics };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
