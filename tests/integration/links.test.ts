// Replies from the email itself (issue 6 acceptance), end to end with a real redis-server, the
// test SMTP server and the engine on a controlled clock: the links are taken from the mails the
// SMTP server received, opened and submitted as a person would (app.inject), and every outcome
// is checked in the task's history and in the mail that follows.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recipientHash } from '../../src/core/links.js';
import { buildReport } from '../../src/core/report.js';
import { taskStatus } from '../../src/core/status.js';
import { DOMAIN, at, copyOf, day, until } from '../support/delivery-harness.js';
import { type PrivateRedis, startRedis } from '../support/redis-server.js';
import {
  type LinkRig,
  BASE,
  PCT3,
  SGDDT,
  SYT,
  VP,
  fillIn,
  linksOf,
  makeLinkRig,
  openForm,
  stateOf,
  waitForMail,
} from '../support/reply-links.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

let server: PrivateRedis;
let smtp: TestSmtp;
let rig: LinkRig | undefined;

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
  await rig?.close();
  rig = undefined;
});

// 1510/UBND-TH item 9, Sở Y tế, deadline Thu 30/06/2022; leader in charge PCT3.
const L1 = '_once_e1-a1wd_20220630';
const quiet = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/** Ticks the scheduler at `iso` and lets workers run; returns the messages received meanwhile. */
async function tickAt(r: LinkRig, id: string, iso: string): Promise<number> {
  r.h.clock.set(at(iso));
  await r.e.touch(id);
  await r.e.tick();
  await quiet();
  return smtp.messages.length;
}

describe('Báo cáo hoàn thành', () => {
  it('pauses the ladder; the Office confirms through its own link; no mail after that', async () => {
    rig = await makeLinkRig(server, smtp, at('2022-07-01T10:00'));
    const id = await rig.h.task();
    await rig.e.tick();
    const l1 = await waitForMail(smtp, (m) => m.envelope.to[0] === SYT, "the head's level 1");
    expect(l1.messageId).toBe(`<${copyOf(`${id}${L1}`, SYT)}@${DOMAIN}>`);
    // The "Phản hồi" block, for the head, in both parts; no non-cooperation link (no coordinators).
    expect(l1.text).toContain('Phản hồi (dành cho Giám đốc Sở Y tế):');
    expect(l1.html).toContain(`href="${BASE}/r/`);
    const head = linksOf(l1);
    expect(Object.keys(head).sort()).toEqual(['complete', 'extend']);
    // The Office's copy of the same escalation carries no link at all.
    const officeCopy = await waitForMail(smtp, (m) => m.envelope.to[0] === VP, "the Office's level 1");
    expect(officeCopy.text).not.toContain('/r/');
    expect(officeCopy.text).toContain('Kính gửi: Giám đốc Sở Y tế');

    const before = await stateOf(rig, id);
    const form = await openForm(rig.app, head.complete!);
    expect(form.status).toBe(200);
    expect(form.body).toContain('Báo cáo hoàn thành nhiệm vụ');
    expect(form.body).toContain('Chuẩn bị điều kiện tiêm vắc-xin');
    expect(await stateOf(rig, id)).toEqual(before);

    const done = await fillIn(rig.app, head.complete!, { completed_on: '2022-06-29', document: '45/BC-SYT', note: 'Đã hoàn thành công tác chuẩn bị' });
    expect(done.status, done.body).toBe(200);
    expect(done.body).toContain('Đã gửi báo cáo hoàn thành');
    const { task, history } = (await rig.h.store.getWithHistory(id))!;
    const reported = history.at(-1)!;
    expect(reported).toMatchObject({
      type: 'completion_reported',
      by: `link:head:${recipientHash(SYT)}`,
      occurrence: 'once',
      completedAt: at('2022-06-29T16:59'),
      document: '45/BC-SYT',
      note: 'Đã hoàn thành công tác chuẩn bị',
      linkId: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
    });
    // Still open (not confirmed): overdue until the Office decides.
    expect(taskStatus(task, rigCalendar(), rig.h.clock.now()).status).toBe('overdue');

    // The Office is told at once, with its own links; the head has a copy of its own, without them.
    const nid = `${id}_once_n-completion-report-${reported.at.toString(36)}`;
    const notice = await waitForMail(smtp, (m) => m.messageId === `<${copyOf(nid, VP)}@${DOMAIN}>`, 'the completion report to the Office');
    expect(notice.envelope.to).toEqual([VP]);
    expect(notice.cc).toEqual([]);
    const headsCopy = await waitForMail(smtp, (m) => m.messageId === `<${copyOf(nid, SYT)}@${DOMAIN}>`, "the head's copy of its report");
    expect(headsCopy.envelope.to).toEqual([SYT]);
    expect(headsCopy.text).not.toContain('/r/');
    expect(headsCopy.text).not.toContain('Phản hồi');
    expect(notice.subject).toBe('[Chờ xác nhận] Sở Y tế báo cáo hoàn thành: Chuẩn bị điều kiện tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 đến dưới 12 tuổi – 1510/UBND-TH');
    expect(notice.text).toContain('ngày 29/06/2022, theo văn bản số 45/BC-SYT');
    expect(notice.text).toContain('Phản hồi (dành cho Chánh Văn phòng UBND tỉnh):');
    const office = linksOf(notice);
    expect(Object.keys(office).sort()).toEqual(['confirm-completion', 'reject-completion']);

    // Level 2 (Tue 05/07) and level 3 fall while the report waits: paused, nothing goes out.
    const sent = smtp.messages.length;
    expect(await tickAt(rig, id, '2022-07-05T10:00'), smtp.messages.map((m) => `${m.envelope.to} ${m.subject}`).join('\n')).toBe(sent);
    expect(await tickAt(rig, id, '2022-07-15T10:00')).toBe(sent);

    const confirmed = await fillIn(rig.app, office['confirm-completion']!, {});
    expect(confirmed.status, confirmed.body).toBe(200);
    expect(confirmed.body).toContain('Nhiệm vụ được ghi nhận hoàn thành ngày 29/06/2022 (đúng hạn)');
    const after = (await rig.h.store.getWithHistory(id))!;
    expect(after.history.slice(-2).map((e) => [e.type, e.by])).toEqual([
      ['completion_confirmed', `link:office:${recipientHash(VP)}`],
      ['completed', `link:office:${recipientHash(VP)}`],
    ]);
    expect(after.task.occurrences.once?.completedAt).toBe(at('2022-06-29T16:59'));
    expect(after.task.occurrences.once?.completionReport).toBeUndefined();
    // On time by the reported date, though confirmed on 15/07.
    expect(taskStatus(after.task, rigCalendar(), rig.h.clock.now()).status).toBe('on_time');

    const decision = await waitForMail(smtp, (m) => m.subject?.startsWith('Xác nhận hoàn thành') === true, 'the decision to the head');
    expect(decision.to.map((a) => a.address)).toEqual([SYT]);
    expect(decision.text).toContain('đã hoàn thành ngày 29/06/2022 (hoàn thành đúng hạn)');
    await waitForMail(smtp, (m) => m.subject?.startsWith('Xác nhận hoàn thành') === true && m.envelope.to[0] === VP, "the Office's copy of the decision");

    // Closed: the ladder is over for good.
    const total = smtp.messages.length;
    expect(await tickAt(rig, id, '2022-08-01T10:00')).toBe(total);
    expect(await rig.e.schedule.scores([id])).toEqual([null]);
  });

  it('a rejection by the Office resumes the ladder: the step that fell due meanwhile goes out', async () => {
    rig = await makeLinkRig(server, smtp, at('2022-07-01T10:00'));
    const id = await rig.h.task();
    await rig.e.tick();
    const l1 = await waitForMail(smtp, (m) => m.envelope.to[0] === SYT, "the head's level 1");
    expect((await fillIn(rig.app, linksOf(l1).complete!, { completed_on: '2022-07-01' })).status).toBe(200);
    const notice = await waitForMail(smtp, (m) => m.envelope.to[0] === VP && m.subject?.startsWith('[Chờ xác nhận]') === true, 'the completion report');
    await waitForMail(smtp, (m) => m.envelope.to[0] === SYT && m.subject?.startsWith('[Chờ xác nhận]') === true, "the head's copy");
    const sent = smtp.messages.length;
    expect(await tickAt(rig, id, '2022-07-05T10:00')).toBe(sent); // level 2 is due, but paused

    const r = await fillIn(rig.app, linksOf(notice)['reject-completion']!, { reason: 'Chưa có văn bản báo cáo kết quả' });
    expect(r.status, r.body).toBe(200);
    const { task, history } = (await rig.h.store.getWithHistory(id))!;
    expect(history.at(-1)).toMatchObject({ type: 'completion_rejected', reason: 'Chưa có văn bản báo cáo kết quả', by: `link:office:${recipientHash(VP)}` });
    expect(task.occurrences.once?.completedAt).toBeUndefined();
    const back = await waitForMail(smtp, (m) => m.subject?.startsWith('Không xác nhận hoàn thành') === true, 'the rejection to the head');
    expect(back.to.map((a) => a.address)).toEqual([SYT]);
    expect(back.text).toContain('Lý do: Chưa có văn bản báo cáo kết quả');

    await rig.e.tick();
    const l2 = await waitForMail(smtp, (m) => m.messageId === `<${copyOf(`${id}_once_e2-a3wd_20220630`, SYT)}@${DOMAIN}>`, 'level 2 after the rejection');
    expect(l2.text).toContain('Đồng gửi: Chánh Văn phòng UBND tỉnh; Phó Chủ tịch UBND tỉnh');
    await waitForMail(smtp, (m) => m.messageId === `<${copyOf(`${id}_once_e2-a3wd_20220630`, PCT3)}@${DOMAIN}>`, "the leader's copy of level 2");
  });
});

describe('Đề nghị gia hạn / báo cáo khó khăn', () => {
  it('reaches the leader at once (cc the Office); the leader approves: the task is extended and re-planned under new ids', async () => {
    rig = await makeLinkRig(server, smtp, at('2022-06-28T09:00'));
    const id = await rig.h.task();
    await rig.e.tick();
    const [reminder] = await smtp.waitFor(1);
    expect(reminder!.messageId).toBe(`<${copyOf(`${id}_once_r-b2wd_20220630`, SYT)}@${DOMAIN}>`);
    const head = linksOf(reminder!);

    const asked = await fillIn(rig.app, head.extend!, { reason: 'Chưa nhận đủ vắc-xin từ Bộ Y tế', deadline: '2022-07-15' });
    expect(asked.status, asked.body).toBe(200);
    expect(asked.body).toContain('Đã gửi đề nghị gia hạn');
    const req = (await rig.h.store.getWithHistory(id))!.history.at(-1)!;
    expect(req).toMatchObject({ type: 'extension_requested', proposedDeadline: { day: day('2022-07-15') }, late: false, by: `link:head:${recipientHash(SYT)}` });
    const rid = (req as { requestId: string }).requestId;

    const toLeader = await waitForMail(smtp, (m) => m.to.some((a) => a.address === PCT3), 'the request to the leader');
    expect(toLeader.cc).toEqual([]);
    expect(toLeader.text).toContain('Đồng gửi: Chánh Văn phòng UBND tỉnh; Giám đốc Sở Y tế');
    // The requester's own copy and the Office's carry no decision link.
    for (const who of [VP, SYT]) {
      const copy = await waitForMail(smtp, (m) => m.envelope.to[0] === who && m.subject?.startsWith('[Đề nghị gia hạn]') === true, `the copy of the request to ${who}`);
      expect(Object.keys(linksOf(copy))).toEqual([]);
    }
    expect(toLeader.subject).toBe('[Đề nghị gia hạn] Sở Y tế: Chuẩn bị điều kiện tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 đến dưới 12 tuổi – 1510/UBND-TH');
    expect(toLeader.text).toContain('đề nghị gia hạn đến ngày 15/07/2022');
    expect(toLeader.text).toContain('Khó khăn, vướng mắc: Chưa nhận đủ vắc-xin từ Bộ Y tế');
    const leader = linksOf(toLeader);
    expect(Object.keys(leader).sort()).toEqual(['approve-extension', 'reject-extension']);

    const ok = await fillIn(rig.app, leader['approve-extension']!, { deadline: '2022-07-15', document: '1600/UBND-TH' });
    expect(ok.status, ok.body).toBe(200);
    const after = (await rig.h.store.getWithHistory(id))!;
    expect(after.history.slice(-2)).toMatchObject([
      { type: 'extension_approved', requestId: rid, document: '1600/UBND-TH', by: `link:leader:${recipientHash(PCT3)}` },
      { type: 'extended', deadline: { day: day('2022-07-15') }, document: '1600/UBND-TH', approvedBy: 'Phó Chủ tịch UBND tỉnh' },
    ]);
    expect(after.task.occurrences.once?.extensionRequests).toBeUndefined();

    const decision = await waitForMail(smtp, (m) => m.subject?.startsWith('Đồng ý gia hạn đến 15/07/2022') === true && m.envelope.to[0] === SYT, 'the approval to the head');
    expect(decision.cc).toEqual([]);
    expect(decision.text).toContain('Đồng gửi: Chánh Văn phòng UBND tỉnh; Phó Chủ tịch UBND tỉnh');

    // The head's old links were for the old deadline: retired.
    const stale = await openForm(rig.app, head.complete!);
    expect(stale.status).toBe(410);
    expect(stale.body).toContain('Thời hạn của nhiệm vụ đã thay đổi (hiện là 15/07/2022)');

    // The new ladder, new ids: on Wed 13/07 the "2 working days before" reminder for 15/07.
    await tickAt(rig, id, '2022-07-13T07:31');
    const fresh = await waitForMail(smtp, (m) => m.messageId === `<${copyOf(`${id}_once_r-b2wd_20220715`, SYT)}@${DOMAIN}>`, 'the reminder of the new deadline');
    expect(linksOf(fresh).complete).toBeDefined();
    expect((await openForm(rig.app, linksOf(fresh).complete!)).status).toBe(200);
  });

  it('a rejection is sent back to the head; a request after the deadline is accepted but marked late', async () => {
    rig = await makeLinkRig(server, smtp, at('2022-07-01T10:00'));
    const id = await rig.h.task();
    await rig.e.tick();
    const l1 = await waitForMail(smtp, (m) => m.envelope.to[0] === SYT, "the head's level 1");
    const form = await openForm(rig.app, linksOf(l1).extend!);
    expect(form.body).toContain('Thời hạn đã qua. Đề nghị vẫn được tiếp nhận nhưng được ghi nhận là gửi sau thời hạn');
    expect((await fillIn(rig.app, linksOf(l1).extend!, { reason: 'Thiếu nhân lực', deadline: '2022-07-20' })).status).toBe(200);
    expect((await rig.h.store.history(id)).at(-1)).toMatchObject({ type: 'extension_requested', late: true });
    const toLeader = await waitForMail(smtp, (m) => m.to.some((a) => a.address === PCT3), 'the request');
    expect(toLeader.subject).toMatch(/^\[Đề nghị gia hạn – sau thời hạn\] /);

    const no = await fillIn(rig.app, linksOf(toLeader)['reject-extension']!, { reason: 'Đề nghị tập trung hoàn thành ngay' });
    expect(no.status, no.body).toBe(200);
    const { task, history } = (await rig.h.store.getWithHistory(id))!;
    expect(history.at(-1)).toMatchObject({ type: 'extension_rejected', reason: 'Đề nghị tập trung hoàn thành ngay' });
    expect(task.extensions).toEqual([]);
    const back = await waitForMail(smtp, (m) => m.subject?.startsWith('Không đồng ý gia hạn') === true && m.envelope.to[0] === SYT, 'the rejection to the head');
    expect(back.to.map((a) => a.address)).toEqual([SYT]);
    expect(back.text).toContain('Lý do: Đề nghị tập trung hoàn thành ngay');
    // The head's links still work (same deadline), and the approve link of the decided request does not.
    expect((await openForm(rig.app, linksOf(l1).complete!)).status).toBe(200);
    const decided = await openForm(rig.app, linksOf(toLeader)['approve-extension']!);
    expect(decided.status).toBe(409);
    expect(decided.body).toContain('Đề nghị gia hạn này đã được xử lý hoặc không còn.');
  });
});

describe('Báo cáo đơn vị phối hợp chưa phối hợp', () => {
  it('reaches the leader and the Office, and is counted for the body named', async () => {
    rig = await makeLinkRig(server, smtp, at('2022-06-28T09:00'));
    const id = await rig.h.task({ coordinators: ['SGDDT'] });
    await rig.e.tick();
    await smtp.waitFor(2);
    const reminder = smtp.messages.find((m) => m.to.some((a) => a.address === SYT))!;
    const coordinatorMail = smtp.messages.find((m) => m.to.some((a) => a.address === SGDDT))!;
    // The coordinating body's reminder carries no reply links: they are the lead body's.
    expect(coordinatorMail.text).not.toContain('Phản hồi');
    const head = linksOf(reminder);
    expect(Object.keys(head).sort()).toEqual(['complete', 'extend', 'noncoop']);

    const form = await openForm(rig.app, head.noncoop!);
    expect(form.body).toContain('Sở Giáo dục và Đào tạo');
    const r = await fillIn(rig.app, head.noncoop!, { coordinator: 'SGDDT', reason: 'Chưa cung cấp danh sách trẻ em theo Công văn số 50/SYT-NVY' });
    expect(r.status, r.body).toBe(200);
    const { task, history } = (await rig.h.store.getWithHistory(id))!;
    expect(history.at(-1)).toMatchObject({ type: 'noncooperation_reported', coordinator: 'SGDDT', reason: 'Chưa cung cấp danh sách trẻ em theo Công văn số 50/SYT-NVY', occurrence: 'once' });

    const m = await waitForMail(smtp, (x) => x.to.some((a) => a.address === PCT3), 'the report to the leader');
    expect(m.cc).toEqual([]);
    expect(m.text).toContain('Đồng gửi: Chánh Văn phòng UBND tỉnh');
    expect(m.subject).toBe('[Phối hợp] Sở Y tế báo cáo Sở Giáo dục và Đào tạo chưa phối hợp: Chuẩn bị điều kiện tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 đến dưới 12 tuổi – 1510/UBND-TH');
    expect(m.text).toContain('Nội dung báo cáo: Chưa cung cấp danh sách trẻ em theo Công văn số 50/SYT-NVY');

    // The reports count it for Sở Giáo dục và Đào tạo (src/core/report.ts).
    const report = buildReport([{ task, history }], rigCalendar(), rigOrg(), { from: day('2022-06-01'), to: day('2022-06-30'), now: rig.h.clock.now() });
    expect(report.noncooperation).toMatchObject([{ taskId: id, body: 'SGDDT', reportedBy: 'SYT' }]);
  });
});

const rigCalendar = () => rig!.h.cfg.calendar;
const rigOrg = () => rig!.h.cfg.org;

// Keep the engine's delivery records consistent with what the SMTP server got.
describe('notices in the delivery log', () => {
  it('are recorded sent under their own ids, once', async () => {
    rig = await makeLinkRig(server, smtp, at('2022-07-01T10:00'));
    const id = await rig.h.task({ coordinators: ['SGDDT'] });
    await rig.e.tick();
    const l1 = await waitForMail(smtp, (m) => m.to.some((a) => a.address === SYT), 'level 1');
    expect((await fillIn(rig.app, linksOf(l1).noncoop!, { coordinator: 'SGDDT', reason: 'Không trả lời' })).status).toBe(200);
    const e = (await rig.h.store.history(id)).at(-1)!;
    const nid = `${id}_once_n-noncooperation-report-${e.at.toString(36)}`;
    const rec = await until(async () => {
      const r = await rig!.e.log.get(id, copyOf(nid, PCT3));
      return r?.state === 'sent' ? r : null;
    }, 'the notice record');
    expect(rec).toMatchObject({ kind: 'noncooperation-report', notification: nid, to: [PCT3], cc: [], as: 'to', attempts: 1 });
    await until(async () => (await rig!.e.log.get(id, copyOf(nid, VP)))?.state === 'sent', "the Office's copy");
    expect(await rig.e.log.get(id, nid)).toMatchObject({ state: 'released', to: [PCT3], cc: [VP] });
    // Asking again (a retried enqueue) sends nothing more.
    await rig.e.notice({ taskId: id, id: nid, notice: 'noncooperation-report', occurrence: 'once', event: e.at });
    await quiet(400);
    expect(smtp.messages.filter((m) => m.messageId === `<${copyOf(nid, PCT3)}@${DOMAIN}>`)).toHaveLength(1);
    expect(smtp.messages.filter((m) => m.messageId === `<${copyOf(nid, VP)}@${DOMAIN}>`)).toHaveLength(1);
  });
});
