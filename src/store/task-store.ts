// The task registry on Redis: a small port (get, list, create, apply, upsertMany, history)
// over the key layout in keys.ts. Every change goes through one Lua script that checks the
// revision it was computed from, writes the task and appends its history events in the task's
// own hash slot: a change is all there or not there. Status is derived at read time.
import type { Calendar } from '../core/calendar.js';
import type { Day } from '../core/day.js';
import { type OccurrenceStatus, type TaskStatus, taskStatus } from '../core/status.js';
import type { Task, TaskEvent } from '../core/task.js';
import type { Change } from '../core/task-ops.js';
import { DondocError } from '../errors.js';
import { redisScore } from './index-entries.js';
import { makeIndexer } from './indexer.js';
import { type ListFilter, matchesFilter, maxScore, parseCursor, pickSource } from './list-plan.js';

export type { ListFilter };
import { type Keys, makeKeys } from './keys.js';
import { guard, scanKeys, type RedisClient } from './redis.js';
import { makeSchedule } from './schedule.js';
import { type UpsertItem, planUpsert } from './upsert-plan.js';

export interface TaskWithStatus {
  task: Task;
  status: OccurrenceStatus;
}

export interface ListResult {
  items: TaskWithStatus[];
  nextCursor: string | null;
}

export interface UpsertResult {
  created: string[];
  updated: Array<{ id: string; changes: Record<string, { from: unknown; to: unknown }>; events: TaskEvent[] }>;
  unchanged: string[];
  warnings: Array<{ id: string; message: string }>;
}

export interface ApplyResult {
  task: Task;
  /** The events written (none when the function returned null). */
  events: readonly TaskEvent[];
}

/** Several changes in one write: the final task and every event, in order. */
export interface ChangeSet {
  task: Task;
  events: readonly TaskEvent[];
}

export type ChangeFn = (task: Task) => Change | readonly Change[] | ChangeSet | null;

function toChangeSet(out: ReturnType<ChangeFn>): ChangeSet | null {
  if (out === null) return null;
  if (Array.isArray(out)) {
    const list = out as readonly Change[];
    return list.length ? { task: list[list.length - 1]!.task, events: list.map((c) => c.event) } : null;
  }
  if ('events' in out) return out.events.length ? out : null;
  return { task: (out as Change).task, events: [(out as Change).event] };
}

export interface TaskStore {
  readonly keys: Keys;
  get(id: string): Promise<Task | null>;
  getWithHistory(id: string): Promise<{ task: Task; history: TaskEvent[] } | null>;
  history(id: string): Promise<TaskEvent[]>;
  /** The derived status now (injected clock). */
  statusOf(task: Task): OccurrenceStatus;
  list(filter?: ListFilter): Promise<ListResult>;
  /** A new task with its first events; TASK_CONFLICT when the id exists. */
  create(item: UpsertItem): Promise<Task>;
  /** Applies a pure change; REVISION_MISMATCH when expectedRevision is stale; TASK_NOT_FOUND. */
  apply(id: string, fn: ChangeFn, opts?: { expectedRevision?: number }): Promise<ApplyResult>;
  /** Idempotent by id: unchanged tasks are not written. */
  upsertMany(items: readonly UpsertItem[], by: string, opts?: { dryRun?: boolean }): Promise<UpsertResult>;
  /** Every task id, in batches (SCAN). */
  ids(batch?: number): AsyncGenerator<string[]>;
  /** Re-indexes ids marked dirty at least `olderThanMs` ago (default 2 s); returns how many. */
  repairIndexes(opts?: { olderThanMs?: number }): Promise<number>;
  /** Rebuilds every index from the tasks; returns tasks seen and stale entries removed. */
  reindexAll(): Promise<{ tasks: number; removed: number }>;
  ping(): Promise<void>;
}

export interface StoreDeps {
  redis: RedisClient;
  /** REDIS_URL, for messages (credentials are never shown). */
  url: string;
  prefix: string;
  calendar: Calendar;
  /** The clock for derived status and event times: epoch ms. */
  now: () => number;
}

// KEYS[1] task, KEYS[2] history; ARGV[1] the revision the change was computed from (0: the
// task must not exist yet), ARGV[2] the new task JSON, ARGV[3..] events to append in order.
// Returns {1, rev} when written, {0, rev} when the stored revision is not ARGV[1].
// Persistence this relies on: maxmemory-policy noeviction (out of memory, Redis refuses the
// script's first write before anything changed; an evicting policy would silently drop tasks
// or history) and AOF (appendonly yes), so an acknowledged change survives a restart.
const COMMIT_LUA = `
local cur = redis.call('GET', KEYS[1])
local rev = 0
if cur then rev = tonumber(cjson.decode(cur)['revision']) end
if rev ~= tonumber(ARGV[1]) then return {0, rev} end
redis.call('SET', KEYS[1], ARGV[2])
for i = 3, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
return {1, rev}
`;

type CommitFn = (taskKey: string, historyKey: string, base: number, json: string, ...events: string[]) => Promise<[number, number]>;

const MAX_ATTEMPTS = 8;
const BATCH = 500;
/** Dirty ids younger than this are probably a writer still at work: list() leaves them be. */
const DIRTY_AGE_MS = 2_000;

export function makeTaskStore(deps: StoreDeps): TaskStore {
  const { redis, calendar, now } = deps;
  const keys = makeKeys(deps.prefix);
  if (!(redis as unknown as { dondocCommit?: unknown }).dondocCommit) redis.defineCommand('dondocCommit', { numberOfKeys: 2, lua: COMMIT_LUA });
  const commit = (redis as unknown as { dondocCommit: CommitFn }).dondocCommit.bind(redis);
  const run = <T>(op: () => Promise<T>): Promise<T> => guard(deps.url, op);

  const parseTask = (json: string | null, key: string): Task | null => {
    if (json === null) return null;
    const t = JSON.parse(json) as Task;
    if (typeof t?.id !== 'string' || typeof t.revision !== 'number') throw new Error(`${key}: not a dondoc task`);
    return t;
  };
  const getMany = async (ids: readonly string[]): Promise<Array<Task | null>> => {
    const raws = await Promise.all(ids.map((id) => redis.get(keys.task(id))));
    return raws.map((r, i) => parseTask(r, keys.task(ids[i]!)));
  };
  const statusOf = (task: Task): OccurrenceStatus => taskStatus(task, calendar, now());

  const indexer = makeIndexer({ redis, keys, getMany });
  const { syncIndexes, markDirty } = indexer;
  // Every change asks the delivery scheduler to re-plan the task (docs/DELIVERY.md).
  const schedule = makeSchedule(redis, deps.prefix);
  const replan = (ids: readonly string[]): Promise<void> => schedule.touch(ids, now());

  const write = (base: number, task: Task, events: readonly TaskEvent[]): Promise<[number, number]> =>
    commit(keys.task(task.id), keys.history(task.id), base, JSON.stringify(task), ...events.map((e) => JSON.stringify(e)));

  const readHistory = async (id: string): Promise<TaskEvent[]> => (await redis.lrange(keys.history(id), 0, -1)).map((s) => JSON.parse(s) as TaskEvent);

  const store: TaskStore = {
    keys,
    statusOf,
    get: (id) => run(async () => parseTask(await redis.get(keys.task(id)), keys.task(id))),
    history: (id) => run(() => readHistory(id)),
    getWithHistory: (id) =>
      run(async () => {
        const [raw, hist] = await Promise.all([redis.get(keys.task(id)), redis.lrange(keys.history(id), 0, -1)]);
        const task = parseTask(raw, keys.task(id));
        return task ? { task, history: hist.map((s) => JSON.parse(s) as TaskEvent) } : null;
      }),

    create: (item) =>
      run(async () => {
        // A duplicate is refused before anything is written (issue 7: a refused POST changes
        // nothing); the script below still settles a race between two creators.
        const found = parseTask(await redis.get(keys.task(item.task.id)), keys.task(item.task.id));
        if (found) throw new DondocError('TASK_CONFLICT', `task ${item.task.id} already exists (revision ${found.revision}); change it with PUT /api/tasks/${item.task.id}`);
        await markDirty([item.task.id]);
        const [ok, rev] = await write(0, item.task, item.events);
        // A refused write leaves its dirty mark: harmless (repair re-adds what is there), and
        // removing it could drop the mark of a writer still at work on the same id.
        if (!ok) {
          throw new DondocError('TASK_CONFLICT', `task ${item.task.id} already exists (revision ${rev}); change it with PUT /api/tasks/${item.task.id}`);
        }
        await syncIndexes([{ prev: null, next: item.task }]);
        await replan([item.task.id]);
        return item.task;
      }),

    apply: (id, fn, opts = {}) =>
      run(async () => {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const prev = parseTask(await redis.get(keys.task(id)), keys.task(id));
          if (!prev) throw new DondocError('TASK_NOT_FOUND', `no task with id ${id}`);
          if (opts.expectedRevision !== undefined && prev.revision !== opts.expectedRevision) throw stale(id, opts.expectedRevision, prev.revision);
          const set = toChangeSet(fn(prev));
          if (!set) return { task: prev, events: [] };
          const { task: next, events } = set;
          await markDirty([id]);
          const [ok, rev] = await write(prev.revision, next, events);
          if (ok) {
            await syncIndexes([{ prev, next }]);
            await replan([id]);
            return { task: next, events };
          }
          // Someone else changed it between our read and our write: an If-Match caller must
          // look again; anyone else gets the change recomputed on the fresh version.
          if (opts.expectedRevision !== undefined) throw stale(id, opts.expectedRevision, rev);
        }
        throw new DondocError('TASK_CONFLICT', `task ${id} is being changed by others right now; try again`);
      }),

    upsertMany: (items, by, opts = {}) =>
      run(async () => {
        const result: UpsertResult = { created: [], updated: [], unchanged: [], warnings: [] };
        const actor = { by, now: now() };
        // An import cut short (Redis died) may have left written tasks unindexed; running it
        // again must repair that even though those tasks are now "unchanged".
        if (!opts.dryRun) await indexer.repair(0);
        for (let i = 0; i < items.length; i += BATCH) {
          let pending = items.slice(i, i + BATCH);
          for (let attempt = 0; pending.length && attempt < MAX_ATTEMPTS; attempt++) {
            const existing = await getMany(pending.map((it) => it.task.id));
            const plans = pending.map((it, j) => ({ prev: existing[j] ?? null, plan: planUpsert(existing[j] ?? null, it, calendar, actor), item: it }));
            const tally = (p: (typeof plans)[number]): void => {
              const id = p.item.task.id;
              for (const w of p.plan.warnings) result.warnings.push({ id, message: w });
              if (p.plan.kind === 'created') result.created.push(id);
              else if (p.plan.kind === 'updated') result.updated.push({ id, changes: p.plan.changes, events: p.plan.events });
              else result.unchanged.push(id);
            };
            const toWrite = plans.filter((p) => p.plan.kind !== 'unchanged');
            for (const p of plans) if (p.plan.kind === 'unchanged') tally(p);
            if (opts.dryRun || toWrite.length === 0) {
              if (opts.dryRun) for (const p of toWrite) tally(p);
              pending = [];
              break;
            }
            await markDirty(toWrite.map((p) => p.item.task.id));
            const replies = await Promise.all(toWrite.map((p) => write(p.prev?.revision ?? 0, p.plan.task, p.plan.events)));
            const written = toWrite.filter((_, j) => replies[j]![0] === 1);
            for (const p of written) tally(p);
            await syncIndexes(written.map((p) => ({ prev: p.prev, next: p.plan.task })));
            await replan(written.map((p) => p.item.task.id));
            // Changed by someone else meanwhile: plan those again on their fresh version.
            const retry = new Set(toWrite.filter((_, j) => replies[j]![0] !== 1).map((p) => p.item.task.id));
            pending = pending.filter((it) => retry.has(it.task.id));
          }
          if (pending.length) throw new DondocError('TASK_CONFLICT', `tasks ${pending.map((p) => p.task.id).join(', ')} kept changing during the import; run it again`);
        }
        return result;
      }),

    list: (filter = {}) =>
      run(async () => {
        await indexer.repair(DIRTY_AGE_MS);
        const limit = Math.max(1, Math.min(filter.limit ?? 100, 1000));
        let offset = parseCursor(filter.cursor);
        const statuses = filter.status?.length ? new Set(filter.status) : undefined;
        const source = pickSource(keys, filter);
        const max = maxScore(filter, calendar, now());
        const items: TaskWithStatus[] = [];
        for (;;) {
          const ids = await redis.zrangebyscore(source, '-inf', redisScore(max), 'LIMIT', offset, BATCH);
          const tasks = await getMany(ids);
          for (let j = 0; j < ids.length; j++) {
            const task = tasks[j];
            offset++;
            if (!task || !matchesFilter(task, filter)) continue;
            const status = statusOf(task);
            if (statuses && !statuses.has(status.status)) continue;
            if (filter.dueBefore !== undefined && !(status.effectiveDay !== undefined && status.effectiveDay <= filter.dueBefore)) continue;
            items.push({ task, status });
            if (items.length === limit) {
              // More may follow; the caller asks again from here.
              const more = j < ids.length - 1 || ids.length === BATCH;
              return { items, nextCursor: more ? String(offset) : null };
            }
          }
          if (ids.length < BATCH) return { items, nextCursor: null };
        }
      }),

    async *ids(batch = 1000) {
      // Every master of a cluster in turn (scanKeys); a plain SCAN would see one node's share.
      const scan = scanKeys(redis, keys.taskPattern, batch);
      for (;;) {
        const next = await run(() => scan.next());
        if (next.done) return;
        const ids = next.value.map((k) => keys.idOfTaskKey(k)).filter((x): x is string => x !== undefined);
        if (ids.length) yield ids;
      }
    },

    repairIndexes: (opts = {}) => run(() => indexer.repair(opts.olderThanMs ?? DIRTY_AGE_MS)),
    reindexAll: () => run(() => indexer.reindexAll(store.ids())),

    ping: () => run(async () => void (await redis.ping())),
  };

  return store;
}

function stale(id: string, expected: number, actual: number): DondocError {
  return new DondocError('REVISION_MISMATCH', `task ${id} is at revision ${actual}, not ${expected}: someone changed it meanwhile; read it again and retry`);
}
