/*
 * What a result.json must hold for the report to be drawn from it: each field the report reads,
 * with its kind, so that an incomplete or hand-edited file is refused naming the missing field
 * instead of failing deep inside the renderer.
 */

type Kind = 'object' | 'array' | 'number' | 'string' | 'object|null' | 'array|null' | 'string|null' | 'number|null';

/** Fields of an EvolveResult that renderReport() reads, as dotted paths ('[]' = every element). */
const REQUIRED: ReadonlyArray<readonly [string, Kind]> = [
  ['config', 'object'],
  ['config.strategy', 'string'],
  ['config.population', 'number'],
  ['config.seed', 'number'],
  ['data', 'object'],
  ['data.source', 'string'],
  ['data.bars', 'number'],
  ['data.from', 'number'],
  ['data.to', 'number'],
  ['windows', 'object'],
  ['windows.train', 'array'],
  ['windows.test', 'array'],
  ['windows.holdout', 'object|null'],
  ['generations', 'array'],
  ['stopped', 'object'],
  ['stopped.reason', 'string'],
  ['stopped.generations', 'number'],
  ['evaluations', 'object'],
  ['evaluations.backtests', 'number'],
  ['hallOfFame', 'array'],
  ['hallOfFame[].params', 'object'],
  ['hallOfFame[].inSample', 'object'],
  ['hallOfFame[].outOfSample', 'object|null'],
  ['paretoFront', 'array|null'],
  ['overfitting', 'object'],
  ['overfitting.verdicts', 'object'],
  ['overfitting.verdicts.deflatedSharpe', 'string'],
  ['overfitting.verdicts.pbo', 'string'],
  ['overfitting.window', 'object'],
  ['overfitting.window.start', 'number'],
  ['overfitting.window.end', 'number'],
  ['overfitting.details', 'object'],
  ['overfitting.details.notes', 'array'],
  ['overfitting.details.deflatedSharpe', 'object|null'],
  ['overfitting.details.pbo', 'object|null'],
  ['curve', 'object'],
  ['curve.bar', 'array'],
  ['curve.time', 'array'],
  ['curve.equity', 'array'],
  ['curve.buyAndHold', 'array'],
  ['curve.drawdown', 'array'],
  ['curve.splits', 'array'],
];

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** What is wrong with the first required field that is missing or of the wrong kind, or null. */
export function resultProblem(r: unknown): string | null {
  for (const [path, kind] of REQUIRED) {
    const parts = path.split('.');
    // Values at this path: one, or one per element where a part ends in [].
    let values: Array<{ at: string; v: unknown }> = [{ at: '', v: r }];
    for (const part of parts) {
      const each = part.endsWith('[]');
      const key = each ? part.slice(0, -2) : part;
      const next: Array<{ at: string; v: unknown }> = [];
      for (const { at, v } of values) {
        const here = at === '' ? key : `${at}.${key}`;
        const child = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
        if (!each) next.push({ at: here, v: child });
        else if (Array.isArray(child)) child.forEach((c, i) => next.push({ at: `${here}[${i}]`, v: c }));
      }
      values = next;
    }
    for (const { at, v } of values) {
      if (v === undefined) return `the field ${at} is missing`;
      const k = kindOf(v);
      if (!kind.split('|').includes(k)) return `the field ${at} is ${k === 'null' ? 'null' : `a${k === 'array' || k === 'object' ? 'n' : ''} ${k}`}, expected ${kind.replace('|', ' or ')}`;
    }
  }
  return null;
}
