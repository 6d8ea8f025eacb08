import { unlinkSync } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { ioError } from './errors.js';

/** Whether a process with this id runs (EPERM: it runs, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock file whose content is still empty this long after its creation belongs to a dead process. */
const EMPTY_LOCK_GRACE_MS = 2000;

/** A held lock: `release()` removes the lock file (once; later calls do nothing). */
export interface Lock {
  path: string;
  release(): Promise<void>;
}

/**
 * Takes an exclusive lock: creates `lockPath` with O_EXCL holding this process's id. When it
 * exists and its process still runs, fails with E_IO naming `what` and that process; a lock of
 * a dead process (a run killed with SIGKILL) is taken over. The lock is also removed when the
 * process exits without releasing it (process.exit), so only a killed process leaves one.
 */
export async function acquireLock(lockPath: string, what: string): Promise<Lock> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fh = await open(lockPath, 'wx');
      try {
        await fh.writeFile(`${process.pid}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return held(lockPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(`cannot lock ${what}: cannot create ${lockPath}: ${(e as Error).message}`, e);
    }
    let text: string;
    let age: number;
    try {
      text = await readFile(lockPath, 'utf8');
      age = Date.now() - (await stat(lockPath)).mtimeMs;
    } catch {
      continue; // released meanwhile: try again
    }
    const pid = /^\d+\n?$/.test(text) ? Number(text.trim()) : NaN;
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
      throw ioError(`${what} is in use by process ${pid}${pid === process.pid ? ' (this process)' : ''}: its lock file ${lockPath} is held; wait for that run to end (or stop it)`);
    }
    if (text === '' && age < EMPTY_LOCK_GRACE_MS) {
      throw ioError(`${what} is in use by another process: its lock file ${lockPath} is being created`);
    }
    // Stale: its process is gone. Remove it unless it changed in the meantime, then try again.
    try {
      if ((await readFile(lockPath, 'utf8')) === text) await unlink(lockPath);
    } catch {
      // gone already
    }
  }
  throw ioError(`cannot lock ${what}: ${lockPath} keeps changing (another run is starting on it)`);
}

function held(path: string): Lock {
  let done = false;
  const onExit = (): void => {
    if (done) return;
    done = true;
    try {
      unlinkSync(path);
    } catch {
      // removed already
    }
  };
  process.once('exit', onExit);
  return {
    path,
    async release(): Promise<void> {
      if (done) return;
      done = true;
      process.off('exit', onExit);
      await unlink(path).catch(() => undefined);
    },
  };
}
