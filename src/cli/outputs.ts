import { accessSync, constants, lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { configError } from '../errors.js';

/** A file a command reads, under the option that names it. */
export interface InputPath {
  option: string;
  path: string;
  /** Files read beside it (a checkpoint's history). @default [path] */
  files?: string[];
}

/** A file or directory a command writes, under the option that names it. */
export interface OutputPath {
  option: string;
  path: string;
  /** 'dir': `path` is a directory the files are written into. @default 'file' */
  kind?: 'file' | 'dir';
  /**
   * Every file written: for a directory, names inside it; for a file, paths (the file itself
   * and its sidecars, such as a checkpoint's history and lock). @default [path]
   */
  files?: string[];
}

/** One file as the file system sees it: its real path (symlinks resolved) and, if it exists, device:inode. */
interface Identity {
  real: string;
  inode: string | null;
}

/** The real path of a file that may not exist yet: its nearest existing ancestor resolved, the rest appended. */
function identity(path: string): Identity {
  const abs = resolve(path);
  try {
    const real = realpathSync(abs);
    const st = statSync(real);
    return { real, inode: `${st.dev}:${st.ino}` };
  } catch {
    // Missing (or a dangling symlink: the link's target is what a reader would open).
  }
  const rest: string[] = [];
  let dir = abs;
  for (;;) {
    rest.unshift(basename(dir));
    const up = dirname(dir);
    if (up === dir) return { real: abs, inode: null };
    dir = up;
    try {
      return { real: join(realpathSync(dir), ...rest), inode: null };
    } catch {
      // keep walking up
    }
  }
}

function nearestExisting(path: string): string {
  let dir = resolve(path);
  for (;;) {
    try {
      lstatSync(dir);
      return dir;
    } catch {
      const up = dirname(dir);
      if (up === dir) return dir;
      dir = up;
    }
  }
}

/** Fails as a usage error unless `path` can be created (or replaced) as a file, or as a directory. */
function checkWritable(o: OutputPath): void {
  const kind = o.kind ?? 'file';
  let st;
  try {
    st = statSync(o.path);
  } catch {
    st = undefined;
  }
  if (st !== undefined) {
    if (kind === 'file' && st.isDirectory()) throw configError(o.option, `${o.path} is a directory, not a file`);
    if (kind === 'dir' && !st.isDirectory()) throw configError(o.option, `${o.path} exists and is not a directory`);
  }
  // Where the file (or the directory's files) will be created: the directory itself when it
  // exists, else its nearest existing ancestor, which must be a writable directory.
  const where = kind === 'dir' && st !== undefined ? o.path : nearestExisting(dirname(resolve(o.path)));
  let wst;
  try {
    wst = statSync(where);
  } catch (e) {
    throw configError(o.option, `cannot write ${o.path}: ${(e as Error).message}`);
  }
  if (!wst.isDirectory()) throw configError(o.option, `cannot write ${o.path}: ${where} is not a directory`);
  try {
    accessSync(where, constants.W_OK);
  } catch {
    throw configError(o.option, `cannot write ${o.path}: directory ${where} is not writable`);
  }
}

/** The files an output writes, as paths. */
function outputFiles(o: OutputPath): string[] {
  if ((o.kind ?? 'file') === 'dir') return (o.files ?? []).map((f) => join(o.path, f));
  return o.files ?? [o.path];
}

/**
 * Checks every output of a command before any work starts: each can be written (a writable
 * directory; a directory where a directory is asked for, a file where a file is), none is
 * (symlinks and hard links included) one of the inputs, and no two outputs are one file.
 * `same` lists pairs of options allowed to name one file (`--checkpoint` continuing `--resume`).
 * Fails with a usage error naming both options.
 */
export function checkOutputs(inputs: readonly InputPath[], outputs: readonly OutputPath[], same: readonly [string, string][] = []): void {
  const allowed = (a: string, b: string): boolean => same.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  const seen: { option: string; path: string; id: Identity; input: boolean }[] = [];
  for (const i of inputs) {
    for (const f of i.files ?? [i.path]) seen.push({ option: i.option, path: f, id: identity(f), input: true });
  }
  for (const o of outputs) {
    checkWritable(o);
    for (const f of outputFiles(o)) {
      const id = identity(f);
      for (const s of seen) {
        const clash = s.id.real === id.real || (s.id.inode !== null && s.id.inode === id.inode);
        if (!clash || allowed(s.option, o.option)) continue;
        if (s.option === o.option) continue;
        const what = s.input ? `the input of ${s.option}` : `also written by ${s.option}`;
        const alias = resolve(s.path) === resolve(f) ? '' : ` (${s.path})`;
        throw configError(o.option, `${f} is ${what}${alias}: an output never replaces an input or another output`);
      }
      seen.push({ option: o.option, path: f, id, input: false });
    }
  }
}
