// A link is an authority of the one person it was made for (docs/DOMAIN.md "Who may decide
// what"). End to end with the engine, a real SMTP server and the link pages:
//   - every link in every copy of every kind of mail a task's life produces acts only for the
//     role of the person the copy went to, and only for that address;
//   - the holes an outside probe found are closed on the server too: an Office-role confirm link
//     in the reporting head's hands (as a Cc'd copy used to carry), a leader-role approve link in
//     the requesting head's hands, and an API token deciding its own report — each refused with
//     403 and recorded in the history as a refused attempt; nothing else changes.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACTION_ROLE, type LinkAction, recipientHash, verifyLink } from '../../src/core/links.js';
import { linkSettings } from '../../src/config/sections/links.js';
import { buildReplies } from '../../src/mail/reply-links.js';
import { at } from '../support/delivery-harness.js';
import { type PrivateRedis, startRedis } from '../support/redis-server.js';
import { ADMIN_TOKEN, type LinkRig, PCT3, SECRET, SGDDT, SYT, VP, fillIn, linksOf, makeLinkRig, openForm, stateOf, submit, waitForMail } from '../support/reply-links.js';
import type { ReceivedMessage } from '../support/smtp-server.js';
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

const quiet = (ms = 400) => new Promise((r) => setTimeout(r, ms));

/** The role each address of the 2022 directory acts in; every other address acts in none. */
const ROLE_OF: Record<string, 'head' | 'office' | 'leader'> = { [SYT]: 'head', [VP]: 'office', [PCT3]: 'leader' };

/** Every link of every mail received: its action, and the one address the mail went to. */
function allLinks(messages: readonly ReceivedMessage[]): Array<{ to: string; action: LinkAction; path: string; subject: string }> {
  return messages.flatMap((m) => {
    expect(m.envelope.to, `${m.subject}: one person per mail`).toHaveLength(1);
    return Object.entries(linksOf(m)).map(([action, path]) => ({ to: m.envelope.to[0]!, action: action as LinkAction, path: path!, subject: m.subject ?? '' }));
  });
}

describe('every link of every copy', () => {
  it('acts only for the role and the address of the person the copy went to', async () => {
    // A reminder (head, văn thư none in 2022, coordinating body), then overdue: levels 1–3; a
    // completion report and its rejection; an extension request; a non-cooperation report.
    rig = await makeLinkRig(server, smtp, at('2022-06-28T09:00'));
    const id = await rig.h.task({ coordinators: ['SGDDT'] });
    const tick = async (iso: string) => {
      rig!.h.clock.set(at(iso));
      await rig!.e.touch(id);
      await rig!.e.tick();
      await quiet();
    };
    await tick('2022-06-28T09:00'); // "2 working days before", lead and coordinator
    await waitForMail(smtp, (m) => m.envelope.to[0] === SGDDT, "the coordinating body's reminder");
    await waitForMail(smtp, (m) => m.envelope.to[0] === SYT, "the head's reminder");
    await tick('2022-07-01T10:00'); // level 1
    const l1 = await waitForMail(smtp, (m) => m.envelope.to[0] === SYT && m.subject?.includes('cấp 1') === true, 'level 1');
    expect((await fillIn(rig.app, linksOf(l1).noncoop!, { coordinator: 'SGDDT', reason: 'Chưa trả lời' })).status).toBe(200);
    expect((await fillIn(rig.app, linksOf(l1).complete!, { completed_on: '2022-07-01' })).status).toBe(200);
    const report = await waitForMail(smtp, (m) => m.envelope.to[0] === VP && m.subject?.startsWith('[Chờ xác nhận]') === true, 'the report to the Office');
    expect((await fillIn(rig.app, linksOf(report)['reject-completion']!, { reason: 'Chưa có văn bản' })).status).toBe(200);
    await tick('2022-07-05T10:00'); // level 2 after the rejection
    const l2 = await waitForMail(smtp, (m) => m.envelope.to[0] === SYT && m.subject?.includes('cấp 2') === true, 'level 2');
    expect((await fillIn(rig.app, linksOf(l2).extend!, { reason: 'Thiếu vắc-xin', deadline: '2022-07-29' })).status).toBe(200);
    await waitForMail(smtp, (m) => m.envelope.to[0] === PCT3 && m.subject?.startsWith('[Đề nghị gia hạn') === true, 'the request to the leader');
    await quiet();

    const links = allLinks(smtp.messages);
    // Every kind of mail of the story, each copy its own message.
    for (const start of ['Nhắc hạn nhiệm vụ', 'Nhắc phối hợp', '[Quá hạn – cấp 1]', '[Quá hạn – cấp 2]', '[Phối hợp]', '[Chờ xác nhận]', 'Không xác nhận hoàn thành', '[Đề nghị gia hạn']) {
      expect(smtp.messages.some((m) => m.subject?.startsWith(start)), start).toBe(true);
    }
    expect(new Set(links.map((l) => l.action))).toEqual(new Set(['complete', 'extend', 'noncoop', 'confirm-completion', 'reject-completion', 'approve-extension', 'reject-extension']));
    const settings = linkSettings(rig.h.cfg.config.links)!;
    for (const l of links) {
      const check = verifyLink(l.path.slice('/r/'.length), settings.secrets, rig.h.clock.now());
      expect(check.ok || check.reason === 'expired', l.subject).toBe(true);
      const claims = check.claims!;
      // Bound to the address it was sent to, for the role that address holds.
      expect(claims.recipient, `${l.subject} → ${l.to}`).toBe(recipientHash(l.to));
      expect(ROLE_OF[l.to], `${l.subject}: a link in a mail to ${l.to}`).toBe(ACTION_ROLE[l.action]);
    }
    // The coordinating body, the head's copy of its own report and request, the Office's copy of
    // the request: no link at all.
    expect(links.filter((l) => l.to === SGDDT)).toEqual([]);
    expect(links.filter((l) => l.to === SYT && ACTION_ROLE[l.action] !== 'head')).toEqual([]);
    expect(links.filter((l) => l.to === VP && ACTION_ROLE[l.action] !== 'office')).toEqual([]);
  });
});

/** A link as an earlier version put it in the head's Cc copy: another role's action, bound to the head's address. */
function linkInHeadsHands(r: LinkRig, id: string, action: LinkAction, request?: string): string {
  const settings = linkSettings(r.h.cfg.config.links)!;
  const replies = buildReplies(settings, r.h.cfg, {
    mailId: `${id}_stolen`,
    taskId: id,
    occurrence: 'once',
    deadline: { day: r.h.cfg.calendar.zone.dayOf(at('2022-06-30T12:00')) },
    recipient: { role: 'head', title: 'Giám đốc Sở Y tế', email: SYT },
    actions: [action],
    at: r.h.clock.now(),
    ...(request ? { request } : {}),
  });
  return new URL(replies.links[0]!.url).pathname;
}

describe('decisions checked on the server', () => {
  it("the Office's confirm link in the reporting head's hands: opening it says 403 and changes nothing", async () => {
    rig = await makeLinkRig(server, smtp, at('2022-07-01T10:00'));
    const id = await rig.h.task();
    await rig.e.tick();
    const l1 = await waitForMail(smtp, (m) => m.envelope.to[0] === SYT, 'level 1');
    expect((await fillIn(rig.app, linksOf(l1).complete!, { completed_on: '2022-06-29' })).status).toBe(200);
    const stolen = linkInHeadsHands(rig, id, 'confirm-completion');
    const before = await stateOf(rig, id);
    // Opening it changes nothing and says why.
    const page = await openForm(rig.app, stolen);
    expect(page.status).toBe(403);
    expect(page.body).toContain('Không có thẩm quyền');
    expect(page.body).toContain('Người gửi báo cáo hoàn thành không thể tự quyết định');
    expect(page.csrf).toBeUndefined(); // no form to submit
    expect(await stateOf(rig, id)).toEqual(before);
    const { task } = (await rig.h.store.getWithHistory(id))!;
    expect(task.occurrences.once?.completionReport).toBeDefined();
    expect(task.occurrences.once?.completedAt).toBeUndefined();
  });

  it('a POST of the stolen confirm link, CSRF and all, is recorded as a refused attempt', async () => {
    rig = await makeLinkRig(server, smtp, at('2022-07-01T10:00'));
    const id = await rig.h.task();
    await rig.e.tick();
    const l1 = await waitForMail(smtp, (m) => m.envelope.to[0] === SYT, 'level 1');
    expect((await fillIn(rig.app, linksOf(l1).complete!, { completed_on: '2022-06-29' })).status).toBe(200);
    // The refusal is decided on the POST too: bypass the GET check by taking a CSRF token the way
    // the page makes it (the token binds the link id and the session).
    const stolen = linkInHeadsHands(rig, id, 'confirm-completion');
    const { formToken } = await import('../../src/http/pages/csrf.js');
    const check = verifyLink(stolen.slice(3), [SECRET], rig.h.clock.now());
    expect(check.ok).toBe(true);
    const { newFormSession } = await import('../../src/http/pages/csrf.js');
    const sid = newFormSession();
    const post = await submit(rig.app, stolen, { csrf: formToken([SECRET], check.id!, sid) }, { cookie: `dondoc_reply=${sid}` });
    expect(post.status, post.body).toBe(403);
    expect(post.body).toContain('Người gửi báo cáo hoàn thành không thể tự quyết định');
    const { task, history } = (await rig.h.store.getWithHistory(id))!;
    expect(history.at(-1)).toMatchObject({ type: 'reply_refused', action: 'confirm-completion', by: `link:office:${recipientHash(SYT)}`, occurrence: 'once' });
    expect(task.occurrences.once?.completedAt).toBeUndefined();
    expect(task.occurrences.once?.completionReport).toBeDefined();
    // No decision mail went out.
    await quiet();
    expect(smtp.messages.filter((m) => m.subject?.startsWith('Xác nhận hoàn thành'))).toEqual([]);
  });

  it("the leader's approve link in the requesting head's hands: refused and recorded; the deadline stands", async () => {
    rig = await makeLinkRig(server, smtp, at('2022-06-28T09:00'));
    const id = await rig.h.task();
    await rig.e.tick();
    const reminder = await waitForMail(smtp, (m) => m.envelope.to[0] === SYT, 'the reminder');
    expect((await fillIn(rig.app, linksOf(reminder).extend!, { reason: 'Thiếu vắc-xin', deadline: '2022-07-15' })).status).toBe(200);
    const req = (await rig.h.store.history(id)).at(-1) as { requestId: string };
    const stolen = linkInHeadsHands(rig, id, 'approve-extension', req.requestId);
    const { formToken } = await import('../../src/http/pages/csrf.js');
    const check = verifyLink(stolen.slice(3), [SECRET], rig.h.clock.now());
    const sid = (await import('../../src/http/pages/csrf.js')).newFormSession();
    expect((await openForm(rig.app, stolen)).status).toBe(403);
    const post = await submit(rig.app, stolen, { csrf: formToken([SECRET], check.id!, sid), deadline: '2022-07-15' }, { cookie: `dondoc_reply=${sid}` });
    expect(post.status, post.body).toBe(403);
    const { task, history } = (await rig.h.store.getWithHistory(id))!;
    expect(history.at(-1)).toMatchObject({ type: 'reply_refused', action: 'approve-extension', by: `link:leader:${recipientHash(SYT)}` });
    expect(task.extensions).toEqual([]);
    expect(task.occurrences.once?.extensionRequests).toHaveLength(1);
  });

  it('an API token may not confirm the completion it reported itself', async () => {
    rig = await makeLinkRig(server, smtp, at('2022-07-01T10:00'));
    const id = await rig.h.task();
    const api = (url: string, body: object) =>
      rig!.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, payload: body });
    // Reported through the service by the same token the API will use to confirm.
    const { makeReplyService } = await import('../../src/store/reply-service.js');
    const service = makeReplyService({ store: rig.h.store, calendar: rig.h.cfg.calendar, org: rig.h.cfg.org, now: rig.h.clock.now, autoConfirmCompletion: false });
    await service.reportCompletion(id, { occurrence: 'once', completedOn: rig.h.cfg.calendar.zone.dayOf(at('2022-06-29T12:00')) }, { by: 'api:ops' });
    const r = await api(`/api/tasks/${id}/confirm-completion`, {});
    expect(r.statusCode, r.body).toBe(403);
    expect((await rig.h.store.history(id)).at(-1)).toMatchObject({ type: 'reply_refused', action: 'confirm-completion', by: 'api:ops' });
  });
});

describe("the Office's confirm page", () => {
  it('shows the completion date claimed beside the day the report was made, and flags a back-dated "on time"', async () => {
    rig = await makeLinkRig(server, smtp, at('2022-07-08T10:00'));
    const id = await rig.h.task(); // due 30/06; reported on 08/07 as done on 29/06
    await rig.e.tick();
    const l = await waitForMail(smtp, (m) => m.envelope.to[0] === SYT, 'the escalation');
    expect((await fillIn(rig.app, linksOf(l).complete!, { completed_on: '2022-06-29' })).status).toBe(200);
    const report = await waitForMail(smtp, (m) => m.envelope.to[0] === VP && m.subject?.startsWith('[Chờ xác nhận]') === true, 'the report');
    const page = await openForm(rig.app, linksOf(report)['confirm-completion']!);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Ngày hoàn thành đơn vị báo cáo</dt><dd><strong>29/06/2022</strong> (trong hạn)');
    expect(page.body).toContain('Ngày gửi báo cáo</dt><dd><strong>08/07/2022</strong> (sau thời hạn)');
    expect(page.body).toContain('báo cáo gửi sau thời hạn nhưng đề nghị ghi nhận hoàn thành trong hạn');
    expect(id).toBeTruthy();
  });
});
