// Family `sma-cross` (SPEC section 4), the kernel of the reference workload W1.
// Twin: assembly/strategies/sma-cross.ts.
import { OK, E_LENGTH, E_PERIOD, E_PARAM } from '../status.js';
import {
  CFG_FILL, CFG_SHORTS, CFG_SIZING, FILL_CLOSE, SIZING_RISK, EXIT_SIGNAL,
  EXIT_REVERSAL,
} from '../layout.js';
import * as acc from './account-scalar.js';

export const SMA_CROSS_GENES = 2;

/**
 * One genome [fast, slow] over bars [0, n): SMAs as running sums (SPEC section 7), a cross-up
 * at t goes long, a cross-down goes short (or flat when shorts are off), filled at open[t+1]
 * (or close[t]); a signal in the direction already held is ignored. Signals are taken for
 * accountFirstSignal(max(fast, slow)) <= t <= n - 2: bars before the window's origin
 * (CFG_ORIGIN) only feed the SMAs. Writes MET_LENGTH metrics to out; equity (n - origin values)
 * and trades (TR_LENGTH values each, at most tradesCap) when given.
 */
export function smaCross(
  open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, n: number,
  genes: Float64Array, cfg: Float64Array, out: Float64Array, equity: Float64Array | null,
  trades: Float64Array | null, tradesCap: number,
): number {
  if (n < 1) return E_LENGTH;
  const fast = genes[0]! | 0;
  const slow = genes[1]! | 0;
  if (fast < 1 || slow < 1) return E_PERIOD;
  if ((cfg[CFG_SIZING]! | 0) === SIZING_RISK) return E_PARAM;
  const closeFill = (cfg[CFG_FILL]! | 0) === FILL_CLOSE;
  const downTarget = cfg[CFG_SHORTS] !== 0 ? -1 : 0;
  const kf = fast;
  const ks = slow;
  const lag = fast > slow ? fast : slow;
  acc.accInit(cfg, equity, trades, tradesCap);
  const first = acc.accFirstSignal(lag); // nothing is decided before the window
  let sf = 0;
  let ss = 0;
  let pf = 0;
  let ps = 0;
  let pending = false;
  let pendingTarget = 0;
  for (let t = 0; t < n; t++) {
    if (pending) {
      acc.accOrder(pendingTarget, open[t]!, t, pendingTarget !== 0 ? EXIT_REVERSAL : EXIT_SIGNAL, 0, 0);
      pending = false;
    }
    const c = close[t]!;
    sf = t < fast ? sf + c : sf + (c - close[t - fast]!);
    ss = t < slow ? ss + c : ss + (c - close[t - slow]!);
    const f = sf / kf;
    const s = ss / ks;
    if (t >= first && t <= n - 2) {
      let target = 2;
      if (pf <= ps && f > s) target = 1;
      else if (pf >= ps && f < s) target = downTarget;
      if (target !== 2 && target !== acc.dir) {
        if (closeFill) acc.accOrder(target, c, t, target !== 0 ? EXIT_REVERSAL : EXIT_SIGNAL, 0, 0);
        else {
          pending = true;
          pendingTarget = target;
        }
      }
    }
    pf = f;
    ps = s;
    acc.accMark(c, t);
  }
  acc.accFinish(n, close[n - 1]!, out);
  return OK;
}
