// One-line, plain-language readings of the overfitting statistics for reports and the CLI.
// The wording says what each number measures and no more: PBO is about the in-sample winner's
// out-of-sample rank (Bailey, Borwein, Lopez de Prado and Zhu 2017), DSR is the probability that
// the best Sharpe ratio beats the best that luck alone would give over that many trials (Bailey
// and Lopez de Prado 2014). Neither says the strategy will make money.

/**
 * DSR at or above which the best Sharpe is called unlikely to be luck: the one-sided 95% level
 * the DSR paper uses in its examples.
 * @default 0.95
 */
export const DSR_CONFIDENT = 0.95;

/**
 * PBO at or below which the in-sample winner is said to usually stay above the median out of
 * sample.
 * @default 0.1
 */
export const PBO_LOW = 0.1;

/**
 * PBO at or below which the winner is said to mostly stay above the median. Between this and 0.5
 * PBO is hard to tell from pure noise: over 40 seeded matrices of noise (T = 2000, N = 32,
 * S = 16), single-matrix PBO had a standard deviation of 0.15 around 0.5.
 * @default 0.25
 */
export const PBO_MODERATE = 0.25;

/** Which way a displayed probability may be rounded. */
export type Rounding = 'down' | 'up' | 'nearest';

/** p in hundredths, rounded the given way (k / 100 is compared as a double, so 0.29 stays 29). */
function hundredths(p: number, rounding: Rounding): number {
  let k = Math.round(p * 100);
  if (rounding === 'down' && k / 100 > p) k -= 1;
  if (rounding === 'up' && k / 100 < p) k += 1;
  return k;
}

/**
 * A probability with two decimals, never shown as 0 or 1 unless it is exactly that ("<0.01",
 * ">0.99"), and rounded in the direction that cannot flatter the strategy: verdicts show the DSR
 * rounded down and the PBO rounded up, so the number shown always agrees with the sentence next to
 * it (a DSR of 0.949 reads "0.94 ... short of the usual 95%", not "0.95").
 *
 * @param rounding @default 'nearest'
 */
export function formatProbability(p: number, rounding: Rounding = 'nearest'): string {
  if (Number.isNaN(p)) return 'n/a';
  if (p > 0 && p < 0.01) return '<0.01';
  if (p < 1 && p > 0.99) return '>0.99';
  return (hundredths(p, rounding) / 100).toFixed(2);
}

/** An integer with thousands separators (4210 -> "4,210"), independent of the locale. */
function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A probability as a whole percentage, rounded the given way. */
function percent(p: number, rounding: Rounding): string {
  return `${hundredths(p, rounding)}%`;
}

/**
 * A one-line reading of a PBO value:
 * - PBO > 0.5: "PBO 0.62: the in-sample winner is more likely than not to rank at or below the
 *   median out of sample (overfit)";
 * - exactly 0.5: as likely as not, a coin flip;
 * - (0.25, 0.5): below the median in that share of splits, not clearly better than a random pick;
 * - (0.1, 0.25]: mostly stays above the median;
 * - [0, 0.1]: "PBO 0.04: the in-sample winner usually stays above the median out of sample".
 * NaN gives an "n/a" line.
 */
export function pboVerdict(pbo: number): string {
  const p = formatProbability(pbo, 'up');
  if (Number.isNaN(pbo)) return 'PBO n/a: no cross-validated ranking was computed';
  if (pbo > 0.5) return `PBO ${p}: the in-sample winner is more likely than not to rank at or below the median out of sample (overfit)`;
  if (pbo === 0.5) return `PBO ${p}: the in-sample winner is as likely as not to rank at or below the median out of sample (a coin flip)`;
  if (pbo > PBO_MODERATE) {
    return `PBO ${p}: the in-sample winner ranks at or below the median out of sample in ${percent(pbo, 'up')} of splits, not clearly better than a random pick`;
  }
  if (pbo > PBO_LOW) {
    return `PBO ${p}: the in-sample winner mostly stays above the median out of sample (at or below it in ${percent(pbo, 'up')} of splits)`;
  }
  return `PBO ${p}: the in-sample winner usually stays above the median out of sample`;
}

/**
 * A one-line reading of a Deflated Sharpe Ratio:
 * - DSR >= 0.95: "DSR 0.97: the best Sharpe is unlikely to be luck (97% after deflation for
 *   4,210 trials)";
 * - [0.5, 0.95): weakly distinguishable from luck, below the 95% usually required;
 * - < 0.5: "DSR 0.31: after 4,210 trials the best Sharpe is not distinguishable from luck".
 * NaN (too few returns, inconsistent moments) gives an "n/a" line.
 *
 * @param trials N, named in the sentence when given.
 */
export function dsrVerdict(dsr: number, trials?: number): string {
  const d = formatProbability(dsr, 'down');
  if (Number.isNaN(dsr)) return 'DSR n/a: too few returns (or inconsistent moments) to deflate the Sharpe ratio';
  const after = trials === undefined ? 'after the search' : `after ${formatCount(trials)} ${trials === 1 ? 'trial' : 'trials'}`;
  const forTrials = trials === undefined ? '' : ` for ${formatCount(trials)} ${trials === 1 ? 'trial' : 'trials'}`;
  if (dsr >= DSR_CONFIDENT) return `DSR ${d}: the best Sharpe is unlikely to be luck (${percent(dsr, 'down')} after deflation${forTrials})`;
  if (dsr >= 0.5) {
    return `DSR ${d}: ${after} the best Sharpe is only weakly distinguishable from luck (${percent(dsr, 'down')} after deflation, short of the usual 95%)`;
  }
  return `DSR ${d}: ${after} the best Sharpe is not distinguishable from luck`;
}
