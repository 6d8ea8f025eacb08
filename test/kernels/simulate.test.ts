// The generic simulator (README "The generic simulator") against the fused kernels: fed the
// targets a strategy module would compute from the indicator kernels, it reproduces the fused
// sma-cross bit for bit on the whole W1 grid (and so the W1 reference), and the fused
// stoch-rsi-bands (stops, targets, risk sizing) on 500 random genomes on GOOG and on the built-in
// synthetic series. On the TS twins, the WASM release build and the WASM debug build.
import { describe, expect, it } from 'vitest';
import { configVector, resolveOptions } from '../../src/backtest.js';
import type { BacktestOptions } from '../../src/backtest.js';
import { loadCsv } from '../../src/data/csv.js';
import { marketFromArrays } from '../../src/data/market.js';
import type { MarketData } from '../../src/data/market.js';
import { synthetic } from '../../src/data/synthetic.js';
import { isEngineError } from '../../src/errors.js';
import { randomGenome } from '../../src/genome/canonical.js';
import { getFamily } from '../../src/genome/families.js';
import type { KernelSet, SimulateInput, Window } from '../../src/kernels/kernel-set.js';
import {
  CFG_ATR_PERIOD, EXIT_END, EXIT_REVERSAL, EXIT_SIGNAL, EXIT_STOP, EXIT_TARGET, MET_LENGTH, MET_MAX_DRAWDOWN,
  MET_SHARPE, MET_TOTAL_RETURN, MET_TRADES, MET_WIN_RATE, TR_DIRECTION, TR_ENTRY_BAR, TR_ENTRY_PRICE, TR_EXIT_BAR,
  TR_EXIT_PRICE, TR_EXIT_REASON, TR_LENGTH, TR_UNITS,
} from '../../src/kernels/layout.js';
import { createTsKernels } from '../../src/kernels/ts-kernels.js';
import { createWasmKernels } from '../../src/kernels/wasm/loader.js';
import { Random } from '../../src/random.js';
import { DATA, firstDifference, readW1, relDiff } from '../helpers/shared.js';

const SETS: readonly KernelSet[] = [createTsKernels(), createWasmKernels({ variant: 'release' }), createWasmKernels({ variant: 'debug' })];
const TS = SETS[0]!;
const SMA = getFamily('sma-cross');
const SRB = getFamily('stoch-rsi-bands');

function expectSameBits(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  const i = firstDifference(actual, expected);
  if (i >= 0) {
    expect.fail(`${label}: first difference at index ${i} of ${expected.length}: ${actual[i]} vs ${expected[i]}` +
      (actual.length !== expected.length ? ` (lengths ${actual.length} vs ${expected.length})` : ''));
  }
}

const cfgOf = (family: typeof SMA, market: MarketData, o: BacktestOptions): Float64Array =>
  configVector(resolveOptions(family, market, o));

// ---------------------------------------------------------------------------------------------
// sma-cross as targets: a module's signals, from the sma kernel (the running sums of SPEC 7)

/** SMAs by period, computed once per market close (most genomes share their periods). */
function smaCache(k: KernelSet, close: Float64Array): (p: number) => Float64Array {
  const memo = new Map<number, Float64Array>();
  return (p) => {
    let s = memo.get(p);
    if (s === undefined) memo.set(p, (s = k.sma(close, p)));
    return s;
  };
}

/** Cross-up -> 1, cross-down -> -1 (the simulator goes flat instead when shorts are off), else keep. */
function smaCrossTargets(f: Float64Array, s: Float64Array): SimulateInput {
  const n = f.length;
  const target = new Float64Array(n).fill(NaN);
  for (let t = 1; t < n; t++) {
    if (f[t - 1]! <= s[t - 1]! && f[t]! > s[t]!) target[t] = 1;
    else if (f[t - 1]! >= s[t - 1]! && f[t]! < s[t]!) target[t] = -1;
  }
  return { target, stopDistance: null, takeDistance: null, riskPerTrade: 0 };
}

const W1_OPTIONS: BacktestOptions = { commission: 0.001, cash: 1, fraction: 1, lotSize: 0, allowShort: true, fill: 'next-open', periodsPerYear: 252 };

describe('W1 on GOOG through the generic simulator', async () => {
  const ref = readW1('w1_goog.json');
  const market = await loadCsv(DATA('GOOG.csv'));
  const window: Window = { start: 0, end: market.length };
  const cfg = cfgOf(SMA, market, W1_OPTIONS);
  const genomes = Float64Array.from(ref.genomes.flatMap((g) => [g.fast, g.slow]));

  for (const k of SETS) {
    it(`${k.name}: simulateBatch of the sma-cross targets equals the fused evaluate on all ${ref.genomes.length} genomes and the reference`, () => {
      const fused = k.evaluate(market, window, SMA.fused, genomes, ref.genomes.length, cfg)!;
      const sma = smaCache(k, market.close);
      const failures: string[] = [];
      const CHUNK = 1000;
      for (let g0 = 0; g0 < ref.genomes.length; g0 += CHUNK) {
        const part = ref.genomes.slice(g0, g0 + CHUNK);
        const out = k.simulateBatch(market, window, part.map((g) => smaCrossTargets(sma(g.fast), sma(g.slow))), cfg)!;
        expectSameBits(`genomes ${g0}..${g0 + part.length - 1} vs fused`, out, fused.subarray(g0 * MET_LENGTH, (g0 + part.length) * MET_LENGTH));
        part.forEach((g, i) => {
          const m = out.subarray(i * MET_LENGTH, (i + 1) * MET_LENGTH);
          const rel = Math.max(relDiff(m[MET_TOTAL_RETURN]!, g.total_return), relDiff(m[MET_SHARPE]!, g.sharpe), relDiff(m[MET_MAX_DRAWDOWN]!, g.max_dd));
          if (m[MET_TRADES] !== g.trades || m[MET_WIN_RATE] !== g.win_rate || !(rel <= 1e-9)) failures.push(`${g.fast}/${g.slow}: rel ${rel}`);
        });
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });
  }

  it('simulate with equity and trades equals the fused backtest on a sample of genomes, every set', () => {
    const sma = smaCache(TS, market.close);
    for (const g of ref.genomes.filter((_, i) => i % 257 === 0)) {
      const genes = Float64Array.of(g.fast, g.slow);
      const input = smaCrossTargets(sma(g.fast), sma(g.slow));
      for (const k of SETS) {
        const a = k.simulate(market, window, input, cfg, { equity: true, trades: true });
        const b = k.backtest(market, window, SMA.fused, genes, cfg, { equity: true, trades: true });
        for (const [name, x, y] of [['metrics', a.metrics, b.metrics], ['equity', a.equity!, b.equity!], ['trades', a.trades!, b.trades!]] as const) {
          expectSameBits(`[${g.fast}, ${g.slow}] ${k.name} ${name}`, x, y);
        }
        // Without emission, the same metrics.
        expectSameBits(`[${g.fast}, ${g.slow}] ${k.name} metrics only`, k.simulate(market, window, input, cfg).metrics, b.metrics);
      }
    }
  });
});

describe('sma-cross through the simulator under every execution option', () => {
  const market = synthetic({ bars: 3000, seed: 11 });
  const OPTIONS: BacktestOptions[] = [
    { periodsPerYear: 252 },
    { fill: 'close', slippage: 0.0005, lotSize: 1, allowShort: false, periodsPerYear: 252 },
    { fill: 'next-open', slippage: 0.001, lotSize: 0.1, fraction: 0.5, commission: 0.002, allowShort: true },
    { fill: 'close', fraction: 2, commission: 0, allowShort: true, periodsPerYear: 365 },
  ];
  const rng = new Random(3);
  const genomes = Array.from({ length: 40 }, () => {
    const g = new Float64Array(2);
    randomGenome(rng, SMA, g, 0);
    return g;
  });
  for (const [oi, o] of OPTIONS.entries()) {
    it(`options #${oi} ${JSON.stringify(o)}: windows, batches and single runs equal the fused kernel`, () => {
      const cfg = cfgOf(SMA, market, o);
      for (const w of [{ start: 0, end: market.length }, { start: 700, end: 2100 }]) {
        const close = market.close.subarray(w.start, w.end);
        const sma = smaCache(TS, close);
        const inputs = genomes.map((g) => smaCrossTargets(sma(g[0]!), sma(g[1]!)));
        const fused = TS.evaluate(market, w, SMA.fused, Float64Array.from(genomes.flatMap((g) => [...g])), genomes.length, cfg)!;
        for (const k of SETS) {
          expectSameBits(`${k.name} batch [${w.start}, ${w.end})`, k.simulateBatch(market, w, inputs, cfg)!, fused);
          for (let i = 0; i < 4; i++) {
            const a = k.simulate(market, w, inputs[i]!, cfg, { equity: true, trades: true });
            const b = TS.backtest(market, w, SMA.fused, genomes[i]!, cfg, { equity: true, trades: true });
            expectSameBits(`${k.name} genome #${i} equity`, a.equity!, b.equity!);
            expectSameBits(`${k.name} genome #${i} trades`, a.trades!, b.trades!);
          }
        }
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// stoch-rsi-bands as targets, stop and take distances and riskPerTrade

/**
 * The targets of a stoch-rsi-bands genome (long only), decided from the indicator kernels as the
 * fused kernel decides: enter long on a %K cross above %D below the lower band when the ATR is
 * above 0, with the stop and take at stopAtr and takeProfitAtr ATRs; exit when %K is above the
 * upper band. A target the simulator would ignore (enter while long, exit while flat) is harmless.
 */
function stochTargets(k: KernelSet, high: Float64Array, low: Float64Array, close: Float64Array, atr: Float64Array, g: Float64Array): SimulateInput {
  const n = close.length;
  const s = k.stochRsi(close, g[0]!, g[1]!, g[2]!, g[3]!);
  const b = k.bands(atr, g[6]!, g[4]!, g[5]!, g[7]!, g[8]!);
  const target = new Float64Array(n).fill(NaN);
  const stopDistance = new Float64Array(n).fill(NaN);
  const takeDistance = new Float64Array(n).fill(NaN);
  for (let t = 1; t < n; t++) {
    const kk = s.k[t]!;
    if (s.k[t - 1]! <= s.d[t - 1]! && kk > s.d[t]! && kk < b.lower[t]! && atr[t]! > 0) {
      target[t] = 1;
      stopDistance[t] = g[9]! * atr[t]!;
      takeDistance[t] = g[10]! * atr[t]!;
    } else if (kk > b.upper[t]!) {
      target[t] = 0;
    }
  }
  void high;
  void low;
  return { target, stopDistance, takeDistance, riskPerTrade: g[11]! };
}

function stochCase(label: string, market: () => Promise<MarketData> | MarketData): void {
  describe(`stoch-rsi-bands through the simulator on ${label}: 500 random genomes`, async () => {
    const m = await market();
    const rng = new Random(2024);
    const count = 500;
    const flat = new Float64Array(count * SRB.genes.length);
    for (let i = 0; i < count; i++) randomGenome(rng, SRB, flat, i * SRB.genes.length);
    const OPTIONS: BacktestOptions[] = [
      {},
      { fill: 'close', slippage: 0.0005, lotSize: 1 },
      { sizing: 'fraction', fraction: 0.7, commission: 0.0005, atrPeriod: 7 },
    ];
    for (const [oi, o] of OPTIONS.entries()) {
      it(`options #${oi} ${JSON.stringify(o)}: every set's simulateBatch equals the fused evaluate`, () => {
        const cfg = cfgOf(SRB, m, o);
        const w = { start: 0, end: m.length };
        const atr = TS.atr(m.high, m.low, m.close, cfg[CFG_ATR_PERIOD]!);
        const inputs = Array.from({ length: count }, (_, i) =>
          stochTargets(TS, m.high, m.low, m.close, atr, flat.subarray(i * SRB.genes.length, (i + 1) * SRB.genes.length)));
        const fused = TS.evaluate(m, w, SRB.fused, flat, count, cfg)!;
        let traded = 0;
        for (let i = 0; i < count; i++) if (fused[i * MET_LENGTH + MET_TRADES]! > 0) traded++;
        expect(traded, 'genomes that trade').toBeGreaterThan(count / 2);
        for (const k of SETS) expectSameBits(`${k.name} batch`, k.simulateBatch(m, w, inputs, cfg)!, fused);
        // The trade lists too, stops and targets included, on a few genomes.
        const reasons = new Set<number>();
        for (let i = 0; i < count; i += 50) {
          const genes = flat.subarray(i * SRB.genes.length, (i + 1) * SRB.genes.length);
          const b = TS.backtest(m, w, SRB.fused, genes, cfg, { equity: true, trades: true });
          for (const k of SETS) {
            const a = k.simulate(m, w, inputs[i]!, cfg, { equity: true, trades: true });
            expectSameBits(`${k.name} genome #${i} equity`, a.equity!, b.equity!);
            expectSameBits(`${k.name} genome #${i} trades`, a.trades!, b.trades!);
          }
          for (let j = 0; j < b.tradeCount; j++) reasons.add(b.trades![j * TR_LENGTH + TR_EXIT_REASON]!);
        }
        if (oi === 0) for (const r of [EXIT_SIGNAL, EXIT_STOP, EXIT_TARGET]) expect(reasons.has(r), `exit reason ${r} seen`).toBe(true);
      });
    }
  });
}

stochCase('GOOG', () => loadCsv(DATA('GOOG.csv')));
stochCase('the built-in synthetic series', () => synthetic({ bars: 3000 }));

// ---------------------------------------------------------------------------------------------
// The rules, by hand

describe.each(SETS.map((k) => [k.name, k] as const))('simulator rules by hand on %s', (_name, k) => {
  //   t       0    1    2    3    4    5    6    7
  //   open  100  100  102  104  100   98  100  103
  //   high  101  103  105  106  101  100  104  104
  //   low    99   99  101   99   97   96   99  101
  //   close 100  102  104  100   98   99  103  102
  const bars = {
    open: [100, 100, 102, 104, 100, 98, 100, 103],
    high: [101, 103, 105, 106, 101, 100, 104, 104],
    low: [99, 99, 101, 99, 97, 96, 99, 101],
    close: [100, 102, 104, 100, 98, 99, 103, 102],
  };
  const m = marketFromArrays({ time: bars.close.map((_, i) => i * 86_400_000), ...bars }, 'hand');
  const w = { start: 0, end: 8 };
  const run = (target: number[], o: BacktestOptions, extra: Partial<SimulateInput> = {}) =>
    k.simulate(m, w, { target: Float64Array.from(target), stopDistance: null, takeDistance: null, riskPerTrade: 0, ...extra },
      cfgOf(o.sizing === 'risk' ? SRB : SMA, m, { commission: 0, periodsPerYear: 252, ...o }), { equity: true, trades: true });
  const trade = (r: ReturnType<typeof run>, i: number) => {
    const p = i * TR_LENGTH;
    const t = r.trades!;
    return [t[p + TR_ENTRY_BAR], t[p + TR_EXIT_BAR], t[p + TR_DIRECTION], t[p + TR_UNITS], t[p + TR_ENTRY_PRICE], t[p + TR_EXIT_PRICE], t[p + TR_EXIT_REASON]];
  };
  const N = NaN;

  it('half a target sizes half; the held direction is ignored; a reversal closes and opens at one fill; 0 goes flat', () => {
    // t=0: 0.5 -> long 0.5 x 10,000 / open[1] = 50 units at 100. t=1: 1 (long held) ignored.
    // t=2: -1 -> at open[3] = 104 close (PnL 50 x 4 = 200) and short 10,200 / 104 units.
    // t=4: 0 -> flat at open[5] = 98. t=6: a target at the window's last-but-one bar: long at open[7].
    const r = run([0.5, 1, -1, N, 0, N, 1, -1], {});
    expect(r.tradeCount).toBe(3);
    expect(trade(r, 0)).toEqual([1, 3, 1, 50, 100, 104, EXIT_REVERSAL]);
    const short = -10_200 / 104;
    expect(trade(r, 1)).toEqual([3, 5, -1, short, 104, 98, EXIT_SIGNAL]);
    // Cash after the short's round trip, in the account's order of operations (no commission).
    const cash = 10_200 - short * 104 + short * 98;
    expect(trade(r, 2)).toEqual([7, 7, 1, cash / 103, 103, 102, EXIT_END]);
    // The target at the last bar (-1) is not taken.
    expect(r.equity![0]).toBe(10_000);
    expect(r.equity![2]).toBe(10_000 - 50 * 100 + 50 * 104);
  });

  it('long only: a negative target goes flat; close fills take the signal bar\'s close, never bar 0\'s', () => {
    const r = run([1, 1, -1, N, -0.5, 1, N, N], { fill: 'close', allowShort: false });
    // t=0 not taken (E[0] stays the cash); t=1: long 10,000 / 102 at close[1]; t=2: -1 -> flat at 104.
    // t=4: -0.5 while flat: nothing. t=5: long at close[5] = 99, held to the end (close[7] = 102).
    expect(r.tradeCount).toBe(2);
    const u = 10_000 / 102;
    expect(trade(r, 0)).toEqual([1, 2, 1, u, 102, 104, EXIT_SIGNAL]);
    const cash = 10_000 - u * 102 + u * 104;
    expect(trade(r, 1)).toEqual([5, 7, 1, cash / 99, 99, 102, EXIT_END]);
  });

  it('stop and take distances are taken at the signal bar and set at the fill', () => {
    // t=1: long at open[2] = 102 with stop 102 - 2.5 = 99.5 and take 102 + 10 = 112: bar 3's low 99
    // touches the stop (open 104 above it): fills at 99.5.
    const stop = [N, 2.5, N, N, N, N, N, N];
    const take = [N, 10, N, N, N, N, N, N];
    const r = run([N, 1, N, N, N, N, N, N], {}, { stopDistance: Float64Array.from(stop), takeDistance: Float64Array.from(take) });
    expect(r.tradeCount).toBe(1);
    expect(trade(r, 0)).toEqual([2, 3, 1, 10_000 / 102, 102, 99.5, EXIT_STOP]);
    // A short with a take 6 below its fill at open[2] = 102: bars 2 to 4 stay above 96; bar 5's low is 96 (open 98): the take fills at 96.
    const r2 = run([N, -1, N, N, N, N, N, N], {}, { takeDistance: Float64Array.from([N, 6, N, N, N, N, N, N]) });
    expect(trade(r2, 0)).toEqual([2, 5, -1, -10_000 / 102, 102, 96, EXIT_TARGET]);
  });

  it('risk sizing: riskPerTrade x |target| x equity / stop distance, capped by leverage', () => {
    // t=1: long at 102, stop 4 away: 0.02 x 0.5 x 10,000 / 4 = 25 units (2,550 < 10,000: no cap).
    const stopDistance = Float64Array.from([N, 4, N, N, N, N, N, N]);
    const r = run([N, 0.5, N, N, N, N, N, N], { sizing: 'risk' }, { stopDistance, riskPerTrade: 0.02 });
    expect(trade(r, 0)[3]).toBe(25);
    // Without a stop: max(0, minPriceRisk x price) = 0.102; 200 / 0.102 units, capped at 10,000 / 102.
    const r2 = run([N, 1, N, N, N, N, N, N], { sizing: 'risk' }, { riskPerTrade: 0.02 });
    expect(trade(r2, 0)[3]).toBe(10_000 / 102);
  });

  it('targets outside [-1, 1], a bad riskPerTrade with risk sizing, and wrong lengths are E_KERNEL errors', () => {
    const code = (f: () => unknown): string => {
      try {
        f();
        return 'no error';
      } catch (e) {
        return isEngineError(e) ? `${e.code} ${e.message}` : String(e);
      }
    };
    expect(code(() => run([N, 1.5, N, N, N, N, N, N], {}))).toMatch(/^E_KERNEL kernel simulate failed with status 3/);
    expect(code(() => run([N, 1, N, N, N, N, N, N], { sizing: 'risk' }, { riskPerTrade: NaN }))).toMatch(/^E_KERNEL .*status 3/);
    expect(code(() => k.simulate(m, w, { target: new Float64Array(7), stopDistance: null, takeDistance: null, riskPerTrade: 0 }, cfgOf(SMA, m, {}))))
      .toMatch(/^E_KERNEL kernel simulate: target has 7 values, the window \[0, 8\) has 8 bars/);
    expect(code(() => k.simulateBatch(m, w, [{ target: new Float64Array(8), stopDistance: new Float64Array(3), takeDistance: null, riskPerTrade: 0 }], cfgOf(SMA, m, {}))))
      .toMatch(/stopDistance has 3 values \(input 0\)/);
  });

  it('simulateBatch returns null once the shared stop flag is set', () => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(stop, 0, 1);
    const input = { target: new Float64Array(8), stopDistance: null, takeDistance: null, riskPerTrade: 0 };
    expect(k.simulateBatch(m, w, [input], cfgOf(SMA, m, {}), stop)).toBeNull();
  });
});
