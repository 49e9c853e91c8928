// The task registry against a real, private redis-server: atomic changes with history,
// revisions, idempotent upserts, indexes and read-time status, successors, and repair.
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LoadedConfig, loadConfig } from '../../src/config/load.js';
import { parseIsoDay } from '../../src/core/day.js';
import { type TaskInputJson, taskInputSchema } from '../../src/core/task-codec.js';
import { buildTask, completeTask, extendTask } from '../../src/core/task-ops.js';
import { parseInstant } from '../../src/core/zone.js';
import { DondocError } from '../../src/errors.js';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { makeTaskService } from '../../src/store/task-service.js';
import { type TaskStore, makeTaskStore } from '../../src/store/task-store.js';
import { ROOT } from '../support/cli.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';

const ZONE = 'Asia/Ho_Chi_Minh';
const at = (iso: string): number => parseInstant(iso, ZONE)!;
const day = (iso: string): number => parseIsoDay(iso)!;

let server: PrivateRedis;
let redis: RedisClient;
let cfg: LoadedConfig;
let clock = at('2022-05-10T09:00');
const now = (): number => clock;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectRedis(server.url, { role: 'cli' });
  cfg = loadConfig({ file: path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml') });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

let store: TaskStore;
let prefix: string;
beforeEach(() => {
  clock = at('2022-05-10T09:00');
  prefix = randomPrefix('store');
  store = makeTaskStore({ redis, url: server.url, prefix, calendar: cfg.calendar, now });
});

const item1510 = (over: Partial<TaskInputJson> = {}, c: LoadedConfig = cfg) =>
  buildTask(
    taskInputSchema.parse({
      title: 'Chuẩn bị điều kiện tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 đến dưới 12 tuổi',
      source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', subject: 'V/v tập trung thực hiện một số nhiệm vụ trọng tâm trong quý II năm 2022', item: '9' },
      lead: 'SYT',
      deadline: '2022-06-30',
      ...over,
    }),
    c.calendar,
    c.org,
    { by: 'test', now: clock },
  );

describe('create, get, history', () => {
  it('stores a task with its created event and refuses a second task with the same id', async () => {
    const b = item1510();
    await store.create(b);
    const got = await store.getWithHistory(b.task.id);
    expect(got?.task).toEqual(b.task);
    expect(got?.history.map((e) => e.type)).toEqual(['created']);
    await expect(store.create(item1510())).rejects.toMatchObject({ code: 'TASK_CONFLICT' });
    expect(await store.history(b.task.id)).toHaveLength(1);
  });

  it('keeps a task and its history in one hash slot (hash tag = the id)', () => {
    const tag = (k: string) => /\{([^}]*)\}/.exec(k)?.[1];
    expect(tag(store.keys.task('1510-ubnd-th-20220416-9-syt'))).toBe('1510-ubnd-th-20220416-9-syt');
    expect(tag(store.keys.history('1510-ubnd-th-20220416-9-syt'))).toBe(tag(store.keys.task('1510-ubnd-th-20220416-9-syt')));
  });

  it('answers null for an unknown id and TASK_NOT_FOUND when changing it', async () => {
    expect(await store.get('nope')).toBeNull();
    await expect(store.apply('nope', () => null)).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
  });
});

describe('apply', () => {
  it('bumps the revision and appends one event per change; a refused change writes nothing', async () => {
    const b = item1510();
    await store.create(b);
    const id = b.task.id;
    const r = await store.apply(id, (t) => extendTask(t, cfg.calendar, { by: 'test', now: clock }, { deadline: { day: day('2022-07-15') }, document: 'Công văn số 2000/UBND-TH', approvedBy: 'PCT3' }));
    expect(r.task.revision).toBe(2);
    await expect(
      store.apply(id, (t) => extendTask(t, cfg.calendar, { by: 'test', now: clock }, { deadline: { day: day('2022-07-01') }, document: 'x', approvedBy: 'y' })),
    ).rejects.toMatchObject({ code: 'TASK_CONFLICT' });
    const after = await store.getWithHistory(id);
    expect(after?.task.revision).toBe(2);
    expect(after?.history.map((e) => [e.type, e.revision])).toEqual([
      ['created', 1],
      ['extended', 2],
    ]);
  });

  it('refuses a stale expected revision with REVISION_MISMATCH and writes nothing', async () => {
    const b = item1510();
    await store.create(b);
    await store.apply(b.task.id, (t) => completeTask(t, cfg.calendar, { by: 'a', now: clock }, { completedAt: clock }), { expectedRevision: 1 });
    const err = await store.apply(b.task.id, (t) => completeTask(t, cfg.calendar, { by: 'b', now: clock }, { completedAt: clock }), { expectedRevision: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DondocError);
    expect((err as DondocError).code).toBe('REVISION_MISMATCH');
    expect(await store.history(b.task.id)).toHaveLength(2);
  });

  it('serialises concurrent writers: both changes land, each on its own revision', async () => {
    const b = item1510();
    await store.create(b);
    const ext = (to: string) => (t: Parameters<Parameters<TaskStore['apply']>[1]>[0]) => {
      // Each writer extends from whatever it read; only one can commit per revision.
      const cur = t.extensions.at(-1)?.deadline.day ?? t.deadline!.day;
      return extendTask(t, cfg.calendar, { by: to, now: clock }, { deadline: { day: Math.max(cur + 1, day(to)) }, document: `CV ${to}`, approvedBy: 'PCT3' });
    };
    await Promise.all([store.apply(b.task.id, ext('2022-07-10')), store.apply(b.task.id, ext('2022-07-20'))]);
    const h = await store.history(b.task.id);
    expect(h.map((e) => e.revision)).toEqual([1, 2, 3]);
    expect((await store.get(b.task.id))?.revision).toBe(3);
  });
});

describe('upsertMany', () => {
  it('is idempotent: the same tasks again change nothing (same revisions, no new history)', async () => {
    const items = ['SYT', 'SGDDT', 'UBND-DAITU'].map((lead) => item1510({ lead }));
    const first = await store.upsertMany(items, 'import:test');
    expect(first.created).toHaveLength(3);
    clock = at('2022-05-11T10:00');
    const again = await store.upsertMany(['SYT', 'SGDDT', 'UBND-DAITU'].map((lead) => item1510({ lead })), 'import:test');
    expect(again).toMatchObject({ created: [], updated: [], unchanged: items.map((i) => i.task.id) });
    for (const i of items) {
      const got = await store.getWithHistory(i.task.id);
      expect(got?.task.revision).toBe(1);
      expect(got?.history).toHaveLength(1);
    }
  });

  it('records a moved deadline as one updated event with from/to', async () => {
    await store.upsertMany([item1510()], 'import:test');
    const moved = item1510({ deadline: '2022-07-31' });
    const r = await store.upsertMany([moved], 'import:test');
    expect(r.updated).toHaveLength(1);
    expect(r.updated[0]!.changes).toEqual({ deadline: { from: { day: day('2022-06-30') }, to: { day: day('2022-07-31') } } });
    const h = await store.history(moved.task.id);
    expect(h.map((e) => e.type)).toEqual(['created', 'updated']);
    expect((await store.get(moved.task.id))?.deadline).toEqual({ day: day('2022-07-31') });
  });

  it('adds a completion the file records later, and keeps one the registry already has', async () => {
    await store.upsertMany([item1510()], 'import:test');
    clock = at('2022-06-20T10:00');
    const done = item1510({ events: [{ type: 'completed', on: '2022-06-15' }] });
    const r = await store.upsertMany([done], 'import:test');
    expect(r.updated[0]!.events.map((e) => e.type)).toEqual(['completed']);
    const again = await store.upsertMany([item1510({ events: [{ type: 'completed', on: '2022-06-16' }] })], 'import:test');
    expect(again.unchanged).toHaveLength(1);
    expect(again.warnings[0]!.message).toMatch(/giữ theo sổ theo dõi/);
  });

  it('plans without writing on a dry run', async () => {
    const r = await store.upsertMany([item1510()], 'import:test', { dryRun: true });
    expect(r.created).toHaveLength(1);
    expect(await store.get(item1510().task.id)).toBeNull();
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });
});

describe('list: indexes and status at read time', () => {
  const seed = async () => {
    const items = [
      item1510({ lead: 'SYT', coordinators: ['SGDDT'] }), // due 30/06
      item1510({ lead: 'SGDDT', source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: '8' }, deadline: '2022-12-31' }),
      item1510({ lead: 'BDT', source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: '12' }, deadline: null }),
    ];
    await store.upsertMany(items, 'import:test');
    return items.map((i) => i.task.id);
  };

  it('filters by body (lead or coordinating), by due date (on or before) and by status', async () => {
    const [syt, sgd, bdt] = await seed();
    const ids = async (f: Parameters<TaskStore['list']>[0]) => (await store.list(f)).items.map((i) => i.task.id);
    expect(await ids({ body: 'SGDDT' })).toEqual([syt, sgd]);
    expect(await ids({ dueBefore: day('2022-06-30') })).toEqual([syt]);
    expect(await ids({ dueBefore: day('2022-06-29') })).toEqual([]);
    expect(await ids({ status: ['no_deadline'] })).toEqual([bdt]);
    expect(await ids({ status: ['within_deadline'] })).toEqual([syt, sgd]);
    expect(await ids({})).toEqual([syt, sgd, bdt]);
  });

  it('derives due soon and overdue from the clock, with no write in between', async () => {
    const [syt, sgd] = await seed();
    const ids = async (s: 'due_soon' | 'overdue' | 'within_deadline') => (await store.list({ status: [s] })).items.map((i) => i.task.id);
    clock = at('2022-06-28T09:00');
    expect(await ids('due_soon')).toEqual([syt]);
    clock = at('2022-07-01T08:00');
    expect(await ids('overdue')).toEqual([syt]);
    expect(await ids('within_deadline')).toEqual([sgd]);
    await store.apply(syt!, (t) => completeTask(t, cfg.calendar, { by: 't', now: clock }, { completedAt: clock }));
    expect((await store.list({ status: ['late'] })).items.map((i) => i.task.id)).toEqual([syt]);
    expect(await ids('overdue')).toEqual([]);
  });

  it('pages with a cursor', async () => {
    const all = await seed();
    const p1 = await store.list({ limit: 2 });
    expect(p1.items.map((i) => i.task.id)).toEqual(all.slice(0, 2));
    const p2 = await store.list({ limit: 2, cursor: p1.nextCursor! });
    expect(p2.items.map((i) => i.task.id)).toEqual(all.slice(2));
    expect(p2.nextCursor).toBeNull();
  });

  it('repairs the indexes of a change interrupted after its write (dirty ids), and rebuilds them all', async () => {
    const [syt] = await seed();
    // As if the process died between the task's write and its index update.
    await redis.zrem(store.keys.all, syt!);
    await redis.zrem(store.keys.open, syt!);
    await redis.zadd(store.keys.dirty, Date.now() - 60_000, syt!);
    expect((await store.list({ status: ['within_deadline'] })).items.map((i) => i.task.id)).toContain(syt);
    expect(await redis.zcard(store.keys.dirty)).toBe(0);
    // A stale entry (a body the task no longer involves) is dropped by reindexAll.
    await redis.zadd(store.keys.body('STC'), 1, syt!);
    expect((await store.list({ body: 'STC' })).items).toEqual([]);
    const r = await store.reindexAll();
    expect(r).toEqual({ tasks: 3, removed: 1 });
    expect(await redis.zcard(store.keys.body('STC'))).toBe(0);
  });
});

describe('successors (2025 reorganisation)', () => {
  it('moves open tasks of an ended body to its successor with a transferred event, at creation and on repair', async () => {
    const merge = loadConfig({ file: path.join(ROOT, 'tests/fixtures/store/dondoc-merge.yaml') });
    const mstore = makeTaskStore({ redis, url: server.url, prefix, calendar: merge.calendar, now });
    // Imported in 2022, when the district existed: stays with it.
    clock = at('2022-05-10T09:00');
    const svc = makeTaskService({ store: mstore, calendar: merge.calendar, org: merge.org, now });
    const input = (lead: string, item: string) =>
      taskInputSchema.parse({ title: 'Nhiệm vụ', source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item }, lead, deadline: '2026-12-31' });
    const open = await svc.create(input('UBND-DAITU', '3'), 'test');
    const done = await svc.create(input('UBND-DAITU', '4'), 'test');
    await mstore.apply(done.task.id, (t) => completeTask(t, merge.calendar, { by: 't', now: clock }, { completedAt: clock }));
    expect(open.task.lead).toBe('UBND-DAITU');

    // A task created after the merger names the old body (codes match in any case): it
    // lands with the successor.
    clock = at('2025-08-01T09:00');
    const late = await svc.create(input('skhdt', '5'), 'test');
    expect(late.task.lead).toBe('STC');
    expect(late.task.leader).toBe('PCT1');
    expect(late.events.map((e) => e.type)).toEqual(['created', 'transferred']);

    // The district ended on 30/06/2025: the repair command moves its open task only.
    const moved = await svc.followAllSuccessors('cli');
    expect(moved.map((m) => m.id)).toEqual([open.task.id]);
    const after = await mstore.getWithHistory(open.task.id);
    expect(after?.task.lead).toBe('UBND-XA-DAITU');
    expect(after?.history.at(-1)).toMatchObject({ type: 'transferred', from: 'UBND-DAITU', to: 'UBND-XA-DAITU' });
    expect((await mstore.get(done.task.id))?.lead).toBe('UBND-DAITU');
    expect((await mstore.list({ body: 'UBND-XA-DAITU' })).items.map((i) => i.task.id)).toEqual([open.task.id]);
    expect(await svc.followAllSuccessors('cli')).toEqual([]);
  });
});

describe('Redis down', () => {
  it('fails fast with REDIS_UNAVAILABLE and leaves every task whole after a restart', async () => {
    const own = await startRedis();
    const r = await connectRedis(own.url, { role: 'cli', timeoutMs: 500 });
    const s = makeTaskStore({ redis: r, url: own.url, prefix, calendar: cfg.calendar, now });
    const items = Array.from({ length: 3000 }, (_, i) => item1510({ source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: String(i + 1) } }));
    const watcher = await connectRedis(own.url, { role: 'cli' });
    try {
      const writing = s.upsertMany(items, 'import:test').then(
        () => 'finished',
        (e: unknown) => e,
      );
      // Kill the server once the first batch is in (indexed): the import is cut in the middle.
      while ((await watcher.zcard(s.keys.all)) === 0) await new Promise((res) => setTimeout(res, 1));
      await own.kill('SIGKILL');
      const started = Date.now();
      const err = await s.get(items[0]!.task.id).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'REDIS_UNAVAILABLE' });
      expect((err as Error).message).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(await writing).toMatchObject({ code: 'REDIS_UNAVAILABLE' });
      await own.restart();
      const r2 = await connectRedis(own.url, { role: 'cli' });
      try {
        // Whatever got in is whole: each stored task has exactly its created event.
        const s2 = makeTaskStore({ redis: r2, url: own.url, prefix, calendar: cfg.calendar, now });
        for (const it of items) {
          const got = await s2.getWithHistory(it.task.id);
          if (got) expect(got.history.map((e) => e.revision)).toEqual([got.task.revision]);
          else expect(await r2.exists(s2.keys.history(it.task.id))).toBe(0);
        }
        // Running the import again repairs it.
        const again = await s2.upsertMany(items, 'import:test');
        expect(again.created.length).toBeGreaterThan(0);
        expect(again.unchanged.length).toBeGreaterThan(0);
        expect(again.created.length + again.unchanged.length).toBe(3000);
        let listed = 0;
        for (let cursor: string | null = ''; cursor !== null; ) {
          const page: Awaited<ReturnType<TaskStore['list']>> = await s2.list({ limit: 1000, cursor });
          listed += page.items.length;
          cursor = page.nextCursor;
        }
        expect(listed).toBe(3000);
      } finally {
        r2.disconnect();
      }
    } finally {
      watcher.disconnect();
      r.disconnect();
      await own.stop();
    }
  });
});
