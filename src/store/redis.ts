// Redis connections for the task store, and the one place that turns "Redis is not there"
// into DondocError('REDIS_UNAVAILABLE') (CLI exit 3, API 503). Commands fail fast instead of
// queueing while disconnected, so a caller never waits on a dead server and never sends a
// half of a change later: every change is one script call that either ran or did not.
//
// REDIS_URL may name one server or a Redis Cluster (redis+cluster://h1:7000,h2:7001; see
// redis-url.ts and docs/SCALING.md). Both are a `RedisClient`: ioredis's Redis and Cluster speak
// the same commands, and every dondoc script and command touches keys of one hash slot (the
// {id} hash tags of keys.ts), so the stores run unchanged on either. What differs is kept here:
// how to connect, BullMQ's connections, and SCAN, which on a cluster must visit every master.
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { DondocError } from '../errors.js';
import { type RedisTarget, parseRedisTarget, safeTarget } from './redis-url.js';

/** A connection to one Redis server or to a Redis Cluster. */
export type RedisClient = Redis | Cluster;

export type RedisRole =
  /** One command, then exit: no reconnects, the first failure is the answer. */
  | 'cli'
  /** A long-running service: reconnect with backoff, but fail each command at once while down. */
  | 'service';

export interface ConnectOptions {
  role: RedisRole;
  /** Connect and command timeout (DONDOC_REDIS_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Called with connection errors (the service logs them; the CLI reports the first). */
  onError?: (err: Error) => void;
}

/** The URL without credentials, for messages and logs. */
export const safeRedisUrl = (url: string): string => safeTarget(url);

function targetOf(url: string): RedisTarget {
  const t = parseRedisTarget(url);
  if ('error' in t) throw new DondocError('CONFIG_INVALID', `REDIS_URL: ${t.error}`, [{ path: 'REDIS_URL', message: t.error }]);
  return t;
}

/** ioredis Cluster options for the nodes of a cluster target, around per-node options. */
function clusterOptions(t: Extract<RedisTarget, { kind: 'cluster' }>, node: ClusterOptions['redisOptions'], rest: ClusterOptions): ClusterOptions {
  return {
    ...rest,
    redisOptions: {
      ...node,
      ...(t.username ? { username: t.username } : {}),
      ...(t.password ? { password: t.password } : {}),
      ...(t.tls ? { tls: {} } : {}),
    },
  };
}

/** Creates a client without connecting (importing or building never connects). */
export function makeRedis(url: string, opts: ConnectOptions): RedisClient {
  const timeout = opts.timeoutMs ?? 2000;
  const target = targetOf(url);
  // The CLI gives up at once; the service retries every ≤ 2 s until Redis is back.
  const retry = opts.role === 'cli' ? () => null : (times: number) => Math.min(100 * times, 2000);
  const node: RedisOptions = {
    connectTimeout: timeout,
    commandTimeout: timeout,
    maxRetriesPerRequest: 1,
    // A reply to a change may be lost with the connection: never resend it blindly (the
    // revision check would refuse it anyway, but the caller must see the failure).
    autoResendUnfulfilledCommands: false,
    // ioredis waits this long for a clean close before dropping the socket; a CLI that
    // failed to connect should exit at once with its message, not 2 s later.
    ...(opts.role === 'cli' ? { disconnectTimeout: 100 } : {}),
  };
  const shared = {
    lazyConnect: true,
    enableOfflineQueue: false,
    // Commands issued in the same tick go out in one write (per node on a cluster): a batch
    // of an import is a few round trips, not thousands.
    enableAutoPipelining: true,
  };
  const redis: RedisClient =
    target.kind === 'single'
      ? new Redis(target.url, { ...node, ...shared, retryStrategy: retry })
      : new Cluster(
          target.nodes,
          clusterOptions(target, node, {
            ...shared,
            clusterRetryStrategy: retry,
            // The slot map is fetched within the connect timeout; a failover (CLUSTERDOWN,
            // TRYAGAIN) is waited out briefly before a command fails.
            slotsRefreshTimeout: timeout,
            retryDelayOnClusterDown: 200,
            retryDelayOnTryAgain: 200,
          }),
        );
  redis.on('error', (err: Error) => opts.onError?.(err));
  return redis;
}

/**
 * A connection for BullMQ (one per queue and worker): commands wait for Redis instead of
 * failing (maxRetriesPerRequest: null, as BullMQ's workers require), on one server or a cluster.
 */
export function makeBullConnection(url: string, opts: { timeoutMs?: number } = {}): RedisClient {
  const target = targetOf(url);
  const node: RedisOptions = { maxRetriesPerRequest: null, ...(opts.timeoutMs ? { connectTimeout: opts.timeoutMs } : {}) };
  return target.kind === 'single' ? new Redis(target.url, node) : new Cluster(target.nodes, clusterOptions(target, node, {}));
}

/**
 * The servers to visit for per-server commands (SCAN, INFO, PUBSUB NUMSUB): each master of a
 * cluster (or each node, replicas too, with 'all'), or the one server.
 */
export function eachServer(redis: RedisClient, role: 'master' | 'all' = 'master'): Redis[] {
  return redis instanceof Cluster ? redis.nodes(role) : [redis];
}

/**
 * SCAN over every key matching `pattern`, in batches. A cluster keeps each key on one master,
 * so each master is scanned in turn (a plain SCAN would see one random node's keys only).
 */
export async function* scanKeys(redis: RedisClient, pattern: string, count = 1000): AsyncGenerator<string[]> {
  for (const server of eachServer(redis)) {
    let cursor = '0';
    do {
      const [next, found] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (found.length) yield found;
    } while (cursor !== '0');
  }
}

/** Creates a client and connects; REDIS_UNAVAILABLE when the server does not answer in time. */
export async function connectRedis(url: string, opts: ConnectOptions): Promise<RedisClient> {
  // ioredis rejects connect() with a bare "Connection is closed."; the socket error that
  // caused it (ECONNREFUSED, ETIMEDOUT…) arrives as an 'error' event: report that one.
  let cause: Error | undefined;
  const redis = makeRedis(url, { ...opts, onError: (e) => ((cause ??= e), opts.onError?.(e)) });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    throw unavailable(url, cause ?? e);
  }
  return redis;
}

/** Reply errors that mean "Redis cannot serve now", not "dondoc sent something wrong". */
const ENV_REPLIES = /^(OOM|LOADING|READONLY|MISCONF|BUSY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|NOREPLICAS|MOVED|ASK)\b/;

export function isRedisUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === 'ReplyError') return ENV_REPLIES.test(e.message);
  if (e.name === 'MaxRetriesPerRequestError' || e.name === 'AbortError' || e.name === 'ClusterAllFailedError' || e.name === 'ParserError') return true;
  const code = (e as { code?: string }).code;
  if (code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|ECONNABORTED)$/.test(code)) return true;
  return /enableOfflineQueue|Connection is closed|Command timed out|connect ETIMEDOUT|Stream isn't writeable|Connection in subscriber mode|timeout|None of startup nodes is available|Failed to refresh slots cache|Cluster isn't ready|Too many Cluster redirections/i.test(e.message);
}

/**
 * The client's words for what went wrong, for a person: ioredis appends "Please report this."
 * to a reply it cannot parse, which here means that whatever answers is not a Redis server.
 */
export function redisFailureText(cause: unknown): string {
  const raw = cause instanceof Error ? (cause.message.split('\n')[0] ?? '') : String(cause);
  if ((cause instanceof Error && cause.name === 'ParserError') || /^Protocol error\b/.test(raw)) {
    return 'something answers there, but not in the Redis protocol: is it the right host and port?';
  }
  return raw.replace(/\.?\s*Please report this\.?/gi, '').trim() || 'no answer';
}

export function unavailable(url: string, cause: unknown): DondocError {
  return new DondocError(
    'REDIS_UNAVAILABLE',
    `Redis at ${safeRedisUrl(url)} is unreachable (${redisFailureText(cause)}). Start Redis or set REDIS_URL, then try again.`,
    [],
    { cause },
  );
}

/**
 * Runs a Redis operation, mapping connection failures to REDIS_UNAVAILABLE. Dondoc errors and
 * real bugs pass through unchanged.
 */
export async function guard<T>(url: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (e instanceof DondocError) throw e;
    if (isRedisUnavailable(e)) throw unavailable(url, e);
    throw e;
  }
}
