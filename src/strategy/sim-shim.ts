// TEMPORARY: the generic simulator in TypeScript, until
// the kernel side (branch sim) lands it in KernelSet with their WASM twins. Uses the kernels'
// own methods as soon as they exist.
import type { MarketData } from '../data/market.js';
import type { KernelSet, RawBacktest, Window } from '../kernels/kernel-set.js';
import { CFG_FILL, CFG_SHORTS, FILL_CLOSE, MET_LENGTH, TR_LENGTH, EXIT_REVERSAL, EXIT_SIGNAL } from '../kernels/layout.js';
import * as acc from '../kernels/strategies/account.js';

export interface SimulateInput {
  target: Float64Array;
  stopDistance: Float64Array | null;
  takeDistance: Float64Array | null;
  riskPerTrade: number;
}

export interface Simulator {
  simulate(market: MarketData, window: Window, input: SimulateInput, cfg: Float64Array, emit?: { equity?: boolean; trades?: boolean }): RawBacktest;
  simulateBatch(market: MarketData, window: Window, inputs: readonly SimulateInput[], cfg: Float64Array, stop?: Int32Array): Float64Array | null;
}

function run(market: MarketData, w: Window, input: SimulateInput, cfg: Float64Array, out: Float64Array, equity: Float64Array | null, trades: Float64Array | null, cap: number): void {
  const n = w.end - w.start;
  const o = w.start;
  const closeFill = (cfg[CFG_FILL]! | 0) === FILL_CLOSE;
  const shorts = cfg[CFG_SHORTS] !== 0;
  acc.accInit(cfg, equity, trades, cap);
  acc.accSetRiskPerTrade(input.riskPerTrade);
  const { target, stopDistance, takeDistance } = input;
  let pending = false;
  let pt = 0;
  let ps = 0;
  let pk = 0;
  for (let t = 0; t < n; t++) {
    if (pending) {
      acc.accOrder(pt, market.open[o + t]!, t, pt !== 0 ? EXIT_REVERSAL : EXIT_SIGNAL, ps, pk);
      pending = false;
    }
    if (acc.dir !== 0 && (closeFill ? t > acc.entryBar : t >= acc.entryBar)) {
      acc.accCheckStops(market.open[o + t]!, market.high[o + t]!, market.low[o + t]!, t);
    }
    const c = market.close[o + t]!;
    if (t <= n - 2) {
      let x = target[t]!;
      if (x === x) {
        if (x < 0 && !shorts) x = 0;
        const d = x > 0 ? 1 : x < 0 ? -1 : 0;
        const held = acc.dir > 0 ? 1 : acc.dir < 0 ? -1 : 0;
        if (d !== held) {
          let sd = d !== 0 && stopDistance !== null ? stopDistance[t]! : 0;
          let td = d !== 0 && takeDistance !== null ? takeDistance[t]! : 0;
          if (!(sd > 0)) sd = 0;
          if (!(td > 0)) td = 0;
          if (closeFill) acc.accOrder(x, c, t, x !== 0 ? EXIT_REVERSAL : EXIT_SIGNAL, sd, td);
          else {
            pending = true;
            pt = x;
            ps = sd;
            pk = td;
          }
        }
      }
    }
    acc.accMark(c, t);
  }
  acc.accFinish(n, market.close[o + n - 1]!, out);
}

const tsSim: Simulator = {
  simulate(market, window, input, cfg, emit = {}) {
    const n = window.end - window.start;
    const metrics = new Float64Array(MET_LENGTH);
    const equity = emit.equity === true ? new Float64Array(n) : null;
    const cap = n + 1;
    const trades = emit.trades === true ? new Float64Array(cap * TR_LENGTH) : null;
    run(market, window, input, cfg, metrics, equity, trades, cap);
    const tradeCount = metrics[5]!;
    return { metrics, equity, trades: trades === null ? null : trades.slice(0, tradeCount * TR_LENGTH), tradeCount };
  },
  simulateBatch(market, window, inputs, cfg, stop) {
    const out = new Float64Array(inputs.length * MET_LENGTH);
    for (let i = 0; i < inputs.length; i++) {
      if (stop !== undefined && Atomics.load(stop, 0) !== 0) return null;
      run(market, window, inputs[i]!, cfg, out.subarray(i * MET_LENGTH), null, null, 0);
    }
    return out;
  },
};

export function simulatorShim(kernels: KernelSet): Simulator {
  const k = kernels as KernelSet & Partial<Simulator>;
  if (typeof k.simulate === 'function' && typeof k.simulateBatch === 'function') return k as unknown as Simulator;
  return tsSim;
}
