// Redis connections for the task store, and the one place that turns "Redis is not there"
// into DondocError('REDIS_UNAVAILABLE') (CLI exit 3, API 503). Commands fail fast instead of
// queueing while disconnected, so a caller never waits on a dead server and never sends a
// half of a change later: every change is one script call that either ran or did not.
import { Redis, type RedisOptions } from 'ioredis';
import { DondocError } from '../errors.js';

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
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return '(invalid REDIS_URL)';
  }
}

/** Creates a client without connecting (importing or building never connects). */
export function makeRedis(url: string, opts: ConnectOptions): Redis {
  const timeout = opts.timeoutMs ?? 2000;
  const options: RedisOptions = {
    lazyConnect: true,
    connectTimeout: timeout,
    commandTimeout: timeout,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // The CLI gives up at once; the service retries every ≤ 2 s until Redis is back.
    retryStrategy: opts.role === 'cli' ? () => null : (times) => Math.min(100 * times, 2000),
    // A reply to a change may be lost with the connection: never resend it blindly (the
    // revision check would refuse it anyway, but the caller must see the failure).
    autoResendUnfulfilledCommands: false,
    // Commands issued in the same tick go out in one write (per node on a cluster): a batch
    // of an import is a few round trips, not thousands.
    enableAutoPipelining: true,
    // ioredis waits this long for a clean close before dropping the socket; a CLI that
    // failed to connect should exit at once with its message, not 2 s later.
    ...(opts.role === 'cli' ? { disconnectTimeout: 100 } : {}),
  };
  const redis = new Redis(url, options);
  redis.on('error', (err: Error) => opts.onError?.(err));
  return redis;
}

/** Creates a client and connects; REDIS_UNAVAILABLE when the server does not answer in time. */
export async function connectRedis(url: string, opts: ConnectOptions): Promise<Redis> {
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
  if (e.name === 'MaxRetriesPerRequestError' || e.name === 'AbortError') return true;
  const code = (e as { code?: string }).code;
  if (code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|ECONNABORTED)$/.test(code)) return true;
  return /enableOfflineQueue|Connection is closed|Command timed out|connect ETIMEDOUT|Stream isn't writeable|Connection in subscriber mode|timeout/i.test(e.message);
}

export function unavailable(url: string, cause: unknown): DondocError {
  const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new DondocError(
    'REDIS_UNAVAILABLE',
    `Redis at ${safeRedisUrl(url)} is unreachable (${why}). Start Redis or set REDIS_URL, then try again.`,
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
