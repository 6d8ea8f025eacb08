// Walk-forward window arithmetic (splitWindows): every expected window below is written out by
// hand from the rule "K + 1 equal segments of the in-sample part, the remainder to the last;
// fold k trains on segments 1..k and reports segment k + 1", so the test does not share the
// implementation's arithmetic. The last block checks that evolve() uses the same windows for its
// options (in process, tiny runs).
import { describe, expect, it } from 'vitest';
import { synthetic } from '../../src/data/synthetic.js';
import { EngineError } from '../../src/errors.js';
import { evolve } from '../../src/ga/evolve.js';
import { MIN_WINDOW_BARS, splitWindows } from '../../src/ga/windows.js';
import type { RunWindows } from '../../src/ga/windows.js';

const w = (start: number, end: number): { start: number; end: number } => ({ start, end });

/** The E_CONFIG error splitWindows throws, checked for the option it names. */
function configFailure(fn: () => unknown, option: string): EngineError {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(EngineError);
  const e = caught as EngineError;
  expect(e.code).toBe('E_CONFIG');
  expect(e.option).toBe(option);
  expect(e.message.startsWith(`${option}: `)).toBe(true);
  return e;
}

describe('splitWindows: no options, train fraction', () => {
  it('no options: one in-sample window over everything, nothing out of sample', () => {
    expect(splitWindows(100)).toEqual<RunWindows>({ train: [w(0, 100)], test: [], holdout: null });
    expect(splitWindows(2148)).toEqual<RunWindows>({ train: [w(0, 2148)], test: [], holdout: null });
  });

  it('train F: in-sample [0, floor(F n)), out of sample the rest', () => {
    expect(splitWindows(100, 0.7)).toEqual<RunWindows>({ train: [w(0, 70)], test: [w(70, 100)], holdout: null });
    // 0.7 x 1003 = 702.1 -> 702
    expect(splitWindows(1003, 0.7)).toEqual<RunWindows>({ train: [w(0, 702)], test: [w(702, 1003)], holdout: null });
    // 0.5 x 61 = 30.5 -> 30 in sample, 31 out: both at the 30-bar minimum or above
    expect(splitWindows(61, 0.5)).toEqual<RunWindows>({ train: [w(0, 30)], test: [w(30, 61)], holdout: null });
  });
});

describe('splitWindows: anchored walk-forward folds', () => {
  it('K = 3 over 1,000 bars: four segments of 250', () => {
    expect(splitWindows(1000, undefined, 3)).toEqual<RunWindows>({
      train: [w(0, 250), w(0, 500), w(0, 750)],
      test: [w(250, 500), w(500, 750), w(750, 1000)],
      holdout: null,
    });
  });

  it('K = 3 over 1,003 bars: segments of 250, the remainder (3 bars) goes to the last', () => {
    expect(splitWindows(1003, undefined, 3)).toEqual<RunWindows>({
      train: [w(0, 250), w(0, 500), w(0, 750)],
      test: [w(250, 500), w(500, 750), w(750, 1003)],
      holdout: null,
    });
  });

  it('K = 1 over 95 bars: two segments of 47, the last 48', () => {
    expect(splitWindows(95, undefined, 1)).toEqual<RunWindows>({ train: [w(0, 47)], test: [w(47, 95)], holdout: null });
  });

  it('K = 4 over 2,148 bars (GOOG): segments of 429, the last 432', () => {
    expect(splitWindows(2148, undefined, 4)).toEqual<RunWindows>({
      train: [w(0, 429), w(0, 858), w(0, 1287), w(0, 1716)],
      test: [w(429, 858), w(858, 1287), w(1287, 1716), w(1716, 2148)],
      holdout: null,
    });
  });

  it('folds + train: the folds cut the in-sample part, the rest is the final holdout', () => {
    // cut = 800; segments of floor(800 / 3) = 266, the last 268
    expect(splitWindows(1000, 0.8, 2)).toEqual<RunWindows>({
      train: [w(0, 266), w(0, 532)],
      test: [w(266, 532), w(532, 800)],
      holdout: w(800, 1000),
    });
    // cut = floor(0.7 x 1003) = 702; segments of floor(702 / 4) = 175, the last 177
    expect(splitWindows(1003, 0.7, 3)).toEqual<RunWindows>({
      train: [w(0, 175), w(0, 350), w(0, 525)],
      test: [w(175, 350), w(350, 525), w(525, 702)],
      holdout: w(702, 1003),
    });
  });

  it('every fold is anchored at bar 0, its test window follows its train window, and they tile the in-sample part', () => {
    for (const [n, train, folds] of [[997, undefined, 5], [5000, 0.7, 7], [1234, 0.9, 2]] as const) {
      const r = splitWindows(n, train, folds);
      const cut = train === undefined ? n : Math.floor(train * n);
      expect(r.train).toHaveLength(folds);
      r.train.forEach((tw, k) => {
        expect(tw.start).toBe(0);
        expect(r.test[k]!.start).toBe(tw.end);
        if (k > 0) expect(tw.end).toBe(r.test[k - 1]!.end);
      });
      expect(r.test.at(-1)!.end).toBe(cut);
      expect(r.holdout).toEqual(train === undefined ? null : w(cut, n));
    }
  });
});

describe('splitWindows: too small and invalid', () => {
  it(`needs at least ${MIN_WINDOW_BARS} bars in every window, naming the option that cut it`, () => {
    expect(MIN_WINDOW_BARS).toBe(30);
    configFailure(() => splitWindows(29), 'data');
    expect(splitWindows(30).train).toEqual([w(0, 30)]);
    // 100 x 0.75: 25 bars out of sample
    expect(configFailure(() => splitWindows(100, 0.75), 'train').message).toMatch(/25 bars in the out-of-sample window \[75, 100\)/);
    // 100 x 0.25: 25 bars in sample
    expect(configFailure(() => splitWindows(100, 0.25), 'train').message).toMatch(/in-sample window \[0, 25\)/);
    // 100 bars in 4 segments of 25
    expect(configFailure(() => splitWindows(100, undefined, 3), 'folds').message).toMatch(/fold 1 in-sample window \[0, 25\)/);
    expect(splitWindows(120, undefined, 3).train[0]).toEqual(w(0, 30));
    // the holdout [980, 1000) is 20 bars
    expect(configFailure(() => splitWindows(1000, 0.98, 2), 'train').message).toMatch(/holdout window \[980, 1000\)/);
  });

  it('rejects a train fraction outside (0, 1) and folds outside the integers 1..100', () => {
    for (const bad of [0, 1, 1.5, -0.1, NaN, Infinity]) {
      expect(configFailure(() => splitWindows(1000, bad), 'train').message).toContain(String(bad));
    }
    for (const bad of [0, -1, 1.5, 101, NaN]) {
      expect(configFailure(() => splitWindows(100_000, undefined, bad), 'folds').message).toContain(String(bad));
    }
    expect(splitWindows(100_000, undefined, 100).train).toHaveLength(100);
  });
});

describe('evolve() uses these windows', () => {
  const market = synthetic({ bars: 600, seed: 3 });
  const tiny = { market, strategy: 'sma-cross', population: 4, generations: 1, threads: 0 } as const;

  it('defaults to train 0.7; train null puts everything in sample; folds alone have no holdout', async () => {
    expect((await evolve(tiny)).windows).toEqual(splitWindows(600, 0.7));
    const whole = await evolve({ ...tiny, train: null });
    expect(whole.windows).toEqual({ train: [w(0, 600)], test: [], holdout: null });
    expect(whole.hallOfFame[0]!.outOfSample).toBeNull();
    const folds = await evolve({ ...tiny, folds: 2 });
    expect(folds.windows).toEqual({ train: [w(0, 200), w(0, 400)], test: [w(200, 400), w(400, 600)], holdout: null });
    const both = await evolve({ ...tiny, folds: 2, train: 0.5 });
    expect(both.windows).toEqual({ train: [w(0, 100), w(0, 200)], test: [w(100, 200), w(200, 300)], holdout: w(300, 600) });
    expect(both.hallOfFame[0]!.holdout).not.toBeNull();
    expect(both.hallOfFame[0]!.folds).toHaveLength(2);
  });

  it('rejects bad windows before any work, naming the option', async () => {
    await expect(evolve({ ...tiny, train: 1.5 })).rejects.toMatchObject({ code: 'E_CONFIG', option: 'train' });
    await expect(evolve({ ...tiny, folds: 30 })).rejects.toMatchObject({ code: 'E_CONFIG', option: 'folds' });
    await expect(evolve({ ...tiny, market: synthetic({ bars: 40, seed: 1 }) })).rejects.toMatchObject({ code: 'E_CONFIG', option: 'train' });
  });
});
