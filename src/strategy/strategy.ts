// A strategy as the engine runs it: one object with its name, genes, repair, digest and
// evaluation path (a fused kernel, or the module's signals through the generic simulator).
// Built from a definition (src/strategy/types.ts) once, when it is registered or loaded.
import { createHash } from 'node:crypto';
import { strategyError } from '../errors.js';
import type { KernelSet } from '../kernels/kernel-set.js';
import type { GeneDef, Params, StrategyDefinition } from './types.js';

/** A fused kernel: a built-in's fast path, handed to KernelSet.backtest / evaluate. */
export type FusedKernel = Parameters<KernelSet['backtest']>[2];

/** A gene with every optional field decided. */
export interface GeneSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Inclusive domain of valid values for a backtest (the search bounds unless wider). */
  readonly limit: readonly [number, number];
  readonly kind: 'int' | 'real';
  readonly default: number;
  readonly description: string;
}

export interface Strategy {
  readonly name: string;
  readonly description: string;
  readonly genes: readonly GeneSpec[];
  /** Sizing mode used unless the run says otherwise. */
  readonly defaultSizing: 'fraction' | 'risk';
  /** Whether it trades short unless the run says otherwise. */
  readonly defaultAllowShort: boolean;
  /** Sizing modes its evaluation path supports. */
  readonly sizings: readonly ('fraction' | 'risk')[];
  /**
   * Clamps to the bounds and rounds integer genes (at `offset`), then applies the definition's
   * repair. Idempotent.
   */
  repair(genes: Float64Array, offset: number): void;
  /** The definition it was made from (its signals run when there is no fused kernel). */
  readonly definition: StrategyDefinition;
  /** The fast path of a built-in, or null. */
  readonly fused: FusedKernel | null;
  /** The module file, when it came from one (built-ins: their compiled module). */
  readonly file: string | null;
  /** The URL worker threads import it from; null for a definition given as an object. */
  readonly url: string | null;
  /** sha256 (hex) of the module file's content, or of the definition's source text. */
  readonly digest: string;
  readonly builtin: boolean;
}

/** Extras a built-in adds to its definition (its fast path and its kernel's limits). */
export interface BuiltinExtras {
  fused?: FusedKernel;
  sizings?: readonly ('fraction' | 'risk')[];
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function geneSpec(g: GeneDef): GeneSpec {
  return {
    name: g.name,
    min: g.min,
    max: g.max,
    limit: g.limit ?? [g.min, g.max],
    kind: g.kind,
    default: g.default,
    description: g.description ?? '',
  };
}

/** The file and genome a strategy's error messages name. */
export function describeGenome(s: Pick<Strategy, 'name' | 'file'>, params: Params | null): string {
  const file = s.file === null ? '' : ` (${s.file})`;
  const p = params === null ? '' : ` with ${JSON.stringify(params)}`;
  return `strategy ${s.name}${file}${p}`;
}

/** The first frame of an error's stack that lies in the strategy's own file (or the first frame). */
export function userFrame(e: unknown, file: string | null, url: string | null): string | null {
  const stack = e instanceof Error && typeof e.stack === 'string' ? e.stack.split('\n').slice(1) : [];
  const mine = stack.find((l) => (url !== null && l.includes(url.split('?')[0]!)) || (file !== null && l.includes(file)));
  // The digest query the module was imported under is noise in a stack frame.
  return (mine ?? stack[0] ?? '').trim().replace(/^at /, '').replace(/\?sha256=[0-9a-f]+/, '') || null;
}

export function strategyFromDefinition(
  definition: StrategyDefinition,
  origin: { file: string | null; url: string | null; digest: string; builtin: boolean },
  extras: BuiltinExtras = {},
): Strategy {
  const genes = definition.genes.map(geneSpec);
  const userRepair = definition.repair;
  const s: Strategy = {
    name: definition.name,
    description: definition.description ?? '',
    genes,
    defaultSizing: definition.sizing ?? 'fraction',
    defaultAllowShort: definition.allowShort ?? true,
    sizings: extras.sizings ?? ['fraction', 'risk'],
    definition,
    fused: extras.fused ?? null,
    file: origin.file,
    url: origin.url,
    digest: origin.digest,
    builtin: origin.builtin,
    repair(g, o) {
      for (let i = 0; i < genes.length; i++) {
        const spec = genes[i]!;
        let v = g[o + i]!;
        if (spec.kind === 'int') v = Math.round(v);
        if (v < spec.min) v = spec.min;
        if (v > spec.max) v = spec.max;
        g[o + i] = v;
      }
      if (userRepair === undefined) return;
      const p = paramsOf(genes, g, o);
      runRepair(s, p);
      for (let i = 0; i < genes.length; i++) {
        const v = p[genes[i]!.name];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw strategyError(`${describeGenome(s, p)}: repair left gene ${genes[i]!.name} = ${String(v)} (a finite number is needed)`);
        }
        g[o + i] = v;
      }
    },
  };
  return s;
}

function paramsOf(genes: readonly GeneSpec[], g: ArrayLike<number>, o: number): Params {
  const p: Params = {};
  for (let i = 0; i < genes.length; i++) p[genes[i]!.name] = g[o + i]!;
  return p;
}

function runRepair(s: Strategy, p: Params): void {
  const before = { ...p };
  try {
    s.definition.repair!(p);
  } catch (e) {
    const frame = userFrame(e, s.file, s.url);
    throw strategyError(`${describeGenome(s, before)}: repair threw ${String(e)}${frame === null ? '' : ` at ${frame}`}`, e);
  }
}

/**
 * Why a genome cannot be backtested, or null: not finite, not an integer where one is needed,
 * outside a gene's limit, or breaking the definition's own rule (its repair would change it).
 */
export function genomeProblem(s: Strategy, g: Float64Array, offset: number): string | null {
  for (let i = 0; i < s.genes.length; i++) {
    const spec = s.genes[i]!;
    const v = g[offset + i]!;
    if (!Number.isFinite(v)) return `gene ${spec.name} is ${v}`;
    if (spec.kind === 'int' && !Number.isInteger(v)) return `gene ${spec.name} = ${v} is not an integer`;
    if (v < spec.limit[0] || v > spec.limit[1]) return `gene ${spec.name} = ${v} is outside [${spec.limit[0]}, ${spec.limit[1]}]`;
  }
  if (s.definition.repair === undefined) return null;
  const p = paramsOf(s.genes, g, offset);
  const before = { ...p };
  runRepair(s, p);
  const changed = s.genes.filter((spec) => !Object.is(p[spec.name], before[spec.name]));
  if (changed.length === 0) return null;
  return `breaks the rule of ${s.name} (its repair changes ${changed.map((c) => `${c.name} ${before[c.name]} -> ${p[c.name]}`).join(', ')})`;
}

/** Named view of a genome, for output and for `signals`. */
export function genesToParams(s: Pick<Strategy, 'genes'>, g: ArrayLike<number>, offset = 0): Params {
  return paramsOf(s.genes, g, offset);
}
