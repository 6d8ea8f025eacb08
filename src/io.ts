import { createHash } from 'node:crypto';
import { open, readdir, rename, unlink, mkdir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { ioError } from './errors.js';
import { processAlive } from './lock.js';

let counter = 0;

/** What a write produced: its size and sha256 (hex), so an output set can name its files. */
export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
}

const encoder = new TextEncoder();

/**
 * Writes all of `bytes` at the file handle's position. `write(2)` may write fewer bytes than
 * asked (a full disk, a file size limit, a signal): the rest is written in a loop, and a call
 * that writes nothing is an error, so a short write never passes silently.
 */
export async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
    if (bytesWritten <= 0) {
      throw Object.assign(new Error(`short write: ${off} of ${bytes.length} bytes written, then no progress (disk full?)`), { code: 'ENOSPC' });
    }
    off += bytesWritten;
  }
}

/** A message for an I/O failure: the error's own text, which for Node names the errno (ENOSPC, EFBIG...). */
function cause(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Writes a file atomically: the content goes to a temporary name beside the target, every byte
 * is checked written, the file is fsynced, then renamed over the target. A crash or a failure
 * (full disk, `ulimit -f`) leaves either the old file or the new one, never half of one, and
 * fails with E_IO naming the path and the cause. `content` may be a string, bytes, or an
 * iterable of chunks (written in order, so large outputs need not be held in memory as one
 * string). Returns the size and sha256 of what was written.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
): Promise<WrittenFile> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw ioError(`cannot write ${path}: cannot create directory ${dir}: ${cause(e)}`, e);
  }
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'w');
  } catch (e) {
    throw ioError(`cannot write ${path}: ${cause(e)}`, e);
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const put = async (chunk: string | Uint8Array): Promise<void> => {
    const b = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    await writeAll(fh!, b);
    hash.update(b);
    bytes += b.length;
  };
  try {
    if (typeof content === 'string' || content instanceof Uint8Array) {
      await put(content);
    } else {
      for await (const chunk of content as AsyncIterable<string | Uint8Array>) await put(chunk);
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (e) {
    if (fh !== undefined) await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw ioError(`cannot write ${path}: ${cause(e)}`, e);
  }
  await syncDirectory(dir);
  return { path, bytes, sha256: hash.digest('hex') };
}

/**
 * fsyncs a directory so a rename into it survives a power cut. Some file systems refuse to
 * sync a directory (EINVAL, EISDIR, EPERM): the rename is then as durable as they make it.
 */
export async function syncDirectory(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // best effort, see above
  } finally {
    await fh?.close().catch(() => undefined);
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
    if (m === null || processAlive(Number(m[1]))) continue;
    await unlink(join(dir, name)).then(() => removed++, () => undefined);
  }
  return removed;
}

/**
 * Appends `bytes` to the file at `path`, which must hold exactly `expectedSize` bytes (the
 * caller's record of it: anything else means another writer), and fsyncs it. A failed append
 * (short write, full disk) is cut back to `expectedSize`, so the file never ends in half a
 * record by our doing; fails with E_IO naming the path and the cause.
 */
export async function appendFileDurable(path: string, bytes: Uint8Array, expectedSize: number): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'a');
  } catch (e) {
    throw ioError(`cannot append to ${path}: ${cause(e)}`, e);
  }
  try {
    const size = (await fh.stat()).size;
    if (size !== expectedSize) throw new Error(`it holds ${size} bytes, ${expectedSize} expected: another process changed it`);
    try {
      await writeAll(fh, bytes);
      await fh.sync();
    } catch (e) {
      await fh.truncate(expectedSize).catch(() => undefined);
      throw e;
    }
  } catch (e) {
    throw ioError(`cannot append to ${path}: ${cause(e)}`, e);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Cuts a file to `size` bytes and fsyncs it (E_IO naming the path on failure). */
export async function truncateFile(path: string, size: number): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r+');
    await fh.truncate(size);
    await fh.sync();
  } catch (e) {
    throw ioError(`cannot truncate ${path}: ${cause(e)}`, e);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
