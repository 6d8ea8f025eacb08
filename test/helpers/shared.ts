import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** ../shared beside the repository: the real data and the reference workload (never copied in). */
export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const DATA = (name: string): string => `${SHARED}data/${name}`;
export const REFERENCE = (name: string): string => `${SHARED}reference/${name}`;

export interface W1Genome {
  fast: number;
  slow: number;
  total_return: number;
  sharpe: number;
  max_dd: number;
  trades: number;
  win_rate: number;
  fitness: number;
  tie_sensitive: boolean;
}

export interface W1File {
  nbars: number;
  commission: number;
  genomes: W1Genome[];
}

export function readW1(name: 'w1_goog.json' | 'w1_synth100k.json'): W1File {
  return JSON.parse(readFileSync(REFERENCE(name), 'utf8')) as W1File;
}

/** The first n values of a raw little-endian float64 file of the reference. */
export function readF64(name: string, n?: number): Float64Array {
  const b = readFileSync(REFERENCE(name));
  const all = new Float64Array(b.buffer, b.byteOffset, b.length / 8);
  return all.slice(0, n ?? all.length);
}

/** Relative difference with an absolute floor (the reference's tolerance rule). */
export function relDiff(a: number, b: number, floor = 1e-12): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}

/** Bit equality that treats every NaN alike and tells -0 from +0. */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)))) return false;
  }
  return true;
}

/** Index of the first element that differs in bits, or -1. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) return i;
    if (!(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)))) return i;
  }
  return -1;
}

/** One genome of W2 (../shared/reference/w2_*.json): its 12 genes and its 10 metrics. */
export type W2Genome = Record<string, number | string>;

export interface W2File {
  bars: number;
  options: Record<string, number | string | boolean>;
  genes: string[];
  metrics: string[];
  genomes: W2Genome[];
}

export function readW2(name: 'w2_goog.json' | 'w2_eurusd.json'): W2File {
  return JSON.parse(readFileSync(REFERENCE(name), 'utf8')) as W2File;
}

/** W2's genomes as the kernels take them: the genes in the file's order, row after row. */
export function w2Genomes(ref: W2File): Float64Array {
  const G = ref.genes.length;
  const out = new Float64Array(ref.genomes.length * G);
  ref.genomes.forEach((g, i) => ref.genes.forEach((name, k) => (out[i * G + k] = Number(g[name]))));
  return out;
}

/** A reference metric as a number (`"Infinity"` for a profit factor without losses). */
export function w2Metric(g: W2Genome, name: string): number {
  return Number(g[name]);
}
