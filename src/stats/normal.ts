// The standard normal distribution function and its inverse, to full double precision, for the
// overfitting statistics (deflated-sharpe.ts). Both are classic published algorithms, chosen
// because the Deflated Sharpe Ratio evaluates Φ^-1 near 1 (1 - 1/N for thousands of trials) and
// Φ deep in the tails, where the textbook erf approximations (Abramowitz and Stegun 7.1.26,
// about 1e-7 absolute) lose every significant digit.

/** 1 / sqrt(2 pi). */
const INV_SQRT_2PI = 0.398942280401432677939946059934;
/** sqrt(32): where Cody's middle interval ends. */
const SQRT_32 = 5.656854249492380195206754896838;

// W. J. Cody (1969), "Rational Chebyshev approximations for the error function", Mathematics of
// Computation 23(107), 631-637; the coefficients and the three intervals of Cody's ANORM
// (netlib specfun), as R's pnorm uses them (R's nmath/pnorm.c). Relative accuracy about 1e-16
// in both tails, because each tail is computed directly rather than as 1 - (the other).
const A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113];
const B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
const C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711,
  6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
];
const D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091,
  34900.952721145977266, 38912.003286093271411, 19685.429676859990727,
];
const P = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303];
const Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];

/**
 * Both tails at once: `[P(Z <= x), P(Z > x)]`. Each is computed without subtracting from 1 where
 * it is small, which is what keeps Φ(-5) = 2.866515718791939e-7 accurate to the last digits.
 */
function normalTails(x: number): [number, number] {
  if (Number.isNaN(x)) return [NaN, NaN];
  const y = Math.abs(x);
  if (y <= 0.67448975) {
    // |x| <= Φ^-1(3/4): the odd rational in x^2 gives Φ(x) - 1/2.
    let xnum = 0;
    let xden = 0;
    if (y > 1.1102230246251565e-16) {
      const xsq = x * x;
      xnum = A[4]! * xsq;
      xden = xsq;
      for (let i = 0; i < 3; i++) {
        xnum = (xnum + A[i]!) * xsq;
        xden = (xden + B[i]!) * xsq;
      }
    }
    const t = (x * (xnum + A[3]!)) / (xden + B[3]!);
    return [0.5 + t, 0.5 - t];
  }
  let small: number;
  if (y <= SQRT_32) {
    let xnum = C[8]! * y;
    let xden = y;
    for (let i = 0; i < 7; i++) {
      xnum = (xnum + C[i]!) * y;
      xden = (xden + D[i]!) * y;
    }
    small = tailTimesDensity(y, (xnum + C[7]!) / (xden + D[7]!));
  } else if (y < 37.5193) {
    const xsq = 1 / (x * x);
    let xnum = P[5]! * xsq;
    let xden = xsq;
    for (let i = 0; i < 4; i++) {
      xnum = (xnum + P[i]!) * xsq;
      xden = (xden + Q[i]!) * xsq;
    }
    let t = (xsq * (xnum + P[4]!)) / (xden + Q[4]!);
    t = (INV_SQRT_2PI - t) / y;
    small = tailTimesDensity(y, t);
  } else {
    small = 0; // below the smallest subnormal
  }
  // `small` is the upper tail at |x|: P(Z > |x|).
  return x > 0 ? [1 - small, small] : [small, 1 - small];
}

/**
 * exp(-y^2/2) * t, with y^2 split as (y rounded down to 1/16)^2 + a small remainder: Cody's trick
 * for computing exp(-y^2/2) without the rounding error of y*y, which the exponent magnifies.
 */
function tailTimesDensity(y: number, t: number): number {
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  return Math.exp(-ysq * ysq * 0.5) * Math.exp(-del * 0.5) * t;
}

/**
 * The standard normal distribution function Φ(x) = P(Z <= x), Z ~ N(0, 1), with a relative
 * accuracy of about 1e-16 over the whole range (W. J. Cody's rational Chebyshev approximations,
 * as in R's `pnorm`). Φ(-Infinity) = 0, Φ(Infinity) = 1, Φ(NaN) = NaN.
 */
export function normalCdf(x: number): number {
  return normalTails(x)[0];
}

/**
 * The upper tail 1 - Φ(x) = P(Z > x), computed directly (not as 1 - Φ(x)), so it keeps its
 * relative accuracy for large x.
 */
export function normalSf(x: number): number {
  return normalTails(x)[1];
}

/** The standard normal density φ(x) = exp(-x^2 / 2) / sqrt(2 pi). */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

// M. J. Wichura (1988), "Algorithm AS 241: The percentage points of the normal distribution",
// Applied Statistics 37(3), 477-484: PPND16, relative accuracy about 1e-16 (the algorithm R's
// qnorm uses). Chosen over Acklam's approximation (1.15e-9 relative) because it needs no
// refinement step: a Newton or Halley step on Φ(x) - p near p = 1 would divide the absolute
// rounding error of Φ (about 1e-16) by a density of about 1e-9 and make things worse.
const A0 = [
  3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457,
  67265.770927008700853, 33430.575583588128105, 2509.0809287301226727,
];
const B0 = [
  1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061,
  28729.085735721942674, 5226.495278852854561,
];
const C0 = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258,
  0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4,
];
const D0 = [
  1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
  0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9,
];
const E0 = [
  6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093,
  0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7,
];
const F0 = [
  1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4,
  1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15,
];

/** c[0] + c[1] r + ... + c[7] r^7 by Horner's rule. */
function poly7(c: readonly number[], r: number): number {
  let v = c[7]!;
  for (let i = 6; i >= 0; i--) v = v * r + c[i]!;
  return v;
}

/**
 * The standard normal quantile Φ^-1(p): the x with P(Z <= x) = p, relative accuracy about 1e-16
 * (Wichura's AS 241, as in R's `qnorm`). Φ^-1(0) = -Infinity, Φ^-1(1) = Infinity; NaN outside
 * [0, 1] or for NaN.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly7(A0, r)) / poly7(B0, r);
  }
  // The tails use r = sqrt(-ln(tail probability)); the tail is min(p, 1 - p), and 1 - p is exact
  // for p > 0.5 (Sterbenz), so no accuracy is lost here beyond what p itself carries.
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x = poly7(C0, r) / poly7(D0, r);
  } else {
    r -= 5;
    x = poly7(E0, r) / poly7(F0, r);
  }
  return q < 0 ? -x : x;
}
