// The key that signs office sessions. Kept in Redis (P:office:session-key, written once with
// SET NX) so every API process and every rebuild of the app on a config reload signs and
// checks with the same key: a login survives a reload or a second API process. Whoever can
// read Redis can read every task anyway, so the key adds no new place to guard. Without a
// Redis connection (tests, a bare buildApp) the key is random per process.
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../store/redis.js';

export type SessionKeySource = () => Promise<Buffer>;

export function sessionKeyFromRedis(redis: RedisClient, prefix: string): SessionKeySource {
  const key = `${prefix}:office:session-key`;
  let cached: Promise<Buffer> | undefined;
  return () => {
    cached ??= (async () => {
      await redis.set(key, randomBytes(32).toString('hex'), 'NX');
      const hex = await redis.get(key);
      if (!hex || !/^[0-9a-f]{64,}$/.test(hex)) throw new Error(`${key}: not a session key; delete it and dondoc makes a new one`);
      return Buffer.from(hex, 'hex');
    })().catch((e: unknown) => {
      // Redis down: try again on the next request instead of keeping the failure.
      cached = undefined;
      throw e;
    });
    return cached;
  };
}

export function processSessionKey(): SessionKeySource {
  const key = randomBytes(32);
  return async () => key;
}
