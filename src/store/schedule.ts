// The schedule index (docs/DELIVERY.md): one sorted-set entry per open task, score = the
// instant (ms) the scheduler should look at the task next. It is the whole scheduling state of
// a task whose notifications are not yet near (≈ 70–100 bytes; issue 5's budget is 1 KB), so a
// million open tasks cost a few tens of MB, not a delayed BullMQ job per future notification.
//
// Several schedulers share it. A scheduler *leases* due entries by pushing their score past
// now + lease, so the others do not see them; leased scores carry the fraction .25 (plain wake
// times are whole milliseconds), which is how a touch recognises a lease in progress:
//   - touch on a leased entry marks it dirty (.75) instead of making it due, so no second
//     scheduler plans the task while the first still is;
//   - release (the planner's verdict: the next wake, or none) applies only while the entry is
//     still the caller's lease; a dirty lease is released as "due now", so the change that came
//     in during planning is planned next; a lease that expired and was taken by another
//     scheduler is left alone.
// Doubles hold .25/.75 exactly up to 2^50 ms (year 37,000). Special members "_digest/ID" and
// "_admin/ID" ask the scheduler to (re)enqueue a digest or a failure report (delivery retry).
import type { RedisClient } from './redis.js';

export interface Schedule {
  readonly key: string;
  /** Re-plan these tasks (or special members) soon: never later than `at`, never during another's lease. */
  touch(ids: readonly string[], at: number): Promise<void>;
  /** Takes up to `batch` entries due by `now`; each must be released with its lease. */
  lease(now: number, leaseMs: number, batch: number): Promise<Array<{ id: string; lease: number }>>;
  /**
   * Ends a lease: next wake at `next`, or no entry at all (null: a closed or deleted task).
   * 'released', 'dirty' (touched meanwhile: due again now), or 'lost' (the lease expired and was taken).
   */
  release(id: string, lease: number, next: number | null, now: number): Promise<'released' | 'dirty' | 'lost'>;
  /** release() for a whole round of leases, in one call. */
  releaseMany(entries: ReadonlyArray<{ id: string; lease: number; next: number | null }>, now: number): Promise<Array<'released' | 'dirty' | 'lost'>>;
  remove(id: string): Promise<void>;
  /** The wake instant of each id (null: no entry). */
  scores(ids: readonly string[]): Promise<Array<number | null>>;
  /** The earliest wake instant (leases included), or null when empty. */
  earliest(): Promise<number | null>;
  size(): Promise<number>;
}

export const scheduleKey = (prefix: string): string => `${prefix}:schedule`;

/** A member for a digest or a failure report to (re)enqueue: "_digest/digest-20260216". */
export const specialMember = (taskId: '_digest' | '_admin', id: string): string => `${taskId}/${id}`;

// KEYS[1] schedule; ARGV[1] at; ARGV[2..] ids.
const TOUCH_LUA = `
local at = tonumber(ARGV[1])
for i = 2, #ARGV do
  local s = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if not s then
    redis.call('ZADD', KEYS[1], at, ARGV[i])
  else
    s = tonumber(s)
    local frac = s - math.floor(s)
    if frac == 0.25 and s > at then
      redis.call('ZADD', KEYS[1], s + 0.5, ARGV[i])
    elseif frac ~= 0.75 and s > at then
      redis.call('ZADD', KEYS[1], at, ARGV[i])
    end
  end
end
return 1
`;

// KEYS[1] schedule; ARGV[1] now, ARGV[2] lease score (x.25), ARGV[3] batch.
// Returns the ids leased. An expired dirty lease (x.75 ≤ now) is due like any other entry.
const LEASE_LUA = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return ids
`;

// KEYS[1] schedule; ARGV[1] id, ARGV[2] lease, ARGV[3] next ('' = remove), ARGV[4] now.
const RELEASE_LUA = `
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s then return 0 end
s = tonumber(s)
local lease = tonumber(ARGV[2])
if s == lease then
  if ARGV[3] == '' then redis.call('ZREM', KEYS[1], ARGV[1]) else redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) end
  return 1
end
if s == lease + 0.5 then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
  return 2
end
return 0
`;

// KEYS[1] schedule; ARGV[1] now, then triples (id, lease, next or ''): RELEASE_LUA for each.
const RELEASE_MANY_LUA = `
local out = {}
local now = ARGV[1]
for i = 2, #ARGV, 3 do
  local id = ARGV[i]
  local lease = tonumber(ARGV[i + 1])
  local s = redis.call('ZSCORE', KEYS[1], id)
  local r = 0
  if s then
    s = tonumber(s)
    if s == lease then
      if ARGV[i + 2] == '' then redis.call('ZREM', KEYS[1], id) else redis.call('ZADD', KEYS[1], ARGV[i + 2], id) end
      r = 1
    elseif s == lease + 0.5 then
      redis.call('ZADD', KEYS[1], now, id)
      r = 2
    end
  end
  out[#out + 1] = r
end
return out
`;

type Scripts = {
  dondocScheduleReleaseMany(key: string, now: number, ...args: string[]): Promise<number[]>;
  dondocScheduleTouch(key: string, at: number, ...ids: string[]): Promise<number>;
  dondocScheduleLease(key: string, now: number, lease: string, batch: number): Promise<string[]>;
  dondocScheduleRelease(key: string, id: string, lease: string, next: string, now: number): Promise<number>;
};

function scripts(redis: RedisClient): Scripts {
  const r = redis as unknown as Partial<Scripts>;
  if (!r.dondocScheduleTouch) {
    redis.defineCommand('dondocScheduleTouch', { numberOfKeys: 1, lua: TOUCH_LUA });
    redis.defineCommand('dondocScheduleLease', { numberOfKeys: 1, lua: LEASE_LUA });
    redis.defineCommand('dondocScheduleRelease', { numberOfKeys: 1, lua: RELEASE_LUA });
    redis.defineCommand('dondocScheduleReleaseMany', { numberOfKeys: 1, lua: RELEASE_MANY_LUA });
  }
  return redis as unknown as Scripts;
}

/** Lua and JS agree on the lease value through its decimal text (exact for x.25). */
const leaseText = (n: number): string => String(n);

const TOUCH_CHUNK = 1000;

export function makeSchedule(redis: RedisClient, prefix: string): Schedule {
  const key = scheduleKey(prefix);
  const s = scripts(redis);
  return {
    key,
    async touch(ids, at) {
      const t = Math.floor(at);
      for (let i = 0; i < ids.length; i += TOUCH_CHUNK) await s.dondocScheduleTouch(key, t, ...ids.slice(i, i + TOUCH_CHUNK));
    },
    async lease(now, leaseMs, batch) {
      const lease = Math.floor(now) + Math.max(1, Math.floor(leaseMs)) + 0.25;
      const ids = await s.dondocScheduleLease(key, Math.floor(now), leaseText(lease), batch);
      return ids.map((id) => ({ id, lease }));
    },
    async release(id, lease, next, now) {
      const r = await s.dondocScheduleRelease(key, id, leaseText(lease), next === null ? '' : String(Math.ceil(next)), Math.floor(now));
      return r === 1 ? 'released' : r === 2 ? 'dirty' : 'lost';
    },
    async releaseMany(entries, now) {
      const out: Array<'released' | 'dirty' | 'lost'> = [];
      for (let i = 0; i < entries.length; i += TOUCH_CHUNK) {
        const args: string[] = [];
        for (const e of entries.slice(i, i + TOUCH_CHUNK)) args.push(e.id, leaseText(e.lease), e.next === null ? '' : String(Math.ceil(e.next)));
        const rs = await s.dondocScheduleReleaseMany(key, Math.floor(now), ...args);
        for (const r of rs) out.push(r === 1 ? 'released' : r === 2 ? 'dirty' : 'lost');
      }
      return out;
    },
    async remove(id) {
      await redis.zrem(key, id);
    },
    async scores(ids) {
      if (ids.length === 0) return [];
      const raw = await redis.zmscore(key, ...ids);
      return raw.map((v) => (v === null ? null : Number(v)));
    },
    async earliest() {
      const r = await redis.zrange(key, 0, 0, 'WITHSCORES');
      return r[1] === undefined ? null : Number(r[1]);
    },
    size: () => redis.zcard(key),
  };
}
