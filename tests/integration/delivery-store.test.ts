// The Redis side of delivery on its own: the schedule index and its leases, the delivery log's
// claim protocol, mutes, and issue 5's budget — an open task costs at most 1 KB of Redis beyond
// its own record (MEMORY USAGE), because its future notifications are not BullMQ jobs.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeDeliveryLog, type RecordBase } from '../../src/store/delivery-log.js';
import { makeMutes } from '../../src/store/mutes.js';
import { makeSchedule, specialMember } from '../../src/store/schedule.js';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { at, deliveryConfig, makeHarness, until } from '../support/delivery-harness.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

let server: PrivateRedis;
let redis: RedisClient;
let prefix: string;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectRedis(server.url, { role: 'service' });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});
beforeEach(() => {
  prefix = randomPrefix('ds');
});

const T0 = 1_656_644_400_000; // 2022-07-01T10:00+07:00

describe('schedule index', () => {
  it('two schedulers never hold the same task: a lease hides it until released or expired', async () => {
    const s = makeSchedule(redis, prefix);
    await s.touch(['a', 'b', 'c'], T0);
    await s.touch(['later'], T0 + 60_000);
    const [x, y] = await Promise.all([s.lease(T0, 30_000, 2), s.lease(T0, 30_000, 2)]);
    const held = [...x, ...y].map((l) => l.id).sort();
    expect(held).toEqual(['a', 'b', 'c']);
    expect(await s.lease(T0 + 1000, 30_000, 10)).toEqual([]);
    // Released with a next wake; a closed task leaves the index.
    const a = [...x, ...y].find((l) => l.id === 'a')!;
    expect(await s.release('a', a.lease, T0 + 3_600_000, T0)).toBe('released');
    expect(await s.scores(['a'])).toEqual([T0 + 3_600_000]);
    const b = [...x, ...y].find((l) => l.id === 'b')!;
    expect(await s.release('b', b.lease, null, T0)).toBe('released');
    expect(await s.scores(['b', 'nope'])).toEqual([null, null]);
    // An expired lease is taken by another scheduler; the first one's release is refused.
    const c = [...x, ...y].find((l) => l.id === 'c')!;
    const again = await s.lease(T0 + 31_000, 30_000, 10);
    expect(again.map((l) => l.id)).toEqual(['c']);
    expect(await s.release('c', c.lease, T0 + 99, T0 + 31_000)).toBe('lost');
    expect(await s.release('c', again[0]!.lease, T0 + 99_000, T0 + 31_000)).toBe('released');
    expect(await s.scores(['c'])).toEqual([T0 + 99_000]);
  });

  it('a change during planning is not lost: the lease ends dirty and the task is due again', async () => {
    const s = makeSchedule(redis, prefix);
    await s.touch(['t'], T0);
    const [l] = await s.lease(T0, 30_000, 10);
    await s.touch(['t'], T0 + 10); // the task changed while it was being planned
    expect(await s.lease(T0 + 20, 30_000, 10)).toEqual([]); // still nobody else's
    expect(await s.release('t', l!.lease, T0 + 86_400_000, T0 + 30)).toBe('dirty');
    expect(await s.scores(['t'])).toEqual([T0 + 30]);
    expect((await s.lease(T0 + 40, 30_000, 10)).map((x) => x.id)).toEqual(['t']);
  });

  it('a touch never postpones a wake already due earlier', async () => {
    const s = makeSchedule(redis, prefix);
    await s.touch(['t'], T0);
    await s.touch(['t'], T0 + 5000);
    expect(await s.scores(['t'])).toEqual([T0]);
    expect(await s.earliest()).toBe(T0);
    expect(specialMember('_digest', 'digest-20220701')).toBe('_digest/digest-20220701');
  });
});

const base = (id: string, over: Partial<RecordBase> = {}): RecordBase => ({
  id,
  taskId: 'task-1',
  kind: 'escalation',
  level: 1,
  to: ['giamdoc.syt@thainguyen.example.gov.vn'],
  cc: [],
  plannedAt: T0,
  ...over,
});

describe('delivery log: the claim protocol', () => {
  it('claimed once; busy for others while the lease runs; done after sent; empty lists stay lists', async () => {
    const log = makeDeliveryLog(redis, prefix);
    const first = await log.claim(base('n1'), 'w1:job-1', T0, 10_000);
    expect(first).toMatchObject({ outcome: 'claimed', record: { state: 'sending', owner: 'w1:job-1', leaseUntil: T0 + 10_000, attempts: 1, cc: [] } });
    expect((await log.claim(base('n1'), 'w2:job-1', T0 + 5000, 10_000)).outcome).toBe('busy');
    // Only the owner records the result.
    expect(await log.markSent({ ...first.record, owner: 'w2:job-1' }, { messageId: '<n1@x>', response: '250 OK', sentAt: T0 + 1 })).toBe(false);
    expect(await log.markSent(first.record, { messageId: '<n1@x>', response: '250 OK', sentAt: T0 + 2 })).toBe(true);
    const sent = await log.get('task-1', 'n1');
    expect(sent).toMatchObject({ state: 'sent', messageId: '<n1@x>', response: '250 OK', sentAt: T0 + 2, attempts: 1, cc: [] });
    expect(sent).not.toHaveProperty('owner');
    expect((await log.claim(base('n1'), 'w3:job-1', T0 + 60_000, 10_000)).outcome).toBe('done');
    expect(await log.markSkipped(base('n1'), 'completed', T0)).toBe(false);
    expect(await log.handledIds('task-1')).toEqual(new Set(['n1']));
  });

  it('an expired lease can be claimed again (attempts counted); the first owner then cannot record', async () => {
    const log = makeDeliveryLog(redis, prefix);
    const a = await log.claim(base('n2'), 'w1:job-2', T0, 1000);
    expect(await log.expiredSends(T0 + 500)).toEqual([]);
    expect(await log.expiredSends(T0 + 1000)).toEqual([{ taskId: 'task-1', id: 'n2' }]);
    const b = await log.claim(base('n2'), 'w2:job-2', T0 + 2000, 1000);
    expect(b).toMatchObject({ outcome: 'claimed', record: { attempts: 2, owner: 'w2:job-2' } });
    expect(await log.markRetrying(a.record, 'late', T0 + 2100)).toBe(false);
    expect(await log.markFailed(b.record, '550 no such user', T0 + 2200)).toBe(true);
    expect((await log.listFailed()).map((r) => [r.id, r.state, r.error])).toEqual([['n2', 'failed', '550 no such user']]);
    expect((await log.list({ failed: true, taskId: 'task-1' })).records).toHaveLength(1);
    expect(await log.markReported('task-1', 'n2', T0 + 3000)).toBe(true);
    expect((await log.get('task-1', 'n2'))?.reportedAt).toBe(T0 + 3000);
  });

  it('skipped and muted records keep the attempts made; a live claim is never overwritten', async () => {
    const log = makeDeliveryLog(redis, prefix);
    const a = await log.claim(base('n3'), 'w1:job-3', T0, 10_000);
    expect(await log.markSkipped(base('n3'), 'completed at …', T0 + 1)).toBe(false);
    expect(await log.markRetrying(a.record, '451 later', T0 + 2)).toBe(true);
    expect(await log.markSkipped(base('n3'), 'completed at …', T0 + 3)).toBe(true);
    expect(await log.get('task-1', 'n3')).toMatchObject({ state: 'skipped', reason: 'completed at …', attempts: 1 });
    expect(await log.markMuted(base('n4'), 'muted (task task-1 by ops)', T0)).toBe(true);
    expect((await log.forTask('task-1')).map((r) => `${r.id}:${r.state}`)).toEqual(['n3:skipped', 'n4:muted']);
    const page = await log.list({ limit: 1 });
    expect(page.records.map((r) => r.id)).toEqual(['n3']);
    expect(page.more).toBeGreaterThan(0);
  });

  it('an operator retry takes a failure off the list and asks the scheduler to look again', async () => {
    const log = makeDeliveryLog(redis, prefix);
    const a = await log.claim(base('n5'), 'w1:job-5', T0, 10_000);
    await log.markFailed(a.record, '550 rejected', T0 + 1);
    expect(await log.resetForRetry('task-1', 'n5', T0 + 100)).toBe(true);
    expect(await log.get('task-1', 'n5')).toMatchObject({ state: 'retrying', retries: 1, attempts: 0 });
    expect(await log.listFailed()).toEqual([]);
    expect(await makeSchedule(redis, prefix).scores(['task-1'])).toEqual([T0 + 100]);
    // The retry count survives the next claim, so a second failure gets a report of its own.
    const b = await log.claim(base('n5'), 'w1:job-6', T0 + 200, 10_000);
    expect(b.record).toMatchObject({ retries: 1, attempts: 1 });
    // A digest retry is a special schedule entry.
    const d = await log.claim(base('digest-20220701', { taskId: '_digest', kind: 'digest', level: 0 }), 'w1:job-7', T0, 10_000);
    await log.markFailed(d.record, '550', T0 + 1);
    await log.resetForRetry('_digest', 'digest-20220701', T0 + 300);
    expect(await makeSchedule(redis, prefix).scores(['_digest/digest-20220701'])).toEqual([T0 + 300]);
  });
});

describe('delivery log: copies, releases and lists', () => {
  const copy = (id: string, over: Partial<RecordBase> = {}): RecordBase => base(`${id}_r0123456789ab`, { notification: id, as: 'to', role: 'head', ...over });
  const head = { key: '0123456789ab', email: 'a@x.vn', title: 'Giám đốc Sở A', role: 'head', as: 'to' as const };
  /** The notifications released, owing the head's copy: a copy is claimable only then. */
  const released = (log: ReturnType<typeof makeDeliveryLog>, ids: readonly string[]) => Promise.all(ids.map((id) => log.release({ ...base(id), copies: [head] }, T0)));

  it('a release fixes the copies once: the first one written stays, and counts as handled', async () => {
    const log = makeDeliveryLog(redis, prefix);
    const copies = [{ key: '0123456789ab', email: 'a@x.vn', title: 'Giám đốc Sở A', role: 'head', as: 'to' as const }];
    const first = await log.release({ ...base('n1'), copies }, T0);
    const second = await log.release({ ...base('n1'), copies: [...copies, { key: 'ffffffffffff', email: 'b@x.vn', title: 'B', role: 'provincial_office', as: 'cc' as const }] }, T0 + 1);
    expect(first).toMatchObject({ state: 'released', copies });
    expect(second).toEqual(first);
    expect(await log.handledIds('task-1')).toEqual(new Set(['n1']));
    // Settled only once its copy is sent.
    expect(await log.settledIds('task-1')).toEqual(new Set());
    const c = await log.claim(copy('n1'), 'w1:job-1', T0, 10_000, '<n1_r0123456789ab@x.vn>');
    await log.markSent(c.record, { messageId: '<n1_r0123456789ab@x.vn>', response: '250 OK', sentAt: T0 + 2 });
    expect(await log.settledIds('task-1')).toEqual(new Set(['n1']));
    // Releases are not deliveries: the operator's list shows the copy only.
    expect((await log.list({ taskId: 'task-1' })).records.map((r) => r.id)).toEqual(['n1_r0123456789ab']);
  });

  it('claims the items of a list in one call; a send whose worker died keeps its Message-ID for the resend', async () => {
    const log = makeDeliveryLog(redis, prefix);
    const items = [copy('a'), copy('b'), copy('c')];
    await released(log, ['a', 'b', 'c']);
    const first = await log.claimMany(items, 'w1:job-1', T0, 1000, '<b-esc-20220701-r0123456789ab@x.vn>');
    expect(first.map((r) => [r.outcome, r.record.messageId])).toEqual(Array(3).fill(['claimed', '<b-esc-20220701-r0123456789ab@x.vn>']));
    // Another worker, while the lease runs: busy.
    expect((await log.claimMany(items, 'w2:job-9', T0 + 10, 1000, '<other@x.vn>')).map((r) => r.outcome)).toEqual(['busy', 'busy', 'busy']);
    // a was sent and recorded; then w1 died. After the lease: a is done, b and c go again under the list's Message-ID.
    expect(await log.recordMany([first[0]!.record], { state: 'sent', messageId: '<b-esc-20220701-r0123456789ab@x.vn>', response: '250', sentAt: T0 + 5, updatedAt: T0 + 5 })).toEqual([true]);
    const again = await log.claimMany(items, 'w2:job-9', T0 + 2000, 1000, '<b-esc-20220701-r0123456789ab-p2@x.vn>');
    expect(again.map((r) => [r.outcome, r.record.messageId, r.record.attempts])).toEqual([
      ['done', '<b-esc-20220701-r0123456789ab@x.vn>', 1],
      ['claimed', '<b-esc-20220701-r0123456789ab@x.vn>', 2],
      ['claimed', '<b-esc-20220701-r0123456789ab@x.vn>', 2],
    ]);
    // The dead owner's late write is refused; the new owner's lands.
    expect(await log.recordMany([first[1]!.record], { state: 'sent', messageId: 'x', response: '250', sentAt: T0, updatedAt: T0 })).toEqual([false]);
    expect(await log.recordMany([again[1]!.record, again[2]!.record], { state: 'failed', error: '550', updatedAt: T0 + 3000, mailItems: ['task-1|b_r0123456789ab', 'task-1|c_r0123456789ab'] })).toEqual([true, true]);
    expect((await log.listFailed()).map((r) => [r.id, r.mailItems?.length])).toEqual(
      expect.arrayContaining([
        ['b_r0123456789ab', 2],
        ['c_r0123456789ab', 2],
      ]),
    );
  });

  it('a claim releases the notification first when asked; a copy its release does not owe is dropped, one it owes is claimed', async () => {
    const log = makeDeliveryLog(redis, prefix);
    const office = { key: 'ffffffffffff', email: 'vp@x.vn', title: 'Chánh Văn phòng', role: 'provincial_office', as: 'cc' as const };
    // No release yet: the head's claim writes it (both copies owed), in the same script.
    const [mine] = await log.claimItems([{ base: copy('n2'), messageId: '<n2_r0123456789ab@x.vn>', release: { ...base('n2'), copies: [head, office] } }], 'w1:job-1', T0, 1000);
    expect(mine).toMatchObject({ outcome: 'claimed', record: { messageId: '<n2_r0123456789ab@x.vn>', attempts: 1 } });
    expect((await log.get('task-1', 'n2'))?.copies?.map((c) => c.key)).toEqual(['0123456789ab', 'ffffffffffff']);
    // A later claim that would release it otherwise changes nothing: the first release stands.
    const [again] = await log.claimItems([{ base: copy('n2', { id: 'n2_rffffffffffff' }), messageId: '<n2_rffffffffffff@x.vn>', release: { ...base('n2'), copies: [office] } }], 'w2:job-2', T0 + 1, 1000);
    expect(again?.outcome).toBe('claimed');
    expect((await log.get('task-1', 'n2'))?.copies).toHaveLength(2);
    // A copy of a notification that was never released, claimed without a release: dropped, nothing written.
    const [orphan] = await log.claimItems([{ base: copy('n3'), messageId: '<n3_r0123456789ab@x.vn>' }], 'w1:job-1', T0, 1000);
    expect(orphan?.outcome).toBe('dropped');
    expect(await log.get('task-1', 'n3_r0123456789ab')).toBeNull();
    // Released without this copy: dropped too.
    await log.release({ ...base('n4'), copies: [office] }, T0);
    const [stranger] = await log.claimItems([{ base: copy('n4'), messageId: '<n4_r0123456789ab@x.vn>' }], 'w1:job-1', T0, 1000);
    expect(stranger?.outcome).toBe('dropped');
  });

  it('pages through failures newest first, ties (a list fails at one instant) included, saying how many are left', async () => {
    const log = makeDeliveryLog(redis, prefix);
    const ids = Array.from({ length: 7 }, (_, i) => `f${i}`);
    await released(log, ids);
    for (const [i, id] of ids.entries()) {
      const c = await log.claim(copy(id), 'w1:job-1', T0, 10_000, '<m@x.vn>');
      // Five failed at the same instant, two later.
      await log.markFailed(c.record, '550', i < 5 ? T0 + 100 : T0 + 200 + i);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    const mores: number[] = [];
    for (let page = 0; page < 5; page++) {
      const p = await log.pageFailed({ limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...p.records.map((r) => r.id.slice(0, 2)));
      mores.push(p.more);
      cursor = p.cursor;
      if (!cursor) break;
    }
    expect(seen.slice(0, 2)).toEqual(['f6', 'f5']);
    expect([...seen].sort()).toEqual(ids);
    expect(mores).toEqual([4, 1, 0]);
  });
});

describe('bundles', () => {
  it('take a copy while open and due by their time; a closed one sends later copies to the next window', async () => {
    const { makeBundles } = await import('../../src/store/bundles.js');
    const b = makeBundles(redis, prefix);
    const c = (w: string, fireAtIfNew: number) => ({ id: `b-esc-${w}-r0123456789ab`, window: 0, fireAtIfNew });
    const candidates = [c('20220701', T0 + 1000), c('20220704', T0 + 86_400_000), c('20220705', T0 + 2 * 86_400_000)];
    expect(await b.add(candidates, 'task-1|x_r0123456789ab', T0, { kind: 'escalation' }, T0)).toEqual({ bundle: candidates[0]!.id, fireAt: T0 + 1000, opened: true });
    expect(await b.add(candidates, 'task-2|y_r0123456789ab', T0 + 500, { kind: 'escalation' }, T0)).toEqual({ bundle: candidates[0]!.id, fireAt: T0 + 1000, opened: false });
    // Due after its send time: the next window.
    expect((await b.add(candidates, 'task-3|z_r0123456789ab', T0 + 2000, { kind: 'escalation' }, T0))?.bundle).toBe(candidates[1]!.id);
    expect(await b.close(candidates[0]!.id, T0, 0)).toEqual({ outcome: 'wait', fireAt: T0 + 1000 });
    const closed = await b.close(candidates[0]!.id, T0 + 1000, 0);
    expect(closed).toMatchObject({ outcome: 'closed', kind: 'escalation' });
    expect(closed.outcome === 'closed' && closed.members.sort()).toEqual(['task-1|x_r0123456789ab', 'task-2|y_r0123456789ab']);
    // Closed: a copy now goes to the next window, even one due in time.
    expect((await b.add(candidates, 'task-4|w_r0123456789ab', T0, { kind: 'escalation' }, T0 + 1000))?.bundle).toBe(candidates[1]!.id);
    await b.finish(candidates[0]!.id, true);
    expect(await b.close(candidates[0]!.id, T0 + 2000, 0)).toEqual({ outcome: 'done' });
    // A bundle that sent nothing is forgotten: its window is free again.
    await b.finish(candidates[1]!.id, false);
    expect(await b.add(candidates.slice(1).concat(candidates[2]!), 'task-5|v_r0123456789ab', T0 + 90_000_000, { kind: 'escalation' }, T0 + 90_000_000)).toMatchObject({ bundle: candidates[1]!.id, opened: true });
    // With bundling off a copy is a bundle of its own: one candidate.
    expect(await b.add([{ id: 'b-x_r0123456789ab', window: 0, fireAtIfNew: T0 }], 'task-6|x_r0123456789ab', T0, { kind: 'escalation' }, T0)).toMatchObject({ bundle: 'b-x_r0123456789ab', opened: true });
  });
});

describe('mutes', () => {
  it('a task or a body; unmuting re-plans the tasks concerned', async () => {
    const mutes = makeMutes(redis, prefix, () => T0 + 7);
    await mutes.mute('body', 'SYT', 'ops', T0, ' Sở đang chuyển hộp thư ');
    await mutes.mute('task', 'task-2', 'ops', T0 + 1);
    const task = { id: 'task-1', lead: 'STC', coordinators: ['SYT'] } as Parameters<typeof mutes.mutedBy>[0];
    expect(await mutes.mutedBy(task)).toEqual({ kind: 'body', key: 'SYT', by: 'ops', at: T0, reason: 'Sở đang chuyển hộp thư' });
    expect(await mutes.mutedFor('task-1', 'STC')).toBeNull();
    expect(await mutes.mutedFor('task-2', 'STC')).toMatchObject({ kind: 'task', key: 'task-2' });
    expect((await mutes.list()).map((m) => `${m.kind}:${m.key}`)).toEqual(['body:SYT', 'task:task-2']);
    await redis.zadd(`${prefix}:idx:body:SYT`, 1, 'task-1', 1, 'task-3');
    expect(await mutes.unmute('body', 'SYT')).toBe(true);
    expect(await mutes.unmute('body', 'SYT')).toBe(false);
    expect(await makeSchedule(redis, prefix).scores(['task-1', 'task-3'])).toEqual([T0 + 7, T0 + 7]);
  });
});

describe("an open task's scheduling state", () => {
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.stop();
  });

  it('is one schedule entry, well under 1 KB: no job, no record until something is due', async () => {
    const h = await makeHarness(server, smtp, { start: at('2022-05-10T09:00'), cfg: deliveryConfig({ digest: false }) });
    try {
      const n = 300;
      for (let i = 1; i <= n; i++) {
        await h.task({ deadline: '2022-12-31', coordinators: ['STC'], source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: String(i) } });
      }
      const e = await h.engine({ roles: { scheduler: true, worker: false } });
      await until(async () => ((await e.schedule.earliest()) ?? 0) > h.clock.now(), 'every task planned');
      const keys = await redis.keys(`${h.prefix}:*`);
      // Beyond the task's own record (task, history, indexes): the schedule index, and BullMQ's meta.
      const other = keys.filter((k) => !k.includes(':task:{') && !k.includes(':idx:') && !k.includes(':bull:'));
      expect(other).toEqual([e.schedule.key]);
      expect(keys.filter((k) => k.includes(':delivery:'))).toEqual([]);
      expect(await e.queueDepth()).toEqual({ waiting: 0, delayed: 0, active: 0, failed: 0 });
      const bytes = Number(await redis.memory('USAGE', e.schedule.key, 'SAMPLES', 0));
      expect(await e.schedule.size()).toBe(n);
      // The budget is 1 KB; an index entry is about a hundred bytes.
      expect(bytes / n).toBeLessThan(1024);
      expect(bytes / n).toBeLessThan(200);
      // BullMQ holds only its queues' meta keys: nothing per task.
      expect(keys.filter((k) => k.includes(':bull:')).sort()).toEqual([`${h.prefix}:bull:maintenance:meta`, `${h.prefix}:bull:notify:meta`]);
    } finally {
      await h.close();
    }
  });
});
