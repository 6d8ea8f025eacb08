// The export surface of the kernel module (and nothing else). Every export has a plain
// TypeScript twin under src/kernels/ with the same name and parameter order.
export { heapBase } from "./memory";
export { sma } from "./indicators/sma";
export { ema } from "./indicators/ema";
export { rsi } from "./indicators/rsi";
export { stochRsi, stochOf } from "./indicators/stoch-rsi";
export { atr } from "./indicators/atr";
export { bands } from "./indicators/bands";
export { stdev } from "./indicators/stdev";
export { highest, lowest } from "./indicators/extremes";
export { cross } from "./indicators/cross";
export { sizeFraction, sizeRisk } from "./sizing/sizing";
export {
  returns, totalReturn, sharpe, sortino, maxDrawdown, annualReturn, calmar, winRate,
  profitFactor, exposure,
} from "./metrics/metrics";
export { smaCross } from "./strategies/sma-cross";
export { smaCrossBatch, interleaveBars } from "./strategies/sma-cross-batch";
export { stochRsiBands } from "./strategies/stoch-rsi-bands";
export { stochRsiBandsBatch, stochRsiBandsBacktest } from "./strategies/stoch-rsi-bands-batch";
export { accTrades, accTradesDropped } from "./strategies/account-scalar";
export { simulate, simulateBatch } from "./strategies/simulate";
