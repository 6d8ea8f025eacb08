// Redis connection settings in one place: parsing a redis:// or rediss:// URL into ioredis
// options, the redacted form every message uses, and the fail-fast reachability check.
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { configError, poolError } from '../errors.js';

/** A parsed Redis URL: what to connect to and how to name it in messages (never with a password). */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username?: string;
  password?: string;
  /** `redis://user:***@host:port/db`: safe for logs, errors and files. */
  display: string;
}

/** Environment variable that supplies the password when the URL has none (keeps it out of `ps`). */
export const REDIS_PASSWORD_ENV = 'EVOQUANT_REDIS_PASSWORD';

/**
 * Parses `redis://[user[:password]@]host[:port][/db]` or `rediss://...` (TLS). The password may
 * also come from EVOQUANT_REDIS_PASSWORD. Errors name the option, never the password.
 */
export function parseRedisUrl(url: string, option = 'redis', env: NodeJS.ProcessEnv = process.env): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw configError(option, `not a URL: ${redactUrl(url)} (expected redis://host:port or rediss://host:port)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw configError(option, `${redactUrl(url)}: the scheme must be redis:// or rediss:// (TLS), got ${u.protocol}//`);
  }
  if (u.hostname === '') throw configError(option, `${redactUrl(url)}: no host`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw configError(option, `${redactUrl(url)}: the database must be a non-negative integer, got /${dbText}`);
  const password = u.password !== '' ? decodeURIComponent(u.password) : env[REDIS_PASSWORD_ENV];
  const username = u.username !== '' ? decodeURIComponent(u.username) : undefined;
  // IPv6 literals keep their brackets in URL.hostname; ioredis wants them bare.
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const target: RedisTarget = { host, port, db, tls: u.protocol === 'rediss:', display: '' };
  if (username !== undefined) target.username = username;
  if (password !== undefined && password !== '') target.password = password;
  target.display = `${u.protocol}//${username !== undefined ? `${username}${target.password !== undefined ? ':***' : ''}@` : target.password !== undefined ? ':***@' : ''}${u.host}${db !== 0 ? `/${db}` : ''}`;
  return target;
}

/**
 * Replaces the password of every redis:// or rediss:// URL in a text with `***`. Applied to
 * whatever text may carry a URL the user typed before it is printed or thrown.
 */
export function redactUrl(text: string): string {
  return text.replace(/(rediss?:\/\/)([^:@/\s]*):([^@\s]*)@/gi, (_m, scheme: string, user: string) => `${scheme}${user}:***@`);
}

/** `host:port`, the part of a target an unreachable-server message names. */
export function hostPort(t: RedisTarget): string {
  return `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

/**
 * ioredis options for a target. `blocking` connections (BullMQ workers and QueueEvents) retry
 * commands for ever across reconnects, as BullMQ requires; the evaluator's own connection gives
 * up on a command after a few reconnects so that a lost server becomes an error.
 */
export function redisOptions(t: RedisTarget, extra: RedisOptions = {}): RedisOptions {
  const o: RedisOptions = {
    host: t.host,
    port: t.port,
    db: t.db,
    connectTimeout: 4000,
    maxRetriesPerRequest: null,
    // Reconnect quickly at first, then every 2 s: a restarted Redis is picked up again.
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
    ...extra,
  };
  if (t.username !== undefined) o.username = t.username;
  if (t.password !== undefined) o.password = t.password;
  if (t.tls) o.tls = { servername: t.host };
  return o;
}

/** The cause of a connection failure in one short phrase (ECONNREFUSED, a timeout, WRONGPASS...). */
export function connectionCause(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const text = redactUrl(err.message ?? String(e));
  return err.code !== undefined && !text.includes(err.code) ? `${err.code}: ${text}` : text;
}

/**
 * Connects to the target once, without retrying, and checks it answers PING within `timeoutMs`:
 * an unreachable server fails at once with an error naming host and port (E_POOL).
 */
export async function checkReachable(t: RedisTarget, timeoutMs = 4000): Promise<void> {
  const client = new Redis(redisOptions(t, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  }));
  // The 'error' event carries the cause (ECONNREFUSED, WRONGPASS); connect() only says closed.
  let cause: unknown = null;
  client.on('error', (e: unknown) => {
    cause ??= e;
  });
  const timer = new Promise<never>((_, reject) => {
    const id = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    id.unref();
  });
  try {
    await Promise.race([client.connect().then(() => client.ping()), timer]);
  } catch (e) {
    const why = cause ?? e;
    throw poolError(`cannot reach Redis at ${hostPort(t)} (${t.display}): ${connectionCause(why)}`, why);
  } finally {
    client.disconnect();
  }
}

/** A promise that rejects after `ms` (the operation itself is left to finish or fail). */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // Not unref'd: a close that hangs must not let the process end before its error is told.
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then((v) => {
      clearTimeout(t);
      resolve(v);
    }, (e: unknown) => {
      clearTimeout(t);
      reject(e instanceof Error ? e : new Error(String(e)));
    });
  });
}
