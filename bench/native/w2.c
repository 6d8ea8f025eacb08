/*
 * W2 native baseline: a fused, streaming scalar kernel in C for the stoch-rsi-bands family, one
 * pass per genome over the bars with running state only (ring buffers of at most 50 values, no
 * per-bar arrays), no sharing between genomes, no SIMD: the honesty check for the WASM numbers.
 * Semantics: SPEC sections 2-5 and ../shared/reference/README.md (W2), with W2's options fixed:
 * next-open fills, commission 0.001, slippage 0, cash 10,000, `risk` sizing (maxLeverage 1,
 * minPriceRisk 0.001, lotSize 0), long only, ATR period 14, periodsPerYear 252.
 * The StochRSI window's min and max are block (van Herk / Gil-Werman) min/max: the suffix
 * extremes of the previous block of stochK values and the running extremes of the current one,
 * O(1) per bar and almost branch-free. Build: cc -O3 -o w2 w2.c -lm
 *
 * Usage: w2 OPEN.f64 HIGH.f64 LOW.f64 CLOSE.f64 GENOMES.f64 [REPEAT]
 *   the four series: raw little-endian float64 of equal length
 *   GENOMES.f64: 12 float64 per genome, in the order rsiK stochK kSmooth dSmooth oversold
 *   overbought atrK sensitivity adjust stopAtr takeProfitAtr riskPerTrade
 * Prints one line per genome, the ten metrics of SPEC section 5 (%.17g): totalReturn sharpe
 * sortino maxDrawdown calmar trades winRate profitFactor exposure annualReturn; then on stderr
 * "seconds <s> genomes <g> bars <n>" for the fastest of REPEAT runs of the whole population
 * (loading excluded).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXW 64
#define ATR_PERIOD 14
static const double COMMISSION = 0.001, CASH = 10000.0, MIN_PRICE_RISK = 0.001, MAX_LEVERAGE = 1.0, PPY = 252.0;

typedef struct { double m[10]; } Metrics;

static double *read_f64(const char *path, long *n) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  fseek(f, 0, SEEK_END);
  long bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  double *p = malloc(bytes > 0 ? bytes : 8);
  if (!p || fread(p, 1, bytes, f) != (size_t)bytes) { fprintf(stderr, "%s: read failed\n", path); exit(2); }
  fclose(f);
  *n = bytes / 8;
  return p;
}

/* Sliding min and max over the last w values, pushed one at a time (block decomposition). */
typedef struct {
  int w, pos;               /* pos: values in the current block so far */
  double cur_min, cur_max;  /* running extremes of the current block */
  double suf_min[MAXW], suf_max[MAXW]; /* suffix extremes of the previous block */
  double block[MAXW];       /* the current block's values */
} Window;

static void win_init(Window *q, int w) {
  q->w = w;
  q->pos = 0;
  for (int i = 0; i < MAXW; i++) { q->suf_min[i] = INFINITY; q->suf_max[i] = -INFINITY; }
}

/* Pushes x; once w values are in, *mn and *mx are the extremes of the last w. */
static inline void win_push(Window *q, double x, double *mn, double *mx) {
  int p = q->pos;
  q->block[p] = x;
  if (p == 0) { q->cur_min = x; q->cur_max = x; }
  else {
    q->cur_min = x < q->cur_min ? x : q->cur_min;
    q->cur_max = x > q->cur_max ? x : q->cur_max;
  }
  /* The window is block[0..p] of this block and suf[p+1..w-1] of the previous one. */
  double a = p + 1 < q->w ? q->suf_min[p + 1] : INFINITY;
  double b = p + 1 < q->w ? q->suf_max[p + 1] : -INFINITY;
  *mn = a < q->cur_min ? a : q->cur_min;
  *mx = b > q->cur_max ? b : q->cur_max;
  if (++p == q->w) {
    double sm = q->block[q->w - 1], sx = sm;
    for (int i = q->w - 1; i >= 0; i--) {
      double v = q->block[i];
      sm = v < sm ? v : sm;
      sx = v > sx ? v : sx;
      q->suf_min[i] = sm;
      q->suf_max[i] = sx;
    }
    p = 0;
  }
  q->pos = p;
}

static double rsi_value(double g, double l) {
  if (l == 0) return g == 0 ? 50.0 : 100.0;
  return 100.0 - 100.0 / (1.0 + g / l);
}

static Metrics w2(const double *open, const double *high, const double *low, const double *close, long n, const double *genes) {
  const int rsiK = (int)genes[0], stochK = (int)genes[1], kS = (int)genes[2], dS = (int)genes[3], atrK = (int)genes[6];
  const double oversold = genes[4], overbought = genes[5], sens = genes[7], adjust = genes[8];
  const double stopAtr = genes[9], takeAtr = genes[10], riskPer = genes[11];
  const double kr = rsiK, kr1 = kr - 1.0, kk = kS, kd = dS, ka = atrK, kt = ATR_PERIOD, kt1 = kt - 1.0;
  const double inv = 1.0 / sens;
  const int active = sens > 1.0;
  const long fS = rsiK + stochK - 1, fK = fS + kS - 1, fD = fK + dS - 1, fB = ATR_PERIOD + atrK - 1;
  Window win;
  win_init(&win, stochK);
  double ringS[MAXW], ringK[MAXW], ringA[MAXW]; /* last kS raw StochRSI, dS %K, atrK ATR values */
  double g = 0, l = 0, sk = 0, sd = 0, ta = 0, atr = NAN, sb = 0;
  double K = NAN, D = NAN, pK = NAN, pD = NAN;
  /* account */
  double cash = CASH, units = 0, entryEq = 0, stopLv = 0, targetLv = 0;
  int dir = 0, ruined = 0, pending = 0;
  double pStop = 0, pTake = 0;
  long trades = 0, wins = 0, inPos = 0;
  double gp = 0, gl = 0, sumR = 0, sumR2 = 0, sumN2 = 0, first = 0, prev = 0, peak = 0, lowE = 0, dd = 0;

#define CLOSE_AT(x) do { \
    cash = cash + units * (x); cash = cash - COMMISSION * fabs(units * (x)); \
    double pnl_ = cash - entryEq; \
    if (pnl_ > 0) { wins++; gp = gp + pnl_; } else if (pnl_ < 0) gl = gl - pnl_; \
    trades++; units = 0; dir = 0; } while (0)

  for (long t = 0; t < n; t++) {
    const double c = close[t];
    if (pending) {          /* a pending order: an entry (flat) or an exit (long) at this open */
      const double x = open[t];
      if (dir != 0) CLOSE_AT(x);
      else if (!ruined) {
        const double eq = cash;
        double dist = MIN_PRICE_RISK * x;
        if (pStop > dist) dist = pStop;
        double u = (riskPer * eq) / dist;
        const double cap = (MAX_LEVERAGE * eq) / x;
        if (u > cap) u = cap;
        if (u != 0 && isfinite(u)) {
          cash = eq - u * x;
          cash = cash - COMMISSION * fabs(u * x);
          entryEq = eq;
          units = u;
          dir = 1;
          stopLv = pStop > 0 ? x - pStop : NAN;
          targetLv = pTake > 0 ? x + pTake : NAN;
        }
      }
      pending = 0;
    }
    if (dir != 0) {
      const double o = open[t];
      if (low[t] <= stopLv) CLOSE_AT(o <= stopLv ? o : stopLv);
      else if (high[t] >= targetLv) CLOSE_AT(o >= targetLv ? o : targetLv);
    }
    /* indicators at t */
    if (t >= 1) {
      const double d = c - close[t - 1];
      const double pc = close[t - 1];
      double tr = high[t] - low[t];
      const double ha = fabs(high[t] - pc), lb = fabs(low[t] - pc);
      if (ha > tr) tr = ha;
      if (lb > tr) tr = lb;
      if (t < ATR_PERIOD) ta = ta + tr;
      else if (t == ATR_PERIOD) { ta = ta + tr; atr = ta / kt; }
      else atr = (atr * kt1 + tr) / kt;
      if (t < rsiK) { if (d > 0) g = g + d; else if (d < 0) l = l - d; }
      else if (t == rsiK) {
        if (d > 0) g = g + d; else if (d < 0) l = l - d;
        g = g / kr;
        l = l / kr;
      } else {
        g = (g * kr1 + (d > 0 ? d : 0.0)) / kr;
        l = (l * kr1 + (d < 0 ? -d : 0.0)) / kr;
      }
    }
    pK = K;
    pD = D;
    if (t >= rsiK) {
      const double r = rsi_value(g, l);
      double mn, mx;
      win_push(&win, r, &mn, &mx);
      if (t >= fS) {
        const double s = mx == mn ? 50.0 : 100.0 * ((r - mn) / (mx - mn));
        const int ks = (int)((t - fS) % kS);
        if (t <= fK) sk = sk + s;
        else sk = sk + (s - ringS[ks]);
        ringS[ks] = s;
        if (t >= fK) {
          K = sk / kk;
          const int kd_ = (int)((t - fK) % dS);
          if (t <= fD) sd = sd + K;
          else sd = sd + (K - ringK[kd_]);
          ringK[kd_] = K;
          if (t >= fD) D = sd / kd;
        }
      }
    }
    double lo = NAN, hi = NAN;
    if (t >= ATR_PERIOD) {
      const int ia = (int)((t - ATR_PERIOD) % atrK);
      if (t <= fB) sb = sb + atr;
      else sb = sb + (atr - ringA[ia]);
      ringA[ia] = atr;
      if (t >= fB) {
        const double v = atr / (sb / ka);
        lo = oversold;
        hi = overbought;
        if (active) {
          if (v > sens) {
            double e = (v - 1.0) * adjust * 100.0;
            if (e > 50.0) e = 50.0;
            lo = lo - e;
            hi = hi + e;
          } else if (v < inv) {
            double cc = (1.0 - v) * adjust * 100.0;
            if (cc > 10.0) cc = 10.0;
            lo = lo + cc;
            hi = hi - cc;
          }
        }
        if (hi - lo < 10.0) {
          const double mid = (lo + hi) * 0.5;
          lo = mid - 5.0;
          hi = mid + 5.0;
        }
        if (lo < 0.0) lo = 0.0;
        if (lo > 100.0) lo = 100.0;
        if (hi < 0.0) hi = 0.0;
        if (hi > 100.0) hi = 100.0;
      }
    }
    /* signal at t's close, filled at open[t+1] */
    if (t >= 1 && t <= n - 2) {
      if (dir == 0) {
        if (pK <= pD && K > D && K < lo && atr > 0) {
          pending = 1;
          pStop = stopAtr * atr;
          pTake = takeAtr * atr;
        }
      } else if (K > hi) {
        pending = 1;
      }
    }
    /* mark to market */
    double e = cash + units * c;
    if (dir != 0 && !(e > 0)) {
      CLOSE_AT(c);
      ruined = 1;
      e = cash;
    }
    if (dir != 0) inPos++;
    if (t == 0) {
      first = prev = peak = lowE = e;
      continue;
    }
    const double r = e == prev ? 0.0 : e / prev - 1.0;
    sumR = sumR + r;
    sumR2 = sumR2 + r * r;
    const double m = r < 0 ? r : 0.0;
    sumN2 = sumN2 + m * m;
    prev = e;
    if (e > peak) {
      const double q = (peak - lowE) / peak;
      if (q > dd) dd = q;
      peak = e;
      lowE = e;
    } else if (e < lowE) lowE = e;
  }
  if (dir != 0) {
    const double v = units * close[n - 1];
    const double pnl = cash + v - COMMISSION * fabs(v) - entryEq;
    if (pnl > 0) { wins++; gp = gp + pnl; } else if (pnl < 0) gl = gl - pnl;
    trades++;
  }
  { const double q = (peak - lowE) / peak; if (q > dd) dd = q; }
  Metrics out;
  const double cnt = (double)(n - 1);
  double sharpe = 0, sortino = 0, annual = 0;
  if (n - 1 >= 2) {
    const double mean = sumR / cnt;
    const double var = (sumR2 - mean * sumR) / (cnt - 1.0);
    if (var > 0) sharpe = (mean / sqrt(var)) * sqrt(PPY);
  }
  if (n - 1 >= 1) {
    const double dn = sqrt(sumN2 / cnt);
    if (dn > 0) sortino = (sumR / cnt / dn) * sqrt(PPY);
  }
  if (n >= 2 && first > 0) {
    const double gr = prev / first;
    annual = gr > 0 ? pow(gr, PPY / (double)(n - 1)) - 1.0 : -1.0;
  }
  out.m[0] = prev / first - 1.0;
  out.m[1] = sharpe;
  out.m[2] = sortino;
  out.m[3] = dd;
  out.m[4] = dd > 0 ? annual / dd : 0.0;
  out.m[5] = (double)trades;
  out.m[6] = trades > 0 ? (double)wins / (double)trades : 0.0;
  out.m[7] = trades == 0 ? 0.0 : gl > 0 ? gp / gl : gp > 0 ? INFINITY : 0.0;
  out.m[8] = (double)inPos / (double)n;
  out.m[9] = annual;
  return out;
}

int main(int argc, char **argv) {
  if (argc < 6) { fprintf(stderr, "usage: w2 OPEN.f64 HIGH.f64 LOW.f64 CLOSE.f64 GENOMES.f64 [REPEAT]\n"); return 2; }
  long n, nh, nl, nc, ng;
  double *open = read_f64(argv[1], &n), *high = read_f64(argv[2], &nh), *low = read_f64(argv[3], &nl), *close = read_f64(argv[4], &nc);
  if (nh != n || nl != n || nc != n || n < 2) { fprintf(stderr, "the series differ in length or have fewer than 2 bars\n"); return 2; }
  double *genes = read_f64(argv[5], &ng);
  if (ng % 12 != 0) { fprintf(stderr, "%s: not a multiple of 12 float64\n", argv[5]); return 2; }
  const long count = ng / 12;
  for (long i = 0; i < count; i++) {
    const double *g = genes + 12 * i;
    for (int k = 0; k < 4; k++) if (!(g[k] >= 1 && g[k] < MAXW)) { fprintf(stderr, "genome %ld: period gene %d out of [1, %d)\n", i, k, MAXW); return 2; }
    if (!(g[6] >= 1 && g[6] < MAXW)) { fprintf(stderr, "genome %ld: atrK out of [1, %d)\n", i, MAXW); return 2; }
  }
  const int repeat = argc > 6 ? atoi(argv[6]) : 1;
  Metrics *out = malloc((count > 0 ? count : 1) * sizeof(Metrics));
  double best = 1e300;
  for (int r = 0; r < (repeat < 1 ? 1 : repeat); r++) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < count; i++) out[i] = w2(open, high, low, close, n, genes + 12 * i);
    clock_gettime(CLOCK_MONOTONIC, &b);
    const double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
    if (s < best) best = s;
  }
  for (long i = 0; i < count; i++) {
    for (int k = 0; k < 10; k++) printf(k ? " %.17g" : "%.17g", out[i].m[k]);
    printf("\n");
  }
  fprintf(stderr, "seconds %.9f genomes %ld bars %ld\n", best, count, n);
  return 0;
}
