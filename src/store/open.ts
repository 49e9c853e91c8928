// Opens the task store for a command or a service: parses the environment, connects to Redis
// (REDIS_UNAVAILABLE quickly when it is not there) and returns the store with its cleanup.
import type { Calendar } from '../core/calendar.js';
import { type DondocEnv, parseEnv } from '../config/env.js';
import { commandRedisUrl } from '../redis/private-server.js';
import { type RedisRole, connectRedis, type RedisClient } from './redis.js';
import { type TaskStore, makeTaskStore } from './task-store.js';

export interface OpenedStore {
  store: TaskStore;
  redis: RedisClient;
  env: DondocEnv;
  close(): Promise<void>;
}

export async function openTaskStore(opts: {
  env: Record<string, string | undefined>;
  calendar: Calendar;
  now: () => number;
  role: RedisRole;
  onError?: (err: Error) => void;
}): Promise<OpenedStore> {
  const parsed = parseEnv(opts.env);
  // A command without REDIS_URL finds the private redis-server of a running `dondoc start`.
  const env = opts.role === 'cli' ? { ...parsed, redisUrl: await commandRedisUrl(parsed) } : parsed;
  const redis = await connectRedis(env.redisUrl, { role: opts.role, timeoutMs: env.redisTimeoutMs, ...(opts.onError ? { onError: opts.onError } : {}) });
  const store = makeTaskStore({ redis, url: env.redisUrl, prefix: env.keyPrefix, calendar: opts.calendar, now: opts.now });
  return {
    store,
    redis,
    env,
    async close() {
      // QUIT lets pending replies arrive; a dead connection is just dropped.
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
