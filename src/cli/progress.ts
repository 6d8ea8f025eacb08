import type { GenerationReport } from '../ga/evolve.js';

const fmt = (x: number, d = 4): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));

function duration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '--:--';
  const t = Math.round(s);
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
}

/** Width assumed for a terminal that does not say (a pty without a size, say). */
export const DEFAULT_COLUMNS = 80;

interface Field {
  text: string;
  /** Lower is kept longer. */
  priority: number;
}

/** The fields of one progress line, in display order, with the priority that decides which go first. */
function fields(r: GenerationReport): Field[] {
  const g = r.stats;
  const done = g.generation + 1;
  const rho = g.diversity.hallOfFameCorrelation;
  const out: Field[] = [
    { text: `gen ${String(done).padStart(String(r.generations).length)}/${r.generations}`, priority: 0 },
    { text: `best ${fmt(g.best)}`, priority: 0 },
    { text: `mean ${fmt(g.mean)}`, priority: 2 },
  ];
  if (g.penalized > 0) out.push({ text: `(${g.penalized} under min trades)`, priority: 6 });
  if (g.front !== undefined) out.push({ text: `front ${g.front}`, priority: 3 });
  out.push(
    { text: `${Math.round(r.evaluationsPerSecond).toLocaleString('en-US')} evals/s`, priority: 4 },
    { text: `hof rho ${rho === null ? 'n/a' : rho.toFixed(2)}`, priority: 7 },
    { text: `spread ${g.diversity.genotypeSpread.toFixed(2)}`, priority: 8 },
    { text: `cache ${(r.cacheHitRate * 100).toFixed(0)}%`, priority: 5 },
    { text: `ETA ${duration(r.etaSeconds)}`, priority: 1 },
  );
  return out;
}

/** One plain progress line (not a terminal): every field, one line per generation. */
export function progressLine(r: GenerationReport): string {
  return fields(r).map((f) => f.text).join('  ');
}

/**
 * The progress line of a terminal `columns` wide: at most columns - 1 characters (so the
 * terminal never wraps it and `\r` redraws it in place); fields are dropped by priority (the
 * least useful first: spread, hall-of-fame correlation, the penalty count, cache, speed, front,
 * mean; generation, best and ETA stay) until they fit beside the bar (20 cells from 120
 * columns, 10 from 60, none below).
 */
export function fittedProgressLine(r: GenerationReport, columns: number | undefined): string {
  const width = Math.max(20, (columns !== undefined && columns > 0 ? columns : DEFAULT_COLUMNS) - 1);
  // The bar's size depends on the width only, so redraws do not jump.
  const cells = width >= 120 ? 20 : width >= 60 ? 10 : 0;
  const target = cells > 0 ? width - cells - 3 : width;
  let kept = fields(r);
  const len = (fs: Field[]): number => fs.reduce((s, f) => s + f.text.length, 0) + 2 * Math.max(0, fs.length - 1);
  while (len(kept) > target) {
    const worst = Math.max(...kept.map((f) => f.priority));
    if (worst === 0) break;
    const i = kept.map((f) => f.priority).lastIndexOf(worst);
    kept = kept.filter((_, j) => j !== i);
  }
  let line = kept.map((f) => f.text).join('  ');
  if (cells > 0) {
    const filled = Math.round(((r.stats.generation + 1) / r.generations) * cells);
    line = `[${'#'.repeat(filled)}${'.'.repeat(cells - filled)}] ${line}`;
  }
  return line.length > width ? line.slice(0, width) : line;
}

/** Redraws a line in place on a terminal: carriage return, the line, clear to the end of the line. */
export function redraw(line: string): string {
  return `\r${line}\x1b[K`;
}
