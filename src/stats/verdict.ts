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

/** The thresholds the verdicts read a DSR and a PBO against. */
const DSR_THRESHOLDS = [0.5, DSR_CONFIDENT];
const PBO_THRESHOLDS = [PBO_LOW, PBO_MODERATE, 0.5];

/**
 * p with `decimals` decimals, rounded to nearest, but with as many more decimals as it takes
 * (up to 6) for the shown value to sit on the same side of every threshold as p itself: a DSR of
 * 0.949 reads "0.949 ... short of the usual 95%", never "0.95".
 */
function safeDigits(p: number, decimals: number, thresholds: readonly number[]): string {
  for (let d = decimals; d <= 6; d++) {
    const shown = Number(p.toFixed(d));
    if (thresholds.every((t) => (shown < t) === (p < t) && (shown > t) === (p > t))) return p.toFixed(d);
  }
  return String(p);
}

/**
 * A probability with two decimals (more only where two would put it on the wrong side of a
 * threshold the sentence reads it against), never shown as 0 or 1 unless it is exactly that
 * ("<0.01", ">0.99").
 *
 * @param thresholds values the rounding must not cross. @default []
 */
export function formatProbability(p: number, thresholds: readonly number[] = []): string {
  if (Number.isNaN(p)) return 'n/a';
  if (p > 0 && p < 0.01) return '<0.01';
  if (p < 1 && p > 0.99) return '>0.99';
  return safeDigits(p, 2, thresholds);
}

/** An integer with thousands separators (4210 -> "4,210"), independent of the locale. */
function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A probability as a percentage, whole unless that would cross a threshold; never 0% or 100% unless exact. */
function percent(p: number, thresholds: readonly number[]): string {
  if (p > 0 && p < 0.01) return '<1%';
  if (p < 1 && p > 0.99) return '>99%';
  const x = safeDigits(p * 100, 0, thresholds.map((t) => t * 100));
  return `${x.includes('.') ? x.replace(/0+$/, '').replace(/\.$/, '') : x}%`;
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
  const p = formatProbability(pbo, PBO_THRESHOLDS);
  if (Number.isNaN(pbo)) return 'PBO n/a: no cross-validated ranking was computed';
  if (pbo > 0.5) return `PBO ${p}: the in-sample winner is more likely than not to rank at or below the median out of sample (overfit)`;
  if (pbo === 0.5) return `PBO ${p}: the in-sample winner is as likely as not to rank at or below the median out of sample (a coin flip)`;
  if (pbo > PBO_MODERATE) {
    return `PBO ${p}: the in-sample winner ranks at or below the median out of sample in ${percent(pbo, PBO_THRESHOLDS)} of splits, not clearly better than a random pick`;
  }
  if (pbo > PBO_LOW) {
    return `PBO ${p}: the in-sample winner mostly stays above the median out of sample (at or below it in ${percent(pbo, PBO_THRESHOLDS)} of splits)`;
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
  const d = formatProbability(dsr, DSR_THRESHOLDS);
  if (Number.isNaN(dsr)) return 'DSR n/a: too few returns (or inconsistent moments) to deflate the Sharpe ratio';
  const after = trials === undefined ? 'after the search' : `after ${formatCount(trials)} ${trials === 1 ? 'trial' : 'trials'}`;
  const forTrials = trials === undefined ? '' : ` for ${formatCount(trials)} ${trials === 1 ? 'trial' : 'trials'}`;
  if (dsr >= DSR_CONFIDENT) return `DSR ${d}: the best Sharpe is unlikely to be luck (${percent(dsr, DSR_THRESHOLDS)} after deflation${forTrials})`;
  if (dsr >= 0.5) {
    return `DSR ${d}: ${after} the best Sharpe is only weakly distinguishable from luck (${percent(dsr, DSR_THRESHOLDS)} after deflation, short of the usual 95%)`;
  }
  return `DSR ${d}: ${after} the best Sharpe is not distinguishable from luck`;
}
