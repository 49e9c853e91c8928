// Serving the API: listen() for an app already built, startApi() for the composition root
// (`dondoc start`): connect Redis as a service (reconnects; 503 while it is down), build the
// store and the app, listen on DONDOC_HTTP_HOST:DONDOC_HTTP_PORT, and return one close()
// that releases everything in reverse order.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { makeClock } from '../clock.js';
import type { LoadedConfig } from '../config/load.js';
import { openTaskStore } from '../store/open.js';
import { buildApp } from './app.js';

export async function listen(app: FastifyInstance, opts: { port: number; host: string }): Promise<string> {
  return app.listen({ port: opts.port, host: opts.host });
}

export interface RunningApi {
  /** e.g. http://127.0.0.1:8080 */
  address: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startApi(opts: {
  env: Record<string, string | undefined>;
  config: LoadedConfig;
  now?: () => number;
  logger?: FastifyBaseLogger;
}): Promise<RunningApi> {
  // The process's one clock (DONDOC_FAKE_NOW in demos), unless a test injects its own.
  const now = opts.now ?? makeClock(opts.env.DONDOC_FAKE_NOW, opts.config.calendar.zone.name);
  const opened = await openTaskStore({
    env: opts.env,
    calendar: opts.config.calendar,
    now,
    role: 'service',
    onError: (err) => opts.logger?.warn({ err }, 'redis connection error'),
  });
  const app = buildApp({
    store: opened.store,
    calendar: opts.config.calendar,
    org: opts.config.org,
    tokens: opened.env.apiTokens,
    now,
    bodyLimit: opened.env.bodyLimit,
    redis: opened.redis,
    office: { policy: opts.config.config.policy },
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  if (opened.env.apiTokens.length === 0) opts.logger?.warn('DONDOC_API_TOKENS is empty: every API request except /api/health is refused with 401');
  try {
    const address = await listen(app, { port: opened.env.httpPort, host: opened.env.httpHost });
    return {
      address,
      app,
      async close() {
        await app.close();
        await opened.close();
      },
    };
  } catch (e) {
    await app.close().catch(() => undefined);
    await opened.close();
    throw e;
  }
}
