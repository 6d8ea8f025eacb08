// The numbers that cross the JS/WASM boundary are defined twice, once per side: assembly/layout.ts
// and assembly/status.ts for the kernels, src/kernels/layout.ts and src/kernels/status.ts for the
// host. Both sides must define the same names with the same values.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as layout from '../../src/kernels/layout.js';
import * as status from '../../src/kernels/status.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every `export const NAME: i32 = V;` of an AssemblyScript file, failing on any other form. */
function asmConstants(path: string): Map<string, number> {
  const text = readFileSync(`${root}${path}`, 'utf8');
  const out = new Map<string, number>();
  const lines = text.split('\n').filter((l) => /^\s*export\s+const\b/.test(l));
  for (const line of lines) {
    const m = /^export const ([A-Z][A-Z0-9_]*): i32 = (-?\d+);(\s*\/\/.*)?$/.exec(line.trim());
    expect(m, `${path}: unexpected declaration "${line.trim()}"`).not.toBeNull();
    const [, name, value] = m!;
    expect(out.has(name!), `${path}: ${name} defined twice`).toBe(false);
    out.set(name!, Number(value));
  }
  return out;
}

/** The numeric exports of a host module (functions, tables and name lists left out). */
function hostConstants(mod: Record<string, unknown>): Map<string, number> {
  return new Map(Object.entries(mod).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

describe.each([
  ['assembly/layout.ts', 'src/kernels/layout.ts', layout as Record<string, unknown>],
  ['assembly/status.ts', 'src/kernels/status.ts', status as Record<string, unknown>],
] as const)('%s and %s', (asmPath, _hostPath, hostModule) => {
  const asm = asmConstants(asmPath);
  const host = hostConstants(hostModule);

  it('define constants at all', () => {
    expect(asm.size).toBeGreaterThan(5);
    expect(host.size).toBeGreaterThan(5);
  });

  it('define the same names', () => {
    expect([...asm.keys()].filter((k) => !host.has(k)), 'only in the AssemblyScript file').toEqual([]);
    expect([...host.keys()].filter((k) => !asm.has(k)), 'only in the TypeScript file').toEqual([]);
  });

  it('give every name the same value', () => {
    const differ = [...asm].filter(([k, v]) => host.has(k) && host.get(k) !== v).map(([k, v]) => `${k}: ${v} vs ${host.get(k)}`);
    expect(differ).toEqual([]);
  });

  it('keep each group of values distinct, and each vector\'s indices dense from 0', () => {
    const group = (test: (name: string) => boolean): number[] => [...asm].filter(([k]) => test(k)).map(([, v]) => v);
    if (asmPath === 'assembly/status.ts') {
      const codes = [...asm.values()];
      expect(new Set(codes).size, 'status codes are distinct').toBe(codes.length);
      expect(asm.get('OK')).toBe(0);
      return;
    }
    for (const prefix of ['CFG_', 'MET_', 'TR_']) {
      const idx = group((k) => k.startsWith(prefix) && k !== `${prefix}LENGTH`).sort((a, b) => a - b);
      expect(idx, `${prefix}* fill 0 .. ${prefix}LENGTH - 1`).toEqual(Array.from({ length: asm.get(`${prefix}LENGTH`)! }, (_, i) => i));
    }
    for (const prefix of ['EXIT_', 'FILL_', 'SIZING_']) {
      const values = group((k) => k.startsWith(prefix));
      expect(new Set(values).size, `${prefix}* values are distinct`).toBe(values.length);
    }
  });
});

it('the metric and exit-reason name lists follow the layout indices', () => {
  expect(layout.METRIC_NAMES.length).toBe(layout.MET_LENGTH);
  expect(layout.METRIC_NAMES.indexOf('totalReturn')).toBe(layout.MET_TOTAL_RETURN);
  expect(layout.METRIC_NAMES.indexOf('sharpe')).toBe(layout.MET_SHARPE);
  expect(layout.METRIC_NAMES.indexOf('sortino')).toBe(layout.MET_SORTINO);
  expect(layout.METRIC_NAMES.indexOf('maxDrawdown')).toBe(layout.MET_MAX_DRAWDOWN);
  expect(layout.METRIC_NAMES.indexOf('calmar')).toBe(layout.MET_CALMAR);
  expect(layout.METRIC_NAMES.indexOf('trades')).toBe(layout.MET_TRADES);
  expect(layout.METRIC_NAMES.indexOf('winRate')).toBe(layout.MET_WIN_RATE);
  expect(layout.METRIC_NAMES.indexOf('profitFactor')).toBe(layout.MET_PROFIT_FACTOR);
  expect(layout.METRIC_NAMES.indexOf('exposure')).toBe(layout.MET_EXPOSURE);
  expect(layout.METRIC_NAMES.indexOf('annualReturn')).toBe(layout.MET_ANNUAL_RETURN);
  expect(layout.EXIT_REASONS.indexOf('signal')).toBe(layout.EXIT_SIGNAL);
  expect(layout.EXIT_REASONS.indexOf('stop')).toBe(layout.EXIT_STOP);
  expect(layout.EXIT_REASONS.indexOf('target')).toBe(layout.EXIT_TARGET);
  expect(layout.EXIT_REASONS.indexOf('end')).toBe(layout.EXIT_END);
  expect(layout.EXIT_REASONS.indexOf('reversal')).toBe(layout.EXIT_REVERSAL);
  expect(layout.EXIT_REASONS.indexOf('ruin')).toBe(layout.EXIT_RUIN);
});
