// Market data in Redis, content-addressed: a coordinator stores a market once under its sha256,
// workers fetch it once and check the digest before using a single bar.
import type { Redis } from 'ioredis';
import type { MarketData } from '../data/market.js';
import { allocateMarket } from '../data/market.js';
import { poolError } from '../errors.js';
import { marketDigest } from '../ga/checkpoint.js';
import { MARKET_TTL_S, keys } from './protocol.js';

interface MarketMeta {
  length: number;
  hasVolume: boolean;
  source: string;
}

/**
 * Stores the market under its digest unless it is there already (then only renews its expiry).
 * Returns the digest and whether the bytes were sent.
 */
export async function putMarket(redis: Redis, queue: string, market: MarketData, digest = marketDigest(market)): Promise<{ digest: string; uploaded: boolean }> {
  const key = keys(queue).market(digest);
  if ((await redis.expire(key, MARKET_TTL_S)) === 1) return { digest, uploaded: false };
  const meta: MarketMeta = { length: market.length, hasVolume: market.hasVolume, source: market.source };
  const bytes = Buffer.from(new Uint8Array(market.buffer, 0, market.length * 8 * 6));
  await redis.multi().hset(key, 'meta', JSON.stringify(meta), 'bars', bytes).expire(key, MARKET_TTL_S).exec();
  return { digest, uploaded: true };
}

/**
 * Fetches the market stored under `digest` into fresh shared memory and checks its sha256:
 * a missing or altered entry fails (E_POOL) rather than evaluating other bars.
 */
export async function getMarket(redis: Redis, queue: string, digest: string): Promise<MarketData> {
  const key = keys(queue).market(digest);
  const [metaBuf, bytes] = await redis.hmgetBuffer(key, 'meta', 'bars');
  if (metaBuf === null || bytes === null || metaBuf === undefined || bytes === undefined) {
    throw poolError(`market data ${digest.slice(0, 12)}... is not in Redis (expired or removed): start the run again`);
  }
  const meta = JSON.parse(metaBuf.toString('utf8')) as MarketMeta;
  if (bytes.length !== meta.length * 48) {
    throw poolError(`market data ${digest.slice(0, 12)}... in Redis has ${bytes.length} bytes, expected ${meta.length * 48}`);
  }
  const market = allocateMarket(meta.length, meta.source, meta.hasVolume);
  new Uint8Array(market.buffer, 0, bytes.length).set(bytes);
  const got = marketDigest(market);
  if (got !== digest) throw poolError(`market data ${digest.slice(0, 12)}... in Redis does not match its digest (sha256 ${got.slice(0, 12)}...)`);
  return market;
}
