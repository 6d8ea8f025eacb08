// Strategies from wherever a user names them: a built-in's name, a definition object, or the
// path / URL of an ES module whose default export is the definition.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { configError, isEngineError, strategyError } from '../errors.js';
import { builtinStrategies, getStrategy, isBuiltinName } from '../strategies/registry.js';
import { validateDefinition } from './define.js';
import type { Strategy } from './strategy.js';
import { sha256, strategyFromDefinition } from './strategy.js';
import type { StrategyDefinition } from './types.js';

/** What the API accepts as a strategy: a built-in's name, a module path or URL, a definition, or a loaded strategy. */
export type StrategyInput = string | URL | StrategyDefinition | Strategy;

function isStrategy(x: object): x is Strategy {
  return 'definition' in x && 'digest' in x && typeof (x as Strategy).repair === 'function';
}

/** True when a string names a module rather than a built-in. */
export function looksLikeModule(ref: string): boolean {
  return ref.startsWith('file:') || /\.(mjs|js)$/.test(ref) || ref.includes('/') || ref.includes('\\');
}

/** The file behind a module path or file: URL, resolved against the working directory. */
function moduleFile(ref: string | URL, option: string): string {
  if (ref instanceof URL || ref.startsWith('file:')) {
    const u = ref instanceof URL ? ref : new URL(ref);
    if (u.protocol !== 'file:') throw configError(option, `only file: URLs can be loaded, got ${u.href}`);
    return fileURLToPath(u);
  }
  return isAbsolute(ref) ? ref : resolve(process.cwd(), ref);
}

/** sha256 of a module file's content (the digest runs and checkpoints record). */
export function moduleDigest(file: string, option = 'strategy'): string {
  try {
    return sha256(readFileSync(file));
  } catch (e) {
    throw configError(option, `cannot read the strategy module ${file}: ${(e as Error).message}`);
  }
}

/**
 * Imports a strategy module (`.mjs` or `.js`, an ES module whose default export is the
 * definition), checks it, and returns the strategy with its file, URL and content digest.
 * The module is imported under a URL that carries its digest, so a file changed on disk is
 * imported afresh (and `expectDigest` refuses a file that is not the one a run started with).
 */
export async function loadStrategyModule(ref: string | URL, options: { option?: string; expectDigest?: string } = {}): Promise<Strategy> {
  const option = options.option ?? 'strategy';
  const file = moduleFile(ref, option);
  if (!/\.(mjs|js)$/.test(file)) throw configError(option, `a strategy module is a .mjs or .js ES module, got ${file}`);
  const digest = moduleDigest(file, option);
  if (options.expectDigest !== undefined && digest !== options.expectDigest) {
    throw strategyError(`strategy module ${file} changed since the run started (sha256 ${options.expectDigest.slice(0, 12)}... then, ${digest.slice(0, 12)}... now)`);
  }
  const url = `${pathToFileURL(file).href}?sha256=${digest}`;
  let mod: { default?: unknown };
  try {
    mod = (await import(url)) as { default?: unknown };
  } catch (e) {
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw strategyError(`cannot load the strategy module ${file}: ${what}`, e);
  }
  if (mod.default === undefined) throw configError(option, `${file} has no default export (export default defineStrategy({...}))`);
  const def = validateDefinition(mod.default, file);
  return strategyFromDefinition(def, { file, url, digest, builtin: false });
}

const requireModule = createRequire(import.meta.url);

/**
 * loadStrategyModule without waiting (Node's require of an ES module, which must not use
 * top-level await): for the synchronous `backtest()`. A file changed after it was first loaded
 * in this process is not loaded again (its digest is still read from disk).
 */
export function loadStrategyModuleSync(ref: string | URL, option = 'strategy'): Strategy {
  const file = moduleFile(ref, option);
  if (!/\.(mjs|js)$/.test(file)) throw configError(option, `a strategy module is a .mjs or .js ES module, got ${file}`);
  const digest = moduleDigest(file, option);
  let mod: { default?: unknown };
  try {
    mod = requireModule(file) as { default?: unknown };
  } catch (e) {
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw strategyError(`cannot load the strategy module ${file}: ${what}`, e);
  }
  if (mod.default === undefined) throw configError(option, `${file} has no default export (export default defineStrategy({...}))`);
  const def = validateDefinition(mod.default, file);
  return strategyFromDefinition(def, { file, url: `${pathToFileURL(file).href}?sha256=${digest}`, digest, builtin: false });
}

/** A strategy from a definition object: the built-in when it is one, else an in-process-only strategy. */
export function strategyFromObject(def: StrategyDefinition): Strategy {
  const known = builtinStrategies().find((s) => s.definition === def);
  if (known !== undefined) return known;
  const d = validateDefinition(def);
  // No file: the digest covers what defines its behaviour, as source text.
  const text = JSON.stringify({ name: d.name, genes: d.genes, sizing: d.sizing, allowShort: d.allowShort, signals: String(d.signals), repair: String(d.repair) });
  return strategyFromDefinition(d, { file: null, url: null, digest: sha256(text), builtin: false });
}

/** A built-in by name, a loaded strategy, or a definition object: what can be resolved without importing. */
export function strategyFromSync(ref: StrategyInput, option = 'strategy'): Strategy {
  if (ref instanceof URL || (typeof ref === 'string' && !isBuiltinName(ref) && looksLikeModule(ref))) {
    return loadStrategyModuleSync(ref, option);
  }
  if (typeof ref === 'string') return getStrategy(ref, option);
  if (ref === null || typeof ref !== 'object') throw configError(option, `must be a strategy name, module path or definition, got ${String(ref)}`);
  return isStrategy(ref) ? ref : strategyFromObject(ref);
}

/** Any strategy input, importing a module when given its path or URL. */
export async function resolveStrategy(ref: StrategyInput, option = 'strategy'): Promise<Strategy> {
  if (ref instanceof URL || (typeof ref === 'string' && !isBuiltinName(ref) && looksLikeModule(ref))) {
    return loadStrategyModule(ref, { option });
  }
  return strategyFromSync(ref, option);
}

/** The content digest of a strategy (sha256 hex), as runs, checkpoints and queue jobs record it. */
export async function strategyDigest(ref: StrategyInput): Promise<string> {
  return (await resolveStrategy(ref)).digest;
}

/** Re-wraps anything a module throws while being used as an E_STRATEGY error (engine errors pass through). */
export function asStrategyError(e: unknown, context: string): Error {
  if (isEngineError(e)) return e;
  return strategyError(`${context}: ${e instanceof Error ? e.message : String(e)}`, e);
}
