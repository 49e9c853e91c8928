// The replies as pure changes (src/core/replies.ts), the planner's pause while a completion
// waits for the Office, the "Phản hồi" block of a reminder, and the notices' templates.
import { describe, expect, it } from 'vitest';
import { type LoadedConfig } from '../../src/config/load.js';
import { linksSchema } from '../../src/config/sections/links.js';
import { verifyLink } from '../../src/core/links.js';
import { noticeFor } from '../../src/core/notices.js';
import { pendingOf, planNotifications } from '../../src/core/planner.js';
import {
  approveExtension,
  confirmCompletion,
  rejectCompletion,
  rejectExtension,
  replyBlocker,
  reportCompletion,
  reportNoncooperation,
  requestExtension,
} from '../../src/core/replies.js';
import { taskStatus } from '../../src/core/status.js';
import type { Task, TaskEvent } from '../../src/core/task.js';
import type { Change } from '../../src/core/task-ops.js';
import { noticeContent } from '../../src/mail/notice-view.js';
import { loadTemplates } from '../../src/mail/render.js';
import { copiesOf } from '../../src/core/copies.js';
import { noticeRepliesFor } from '../../src/mail/notice-view.js';
import { copyRepliesFor } from '../../src/mail/reply-links.js';
import { ISSUER, day, makeOrg, makePolicy, makeTask, shippedCalendar } from './planner-fixtures.js';

const calendar = shippedCalendar();
const org = makeOrg();
const policy = makePolicy();
const at = (iso: string): number => Date.parse(`${iso}:00+07:00`);
const SECRET = 'unit-secret-0123456789-abcdefghijklmnop';

// Due Tue 30/06/2026; Sở Y tế leads, Sở Tài chính coordinates; leader in charge PCT4.
const base = (): Task =>
  makeTask(calendar, org, {
    title: 'Báo cáo <kết quả> & "đánh giá"',
    source: { number: '1510/UBND-TH', date: '2026-04-16', issuer: ISSUER, item: '9' },
    lead: 'SYT',
    coordinators: ['STC'],
    deadline: '2026-06-30',
  });
const head = (now: number, linkId = 'L1') => ({ by: 'link:head:h', now, linkId });
const apply = (t: Task, c: Change | Change[]): { task: Task; events: TaskEvent[] } => {
  const list = Array.isArray(c) ? c : [c];
  return { task: list.at(-1)!.task, events: list.map((x) => x.event) };
};
const pending = (t: Task, now: number) => pendingOf(planNotifications(t, undefined, policy, calendar, org, now));

describe('completion reported through a link', () => {
  it('pauses the ladder until the Office decides; confirmation completes at the reported instant (on time or late by it)', () => {
    const now = at('2026-07-02T10:00');
    expect(pending(base(), now).length).toBeGreaterThan(0);
    const r = apply(base(), reportCompletion(base(), calendar, head(now), { occurrence: 'once', completedAt: at('2026-06-29T16:59'), document: '45/BC-SYT' }));
    expect(r.events[0]).toMatchObject({ type: 'completion_reported', occurrence: 'once', completedAt: at('2026-06-29T16:59'), document: '45/BC-SYT', linkId: 'L1', by: 'link:head:h' });
    expect(r.task.occurrences.once?.completionReport).toMatchObject({ at: now, completedAt: at('2026-06-29T16:59') });
    // Paused: nothing pending, the reason says so; still overdue until confirmed.
    expect(pending(r.task, now)).toEqual([]);
    expect(pending(r.task, at('2026-08-01T10:00'))).toEqual([]);
    const plan = planNotifications(r.task, undefined, policy, calendar, org, now);
    expect(plan.find((n) => n.state === 'cancelled')?.reason).toMatch(/^paused \(completion reported, awaiting confirmation\) at 2026-07-02T10:00/);
    expect(taskStatus(r.task, calendar, now).status).toBe('overdue');

    const c = apply(r.task, confirmCompletion(r.task, calendar, { by: 'link:office:o', now: at('2026-07-10T09:00') }, { occurrence: 'once' }));
    expect(c.events.map((e) => e.type)).toEqual(['completion_confirmed', 'completed']);
    expect(c.task.occurrences.once).toEqual({ completedAt: at('2026-06-29T16:59') });
    expect(c.task.revision).toBe(r.task.revision + 2);
    expect(taskStatus(c.task, calendar, at('2026-07-10T09:00')).status).toBe('on_time');
    expect(pending(c.task, at('2026-07-10T09:00'))).toEqual([]);

    const late = apply(base(), reportCompletion(base(), calendar, head(now), { occurrence: 'once', completedAt: at('2026-07-01T09:00') }));
    const cl = apply(late.task, confirmCompletion(late.task, calendar, { by: 'api:ops', now }, { occurrence: 'once' }));
    expect(taskStatus(cl.task, calendar, now).status).toBe('late');
  });

  it('a rejection clears the report and the ladder resumes where it is now (catch-up)', () => {
    const now = at('2026-07-02T10:00');
    const r = apply(base(), reportCompletion(base(), calendar, head(now), { occurrence: 'once', completedAt: now }));
    const later = at('2026-07-06T10:00');
    const x = apply(r.task, rejectCompletion(r.task, calendar, { by: 'link:office:o', now: later }, { occurrence: 'once', reason: 'Chưa đủ hồ sơ' }));
    expect(x.events[0]).toMatchObject({ type: 'completion_rejected', reason: 'Chưa đủ hồ sơ' });
    expect(x.task.occurrences.once).toEqual({});
    const due = pending(x.task, later).filter((n) => n.state === 'due');
    expect(due.map((n) => n.step)).toEqual(['e2-a3wd']);
  });

  it('refuses what makes no sense, in English and Vietnamese', () => {
    const now = at('2026-07-02T10:00');
    expect(() => reportCompletion(base(), calendar, head(now), { occurrence: 'once', completedAt: now + 60_000 })).toThrow(/in the future/);
    expect(() => reportCompletion(base(), calendar, head(now), { occurrence: 'once', completedAt: at('2026-01-01T10:00') })).toThrow(/before the task was assigned/);
    expect(() => reportCompletion(base(), calendar, head(now), { occurrence: '2026', completedAt: now })).toThrow(/has no deadline for occurrence 2026/);
    const r = apply(base(), reportCompletion(base(), calendar, head(now), { occurrence: 'once', completedAt: now }));
    expect(replyBlocker(r.task, calendar, 'once', 'complete')?.vi).toBe('Nhiệm vụ đã được báo cáo hoàn thành và đang chờ Văn phòng UBND tỉnh xác nhận.');
    expect(replyBlocker(r.task, calendar, 'once', 'extend')?.code).toBe('TASK_CONFLICT');
    expect(replyBlocker(base(), calendar, 'once', 'confirm')?.en).toMatch(/no completion report awaiting confirmation/);
    const done = apply(r.task, confirmCompletion(r.task, calendar, { by: 'o', now }, { occurrence: 'once' })).task;
    for (const k of ['complete', 'extend', 'confirm', 'noncoop'] as const) expect(replyBlocker(done, calendar, 'once', k)?.vi).toBe('Nhiệm vụ đã được ghi nhận hoàn thành.');
  });
});

describe('extension requests', () => {
  it('before the deadline: not late; approval clears the request and extends (new deadline, new ids)', () => {
    const now = at('2026-06-25T10:00');
    const r = apply(base(), requestExtension(base(), calendar, head(now), { occurrence: 'once', deadline: { day: day('2026-07-15') }, reason: 'Thiếu kinh phí' }));
    const e = r.events[0] as Extract<TaskEvent, { type: 'extension_requested' }>;
    expect(e).toMatchObject({ late: false, proposedDeadline: { day: day('2026-07-15') }, requestId: now.toString(36) });
    expect(r.task.occurrences.once?.extensionRequests).toHaveLength(1);
    expect(replyBlocker(r.task, calendar, 'once', 'extend')?.vi).toBe('Đã có đề nghị gia hạn đang chờ lãnh đạo UBND tỉnh cho ý kiến.');
    const a = apply(r.task, approveExtension(r.task, calendar, { by: 'link:leader:l', now }, { requestId: e.requestId, document: '1600/UBND-TH', approvedBy: 'Phó Chủ tịch UBND tỉnh' }));
    expect(a.events.map((x) => x.type)).toEqual(['extension_approved', 'extended']);
    expect(a.task.occurrences.once).toEqual({});
    expect(a.task.extensions).toMatchObject([{ deadline: { day: day('2026-07-15') }, document: '1600/UBND-TH' }]);
    const after = pending(a.task, now);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((n) => n.id.endsWith('_20260715'))).toBe(true);
    expect(() => approveExtension(a.task, calendar, { by: 'x', now }, { requestId: e.requestId, document: 'd', approvedBy: 'p' })).toThrow(/no pending extension request/);
  });

  it('after the deadline: accepted, marked late; a rejection clears it and keeps the deadline; a proposal not later is refused', () => {
    const now = at('2026-07-01T09:00');
    expect(() => requestExtension(base(), calendar, head(now), { occurrence: 'once', deadline: { day: day('2026-06-30') }, reason: 'x' })).toThrow(/not later than the current one/);
    const r = apply(base(), requestExtension(base(), calendar, head(now), { occurrence: 'once', deadline: { day: day('2026-07-20') }, reason: 'x' }));
    expect(r.events[0]).toMatchObject({ late: true });
    const rid = (r.events[0] as { requestId: string }).requestId;
    const x = apply(r.task, rejectExtension(r.task, calendar, { by: 'api:ops', now }, { requestId: rid, reason: 'Không có căn cứ' }));
    expect(x.events[0]).toMatchObject({ type: 'extension_rejected', requestId: rid, reason: 'Không có căn cứ' });
    expect(x.task.occurrences.once).toEqual({});
    expect(x.task.extensions).toEqual([]);
  });
});

describe('non-cooperation reports', () => {
  it('name a coordinating body of the task, with the reason; change nothing else', () => {
    const now = at('2026-06-25T10:00');
    const r = apply(base(), reportNoncooperation(base(), calendar, head(now), { occurrence: 'once', coordinator: 'STC', reason: 'Chưa có ý kiến' }));
    expect(r.events[0]).toMatchObject({ type: 'noncooperation_reported', coordinator: 'STC', reason: 'Chưa có ý kiến', occurrence: 'once' });
    expect({ ...r.task, revision: 0, updatedAt: 0 }).toEqual({ ...base(), revision: 0, updatedAt: 0 });
    expect(() => reportNoncooperation(base(), calendar, head(now), { occurrence: 'once', coordinator: 'SGDDT', reason: 'x' })).toThrow(/SGDDT is not a coordinating body/);
  });
});

const loaded = (links: unknown = { public_base_url: 'https://dondoc.example.gov.vn', secret: SECRET }): LoadedConfig =>
  ({ calendar, org, config: { links: linksSchema.parse(links), mail: { from: { name: 'Văn phòng UBND tỉnh', address: 'a@b.vn' }, messageIdDomain: 'b.vn' }, policy } }) as unknown as LoadedConfig;

describe('the "Phản hồi" block of a reminder', () => {
  const now = at('2026-06-22T10:00');
  const plan = planNotifications(base(), undefined, policy, calendar, org, now);
  const reminder = plan.find((n) => n.kind === 'reminder')!;
  const coordinator = plan.find((n) => n.kind === 'coordinator_reminder')!;
  const [headCopy, clerkCopy] = copiesOf(reminder);

  it('carries the head’s three links in the head’s own copy, deterministic for the copy (a resend has the same links)', () => {
    expect(headCopy!.recipient.role).toBe('head');
    const a = copyRepliesFor(loaded(), reminder, base(), headCopy!.recipient, headCopy!.id).replies!;
    expect(a).toMatchObject({ for: 'Giám đốc Sở Y tế', oneTime: true });
    expect(a.links.map((l) => l.action)).toEqual(['complete', 'extend', 'noncoop']);
    expect(copyRepliesFor(loaded(), reminder, base(), headCopy!.recipient, headCopy!.id).replies).toEqual(a);
    const token = a.links[0]!.url.split('/r/')[1]!;
    const v = verifyLink(token, [SECRET], now);
    expect(v).toMatchObject({ ok: true, claims: { action: 'complete', taskId: base().id, occurrence: 'once', deadline: '20260630', role: 'head' } });
    // Expire ttl after the step's planned instant.
    expect(v.ok && v.claims.expiresAt).toBe(Math.floor((reminder.scheduledAt + 30 * 86_400_000) / 1000) * 1000);
  });

  it('is absent from every other copy, when links are off, without a secret, and in coordinator reminders', () => {
    expect(clerkCopy!.recipient.role).toBe('clerical');
    expect(copyRepliesFor(loaded(), reminder, base(), clerkCopy!.recipient, clerkCopy!.id)).toEqual({});
    expect(copyRepliesFor(loaded({}), reminder, base(), headCopy!.recipient, headCopy!.id)).toEqual({});
    expect(copyRepliesFor(loaded({ public_base_url: 'https://x.vn' }), reminder, base(), headCopy!.recipient, headCopy!.id)).toEqual({});
    for (const c of copiesOf(coordinator)) expect(copyRepliesFor(loaded(), coordinator, base(), c.recipient, c.id)).toEqual({});
  });
});

describe('notices', () => {
  const templates = loadTemplates();
  const now = at('2026-07-01T09:00');

  it('an extension request: to the leader, cc the Office and the head, with approve/reject links; text escaped in HTML', () => {
    const t = base();
    const r = apply(t, requestExtension(t, calendar, head(now), { occurrence: 'once', deadline: { day: day('2026-07-20') }, reason: 'Thiếu <nhân lực>' }));
    const e = r.events[0] as Extract<TaskEvent, { type: 'extension_requested' }>;
    const c = noticeContent(loaded(), r.task, r.events, noticeFor('extension-request', t.id, 'once', e.at, e.requestId), now);
    if ('skip' in c) throw new Error(c.skip);
    expect(c.to.map((x) => x.email)).toEqual(['pct4.ubnd@thainguyen.example.gov.vn']);
    expect(c.cc.map((x) => x.role)).toEqual(['provincial_office', 'head']);
    const req = noticeFor('extension-request', t.id, 'once', e.at, e.requestId);
    const copies = copiesOf({ id: req.id, to: c.to, cc: c.cc });
    const rendered = copies.map((x) => ({ role: x.recipient.role, m: templates.render(c.template, { ...c.view, ...noticeRepliesFor(loaded(), r.task, req, e.at, c.links, x.recipient, x.id) }) }));
    const m = rendered[0]!.m;
    expect(m.subject).toBe('[Đề nghị gia hạn – sau thời hạn] Sở Y tế: Báo cáo <kết quả> & "đánh giá" – 1510/UBND-TH');
    expect(m.text).toContain('đề nghị gia hạn đến ngày 20/07/2026 (đề nghị gửi ngày 01/07/2026, sau thời hạn 30/06/2026)');
    expect(m.text).toContain('Phản hồi (dành cho Phó Chủ tịch UBND tỉnh):\n- Đồng ý gia hạn: https://dondoc.example.gov.vn/r/');
    expect(m.html).toContain('Thiếu &lt;nhân lực&gt;');
    expect(m.html).not.toContain('<nhân lực>');
    // The leader's copy alone decides: the Office's and the requesting head's copies carry no link.
    expect(rendered.map((x) => [x.role, x.m.text.includes('/r/')])).toEqual([
      ['leader', true],
      ['provincial_office', false],
      ['head', false],
    ]);
    // Once decided, a late notice carries no decision links.
    const decided = apply(r.task, rejectExtension(r.task, calendar, { by: 'x', now }, { requestId: e.requestId, reason: 'không' }));
    const c2 = noticeContent(loaded(), decided.task, [...r.events, ...decided.events], req, now);
    expect('skip' in c2 ? undefined : c2.links).toBeUndefined();
  });

  it('every notice renders in Vietnamese, subject on one line', () => {
    const t = base();
    const rep = apply(t, reportCompletion(t, calendar, head(now), { occurrence: 'once', completedAt: at('2026-06-30T16:00'), note: 'Đã xong' }));
    const conf = apply(rep.task, confirmCompletion(rep.task, calendar, { by: 'o', now }, { occurrence: 'once' }));
    const non = apply(t, reportNoncooperation(t, calendar, head(now), { occurrence: 'once', coordinator: 'STC', reason: 'Chưa trả lời' }));
    const cases: Array<[Parameters<typeof noticeFor>, TaskEvent[], Task, RegExp, string]> = [
      [['completion-report', t.id, 'once', rep.events[0]!.at], rep.events, rep.task, /^\[Chờ xác nhận\] Sở Y tế báo cáo hoàn thành: /, 'Phản hồi (dành cho Chánh Văn phòng UBND tỉnh)'],
      [['completion-decision', t.id, 'once', conf.events[0]!.at], [...rep.events, ...conf.events], conf.task, /^Xác nhận hoàn thành: /, 'đã hoàn thành ngày 30/06/2026 (hoàn thành đúng hạn)'],
      [['noncooperation-report', t.id, 'once', non.events[0]!.at], non.events, non.task, /^\[Phối hợp\] Sở Y tế báo cáo Sở Tài chính chưa phối hợp: /, 'Nội dung báo cáo: Chưa trả lời'],
    ];
    for (const [args, history, task, subject, text] of cases) {
      const req = noticeFor(...args);
      const c = noticeContent(loaded(), task, history, req, now);
      if ('skip' in c) throw new Error(c.skip);
      const first = copiesOf({ id: req.id, to: c.to, cc: c.cc })[0]!;
      const m = templates.render(c.template, { ...c.view, ...noticeRepliesFor(loaded(), task, req, req.event, c.links, first.recipient, first.id) });
      expect(m.subject).toMatch(subject);
      expect(m.subject).not.toMatch(/\n/);
      expect(m.text).toContain(text);
      expect(m.text.startsWith('Kính gửi: ')).toBe(true);
    }
    // An event no longer in the history: skipped, with the reason.
    expect(noticeContent(loaded(), t, [], noticeFor('noncooperation-report', t.id, 'once', 1), now)).toEqual({ skip: 'no such non-cooperation report in the history' });
  });
});
