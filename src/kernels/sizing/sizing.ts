import { OK, E_LENGTH, E_PARAM } from '../status.js';

export function floorToLot(units: number, lotSize: number): number {
  if (!(lotSize > 0)) return units;
  const a = Math.floor(Math.abs(units) / lotSize) * lotSize;
  return units < 0 ? -a : a;
}

/**
 * Sizing mode `fraction` (SPEC section 2): units = direction * fraction * equity / price, then
 * |units| floored to a multiple of lotSize when lotSize > 0.
 */
export function unitsFraction(equity: number, price: number, fraction: number, lotSize: number, direction: number): number {
  return floorToLot((direction * fraction * equity) / price, lotSize);
}

/**
 * Sizing mode `risk`: units = riskPerTrade * equity / max(stopDistance, minPriceRisk * price),
 * capped so that |units| * price <= maxLeverage * equity, floored to lotSize, signed.
 */
export function unitsRisk(
  equity: number, price: number, stopDistance: number, riskPerTrade: number, minPriceRisk: number,
  maxLeverage: number, lotSize: number, direction: number,
): number {
  let dist = minPriceRisk * price;
  if (stopDistance > dist) dist = stopDistance;
  let u = (riskPerTrade * equity) / dist;
  const cap = (maxLeverage * equity) / price;
  if (u > cap) u = cap;
  return floorToLot(direction * u, lotSize);
}

/** Array form of `unitsFraction` (one position size per bar). */
export function sizeFraction(
  equity: Float64Array, price: Float64Array, n: number, fraction: number, lotSize: number,
  direction: number, out: Float64Array,
): number {
  if (n < 0) return E_LENGTH;
  if (!(lotSize >= 0)) return E_PARAM;
  for (let i = 0; i < n; i++) {
    out[i] = unitsFraction(equity[i]!, price[i]!, fraction, lotSize, direction);
  }
  return OK;
}

/** Array form of `unitsRisk` (one position size per bar, stop distance per bar). */
export function sizeRisk(
  equity: Float64Array, price: Float64Array, stopDistance: Float64Array, n: number,
  riskPerTrade: number, minPriceRisk: number, maxLeverage: number, lotSize: number,
  direction: number, out: Float64Array,
): number {
  if (n < 0) return E_LENGTH;
  if (!(lotSize >= 0)) return E_PARAM;
  for (let i = 0; i < n; i++) {
    out[i] = unitsRisk(
      equity[i]!, price[i]!, stopDistance[i]!, riskPerTrade, minPriceRisk, maxLeverage, lotSize,
      direction,
    );
  }
  return OK;
}
