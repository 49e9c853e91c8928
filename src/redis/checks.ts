// Start-up checks of the Redis dondoc is given (issue 5): the schedule, the delivery log and the
// tasks are the only copy of what was promised, so an evicted key is a lost task or a
// notification sent twice, and a restart without persistence forgets everything. dondoc warns
// rather than refuses: a test box may run a throwaway Redis on purpose.
import type { Redis } from 'ioredis';

export interface RedisFacts {
  /** maxmemory-policy, e.g. "noeviction", "allkeys-lru"; undefined when the server hides it. */
  maxmemoryPolicy?: string;
  /** maxmemory in bytes; 0 = no limit. */
  maxmemory?: number;
  aofEnabled?: boolean;
  /** RDB snapshot rules ("3600 1 300 100"), "" when snapshots are off; undefined when hidden. */
  save?: string;
  version?: string;
}

/** What an operator should fix, one sentence each, with the setting to use. Pure. */
export function redisWarnings(f: RedisFacts): string[] {
  const out: string[] = [];
  if (f.maxmemoryPolicy !== undefined && f.maxmemoryPolicy !== 'noeviction') {
    out.push(
      `Redis maxmemory-policy is ${f.maxmemoryPolicy}: under memory pressure Redis would evict dondoc's tasks, schedule and delivery log (lost reminders, or reminders sent twice); set "maxmemory-policy noeviction"`,
    );
  }
  const rdb = f.save !== undefined && f.save.trim() !== '';
  if (f.aofEnabled === false && f.save !== undefined && !rdb) {
    out.push('Redis has no persistence (appendonly no and no save rules): a restart of Redis loses every task and delivery record; set "appendonly yes"');
  } else if (f.aofEnabled === false && rdb) {
    out.push(`Redis persists by RDB snapshots only (save ${f.save}): a crash loses the changes since the last snapshot, and with them delivery records (reminders could be sent twice); set "appendonly yes"`);
  }
  return out;
}

function infoField(info: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return m ? m[1]!.trim() : undefined;
}

/** Reads the facts with INFO (always allowed) and CONFIG GET save (often disabled on managed Redis). */
export async function readRedisFacts(redis: Redis): Promise<RedisFacts> {
  const [memory, persistence, server] = await Promise.all([redis.info('memory'), redis.info('persistence'), redis.info('server')]);
  const facts: RedisFacts = {};
  const policy = infoField(memory, 'maxmemory_policy');
  if (policy !== undefined) facts.maxmemoryPolicy = policy;
  const maxmemory = infoField(memory, 'maxmemory');
  if (maxmemory !== undefined) facts.maxmemory = Number(maxmemory);
  const aof = infoField(persistence, 'aof_enabled');
  if (aof !== undefined) facts.aofEnabled = aof === '1';
  const version = infoField(server, 'redis_version');
  if (version !== undefined) facts.version = version;
  try {
    const reply = (await redis.config('GET', 'save')) as string[];
    if (Array.isArray(reply) && reply.length >= 2) facts.save = String(reply[1]);
  } catch {
    // CONFIG is renamed or refused (managed services): the RDB rules stay unknown.
  }
  return facts;
}

export async function checkRedis(redis: Redis): Promise<{ facts: RedisFacts; warnings: string[] }> {
  const facts = await readRedisFacts(redis);
  return { facts, warnings: redisWarnings(facts) };
}
