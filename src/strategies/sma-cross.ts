// Built-in `sma-cross` (SPEC section 4, the reference workload W1). Its fast path is the fused
// kernel of src/kernels/strategies/sma-cross.ts (and its WASM twin); `signals` states the same
// rules through the public module API (`strategy check` and the equivalence tests run it).
import { defineStrategy } from '../strategy/define.js';

export default defineStrategy({
  name: 'sma-cross',
  description: 'fast/slow SMA crossover; cross-up goes long, cross-down goes short (or flat with long-only)',
  genes: [
    { name: 'fast', min: 2, max: 100, limit: [1, 1e6], kind: 'int', default: 10, description: 'fast SMA period' },
    { name: 'slow', min: 5, max: 300, limit: [2, 1e6], kind: 'int', default: 30, description: 'slow SMA period' },
  ],
  // fast < slow, the one place this rule is written. After the engine's clamping, fast > slow
  // means slow is in [5, 99], so swapping stays in bounds; equal periods (in [5, 100]) become
  // slow + 1 (at most 101 <= 300).
  repair(p) {
    if (p.fast! > p.slow!) [p.fast, p.slow] = [p.slow!, p.fast!];
    else if (p.fast === p.slow) p.slow = p.slow! + 1;
  },
  signals(ctx, p) {
    const f = ctx.ind.sma(ctx.close, p.fast!);
    const s = ctx.ind.sma(ctx.close, p.slow!);
    // Long on a cross above, short (or flat) on a cross below: the loop as a kernel.
    return { target: ctx.ind.cross(f, s) };
  },
});
