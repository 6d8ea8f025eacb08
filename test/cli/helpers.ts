import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm run build`); the tests run it as a user would, in its own process. */
export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

/** What one run of the CLI did. */
export interface CliResult {
  /** Exit status; null when the process was killed (see `timedOut`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the process had not exited by itself within the timeout and was killed. */
  timedOut: boolean;
}

/** Long enough for a backtest on the real data on a busy two-core machine; a hang is far longer. */
export const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * Runs `node dist/src/cli/main.js ...args` and collects its output. The run ends when the
 * process exits by itself; one still alive after `timeoutMs` (an open handle keeping the
 * event loop busy) is killed and reported with `timedOut`.
 */
export function runCliRaw(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the CLI tests`);
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['FORCE_COLOR'];
  delete env['EVOQUANT_DEBUG'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** runCliRaw(), failing the test when the process did not exit by itself. */
export async function runCli(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const r = await runCliRaw(args, options);
  if (r.timedOut) {
    throw new Error(`evoquant ${args.join(' ')} did not exit within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r;
}

/** A run expected to succeed and print one JSON object: the parsed object. */
export async function runJson<T = unknown>(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<T> {
  const r = await runCli([...args, '--json'], options);
  if (r.code !== 0) throw new Error(`evoquant ${args.join(' ')} --json exited ${r.code}\nstderr: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A CSV file's rows (header first) as arrays of fields; no quoting (the engine writes none). */
export function csvRows(text: string): string[][] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => l.split(','));
}
