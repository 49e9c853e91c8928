// How the delivery engine meets SMTP failures (issue 5: "never retried forever, never dropped
// silently"): 4xx retried with backoff then delivered; 5xx failed at once and reported to the
// admin exactly once; retries used up → failed and reported; a lost reply resent with the same
// Message-ID; an operator's retry; a bad job payload that does not stop the worker.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QUEUES, bullPrefix } from '../../src/queue/names.js';
import { ADMIN, DOMAIN, type Harness, at, copyOf, deliveryConfig, makeHarness, until } from '../support/delivery-harness.js';
import { type PrivateRedis, startRedis } from '../support/redis-server.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

let server: PrivateRedis;
let smtp: TestSmtp;
let h: Harness;

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
});

const SYT = 'giamdoc.syt@thainguyen.example.gov.vn';
const VP = 'chanhvanphong.vpubnd@thainguyen.example.gov.vn';
const L1 = '_once_e1-a1wd_20220630';
const START = at('2022-07-01T10:00');

// One task, 1510/UBND-TH item 9, overdue: level 1 goes to the head and to the Office, a copy
// each (two mails, two records).
const copies = (id: string) => ({ head: copyOf(`${id}${L1}`, SYT), office: copyOf(`${id}${L1}`, VP) });

describe('transient failures', () => {
  it('an SMTP 4xx is retried with backoff, then each copy delivered once', async () => {
    h = await makeHarness(server, smtp, { start: START });
    await smtp.setMode('tempfail-n:2');
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    const c = copies(id);
    await smtp.waitFor(2);
    const recs = await until(async () => {
      const rs = await Promise.all([e.log.get(id, c.head), e.log.get(id, c.office)]);
      return rs.every((r) => r?.state === 'sent') ? rs.map((r) => r!) : null;
    }, 'the two sent records');
    expect(smtp.messages.map((m) => m.messageId).sort()).toEqual([`<${c.head}@${DOMAIN}>`, `<${c.office}@${DOMAIN}>`].sort());
    // Two refused tries and two deliveries, whichever copy met them.
    expect(recs.reduce((n, r) => n + r.attempts, 0)).toBe(4);
    expect(smtp.stats.transactions).toBe(4);
    expect(await e.log.listFailed()).toEqual([]);
  });

  it('when the retries are used up each copy is failed, listed and reported', async () => {
    h = await makeHarness(server, smtp, { start: START });
    await smtp.setMode('tempfail');
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    const c = copies(id);
    const rec = await until(async () => {
      const r = await e.log.get(id, c.head);
      return r?.state === 'failed' ? r : null;
    }, 'the failed record');
    expect(rec.attempts).toBe(4);
    expect(rec.error).toBe('server refused MAIL: 451 4.3.0 Temporary failure, try again later (gave up after 4 attempts)');
    await until(async () => (await e.log.listFailed()).length === 2, 'both copies on the failed list');
    expect((await e.log.listFailed()).map((r) => r.id).sort()).toEqual([c.head, c.office].sort());
    // The server recovers: the reports (retrying meanwhile) reach the admin, one per failed mail.
    await smtp.setMode('accept');
    const reports = await smtp.waitFor(2);
    expect(reports.map((r) => r.to.map((a) => a.address).join())).toEqual([ADMIN, ADMIN]);
    expect(reports.map((r) => r.messageId).sort()).toEqual([`<failure-${c.head}@${DOMAIN}>`, `<failure-${c.office}@${DOMAIN}>`].sort());
    expect(reports.find((r) => r.messageId === `<failure-${c.head}@${DOMAIN}>`)!.text).toContain(`dondoc delivery retry ${c.head}`);
    await until(async () => (await e.log.get(id, c.head))?.reportedAt !== undefined, 'reportedAt');
  });
});

describe('permanent failures', () => {
  it('a 5xx is recorded failed at once and reported to the admin exactly once per mail', async () => {
    h = await makeHarness(server, smtp, { start: START });
    await smtp.setMode(`reject-rcpt:${SYT},${VP}`);
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    const c = copies(id);
    const reports = await smtp.waitFor(2);
    const report = reports.find((r) => r.messageId === `<failure-${c.head}@${DOMAIN}>`)!;
    expect(report.to.map((a) => a.address)).toEqual([ADMIN]);
    expect(report.subject).toMatch(/^\[dondoc\] Không gửi được thư: \[Quá hạn – cấp 1\] Sở Y tế/);
    expect(report.text).toMatch(/^Lỗi: .*550 5\.1\.1 /m);
    expect(report.text).toContain(`Gửi đến: ${SYT} (Giám đốc Sở Y tế)`);
    const rec = await until(async () => {
      const r = await e.log.get(id, c.head);
      return r?.reportedAt !== undefined ? r : null;
    }, 'the reported record');
    expect(rec).toMatchObject({ state: 'failed', attempts: 1 });
    expect(smtp.stats.transactions).toBe(4); // one try of each copy (no retry), one report each
    expect(await e.log.get('_admin', `failure-${c.head}`)).toMatchObject({ state: 'sent', to: [ADMIN], reportOf: `${id}|${c.head}` });

    // Re-plans, reconciles and a second report request send nothing more.
    await e.touch(id);
    await e.tick();
    await until(async () => (await e.log.get(id, c.office))?.reportedAt !== undefined, 'the second report');
    const again = await e.reconcileNow();
    expect(again.unreported).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.filter((m) => m.messageId === report.messageId)).toHaveLength(1);
    expect(smtp.messages.filter((m) => m.messageId === `<${c.head}@${DOMAIN}>`)).toHaveLength(0);
  });

  it('without an admin address the failure is logged as an error and stays listed', async () => {
    h = await makeHarness(server, smtp, { start: START, cfg: deliveryConfig({ admin: null }) });
    await smtp.setMode(`reject-rcpt:${SYT},${VP}`);
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    const c = copies(id);
    await until(async () => (await e.log.listFailed()).length === 2, 'the failed records');
    const line = await until(() => h.logs.find((l) => l.level === 50 && String(l.msg).includes('admin_email is not set')), 'the error line');
    expect(line).toMatchObject({ taskId: id });
    expect((await e.log.listFailed()).map((r) => r.id).sort()).toEqual([c.head, c.office].sort());
    expect((await e.reconcileNow()).unreported).toBe(2);
    expect(smtp.stats.delivered).toBe(0);
  });

  it('an operator retry sends it again once the cause is fixed; the next failure is a new report', async () => {
    h = await makeHarness(server, smtp, { start: START });
    await smtp.setMode(`reject-rcpt:${SYT}`);
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    const c = copies(id);
    await smtp.waitFor(2); // the Office's copy, the report of the head's
    await until(async () => (await e.log.get(id, c.head))?.reportedAt !== undefined, 'the first report');

    await smtp.setMode('accept');
    expect(await e.log.resetForRetry(id, c.head, h.clock.now())).toBe(true);
    expect(await e.log.resetForRetry(id, c.head, h.clock.now())).toBe(false); // no longer failed
    await e.tick();
    const msgs = await smtp.waitFor(3);
    expect(msgs[2]!.messageId).toBe(`<${c.head}@${DOMAIN}>`);
    expect(msgs[2]!.envelope.to).toEqual([SYT]);
    const rec = await until(async () => {
      const r = await e.log.get(id, c.head);
      return r?.state === 'sent' ? r : null;
    }, 'the sent record');
    expect(rec).toMatchObject({ retries: 1, attempts: 1 });
    expect(rec.reportedAt).toBeUndefined();
    expect(await e.log.listFailed()).toEqual([]);
    // The Office's copy, sent the first time, is not sent again.
    expect(smtp.messages.filter((m) => m.messageId === `<${c.office}@${DOMAIN}>`)).toHaveLength(1);
  });
});

describe('one person refused', () => {
  it('the copy refused for its To: address is failed, listed and reported; the other person’s copy went', async () => {
    h = await makeHarness(server, smtp, { start: START });
    await smtp.setMode(`reject-rcpt:${SYT}`);
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    const c = copies(id);
    const msgs = await smtp.waitFor(2);
    const [sent, report] = [msgs.find((m) => m.messageId === `<${c.office}@${DOMAIN}>`)!, msgs.find((m) => m.messageId === `<failure-${c.head}@${DOMAIN}>`)!];
    expect(sent.envelope.to).toEqual([VP]);
    expect(report.to.map((a) => a.address)).toEqual([ADMIN]);
    const rec = await until(async () => {
      const r = await e.log.get(id, c.head);
      return r?.reportedAt !== undefined ? r : null;
    }, 'the reported record');
    expect(rec).toMatchObject({ state: 'failed', attempts: 1, to: [SYT] });
    expect(rec.error).toMatch(/550/);
    expect((await e.log.listFailed()).map((r) => r.id)).toEqual([c.head]);
    expect((await e.log.get(id, c.office))?.state).toBe('sent');
    // The logs name no address (they stay in the delivery log).
    expect(JSON.stringify(h.logs)).not.toContain('@thainguyen.example.gov.vn');
    expect(smtp.messages).toHaveLength(2);
  });
});

describe('the one duplicate window', () => {
  it('a reply lost after the server accepted: resent with the SAME Message-ID, recorded once', async () => {
    h = await makeHarness(server, smtp, { start: START });
    await smtp.setMode('lose-reply');
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    await smtp.waitFor(2);
    const c = copies(id);
    // The client saw the connection die after DATA: a transient failure, retried after backoff.
    await until(async () => (await e.log.get(id, c.head))?.state === 'retrying', 'the retrying record');
    await smtp.setMode('accept');
    const recs = await until(async () => {
      const rs = await Promise.all([e.log.get(id, c.head), e.log.get(id, c.office)]);
      return rs.every((r) => r?.state === 'sent') ? rs.map((r) => r!) : null;
    }, 'the sent records', 8000);
    await new Promise((r) => setTimeout(r, 300));
    // The client never heard the 250, so it tried again (a retry after backoff): each second
    // delivery carries the same Message-ID as the first, which mail systems use to drop it.
    for (const r of recs) expect(r.attempts).toBe(2);
    expect(smtp.messages.map((m) => m.messageId).sort()).toEqual([`<${c.head}@${DOMAIN}>`, `<${c.head}@${DOMAIN}>`, `<${c.office}@${DOMAIN}>`, `<${c.office}@${DOMAIN}>`].sort());
  });
});

describe('bad jobs', () => {
  it('a bad payload or an unknown job is dropped with a log line; the worker goes on', async () => {
    h = await makeHarness(server, smtp, { start: START });
    const e = await h.engine();
    const conn = new Redis(server.url, { maxRetriesPerRequest: null });
    const q = new Queue(QUEUES.notify, { connection: conn, prefix: bullPrefix(h.prefix) });
    try {
      await q.add('bundle', { bundle: 'not a bundle', extra: true }, { jobId: 'bad-1', removeOnFail: true });
      await q.add('bundle', 'just a string', { jobId: 'bad-2', removeOnFail: true });
      await q.add('mystery', {}, { jobId: 'bad-3', removeOnFail: true });
      await until(() => h.logs.filter((l) => l.msg === 'bad job payload: dropped without retry').length === 2, 'two bad-payload lines');
      await until(() => h.logs.some((l) => l.msg === 'unknown job name: dropped without retry'), 'the unknown-job line');
      const bad = h.logs.find((l) => l.jobId === 'bad-1')!;
      expect(bad.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^bundle: /), expect.stringMatching(/Unrecognized key/)]));
      // The worker still sends.
      const id = await h.task();
      await e.tick();
      await smtp.waitFor(2);
      expect(smtp.messages.map((m) => m.messageId)).toContain(`<${copies(id).head}@${DOMAIN}>`);
    } finally {
      await q.close();
      conn.disconnect();
    }
  });

  it('a send job of an earlier version hands its task to the scheduler, which sends it in bundles', async () => {
    h = await makeHarness(server, smtp, { start: START });
    const id = await h.task();
    const e = await h.engine({ roles: { scheduler: false, worker: true } });
    const conn = new Redis(server.url, { maxRetriesPerRequest: null });
    const q = new Queue(QUEUES.notify, { connection: conn, prefix: bullPrefix(h.prefix) });
    try {
      await e.schedule.remove(id);
      await q.add('send', { taskId: id, id: `${id}${L1}`, kind: 'escalation', level: 1, at: START }, { jobId: `${id}${L1}`, removeOnComplete: true });
      await until(async () => (await e.schedule.scores([id]))[0] !== null, 'the task back in the schedule');
      expect(smtp.messages).toHaveLength(0);
    } finally {
      await q.close();
      conn.disconnect();
    }
  });
});
