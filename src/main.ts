// The composition root (`dondoc start`): the only place that connects, wires and handles
// signals. Everything else is a factory that takes what it needs.
//
// Start-up, each resource registering its cleanup as soon as it exists (graphile-worker's
// releasers), so a failure half-way releases exactly what was made, in reverse order:
//   Redis (REDIS_URL | local 6379 | private redis-server) → command connection → checks →
//   mailer (verified when this process sends) → engine (queues, workers, scheduler) →
//   config channel → HTTP (API, /metrics) → one "ready" line.
// Shutdown (SIGTERM/SIGINT) is the same list backwards: stop accepting HTTP, close workers,
// then queues, then the mailer, then the Redis connections, then the private redis-server.
// SIGHUP re-reads the config: validated first (a bad file changes nothing), then published to
// every process (src/config/reload.ts).
import Fastify from 'fastify';
import { makeClock } from './clock.js';
import type { LoadedConfig } from './config/load.js';
import { type DondocEnv, parseEnv } from './config/env.js';
import { type ReloadRequest, makeConfigReloader } from './config/reload.js';
import { DondocError } from './errors.js';
import { buildApp } from './http/app.js';
import { makeMetrics, registerMetricsRoute } from './http/metrics.js';
import { serveSwappable } from './http/swappable-server.js';
import { type Logger, connectionErrorLogger } from './log.js';
import type { Mailer } from './mail/message.js';
import { mailerOptionsFrom, makeMailer } from './mail/transport.js';
import { type Engine, makeEngine } from './queue/engine.js';
import { checkRedis } from './redis/checks.js';
import { type ResolvedRedis, resolveRedis } from './redis/private-server.js';
import { makeReleasers } from './releasers.js';
import { readUnaddressedCount } from './report/unaddressed-report.js';
import { type RedisClient, connectRedis, eachServer, makeBullConnection, makeRedis, safeRedisUrl } from './store/redis.js';
import { makeTaskStore } from './store/task-store.js';

export type Role = 'all' | 'scheduler' | 'worker' | 'api';

export interface ServiceOptions {
  role: Role;
  env: Record<string, string | undefined>;
  /** Reads and validates the config file (the same file on every reload). */
  loadConfig: () => LoadedConfig;
  logger: Logger;
  /** The ready line goes here (the CLI's stdout). */
  stdout: { write(text: string): void };
  /** Overrides the clock (tests); else DONDOC_FAKE_NOW, else the system clock. */
  now?: () => number;
}

export interface Service {
  /** The API's address, when this process serves it. */
  readonly address?: string;
  readonly readyLine: string;
  readonly redisUrl: string;
  readonly engine: Engine;
  config(): LoadedConfig;
  /** What SIGHUP does: validate the file, then publish it to every process. */
  requestReload(): Promise<ReloadRequest>;
  close(): Promise<void>;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message.split('\n')[0]! : String(e));

/**
 * A view that always reads through to the current value, for the one part built once that
 * must follow a config reload: the engine's task store (its status rules use the calendar on
 * every call). Methods are bound to the current object.
 */
function live<T extends object>(get: () => T): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const current = get();
      const v = Reflect.get(current, key, current) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(current) : v;
    },
    has: (_target, key) => Reflect.has(get(), key),
  });
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function verifyMailer(mailer: Mailer, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(mailer.verify(), timeoutMs, 'SMTP');
  } catch (e) {
    if (mailer.kind === 'outbox') {
      throw new DondocError('ENVIRONMENT', `cannot write mail: ${mailer.describe()} is not writable (${errorText(e)}). Set DONDOC_OUTBOX_DIR to a writable directory, or SMTP_URL.`);
    }
    throw new DondocError('SMTP_UNAVAILABLE', `the SMTP server is unreachable: ${mailer.describe()} (${errorText(e)}). Check SMTP_URL, or unset it to write .eml files to var/outbox/.`, [], { cause: e });
  }
}

export async function startService(opts: ServiceOptions): Promise<Service> {
  const { logger } = opts;
  const env: DondocEnv = parseEnv(opts.env);
  const roles = { scheduler: opts.role === 'all' || opts.role === 'scheduler', worker: opts.role === 'all' || opts.role === 'worker', api: opts.role === 'all' || opts.role === 'api' };
  const initial = opts.loadConfig();
  for (const w of initial.warnings) logger.warn(`config: ${w}`);
  const now = opts.now ?? makeClock(env.fakeNow, initial.calendar.zone.name);
  if (env.fakeNow) logger.warn({ now: initial.calendar.zone.formatInstant(now()) }, 'DONDOC_FAKE_NOW is set: the clock is not the real one (tests and demos only)');
  const prefix = env.keyPrefix;
  const releasers = makeReleasers(logger);

  try {
    // Redis: REDIS_URL, a local one, or a private redis-server stopped last of all.
    const resolved: ResolvedRedis = await resolveRedis({
      redisUrl: env.redisUrlSet ? env.redisUrl : undefined,
      probePort: env.redisProbePort,
      ...(env.redisDir ? { dir: env.redisDir } : {}),
      pathVar: opts.env.PATH,
      logger,
    });
    const priv = resolved.private;
    if (priv) releasers.add('private redis-server', () => priv.stop());
    const url = resolved.url;

    const redis = await connectRedis(url, { role: 'service', timeoutMs: env.redisTimeoutMs, onError: connectionErrorLogger(logger, 'redis') });
    releasers.add('redis', () => redis.quit().then(() => undefined, () => redis.disconnect()));

    try {
      // On a cluster every master keeps part of the data: each is checked.
      for (const server of eachServer(redis)) {
        const { facts, warnings } = await checkRedis(server);
        for (const w of warnings) logger.warn({ redis: safeRedisUrl(url) }, w);
        logger.debug({ facts }, 'redis settings');
      }
    } catch (err) {
      logger.warn({ err }, 'could not read the Redis settings (INFO refused?): persistence and eviction not checked');
    }

    // BullMQ wants connections of its own that wait for Redis instead of failing commands.
    const bullConnections = new Set<RedisClient>();
    releasers.add('bullmq connections', () => {
      for (const c of bullConnections) c.disconnect();
    });
    const bullConnection = (): RedisClient => {
      const c = makeBullConnection(url, { timeoutMs: env.redisTimeoutMs });
      c.on('error', connectionErrorLogger(logger, 'redis (bullmq)'));
      c.on('end', () => bullConnections.delete(c));
      bullConnections.add(c);
      return c;
    };

    const delivery = initial.config.delivery;
    const mailer = makeMailer({ ...mailerOptionsFrom(delivery, env.smtpUrl), ...(env.outboxDir ? { outboxDir: env.outboxDir } : {}) });
    releasers.add('mailer', () => mailer.close());
    if (roles.worker) await verifyMailer(mailer, delivery.connection_timeout + delivery.greeting_timeout);

    // Config reloads: validated, published, reloaded by every process (src/config/reload.ts).
    // The engine and the API read the config through it at every use.
    const reloader = makeConfigReloader({
      initial,
      load: opts.loadConfig,
      redis,
      prefix,
      logger,
      now,
      ...(roles.scheduler ? { replanAll: () => engine.replanAll() } : {}),
    });
    const current = reloader.current;
    const store = makeTaskStore({ redis, url, prefix, calendar: live(() => current().calendar), now });
    const metrics = makeMetrics({ labels: { role: opts.role } });

    const engine = makeEngine({
      redis,
      bullConnection,
      prefix,
      store,
      config: current,
      mailer,
      delivery,
      now,
      logger: logger.child({ component: 'engine' }),
      roles: { scheduler: roles.scheduler, worker: roles.worker },
      metrics: metrics.engine,
    });
    releasers.add('engine (workers, then queues)', () => engine.close());
    await engine.start();
    metrics.setSources({
      queueDepth: () => engine.queueDepth(),
      scheduleLagSeconds: () => engine.scheduleLagSeconds(),
      redisUp: () => redis.ping().then(() => true, () => false),
      unaddressed: () => readUnaddressedCount(redis, prefix),
    });

    const sub = makeRedis(url, { role: 'service', timeoutMs: env.redisTimeoutMs, onError: connectionErrorLogger(logger, 'redis (config channel)') });
    releasers.add('config channel', () => sub.quit().then(() => undefined, () => sub.disconnect()));
    await sub.connect();
    await reloader.listen(sub);
    await reloader.announce();

    // HTTP last, so it is closed first.
    let address: string | undefined;
    if (roles.api) {
      // Built per config (its body matcher and status rules come from it), swapped on reload
      // behind one listening socket.
      const buildHttp = (cfg: LoadedConfig) =>
        buildApp({
          store: makeTaskStore({ redis, url, prefix, calendar: cfg.calendar, now }),
          redis,
          calendar: cfg.calendar,
          org: cfg.org,
          tokens: env.apiTokens,
          now,
          bodyLimit: env.bodyLimit,
          // Request lines at info would drown the log; errors and warnings still come through.
          logger: logger.child({ component: 'http' }, { level: 'warn' }),
          metrics,
          health: { mailer, configHash: () => current().hash },
          deliveries: (id) => engine.log.forTask(id),
          office: { policy: cfg.config.policy },
          // Issue 6: reply links' pages and API; their notices go through the engine's queue.
          replies: { links: cfg.config.links, notice: (req) => engine.notice(req), basis: cfg.config.policy.basis },
        });
      if (env.apiTokens.length === 0) logger.warn('DONDOC_API_TOKENS is empty: every API request except /api/health and /metrics is refused with 401');
      const served = await serveSwappable(buildHttp(current()), { port: env.httpPort, host: env.httpHost });
      releasers.add('http', () => served.close());
      reloader.onSwap((next) => served.swap(buildHttp(next)));
      address = served.address;
    }
    if (env.metricsPort !== undefined && !(roles.api && env.metricsPort === env.httpPort)) {
      const side = Fastify({ logger: false });
      registerMetricsRoute(side, metrics);
      side.get('/api/health', async (_req, reply) => {
        const up = await redis.ping().then(() => true, () => false);
        return reply.code(up ? 200 : 503).send({ status: up ? 'ok' : 'unavailable', redis: up ? 'ok' : 'down', config: current().hash });
      });
      releasers.add('metrics listener', () => side.close());
      const at = await side.listen({ port: env.metricsPort, host: env.httpHost });
      logger.info({ at }, 'metrics at /metrics');
    }

    const what = (['scheduler', 'worker', 'api'] as const).filter((r) => roles[r]).join(', ');
    const redisWhere =
      resolved.source === 'private' ? `${safeRedisUrl(url)} (private redis-server, data in ${priv!.dir}${priv!.owned ? '' : ', shared with another dondoc'})` : resolved.source === 'local' ? `${safeRedisUrl(url)} (found on this machine)` : safeRedisUrl(url);
    const readyLine = [
      `dondoc ready: ${what}`,
      ...(address ? [`API ${address}`] : []),
      `mail: ${mailer.describe()}`,
      `Redis ${redisWhere}`,
      `config ${initial.file} (${initial.hash})`,
      ...(env.fakeNow ? [`clock ${initial.calendar.zone.formatInstant(Math.floor(now() / 1000) * 1000)} (DONDOC_FAKE_NOW)`] : []),
    ].join(' · ');
    logger.info({ ...(address ? { api: address } : {}), mail: mailer.kind, redis: safeRedisUrl(url), config: initial.hash }, 'ready');
    opts.stdout.write(`${readyLine}\n`);

    let closing: Promise<void> | undefined;
    return {
      ...(address ? { address } : {}),
      readyLine,
      redisUrl: url,
      engine,
      config: current,
      requestReload: () => reloader.request(),
      close() {
        closing ??= (async () => {
          logger.info('shutting down');
          await releasers.releaseAll();
          logger.info('stopped');
        })();
        return closing;
      },
    };
  } catch (e) {
    await releasers.releaseAll();
    throw e;
  }
}

/**
 * `npx dondoc start` runs dondoc under npm exec and a shell; a SIGTERM sent to npx (`kill %1`)
 * ends npm and the shell but is not passed on, which would leave dondoc and its private
 * redis-server running with nobody to stop them. Under npm (npm_command is set) the parent is
 * watched: once it is gone, dondoc stops as on SIGTERM. Ctrl-C reaches dondoc directly.
 */
function watchLauncher(env: Record<string, string | undefined>, gone: () => void): NodeJS.Timeout | undefined {
  if (!env.npm_command) return undefined;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) gone();
  }, 250);
  timer.unref();
  return timer;
}

/**
 * Runs the service until SIGTERM or SIGINT, then shuts it down; SIGHUP reloads the config.
 * Resolves with the exit code: 0 after a clean shutdown.
 */
export async function runService(opts: ServiceOptions & { shutdownTimeoutMs?: number }): Promise<number> {
  const { logger } = opts;
  let service: Service | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  let wake: (() => void) | undefined;
  const onStop = (signal: NodeJS.Signals): void => {
    if (stopSignal) {
      logger.warn({ signal }, 'second signal: exiting without finishing the shutdown');
      process.exit(1);
    }
    stopSignal = signal;
    logger.info({ signal }, 'signal received');
    wake?.();
  };
  const onHup = (): void => {
    if (!service) return logger.warn('SIGHUP before dondoc was ready: ignored');
    service.requestReload().then(
      (r) => (r.ok ? logger.info({ hash: r.hash }, 'SIGHUP: config validated and published') : undefined),
      (err: unknown) => logger.error({ err }, 'SIGHUP: could not publish the reload (Redis down?); the config in force stays'),
    );
  };
  let fatal: unknown;
  const onFatal = (err: unknown): void => {
    logger.fatal({ err }, 'unexpected error: shutting down');
    fatal ??= err;
    if (!stopSignal) onStop('SIGTERM');
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onHup);
  process.on('unhandledRejection', onFatal);
  const launcher = watchLauncher(opts.env, () => {
    if (stopSignal) return;
    logger.info({ launcher: opts.env.npm_command }, 'the npm that started dondoc is gone (npm exec does not pass SIGTERM on): stopping as on SIGTERM');
    onStop('SIGTERM');
  });
  const unlisten = (): void => {
    clearInterval(launcher);
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onHup);
    process.off('unhandledRejection', onFatal);
  };
  try {
    service = await startService(opts);
    // Signals that came during start-up are honoured now.
    if (!stopSignal) await new Promise<void>((resolve) => (wake = resolve));
    const timeoutMs = opts.shutdownTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    await service.close();
    clearTimeout(timer);
    // If a handle still keeps the process alive, say so and go anyway.
    setTimeout(() => {
      logger.warn('something still held the process open after shutdown: exiting');
      process.exit(fatal ? 1 : 0);
    }, 3_000).unref();
    return fatal ? 1 : 0;
  } finally {
    unlisten();
  }
}
