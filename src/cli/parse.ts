import { InvalidArgumentError } from 'commander';

/** A commander argument parser for a number in [min, max] (integers only with `integer`). */
export function num(opts: { min?: number; max?: number; integer?: boolean; minOpen?: boolean } = {}) {
  return (raw: string): number => {
    const s = raw.trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new InvalidArgumentError(`"${raw}" is not a number.`);
    const v = Number(s);
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`"${raw}" is not a finite number.`);
    if (opts.integer === true && !Number.isInteger(v)) throw new InvalidArgumentError(`"${raw}" is not an integer.`);
    const lo = opts.min ?? -Infinity;
    const hi = opts.max ?? Infinity;
    if ((opts.minOpen === true ? v <= lo : v < lo) || v > hi) {
      const l = opts.minOpen === true ? `(${lo}` : `[${lo}`;
      throw new InvalidArgumentError(`${v} is outside ${l}, ${hi === Infinity ? 'inf)' : `${hi}]`}.`);
    }
    return v;
  };
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string): T => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new InvalidArgumentError(`"${raw}" is not one of ${values.join(', ')}.`);
    }
    return raw as T;
  };
}

/** Repeated `--param k=v` into a record of numbers. */
export function collectParam(raw: string, acc: Record<string, number> = {}): Record<string, number> {
  const m = /^\s*([A-Za-z][\w-]*)\s*=\s*(.+?)\s*$/.exec(raw);
  if (m === null) throw new InvalidArgumentError(`"${raw}" is not of the form name=value.`);
  const v = num()(m[2]!);
  if (Object.hasOwn(acc, m[1]!)) throw new InvalidArgumentError(`parameter ${m[1]} given twice.`);
  return { ...acc, [m[1]!]: v };
}

/** `--strategy NAME|PATH`: a built-in's name, or the path of a .mjs/.js strategy module. */
export function strategyArg(names: readonly string[]) {
  return (raw: string): string => {
    if (names.includes(raw) || raw.startsWith('file:') || /\.(mjs|js)$/.test(raw)) return raw;
    throw new InvalidArgumentError(`"${raw}" is neither a built-in (${names.join(', ')}) nor a .mjs/.js module path.`);
  };
}
