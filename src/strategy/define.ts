import { configError } from '../errors.js';
import type { GeneDef, StrategyDefinition } from './types.js';

const NAME = /^[a-z][a-z0-9-]{0,63}$/;
const GENE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function fail(where: string, field: string, message: string): never {
  throw configError(`${where}${field}`, message);
}

function checkGene(g: GeneDef, i: number, where: string, seen: Set<string>): void {
  const f = `genes[${i}]`;
  if (g === null || typeof g !== 'object') fail(where, f, `must be an object, got ${String(g)}`);
  if (typeof g.name !== 'string' || !GENE_NAME.test(g.name)) {
    fail(where, `${f}.name`, `must be an identifier (letters, digits, _), got ${JSON.stringify(g.name)}`);
  }
  const gf = `genes[${i}] (${g.name})`;
  if (seen.has(g.name)) fail(where, `${gf}.name`, 'is used twice');
  seen.add(g.name);
  if (g.kind !== 'int' && g.kind !== 'real') fail(where, `${gf}.kind`, `must be "int" or "real", got ${JSON.stringify(g.kind)}`);
  for (const k of ['min', 'max', 'default'] as const) {
    if (typeof g[k] !== 'number' || !Number.isFinite(g[k])) fail(where, `${gf}.${k}`, `must be a finite number, got ${String(g[k])}`);
    if (g.kind === 'int' && !Number.isInteger(g[k])) fail(where, `${gf}.${k}`, `must be an integer (kind int), got ${g[k]}`);
  }
  if (!(g.min <= g.max)) fail(where, `${gf}.max`, `must be >= min (${g.min}), got ${g.max}`);
  if (g.default < g.min || g.default > g.max) fail(where, `${gf}.default`, `must be in [${g.min}, ${g.max}], got ${g.default}`);
  if (g.limit !== undefined) {
    const l = g.limit;
    if (!Array.isArray(l) || l.length !== 2 || !(l[0] <= g.min) || !(l[1] >= g.max)) {
      fail(where, `${gf}.limit`, `must be [lo, hi] around [${g.min}, ${g.max}], got ${JSON.stringify(l)}`);
    }
  }
  if (g.description !== undefined && typeof g.description !== 'string') fail(where, `${gf}.description`, 'must be a string');
}

/**
 * Checks a definition (the default export of a strategy module) and returns it: E_CONFIG naming
 * the field at fault (`strategy.genes[1] (slow).default`). `source` names the file in messages.
 */
export function validateDefinition(def: unknown, source?: string): StrategyDefinition {
  const where = source === undefined ? 'strategy.' : `strategy ${source}: `;
  if (def === null || typeof def !== 'object') fail(where, 'definition', `must be an object (the module's default export), got ${def === null ? 'null' : typeof def}`);
  const d = def as StrategyDefinition;
  if (typeof d.name !== 'string' || !NAME.test(d.name)) {
    fail(where, 'name', `must be lower-case letters, digits and dashes, starting with a letter, got ${JSON.stringify(d.name)}`);
  }
  const w = source === undefined ? `strategy ${d.name}: ` : where;
  if (!Array.isArray(d.genes) || d.genes.length === 0) fail(w, 'genes', 'must be a non-empty array of genes');
  const seen = new Set<string>();
  d.genes.forEach((g, i) => checkGene(g, i, w, seen));
  if (typeof d.signals !== 'function') fail(w, 'signals', `must be a function (ctx, params) => signals, got ${typeof d.signals}`);
  if (d.repair !== undefined && typeof d.repair !== 'function') fail(w, 'repair', `must be a function (params) => void, got ${typeof d.repair}`);
  if (d.sizing !== undefined && d.sizing !== 'fraction' && d.sizing !== 'risk') {
    fail(w, 'sizing', `must be "fraction" or "risk", got ${JSON.stringify(d.sizing)}`);
  }
  if (d.allowShort !== undefined && typeof d.allowShort !== 'boolean') fail(w, 'allowShort', 'must be a boolean');
  if (d.description !== undefined && typeof d.description !== 'string') fail(w, 'description', 'must be a string');
  return d;
}

/**
 * Declares a strategy: checks it (names, bounds, kinds, defaults inside bounds; E_CONFIG naming
 * the field) and returns it unchanged. It adds types and checks, nothing else: a module that
 * exports the plain object works the same and is checked when loaded.
 */
export function defineStrategy<const D extends StrategyDefinition>(definition: D): D {
  validateDefinition(definition);
  return definition;
}
