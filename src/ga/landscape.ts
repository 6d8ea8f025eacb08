import type { StrategyFamily } from '../genome/families.js';
import { MIN_TRADES_PENALTY } from './fitness.js';

/** Offsets of the winner's one-gene neighbours, as fractions of each gene's range. */
export const NEIGHBOUR_OFFSETS = [-0.2, -0.1, -0.05, -0.02, 0.02, 0.05, 0.1, 0.2] as const;

/** Cells per axis of the heat-map at most (an integer gene with a smaller range gets one per value). */
export const HEATMAP_CELLS = 12;

/** Share of neighbours within this fraction of the winner's fitness that counts as robust. */
export const ROBUST_WITHIN = 0.1;

/** The parameter landscape of a run (single-objective mode): what the report and the CLI show. */
export interface Landscape {
  /** The two genes of the heat-map (the user's, or the two most influential). */
  genes: [string, string];
  /** How much of the fitness variance each gene's binned means explain (eta squared), by gene. */
  influence: Record<string, number>;
  /** Cell edges along each gene (cells + 1 values). */
  xEdges: number[];
  yEdges: number[];
  /** cells[iy][ix]: the best fitness of the evaluated genomes in the cell, null when none traded enough. */
  cells: (number | null)[][];
  /** Genomes evaluated (distinct, penalised ones included) that the heat-map is built from. */
  points: number;
  /** The winner's one-gene neighbours: per gene, the gene's values and their fitness. */
  sensitivity: { gene: string; winner: number; values: number[]; fitness: number[] }[];
  /** The winner's fitness, and the share of its neighbours within ROBUST_WITHIN of it. */
  winnerFitness: number;
  robustness: number;
  /** Neighbours evaluated (the distinct ones new to the run are counted as trials in the DSR). */
  neighbours: number;
  /** Backtests the neighbourhood scan ran (genome x window; not in `evaluations.backtests`). */
  backtests: number;
}

/** The winner's one-gene neighbours (repaired, deduplicated by value per gene), gene by gene. */
export function neighbourGenomes(family: StrategyFamily, winner: Float64Array): { gene: number; genes: Float64Array }[] {
  const out: { gene: number; genes: Float64Array }[] = [];
  family.genes.forEach((spec, j) => {
    const seen = new Set<number>([winner[j]!]);
    for (const d of NEIGHBOUR_OFFSETS) {
      const g = Float64Array.from(winner);
      g[j] = Math.min(spec.max, Math.max(spec.min, winner[j]! + d * (spec.max - spec.min)));
      family.repair(g, 0);
      // a neighbour differs from the winner in gene j (repair may have moved others: it is still
      // the nearest valid genome with that gene moved)
      if (seen.has(g[j]!)) continue;
      seen.add(g[j]!);
      out.push({ gene: j, genes: g });
    }
  });
  return out;
}

function binOf(v: number, edges: number[]): number {
  const n = edges.length - 1;
  for (let i = 0; i < n; i++) if (v < edges[i + 1]!) return i;
  return n - 1;
}

function edgesFor(min: number, max: number, integer: boolean): number[] {
  const n = integer ? Math.min(HEATMAP_CELLS, max - min + 1) : HEATMAP_CELLS;
  const lo = integer ? min - 0.5 : min;
  const hi = integer ? max + 0.5 : max;
  return Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
}

/** Eta squared of fitness grouped by the gene's bins: the share of variance the gene explains. */
function influence(points: { genes: Float64Array; fitness: number }[], j: number, edges: number[]): number {
  if (points.length < 2) return 0;
  let mean = 0;
  for (const p of points) mean += p.fitness;
  mean /= points.length;
  const sum = new Float64Array(edges.length - 1);
  const cnt = new Float64Array(edges.length - 1);
  let total = 0;
  for (const p of points) {
    const b = binOf(p.genes[j]!, edges);
    sum[b] = sum[b]! + p.fitness;
    cnt[b] = cnt[b]! + 1;
    total += (p.fitness - mean) ** 2;
  }
  if (total === 0) return 0;
  let between = 0;
  for (let b = 0; b < sum.length; b++) if (cnt[b]! > 0) between += cnt[b]! * (sum[b]! / cnt[b]! - mean) ** 2;
  return between / total;
}

/**
 * The landscape from the genomes the GA evaluated (`evaluated`: distinct genomes and their
 * fitness) and the winner's neighbours (`neighbours`, already evaluated). Penalised genomes are
 * left out of the influence and the cells. Heat-map genes: `pick` when given, else the two with
 * the largest influence (ties: gene order).
 */
export function buildLandscape(
  family: StrategyFamily, evaluated: { genes: Float64Array; fitness: number }[], winner: Float64Array, winnerFitness: number,
  neighbours: { gene: number; genes: Float64Array; fitness: number }[], pick?: [string, string], backtests = 0,
): Landscape {
  const valid = evaluated.filter((p) => p.fitness !== MIN_TRADES_PENALTY && Number.isFinite(p.fitness));
  const edges = family.genes.map((g) => edgesFor(g.min, g.max, g.kind === 'int'));
  const infl = family.genes.map((_, j) => influence(valid, j, edges[j]!));
  let [a, b] = [0, Math.min(1, family.genes.length - 1)];
  if (pick !== undefined) {
    a = family.genes.findIndex((g) => g.name === pick[0]);
    b = family.genes.findIndex((g) => g.name === pick[1]);
  } else {
    const order = family.genes.map((_, j) => j).sort((x, y) => infl[y]! - infl[x]! || x - y);
    [a, b] = [order[0]!, order[1] ?? order[0]!];
  }
  const xEdges = edges[a]!;
  const yEdges = edges[b]!;
  const cells: (number | null)[][] = Array.from({ length: yEdges.length - 1 }, () => Array.from({ length: xEdges.length - 1 }, () => null as number | null));
  for (const p of valid) {
    const row = cells[binOf(p.genes[b]!, yEdges)]!;
    const ix = binOf(p.genes[a]!, xEdges);
    const cur = row[ix]!;
    if (cur === null || p.fitness > cur) row[ix] = p.fitness;
  }
  const sensitivity = family.genes.map((g, j) => {
    const mine = neighbours.filter((n) => n.gene === j);
    const pts = [...mine.map((n) => ({ v: n.genes[j]!, f: n.fitness })), { v: winner[j]!, f: winnerFitness }].sort((x, y) => x.v - y.v);
    return { gene: g.name, winner: winner[j]!, values: pts.map((p) => p.v), fitness: pts.map((p) => p.f) };
  });
  const near = neighbours.filter((n) => Math.abs(n.fitness - winnerFitness) <= ROBUST_WITHIN * Math.abs(winnerFitness)).length;
  return {
    genes: [family.genes[a]!.name, family.genes[b]!.name],
    influence: Object.fromEntries(family.genes.map((g, j) => [g.name, infl[j]!])),
    xEdges,
    yEdges,
    cells,
    points: evaluated.length,
    sensitivity,
    winnerFitness,
    robustness: neighbours.length > 0 ? near / neighbours.length : 0,
    neighbours: neighbours.length,
    backtests,
  };
}
