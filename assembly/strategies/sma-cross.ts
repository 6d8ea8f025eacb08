// Family `sma-cross` (SPEC section 4), the kernel of the reference workload W1.
// Twin: src/kernels/strategies/sma-cross.ts.
import { ld } from "../memory";
import { OK, E_LENGTH, E_PERIOD, E_PARAM } from "../status";
import {
  CFG_FILL, CFG_SHORTS, CFG_SIZING, FILL_CLOSE, SIZING_RISK, EXIT_SIGNAL,
  EXIT_REVERSAL,
} from "../layout";
import { accInit, accOrder, accMark, accFinish, accFirstSignal, dir } from "./account-scalar";

export const SMA_CROSS_GENES: i32 = 2;

/**
 * One genome [fast, slow] over bars [0, n): SMAs as running sums (SPEC section 7), a cross-up
 * at t goes long, a cross-down goes short (or flat when shorts are off), filled at open[t+1]
 * (or close[t]); a signal in the direction already held is ignored. Signals are taken for
 * accountFirstSignal(max(fast, slow)) <= t <= n - 2: bars before the window's origin
 * (CFG_ORIGIN) only feed the SMAs. Writes MET_LENGTH metrics to out; equity (n - origin values)
 * and trades (TR_LENGTH values each, at most tradesCap) when their pointers are not 0.
 */
export function smaCross(
  open: usize, high: usize, low: usize, close: usize, n: i32, genes: usize, cfg: usize,
  out: usize, equity: usize, trades: usize, tradesCap: i32,
): i32 {
  if (n < 1) return E_LENGTH;
  const fast = <i32>ld(genes, 0);
  const slow = <i32>ld(genes, 1);
  if (fast < 1 || slow < 1) return E_PERIOD;
  if (<i32>ld(cfg, CFG_SIZING) == SIZING_RISK) return E_PARAM;
  const closeFill = <i32>ld(cfg, CFG_FILL) == FILL_CLOSE;
  const downTarget = ld(cfg, CFG_SHORTS) != 0 ? -1 : 0;
  const kf = <f64>fast;
  const ks = <f64>slow;
  const lag = fast > slow ? fast : slow;
  accInit(cfg, equity, trades, tradesCap);
  const first = accFirstSignal(lag); // nothing is decided before the window
  let sf: f64 = 0;
  let ss: f64 = 0;
  let pf: f64 = 0;
  let ps: f64 = 0;
  let pending = false;
  let pendingTarget = 0;
  for (let t = 0; t < n; t++) {
    if (pending) {
      accOrder(pendingTarget, ld(open, t), t, pendingTarget != 0 ? EXIT_REVERSAL : EXIT_SIGNAL, 0, 0);
      pending = false;
    }
    const c = ld(close, t);
    sf = t < fast ? sf + c : sf + (c - ld(close, t - fast));
    ss = t < slow ? ss + c : ss + (c - ld(close, t - slow));
    const f = sf / kf;
    const s = ss / ks;
    if (t >= first && t <= n - 2) {
      let target = 2;
      if (pf <= ps && f > s) target = 1;
      else if (pf >= ps && f < s) target = downTarget;
      if (target != 2 && target != dir) {
        if (closeFill) accOrder(target, c, t, target != 0 ? EXIT_REVERSAL : EXIT_SIGNAL, 0, 0);
        else {
          pending = true;
          pendingTarget = target;
        }
      }
    }
    pf = f;
    ps = s;
    accMark(c, t);
  }
  accFinish(n, ld(close, n - 1), out);
  return OK;
}
