import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

/** The native W1 baseline, or why there is none. */
export type NativeBuild = { ok: true; binary: string; compiler: string } | { ok: false; reason: string };

/** bench/native/w1.c: a straightforward fused scalar W1 kernel in C (the honesty baseline). */
export function nativeSource(): string {
  return join(packageRoot(), 'bench', 'native', 'w1.c');
}

/** Compiles the baseline with the system `cc -O3` into a temporary folder (built fresh each run). */
export function buildNative(): NativeBuild {
  const src = nativeSource();
  if (!existsSync(src)) return { ok: false, reason: `no ${src}` };
  const cc = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (cc.error !== undefined || cc.status !== 0) return { ok: false, reason: 'no C compiler (cc) on this machine' };
  const dir = mkdtempSync(join(tmpdir(), 'evoquant-native-'));
  const binary = join(dir, 'w1');
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
  /** Per genome: total_return, sharpe, max_dd, trades, win_rate. */
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
