// Where `dondoc start` gets its Redis (issue 5): REDIS_URL when set; else a Redis already
// answering on 127.0.0.1:6379; else a private redis-server that dondoc starts itself, on a free
// loopback port, its data under var/redis/ (AOF on, noeviction: the settings dondoc needs), and
// stops on shutdown. A newcomer with redis-server installed needs no set-up at all.
//
// var/redis/dondoc-redis.json records the private server (pid, port, the dondoc that owns it), so
// a second `dondoc start` in the same directory shares it instead of starting another server on
// the same files, and a server left behind by a dondoc that was killed is adopted, not doubled.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DondocError } from '../errors.js';
import type { Logger } from '../log.js';

export const DEFAULT_REDIS_DIR = path.join('var', 'redis');
const STATE_FILE = 'dondoc-redis.json';

export type ProbeResult = 'redis' | 'auth-required' | 'not-redis' | 'nothing';

/** Sends PING over a plain socket: is there a Redis on host:port, and may we use it? */
export function probeRedis(host: string, port: number, timeoutMs = 500): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    let answer = '';
    const done = (r: ProbeResult): void => {
      sock.destroy();
      resolve(r);
    };
    sock.setTimeout(timeoutMs, () => done(answer ? 'not-redis' : sock.connecting ? 'nothing' : 'not-redis'));
    sock.on('error', () => done('nothing'));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      if (!answer.includes('\r\n')) return;
      if (answer.startsWith('+PONG')) done('redis');
      else if (/^-(NOAUTH|WRONGPASS|ERR.*auth)/i.test(answer)) done('auth-required');
      else done('not-redis');
    });
  });
}

/** The redis-server executable on PATH, or undefined. */
export function findRedisServer(pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, process.platform === 'win32' ? 'redis-server.exe' : 'redis-server');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

export const noRedisError = (probePort: number): DondocError =>
  new DondocError(
    'REDIS_UNAVAILABLE',
    `no Redis: REDIS_URL is not set, nothing answers on 127.0.0.1:${probePort}, and redis-server is not installed. ` +
      'Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and dondoc starts a private one under var/redis/, ' +
      'or set REDIS_URL=redis://HOST:6379 to use a Redis you run.',
  );

export interface PrivateRedis {
  url: string;
  port: number;
  /** Absolute data directory. */
  dir: string;
  pid: number;
  /** false: another dondoc started it and will stop it; stop() then only lets go. */
  owned: boolean;
  stop(): Promise<void>;
}

interface State {
  pid: number;
  port: number;
  owner: number;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function readState(dir: string): State | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(dir, STATE_FILE), 'utf8')) as Partial<State>;
    if (Number.isInteger(s.pid) && Number.isInteger(s.port) && Number.isInteger(s.owner)) return s as State;
  } catch {
    /* absent or torn: start afresh */
  }
  return undefined;
}

const writeState = (dir: string, s: State): void => fs.writeFileSync(path.join(dir, STATE_FILE), `${JSON.stringify(s)}\n`);

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}

async function waitGone(pid: number, child: ChildProcess | undefined, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child ? child.exitCode !== null || child.signalCode !== null : !alive(pid)) return true;
    await sleep(25);
  }
  return false;
}

function handle(dir: string, port: number, pid: number, owned: boolean, child: ChildProcess | undefined, logger: Logger): PrivateRedis {
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    pid,
    owned,
    stop() {
      stopping ??= (async () => {
        if (!owned) return;
        // SIGTERM: Redis flushes the AOF and exits cleanly (SHUTDOWN).
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
        if (!(await waitGone(pid, child, 10_000))) {
          logger.warn({ redisPid: pid }, 'private redis-server did not stop within 10 s; killing it');
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
          await waitGone(pid, child, 2_000);
        }
        const s = readState(dir);
        if (s && s.pid === pid) fs.rmSync(path.join(dir, STATE_FILE), { force: true });
        logger.info({ redisPid: pid, dir }, 'private redis-server stopped');
      })();
      return stopping;
    },
  };
}

/**
 * Starts (or shares, or adopts) the private redis-server whose data live in `dir`. The caller
 * has checked that REDIS_URL is unset and nothing answers on the probe port.
 */
export async function startPrivateRedis(opts: { dir?: string; binary: string; logger: Logger }): Promise<PrivateRedis> {
  const dir = path.resolve(opts.dir ?? DEFAULT_REDIS_DIR);
  const { logger } = opts;
  fs.mkdirSync(dir, { recursive: true });

  const previous = readState(dir);
  if (previous && alive(previous.pid) && (await probeRedis('127.0.0.1', previous.port)) === 'redis') {
    if (previous.owner !== process.pid && alive(previous.owner)) {
      logger.info({ port: previous.port, dir, owner: previous.owner }, 'sharing the private redis-server another dondoc started in this directory');
      return handle(dir, previous.port, previous.pid, false, undefined, logger);
    }
    // Its dondoc is gone (killed): take it over, so it is stopped with us.
    writeState(dir, { ...previous, owner: process.pid });
    logger.info({ port: previous.port, dir, redisPid: previous.pid }, 'adopted the private redis-server a previous dondoc left running');
    return handle(dir, previous.port, previous.pid, true, undefined, logger);
  }

  let lastError = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    const port = await freeLoopbackPort();
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--maxmemory-policy', 'noeviction',
      '--daemonize', 'no',
      '--logfile', 'redis.log',
    ];
    // Its own process group: a Ctrl-C in the terminal reaches dondoc only, which stops Redis
    // last, after the workers have let go of it.
    const child = spawn(opts.binary, args, { cwd: dir, stdio: 'ignore', detached: true });
    child.unref();
    let spawnError: Error | undefined;
    child.on('error', (e) => (spawnError = e));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (spawnError) throw new DondocError('ENVIRONMENT', `could not run ${opts.binary}: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) break;
      if ((await probeRedis('127.0.0.1', port, 250)) === 'redis') {
        const pid = child.pid!;
        writeState(dir, { pid, port, owner: process.pid });
        logger.info({ port, dir, redisPid: pid }, 'started a private redis-server (AOF on, noeviction); it stops with dondoc');
        return handle(dir, port, pid, true, child, logger);
      }
      await sleep(25);
    }
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    lastError = tail(path.join(dir, 'redis.log'));
  }
  throw new DondocError('ENVIRONMENT', `the private redis-server (data in ${dir}) did not start: ${lastError || 'no answer to PING within 10 s'}`);
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '';
  }
}

export interface ResolvedRedis {
  url: string;
  /** How it was found, for the ready line. */
  source: 'REDIS_URL' | 'local' | 'private';
  /** Set when dondoc runs (or shares) a private server. */
  private?: PrivateRedis;
}

/** REDIS_URL, else a local Redis on the probe port, else a private redis-server (see header). */
export async function resolveRedis(opts: {
  redisUrl: string | undefined;
  probePort: number;
  dir?: string;
  pathVar: string | undefined;
  logger: Logger;
}): Promise<ResolvedRedis> {
  if (opts.redisUrl) return { url: opts.redisUrl, source: 'REDIS_URL' };
  const probe = await probeRedis('127.0.0.1', opts.probePort);
  if (probe === 'redis') return { url: `redis://127.0.0.1:${opts.probePort}`, source: 'local' };
  if (probe === 'auth-required') {
    throw new DondocError('REDIS_UNAVAILABLE', `the Redis on 127.0.0.1:${opts.probePort} requires a password: set REDIS_URL=redis://:PASSWORD@127.0.0.1:${opts.probePort}`);
  }
  if (probe === 'not-redis') {
    throw new DondocError('REDIS_UNAVAILABLE', `something that is not Redis answers on 127.0.0.1:${opts.probePort}: set REDIS_URL to your Redis`);
  }
  const binary = findRedisServer(opts.pathVar);
  if (!binary) throw noRedisError(opts.probePort);
  const server = await startPrivateRedis({ ...(opts.dir ? { dir: opts.dir } : {}), binary, logger: opts.logger });
  return { url: server.url, source: 'private', private: server };
}

/**
 * The Redis a one-shot command (`dondoc task list`, `delivery list`…) should use: REDIS_URL;
 * else a Redis on the probe port; else the private redis-server a running `dondoc start` in
 * this directory uses; else the default URL (which then fails with the usual message).
 */
export async function commandRedisUrl(env: { redisUrl: string; redisUrlSet: boolean; redisProbePort: number; redisDir?: string }): Promise<string> {
  if (env.redisUrlSet) return env.redisUrl;
  if ((await probeRedis('127.0.0.1', env.redisProbePort)) === 'redis') return `redis://127.0.0.1:${env.redisProbePort}`;
  const s = readState(path.resolve(env.redisDir ?? DEFAULT_REDIS_DIR));
  if (s && (await probeRedis('127.0.0.1', s.port)) === 'redis') return `redis://127.0.0.1:${s.port}`;
  return env.redisUrl;
}
