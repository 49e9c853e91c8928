// The delivery log (docs/DELIVERY.md): per task one hash, record id → JSON record, in the task's
// hash slot ({ID}); daily digests under {_digest}, failure reports under {_admin}, accountability
// mail under {_reports}. It is the record of what happened (`dondoc delivery list`, the API, the
// task page) and the lock of the claim protocol that keeps a copy from going out twice.
//
// Two kinds of record share a hash:
//   - a release, under the notification id: the moment the notification first went out, with
//     the copies it owes — one per recipient, fixed then, so a directory change later neither
//     drops a copy nor adds one (src/core/copies.ts). The planner counts a released notification
//     as handled;
//   - a copy, under "<notification id>_r<key>" (or a failure report's own id): one person's mail,
//     with the claim protocol's states
//       claim   — sent/failed: done; sending under a live lease of another owner: busy;
//                 anything else: sending, owned by the caller until leaseUntil, attempts + 1,
//                 and the Message-ID the send will carry (a send whose worker died keeps its
//                 own, so the resend carries the same one);
//       record  — sent / retrying / failed, only while the caller still owns the claim.
//
// Each step is one Lua script on the one hash (several copies of one task in one call), so two
// workers can never both claim. Lua only reads records (cjson) and never re-encodes one (cjson
// would turn [] into {}): new records are built in JS and written whole, or — for the claim —
// the base built in JS gets the state fields appended as text. Two side indexes, each its own
// key (a script cannot span slots):
//   P:delivery:failed   ZSET  "TASK|ID" → failure instant (`dondoc delivery list --failed`)
//   P:delivery:sending  ZSET  "TASK|ID" → lease end (reconcile finds sends whose worker died)
// Both are hints re-checked against the record, so a crash between two writes costs a stale
// hint, never a wrong answer.
import { type RedisClient, scanKeys } from './redis.js';
import { makeSchedule, specialMember } from './schedule.js';

export type DeliveryState = 'released' | 'sending' | 'retrying' | 'sent' | 'failed' | 'skipped' | 'muted';

/** One recipient of a released notification, enough to address its copy later. */
export interface ReleasedCopy {
  key: string;
  email: string;
  title: string;
  role: string;
  as: 'to' | 'cc';
  body?: string;
  leader?: string;
  name?: string;
}

export interface DeliveryRecord {
  id: string;
  /** The task, or '_digest' / '_admin' / '_reports' for mail that belongs to no task. */
  taskId: string;
  kind: string;
  level: number;
  step?: string;
  occurrence?: string;
  /** A copy's notification id. */
  notification?: string;
  /** A copy: [its recipient]; a release: the notification's addressed recipients. */
  to: string[];
  /** A release: the notification's informed recipients; a copy: []. */
  cc: string[];
  /** A copy: its recipient's role (head, provincial_office, …), place and title. */
  role?: string;
  as?: 'to' | 'cc';
  title?: string;
  /** A release: the copies it owes. */
  copies?: ReleasedCopy[];
  subject?: string;
  /** When the notification was planned to go (its step's instant). */
  plannedAt: number;
  state: DeliveryState;
  attempts: number;
  leaseUntil?: number;
  owner?: string;
  messageId?: string;
  /** The mail the copy went in: its own id, or its bundle's (several copies in one list). */
  mail?: string;
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
  /** A failed copy that went in a mail with others: every item of that mail, "TASK|ID". */
  mailItems?: string[];
}

/** What the job knows about a copy before any attempt: written into every record. */
export type RecordBase = Pick<DeliveryRecord, 'id' | 'taskId' | 'kind' | 'level' | 'to' | 'cc' | 'plannedAt'> &
  Partial<Pick<DeliveryRecord, 'step' | 'occurrence' | 'notification' | 'role' | 'as' | 'title' | 'subject' | 'reportOf'>>;

export type ClaimResult =
  /** The caller owns the send until record.leaseUntil; record.messageId is the one to send with. */
  | { outcome: 'claimed'; record: DeliveryRecord }
  /** Already sent or failed: do nothing. */
  | { outcome: 'done'; record: DeliveryRecord }
  /** Another worker is sending it: look again after record.leaseUntil. */
  | { outcome: 'busy'; record: DeliveryRecord }
  /** Its notification's release does not owe this copy (record: the base). */
  | { outcome: 'dropped'; record: DeliveryRecord }
  /** Its notification was settled by an older sent/failed record (record: the base). */
  | { outcome: 'settled'; record: DeliveryRecord };

/** A copy to claim: its base, the Message-ID it will go under, and — for a copy of a notification — the release to write first if there is none. */
export interface ClaimItem {
  base: RecordBase;
  messageId: string;
  release?: RecordBase & { copies: ReleasedCopy[] };
}

export interface Sent {
  messageId: string;
  response: string;
  sentAt: number;
  mail?: string;
}

export interface FailedPage {
  records: DeliveryRecord[];
  /** Pass it back for the next page; absent on the last. */
  cursor?: string;
  /** Failures after this page. */
  more: number;
}

export interface DeliveryLog {
  get(taskId: string, id: string): Promise<DeliveryRecord | null>;
  forTask(taskId: string): Promise<DeliveryRecord[]>;
  /** Ids released, sent or failed: the planner's history (PlanHistory). */
  handledIds(taskId: string): Promise<Set<string>>;
  /** Notification ids with nothing left to do: released with every copy sent or failed (or an older sent/failed record). */
  settledIds(taskId: string): Promise<Set<string>>;
  listFailed(opts?: { limit?: number }): Promise<DeliveryRecord[]>;
  /** Failures newest first, a page at a time. */
  pageFailed(opts: { limit?: number; cursor?: string }): Promise<FailedPage>;
  /**
   * Deliveries (copies, reports — not releases), newest first, and how many more there are;
   * without taskId/failed, a scan of every record (for the CLI, bounded by limit). Failures page
   * on with the cursor.
   */
  list(opts?: { taskId?: string; failed?: boolean; limit?: number; cursor?: string }): Promise<{ records: DeliveryRecord[]; more: number; cursor?: string }>;
  /**
   * failed → retrying, off the failed list, and the task re-planned (a digest or report
   * re-enqueued); false when not failed. `touch: false` leaves the re-plan to the caller (a
   * retry of many touches them together, so a person's retried copies go in one list).
   */
  resetForRetry(taskId: string, id: string, now: number, opts?: { touch?: boolean }): Promise<boolean>;

  /**
   * Fixes the copies of a notification the first time it goes out; returns the release in force
   * (this one, or the one written first), or the older sent/failed record that settled it.
   */
  release(rec: RecordBase & { copies: ReleasedCopy[] }, now: number): Promise<DeliveryRecord>;
  /** Claims several copies of one log (one task) at once, for a send with this Message-ID. */
  claimMany(bases: readonly RecordBase[], owner: string, now: number, leaseMs: number, messageId: string): Promise<ClaimResult[]>;
  /**
   * Claims copies of one log in one script, each under its own Message-ID, releasing their
   * notifications first where needed (a bundle job: every item of every part at once).
   */
  claimItems(items: readonly ClaimItem[], owner: string, now: number, leaseMs: number): Promise<ClaimResult[]>;
  claim(base: RecordBase, owner: string, now: number, leaseMs: number, messageId?: string): Promise<ClaimResult>;
  /** Records the outcome of claimed copies of one log; true for each still owned. */
  recordMany(claimed: readonly DeliveryRecord[], fields: Partial<DeliveryRecord> & Pick<DeliveryRecord, 'state' | 'updatedAt'>): Promise<boolean[]>;
  markSent(claimed: DeliveryRecord, sent: Sent & { error?: string }): Promise<boolean>;
  /** A transient failure with attempts left: BullMQ retries after its backoff. */
  markRetrying(claimed: DeliveryRecord, error: string, now: number): Promise<boolean>;
  /** Permanent, or retries used up: terminal, and on the failed list. */
  markFailed(claimed: DeliveryRecord, error: string, now: number, mailItems?: string[]): Promise<boolean>;
  /** Not sent because the plan changed (reason says how); refused on sent/failed or a live claim. */
  markSkipped(base: RecordBase, reason: string, now: number): Promise<boolean>;
  /** Due while muted; goes out if unmuted before it is superseded. */
  markMuted(base: RecordBase, reason: string, now: number): Promise<boolean>;
  /** The admin has been told of this failure. */
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
export const splitMember = (m: string): { taskId: string; id: string } => {
  const i = m.indexOf('|');
  return { taskId: m.slice(0, i), id: m.slice(i + 1) };
};

const isTerminal = (s: DeliveryState): boolean => s === 'sent' || s === 'failed';

/** The schedule entry that makes a retried record go out again: its task, or its digest or report. */
export const retryEntry = (taskId: string, id: string): string => (taskId.startsWith('_') ? specialMember(taskId as '_digest' | '_admin', id) : taskId);

// KEYS[1] record hash; ARGV[1] now, ARGV[2] leaseUntil, ARGV[3] owner, then quintuples per
// copy: (id, Message-ID, base JSON, notification id or '', release JSON or ''). A copy of a
// notification is claimed only under its release: the release is written first if there is
// none yet (the first bundle to reach a notification fixes its copies), and a copy the release
// does not owe is 'dropped'; a notification settled by an older sent/failed record is 'done'.
// Returns pairs (outcome, record JSON).
const CLAIM_LUA = `
local out = {}
local releases = {}
local function releaseOf(nid, json)
  if releases[nid] ~= nil then return releases[nid] end
  local cur = redis.call('HGET', KEYS[1], nid)
  local r = cur and cjson.decode(cur) or nil
  if not r or (r.state ~= 'released' and r.state ~= 'sent' and r.state ~= 'failed') then
    if json == '' then releases[nid] = false return false end
    redis.call('HSET', KEYS[1], nid, json)
    r = cjson.decode(json)
  end
  local owed = {}
  if r.state == 'released' then
    for _, c in ipairs(r.copies or {}) do owed[c.key] = true end
  else
    owed = 'settled'
  end
  releases[nid] = owed
  return owed
end
for i = 4, #ARGV, 5 do
  local id = ARGV[i]
  local mid = ARGV[i + 1]
  local outcome = 'claimed'
  local cur = nil
  if ARGV[i + 3] ~= '' then
    local owed = releaseOf(ARGV[i + 3], ARGV[i + 4])
    if owed == 'settled' then outcome = 'settled'
    elseif not owed or not owed[string.sub(id, -12)] then outcome = 'dropped' end
  end
  local attempts = 0
  local carried = ''
  if outcome == 'claimed' then
    cur = redis.call('HGET', KEYS[1], id)
    if cur then
      local r = cjson.decode(cur)
      if r.state == 'sent' or r.state == 'failed' then
        outcome = 'done'
      elseif r.state == 'sending' and tonumber(r.leaseUntil or 0) > tonumber(ARGV[1]) and r.owner ~= ARGV[3] then
        outcome = 'busy'
      else
        attempts = tonumber(r.attempts or 0)
        if r.retries then carried = ',"retries":' .. tonumber(r.retries) end
        if r.state == 'sending' and type(r.messageId) == 'string' and r.messageId ~= '' then mid = r.messageId end
      end
    end
  end
  if outcome == 'claimed' then
    local rec = string.sub(ARGV[i + 2], 1, -2) .. ',"state":"sending","owner":' .. cjson.encode(ARGV[3]) .. ',"leaseUntil":' .. ARGV[2] .. ',"attempts":' .. (attempts + 1) .. ',"updatedAt":' .. ARGV[1] .. ',"messageId":' .. cjson.encode(mid) .. carried .. '}'
    redis.call('HSET', KEYS[1], id, rec)
    out[#out + 1] = outcome
    out[#out + 1] = rec
  else
    out[#out + 1] = outcome
    out[#out + 1] = cur or ARGV[i + 2]
  end
end
return out
`;

// KEYS[1] record hash; ARGV[1] owner; ARGV[2..] pairs (id, new JSON): written only where the
// record is still 'sending' and owned by ARGV[1]. Returns 1/0 per pair.
const RECORD_LUA = `
local out = {}
for i = 2, #ARGV, 2 do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  local ok = 0
  if cur then
    local r = cjson.decode(cur)
    if r.state == 'sending' and r.owner == ARGV[1] then
      redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
      ok = 1
    end
  end
  out[#out + 1] = ok
end
return out
`;

// KEYS[1] record hash; ARGV[1] id, ARGV[2] release JSON: written unless the notification is
// already released or settled (an older sent/failed record). Returns the record in force.
const RELEASE_LUA = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local r = cjson.decode(cur)
  if r.state == 'released' or r.state == 'sent' or r.state == 'failed' then return cur end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return ARGV[2]
`;

// KEYS[1] record hash; ARGV[1] id, ARGV[2] condition, ARGV[3] new JSON, ARGV[4] now,
// ARGV[5] the expected record (condition 'same').
// Conditions: 'open' — neither sent/failed nor under another's live claim (the stored attempts
// and retries are carried over); 'same' — the record is exactly ARGV[5]. Returns {1, new} or {0, current or false}.
const SET_IF_LUA = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local rec = ARGV[3]
local cond = ARGV[2]
if cond == 'same' then
  if (cur or '') ~= ARGV[5] then return {0, cur or false} end
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
  dondocDeliveryClaimMany(key: string, ...args: Array<string | number>): Promise<string[]>;
  dondocDeliveryRecordMany(key: string, ...args: string[]): Promise<number[]>;
  dondocDeliveryRelease(key: string, id: string, json: string): Promise<string>;
  dondocDeliverySetIf(key: string, id: string, cond: string, json: string, now: number, extra: string): Promise<[number, string | null]>;
};

function scripts(redis: RedisClient): Scripts {
  const r = redis as unknown as Partial<Scripts>;
  if (!r.dondocDeliveryClaimMany) {
    redis.defineCommand('dondocDeliveryClaimMany', { numberOfKeys: 1, lua: CLAIM_LUA });
    redis.defineCommand('dondocDeliveryRecordMany', { numberOfKeys: 1, lua: RECORD_LUA });
    redis.defineCommand('dondocDeliveryRelease', { numberOfKeys: 1, lua: RELEASE_LUA });
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
    ...(b.notification !== undefined ? { notification: b.notification } : {}),
    to: b.to,
    cc: b.cc,
    ...(b.role !== undefined ? { role: b.role } : {}),
    ...(b.as !== undefined ? { as: b.as } : {}),
    ...(b.title !== undefined ? { title: b.title } : {}),
    ...(b.subject !== undefined ? { subject: b.subject } : {}),
    ...(b.reportOf !== undefined ? { reportOf: b.reportOf } : {}),
    plannedAt: b.plannedAt,
  };
}

/** A claimed record moved on: the claim's lease and owner go, the new fields come. */
function after(claimed: DeliveryRecord, fields: Partial<DeliveryRecord>): DeliveryRecord {
  const { leaseUntil: _l, owner: _o, ...rest } = claimed;
  const next = { ...rest, ...fields } as DeliveryRecord;
  if (next.state === 'sent') delete next.error;
  return next;
}

const byNewest = (a: DeliveryRecord, b: DeliveryRecord): number => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1);

// A page cursor: the last failure shown, as "score member" in base64url.
const encodeCursor = (score: number, m: string): string => Buffer.from(`${score} ${m}`, 'utf8').toString('base64url');
function decodeCursor(c: string): { score: number; member: string } | null {
  const s = Buffer.from(c, 'base64url').toString('utf8');
  const i = s.indexOf(' ');
  const score = Number(s.slice(0, i));
  return i > 0 && Number.isFinite(score) && s.length > i + 1 ? { score, member: s.slice(i + 1) } : null;
}

export function makeDeliveryLog(redis: RedisClient, prefix: string): DeliveryLog {
  const keys = deliveryKeys(prefix);
  const s = scripts(redis);
  const schedule = makeSchedule(redis, prefix);

  const setIf = async (taskId: string, id: string, cond: 'open' | 'same', rec: object, now: number, extra = ''): Promise<boolean> => {
    const [ok] = await s.dondocDeliverySetIf(keys.record(taskId), id, cond, JSON.stringify(rec), now, extra);
    return ok === 1;
  };

  const forTask = async (taskId: string): Promise<DeliveryRecord[]> => {
    const all = await redis.hvals(keys.record(taskId));
    return all.map((v) => parse(v)!).sort((a, b) => a.plannedAt - b.plannedAt || (a.id < b.id ? -1 : 1));
  };

  const fromMembers = async (members: string[]): Promise<Array<DeliveryRecord | null>> =>
    Promise.all(members.map((m) => splitMember(m)).map(({ taskId, id }) => redis.hget(keys.record(taskId), id).then(parse)));

  const recordMany: DeliveryLog['recordMany'] = async (claimed, fields) => {
    if (claimed.length === 0) return [];
    const taskId = claimed[0]!.taskId;
    const owner = claimed[0]!.owner ?? '';
    const args: string[] = [owner];
    for (const c of claimed) args.push(c.id, JSON.stringify(after(c, fields)));
    const failed = fields.state === 'failed';
    // On the failed list first: a crash between the writes leaves a hint that listFailed
    // re-checks, never a failure nobody can see.
    if (failed) await redis.zadd(keys.failed, ...claimed.flatMap((c) => [fields.updatedAt, member(taskId, c.id)]));
    const [oks] = await Promise.all([s.dondocDeliveryRecordMany(keys.record(taskId), ...args), redis.zrem(keys.sending, ...claimed.map((c) => member(taskId, c.id)))]);
    if (failed) {
      const lost = claimed.filter((_, i) => oks[i] !== 1);
      for (const c of lost) if ((await log.get(taskId, c.id))?.state !== 'failed') await redis.zrem(keys.failed, member(taskId, c.id));
    }
    return oks.map((ok) => ok === 1);
  };

  const log: DeliveryLog = {
    keys,
    get: async (taskId, id) => parse(await redis.hget(keys.record(taskId), id)),
    forTask,
    async handledIds(taskId) {
      const out = new Set<string>();
      for (const r of await forTask(taskId)) if (r.state === 'released' || isTerminal(r.state)) out.add(r.id);
      return out;
    },
    async settledIds(taskId) {
      const recs = await forTask(taskId);
      const byId = new Map(recs.map((r) => [r.id, r]));
      const out = new Set<string>();
      for (const r of recs) {
        if (r.copies === undefined && r.notification === undefined && isTerminal(r.state)) out.add(r.id);
        if (r.state === 'released' && (r.copies ?? []).every((c) => {
          const copy = byId.get(`${r.id}_r${c.key}`);
          return copy !== undefined && isTerminal(copy.state);
        })) out.add(r.id);
      }
      return out;
    },

    async listFailed(opts = {}) {
      return (await log.pageFailed({ limit: opts.limit ?? 100 })).records;
    },

    async pageFailed(opts) {
      const limit = Math.max(1, Math.min(opts.limit ?? 100, 10_000));
      const from = opts.cursor ? decodeCursor(opts.cursor) : null;
      const out: Array<{ rec: DeliveryRecord; score: number; member: string }> = [];
      let offset = 0;
      const max = from ? String(from.score) : '+inf';
      // Ties (a bundle fails its items at one instant) are ordered by member, descending, in a
      // reverse range: those at the cursor's score up to and including its member were shown.
      while (out.length <= limit) {
        const raw = await redis.zrevrangebyscore(keys.failed, max, '-inf', 'WITHSCORES', 'LIMIT', offset, limit * 2 + 10);
        if (raw.length === 0) break;
        offset += raw.length / 2;
        const pairs: Array<{ member: string; score: number }> = [];
        for (let i = 0; i < raw.length; i += 2) pairs.push({ member: raw[i]!, score: Number(raw[i + 1]) });
        const fresh = pairs.filter((p) => !from || p.score < from.score || p.member < from.member);
        const recs = await fromMembers(fresh.map((p) => p.member));
        fresh.forEach((p, i) => {
          const rec = recs[i];
          if (rec?.state === 'failed') out.push({ rec, score: p.score, member: p.member });
        });
      }
      const page = out.slice(0, limit);
      const last = page[page.length - 1];
      let more = 0;
      if (out.length > limit && last) {
        // What is left below the last shown: at lower scores, and at its score after it.
        const [lower, ties] = await Promise.all([
          redis.zcount(keys.failed, '-inf', `(${last.score}`),
          redis.zrangebyscore(keys.failed, last.score, last.score),
        ]);
        more = lower + ties.filter((m) => m < last.member).length;
      }
      return { records: page.map((p) => p.rec), ...(out.length > limit && last ? { cursor: encodeCursor(last.score, last.member) } : {}), more };
    },

    async list(opts = {}) {
      const limit = Math.max(1, Math.min(opts.limit ?? 100, 10_000));
      const deliveries = (rs: DeliveryRecord[]): DeliveryRecord[] => rs.filter((r) => r.state !== 'released');
      if (opts.failed && !opts.taskId) return log.pageFailed({ limit, ...(opts.cursor ? { cursor: opts.cursor } : {}) });
      const pick = (all: DeliveryRecord[]) => ({ records: all.slice(0, limit), more: Math.max(0, all.length - limit) });
      if (opts.failed) return pick((await forTask(opts.taskId!)).filter((r) => r.state === 'failed').sort(byNewest));
      if (opts.taskId) return pick(deliveries(await forTask(opts.taskId)).sort(byNewest));
      // Every record: a SCAN, for an operator's look (the CLI), bounded by the limit kept.
      const out: DeliveryRecord[] = [];
      let total = 0;
      for await (const found of scanKeys(redis, keys.pattern, 500)) {
        for (const key of found) {
          const recs = deliveries((await redis.hvals(key)).map((v) => parse(v)!));
          total += recs.length;
          out.push(...recs);
        }
        if (out.length > limit * 4) out.sort(byNewest).splice(limit);
      }
      return { records: out.sort(byNewest).slice(0, limit), more: Math.max(0, total - limit) };
    },

    async resetForRetry(taskId, id, now, opts = {}) {
      for (let i = 0; i < 5; i++) {
        const raw = await redis.hget(keys.record(taskId), id);
        const cur = parse(raw);
        if (!cur || cur.state !== 'failed') return false;
        const { reportedAt: _r, mailItems: _m, ...rest } = cur;
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
          if (opts.touch !== false) await schedule.touch([retryEntry(taskId, id)], now);
          return true;
        }
      }
      return false;
    },

    async release(rec, now) {
      const json = JSON.stringify({ ...baseJson(rec), copies: rec.copies, state: 'released', attempts: 0, updatedAt: now });
      return parse(await s.dondocDeliveryRelease(keys.record(rec.taskId), rec.id, json))!;
    },

    async claimItems(items, owner, now, leaseMs) {
      if (items.length === 0) return [];
      const taskId = items[0]!.base.taskId;
      const leaseUntil = now + leaseMs;
      const args: Array<string | number> = [now, leaseUntil, owner];
      for (const it of items) {
        args.push(it.base.id, it.messageId, JSON.stringify(baseJson(it.base)), it.release?.id ?? it.base.notification ?? '');
        args.push(it.release ? JSON.stringify({ ...baseJson(it.release), copies: it.release.copies, state: 'released', attempts: 0, updatedAt: now }) : '');
      }
      // The sending hints go out with the claim (one round trip); a claim refused leaves a hint
      // that reconcile drops when it finds the record is not its to worry about.
      const [raw] = await Promise.all([
        s.dondocDeliveryClaimMany(keys.record(taskId), ...args),
        redis.zadd(keys.sending, 'GT', ...items.flatMap((it) => [leaseUntil, member(taskId, it.base.id)])),
      ]);
      const out: ClaimResult[] = [];
      for (let i = 0; i < raw.length; i += 2) out.push({ outcome: raw[i] as ClaimResult['outcome'], record: parse(raw[i + 1])! });
      return out;
    },

    async claimMany(bases, owner, now, leaseMs, messageId) {
      // A base with a notification is claimed under that notification's existing release.
      return log.claimItems(bases.map((base) => ({ base, messageId })), owner, now, leaseMs);
    },

    async claim(base, owner, now, leaseMs, messageId = '') {
      const [r] = await log.claimMany([base], owner, now, leaseMs, messageId);
      return r!;
    },

    recordMany,

    async markSent(claimed, sent) {
      const [ok] = await recordMany([claimed], {
        state: 'sent',
        messageId: sent.messageId,
        response: sent.response,
        sentAt: sent.sentAt,
        updatedAt: sent.sentAt,
        ...(sent.mail ? { mail: sent.mail } : {}),
        ...(sent.error ? { error: sent.error } : {}),
      });
      return ok!;
    },

    async markRetrying(claimed, error, now) {
      const [ok] = await recordMany([claimed], { state: 'retrying', error, updatedAt: now });
      return ok!;
    },

    async markFailed(claimed, error, now, mailItems) {
      const [ok] = await recordMany([claimed], { state: 'failed', error, updatedAt: now, ...(mailItems && mailItems.length > 1 ? { mailItems } : {}) });
      return ok!;
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
