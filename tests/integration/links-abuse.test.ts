// Reply links that must change nothing (issue 6 acceptance): opening a link (GET, as mail
// scanners do), a tampered, forged, expired or reused link, a POST without the form's CSRF token
// or cookie, a form with bad fields. Each is checked against the task's revision and history,
// the spent-nonce keys and the mail received. Also: the security headers, escaping, the API
// decisions, and the `links` options (off, not one-time, automatic confirmation).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signLink } from '../../src/core/links.js';
import { at } from '../support/delivery-harness.js';
import { type PrivateRedis, startRedis } from '../support/redis-server.js';
import {
  type LinkRig,
  ADMIN_TOKEN,
  PCT3,
  SYT,
  VIEWER_TOKEN,
  VP,
  fillIn,
  linksOf,
  linksYaml,
  makeLinkRig,
  openForm,
  stateOf,
  submit,
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

const quiet = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/** An overdue task with coordinators, its level-1 mail received; the head's links. */
async function overdue(opts: { links?: string; title?: string } = {}) {
  rig = await makeLinkRig(server, smtp, at('2022-07-01T10:00'), opts.links ? { links: opts.links } : {});
  const id = await rig.h.task({ coordinators: ['SGDDT'], ...(opts.title ? { title: opts.title } : {}) });
  await rig.e.tick();
  const l1 = await waitForMail(smtp, (m) => m.to.some((a) => a.address === SYT), 'level 1');
  return { r: rig, id, links: linksOf(l1), mails: () => smtp.messages.length };
}

const SECURITY = {
  'content-security-policy': expect.stringContaining("default-src 'self'"),
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

describe('GET never changes anything', () => {
  it('opening a link any number of times (and HEAD) leaves the task, the nonces and the mail alone; the link still works after', async () => {
    const { r, id, links, mails } = await overdue();
    const before = await stateOf(r, id);
    const sent = mails();
    for (const action of ['complete', 'extend', 'noncoop'] as const) {
      for (let i = 0; i < 3; i++) expect((await openForm(r.app, links[action]!)).status).toBe(200);
      expect((await r.app.inject({ method: 'HEAD', url: links[action]! })).statusCode).toBe(200);
    }
    await quiet();
    expect(await stateOf(r, id)).toEqual(before);
    expect(mails()).toBe(sent);
    expect((await fillIn(r.app, links.complete!, { completed_on: '2022-07-01' })).status).toBe(200);
    expect((await stateOf(r, id)).types.at(-1)).toBe('completion_reported');
  });
});

describe('tampered, forged, expired and reused links', () => {
  it('a tampered or forged link gets a 400 page, on GET and on POST, and changes nothing', async () => {
    const { r, id, links } = await overdue();
    const good = links.complete!;
    const token = good.slice('/r/'.length);
    const [body, sig] = token.split('.') as [string, string];
    // A changed task id in the payload (re-encoded, so it is well-formed), the signature kept.
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const otherTask = Buffer.from(JSON.stringify({ ...claims, t: 'another-task' })).toString('base64url');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const forged = signLink(
      { action: 'complete', taskId: id, occurrence: 'once', deadline: '20220630', role: 'head', recipient: 'AAAAAAAAAAAAAAAA', expiresAt: at('2022-08-01T00:00') },
      ['a-different-secret-of-more-than-32-chars'],
    );
    const form = await openForm(r.app, good);
    const before = await stateOf(r, id);
    for (const bad of [`/r/${otherTask}.${sig}`, `/r/${flip(body, 10)}.${sig}`, `/r/${body}.${flip(sig, 5)}`, `/r/${forged}`, `/r/${token.slice(0, -1)}`, '/r/abc', '/r/a.b']) {
      const g = await openForm(r.app, bad);
      expect(g.status, bad).toBe(400);
      expect(g.body).toContain('Liên kết không hợp lệ');
      expect(g.headers).toMatchObject(SECURITY);
      expect(g.cookie).toBeUndefined();
      const p = await submit(r.app, bad, { csrf: form.csrf!, completed_on: '2022-07-01' }, { cookie: form.cookie! });
      expect(p.status, bad).toBe(400);
    }
    expect(await stateOf(r, id)).toEqual(before);
  });

  it('an expired link gets a 410 page, even with a form opened in time, and changes nothing', async () => {
    const { r, id, links } = await overdue();
    const form = await openForm(r.app, links.complete!);
    // Sent for 01/07 07:30 with a 30-day life: valid through 31/07.
    r.h.clock.set(at('2022-07-31T07:29'));
    expect((await openForm(r.app, links.extend!)).status).toBe(200);
    r.h.clock.set(at('2022-07-31T07:31'));
    const before = await stateOf(r, id);
    const g = await openForm(r.app, links.complete!);
    expect(g.status).toBe(410);
    expect(g.body).toContain('Liên kết này đã hết hạn từ ngày 31/07/2022');
    const p = await submit(r.app, links.complete!, { csrf: form.csrf!, completed_on: '2022-07-01' }, { cookie: form.cookie! });
    expect(p.status).toBe(410);
    expect(await stateOf(r, id)).toEqual(before);
  });

  it('a one-time link is spent by its first POST: a second gets a 410 page; of two at once exactly one acts', async () => {
    const { r, id, links } = await overdue();
    const form = await openForm(r.app, links.noncoop!);
    const fields = { csrf: form.csrf!, coordinator: 'SGDDT', reason: 'Chưa cung cấp số liệu' };
    const [a, b] = await Promise.all([submit(r.app, links.noncoop!, fields, { cookie: form.cookie! }), submit(r.app, links.noncoop!, fields, { cookie: form.cookie! })]);
    expect([a.status, b.status].sort()).toEqual([200, 410]);
    const after = await stateOf(r, id);
    expect(after.types.filter((t) => t === 'noncooperation_reported')).toHaveLength(1);
    expect(after.spent).toBe(1);
    const again = await submit(r.app, links.noncoop!, fields, { cookie: form.cookie! });
    expect(again.status).toBe(410);
    expect(again.body).toContain('Liên kết đã được sử dụng');
    expect((await openForm(r.app, links.noncoop!)).status).toBe(410);
    expect(await stateOf(r, id)).toEqual(after);
    await quiet(400);
    // One report: a copy to the leader and one to the Office.
    expect(smtp.messages.filter((m) => m.subject?.startsWith('[Phối hợp]')).map((m) => m.envelope.to[0]).sort()).toEqual([PCT3, VP].sort());
  });

  it('with one_time: false a link works again (each use recorded with the same link id)', async () => {
    const { r, id, links } = await overdue({ links: linksYaml('  one_time: false\n') });
    expect((await fillIn(r.app, links.noncoop!, { coordinator: 'SGDDT', reason: 'Lần 1' })).status).toBe(200);
    expect((await fillIn(r.app, links.noncoop!, { coordinator: 'SGDDT', reason: 'Lần 2' })).status).toBe(200);
    const h = (await r.h.store.history(id)).filter((e) => e.type === 'noncooperation_reported');
    expect(h.map((e) => (e as { reason: string }).reason)).toEqual(['Lần 1', 'Lần 2']);
    expect(new Set(h.map((e) => (e as { linkId?: string }).linkId)).size).toBe(1);
    expect((await stateOf(r, id)).spent).toBe(0);
  });
});

describe('CSRF', () => {
  it('a POST without the cookie, without the token, with another link’s token or another session’s cookie is refused (403) and spends nothing', async () => {
    const { r, id, links } = await overdue();
    const mine = await openForm(r.app, links.complete!);
    const other = await openForm(r.app, links.extend!);
    const otherSession = await openForm(r.app, links.complete!); // a second browser: its own cookie
    expect(otherSession.cookie).not.toBe(mine.cookie);
    const before = await stateOf(r, id);
    const fields = { completed_on: '2022-07-01' };
    const tries = [
      submit(r.app, links.complete!, { csrf: mine.csrf!, ...fields }),
      submit(r.app, links.complete!, fields, { cookie: mine.cookie! }),
      submit(r.app, links.complete!, { csrf: 'x'.repeat(43), ...fields }, { cookie: mine.cookie! }),
      submit(r.app, links.complete!, { csrf: other.csrf!, ...fields }, { cookie: mine.cookie! }),
      submit(r.app, links.complete!, { csrf: mine.csrf!, ...fields }, { cookie: otherSession.cookie! }),
    ];
    for (const t of await Promise.all(tries)) {
      expect(t.status).toBe(403);
      expect(t.body).toContain('Không có thông tin nào được ghi nhận');
    }
    expect(await stateOf(r, id)).toEqual(before);
    expect((await submit(r.app, links.complete!, { csrf: mine.csrf!, ...fields }, { cookie: mine.cookie! })).status).toBe(200);
  });

  it('the cookie is HttpOnly, SameSite=Strict, Secure and scoped to the pages', async () => {
    const { r, links } = await overdue();
    const g = await r.app.inject({ method: 'GET', url: links.complete! });
    expect(g.headers['set-cookie']).toMatch(/^dondoc_reply=[A-Za-z0-9_-]{22}; Path=\/r; Max-Age=43200; HttpOnly; SameSite=Strict; Secure$/);
  });
});

describe('forms', () => {
  it('bad fields show the form again with the errors (400) and spend nothing; text is escaped everywhere', async () => {
    const title = '<script>alert(1)</script> Tiêm "vắc-xin" & kiểm tra';
    const { r, id, links } = await overdue({ title });
    const form = await openForm(r.app, links.complete!);
    expect(form.headers).toMatchObject(SECURITY);
    expect(form.body).not.toContain('<script>');
    expect(form.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Tiêm &quot;vắc-xin&quot; &amp; kiểm tra');
    const before = await stateOf(r, id);
    const cases: Array<[Record<string, string>, string]> = [
      [{ completed_on: '2022-07-02' }, 'Ngày hoàn thành không được sau ngày hôm nay (01/07/2022).'],
      [{ completed_on: '2022-04-01' }, 'Ngày hoàn thành không được trước ngày giao nhiệm vụ (16/04/2022).'],
      [{ completed_on: 'hôm qua', note: '<b>ghi chú</b>' }, 'Vui lòng chọn ngày hoàn thành'],
    ];
    for (const [fields, message] of cases) {
      const p = await submit(r.app, links.complete!, { csrf: form.csrf!, ...fields }, { cookie: form.cookie! });
      expect(p.status).toBe(400);
      expect(p.body).toContain(message);
      expect(p.body).not.toContain('<b>ghi chú</b>');
    }
    const ext = await fillIn(r.app, links.extend!, { reason: '', deadline: '2022-06-30' });
    expect(ext.status).toBe(400);
    expect(ext.body).toContain('Vui lòng nêu khó khăn, vướng mắc.');
    expect(ext.body).toContain('Thời hạn đề nghị phải sau thời hạn hiện tại (30/06/2022).');
    expect(await stateOf(r, id)).toEqual(before);
    // A date as people write it (dd/mm/yyyy) is understood; decomposed Vietnamese is stored NFC.
    const ok = await submit(r.app, links.complete!, { csrf: form.csrf!, completed_on: '30/06/2022', note: 'Đã xong'.normalize('NFD') }, { cookie: form.cookie! });
    expect(ok.status, ok.body).toBe(200);
    expect((await r.h.store.history(id)).at(-1)).toMatchObject({ type: 'completion_reported', note: 'Đã xong'.normalize('NFC'), completedAt: at('2022-06-30T16:59') });
  });

  it('a reply that no longer makes sense is refused with a 409 page, the nonce given back', async () => {
    const { r, id, links } = await overdue();
    await r.h.service.complete(id, {}, 'api:ops');
    const g = await openForm(r.app, links.extend!);
    expect(g.status).toBe(409);
    expect(g.body).toContain('Nhiệm vụ đã được ghi nhận hoàn thành.');
    expect((await stateOf(r, id)).spent).toBe(0);
  });
});

describe('the API decides for the Office and the leader', () => {
  const api = (r: LinkRig, url: string, payload: object, token = ADMIN_TOKEN) =>
    r.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });

  it('confirm-completion and extension approve/reject, with the same history and notices; 409 when nothing waits; viewers may not', async () => {
    const { r, id, links } = await overdue();
    expect((await api(r, `/api/tasks/${id}/confirm-completion`, {})).statusCode).toBe(409);
    expect((await fillIn(r.app, links.complete!, { completed_on: '2022-06-30' })).status).toBe(200);
    expect((await api(r, `/api/tasks/${id}/confirm-completion`, {}, VIEWER_TOKEN)).statusCode).toBe(403);
    const ok = await api(r, `/api/tasks/${id}/confirm-completion`, {});
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: { code: 'on_time' } });
    const h = await r.h.store.history(id);
    expect(h.slice(-2).map((e) => [e.type, e.by])).toEqual([
      ['completion_confirmed', 'api:ops'],
      ['completed', 'api:ops'],
    ]);
    await waitForMail(smtp, (m) => m.subject?.startsWith('Xác nhận hoàn thành') === true, 'the decision to the head');
  });

  it('extension requests: approve with another deadline, or reject; unknown request 409', async () => {
    const { r, id, links } = await overdue();
    expect((await fillIn(r.app, links.extend!, { reason: 'Thiếu kinh phí', deadline: '2022-07-20' })).status).toBe(200);
    const rid = ((await r.h.store.history(id)).at(-1) as { requestId: string }).requestId;
    // The API shows what waits for a decision, with the id to decide it by.
    const shown = await r.app.inject({ method: 'GET', url: `/api/tasks/${id}`, headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
    expect(shown.json().occurrences[0].extension_requests).toMatchObject([{ id: rid, deadline: '2022-07-20', reason: 'Thiếu kinh phí', late: true }]);
    expect((await api(r, `/api/tasks/${id}/extension-requests/zzz/approve`, {})).statusCode).toBe(409);
    const bad = await api(r, `/api/tasks/${id}/extension-requests/${rid}/reject`, {});
    expect(bad.statusCode).toBe(400);
    const ok = await api(r, `/api/tasks/${id}/extension-requests/${rid}/approve`, { deadline: '2022-07-25', document: '1700/UBND-TH' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().history.slice(-2)).toMatchObject([
      { type: 'extension_approved', request_id: rid, deadline: '2022-07-25', document: '1700/UBND-TH', by: 'api:ops' },
      { type: 'extended', deadline: '2022-07-25', approved_by: 'Phó Chủ tịch UBND tỉnh' },
    ]);
    const m = await waitForMail(smtp, (x) => x.subject?.startsWith('Đồng ý gia hạn đến 25/07/2022') === true, 'the approval');
    expect(m.to.map((a) => a.address)).toEqual([SYT]);
    expect((await api(r, `/api/tasks/${id}/extension-requests/${rid}/reject`, { reason: 'muộn' })).statusCode).toBe(409);
  });
});

describe('links options', () => {
  it('auto_confirm_completion: the report completes the task at once; the Office is told, with no links', async () => {
    const { r, id, links } = await overdue({ links: linksYaml('  auto_confirm_completion: true\n') });
    const done = await fillIn(r.app, links.complete!, { completed_on: '2022-07-01' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Nhiệm vụ được ghi nhận hoàn thành quá hạn');
    const h = await r.h.store.history(id);
    expect(h.slice(-3).map((e) => [e.type, e.by.split(':')[0]])).toEqual([
      ['completion_reported', 'link'],
      ['completion_confirmed', 'config'],
      ['completed', 'config'],
    ]);
    const m = await waitForMail(smtp, (x) => x.to.some((a) => a.address === VP) && x.subject?.startsWith('[Hoàn thành]') === true, 'the report to the Office');
    expect(m.subject).toMatch(/^\[Hoàn thành\] Sở Y tế báo cáo hoàn thành: /);
    expect(m.text).toContain('báo cáo được xác nhận tự động: nhiệm vụ được ghi nhận hoàn thành quá hạn');
    expect(m.text).not.toContain('Phản hồi');
  });

  it('links off (no public_base_url): mails carry no links and /r/ is not served', async () => {
    const { r, links } = await overdue({ links: '\n' });
    expect(links).toEqual({});
    for (const m of smtp.messages) expect(m.text).not.toContain('Phản hồi');
    expect((await r.app.inject({ method: 'GET', url: '/r/abc.def' })).statusCode).toBe(404);
  });
});
