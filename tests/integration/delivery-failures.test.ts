// How the delivery engine meets SMTP failures (issue 5: "never retried forever, never dropped
// silently"): 4xx retried with backoff then delivered; 5xx failed at once and reported to the
// admin exactly once; retries used up → failed and reported; a lost reply resent with the same
// Message-ID; an operator's retry; a bad job payload that does not stop the worker.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QUEUES, bullPrefix } from '../../src/queue/names.js';
import { ADMIN, DOMAIN, type Harness, at, deliveryConfig, makeHarness, until } from '../support/delivery-harness.js';
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

describe('transient failures', () => {
  it('an SMTP 4xx is retried with backoff, then delivered once', async () => {
    h = await makeHarness(server, smtp, { start: START });
    await smtp.setMode('tempfail-n:2');
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    const [m] = await smtp.waitFor(1);
    const nid = `${id}${L1}`;
    expect(m!.messageId).toBe(`<${nid}@${DOMAIN}>`);
    const rec = await until(async () => {
      const r = await e.log.get(id, nid);
      return r?.state === 'sent' ? r : null;
    }, 'the sent record');
    expect(rec.attempts).toBe(3);
    expect(smtp.stats.transactions).toBe(3);
    expect(smtp.messages).toHaveLength(1);
    expect(await e.log.listFailed()).toEqual([]);
  });

  it('when the retries are used up it is failed, listed and reported', async () => {
    h = await makeHarness(server, smtp, { start: START });
    await smtp.setMode('tempfail');
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    const nid = `${id}${L1}`;
    const rec = await until(async () => {
      const r = await e.log.get(id, nid);
      return r?.state === 'failed' ? r : null;
    }, 'the failed record');
    expect(rec.attempts).toBe(4);
    expect(rec.error).toBe('server refused MAIL: 451 4.3.0 Temporary failure, try again later (gave up after 4 attempts)');
    expect((await e.log.listFailed()).map((r) => r.id)).toEqual([nid]);
    // The server recovers: the report (retrying meanwhile) reaches the admin.
    await smtp.setMode('accept');
    const [report] = await smtp.waitFor(1);
    expect(report!.to.map((a) => a.address)).toEqual([ADMIN]);
    expect(report!.messageId).toBe(`<failure-${nid}@${DOMAIN}>`);
    expect(report!.text).toContain(`dondoc delivery retry ${nid}`);
    await until(async () => (await e.log.get(id, nid))?.reportedAt !== undefined, 'reportedAt');
  });
});

describe('permanent failures', () => {
  it('a 5xx is recorded failed at once and reported to the admin exactly once', async () => {
    h = await makeHarness(server, smtp, { start: START });
    await smtp.setMode(`reject-rcpt:${SYT},${VP}`);
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    const nid = `${id}${L1}`;
    const [report] = await smtp.waitFor(1);
    expect(report!.to.map((a) => a.address)).toEqual([ADMIN]);
    expect(report!.messageId).toBe(`<failure-${nid}@${DOMAIN}>`);
    expect(report!.subject).toMatch(/^\[dondoc\] Không gửi được thư: \[Quá hạn – cấp 1\] Sở Y tế/);
    expect(report!.text).toMatch(/^Lỗi: all recipients rejected \(.*\): 550 5\.1\.1 /m);
    const rec = await until(async () => {
      const r = await e.log.get(id, nid);
      return r?.reportedAt !== undefined ? r : null;
    }, 'the reported record');
    expect(rec).toMatchObject({ state: 'failed', attempts: 1 });
    expect(smtp.stats.transactions).toBe(2); // one try of the escalation (no retry), one report
    expect(await e.log.get('_admin', `failure-${nid}`)).toMatchObject({ state: 'sent', to: [ADMIN], reportOf: `${id}|${nid}` });

    // Re-plans, reconciles and a second report request send nothing more.
    await e.touch(id);
    await e.tick();
    const again = await e.reconcileNow();
    expect(again.unreported).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.filter((m) => m.messageId === report!.messageId)).toHaveLength(1);
    expect(smtp.messages.filter((m) => m.messageId === `<${nid}@${DOMAIN}>`)).toHaveLength(0);
  });

  it('without an admin address the failure is logged as an error and stays listed', async () => {
    h = await makeHarness(server, smtp, { start: START, cfg: deliveryConfig({ admin: null }) });
    await smtp.setMode(`reject-rcpt:${SYT},${VP}`);
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    const nid = `${id}${L1}`;
    await until(async () => (await e.log.get(id, nid))?.state === 'failed', 'the failed record');
    const line = await until(() => h.logs.find((l) => l.level === 50 && String(l.msg).includes('admin_email is not set')), 'the error line');
    expect(line).toMatchObject({ taskId: id, id: nid });
    expect((await e.log.listFailed()).map((r) => r.id)).toEqual([nid]);
    expect((await e.reconcileNow()).unreported).toBe(1);
    expect(smtp.stats.delivered).toBe(0);
  });

  it('an operator retry sends it again once the cause is fixed; the next failure is a new report', async () => {
    h = await makeHarness(server, smtp, { start: START });
    await smtp.setMode(`reject-rcpt:${SYT},${VP}`);
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    const nid = `${id}${L1}`;
    await smtp.waitFor(1);
    await until(async () => (await e.log.get(id, nid))?.reportedAt !== undefined, 'the first report');

    await smtp.setMode('accept');
    expect(await e.log.resetForRetry(id, nid, h.clock.now())).toBe(true);
    expect(await e.log.resetForRetry(id, nid, h.clock.now())).toBe(false); // no longer failed
    await e.tick();
    const msgs = await smtp.waitFor(2);
    expect(msgs[1]!.messageId).toBe(`<${nid}@${DOMAIN}>`);
    const rec = await until(async () => {
      const r = await e.log.get(id, nid);
      return r?.state === 'sent' ? r : null;
    }, 'the sent record');
    expect(rec).toMatchObject({ retries: 1, attempts: 1 });
    expect(rec.reportedAt).toBeUndefined();
    expect(await e.log.listFailed()).toEqual([]);
  });
});

describe('some recipients refused', () => {
  it('the message went to the others: recorded sent (no resend), the refusal reported to the admin', async () => {
    h = await makeHarness(server, smtp, { start: START });
    await smtp.setMode(`reject-rcpt:${VP}`);
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    const nid = `${id}${L1}`;
    const msgs = await smtp.waitFor(2);
    const [sent, report] = [msgs.find((m) => m.messageId === `<${nid}@${DOMAIN}>`)!, msgs.find((m) => m.messageId === `<failure-${nid}@${DOMAIN}>`)!];
    expect(sent.envelope.to).toEqual([SYT]);
    expect(report.to.map((a) => a.address)).toEqual([ADMIN]);
    expect(report.subject).toMatch(/^\[dondoc\] Một số người nhận từ chối thư: /);
    const rec = await until(async () => {
      const r = await e.log.get(id, nid);
      return r?.reportedAt !== undefined ? r : null;
    }, 'the reported record');
    expect(rec).toMatchObject({ state: 'sent', attempts: 1 });
    expect(rec.error).toMatch(/^delivered to 1, refused for chanhvanphong\.vpubnd@/);
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
    await smtp.waitFor(1);
    const nid = `${id}${L1}`;
    // The client saw the connection die after DATA: a transient failure, retried after backoff.
    await until(async () => (await e.log.get(id, nid))?.state === 'retrying', 'the retrying record');
    await smtp.setMode('accept');
    const rec = await until(async () => {
      const r = await e.log.get(id, nid);
      return r?.state === 'sent' ? r : null;
    }, 'the sent record', 8000);
    await new Promise((r) => setTimeout(r, 300));
    // The client never heard the 250, so it tried again (a retry after backoff): the copy
    // carries the same Message-ID, which mail systems use to drop it.
    expect(rec.attempts).toBe(2);
    expect(smtp.messages.map((m) => m.messageId)).toEqual([`<${nid}@${DOMAIN}>`, `<${nid}@${DOMAIN}>`]);
  });
});

describe('bad jobs', () => {
  it('a bad payload or an unknown job is dropped with a log line; the worker goes on', async () => {
    h = await makeHarness(server, smtp, { start: START });
    const e = await h.engine();
    const conn = new Redis(server.url, { maxRetriesPerRequest: null });
    const q = new Queue(QUEUES.notify, { connection: conn, prefix: bullPrefix(h.prefix) });
    try {
      await q.add('send', { taskId: 'Not A Task', id: '12345', extra: true }, { jobId: 'bad-1', removeOnFail: true });
      await q.add('send', 'just a string', { jobId: 'bad-2', removeOnFail: true });
      await q.add('mystery', {}, { jobId: 'bad-3', removeOnFail: true });
      await until(() => h.logs.filter((l) => l.msg === 'bad job payload: dropped without retry').length === 2, 'two bad-payload lines');
      await until(() => h.logs.some((l) => l.msg === 'unknown job name: dropped without retry'), 'the unknown-job line');
      const bad = h.logs.find((l) => l.jobId === 'bad-1')!;
      expect(bad.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^taskId: /), expect.stringMatching(/^id: /), expect.stringMatching(/^kind: /)]));
      // The worker still sends.
      const id = await h.task();
      await e.tick();
      const [m] = await smtp.waitFor(1);
      expect(m!.messageId).toBe(`<${id}${L1}@${DOMAIN}>`);
    } finally {
      await q.close();
      conn.disconnect();
    }
  });
});
