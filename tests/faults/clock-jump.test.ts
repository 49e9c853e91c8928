// The clock jumps (issue 7, fault suite; STYLE.md: "test a clock that jumps"): a server resumed
// from sleep a day later must catch up with only the latest step of each ladder, once; a clock
// set back an hour must re-send nothing and send nothing early. The engine runs in this process
// on a clock the test moves (tests/support/delivery-harness.ts); BullMQ's timers keep the wall
// clock, as they would on a machine whose clock was corrected under them.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { splitCopyId } from '../../src/core/copies.js';
import { QUEUES, bullPrefix } from '../../src/queue/names.js';
import { DOMAIN, type Harness, at, copyOf, makeHarness, until } from '../support/delivery-harness.js';

const SYT = 'giamdoc.syt@thainguyen.example.gov.vn';
import { faultFiles } from '../support/fault-env.js';
import { assertDeliveryInvariant, dueIds, readDeliveryLog, settled } from '../support/fault-invariants.js';
import { type PrivateRedis, startRedis } from '../support/redis-server.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

let server: PrivateRedis;
let smtp: TestSmtp;
let h: Harness;
const files = faultFiles();
const cfg = files.load();

beforeAll(async () => {
  [server, smtp] = await Promise.all([startRedis(), startSmtp()]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), smtp?.stop()]);
  files.remove();
});
beforeEach(async () => {
  await smtp.setMode('accept');
  smtp.reset();
});
afterEach(async () => {
  await h?.close();
});

const item = (n: number) => ({ number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: String(n) });

/**
 * Wed 06/07/2022 07:25, five minutes before the opening. Each task has a step due at 07:30
 * today, waiting in BullMQ as a delayed job (within the lookahead), when the server sleeps:
 *   A  deadline Wed 06/07: "on the deadline" today; level 1 escalation tomorrow 07:30
 *   B  deadline Fri 08/07: "2 working days before" today; "on the deadline" Friday
 *   C  deadline Thu 07/07, coordinator STC: lead "2 working days before" (05/07, caught up
 *      today), coordinator's the same; "on the deadline" tomorrow
 *   D  deadline Thu 30/06: overdue, level 2 caught up today; level 3 on 14/07
 */
async function tasksBeforeSleep(): Promise<{ ids: Record<'A' | 'B' | 'C' | 'D', string> }> {
  const ids = {
    A: await h.task({ source: item(1), deadline: '2022-07-06' }),
    B: await h.task({ source: item(2), deadline: '2022-07-08' }),
    C: await h.task({ source: item(3), deadline: '2022-07-07', coordinators: ['STC'] }),
    D: await h.task({ source: item(4), deadline: '2022-06-30' }),
  };
  return { ids };
}

/** The copies every mail received so far carried. */
const sentIds = (): string[] => smtp.messages.flatMap((m) => m.items).sort();
/** The notifications of a set of copies. */
const notificationsOf = (copies: Iterable<string>): string[] => [...new Set([...copies].map((c) => splitCopyId(c)!.notificationId))].sort();

async function tasksOf(ids: Record<string, string>) {
  return Promise.all(Object.values(ids).map(async (id) => (await h.store.get(id))!));
}

describe('the clock jumps forward a day (a server resumed from sleep)', () => {
  it('catches up with only the latest step of each ladder, once; the superseded jobs send nothing', async () => {
    h = await makeHarness(server, smtp, { start: at('2022-07-06T07:25'), cfg });
    const { ids } = await tasksBeforeSleep();
    const e = await h.engine();
    await e.tick();
    // Five notifications wait for 07:30 in six bundles (one job each): Sở Y tế's reminders and
    // escalations, the Office's and the leader's escalations, and the coordinating Sở Tài
    // chính's head and văn thư.
    await until(async () => (await e.queueDepth()).delayed === 6, 'six delayed bundle jobs before the sleep');
    const before = await readDeliveryLog(h.redis, h.prefix);
    expect(before).toEqual([]);

    // Asleep through the opening; it wakes on Thu 07/07 at 07:40.
    const woke = at('2022-07-07T07:40');
    h.clock.set(woke);
    const tasks = await tasksOf(ids);
    const due = dueIds(tasks, [{ now: woke, config: cfg }]);
    expect(notificationsOf(due)).toEqual(
      [
        `${ids.A}_once_e1-a1wd_20220706`, // A's "on the deadline" (yesterday) is superseded by level 1
        `${ids.B}_once_r-b2wd_20220708`, // still B's latest: sent late, once
        `${ids.C}_once_r-d_20220707`, // the lead ladder moved on to "on the deadline"
        `${ids.C}_once_c-b2wd-stc_20220707`, // the coordinator's ladder has nothing later
        `${ids.D}_once_e2-a3wd_20220630`,
      ].sort(),
    );
    await e.tick();
    const records = await settled(h.redis, h.prefix, due, 10_000);

    // The jobs of yesterday's superseded steps fire (their wall-clock timers were 5 minutes
    // off): each records why it is skipped, and sends nothing.
    const conn = new Redis(server.url, { maxRetriesPerRequest: null });
    const q = new Queue(QUEUES.notify, { connection: conn, prefix: bullPrefix(h.prefix) });
    try {
      for (const j of await q.getDelayed()) await j.promote();
      await until(async () => (await e.queueDepth()).delayed + (await e.queueDepth()).waiting + (await e.queueDepth()).active === 0, 'the queue drained').catch(async (err) => {
        for (const j of await q.getJobs(['delayed', 'waiting', 'active'])) console.log(j.id, await j.getState(), j.delay, j.attemptsMade);
        console.log(h.logs.filter((l) => String(l.bundle ?? '').includes('20220706')).map((l) => JSON.stringify(l)).join('\n'));
        throw err;
      });
    } finally {
      await q.close();
      conn.disconnect();
    }
    // More passes, a reconcile: nothing more.
    for (const id of Object.values(ids)) await e.touch(id);
    await e.tick();
    await e.reconcileNow();
    await e.tick();
    await new Promise((r) => setTimeout(r, 300));
    const after = await readDeliveryLog(h.redis, h.prefix);
    assertDeliveryInvariant({ received: smtp.messages, records: after, due, domain: DOMAIN });
    expect(records.filter((r) => due.has(r.id)).every((r) => r.attempts === 1)).toBe(true);
    expect(after.filter((r) => r.state === 'skipped').map((r) => [r.id, r.reason])).toEqual(
      expect.arrayContaining([
        // A reminder about a deadline already past is never sent (the escalations take over).
        [copyOf(`${ids.A}_once_r-d_20220706`, SYT), 'superseded: the deadline passed before it could be sent'],
        [copyOf(`${ids.C}_once_r-b2wd_20220707`, SYT), 'superseded: a later step of the same ladder was due'],
      ]),
    );
    expect(sentIds()).toEqual([...due].sort());
    // Nine copies in six mails: Sở Y tế's two lists (reminders; escalations), the Office's list,
    // the leader's and the coordinating body's two single mails.
    expect(smtp.messages).toHaveLength(6);
  });
});

describe('the clock jumps back an hour', () => {
  it('after a wave went out: nothing is sent again, then or when the hour has passed again', async () => {
    const t = at('2022-07-07T07:40');
    h = await makeHarness(server, smtp, { start: t, cfg });
    const { ids } = await tasksBeforeSleep();
    const tasks = await tasksOf(ids);
    const e = await h.engine();
    await e.tick();
    const wave = dueIds(tasks, [{ now: t, config: cfg }]);
    await settled(h.redis, h.prefix, wave, 10_000);
    await until(() => sentIds().length === wave.size, 'every copy of the wave received');

    // NTP steps the clock back an hour: 06:40, before the opening.
    h.clock.set(t - 3_600_000);
    for (const id of Object.values(ids)) await e.touch(id);
    await e.tick();
    await e.reconcileNow();
    await e.tick();
    await new Promise((r) => setTimeout(r, 300));
    expect(sentIds()).toEqual([...wave].sort());
    // The hour passes again (07:45): still nothing new — what went out is in the history.
    h.clock.set(t + 5 * 60_000);
    for (const id of Object.values(ids)) await e.touch(id);
    await e.tick();
    await new Promise((r) => setTimeout(r, 300));
    const due = dueIds(tasks, [
      { now: t, config: cfg },
      { now: t - 3_600_000, config: cfg },
      { now: t + 5 * 60_000, config: cfg },
    ]);
    expect(due).toEqual(wave);
    assertDeliveryInvariant({ received: smtp.messages, records: await readDeliveryLog(h.redis, h.prefix), due, domain: DOMAIN });
  });

  it('with jobs waiting for the opening: nothing goes out early, each goes once when its time comes', async () => {
    const t = at('2022-07-06T07:25');
    h = await makeHarness(server, smtp, { start: t, cfg });
    const { ids } = await tasksBeforeSleep();
    const tasks = await tasksOf(ids);
    const e = await h.engine();
    await e.tick();
    await until(async () => (await e.queueDepth()).delayed === 6, 'six delayed bundle jobs');
    // Back to 06:25; the jobs' wall-clock timers fire at "07:30" all the same (promoted here):
    // each finds its bundle's time an hour away and goes back to waiting.
    h.clock.set(t - 3_600_000);
    const conn = new Redis(server.url, { maxRetriesPerRequest: null });
    const q = new Queue(QUEUES.notify, { connection: conn, prefix: bullPrefix(h.prefix) });
    try {
      for (const j of await q.getDelayed()) await j.promote();
      await until(async () => (await q.getDelayed()).length === 6 && (await q.getWaitingCount()) === 0, 'the six jobs delayed again');
      const delays = (await q.getDelayed()).map((j) => j.delay + j.timestamp - Date.now());
      for (const d of delays) expect(d).toBeGreaterThan(60 * 60_000 - 10_000);
    } finally {
      await q.close();
      conn.disconnect();
    }
    await e.tick();
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages).toHaveLength(0);
    expect(await readDeliveryLog(h.redis, h.prefix)).toEqual([]);

    // 07:31: the opening has come (the scheduler promotes the jobs: BullMQ's timers are an hour off).
    const open = at('2022-07-06T07:31');
    h.clock.set(open);
    for (const id of Object.values(ids)) await e.touch(id);
    await e.tick();
    const due = dueIds(tasks, [
      { now: t - 3_600_000, config: cfg },
      { now: open, config: cfg },
    ]);
    expect(due.size).toBe(8); // five notifications, one copy per recipient
    const records = await settled(h.redis, h.prefix, due, 10_000);
    await e.tick();
    await new Promise((r) => setTimeout(r, 300));
    assertDeliveryInvariant({ received: smtp.messages, records, due, domain: DOMAIN });
  });
});
