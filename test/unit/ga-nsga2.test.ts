import { describe, expect, it } from 'vitest';
import { assignCrowdingDistances, crowdingDistance, dominates, selNSGA2, selTournamentDCD, sortNondominated } from '../../src/ga/nsga2.js';
import type { Direction } from '../../src/ga/nsga2.js';
import { Random } from '../../src/random.js';

const flat = (points: number[][]): Float64Array => Float64Array.from(points.flat());
const lists = (fronts: Int32Array[]): number[][] => fronts.map((f) => Array.from(f));

// Objective 0 is a return (maximise), objective 1 a drawdown (minimise).
const MIXED: Direction[] = [1, -1];
const RET_DD = [
  [10, 5], // 0  front 0
  [8, 2], //  1  front 0
  [12, 9], // 2  front 0
  [6, 1], //  3  front 0
  [8, 2], //  4  front 0, duplicate of 1
  [7, 6], //  5  front 1: dominated by 0 and 1
  [10, 7], // 6  front 1: dominated by 0 (same return, deeper drawdown)
  [5, 1], //  7  front 1: dominated by 3 (lower return, same drawdown)
  [4, 8], //  8  front 2: dominated by 5
  [12, 9], // 9  front 0, duplicate of 2
];

describe('dominates', () => {
  const objs = flat(RET_DD);
  it('follows the directions: maximise the first objective, minimise the second', () => {
    expect(dominates(objs, 0, 5, 2, MIXED)).toBe(true);
    expect(dominates(objs, 5, 0, 2, MIXED)).toBe(false);
    expect(dominates(objs, 0, 6, 2, MIXED)).toBe(true); // equal return, smaller drawdown
    expect(dominates(objs, 3, 7, 2, MIXED)).toBe(true); // larger return, equal drawdown
    expect(dominates(objs, 0, 2, 2, MIXED)).toBe(false); // a trade-off
    expect(dominates(objs, 2, 0, 2, MIXED)).toBe(false);
    // With both maximised, the larger drawdown is better: 6 now dominates 0.
    expect(dominates(objs, 6, 0, 2, [1, 1])).toBe(true);
    expect(dominates(objs, 0, 6, 2, [1, 1])).toBe(false);
  });

  it('never holds between equal points', () => {
    expect(dominates(objs, 1, 4, 2, MIXED)).toBe(false);
    expect(dominates(objs, 4, 1, 2, MIXED)).toBe(false);
    expect(dominates(objs, 1, 1, 2, MIXED)).toBe(false);
  });

  it('treats NaN as the worst value in either direction', () => {
    const o = flat([
      [NaN, 0],
      [0, 0],
      [0, NaN],
    ]);
    expect(dominates(o, 1, 0, 2, MIXED)).toBe(true);
    expect(dominates(o, 0, 1, 2, MIXED)).toBe(false);
    expect(dominates(o, 1, 2, 2, MIXED)).toBe(true);
    expect(dominates(o, 1, 2, 2, [-1, 1])).toBe(true);
  });
});

describe('sortNondominated', () => {
  it('finds the hand-computed fronts, duplicates together, indices ascending', () => {
    expect(lists(sortNondominated(flat(RET_DD), 10, 2, MIXED))).toEqual([[0, 1, 2, 3, 4, 9], [5, 6, 7], [8]]);
  });

  it('changes with the directions', () => {
    // Both maximised: (12, 9) twice beats everything; then (10, 7) and (4, 8); then (10, 5)
    // and (7, 6); then (8, 2) twice; then (6, 1); then (5, 1).
    expect(lists(sortNondominated(flat(RET_DD), 10, 2, [1, 1]))).toEqual([[2, 9], [6, 8], [0, 5], [1, 4], [3], [7]]);
    // Both minimised: (5, 1) and (4, 8) are the extremes of the new Pareto front.
    expect(lists(sortNondominated(flat(RET_DD), 10, 2, [-1, -1]))[0]).toEqual([7, 8]);
  });

  it('stops once k individuals are sorted, and handles empty and single populations', () => {
    expect(lists(sortNondominated(flat(RET_DD), 10, 2, MIXED, 6))).toEqual([[0, 1, 2, 3, 4, 9]]);
    expect(lists(sortNondominated(flat(RET_DD), 10, 2, MIXED, 7))).toEqual([[0, 1, 2, 3, 4, 9], [5, 6, 7]]);
    expect(sortNondominated(new Float64Array(0), 0, 2, MIXED)).toEqual([]);
    expect(lists(sortNondominated(flat([[1, 1]]), 1, 2, MIXED))).toEqual([[0]]);
    // Only the first count rows count.
    expect(lists(sortNondominated(flat(RET_DD), 3, 2, MIXED))).toEqual([[0, 1, 2]]);
  });

  it('puts every individual in exactly one front, none dominated by a later front', () => {
    const rng = new Random(5);
    const count = 200;
    const m = 3;
    const objs = Float64Array.from({ length: count * m }, () => Math.round(rng.next() * 10));
    const dirs: Direction[] = [1, -1, 1];
    const fronts = sortNondominated(objs, count, m, dirs);
    const seen = fronts.flatMap((f) => Array.from(f)).sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: count }, (_, i) => i));
    for (let f = 0; f < fronts.length; f++) {
      for (const p of fronts[f]!) {
        for (const q of fronts[f]!) expect(dominates(objs, p, q, m, dirs)).toBe(false);
        // Something in the previous front dominates every member of a later one.
        if (f > 0) expect(Array.from(fronts[f - 1]!).some((q) => dominates(objs, q, p, m, dirs))).toBe(true);
      }
    }
  });

  it('rejects mismatched shapes', () => {
    expect(() => sortNondominated(flat(RET_DD), 10, 2, [1])).toThrow(RangeError);
    expect(() => sortNondominated(flat(RET_DD), 11, 2, MIXED)).toThrow(RangeError);
  });
});

// A five-point front when both objectives are minimised (x rises while y falls), and three
// points behind it: F (5, 7) and H (3, 8) in front 1, G (11, 10) in front 2.
const MIN2: Direction[] = [-1, -1];
const FIVE = [
  [1, 9], //  0 A
  [2, 6], //  1 B
  [4, 5], //  2 C
  [7, 2], //  3 D
  [10, 1], // 4 E
  [5, 7], //  5 F
  [11, 10], // 6 G
  [3, 8], //  7 H
];

describe('crowdingDistance', () => {
  it('matches the hand computation on a five-point front', () => {
    // Objective 0 sorted: A 1, B 2, C 4, D 7, E 10 (range 9): B (4-1)/9, C (7-2)/9, D (10-4)/9.
    // Objective 1 sorted: E 1, D 2, C 5, B 6, A 9 (range 8): D (5-1)/8, C (6-2)/8, B (9-5)/8.
    // A and E are the ends: Infinity.
    const d = crowdingDistance(flat(FIVE), Int32Array.of(0, 1, 2, 3, 4), 2);
    expect(d[0]).toBe(Infinity);
    expect(d[4]).toBe(Infinity);
    expect(d[1]).toBeCloseTo(3 / 9 + 4 / 8, 15);
    expect(d[2]).toBeCloseTo(5 / 9 + 4 / 8, 15);
    expect(d[3]).toBeCloseTo(6 / 9 + 4 / 8, 15);
  });

  it('gives each member the same distance whatever the order of the front', () => {
    const d = crowdingDistance(flat(FIVE), Int32Array.of(3, 0, 4, 2, 1), 2);
    const ref = crowdingDistance(flat(FIVE), Int32Array.of(0, 1, 2, 3, 4), 2);
    expect(Array.from(d)).toEqual([ref[3], ref[0], ref[4], ref[2], ref[1]]);
  });

  it('breaks ties between duplicates by index', () => {
    // Objective 0: (1: #0, #1), 2: #2, 4: #3; range 3: #0 first (Infinity), #3 last, #1 (2-1)/3,
    // #2 (4-1)/3. Objective 1 ascending: 1: #3, 3: #2, (5: #0, #1); range 4: #3 first, #1 last
    // (the higher index of the tie), #2 (5-1)/4, #0 (5-3)/4.
    const d = crowdingDistance(flat([[1, 5], [1, 5], [2, 3], [4, 1]]), Int32Array.of(0, 1, 2, 3), 2);
    expect(Array.from(d)).toEqual([Infinity, Infinity, 1 + 1, Infinity]);
  });

  it('gives only the ends Infinity on a constant objective, and never NaN', () => {
    expect(Array.from(crowdingDistance(flat([[1, 0], [2, 0], [3, 0]]), Int32Array.of(0, 1, 2), 2))).toEqual([Infinity, 1, Infinity]);
    expect(Array.from(crowdingDistance(flat([[1, 0]]), Int32Array.of(0), 2))).toEqual([Infinity]);
    expect(crowdingDistance(flat([]), new Int32Array(0), 2)).toHaveLength(0);
    const withInf = crowdingDistance(flat([[1, 0], [2, 1], [Infinity, 2], [NaN, 3], [3, 4]]), Int32Array.of(0, 1, 2, 3, 4), 2);
    expect(withInf.some((v) => Number.isNaN(v))).toBe(false);
  });

  it('assigns every individual the distance within its own front', () => {
    const objs = flat(FIVE);
    const fronts = sortNondominated(objs, 8, 2, MIN2);
    expect(lists(fronts)).toEqual([[0, 1, 2, 3, 4], [5, 7], [6]]);
    const all = assignCrowdingDistances(objs, 8, 2, fronts);
    expect(Array.from(all.subarray(0, 5))).toEqual(Array.from(crowdingDistance(objs, fronts[0]!, 2)));
    expect(all[5]).toBe(Infinity);
    expect(all[6]).toBe(Infinity);
    expect(all[7]).toBe(Infinity);
  });
});

describe('selNSGA2', () => {
  const objs = flat(FIVE);
  it('fills whole fronts, then the most isolated members of the next one', () => {
    // Front 0 by crowding: A, E (Infinity, A the lower index), D 1.17, C 1.06, B 0.83.
    expect(Array.from(selNSGA2(objs, 8, 2, MIN2, 1))).toEqual([0]);
    expect(Array.from(selNSGA2(objs, 8, 2, MIN2, 3))).toEqual([0, 4, 3]);
    expect(Array.from(selNSGA2(objs, 8, 2, MIN2, 4))).toEqual([0, 4, 3, 2]);
    expect(Array.from(selNSGA2(objs, 8, 2, MIN2, 5))).toEqual([0, 1, 2, 3, 4]);
    // Front 1 is F and H, both ends (Infinity): the lower index first.
    expect(Array.from(selNSGA2(objs, 8, 2, MIN2, 6))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(selNSGA2(objs, 8, 2, MIN2, 7))).toEqual([0, 1, 2, 3, 4, 5, 7]);
    expect(Array.from(selNSGA2(objs, 8, 2, MIN2, 8))).toEqual([0, 1, 2, 3, 4, 5, 7, 6]);
    expect(selNSGA2(objs, 8, 2, MIN2, 0)).toHaveLength(0);
  });

  it('with mixed directions keeps the Pareto front of returns and drawdowns first', () => {
    // Front 0 of RET_DD: #0 (10, 5), #1 (8, 2), #2 (12, 9), #3 (6, 1), #4 (8, 2), #9 (12, 9).
    // Return sorted: #3 6, #1 8, #4 8, #0 10, #2 12, #9 12 (range 6): ends #3 and #9;
    //   #1 (8-6)/6, #4 (10-8)/6, #0 (12-8)/6, #2 (12-10)/6.
    // Drawdown sorted: #3 1, #1 2, #4 2, #0 5, #2 9, #9 9 (range 8): ends #3 and #9;
    //   #1 (2-1)/8, #4 (5-2)/8, #0 (9-2)/8, #2 (9-5)/8.
    // Totals: #3, #9 Infinity; #0 1.54; #2 0.83; #4 0.71; #1 0.46.
    expect(Array.from(selNSGA2(flat(RET_DD), 10, 2, MIXED, 4))).toEqual([3, 9, 0, 2]);
    // Front 1: #5 (7, 6), #6 (10, 7), #7 (5, 1): #6 and #7 are the ends of both objectives.
    expect(Array.from(selNSGA2(flat(RET_DD), 10, 2, MIXED, 8))).toEqual([0, 1, 2, 3, 4, 9, 6, 7]);
  });

  it('rejects k outside [0, count]', () => {
    expect(() => selNSGA2(objs, 8, 2, MIN2, 9)).toThrow(RangeError);
    expect(() => selNSGA2(objs, 8, 2, MIN2, -1)).toThrow(RangeError);
  });
});

describe('selTournamentDCD', () => {
  const objs = flat(FIVE);
  const fronts = sortNondominated(objs, 8, 2, MIN2);
  const crowd = assignCrowdingDistances(objs, 8, 2, fronts);

  it('wins on dominance, then on crowding, else by a coin flip (replayed draws)', () => {
    for (let seed = 0; seed < 20; seed++) {
      const rng = new Random(seed);
      const replay = Random.fromState(rng.getState());
      const chosen = selTournamentDCD(rng, objs, 8, 2, MIN2, crowd, 8);
      const perm = (): number[] => {
        const p = Array.from({ length: 8 }, (_, i) => i);
        for (let i = 7; i > 0; i--) {
          const j = replay.int(0, i);
          [p[i], p[j]] = [p[j]!, p[i]!];
        }
        return p;
      };
      const p1 = perm();
      const p2 = perm();
      const pairs = [
        [p1[0], p1[1]],
        [p1[2], p1[3]],
        [p2[0], p2[1]],
        [p2[2], p2[3]],
        [p1[4], p1[5]],
        [p1[6], p1[7]],
        [p2[4], p2[5]],
        [p2[6], p2[7]],
      ] as [number, number][];
      pairs.forEach(([a, b], s) => {
        let expected: number;
        if (dominates(objs, a, b, 2, MIN2)) expected = a;
        else if (dominates(objs, b, a, 2, MIN2)) expected = b;
        else if (crowd[a]! !== crowd[b]!) expected = crowd[a]! > crowd[b]! ? a : b;
        else expected = replay.next() <= 0.5 ? a : b;
        expect(chosen[s]).toBe(expected);
      });
      expect(rng.getState()).toEqual(replay.getState());
    }
  });

  it('is deterministic and checks its sizes', () => {
    expect(selTournamentDCD(new Random(3), objs, 8, 2, MIN2, crowd, 4)).toEqual(selTournamentDCD(new Random(3), objs, 8, 2, MIN2, crowd, 4));
    expect(() => selTournamentDCD(new Random(3), objs, 7, 2, MIN2, crowd, 4)).toThrow(RangeError);
    expect(() => selTournamentDCD(new Random(3), objs, 8, 2, MIN2, crowd, 6)).toThrow(RangeError);
    expect(() => selTournamentDCD(new Random(3), objs, 8, 2, MIN2, crowd, 12)).toThrow(RangeError);
  });
});
