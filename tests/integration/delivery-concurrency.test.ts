// Several processes at once (docs/DELIVERY.md, "Several processes"): a worker restarted midway,
// two workers and two schedulers racing on the same tasks, a job enqueued twice, and a send
// whose worker died after claiming — each checked against what the SMTP server received.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Mailer } from '../../src/mail/message.js';
import { makeMailer } from '../../src/mail/transport.js';
import { QUEUES, bullPrefix } from '../../src/queue/names.js';
import { DOMAIN, type Harness, at, deliveryConfig, makeHarness, until } from '../support/delivery-harness.js';
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

/** A real SMTP mailer whose sends take at least `ms` more (so that workers overlap). */
function slowMailer(ms: number): Mailer {
  const m = makeMailer({ smtpUrl: smtp.url, connectionTimeoutMs: 1000, greetingTimeoutMs: 1000, socketTimeoutMs: 2000, closeTimeoutMs: 500 });
  mailers.push(m);
  return { ...m, send: async (msg) => ((await new Promise((r) => setTimeout(r, ms))), m.send(msg)), close: () => m.close() };
}

/** n overdue tasks (items 1..n of the letter, each its own id). */
async function overdueTasks(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) ids.push(await h.task({ source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: String(i) } }));
  return ids;
}

function expectOnceEach(ids: string[]): void {
  const got = smtp.messages.map((m) => m.messageId).sort();
  expect(got).toEqual(ids.map((id) => `<${id}${L1}@${DOMAIN}>`).sort());
  expect(smtp.stats.delivered).toBe(ids.length);
}

describe('several processes', () => {
  it('two workers and two schedulers racing on the same tasks send each notification once', async () => {
    h = await makeHarness(server, smtp, { start: START, cfg });
    const ids = await overdueTasks(40);
    const a = await h.engine({ mailer: slowMailer(10), tuning: { concurrency: 8, batch: 7 } });
    const b = await h.engine({ mailer: slowMailer(10), tuning: { concurrency: 8, batch: 7 } });
    // Besides their own loops, both plan at the same time, again and again.
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    await smtp.waitFor(40, 10_000);
    for (const id of ids.slice(0, 10)) await Promise.all([a.touch(id), b.touch(id)]);
    await Promise.all([a.tick(), b.tick(), a.reconcileNow(), b.reconcileNow()]);
    await until(async () => (await a.queueDepth()).active + (await a.queueDepth()).waiting === 0, 'the queue drained');
    await new Promise((r) => setTimeout(r, 300));
    expectOnceEach(ids);
    // Each was claimed once: no worker had to send it a second time.
    for (const id of ids) expect((await a.log.get(id, `${id}${L1}`))?.attempts).toBe(1);
  });

  it('a worker restarted midway: the new one finishes the work, nothing is sent twice', async () => {
    h = await makeHarness(server, smtp, { start: START, cfg });
    const ids = await overdueTasks(30);
    const a = await h.engine({ mailer: slowMailer(40), tuning: { concurrency: 3 } });
    await a.tick();
    await smtp.waitFor(5, 5000);
    await a.close(); // graceful: the jobs in flight finish, the rest stay queued
    const sentByA = smtp.messages.length;
    expect(sentByA).toBeLessThan(30);
    const b = await h.engine();
    await b.tick();
    await smtp.waitFor(30, 10_000);
    await b.tick();
    await new Promise((r) => setTimeout(r, 300));
    expectOnceEach(ids);
  });

  it('a job enqueued twice is sent once', async () => {
    h = await makeHarness(server, smtp, { start: START, cfg });
    const [id] = await overdueTasks(1);
    const e = await h.engine();
    await e.tick();
    await smtp.waitFor(1);
    const nid = `${id}${L1}`;
    await until(async () => (await e.log.get(id!, nid))?.state === 'sent', 'the sent record');
    // The job was removed on completion; someone adds it again by hand, twice.
    const conn = new Redis(server.url, { maxRetriesPerRequest: null });
    const q = new Queue(QUEUES.notify, { connection: conn, prefix: bullPrefix(h.prefix) });
    try {
      const data = { taskId: id, id: nid, kind: 'escalation', level: 1, at: h.clock.now() };
      await q.add('send', data, { jobId: nid });
      await q.add('send', data, { jobId: nid });
      await until(async () => (await q.getJobCounts('completed')).completed === 1, 'the duplicate job done');
    } finally {
      await q.close();
      conn.disconnect();
    }
    expect(smtp.messages).toHaveLength(1);
  });

  it('a send whose worker died after claiming goes out again when its lease ends, with the same Message-ID', async () => {
    h = await makeHarness(server, smtp, { start: START, cfg });
    const [id] = await overdueTasks(1);
    const nid = `${id}${L1}`;
    // A worker of another process claimed it, then died (no job is left, only its claim).
    const e = await h.engine({ roles: { scheduler: false, worker: true }, tuning: { leaseMs: 1000 } });
    const claim = await e.log.claim(
      { id: nid, taskId: id!, kind: 'escalation', level: 1, to: ['giamdoc.syt@thainguyen.example.gov.vn'], cc: [], plannedAt: START },
      'dead-host-1:job-x',
      h.clock.now(),
      1000,
    );
    expect(claim.outcome).toBe('claimed');
    // While the lease runs, reconcile leaves it alone.
    expect((await e.reconcileNow()).expired).toBe(0);
    h.clock.advance(1500);
    expect((await e.reconcileNow()).expired).toBe(1);
    await e.tick();
    const [m] = await smtp.waitFor(1);
    expect(m!.messageId).toBe(`<${nid}@${DOMAIN}>`);
    const rec = await until(async () => {
      const r = await e.log.get(id!, nid);
      return r?.state === 'sent' ? r : null;
    }, 'the sent record');
    expect(rec.attempts).toBe(2);
    expect(rec.owner).toBeUndefined();
    expect((await e.reconcileNow()).expired).toBe(0);
    expect(smtp.messages).toHaveLength(1);
  });
});
