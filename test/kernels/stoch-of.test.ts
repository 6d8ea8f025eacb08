// The raw StochRSI kernel (stochOf, block extremes) against a naive rescan of every window, on
// the TypeScript twin and both WASM builds: random walks, RSI series, NaNs (leading, interior,
// runs longer than a window, at t), ties of 0 and -0, infinities, flat runs, every stochK from 1
// past n. And stochRsi is exactly rsi, then stochOf, then two smas (what ctx.ind stages on).
import { assert, describe, expect, it } from 'vitest';
import { isEngineError } from '../../src/errors.js';
import type { KernelSet } from '../../src/kernels/kernel-set.js';
import { createTsKernels } from '../../src/kernels/ts-kernels.js';
import { createWasmKernels } from '../../src/kernels/wasm/loader.js';
import { Random } from '../../src/random.js';
import { firstDifference } from '../helpers/shared.js';

const SETS: readonly KernelSet[] = [
  createTsKernels(),
  createWasmKernels({ variant: 'release' }),
  createWasmKernels({ variant: 'debug' }),
];

/**
 * The definition, window by window: min and max of the non-NaN values of [t - k + 1, t], a tie
 * going to the later value (so of 0 and -0 the later one), NaN before the first full window after
 * the leading NaNs and at a NaN; 50 when max = min, else 100 * ((v - min) / (max - min)).
 */
function rescan(src: Float64Array, k: number): Float64Array {
  const n = src.length;
  const out = new Float64Array(n).fill(NaN);
  let f = 0;
  while (f < n && Number.isNaN(src[f]!)) f++;
  for (let t = f + k - 1; t < n; t++) {
    const v = src[t]!;
    if (Number.isNaN(v)) continue;
    let mn = NaN;
    let mx = NaN;
    for (let j = t - k + 1; j <= t; j++) {
      const x = src[j]!;
      if (Number.isNaN(x)) continue;
      if (Number.isNaN(mn) || x <= mn) mn = x;
      if (Number.isNaN(mx) || x >= mx) mx = x;
    }
    out[t] = mx === mn ? 50 : 100 * ((v - mn) / (mx - mn));
  }
  return out;
}

function expectSameBits(label: string, actual: Float64Array, expected: Float64Array): void {
  const i = firstDifference(actual, expected);
  if (i >= 0) assert.fail(`${label}: first difference at ${i} of ${expected.length}: ${actual[i]} vs ${expected[i]} (lengths ${actual.length}, ${expected.length})`);
}

function walk(seed: number, n: number): Float64Array {
  const r = new Random(seed);
  const out = new Float64Array(n);
  let x = 50;
  for (let i = 0; i < n; i++) out[i] = x += r.normal();
  return out;
}

const RSI = createTsKernels().rsi(walk(7, 700).map((x) => x + 200), 14);
const rng = new Random(99);
const CASES: [string, Float64Array][] = [
  ['random walk', walk(1, 500)],
  ['rsi(14) of a walk (leading NaNs)', RSI],
  ['no values', new Float64Array(0)],
  ['one value', Float64Array.of(3)],
  ['all NaN', new Float64Array(40).fill(NaN)],
  ['constant', new Float64Array(90).fill(42.5)],
  ['interior NaN', walk(2, 300).map((x, i) => (i === 111 ? NaN : x))],
  ['a run of 60 NaNs', walk(3, 300).map((x, i) => (i >= 100 && i < 160 ? NaN : x))],
  ['a NaN in three', walk(4, 300).map((x, i) => (i % 3 === 1 ? NaN : x))],
  ['leading NaNs and a NaN at the end', walk(5, 200).map((x, i) => (i < 9 || i === 199 ? NaN : x))],
  ['0 and -0 (ties)', Float64Array.from({ length: 400 }, () => [0, -0, 1, -1, 0.5][rng.int(0, 4)]!)],
  ['0 and -0 only', Float64Array.from({ length: 200 }, () => (rng.next() < 0.5 ? 0 : -0))],
  ['infinities', walk(6, 300).map((x, i) => (i % 37 === 5 ? Infinity : i % 41 === 7 ? -Infinity : x))],
  ['few distinct values (ties)', Float64Array.from({ length: 500 }, () => rng.int(0, 3))],
  ['rising then falling', Float64Array.from({ length: 300 }, (_, i) => (i < 150 ? i : 300 - i))],
];

describe('stochOf: block extremes equal a rescan of every window, bit for bit', () => {
  for (const [label, src] of CASES) {
    it(label, () => {
      const n = src.length;
      const ks = [...new Set([1, 2, 3, 4, 5, 7, 14, 31, 50, Math.max(1, n - 1), Math.max(1, n), n + 1])];
      for (const k of ks) {
        const ref = rescan(src, k);
        for (const set of SETS) expectSameBits(`stochOf(${label}, ${k}) [${set.name}]`, set.stochOf(src, k), ref);
      }
    });
  }

  it('hand values: 50 inside, 0 at a minimum, 100 at a maximum, a tie of 0 and -0 to the later', () => {
    // Windows of 3: (1, 3, 2) -> 50; (3, 2, 2) -> 0; (2, 2, 5) -> 100; (2, 5, 0) -> 0; at t = 6
    // (5, 0, -0) the minimum is the later -0, v - min = -0 - -0 = +0 (the earlier 0 would give
    // -0 - 0 = -0, and -0 out).
    const src = Float64Array.of(1, 3, 2, 2, 5, 0, -0);
    const want = Float64Array.of(NaN, NaN, 50, 0, 100, 0, 0);
    expectSameBits('rescan', rescan(src, 3), want);
    for (const set of SETS) expectSameBits(`hand values [${set.name}]`, set.stochOf(src, 3), want);
    expect(Object.is(want[6], 0)).toBe(true);
  });

  it('a period below 1 is E_KERNEL naming stochOf', () => {
    for (const set of SETS) {
      try {
        set.stochOf(walk(1, 20), 0);
        assert.fail('no error');
      } catch (e) {
        expect(isEngineError(e) && e.code === 'E_KERNEL' && e.message.includes('stochOf')).toBe(true);
      }
    }
  });
});

describe('stochRsi is rsi, then stochOf, then sma and sma (the stages ctx.ind caches)', () => {
  const srcs: [string, Float64Array][] = [
    ['walk', walk(11, 800).map((x) => x + 300)],
    ['walk with a NaN', walk(12, 400).map((x, i) => (i === 200 ? NaN : x + 300))],
    ['flat', new Float64Array(100).fill(7)],
  ];
  const params: [number, number, number, number][] = [[14, 14, 3, 3], [2, 2, 1, 1], [1, 1, 1, 1], [50, 50, 10, 10], [5, 37, 4, 2]];
  for (const set of SETS) {
    it(set.name, () => {
      for (const [label, src] of srcs) {
        for (const [a, b, c, d] of params) {
          const whole = set.stochRsi(src, a, b, c, d);
          const r = set.rsi(src, a);
          const s = set.stochOf(r, b);
          const k = set.sma(s, c);
          const tag = `${label} (${a}, ${b}, ${c}, ${d})`;
          expectSameBits(`${tag} rsi`, r, whole.rsi);
          expectSameBits(`${tag} stoch`, s, whole.stoch);
          expectSameBits(`${tag} k`, k, whole.k);
          expectSameBits(`${tag} d`, set.sma(k, d), whole.d);
        }
      }
    });
  }
});
