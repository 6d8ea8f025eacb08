// What the CLI prints about every window and the NSGA-II ranking (issue 14 item 3), the data's
// own time resolution and plain stop reasons (item 8).
import { describe, expect, it } from 'vitest';
import { timeFormatter } from '../../src/cli/format.js';
import { paretoTable, stopText, windowRows, windowsTable } from '../../src/cli/result-tables.js';
import { synthetic } from '../../src/data/synthetic.js';
import { evolve } from '../../src/ga/evolve.js';
import { rankByFrontAndCrowding } from '../../src/ga/ranking.js';

describe('timeFormatter', () => {
  it('prints times in the resolution of the data', () => {
    const day = Date.UTC(2015, 2, 2);
    expect(timeFormatter([day, day + 86_400_000])(day)).toBe('2015-03-02');
    const hour = Date.UTC(2017, 3, 19, 9);
    expect(timeFormatter([day, hour])(hour)).toBe('2017-04-19 09:00');
    expect(timeFormatter([hour + 5000])(hour + 5000)).toBe('2017-04-19 09:00:05');
    expect(timeFormatter([hour + 5])(hour + 5)).toBe('2017-04-19 09:00:00.005');
  });
});

describe('rankByFrontAndCrowding', () => {
  it('front first, then crowding (extremes first), then the first objective; duplicates once', () => {
    // maximise both: front 0 = a(3,1), b(2,2), c(1,3); front 1 = d(1,1); e duplicates b
    const objs = new Float64Array([3, 1, 2, 2, 1, 3, 1, 1, 2, 2]);
    const r = rankByFrontAndCrowding(objs, 5, 2, [1, 1], ['a', 'b', 'c', 'd', 'b']);
    expect(r.map((x) => x.index)).toEqual([0, 2, 1, 3]);
    expect(r.map((x) => x.front)).toEqual([0, 0, 0, 1]);
    expect(r[0]!.crowding).toBe(Infinity);
    expect(r[2]!.crowding).toBeGreaterThan(0);
    expect(Number.isFinite(r[2]!.crowding)).toBe(true);
  });
});

describe('tables of a run with folds and a holdout', () => {
  it('the best genome on each fold in and out of sample, then the holdout; stop reason in words', async () => {
    const r = await evolve({ market: synthetic({ bars: 2000, seed: 3 }), population: 16, generations: 3, folds: 3, train: 0.8, threads: 0 });
    const rows = windowRows(r);
    expect(rows.map((x) => x.label)).toEqual([
      'fold 1 in-sample', 'fold 1 out-of-sample', 'fold 2 in-sample', 'fold 2 out-of-sample', 'fold 3 in-sample', 'fold 3 out-of-sample', 'holdout',
    ]);
    const best = r.hallOfFame[0]!;
    expect(rows[1]!.m).toEqual(best.folds![0]!.outOfSample);
    expect(rows[6]!.m).toEqual(best.holdout);
    expect([rows[6]!.start, rows[6]!.end]).toEqual([1600, 2000]);
    expect(windowsTable(r).split('\n')).toHaveLength(2 + 7);
    expect(windowsTable(r)).toMatch(/^holdout +\[1600, 2000\) /m);
    expect(stopText(r)).toBe('stopped after 3 generations: reached the limit of 3 generations');
  });

  it('NSGA-II: the hall of fame by front then crowding; the Pareto table sorted by the first objective', async () => {
    const r = await evolve({ market: synthetic({ bars: 1500, seed: 3 }), population: 24, generations: 4, objectives: 'max:sharpe,min:maxDrawdown', threads: 0 });
    const fronts = r.hallOfFame.map((h) => h.front!);
    expect([...fronts].sort((a, b) => a - b)).toEqual(fronts);
    for (let i = 1; i < r.hallOfFame.length; i++) {
      if (fronts[i] === fronts[i - 1]) expect(r.hallOfFame[i]!.crowding!).toBeLessThanOrEqual(r.hallOfFame[i - 1]!.crowding!);
    }
    // fitness in NSGA-II mode is the first objective, not an unexplained scalar
    for (const h of r.hallOfFame) expect(h.fitness).toBe(h.objectives!['sharpe']);
    const sharpe = r.paretoFront!.map((p) => p.objectives!['sharpe']!);
    expect([...sharpe].sort((a, b) => b - a)).toEqual(sharpe);
    expect(paretoTable(r).split('\n')[0]).toMatch(/^# +max:sharpe +min:maxDrawdown +IS trades +OOS sharpe +parameters$/);
  });
});
