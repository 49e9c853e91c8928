// The delivery log (docs/DELIVERY.md): per task one hash, notification id → JSON record, in the
// task's hash slot ({ID}); daily digests under {_digest}, failure reports under {_admin}. It is
// both the record of what happened (shown by `dondoc delivery list`, the API and previews) and
// the lock of the claim protocol that keeps a notification from going out twice:
//
//   claim   — sent/failed: done; sending under a live lease of another owner: busy;
//             anything else: sending, owned by the caller until leaseUntil, attempts + 1;
//   record  — sent / retrying / failed, only while the caller still owns the claim.
//
// Each step is one Lua script on the one hash, so two workers can never both claim. Lua only
// reads records (cjson) and never re-encodes one (cjson would turn [] into {}): new records are
// built in JS and written whole, or — for the claim — the base built in JS gets the state
// fields appended as text. Two side indexes, each its own key (a script cannot span slots):
//   P:delivery:failed   ZSET  "TASK|ID" → failure instant (`dondoc delivery list --failed`)
//   P:delivery:sending  ZSET  "TASK|ID" → lease end (reconcile finds sends whose worker died)
// Both are hints re-checked against the record, so a crash between the two writes costs a
// stale hint, never a wrong answer.
import { type RedisClient, scanKeys } from './redis.js';
import { makeSchedule, specialMember } from './schedule.js';

export type DeliveryState = 'sending' | 'retrying' | 'sent' | 'failed' | 'skipped' | 'muted';

export interface DeliveryRecord {
  id: string;
  /** The task, or '_digest' / '_admin' for mail that belongs to no task. */
  taskId: string;
  kind: string;
  level: number;
  step?: string;
  occurrence?: string;
  to: string[];
  cc: string[];
  subject?: string;
  /** When the notification was planned to go (its step's instant). */
  plannedAt: number;
  state: DeliveryState;
  attempts: number;
  leaseUntil?: number;
  owner?: string;
  messageId?: string;
  sentAt?: number;
  /** The SMTP server's final reply, e.g. "250 2.0.0 OK". */
  response?: string;
  error?: string;
  /** Why it was skipped or muted. */
  reason?: string;
  updatedAt: number;
  /** When the admin was sent the failure report. */
  reportedAt?: number;
  /** How many times an operator asked to retry it after a failure (`dondoc delivery retry`). */
  retries?: number;
  /** A failure report's subject: "TASK|ID" of the record it reports. */
  reportOf?: string;
}

/** What the job knows about a notification before any attempt: written into every record. */
export type RecordBase = Pick<DeliveryRecord, 'id' | 'taskId' | 'kind' | 'level' | 'to' | 'cc' | 'plannedAt'> &
  Partial<Pick<DeliveryRecord, 'step' | 'occurrence' | 'subject' | 'reportOf'>>;

export type ClaimResult =
  /** The caller owns the send until record.leaseUntil. */
  | { outcome: 'claimed'; record: DeliveryRecord }
  /** Already sent or failed: do nothing. */
  | { outcome: 'done'; record: DeliveryRecord }
  /** Another worker is sending it: look again after record.leaseUntil. */
  | { outcome: 'busy'; record: DeliveryRecord };

export interface DeliveryLog {
  get(taskId: string, id: string): Promise<DeliveryRecord | null>;
  forTask(taskId: string): Promise<DeliveryRecord[]>;
  /** Ids whose record is sent or failed: the planner's history (PlanHistory). */
  handledIds(taskId: string): Promise<Set<string>>;
  listFailed(opts?: { limit?: number }): Promise<DeliveryRecord[]>;
  /** Newest first; without taskId/failed, a scan of every record (for the CLI, bounded by limit). */
  list(opts?: { taskId?: string; failed?: boolean; limit?: number }): Promise<DeliveryRecord[]>;
  /** failed → retrying, off the failed list, and the task re-planned (a digest or report re-enqueued); false when not failed. */
  resetForRetry(taskId: string, id: string, now: number): Promise<boolean>;

  claim(base: RecordBase, owner: string, now: number, leaseMs: number): Promise<ClaimResult>;
  markSent(claimed: DeliveryRecord, sent: { messageId: string; response: string; sentAt: number; error?: string }): Promise<boolean>;
  /** A transient failure with attempts left: BullMQ retries after its backoff. */
  markRetrying(claimed: DeliveryRecord, error: string, now: number): Promise<boolean>;
  /** Permanent, or retries used up: terminal, and on the failed list. */
  markFailed(claimed: DeliveryRecord, error: string, now: number): Promise<boolean>;
  /** Not sent because the plan changed (reason says how); refused on sent/failed or a live claim. */
  markSkipped(base: RecordBase, reason: string, now: number): Promise<boolean>;
  /** Due while muted; goes out if unmuted before it is superseded. */
  markMuted(base: RecordBase, reason: string, now: number): Promise<boolean>;
  /** The admin has been told of this failure (or partial rejection). */
  markReported(taskId: string, id: string, now: number): Promise<boolean>;
  /** Entries of the sending index whose lease ended by `now`: "TASK|ID" pairs. */
  expiredSends(now: number, limit?: number): Promise<Array<{ taskId: string; id: string }>>;
  /** Drops a stale entry of the sending index (its record moved on). */
  forgetSend(taskId: string, id: string): Promise<void>;
  readonly keys: DeliveryKeys;
}

export interface DeliveryKeys {
  record(taskId: string): string;
  failed: string;
  sending: string;
  pattern: string;
}

export const deliveryKeys = (prefix: string): DeliveryKeys => ({
  record: (taskId) => `${prefix}:delivery:{${taskId}}`,
  failed: `${prefix}:delivery:failed`,
  sending: `${prefix}:delivery:sending`,
  pattern: `${prefix}:delivery:{*}`,
});

const member = (taskId: string, id: string): string => `${taskId}|${id}`;
const splitMember = (m: string): { taskId: string; id: string } => {
  const i = m.indexOf('|');
  return { taskId: m.slice(0, i), id: m.slice(i + 1) };
};

// KEYS[1] record hash; ARGV[1] id, ARGV[2] now, ARGV[3] leaseUntil, ARGV[4] owner, ARGV[5] base JSON.
const CLAIM_LUA = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local attempts = 0
local carried = ''
if cur then
  local r = cjson.decode(cur)
  if r.state == 'sent' or r.state == 'failed' then return {'done', cur} end
  if r.state == 'sending' and tonumber(r.leaseUntil or 0) > tonumber(ARGV[2]) and r.owner ~= ARGV[4] then return {'busy', cur} end
  attempts = tonumber(r.attempts or 0)
  if r.retries then carried = ',"retries":' .. tonumber(r.retries) end
end
local rec = string.sub(ARGV[5], 1, -2) .. ',"state":"sending","owner":' .. cjson.encode(ARGV[4]) .. ',"leaseUntil":' .. ARGV[3] .. ',"attempts":' .. (attempts + 1) .. ',"updatedAt":' .. ARGV[2] .. carried .. '}'
redis.call('HSET', KEYS[1], ARGV[1], rec)
return {'claimed', rec}
`;

// KEYS[1] record hash; ARGV[1] id, ARGV[2] condition, ARGV[3] new JSON, ARGV[4] now,
// ARGV[5] owner (condition 'owner') or the expected record (condition 'same').
// Conditions: 'owner' — sending and owned by ARGV[5]; 'open' — neither sent/failed nor under
// another's live claim (the stored attempts and retries are carried over); 'same' — the
// record is exactly ARGV[5]. Returns {1, new} or {0, current or false}.
const SET_IF_LUA = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local rec = ARGV[3]
local cond = ARGV[2]
if cond == 'same' then
  if (cur or '') ~= ARGV[5] then return {0, cur or false} end
elseif cond == 'owner' then
  if not cur then return {0, false} end
  local r = cjson.decode(cur)
  if r.state ~= 'sending' or r.owner ~= ARGV[5] then return {0, cur} end
else
  local attempts = 0
  local carried = ''
  if cur then
    local r = cjson.decode(cur)
    if r.state == 'sent' or r.state == 'failed' then return {0, cur} end
    if r.state == 'sending' and tonumber(r.leaseUntil or 0) > tonumber(ARGV[4]) then return {0, cur} end
    attempts = tonumber(r.attempts or 0)
    if r.retries then carried = ',"retries":' .. tonumber(r.retries) end
  end
  rec = string.sub(rec, 1, -2) .. ',"attempts":' .. attempts .. carried .. '}'
end
redis.call('HSET', KEYS[1], ARGV[1], rec)
return {1, rec}
`;

type Scripts = {
  dondocDeliveryClaim(key: string, id: string, now: number, leaseUntil: number, owner: string, base: string): Promise<[string, string]>;
  dondocDeliverySetIf(key: string, id: string, cond: string, json: string, now: number, extra: string): Promise<[number, string | null]>;
};

function scripts(redis: RedisClient): Scripts {
  const r = redis as unknown as Partial<Scripts>;
  if (!r.dondocDeliveryClaim) {
    redis.defineCommand('dondocDeliveryClaim', { numberOfKeys: 1, lua: CLAIM_LUA });
    redis.defineCommand('dondocDeliverySetIf', { numberOfKeys: 1, lua: SET_IF_LUA });
  }
  return redis as unknown as Scripts;
}

const parse = (raw: string | null | undefined): DeliveryRecord | null => (raw ? (JSON.parse(raw) as DeliveryRecord) : null);

/** The record base as JSON, state fields left out (the scripts add them). */
function baseJson(b: RecordBase): Record<string, unknown> {
  return {
    id: b.id,
    taskId: b.taskId,
    kind: b.kind,
    level: b.level,
    ...(b.step !== undefined ? { step: b.step } : {}),
    ...(b.occurrence !== undefined ? { occurrence: b.occurrence } : {}),
    to: b.to,
    cc: b.cc,
    ...(b.subject !== undefined ? { subject: b.subject } : {}),
    ...(b.reportOf !== undefined ? { reportOf: b.reportOf } : {}),
    plannedAt: b.plannedAt,
  };
}

/** A claimed record moved on: the claim's lease and owner go, the new fields come. */
function after(claimed: DeliveryRecord, fields: Partial<DeliveryRecord>): DeliveryRecord {
  const { leaseUntil: _l, owner: _o, ...rest } = claimed;
  return { ...rest, ...fields } as DeliveryRecord;
}

const byNewest = (a: DeliveryRecord, b: DeliveryRecord): number => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1);

export function makeDeliveryLog(redis: RedisClient, prefix: string): DeliveryLog {
  const keys = deliveryKeys(prefix);
  const s = scripts(redis);
  const schedule = makeSchedule(redis, prefix);

  const setIf = async (taskId: string, id: string, cond: 'owner' | 'open' | 'same', rec: object, now: number, extra = ''): Promise<boolean> => {
    const [ok] = await s.dondocDeliverySetIf(keys.record(taskId), id, cond, JSON.stringify(rec), now, extra);
    return ok === 1;
  };

  const forTask = async (taskId: string): Promise<DeliveryRecord[]> => {
    const all = await redis.hvals(keys.record(taskId));
    return all.map((v) => parse(v)!).sort((a, b) => a.plannedAt - b.plannedAt || (a.id < b.id ? -1 : 1));
  };

  const fromMembers = async (members: string[]): Promise<Array<DeliveryRecord | null>> =>
    Promise.all(members.map((m) => splitMember(m)).map(({ taskId, id }) => redis.hget(keys.record(taskId), id).then(parse)));

  const log: DeliveryLog = {
    keys,
    get: async (taskId, id) => parse(await redis.hget(keys.record(taskId), id)),
    forTask,
    async handledIds(taskId) {
      const out = new Set<string>();
      for (const r of await forTask(taskId)) if (r.state === 'sent' || r.state === 'failed') out.add(r.id);
      return out;
    },

    async listFailed(opts = {}) {
      const limit = Math.max(1, Math.min(opts.limit ?? 100, 10_000));
      const members = await redis.zrevrange(keys.failed, 0, limit - 1);
      const recs = await fromMembers(members);
      return recs.filter((r): r is DeliveryRecord => r?.state === 'failed');
    },

    async list(opts = {}) {
      const limit = Math.max(1, Math.min(opts.limit ?? 100, 10_000));
      if (opts.failed) return (await log.listFailed({ limit: opts.taskId ? 10_000 : limit })).filter((r) => !opts.taskId || r.taskId === opts.taskId).slice(0, limit);
      if (opts.taskId) return (await forTask(opts.taskId)).sort(byNewest).slice(0, limit);
      // Every record: a SCAN, for an operator's look (the CLI), bounded by the limit kept.
      const out: DeliveryRecord[] = [];
      for await (const found of scanKeys(redis, keys.pattern, 500)) {
        for (const key of found) for (const v of await redis.hvals(key)) out.push(parse(v)!);
        if (out.length > limit * 4) out.sort(byNewest).splice(limit);
      }
      return out.sort(byNewest).slice(0, limit);
    },

    async resetForRetry(taskId, id, now) {
      for (let i = 0; i < 5; i++) {
        const raw = await redis.hget(keys.record(taskId), id);
        const cur = parse(raw);
        if (!cur || cur.state !== 'failed') return false;
        const { reportedAt: _r, ...rest } = cur;
        const next: DeliveryRecord = {
          ...rest,
          state: 'retrying',
          attempts: 0,
          retries: (cur.retries ?? 0) + 1,
          updatedAt: now,
          error: `retry asked by an operator after: ${cur.error ?? 'failure'}`,
        };
        if (await setIf(taskId, id, 'same', next, now, raw!)) {
          await redis.zrem(keys.failed, member(taskId, id));
          // The scheduler takes it from here: a task is re-planned; a digest or a report re-enqueued.
          await schedule.touch([taskId.startsWith('_') ? specialMember(taskId as '_digest' | '_admin', id) : taskId], now);
          return true;
        }
      }
      return false;
    },

    async claim(base, owner, now, leaseMs) {
      const leaseUntil = now + leaseMs;
      // The sending hint goes out with the claim (one round trip); a claim refused leaves a
      // hint that reconcile drops when it finds the record is not its to worry about.
      const [[outcome, raw]] = await Promise.all([
        s.dondocDeliveryClaim(keys.record(base.taskId), base.id, now, leaseUntil, owner, JSON.stringify(baseJson(base))),
        redis.zadd(keys.sending, 'GT', leaseUntil, member(base.taskId, base.id)),
      ]);
      const record = parse(raw)!;
      return { outcome: outcome as ClaimResult['outcome'], record } as ClaimResult;
    },

    async markSent(claimed, sent) {
      const rec = after(claimed, { state: 'sent', messageId: sent.messageId, response: sent.response, sentAt: sent.sentAt, updatedAt: sent.sentAt, ...(sent.error ? { error: sent.error } : {}) });
      if (!sent.error) delete rec.error;
      const [ok] = await Promise.all([setIf(claimed.taskId, claimed.id, 'owner', rec, sent.sentAt, claimed.owner ?? ''), redis.zrem(keys.sending, member(claimed.taskId, claimed.id))]);
      return ok;
    },

    async markRetrying(claimed, error, now) {
      const ok = await setIf(claimed.taskId, claimed.id, 'owner', after(claimed, { state: 'retrying', error, updatedAt: now }), now, claimed.owner ?? '');
      await redis.zrem(keys.sending, member(claimed.taskId, claimed.id));
      return ok;
    },

    async markFailed(claimed, error, now) {
      // On the failed list first: a crash between the two writes leaves a hint that listFailed
      // re-checks, never a failure nobody can see.
      await redis.zadd(keys.failed, now, member(claimed.taskId, claimed.id));
      const ok = await setIf(claimed.taskId, claimed.id, 'owner', after(claimed, { state: 'failed', error, updatedAt: now }), now, claimed.owner ?? '');
      await redis.zrem(keys.sending, member(claimed.taskId, claimed.id));
      if (!ok) {
        const cur = await log.get(claimed.taskId, claimed.id);
        if (cur?.state !== 'failed') await redis.zrem(keys.failed, member(claimed.taskId, claimed.id));
      }
      return ok;
    },

    markSkipped: (base, reason, now) => setIf(base.taskId, base.id, 'open', { ...baseJson(base), state: 'skipped', reason, updatedAt: now }, now),
    markMuted: (base, reason, now) => setIf(base.taskId, base.id, 'open', { ...baseJson(base), state: 'muted', reason, updatedAt: now }, now),

    async markReported(taskId, id, now) {
      for (let i = 0; i < 5; i++) {
        const raw = await redis.hget(keys.record(taskId), id);
        const cur = parse(raw);
        if (!cur || (cur.state !== 'failed' && cur.state !== 'sent')) return false;
        if (await setIf(taskId, id, 'same', { ...cur, reportedAt: now }, now, raw!)) return true;
      }
      return false;
    },

    async expiredSends(now, limit = 1000) {
      const members = await redis.zrangebyscore(keys.sending, '-inf', now, 'LIMIT', 0, limit);
      return members.map(splitMember);
    },

    async forgetSend(taskId, id) {
      await redis.zrem(keys.sending, member(taskId, id));
    },
  };
  return log;
}
