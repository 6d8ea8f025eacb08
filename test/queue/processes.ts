// CLI processes for the queue's fault tests: workers and coordinators run as a user runs them,
// with their output watched line by line so a test can act at a known point.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI } from '../cli/helpers.js';

export interface Proc {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once a line matching `re` appears on stdout or stderr (rejects after `ms`). */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  /** Resolves with the exit status (or the signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Proc {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  delete e['FORCE_COLOR'];
  const child = spawn(process.execPath, [CLI, ...args], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const check = (): void => {
    const text = `${out}\n${err}`;
    for (let i = waiters.length - 1; i >= 0; i--) {
      const m = waiters[i]!.re.exec(text);
      if (m !== null) {
        waiters[i]!.resolve(m[0]);
        waiters.splice(i, 1);
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    check();
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    err += s;
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re: RegExp, ms = 30_000): Promise<string> {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no line matching ${re} within ${ms} ms\nstdout: ${out}\nstderr: ${err}`)), ms);
        waiters.push({ re, resolve: (l) => {
          clearTimeout(t);
          resolve(l);
        } });
        check();
        void exited.then(() => setTimeout(() => {
          if (waiters.some((w) => w.re === re)) reject(new Error(`exited before a line matching ${re}\nstdout: ${out}\nstderr: ${err}`));
        }, 50));
      });
    },
    async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** A worker process on the given Redis; resolves once it has announced itself. */
export async function startWorker(redis: string, name: string, extra: string[] = []): Promise<Proc> {
  const w = cli(['worker', '--redis', redis, '--threads', '1', '--name', name, '--lock-seconds', '1.5', ...extra]);
  await w.waitFor(new RegExp(`worker ${name} \\(evoquant`));
  return w;
}
