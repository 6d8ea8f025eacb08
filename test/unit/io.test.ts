import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/errors.js';
import type { FileHandle } from 'node:fs/promises';
import { removeStaleTemporaries, writeAll, writeFileAtomic } from '../../src/io.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'evoquant-io-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes strings, bytes and chunk iterables, leaving no temporary file', async () => {
    await writeFileAtomic(join(dir, 'a.txt'), 'hello');
    await writeFileAtomic(join(dir, 'b.bin'), new Uint8Array([1, 2, 3]));
    await writeFileAtomic(join(dir, 'c.csv'), (function* () {
      yield 'x,y\n';
      yield new TextEncoder().encode('1,2\n');
    })());
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('hello');
    expect([...readFileSync(join(dir, 'b.bin'))]).toEqual([1, 2, 3]);
    expect(readFileSync(join(dir, 'c.csv'), 'utf8')).toBe('x,y\n1,2\n');
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.bin', 'c.csv']);
  });

  it('a failing writer leaves the old file intact and no temporary file (E_IO naming the path)', async () => {
    const path = join(dir, 'keep.txt');
    writeFileSync(path, 'old');
    const failing = (async function* () {
      yield 'half of the new ';
      throw new Error('the producer failed');
    })();
    const e = await writeFileAtomic(path, failing).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).code).toBe('E_IO');
    expect((e as EngineError).message).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });
});

describe('writeAll', () => {
  /** A file handle whose write(2) takes at most `step` bytes a call, and nothing after `limit`. */
  function shortWriter(step: number, limit = Infinity): { fh: FileHandle; got: number[] } {
    const got: number[] = [];
    const fh = {
      write: async (b: Uint8Array, off: number, len: number) => {
        const n = Math.max(0, Math.min(step, len, limit - got.length));
        got.push(...b.subarray(off, off + n));
        return { bytesWritten: n, buffer: b };
      },
    } as unknown as FileHandle;
    return { fh, got };
  }

  it('loops on short writes until every byte is written', async () => {
    const { fh, got } = shortWriter(3);
    const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
    await writeAll(fh, bytes);
    expect(got).toEqual([...bytes]);
  });

  it('a write that makes no progress is an error, not a silent truncation', async () => {
    const { fh } = shortWriter(7, 20);
    await expect(writeAll(fh, new Uint8Array(50))).rejects.toThrow(/short write: 20 of 50 bytes written/);
  });

  it('writeFileAtomic returns the size and sha256 of what it wrote', async () => {
    const w = await writeFileAtomic(join(dir, 'd.txt'), ['ab', new Uint8Array([99])]);
    expect(w).toEqual({ path: join(dir, 'd.txt'), bytes: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' });
  });
});

describe('removeStaleTemporaries', () => {
  it('removes the temporary files of dead processes beside that file only', async () => {
    const dead = 2 ** 22 + 12345; // above Linux's default pid_max: never a live process
    writeFileSync(join(dir, `.ck.json.${dead}.1.tmp`), 'x');
    writeFileSync(join(dir, `.ck.json.${process.pid}.7.tmp`), 'x');
    writeFileSync(join(dir, `.other.json.${dead}.1.tmp`), 'x');
    writeFileSync(join(dir, 'ck.json'), '{}');
    expect(await removeStaleTemporaries(join(dir, 'ck.json'))).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([`.ck.json.${process.pid}.7.tmp`, `.other.json.${dead}.1.tmp`, 'ck.json'].sort());
  });
});
