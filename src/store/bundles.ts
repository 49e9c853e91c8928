// Bundles in Redis (src/core/bundle.ts has the rule): a bundle is one person's mail of one kind
// in one send window, collecting copies until it goes out.
//
//   P:bundle:{r<key>}:<bundle id>     HASH  state open|closed|done, fireAt, kind, window, createdAt
//   P:bundle:{r<key>}:<bundle id>:m   SET   "TASK|COPY ID" members
//
// Every bundle of one person shares a hash slot ({r<key>}), so the add script can look at the
// three candidate windows of a copy in one call, also on a Redis Cluster. A bundle is open
// until its job closes it at its send time; a copy that comes later goes to a later window
// (the rule is the core's: mayJoin). Keys expire a fortnight after their last change: the
// delivery records, not the bundles, are the history.
import type { BundleCandidate } from '../core/bundle.js';
import type { RedisClient } from './redis.js';

export interface BundleJoin {
  bundle: string;
  fireAt: number;
  /** This copy opened the bundle. */
  opened: boolean;
}

export type BundleClose =
  | { outcome: 'closed'; members: string[]; fireAt: number; kind: string; window: string }
  /** Not due yet: its send time moved, or the job fired early. */
  | { outcome: 'wait'; fireAt: number }
  /** Already sent (a job run again after it finished), or never existed. */
  | { outcome: 'done' | 'missing' };

export interface Bundles {
  /** Puts a copy into the first candidate bundle that takes it; null when none does (all closed). */
  add(candidates: readonly BundleCandidate[], member: string, at: number, meta: { kind: string }, now: number): Promise<BundleJoin | null>;
  /** Closes a due bundle and returns its members; a closed one (a retried job) returns them again. */
  close(bundle: string, now: number, earlyMs: number): Promise<BundleClose>;
  /**
   * The bundle is over (every item sent, failed or dropped): members forgotten. When a mail
   * reached the person the state is kept until the keys expire (later copies go to the next
   * window); when none did (all skipped, muted, not due, or failed), the bundle is forgotten, so
   * a copy due later in the window — an unmute, an operator's retry — opens it afresh: one mail
   * per window, not fewer.
   */
  finish(bundle: string, mailed: boolean): Promise<void>;
  /** A member the job dropped (not due yet, moved): the scheduler puts it in a later bundle. */
  drop(bundle: string, members: readonly string[]): Promise<void>;
}

const TTL_MS = 14 * 86_400_000;

/** The recipient key a bundle id ends with: "…-r0a1b2c3d4e5f" or "…_r0a1b2c3d4e5f". */
const tagOf = (bundle: string): string => {
  const m = /[-_]r([0-9a-f]{12})$/.exec(bundle);
  if (!m) throw new Error(`not a bundle id: ${bundle}`);
  return m[1]!;
};

export const bundleKeys = (prefix: string, bundle: string): { meta: string; members: string } => {
  const meta = `${prefix}:bundle:{r${tagOf(bundle)}}:${bundle}`;
  return { meta, members: `${meta}:m` };
};

// The join test is the core's mayJoin (open, and due by the send time — or the send time has
// passed and the job has not run yet: a backlog, a clock that jumped).
// KEYS: (meta, members) per candidate; ARGV[1] member, ARGV[2] at, ARGV[3] now, ARGV[4] ttl,
// ARGV[5] kind, then (fireAtIfNew, window) per candidate. Returns {index, fireAt, opened} or {0}.
const ADD_LUA = `
local n = #KEYS / 2
local at = tonumber(ARGV[2])
for i = 1, n do
  local meta = KEYS[2 * i - 1]
  local members = KEYS[2 * i]
  local state = redis.call('HGET', meta, 'state')
  if not state then
    local fireAt = ARGV[4 + 2 * i - 1 + 1]
    redis.call('HSET', meta, 'state', 'open', 'fireAt', fireAt, 'kind', ARGV[5], 'window', ARGV[4 + 2 * i + 1], 'createdAt', ARGV[3])
    redis.call('SADD', members, ARGV[1])
    redis.call('PEXPIRE', meta, ARGV[4])
    redis.call('PEXPIRE', members, ARGV[4])
    return {i, fireAt, 1}
  end
  if state == 'open' then
    local fireAt = redis.call('HGET', meta, 'fireAt')
    if at <= tonumber(fireAt) or tonumber(fireAt) <= tonumber(ARGV[3]) then
      redis.call('SADD', members, ARGV[1])
      redis.call('PEXPIRE', meta, ARGV[4])
      redis.call('PEXPIRE', members, ARGV[4])
      return {i, fireAt, 0}
    end
  end
end
return {0}
`;

// KEYS[1] meta, KEYS[2] members; ARGV[1] now, ARGV[2] early ms.
const CLOSE_LUA = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
if state == 'done' then return {'done'} end
local fireAt = redis.call('HGET', KEYS[1], 'fireAt')
if state == 'open' then
  if tonumber(fireAt) > tonumber(ARGV[1]) + tonumber(ARGV[2]) then return {'wait', fireAt} end
  redis.call('HSET', KEYS[1], 'state', 'closed', 'closedAt', ARGV[1])
end
local out = {'closed', fireAt, redis.call('HGET', KEYS[1], 'kind') or '', redis.call('HGET', KEYS[1], 'window') or ''}
for _, m in ipairs(redis.call('SMEMBERS', KEYS[2])) do out[#out + 1] = m end
return out
`;

type Scripts = {
  dondocBundleAdd1(...args: Array<string | number>): Promise<Array<number | string>>;
  dondocBundleAdd3(...args: Array<string | number>): Promise<Array<number | string>>;
  dondocBundleClose(meta: string, members: string, now: number, early: number): Promise<string[]>;
};

function scripts(redis: RedisClient): Scripts {
  const r = redis as unknown as Partial<Scripts>;
  if (!r.dondocBundleAdd1) {
    // A fixed number of keys per variant: ioredis' auto-pipelining on a Cluster takes the first
    // argument as the key to route by, which for a variable-keys script would be the key count.
    redis.defineCommand('dondocBundleAdd1', { numberOfKeys: 2, lua: ADD_LUA });
    redis.defineCommand('dondocBundleAdd3', { numberOfKeys: 6, lua: ADD_LUA });
    redis.defineCommand('dondocBundleClose', { numberOfKeys: 2, lua: CLOSE_LUA });
  }
  return redis as unknown as Scripts;
}

export function makeBundles(redis: RedisClient, prefix: string): Bundles {
  const s = scripts(redis);
  return {
    async add(candidates, member, at, meta, now) {
      const keys = candidates.flatMap((c) => {
        const k = bundleKeys(prefix, c.id);
        return [k.meta, k.members];
      });
      const argv: Array<string | number> = [member, at, now, TTL_MS, meta.kind];
      for (const c of candidates) argv.push(c.fireAtIfNew, c.window);
      if (candidates.length !== 1 && candidates.length !== 3) throw new Error(`bundles.add: 1 or 3 candidate windows, got ${candidates.length}`);
      const add = candidates.length === 1 ? s.dondocBundleAdd1.bind(s) : s.dondocBundleAdd3.bind(s);
      const [index, fireAt, opened] = await add(...keys, ...argv);
      const i = Number(index);
      if (!i) return null;
      return { bundle: candidates[i - 1]!.id, fireAt: Number(fireAt), opened: Number(opened) === 1 };
    },

    async close(bundle, now, earlyMs) {
      const k = bundleKeys(prefix, bundle);
      const raw = await s.dondocBundleClose(k.meta, k.members, now, earlyMs);
      const outcome = raw[0];
      if (outcome === 'wait') return { outcome, fireAt: Number(raw[1]) };
      if (outcome === 'closed') return { outcome, fireAt: Number(raw[1]), kind: raw[2] ?? '', window: raw[3] ?? '', members: raw.slice(4) };
      return { outcome: outcome === 'done' ? 'done' : 'missing' };
    },

    async finish(bundle, mailed) {
      const k = bundleKeys(prefix, bundle);
      if (mailed) await redis.hset(k.meta, 'state', 'done');
      else await redis.del(k.meta);
      await redis.del(k.members);
    },

    async drop(bundle, members) {
      if (members.length === 0) return;
      await redis.srem(bundleKeys(prefix, bundle).members, ...members);
    },
  };
}
