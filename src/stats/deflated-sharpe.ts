// The Probabilistic and the Deflated Sharpe Ratio.
//
// D. H. Bailey and M. Lopez de Prado (2014), "The Deflated Sharpe Ratio: Correcting for
// Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management
// 40(5), 94-107. The Probabilistic Sharpe Ratio it builds on: D. H. Bailey and M. Lopez de Prado
// (2012), "The Sharpe Ratio Efficient Frontier", Journal of Risk 15(2), 3-44.
//
// A genetic algorithm tries thousands of genomes and reports the best one. Even when no genome
// has any skill, the best of N Sharpe ratios is positive and grows with N; the DSR asks how
// likely the best one's true Sharpe is above what the best of N skill-less trials would show:
//
//   SR0 = sqrt(V) * ((1 - γ) Φ^-1(1 - 1/N) + γ Φ^-1(1 - 1/(N e)))        (DSR paper, eq. 2)
//   PSR(SR*) = Φ( (SR^ - SR*) sqrt(T - 1) / sqrt(1 - γ3 SR^ + (γ4 - 1)/4 SR^2) )
//   DSR = PSR(SR0)
//
// with SR^ the selected strategy's per-period (not annualised) Sharpe ratio, γ3 its returns'
// skewness, γ4 their (non-excess) kurtosis, T the number of returns, V the variance of the
// per-period Sharpe ratios of the N trials, γ the Euler-Mascheroni constant and e Euler's number.
// Everything is per period because the standard error of SR^ (the denominator, Mertens 2002 /
// Lo 2002 under non-normal iid returns) is stated per observation.

import { configError } from '../errors.js';
import { normalCdf, normalQuantile } from './normal.js';

/** The Euler-Mascheroni constant γ. */
export const EULER_MASCHERONI = 0.5772156649015329;

/**
 * Sample moments of one return series, with the estimator of each stated, because the DSR reads
 * the Sharpe ratio, the skewness and the kurtosis from them.
 */
export interface ReturnMoments {
  /** Arithmetic mean of the returns. */
  mean: number;
  /** Sample standard deviation, ddof = 1 (divisor T - 1), as SPEC section 5's Sharpe uses. */
  std: number;
  /**
   * Skewness m3 / m2^(3/2) with the moment estimators m_k = (1/T) Σ (r - mean)^k (the plain,
   * not bias-adjusted, estimator; scipy.stats.skew with bias=True). NaN when m2 = 0.
   */
  skewness: number;
  /**
   * Non-excess kurtosis m4 / m2^2 (3 for a normal distribution), same moment estimators
   * (scipy.stats.kurtosis with fisher=False, bias=True). NaN when m2 = 0.
   */
  kurtosis: number;
  /** Per-period Sharpe ratio mean / std (no annualisation, no risk-free rate); 0 when std = 0. */
  sharpe: number;
  /** Number of returns T. */
  count: number;
}

/**
 * Moments of a per-bar return series r[t] = E[t]/E[t-1] - 1 (SPEC section 5), as the DSR needs
 * them.
 *
 * Estimators: the mean and the standard deviation are the sample ones (ddof = 1), so `sharpe`
 * is SPEC section 5's Sharpe ratio divided by sqrt(periodsPerYear). The skewness and the kurtosis
 * are the plain moment ratios m3/m2^1.5 and m4/m2^2 with m_k = (1/T) Σ (r - mean)^k, the standard
 * sample estimators the paper uses (and its authors' code, via scipy's defaults). They are the
 * moments of the empirical distribution, so they satisfy Pearson's inequality γ4 >= 1 + γ3^2,
 * which keeps the PSR's variance term 1 - γ3 SR + (γ4 - 1)/4 SR^2 >= (1 - γ3 SR / 2)^2 >= 0.
 *
 * Edge cases: T = 0 gives NaN moments and Sharpe 0; T = 1 gives std NaN and Sharpe 0; a constant
 * series (m2 = 0) gives std 0, Sharpe 0, skewness and kurtosis NaN (undefined; the PSR ignores
 * them when the Sharpe is 0, see `probabilisticSharpe`). Non-finite returns propagate as NaN.
 */
export function returnMoments(returns: Float64Array): ReturnMoments {
  const n = returns.length;
  if (n === 0) return { mean: NaN, std: NaN, skewness: NaN, kurtosis: NaN, sharpe: 0, count: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += returns[i]!;
  const mean = sum / n;
  // Two passes (centre first): the one-pass Σr^2 - n mean^2 loses most digits when |mean| >> std.
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let allEqual = true;
  const first = returns[0]!;
  for (let i = 0; i < n; i++) {
    const x = returns[i]!;
    if (x !== first) allEqual = false;
    const d = x - mean;
    const d2 = d * d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }
  // A constant series can leave s2 a few ulps above 0 (the mean of equal values need not equal
  // them exactly): call it 0, so a strategy that never trades has Sharpe 0, as SPEC section 5 says.
  if (allEqual && Number.isFinite(first)) s2 = s3 = s4 = 0;
  const std = n > 1 ? Math.sqrt(s2 / (n - 1)) : NaN;
  const m2 = s2 / n;
  const skewness = m2 > 0 ? s3 / n / Math.pow(m2, 1.5) : NaN;
  const kurtosis = m2 > 0 ? s4 / n / (m2 * m2) : NaN;
  const sharpe = std > 0 ? mean / std : 0;
  return { mean, std, skewness, kurtosis, sharpe, count: n };
}

/**
 * Sample variance (ddof = 1) of the trials' per-period Sharpe ratios: the V of the DSR. Pass one
 * Sharpe per distinct trial (a genome evaluated twice is one trial). Annualised Sharpe ratios
 * must be divided by sqrt(periodsPerYear) first. NaN with fewer than 2 values.
 */
export function sharpeVariance(sharpes: ArrayLike<number>): number {
  const n = sharpes.length;
  if (n < 2) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sharpes[i]!;
  const mean = sum / n;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const d = sharpes[i]! - mean;
    s2 += d * d;
  }
  return s2 / (n - 1);
}

/**
 * The expected maximum of N per-period Sharpe ratios when no trial has skill (DSR paper, eq. 2,
 * from the False Strategy theorem): SR0 = sqrt(V) ((1 - γ) Φ^-1(1 - 1/N) + γ Φ^-1(1 - 1/(N e))).
 *
 * N may be fractional (an effective number of independent trials). N = 1 gives 0: with a single
 * trial nothing was selected, and the formula's Φ^-1(0) = -Infinity has no meaning there. The
 * approximation is asymptotic in N and dips below 0 for N just above 1 (N < 1.2836), where
 * the expected maximum of zero-mean normals is still >= 0; it is clamped at 0 there.
 *
 * @throws EngineError E_CONFIG when N < 1 or V < 0 or either is not finite.
 */
export function expectedMaxSharpe(variance: number, trials: number): number {
  checkTrials(trials);
  checkVariance(variance);
  if (trials === 1 || variance === 0) return 0;
  const z =
    (1 - EULER_MASCHERONI) * normalQuantile(1 - 1 / trials) +
    EULER_MASCHERONI * normalQuantile(1 - 1 / (trials * Math.E));
  return Math.max(0, Math.sqrt(variance) * z);
}

/** The selected strategy's return statistics, per period (see `ReturnMoments`). */
export interface SharpeSample {
  /** Per-period (not annualised) Sharpe ratio SR^ of the returns. */
  sharpe: number;
  /** Skewness γ3 of the returns. */
  skewness: number;
  /** Non-excess kurtosis γ4 of the returns (3 for normal returns). */
  kurtosis: number;
  /** Number of returns T. */
  bars: number;
}

/**
 * The Probabilistic Sharpe Ratio: the probability that the true per-period Sharpe ratio exceeds
 * `benchmark` (SR*), given the observed SR^ over T returns with skewness γ3 and kurtosis γ4
 * (Bailey and Lopez de Prado 2012):
 *
 *   PSR(SR*) = Φ( (SR^ - SR*) sqrt(T - 1) / sqrt(1 - γ3 SR^ + (γ4 - 1)/4 SR^2) )
 *
 * Guards, each giving NaN rather than a number that looks meaningful:
 * - T < 2: there is no standard error (sqrt(T - 1) is 0 or undefined).
 * - a variance term 1 - γ3 SR^ + (γ4 - 1)/4 SR^2 that is <= 0 or not finite: impossible for
 *   the moments of real data (Pearson's inequality, see `returnMoments`), so it means the given
 *   moments are inconsistent; dividing by a clamped 0 would report certainty.
 * When SR^ = 0 the higher-moment terms vanish and are not read, so a constant series (Sharpe 0,
 * skewness and kurtosis NaN) gives Φ(-SR* sqrt(T - 1)). Otherwise the result is in [0, 1].
 *
 * @param benchmark SR*, per period. @default 0
 */
export function probabilisticSharpe(sample: SharpeSample, benchmark = 0): number {
  const { sharpe: sr, skewness, kurtosis, bars } = sample;
  if (!(bars >= 2) || !Number.isFinite(sr) || !Number.isFinite(benchmark)) return NaN;
  const v = sr === 0 ? 1 : 1 - skewness * sr + ((kurtosis - 1) / 4) * sr * sr;
  if (!(v > 0) || !Number.isFinite(v)) return NaN;
  return normalCdf(((sr - benchmark) * Math.sqrt(bars - 1)) / Math.sqrt(v));
}

/** Inputs of `deflatedSharpe`: the selected strategy's statistics and the trials it won. */
export interface DeflatedSharpeInput extends SharpeSample {
  /** V: variance of the per-period Sharpe ratios across the distinct trials (see `sharpeVariance`). */
  variance: number;
  /** N: number of distinct trials (genomes evaluated), >= 1; may be an effective, fractional count. */
  trials: number;
}

/** The Deflated Sharpe Ratio and what went into it. */
export interface DeflatedSharpeResult {
  /** DSR = PSR(SR0): probability that the selected Sharpe beats the best of N lucky trials; NaN when undefined (see `probabilisticSharpe`). */
  dsr: number;
  /** PSR(0): probability that the true Sharpe is above 0, ignoring the selection. */
  psr0: number;
  /** SR0: expected maximum per-period Sharpe of N skill-less trials (`expectedMaxSharpe`). */
  sr0: number;
  /** SR^, per period, as given. */
  sharpe: number;
  skewness: number;
  kurtosis: number;
  trials: number;
  variance: number;
  /** T, the number of returns. */
  bars: number;
}

/**
 * The Deflated Sharpe Ratio (Bailey and Lopez de Prado 2014): PSR against SR0, the Sharpe ratio
 * the best of `trials` skill-less strategies would show given the trials' Sharpe variance.
 * DSR near 1: the selected Sharpe is unlikely to be a product of the search; near 0.5 or below:
 * it is what the search alone would have produced. N = 1 or V = 0 give SR0 = 0, so DSR = PSR(0).
 *
 * @throws EngineError E_CONFIG when trials < 1, variance < 0, or either is not finite.
 */
export function deflatedSharpe(input: DeflatedSharpeInput): DeflatedSharpeResult {
  const sr0 = expectedMaxSharpe(input.variance, input.trials);
  return {
    dsr: probabilisticSharpe(input, sr0),
    psr0: probabilisticSharpe(input, 0),
    sr0,
    sharpe: input.sharpe,
    skewness: input.skewness,
    kurtosis: input.kurtosis,
    trials: input.trials,
    variance: input.variance,
    bars: input.bars,
  };
}

/**
 * `deflatedSharpe` from the selected strategy's per-bar returns (moments by `returnMoments`) and
 * the trials' per-period Sharpe ratios (V by `sharpeVariance`, N = their count).
 *
 * @param trials N. @default trialSharpes.length
 */
export function deflatedSharpeFromReturns(
  returns: Float64Array,
  trialSharpes: ArrayLike<number>,
  trials: number = trialSharpes.length,
): DeflatedSharpeResult {
  const m = returnMoments(returns);
  const variance = trialSharpes.length < 2 ? 0 : sharpeVariance(trialSharpes);
  return deflatedSharpe({ sharpe: m.sharpe, skewness: m.skewness, kurtosis: m.kurtosis, bars: m.count, variance, trials });
}

function checkTrials(trials: number): void {
  if (!Number.isFinite(trials) || trials < 1) throw configError('trials', `must be a finite number >= 1 (got ${trials})`);
}

function checkVariance(variance: number): void {
  if (!Number.isFinite(variance) || variance < 0) throw configError('variance', `must be a finite number >= 0 (got ${variance})`);
}
