/*
 * W1 native baseline: a straightforward fused scalar kernel in C, one pass per genome over the
 * bars with running sums, no caching, no SIMD (the honesty check for the WASM numbers).
 * Semantics: ../shared/reference/README.md. Build: cc -O3 -o w1 w1.c -lm
 *
 * Usage: w1 OPEN.f64 CLOSE.f64 GENOMES.txt [REPEAT]
 *   OPEN.f64, CLOSE.f64: raw little-endian float64 series of equal length
 *   GENOMES.txt: one "fast slow" pair per line
 * Prints one line per genome: fast slow total_return sharpe max_dd trades win_rate (%.17g),
 * then on stderr: "seconds <s> genomes <g> bars <n>" for the fastest of REPEAT runs of the
 * whole population (loading excluded).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct { double total_return, sharpe, max_dd, win_rate; long trades; } Metrics;

static double *read_f64(const char *path, long *n) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  fseek(f, 0, SEEK_END);
  long bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  double *p = malloc(bytes);
  if (!p || fread(p, 1, bytes, f) != (size_t)bytes) { fprintf(stderr, "%s: read failed\n", path); exit(2); }
  fclose(f);
  *n = bytes / 8;
  return p;
}

static Metrics w1(const double *open, const double *close, long n, int fast, int slow) {
  const double c = 0.001;
  double sf = 0, ss = 0, pf = 0, ps = 0;
  double cash = 1.0, p = 0, entry = 0;
  int pos = 0, pending = 0, target = 0;
  long trades = 0, wins = 0;
  double prev = 1.0, sum = 0, sum2 = 0, peak = 1.0, mdd = 0;
  int lag = fast > slow ? fast : slow;
  for (long t = 0; t < n; t++) {
    if (pending) {
      double x = open[t];
      if (pos != 0) {
        cash = cash + p * x;
        cash = cash - c * fabs(p * x);
        trades++;
        if (cash - entry > 0) wins++;
      }
      double eq = cash;
      p = target * eq / x;
      cash = eq - p * x;
      cash = cash - c * fabs(p * x);
      entry = eq;
      pos = target;
      pending = 0;
    }
    double x = close[t];
    sf = t < fast ? sf + x : sf + (x - close[t - fast]);
    ss = t < slow ? ss + x : ss + (x - close[t - slow]);
    double f = sf / fast, s = ss / slow;
    if (t >= lag && t <= n - 2) {
      int tg = 0;
      if (pf <= ps && f > s) tg = 1;
      else if (pf >= ps && f < s) tg = -1;
      if (tg != 0 && tg != pos) { pending = 1; target = tg; }
    }
    pf = f;
    ps = s;
    double e = cash + p * x;
    if (t > 0) {
      double r = e / prev - 1.0;
      sum += r;
      sum2 += r * r;
    }
    prev = e;
    if (e > peak) peak = e;
    double dd = (peak - e) / peak;
    if (dd > mdd) mdd = dd;
  }
  if (pos != 0) {
    double v = p * close[n - 1];
    trades++;
    if (cash + v - c * fabs(v) - entry > 0) wins++;
  }
  Metrics m;
  long k = n - 1;
  double mean = sum / k;
  double var = (sum2 - mean * sum) / (k - 1);
  m.total_return = prev - 1.0;
  m.sharpe = var > 0 ? mean / sqrt(var) * sqrt(252.0) : 0.0;
  m.max_dd = mdd;
  m.trades = trades;
  m.win_rate = trades > 0 ? (double)wins / trades : 0.0;
  return m;
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: w1 OPEN.f64 CLOSE.f64 GENOMES.txt [REPEAT]\n"); return 2; }
  long n, n2;
  double *open = read_f64(argv[1], &n), *close = read_f64(argv[2], &n2);
  if (n != n2 || n < 2) { fprintf(stderr, "open and close differ in length\n"); return 2; }
  int repeat = argc > 4 ? atoi(argv[4]) : 1;
  FILE *g = fopen(argv[3], "r");
  if (!g) { perror(argv[3]); return 2; }
  int cap = 1024, count = 0, *fs = malloc(cap * sizeof(int)), *sl = malloc(cap * sizeof(int));
  while (fscanf(g, "%d %d", &fs[count], &sl[count]) == 2) {
    if (++count == cap) { cap *= 2; fs = realloc(fs, cap * sizeof(int)); sl = realloc(sl, cap * sizeof(int)); }
  }
  fclose(g);
  Metrics *out = malloc(count * sizeof(Metrics));
  double best = 1e300;
  for (int r = 0; r < (repeat < 1 ? 1 : repeat); r++) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < count; i++) out[i] = w1(open, close, n, fs[i], sl[i]);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
    if (s < best) best = s;
  }
  for (int i = 0; i < count; i++) {
    printf("%d %d %.17g %.17g %.17g %ld %.17g\n", fs[i], sl[i], out[i].total_return, out[i].sharpe, out[i].max_dd, out[i].trades, out[i].win_rate);
  }
  fprintf(stderr, "seconds %.9f genomes %d bars %ld\n", best, count, n);
  return 0;
}
