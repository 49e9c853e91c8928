// How running dondoc processes learn that the config changed (docs/DELIVERY.md, "Several
// processes"): whoever validated a new file — a process on SIGHUP, or `dondoc config reload` —
// stores its hash in P:config:hash and publishes on P:config:reload; every process reloads its
// own file, and exactly one of them re-plans every open task, the one that wins the short lock
// P:config:replan:<hash> (a thousand processes must not each re-plan a million tasks).
import { hostname } from 'node:os';
import { type RedisClient, eachServer } from './redis.js';

export interface ConfigKeys {
  hash: string;
  channel: string;
  replanLock(hash: string): string;
}

export function configKeys(prefix: string): ConfigKeys {
  return {
    hash: `${prefix}:config:hash`,
    channel: `${prefix}:config:reload`,
    replanLock: (hash) => `${prefix}:config:replan:${hash}`,
  };
}

export interface ReloadMessage {
  hash: string;
  /** Who asked, for the logs: "cli:host:pid" or "sighup:host:pid". */
  by: string;
  at: number;
}

export const originOf = (kind: 'cli' | 'sighup' | 'start'): string => `${kind}:${hostname()}:${process.pid}`;

/** Stores the hash and tells every subscribed process; returns how many received it. */
export async function publishConfig(redis: RedisClient, prefix: string, msg: ReloadMessage): Promise<number> {
  const k = configKeys(prefix);
  await redis.set(k.hash, msg.hash);
  const received = await redis.publish(k.channel, JSON.stringify(msg));
  if (!redis.isCluster) return received;
  // A cluster relays the message to every node, but PUBLISH counts the subscribers of the node
  // it reached only: count each node's (a process subscribes through any node, replicas too).
  const counts = await Promise.all(eachServer(redis, 'all').map((n) => n.pubsub('NUMSUB', k.channel) as Promise<[string, number]>));
  return counts.reduce((sum, [, n]) => sum + Number(n), 0);
}

export async function storedConfigHash(redis: RedisClient, prefix: string): Promise<string | null> {
  return redis.get(configKeys(prefix).hash);
}

/** true for the one caller that should re-plan for this hash; the lock expires by itself. */
export async function claimReplan(redis: RedisClient, prefix: string, hash: string, owner: string, ttlMs = 60_000): Promise<boolean> {
  return (await redis.set(configKeys(prefix).replanLock(hash), owner, 'PX', ttlMs, 'NX')) === 'OK';
}

/** Parses a message from the channel; null for anything else (never trust the wire). */
export function parseReloadMessage(text: string): ReloadMessage | null {
  try {
    const m = JSON.parse(text) as Partial<ReloadMessage>;
    if (typeof m.hash === 'string' && /^[0-9a-f]{1,64}$/.test(m.hash) && typeof m.by === 'string' && typeof m.at === 'number') return { hash: m.hash, by: m.by.slice(0, 200), at: m.at };
  } catch {
    /* not JSON */
  }
  return null;
}

/**
 * Subscribes a dedicated connection (a subscribed connection can do nothing else) and calls
 * onReload for every well-formed message; ioredis re-subscribes after a reconnect by itself.
 */
export async function subscribeConfig(sub: RedisClient, prefix: string, onReload: (m: ReloadMessage) => void): Promise<void> {
  const { channel } = configKeys(prefix);
  sub.on('message', (ch: string, text: string) => {
    if (ch !== channel) return;
    const m = parseReloadMessage(text);
    if (m) onReload(m);
  });
  await sub.subscribe(channel);
}
