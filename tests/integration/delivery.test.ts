// The delivery engine end to end (issue 5 acceptance): a real redis-server, the test SMTP server,
// the 2022 Thái Nguyên config, and a clock the test moves. Every assertion about mail is about
// what the SMTP server received.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messageIdFor } from '../../src/mail/message.js';
import { QUEUES, bullPrefix } from '../../src/queue/names.js';
import { DOMAIN, type Harness, at, bundleFor, copyOf, day, deliveryConfig, makeHarness, until } from '../support/delivery-harness.js';
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
// 1510/UBND-TH item 9, deadline Thu 30/06/2022: level 1 falls on Fri 01/07 (1 working day after).
const L1 = '_once_e1-a1wd_20220630';

describe('a task already overdue', () => {
  it('sends level 1 once to each person, each its own mail: the right Message-ID, recipient and Vietnamese subject', async () => {
    h = await makeHarness(server, smtp, { start: at('2022-07-01T10:00') });
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    const got = await smtp.waitFor(2);
    const nid = `${id}${L1}`;
    const byRcpt = new Map(got.map((m) => [m.envelope.to.join(','), m]));
    expect([...byRcpt.keys()].sort()).toEqual([SYT, VP].sort());
    for (const [email, as] of [
      [SYT, 'to'],
      [VP, 'cc'],
    ] as const) {
      const m = byRcpt.get(email)!;
      const cid = copyOf(nid, email);
      expect(m.messageId).toBe(messageIdFor(cid, DOMAIN));
      expect(m.messageId).toBe(`<${cid}@${DOMAIN}>`);
      expect(m.to.map((a) => a.address)).toEqual([email]);
      expect(m.cc).toEqual([]);
      expect(m.items).toEqual([cid]);
      expect(m.subject).toBe('[Quá hạn – cấp 1] Sở Y tế: Chuẩn bị điều kiện tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 đến dưới 12 tuổi – quá hạn 1 ngày làm việc (1510/UBND-TH)');
      // The body still names whom the notification addresses and who else is informed.
      expect(m.text).toMatch(/^Kính gửi: Giám đốc Sở Y tế\n/);
      expect(m.text).toContain('Đồng gửi: Chánh Văn phòng UBND tỉnh');
      const rec = await until(async () => {
        const r = await e.log.get(id, cid);
        return r?.state === 'sent' ? r : null;
      }, 'the sent record');
      expect(rec).toMatchObject({ kind: 'escalation', level: 1, notification: nid, to: [email], cc: [], as, attempts: 1, messageId: m.messageId, mail: cid, response: expect.stringMatching(/^250 /) });
      expect(rec.sentAt).toBeGreaterThanOrEqual(at('2022-07-01T10:00'));
    }
    // The notification's release fixed its two copies.
    expect(await e.log.get(id, nid)).toMatchObject({ state: 'released', copies: [expect.objectContaining({ email: SYT, as: 'to', role: 'head' }), expect.objectContaining({ email: VP, as: 'cc', role: 'provincial_office' })] });

    // More passes of the scheduler and a reconcile send nothing more about it (reconcile does
    // send the Office's digest of the day, which was due at 08:00 and lists the task).
    await e.touch(id);
    await e.tick();
    expect(await e.reconcileNow()).toMatchObject({ missing: 0, expired: 0, digest: true });
    await e.tick();
    await smtp.waitFor(3);
    await new Promise((r) => setTimeout(r, 400));
    expect(smtp.messages.map((x) => x.messageId).sort()).toEqual([`<${copyOf(nid, SYT)}@${DOMAIN}>`, `<${copyOf(nid, VP)}@${DOMAIN}>`, `<${copyOf('digest-20220701', VP)}@${DOMAIN}>`].sort());
    expect(await e.log.handledIds(id)).toEqual(new Set([nid, copyOf(nid, SYT), copyOf(nid, VP)]));
    expect(await e.log.settledIds(id)).toEqual(new Set([nid]));
  });
});

// On the deadline day at 07:25 the "on: deadline" reminder is due at the 07:30 opening: within
// the lookahead, so it waits in BullMQ as a delayed job when the task changes.
const ON_DEADLINE = '_once_r-d_20220705';

// Its one copy (the head: Sở Y tế has no văn thư address in the 2022 directory) waits in the
// head's bundle of the day: one delayed job.
async function withPendingReminder(): Promise<{ id: string; nid: string; e: Awaited<ReturnType<Harness['engine']>> }> {
  h = await makeHarness(server, smtp, { start: at('2022-07-05T07:25') });
  const id = await h.task({ deadline: '2022-07-05' });
  const e = await h.engine();
  await e.tick();
  const nid = copyOf(`${id}${ON_DEADLINE}`, SYT);
  await until(async () => (await e.queueDepth()).delayed === 1, 'the reminder waiting in its bundle');
  return { id, nid, e };
}

describe('the plan changes before a notification goes out', () => {
  it('completing the task cancels what was pending: recorded skipped, nothing received', async () => {
    const { id, nid, e } = await withPendingReminder();
    await h.service.complete(id, {}, 'test');
    const rec = await until(async () => {
      await e.tick();
      const r = await e.log.get(id, nid);
      return r?.state === 'skipped' ? r : null;
    }, 'the skipped record');
    expect(rec.reason).toMatch(/^completed at 2022-07-05T07:2\d/);
    // A closed task leaves the schedule index.
    expect(await e.schedule.scores([id])).toEqual([null]);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.messages).toHaveLength(0);
    expect(smtp.stats.transactions).toBe(0);
  });

  it('cancelling it does the same, with the reason', async () => {
    const { id, nid, e } = await withPendingReminder();
    await h.service.cancel(id, { reason: 'Nhiệm vụ đã được điều chỉnh' }, 'test');
    const rec = await until(async () => {
      await e.tick();
      return (await e.log.get(id, nid))?.state === 'skipped' ? e.log.get(id, nid) : null;
    }, 'the skipped record');
    expect(rec.reason).toMatch(/^cancelled at /);
    expect(smtp.messages).toHaveLength(0);
  });

  it('extending it re-plans: the old notification is skipped, the new deadline gets new ids', async () => {
    const { id, nid, e } = await withPendingReminder();
    await h.service.extend(id, { deadline: { day: day('2022-07-15') }, document: '1600/UBND-TH', approvedBy: 'Chủ tịch UBND tỉnh' }, 'test');
    const rec = await until(async () => {
      await e.tick();
      const r = await e.log.get(id, nid);
      return r?.state === 'skipped' ? r : null;
    }, 'the skipped record');
    expect(rec.reason).toBe('extended: deadline extended to 15/07/2022');
    expect(smtp.messages).toHaveLength(0);
    // Nothing of the new ladder is near: the task waits in the index.
    const [wake] = await e.schedule.scores([id]);
    expect(wake).toBe(at('2022-07-08T07:30') - 10 * 60_000); // 5 working days before 15/07, minus the lookahead

    // Wed 13/07 just after the opening: "2 working days before" is due; the 08/07 one is past (catch-up).
    h.clock.set(at('2022-07-13T07:31'));
    await e.tick();
    await smtp.waitFor(1);
    const m = smtp.messages.find((x) => x.envelope.to[0] === SYT)!;
    const fresh = copyOf(`${id}_once_r-b2wd_20220715`, SYT);
    expect(m.messageId).toBe(`<${fresh}@${DOMAIN}>`);
    expect(m.subject).toBe('Nhắc hạn nhiệm vụ (còn 2 ngày làm việc): Chuẩn bị điều kiện tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 đến dưới 12 tuổi – 1510/UBND-TH');
    expect(m.text).toContain('15/07/2022');
    await until(async () => (await e.log.get(id, fresh))?.state === 'sent', 'the sent record');
    expect(smtp.messages).toHaveLength(1);
  });
});

describe('the plan moves a notification later', () => {
  it('a day off added to the config: the bundle fires, finds its item not due and drops it; nothing is sent; the item waits for its new day', async () => {
    h = await makeHarness(server, smtp, { start: at('2022-07-05T07:25') });
    let current = h.cfg;
    const holiday = deliveryConfig({ calendar: '{ days_off: [{ date: 2022-07-05, name: Nghỉ đột xuất }] }' });
    const id = await h.task({ deadline: '2022-07-05' });
    const e = await h.engine({ config: () => current });
    await e.tick();
    const cid = copyOf(`${id}${ON_DEADLINE}`, SYT);
    const today = bundleFor('reminder', '2022-07-05', SYT);
    const conn = new Redis(server.url, { maxRetriesPerRequest: null });
    const q = new Queue(QUEUES.notify, { connection: conn, prefix: bullPrefix(h.prefix) });
    try {
      const job = await until(() => q.getJob(today), 'the bundle job');
      expect(job.data).toEqual({ bundle: today });
      // Civil Code Art. 148: a deadline on a day off ends on the next working day, so the
      // "on the deadline" reminder moves to Wed 06/07 07:30 (same id: same deadline as written).
      current = holiday;
      h.clock.set(at('2022-07-05T07:30:05'));
      await job.promote(); // its timer fires
      await until(async () => (await q.getJob(today)) === undefined, 'the bundle done');
      // It sent nothing, so it is forgotten: the window is free again.
      expect(await h.redis.keys(`${h.prefix}:bundle:*`)).toEqual([]);
      // Its new time is a day away: it waits in the schedule index, not in a bundle (the bundle
      // asked for a look at the task a second later).
      await until(async () => {
        await e.tick();
        const [wake] = await e.schedule.scores([id]);
        return wake === at('2022-07-06T07:30') - 10 * 60_000; // its time minus the lookahead
      }, 'the task waiting for its new day');
      expect(await e.log.get(id, cid)).toBeNull();
      expect(smtp.stats.transactions).toBe(0);
      // A re-plan after the reload agrees.
      expect(await e.replanAll()).toBe(1);
      await e.tick();
      expect(await e.schedule.scores([id])).toEqual([at('2022-07-06T07:30') - 10 * 60_000]);
      // The next morning it goes in the head's bundle of 06/07.
      h.clock.set(at('2022-07-06T07:25'));
      await e.touch(id);
      await e.tick();
      const next = await until(() => q.getJob(bundleFor('reminder', '2022-07-06', SYT)), 'the bundle of 06/07');
      expect(await next.getState()).toBe('delayed');
    } finally {
      await q.close();
      conn.disconnect();
    }
  });
});

describe('mutes', () => {
  it('a muted notification is recorded, not sent, and goes out when unmuted in time', async () => {
    h = await makeHarness(server, smtp, { start: at('2022-07-01T10:00') });
    const id = await h.task();
    const e = await h.engine();
    await e.mutes.mute('body', 'SYT', 'ops', h.clock.now(), 'Sở đang chuyển hộp thư');
    await e.tick();
    const nid = copyOf(`${id}${L1}`, SYT);
    const rec = await until(async () => {
      const r = await e.log.get(id, nid);
      return r?.state === 'muted' ? r : null;
    }, 'the muted record');
    expect((await e.log.get(id, copyOf(`${id}${L1}`, VP)))?.state).toBe('muted');
    // The lists of the day sent nothing, so they are forgotten: an unmute today can still go today.
    await until(async () => (await h.redis.keys(`${h.prefix}:bundle:*`)).length === 0, 'the empty lists forgotten');
    expect(rec.reason).toBe('muted (body SYT by ops: Sở đang chuyển hộp thư)');
    // While muted the scheduler leaves it alone.
    await e.touch(id);
    await e.tick();
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.messages).toHaveLength(0);
    expect((await e.log.get(id, nid))?.state).toBe('muted');

    expect(await e.mutes.unmute('body', 'SYT')).toBe(true);
    await e.tick();
    await smtp.waitFor(2);
    expect(smtp.messages.map((m) => m.messageId).sort()).toEqual([`<${nid}@${DOMAIN}>`, `<${copyOf(`${id}${L1}`, VP)}@${DOMAIN}>`].sort());
    await until(async () => (await e.log.get(id, nid))?.state === 'sent', 'the sent record');
    expect(await e.mutes.list()).toEqual([]);
  });
});

describe('the daily digest', () => {
  it('goes to the Provincial Office once on a working day, and not at all on a day off', async () => {
    h = await makeHarness(server, smtp, { start: at('2022-07-01T08:05') });
    await h.task();
    // Not scheduled by the engine here: the digest alone.
    const e = await h.engine({ roles: { scheduler: false, worker: true } });
    await e.digestNow();
    const [m] = await smtp.waitFor(1);
    expect(m!.messageId).toBe(`<${copyOf('digest-20220701', VP)}@${DOMAIN}>`);
    expect(m!.to.map((a) => a.address)).toEqual([VP]);
    expect(m!.subject).toBe('Tổng hợp nhiệm vụ ngày 01/07/2022: 1 quá hạn, 0 sắp đến hạn');
    await until(async () => (await e.log.get('_digest', copyOf('digest-20220701', VP)))?.state === 'sent', 'the digest record');
    expect((await e.log.get('_digest', 'digest-20220701'))?.state).toBe('released');
    await e.digestNow();
    await e.digestNow('2022-07-01');
    // Saturday 02/07: no digest, and nothing recorded.
    await e.digestNow('2022-07-02');
    await new Promise((r) => setTimeout(r, 300));
    expect(await e.queueDepth()).toMatchObject({ waiting: 0, active: 0 });
    expect(smtp.messages).toHaveLength(1);
    expect(await e.log.get('_digest', 'digest-20220702')).toBeNull();
  });

  it('records an empty day as skipped and sends nothing', async () => {
    h = await makeHarness(server, smtp, { start: at('2022-05-10T08:05') });
    await h.task(); // due 30/06: neither overdue nor due soon in May
    const e = await h.engine({ roles: { scheduler: false, worker: true } });
    await e.digestNow();
    const rec = await until(async () => e.log.get('_digest', 'digest-20220510'), 'the digest record');
    expect(rec).toMatchObject({ state: 'skipped', reason: 'nothing overdue or due soon' });
    expect(smtp.messages).toHaveLength(0);
    // reconcile does not ask again for a day already decided
    expect((await e.reconcileNow()).digest).toBe(false);
  });
});
