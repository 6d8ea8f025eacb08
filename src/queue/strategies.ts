// How a job's strategy is checked on a worker. Workers never run code that comes from the
// queue: a job names a strategy by name and digest, and a worker runs it only if it has it
// (built-ins: the same evoquant version; modules: a file it was started with, same sha256).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { configError, poolError } from '../errors.js';
import type { EngineError } from '../errors.js';
import { STRATEGY_NAMES } from '../genome/families.js';
import type { StrategyName } from '../genome/families.js';
import { packageVersion } from '../paths.js';
import type { StrategyRef } from './protocol.js';

const BUILTIN = 'builtin:';

/** The reference a job carries for a built-in strategy: its name and this evoquant's version. */
export function builtinRef(name: string, version = packageVersion()): StrategyRef {
  return { name, digest: `${BUILTIN}${name}@${version}` };
}

/** A module file a worker was started with. */
export interface ModuleEntry {
  path: string;
  digest: string;
}

/**
 * The strategy modules a worker may run, by content digest (sha256 of the file, hex). Built
 * from `--strategy PATH` at start; the files are read once, here.
 */
export function moduleRegistry(paths: readonly string[], option = '--strategy'): Map<string, ModuleEntry> {
  const out = new Map<string, ModuleEntry>();
  for (const p of paths) {
    const path = resolve(p);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw configError(option, `cannot read ${p}: ${(e as Error).message}`);
    }
    const digest = createHash('sha256').update(bytes).digest('hex');
    out.set(digest, { path, digest });
  }
  return out;
}

/** What a worker runs for a job: a built-in by name, or a registered module file. */
export type ResolvedStrategy = { kind: 'builtin'; name: StrategyName } | { kind: 'module'; name: string; module: ModuleEntry };

/**
 * Checks a job's strategy against what the worker has, or explains why not, naming the worker,
 * the strategy and the digest (E_POOL, so the coordinator stops the run with it).
 */
export function resolveStrategy(ref: StrategyRef, worker: string, modules: ReadonlyMap<string, ModuleEntry>, version = packageVersion()): ResolvedStrategy | EngineError {
  if (ref.digest.startsWith(BUILTIN)) {
    const mine = builtinRef(ref.name, version).digest;
    if (!(STRATEGY_NAMES as readonly string[]).includes(ref.name)) {
      return poolError(`worker ${worker} has no built-in strategy ${ref.name} (digest ${ref.digest}; it runs evoquant ${version})`);
    }
    if (ref.digest !== mine) {
      return poolError(`worker ${worker} cannot run strategy ${ref.name}: the job asks for ${ref.digest}, the worker has ${mine} (run the same evoquant version on the coordinator and the workers)`);
    }
    return { kind: 'builtin', name: ref.name as StrategyName };
  }
  const entry = modules.get(ref.digest);
  if (entry === undefined) {
    const have = [...modules.values()].map((m) => `${basename(m.path)} sha256 ${m.digest.slice(0, 12)}...`);
    return poolError(
      `worker ${worker} has no strategy module ${ref.name} with sha256 ${ref.digest} ` +
      `(it was started with ${have.length === 0 ? 'no --strategy module' : have.join(', ')}); ` +
      `start the workers with --strategy PATH of the same file the coordinator uses`,
    );
  }
  return { kind: 'module', name: ref.name, module: entry };
}
