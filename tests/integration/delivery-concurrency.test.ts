// Several processes at once (docs/DELIVERY.md, "Several processes"): a worker restarted midway,
// two workers and two schedulers racing on the same tasks, a job enqueued twice, and a send
// whose worker died after claiming — each checked against what the SMTP server received.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recipientKey } from '../../src/core/copies.js';
import type { Mailer } from '../../src/mail/message.js';
import { makeMailer } from '../../src/mail/transport.js';
import { QUEUES, bullPrefix } from '../../src/queue/names.js';
import { DOMAIN, type Harness, at, bundleFor, copyOf, deliveryConfig, makeHarness, until } from '../support/delivery-harness.js';
import { assertDeliveryInvariant, dueIds, readDeliveryLog } from '../support/fault-invariants.js';
import { type PrivateRedis, startRedis } from '../support/redis-server.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

let server: PrivateRedis;
let smtp: TestSmtp;
let h: Harness;
const mailers: Mailer[] = [];

beforeAll(async () => {
  [server, smtp] = await Promise.all([startRedis(), startSmtp()]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), smtp?.stop()]);
});
beforeEach(async () => {
  await smtp.setMode('accept');
  smtp.reset();
});
afterEach(async () => {
  await h?.close();
  await Promise.all(mailers.splice(0).map((m) => m.close()));
});

const START = at('2022-07-01T10:00');
// Reconcile would also send the Office's digest of the day: not what these tests count.
const cfg = deliveryConfig({ digest: false });
const L1 = '_once_e1-a1wd_20220630';
const SYT = 'giamdoc.syt@thainguyen.example.gov.vn';
const VP = 'chanhvanphong.vpubnd@thainguyen.example.gov.vn';

/** A real SMTP mailer whose sends take at least `ms` more (so that workers overlap). */
function slowMailer(ms: number): Mailer {
  const m = makeMailer({ smtpUrl: smtp.url, connectionTimeoutMs: 1000, greetingTimeoutMs: 1000, socketTimeoutMs: 2000, closeTimeoutMs: 500 });
  mailers.push(m);
  return { ...m, send: async (msg) => ((await new Promise((r) => setTimeout(r, ms))), m.send(msg)), close: () => m.close() };
}

/** n overdue tasks (items 1..n of the letter), led by twelve bodies in turn: their level 1 goes to 12 heads and, in one list, to the Office. */
const overdueTasks = (n: number): Promise<string[]> => h.overdue(n);

/** Every due copy received exactly once, each mail once, each to its own person. */
async function expectOnceEach(ids: string[]): Promise<void> {
  const tasks = await Promise.all(ids.map(async (id) => (await h.store.get(id))!));
  const due = dueIds(tasks, [{ now: START, config: cfg }]);
  expect(smtp.messages.flatMap((m) => m.items).sort()).toEqual([...due].sort());
  expect(new Set(smtp.messages.map((m) => m.messageId)).size).toBe(smtp.messages.length);
  assertDeliveryInvariant({ received: smtp.messages, records: await readDeliveryLog(h.redis, h.prefix), due, domain: DOMAIN });
}

describe('several processes', () => {
  it('two workers and two schedulers racing on the same tasks send each notification once', async () => {
    h = await makeHarness(server, smtp, { start: START, cfg });
    const ids = await overdueTasks(40);
    const a = await h.engine({ mailer: slowMailer(10), tuning: { concurrency: 8, batch: 7 } });
    const b = await h.engine({ mailer: slowMailer(10), tuning: { concurrency: 8, batch: 7 } });
    // Besides their own loops, both plan at the same time, again and again.
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    await smtp.waitFor(13, 10_000); // 12 heads' lists and the Office's list of 40
    for (const id of ids.slice(0, 10)) await Promise.all([a.touch(id), b.touch(id)]);
    await Promise.all([a.tick(), b.tick(), a.reconcileNow(), b.reconcileNow()]);
    await until(async () => (await a.queueDepth()).active + (await a.queueDepth()).waiting === 0, 'the queue drained');
    await new Promise((r) => setTimeout(r, 300));
    await expectOnceEach(ids);
    expect(smtp.messages.find((m) => m.envelope.to[0] === VP)?.items).toHaveLength(40);
    // Each copy was claimed once: no worker had to send it a second time.
    for (const r of (await readDeliveryLog(h.redis, h.prefix)).filter((x) => x.state !== 'released')) expect(r.attempts).toBe(1);
  });

  it('a worker restarted midway: the new one finishes the work, nothing is sent twice', async () => {
    h = await makeHarness(server, smtp, { start: START, cfg });
    const ids = await overdueTasks(30);
    const a = await h.engine({ mailer: slowMailer(150), tuning: { concurrency: 2 } });
    await a.tick();
    await smtp.waitFor(3, 5000);
    await a.close(); // graceful: the jobs in flight finish, the rest stay queued
    const sentByA = smtp.messages.length;
    expect(sentByA).toBeLessThan(13);
    const b = await h.engine();
    await b.tick();
    await smtp.waitFor(13, 10_000);
    await b.tick();
    await new Promise((r) => setTimeout(r, 300));
    await expectOnceEach(ids);
  });

  it('a bundle job enqueued twice is sent once', async () => {
    h = await makeHarness(server, smtp, { start: START, cfg });
    const [id] = await overdueTasks(1);
    const e = await h.engine();
    await e.tick();
    await smtp.waitFor(2);
    const cid = copyOf(`${id}${L1}`, SYT);
    await until(async () => (await e.log.get(id!, cid))?.state === 'sent', 'the sent record');
    // The job was removed on completion; someone adds it again by hand, twice.
    const conn = new Redis(server.url, { maxRetriesPerRequest: null });
    const q = new Queue(QUEUES.notify, { connection: conn, prefix: bullPrefix(h.prefix) });
    try {
      const bundle = bundleFor('escalation', '2022-07-01', SYT);
      await q.add('bundle', { bundle }, { jobId: bundle });
      await q.add('bundle', { bundle }, { jobId: bundle });
      await until(async () => (await q.getJobCounts('completed')).completed === 1, 'the duplicate job done');
    } finally {
      await q.close();
      conn.disconnect();
    }
    expect(smtp.messages).toHaveLength(2);
  });

  it('a send whose worker died after claiming goes out again when its lease ends, with the same Message-ID', async () => {
    h = await makeHarness(server, smtp, { start: START, cfg });
    const [id] = await overdueTasks(1);
    const nid = copyOf(`${id}${L1}`, SYT);
    // A worker of another process claimed the head's copy for a list it was sending, then died
    // (no job is left, only its claim, with that list's Message-ID).
    const e = await h.engine({ roles: { scheduler: false, worker: true }, tuning: { leaseMs: 1000 } });
    const listId = `<${bundleFor('escalation', '2022-07-01', SYT)}@${DOMAIN}>`;
    const notification = { id: `${id}${L1}`, taskId: id!, kind: 'escalation', level: 1, to: [SYT], cc: [VP], plannedAt: START };
    // It was the first to reach the notification: its claim released it, owing both copies.
    await e.log.release(
      {
        ...notification,
        copies: [
          { key: recipientKey(SYT), email: SYT, title: 'Giám đốc Sở Y tế', role: 'head', as: 'to' },
          { key: recipientKey(VP), email: VP, title: 'Chánh Văn phòng', role: 'provincial_office', as: 'cc' },
        ],
      },
      h.clock.now(),
    );
    const claim = await e.log.claim(
      { id: nid, taskId: id!, kind: 'escalation', level: 1, notification: `${id}${L1}`, to: [SYT], cc: [], plannedAt: START },
      'dead-host-1:job-x',
      h.clock.now(),
      1000,
      listId,
    );
    expect(claim).toMatchObject({ outcome: 'claimed', record: { messageId: listId } });
    // While the lease runs, reconcile leaves it alone.
    expect((await e.reconcileNow()).expired).toBe(0);
    h.clock.advance(1500);
    expect((await e.reconcileNow()).expired).toBe(1);
    await e.tick();
    await smtp.waitFor(2);
    // Resent under the dead send's Message-ID, not a new one, so the mail system can drop it.
    const m = smtp.messages.find((x) => x.envelope.to[0] === SYT)!;
    expect(m.messageId).toBe(listId);
    expect(m.items).toEqual([nid]);
    const rec = await until(async () => {
      const r = await e.log.get(id!, nid);
      return r?.state === 'sent' ? r : null;
    }, 'the sent record');
    expect(rec).toMatchObject({ attempts: 2, messageId: listId });
    expect(rec.owner).toBeUndefined();
    expect((await e.reconcileNow()).expired).toBe(0);
    expect(smtp.messages).toHaveLength(2);
  });
});
