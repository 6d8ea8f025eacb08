import { open, readdir, rename, unlink, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { ioError } from './errors.js';

let counter = 0;

/**
 * Writes a file atomically: the content goes to a temporary name beside the target, is
 * fsynced, then renamed over the target. A crash leaves either the old file or the new one,
 * never half of one. `content` may be a string, bytes, or an iterable of chunks (written in
 * order, so large outputs need not be held in memory as one string).
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw ioError(`cannot write ${path}: cannot create directory ${dir}: ${(e as Error).message}`, e);
  }
  let fh;
  try {
    fh = await open(tmp, 'w');
  } catch (e) {
    throw ioError(`cannot write ${path}: ${(e as Error).message}`, e);
  }
  try {
    if (typeof content === 'string' || content instanceof Uint8Array) {
      await fh.writeFile(content);
    } else {
      for await (const chunk of content as AsyncIterable<string | Uint8Array>) {
        if (typeof chunk === 'string') await fh.write(chunk);
        else await fh.write(chunk);
      }
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (e) {
    if (fh !== undefined) await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw ioError(`cannot write ${path}: ${(e as Error).message}`, e);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files writeFileAtomic left beside `path` in processes that no longer
 * run (a SIGKILL between opening the temporary file and renaming it). Files of live processes,
 * this one included, are left alone. Returns how many were removed.
 */
export async function removeStaleTemporaries(path: string): Promise<number> {
  const dir = dirname(path);
  const base = basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\.${base}\\.(\\d+)\\.\\d+\\.tmp$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = pattern.exec(name);
    if (m === null || alive(Number(m[1]))) continue;
    await unlink(join(dir, name)).then(() => removed++, () => undefined);
  }
  return removed;
}
