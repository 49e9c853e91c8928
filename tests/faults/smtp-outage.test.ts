// The SMTP server down for longer than the retry budget, then back (issue 7, fault suite):
// every due notification is recorded failed after its tries — none silently dropped — and the
// admin is told of each once the server is back (the failure reports, which the outage made fail
// too, go out at the next reconcile); then `dondoc delivery retry --all-failed` delivers each
// notification exactly once. The engine runs in this process; the retry is the real CLI.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_LOG } from '../../src/queue/names.js';
import { runCliCaptured } from '../support/cli.js';
import { ADMIN, DOMAIN, type Harness, at, makeHarness, until } from '../support/delivery-harness.js';
import { faultFiles } from '../support/fault-env.js';
import { assertDeliveryInvariant, dueIds, readDeliveryLog, settled } from '../support/fault-invariants.js';
import { type PrivateRedis, startRedis } from '../support/redis-server.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

const START = at('2022-07-01T10:00');
const files = faultFiles(); // 4 tries, 100–400 ms apart: the budget is spent in about a second
const cfg = files.load();

let server: PrivateRedis;
let smtp: TestSmtp;
let h: Harness;

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

describe('SMTP down for longer than the retry budget, then back', () => {
  it('failed and reported, then `delivery retry --all-failed` delivers each once', async () => {
    h = await makeHarness(server, smtp, { start: START, cfg });
    // Six heads with one item each and the Office with the six in one list: 12 copies in 7 mails.
    const ids = await h.overdue(6);
    const tasks = await Promise.all(ids.map(async (id) => (await h.store.get(id))!));
    const due = dueIds(tasks, [{ now: h.clock.now(), config: cfg }]);
    expect(due.size).toBe(12);

    await smtp.setMode('down'); // connection refused
    const e = await h.engine();
    await e.tick();
    // Each mail uses up its tries and its items are failed; its one report to the admin, enqueued
    // at once, meets the same dead server and is failed too.
    const failed = await until(async () => {
      const log = await readDeliveryLog(h.redis, h.prefix);
      const reports = log.filter((r) => r.taskId === ADMIN_LOG && r.state === 'failed');
      return log.filter((r) => due.has(r.id) && r.state === 'failed').length === 12 && reports.length === 7 ? log : null;
    }, 'twelve failed copies and seven failed reports', 15_000);
    for (const r of failed.filter((x) => due.has(x.id))) {
      expect(r).toMatchObject({ attempts: 4 });
      expect(r.error).toMatch(/ECONNREFUSED|connect/i);
      expect(r.error).toMatch(/\(gave up after 4 attempts\)$/);
      expect(r.reportedAt).toBeUndefined();
    }
    expect((await e.log.listFailed()).filter((r) => r.taskId !== ADMIN_LOG)).toHaveLength(12);
    // The Office's list failed as one mail: each of its items names the others.
    expect(failed.filter((x) => due.has(x.id) && x.mailItems?.length === 6)).toHaveLength(6);
    expect(smtp.stats.delivered).toBe(0);

    // The server is back. The next reconcile finds failures nobody was told of: each mail's
    // report goes out once, and the promise holds — every due copy failed and reported.
    await smtp.setMode('accept');
    expect((await e.reconcileNow()).unreported).toBe(12);
    await smtp.waitFor(7, 10_000);
    const reported = await settled(h.redis, h.prefix, due, 10_000);
    await e.reconcileNow(); // a second reconcile has nothing left to report
    await new Promise((r) => setTimeout(r, 300));
    assertDeliveryInvariant({ received: smtp.messages, records: reported, due, domain: DOMAIN });
    expect(smtp.messages.every((m) => m.to.map((a) => a.address).join() === ADMIN)).toBe(true);

    // The operator retries them all: each is delivered once; the reports are not sent again.
    const env = { REDIS_URL: server.url, DONDOC_KEY_PREFIX: h.prefix, DONDOC_CONFIG: files.file };
    const retry = await runCliCaptured(['delivery', 'retry', '--all-failed'], { env, now: h.clock.now });
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toMatch(/^12 thư sẽ được gửi lại$/m);
    await smtp.waitFor(14, 10_000);
    const records = await until(async () => {
      const log = await readDeliveryLog(h.redis, h.prefix);
      return log.filter((r) => due.has(r.id) && r.state === 'sent').length === 12 ? log : null;
    }, 'twelve sent records');
    // A second retry finds nothing failed; more passes send nothing.
    const again = await runCliCaptured(['delivery', 'retry', '--all-failed'], { env, now: h.clock.now });
    expect(again.stdout).toMatch(/^0 thư sẽ được gửi lại$/m);
    for (const id of ids) await e.touch(id);
    await e.tick();
    await e.reconcileNow();
    await new Promise((r) => setTimeout(r, 300));
    assertDeliveryInvariant({ received: smtp.messages, records: await readDeliveryLog(h.redis, h.prefix), due, domain: DOMAIN });
    for (const r of records.filter((x) => due.has(x.id))) expect(r).toMatchObject({ state: 'sent', retries: 1, attempts: 1 });
    expect(smtp.messages).toHaveLength(14);
    expect(await e.log.listFailed()).toEqual([]);
  });
});

describe('a server that misbehaves every way in turn, then recovers', () => {
  it('drops mid-DATA, hangs, answers 4xx: each notification delivered once, or failed and reported', async () => {
    h = await makeHarness(server, smtp, { start: START, cfg });
    const ids = await h.overdue(8);
    const tasks = await Promise.all(ids.map(async (id) => (await h.store.get(id))!));
    const due = dueIds(tasks, [{ now: h.clock.now(), config: cfg }]);
    await smtp.setMode('drop-mid-data'); // the connection cut while the body arrives: nothing delivered
    const e = await h.engine();
    await e.tick();
    await until(() => smtp.stats.transactions >= 9, 'the first tries cut mid-DATA'); // 8 heads and the Office's list
    expect(smtp.messages).toHaveLength(0);
    await smtp.setMode('hang'); // MAIL FROM unanswered: the 2 s socket timeout
    await new Promise((r) => setTimeout(r, 2500));
    await smtp.setMode('tempfail'); // 451
    await new Promise((r) => setTimeout(r, 300));
    await smtp.setMode('accept');
    await e.reconcileNow(); // tells the admin of any that used up their tries meanwhile
    const records = await settled(h.redis, h.prefix, due, 15_000);
    await e.reconcileNow();
    await new Promise((r) => setTimeout(r, 300));
    const v = assertDeliveryInvariant({ received: smtp.messages, records, due, domain: DOMAIN });
    expect(v.counts.sent + v.counts.failed).toBe(16);
    console.log(`misbehaving server: ${v.counts.sent} delivered, ${v.counts.failed} failed and reported, ${smtp.stats.transactions} SMTP transactions in all`);
  });
});
