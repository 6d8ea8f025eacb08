// The generic simulator's marking of two lanes at once (simulate.ts's simulatePair): bars where
// neither lane can trade. Twin: assembly/strategies/simulate-pair.ts, which marks both lanes in
// f64x2 halves with accountMarkRun's operations per lane and goes back to accountMarkRun
// wherever a half could differ (ruin, a NaN); so here each lane runs accountMarkRun itself.
import { accountMarkRun, type Account } from './account.js';

/** accountMarkRun(L, close, from, from, to) for lanes LA and LB (see the twin). */
export function markPairRun(LA: Account, LB: Account, close: Float64Array, from: number, to: number): void {
  accountMarkRun(LA, close, from, from, to);
  accountMarkRun(LB, close, from, from, to);
}
