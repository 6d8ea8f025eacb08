// The `ctx` a strategy's signals receive: the bars of a span (a window and its warm-up bars,
// README "Windows and warm-up") and `ctx.ind`, whose indicators go through the worker's
// indicator cache. A series is known to the cache by where it came from (a column of the span,
// or an earlier cached result) and the cache keys on the span, never on the window alone; a
// series the strategy computed itself is not cached (its content is not known to be the same
// next time).
import type { MarketData } from '../data/market.js';
import type { KernelSet, Window } from '../kernels/kernel-set.js';
import type { IndicatorCache } from './indicator-cache.js';
import type { Indicators, Series, StrategyContext } from './types.js';

const marketIds = new WeakMap<MarketData, number>();
let nextMarketId = 1;

// Every series the cache computed has an id of its own, `#n`, for as long as it lives: a key
// names its sources by these (short keys, not the chain of everything they came from), and a
// hit finds its value named already. An id stands for that very array, whose content never
// changes (results are read only), so a key built on it is right in any context.
const valueIds = new WeakMap<Float64Array, string>();
let nextValueId = 1;

function nameValue<T extends Float64Array | Record<string, Float64Array>>(v: T): T {
  if (v instanceof Float64Array) valueIds.set(v, `#${nextValueId++}`);
  else for (const a of Object.values(v)) valueIds.set(a, `#${nextValueId++}`);
  return v;
}

function marketId(m: MarketData): number {
  let id = marketIds.get(m);
  if (id === undefined) {
    id = nextMarketId++;
    marketIds.set(m, id);
  }
  return id;
}

/** A period the kernels take as it is: an integer from 1 to 2^31 - 1. */
const isPeriod = (k: number): boolean => Number.isInteger(k) && k >= 1 && k <= 0x7fffffff;

/**
 * The context of one span of bars (shared by every genome evaluated on it); the window being
 * evaluated begins at index `origin` of the span.
 */
export function createContext(
  kernels: KernelSet, market: MarketData, span: Window, origin: number, cache: IndicatorCache | null,
): StrategyContext {
  const { start, end } = span;
  // The span's columns, by name (the scope below names the span).
  const ids = new WeakMap<object, string>();
  const col = (name: string, a: Float64Array): Float64Array => {
    const v = a.subarray(start, end);
    ids.set(v, name);
    return v;
  };
  const open = col('open', market.open);
  const high = col('high', market.high);
  const low = col('low', market.low);
  const close = col('close', market.close);
  const volume = col('volume', market.volume);
  const time = col('time', market.time);
  const scope = `${kernels.name}|${marketId(market)}|${start}:${end}|`;

  function cached<T extends Float64Array | Record<string, Float64Array>>(
    fn: string, srcs: Series[], params: number[], compute: () => T, shared = false,
  ): T {
    if (cache === null) return compute();
    // `fn(src,...;param,...)`, built by concatenation (this runs for every genome's every
    // indicator: no intermediate arrays).
    let key = `${scope}${fn}(`;
    for (let i = 0; i < srcs.length; i++) {
      const src = srcs[i]! as Float64Array;
      const id = ids.get(src) ?? valueIds.get(src);
      if (id === undefined) return compute();
      key += i === 0 ? id : `,${id}`;
    }
    key += ';';
    for (let i = 0; i < params.length; i++) key += i === 0 ? String(params[i]) : `,${String(params[i])}`;
    key += ')';
    return cache.get(key, () => nameValue(compute()), shared);
  }
  const f = (s: Series): Float64Array => s as Float64Array;

  const ind: Indicators = {
    sma: (src, k) => cached('sma', [src], [k], () => kernels.sma(f(src), k)),
    ema: (src, k) => cached('ema', [src], [k], () => kernels.ema(f(src), k)),
    rsi: (src, k) => cached('rsi', [src], [k], () => kernels.rsi(f(src), k)),
    atr: (h, l, c, k) => cached('atr', [h, l, c], [k], () => kernels.atr(f(h), f(l), f(c), k)),
    stochRsi: (src, a, b, c, d) => {
      if (!(isPeriod(a) && isPeriod(b) && isPeriod(c) && isPeriod(d))) {
        // Whatever the kernel does with such periods (E_KERNEL naming stochRsi below 1).
        return cached('stochRsi', [src], [a, b, c, d], () => ({ ...kernels.stochRsi(f(src), a, b, c, d) }));
      }
      // In stages, each cached on what it depends on (the RSI on rsiK alone, the raw StochRSI on
      // rsiK and stochK): the kernel's own steps, so the very same bits. The RSI, on one period of
      // the four, is what a population shares: it starts protected in the cache (the key is
      // ctx.ind.rsi's).
      const rsi = cached('rsi', [src], [a], () => kernels.rsi(f(src), a), true);
      const stoch = cached('stochOf', [rsi], [b], () => kernels.stochOf(f(rsi), b));
      const k = ind.sma(stoch, c);
      return { rsi, stoch, k, d: ind.sma(k, d) };
    },
    bands: (atr, k, lo, hi, s, adj) =>
      cached('bands', [atr], [k, lo, hi, s, adj], () => ({ ...kernels.bands(f(atr), k, lo, hi, s, adj) })),
    stdev: (src, k) => cached('stdev', [src], [k], () => kernels.stdev(f(src), k)),
    highest: (src, k) => cached('highest', [src], [k], () => kernels.highest(f(src), k)),
    lowest: (src, k) => cached('lowest', [src], [k], () => kernels.lowest(f(src), k)),
    // Two series of a genome's own periods: what a population shares is the inputs, not this.
    cross: (a, b) => kernels.cross(f(a), f(b)),
  };
  return { open, high, low, close, volume, time, length: end - start, start: origin, ind };
}
