// A real Redis server for the queue tests: Debian's redis-server on a free loopback port, its
// files in a temporary directory, stopped (and the directory removed) after the tests.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p))
  ?? (spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim() || null);

/**
 * Whether the queue tests run: with redis-server installed, or always under CI
 * (EVOQUANT_REQUIRE_REDIS=1, where a missing server fails them instead of skipping them).
 */
export const HAVE_REDIS = REDIS_SERVER !== null || process.env['EVOQUANT_REQUIRE_REDIS'] === '1';

/** A port nobody listens on (127.0.0.1 only). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  port: number;
  url: string;
  password?: string;
  proc: ChildProcess;
  /** Stops the server (SIGTERM, or SIGKILL with `kill`) and waits for it to exit. */
  stop(kill?: boolean): Promise<void>;
}

/** Starts redis-server on 127.0.0.1 and a free port; resolves once it accepts connections. */
export async function startRedis(options: { password?: string; port?: number; tls?: { cert: string; key: string } } = {}): Promise<RedisServer> {
  if (REDIS_SERVER === null) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const dir = await mkdtemp(join(tmpdir(), 'evoquant-redis-'));
  const port = options.port ?? await freePort();
  const listen = options.tls !== undefined
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const args = ['--bind', '127.0.0.1', ...listen, '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'warning'];
  if (options.password !== undefined) args.push('--requirepass', options.password);
  const proc = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => (log += s));
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => (log += s));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited: ${log}`);
    const ok = options.tls !== undefined ? await listening(port) : await new Promise<boolean>((resolve) => {
      const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...(options.password !== undefined ? ['--no-auth-warning', '-a', options.password] : []), 'ping'], { encoding: 'utf8' });
      resolve(r.stdout?.trim() === 'PONG');
    });
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`redis-server did not answer on port ${port}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const auth = options.password !== undefined ? `:${encodeURIComponent(options.password)}@` : '';
  const server: RedisServer = {
    port,
    url: `${options.tls !== undefined ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    proc,
    async stop(kill = false) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill(kill ? 'SIGKILL' : 'SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  if (options.password !== undefined) server.password = options.password;
  return server;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A self-signed certificate for 127.0.0.1 made with openssl, or null without openssl. */
export function selfSignedCert(dir: string): { cert: string; key: string } | null {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  return r.status === 0 ? { cert, key } : null;
}
