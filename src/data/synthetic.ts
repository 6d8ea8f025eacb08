import { configError } from '../errors.js';
import { Random } from '../random.js';
import { allocateMarket } from './market.js';
import type { MarketData } from './market.js';

/** Options of the built-in synthetic source. */
export interface SyntheticOptions {
  /**
   * Number of bars, an integer in [1, 10,000,000].
   * @default 5000
   */
  bars?: number;
  /**
   * PRNG seed, an integer in [0, 2^32 - 1].
   * @default 42
   */
  seed?: number;
  /**
   * Epoch milliseconds (a whole number) of the first bar; a Saturday or Sunday moves to the
   * following Monday, keeping the time of day.
   * @default Date.UTC(2000, 0, 3), Monday 2000-01-03T00:00:00Z
   */
  start?: number;
}

/** Bars generated when no count is given. */
export const DEFAULT_SYNTHETIC_BARS = 5000;
/** Seed used when none is given. */
export const DEFAULT_SYNTHETIC_SEED = 42;
/** Monday 2000-01-03T00:00:00Z. */
export const DEFAULT_SYNTHETIC_START = Date.UTC(2000, 0, 3);
/**
 * Upper bound on `bars`: with the model's drifts the log price stays far from overflow and
 * underflow (|drift| x bars is a few hundred at most), so every generated bar is valid.
 */
export const MAX_SYNTHETIC_BARS = 10_000_000;

const MS_PER_DAY = 86_400_000;
const START_PRICE = 100;
const BASE_VOLUME = 1_000_000;

/** Daily volatility and drift of each regime: calm, normal, turbulent. */
const REGIME_VOL = [0.006, 0.012, 0.03];
const REGIME_DRIFT = [0.0005, 0.0002, -0.001];
/** Cumulative transition probabilities, row = current regime. Sticky: mean stays of 67, 50, 25 bars. */
const REGIME_CUMULATIVE = [
  [0.985, 1, 1],
  [0.01, 0.99, 1],
  [0, 0.04, 1],
];
const NORMAL_REGIME = 1;
/** Overnight gap, intrabar wicks and log-volume noise, as multiples of the regime's volatility. */
const GAP_SCALE = 0.1;
const WICK_SCALE = 0.5;
const VOLUME_NOISE = 0.3;

/**
 * The built-in synthetic source (SPEC section 1): a seeded geometric random walk with
 * volatility regimes, producing valid OHLCV bars.
 *
 * Model, per bar t (one Random stream, drawn in this order):
 * - regime: a 3-state Markov chain, calm (vol 0.6%, drift +0.05%), normal (1.2%, +0.02%),
 *   turbulent (3%, -0.1%), with sticky transitions; the chain starts in `normal`;
 * - close[t] = close[t-1] x exp(drift - vol^2/2 + vol x z), z ~ N(0, 1), close[-1] = 100;
 * - open[t] = close[t-1] x exp(0.1 x vol x z'), a small overnight gap;
 * - high = max(open, close) x exp(0.5 x vol x |z''|), low = min(open, close) x exp(-0.5 x vol x |z'''|);
 * - volume = round(1e6 x vol / 1.2% x exp(0.3 x z'''')), at least 1: busier when turbulent;
 * - time: consecutive weekdays (Monday to Friday) from `start`.
 *
 * Bars are generated sequentially, so the first k bars of a longer series equal the series of
 * k bars with the same seed. Randomness comes only from `Random`; the remaining math is
 * exp/log/sqrt, which V8 computes with its own fdlibm port, so the bits are the same on every
 * machine.
 */
export function synthetic(options: SyntheticOptions = {}): MarketData {
  const bars = options.bars ?? DEFAULT_SYNTHETIC_BARS;
  const seed = options.seed ?? DEFAULT_SYNTHETIC_SEED;
  const start = options.start ?? DEFAULT_SYNTHETIC_START;
  if (!Number.isInteger(bars) || bars < 1 || bars > MAX_SYNTHETIC_BARS) {
    throw configError('bars', `expected an integer in [1, ${MAX_SYNTHETIC_BARS}], got ${bars}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw configError('seed', `expected an integer in [0, 4294967295], got ${seed}`);
  }
  // The last bar may be up to 1.4 x bars days later; keep it inside the Date range.
  if (!Number.isInteger(start) || Math.abs(start) > 8e15) {
    throw configError('start', `expected whole epoch milliseconds within the Date range, got ${start}`);
  }
  const startText = start === DEFAULT_SYNTHETIC_START ? '' : `,start=${new Date(start).toISOString()}`;
  const m = allocateMarket(bars, `synthetic(seed=${seed},bars=${bars}${startText})`, true);
  const { time, open, high, low, close, volume } = m;
  const rng = new Random(seed);
  let regime = NORMAL_REGIME;
  let prevClose = START_PRICE;
  let t = nextWeekday(start);
  for (let i = 0; i < bars; i++) {
    const u = rng.next();
    const row = REGIME_CUMULATIVE[regime]!;
    regime = u < row[0]! ? 0 : u < row[1]! ? 1 : 2;
    const vol = REGIME_VOL[regime]!;
    const drift = REGIME_DRIFT[regime]!;
    const o = prevClose * Math.exp(GAP_SCALE * vol * rng.normal());
    const c = prevClose * Math.exp(drift - (vol * vol) / 2 + vol * rng.normal());
    // exp(x >= 0) >= 1 and exp(x <= 0) <= 1, and rounding is monotonic, so the wicks can
    // never cross the body: high >= max(open, close) and low <= min(open, close) hold exactly.
    const h = (o > c ? o : c) * Math.exp(WICK_SCALE * vol * Math.abs(rng.normal()));
    const l = (o < c ? o : c) * Math.exp(-WICK_SCALE * vol * Math.abs(rng.normal()));
    const v = Math.max(1, Math.round(((BASE_VOLUME * vol) / REGIME_VOL[NORMAL_REGIME]!) * Math.exp(VOLUME_NOISE * rng.normal())));
    time[i] = t;
    open[i] = o;
    high[i] = h;
    low[i] = l;
    close[i] = c;
    volume[i] = v;
    prevClose = c;
    t = nextWeekday(t + MS_PER_DAY);
  }
  return m;
}

/** `t` itself on Monday to Friday (UTC), else the following Monday at the same time of day. */
function nextWeekday(t: number): number {
  // 1970-01-01 was a Thursday: day 0 has weekday 4 (0 = Sunday).
  const weekday = (((Math.floor(t / MS_PER_DAY) + 4) % 7) + 7) % 7;
  if (weekday === 6) return t + 2 * MS_PER_DAY;
  if (weekday === 0) return t + MS_PER_DAY;
  return t;
}
