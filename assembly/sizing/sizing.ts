import { ld, st } from "../memory";
import { OK, E_LENGTH, E_PARAM } from "../status";

// @ts-ignore: decorator
@inline export function floorToLot(units: f64, lotSize: f64): f64 {
  if (!(lotSize > 0)) return units;
  const a = floor(abs(units) / lotSize) * lotSize;
  return units < 0 ? -a : a;
}

/**
 * Sizing mode `fraction` (SPEC section 2): units = direction * fraction * equity / price, then
 * |units| floored to a multiple of lotSize when lotSize > 0.
 */
// @ts-ignore: decorator
@inline export function unitsFraction(equity: f64, price: f64, fraction: f64, lotSize: f64, direction: f64): f64 {
  return floorToLot((direction * fraction * equity) / price, lotSize);
}

/**
 * Sizing mode `risk`: units = riskPerTrade * equity / max(stopDistance, minPriceRisk * price),
 * capped so that |units| * price <= maxLeverage * equity, floored to lotSize, signed.
 */
// @ts-ignore: decorator
@inline export function unitsRisk(
  equity: f64, price: f64, stopDistance: f64, riskPerTrade: f64, minPriceRisk: f64,
  maxLeverage: f64, lotSize: f64, direction: f64,
): f64 {
  let dist = minPriceRisk * price;
  if (stopDistance > dist) dist = stopDistance;
  let u = (riskPerTrade * equity) / dist;
  const cap = (maxLeverage * equity) / price;
  if (u > cap) u = cap;
  return floorToLot(direction * u, lotSize);
}

/** Array form of `unitsFraction` (one position size per bar). */
export function sizeFraction(
  equity: usize, price: usize, n: i32, fraction: f64, lotSize: f64, direction: f64, out: usize,
): i32 {
  if (n < 0) return E_LENGTH;
  if (!(lotSize >= 0)) return E_PARAM;
  for (let i = 0; i < n; i++) {
    st(out, i, unitsFraction(ld(equity, i), ld(price, i), fraction, lotSize, direction));
  }
  return OK;
}

/** Array form of `unitsRisk` (one position size per bar, stop distance per bar). */
export function sizeRisk(
  equity: usize, price: usize, stopDistance: usize, n: i32, riskPerTrade: f64, minPriceRisk: f64,
  maxLeverage: f64, lotSize: f64, direction: f64, out: usize,
): i32 {
  if (n < 0) return E_LENGTH;
  if (!(lotSize >= 0)) return E_PARAM;
  for (let i = 0; i < n; i++) {
    st(out, i, unitsRisk(
      ld(equity, i), ld(price, i), ld(stopDistance, i), riskPerTrade, minPriceRisk, maxLeverage,
      lotSize, direction,
    ));
  }
  return OK;
}
