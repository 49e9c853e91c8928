// The Vietnamese templates: what each message must say (7176 §3 quoted verbatim, the source
// cited properly, both dates when Art. 148 moved the deadline, who else is informed), escaping,
// header safety, NFC, admin overrides, and the .eml built from them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { planDigest } from '../../src/core/digest.js';
import type { TaskNotification } from '../../src/core/notification.js';
import { planNotifications } from '../../src/core/planner.js';
import type { Task } from '../../src/core/task.js';
import { DondocError } from '../../src/errors.js';
import { copiesOf } from '../../src/core/copies.js';
import { buildEml, copyMessage, kindHeader } from '../../src/mail/eml.js';
import { messageIdFor } from '../../src/mail/message.js';
import { cleanSubject, loadTemplates, renderNotification } from '../../src/mail/render.js';
import { citeDocument } from '../../src/mail/view.js';
import { ISSUER, day, makeOrg, makePolicy, makeTask, shippedBasis, shippedCalendar } from './planner-fixtures.js';

const calendar = shippedCalendar();
const org = makeOrg();
const policy = makePolicy();
const templates = loadTemplates();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-templates-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// 7176/UBND-NC §3, as written in the letter.
const RULE = '“Trường hợp đến hạn chưa hoàn thành, có khó khăn vướng mắc phải kịp thời báo cáo lãnh đạo UBND tỉnh phụ trách lĩnh vực để chỉ đạo.”';
const CITATION = 'Công văn số 1510/UBND-TH ngày 16/04/2022 của UBND tỉnh Thái Nguyên về việc tập trung thực hiện một số nhiệm vụ trọng tâm trong quý II năm 2022 (mục 9)';

// Due Saturday 14/02/2026, inside Tết: the deadline ends on Monday 23/02/2026 (Art. 148).
const task = makeTask(calendar, org, {
  title: 'Chuẩn bị điều kiện tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 tuổi đến dưới 12 tuổi',
  source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: ISSUER, subject: 'V/v tập trung thực hiện một số nhiệm vụ trọng tâm trong quý II năm 2022', item: '9' },
  lead: 'SYT',
  coordinators: ['STC'],
  assigned_on: '2026-01-05',
  deadline: '2026-02-14',
});
const plan = planNotifications(task, undefined, policy, calendar, org, Date.parse('2026-01-20T09:00:00+07:00'));
const step = (id: string): TaskNotification => plan.find((n) => n.step === id)!;
const basis = shippedBasis();
const render = (n: TaskNotification, t: Task = task) => renderNotification(templates, n, { org, calendar, task: t, basis });

describe('task notifications', () => {
  it('a reminder: Kính gửi, the task, the source cited, both dates, days left, the rule, who else is informed', () => {
    const r = render(step('r-b5wd'));
    expect(r.subject).toBe('Nhắc hạn nhiệm vụ (còn 5 ngày làm việc): Chuẩn bị điều kiện tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 tuổi đến dưới 12 tuổi – 1510/UBND-TH');
    for (const part of [r.text, r.html]) {
      expect(part).toContain('Kính gửi: Giám đốc Sở Y tế');
      expect(part).toContain(task.title);
      expect(part).toContain(CITATION);
      expect(part).toContain('14/02/2026');
      expect(part).toContain('Tết Nguyên Đán');
      expect(part).toContain('theo Điều 148 Bộ luật Dân sự năm 2015, thời hạn kết thúc vào ngày làm việc tiếp theo');
      expect(part).toContain('23/02/2026');
      expect(part).toContain(RULE);
      expect(part).toContain('Đơn vị phối hợp');
      expect(part).toContain('Sở Tài chính');
    }
    expect(r.text).toContain('- Tình trạng: Còn 5 ngày làm việc');
    expect(r.text).toContain('Đồng gửi: Văn thư Sở Y tế');
    expect(r.html).toContain('<strong>Đồng gửi:</strong> Văn thư Sở Y tế');
    expect(r.html).toMatch(/^<!DOCTYPE html>\n<html lang="vi">/);
  });

  it('on the deadline day, and for a coordinating body', () => {
    expect(render(step('r-d')).text).toContain('hôm nay, ngày 23/02/2026, là ngày đến hạn hoàn thành nhiệm vụ dưới đây do Sở Y tế chủ trì');
    const c = render(step('c-b2wd'));
    expect(c.subject).toMatch(/^Nhắc phối hợp \(còn 2 ngày làm việc\): /);
    expect(c.text).toMatch(/^Kính gửi: Giám đốc Sở Tài chính\n/);
    expect(c.text).toContain('Sở Tài chính là đơn vị phối hợp thực hiện nhiệm vụ dưới đây do Sở Y tế chủ trì');
    expect(c.text).toContain('cơ quan, đơn vị chủ trì thực hiện nhiệm vụ báo cáo lãnh đạo UBND tỉnh phụ trách lĩnh vực các trường hợp thiếu tích cực, không phối hợp');
    expect(c.text).toContain('Đồng gửi: Văn thư Sở Tài chính');
  });

  it('the three escalation levels', () => {
    const l1 = render(step('e1-a1wd'));
    expect(l1.subject).toBe(`[Quá hạn – cấp 1] Sở Y tế: ${task.title} – quá hạn 1 ngày làm việc (1510/UBND-TH)`);
    expect(l1.text).toContain('đã quá hạn 1 ngày làm việc (thời hạn 23/02/2026)');
    expect(l1.text).toContain('Đồng gửi: Chánh Văn phòng UBND tỉnh');
    const l2 = render(step('e2-a3wd'));
    expect(l2.text).toContain('Phó Chủ tịch UBND tỉnh (lãnh đạo UBND tỉnh phụ trách lĩnh vực) và Văn phòng UBND tỉnh nhận thông tin này');
    expect(l2.text).toContain('Đồng gửi: Chánh Văn phòng UBND tỉnh; Phó Chủ tịch UBND tỉnh');
    const l3 = render(step('e3-a10wd-x2'));
    expect(l3.subject).toMatch(/^\[Quá hạn – cấp 3, lần 3\] Sở Y tế: .* – quá hạn 30 ngày làm việc \(1510\/UBND-TH\)$/);
    expect(l3.text).toMatch(/^Kính gửi: Chủ tịch UBND tỉnh; Giám đốc Sở Nội vụ\n/);
    expect(l3.text).toContain('Đồng gửi: Chánh Văn phòng UBND tỉnh; Phó Chủ tịch UBND tỉnh; Giám đốc Sở Y tế');
    for (const r of [l1, l2, l3]) expect(r.text).toContain(RULE);
  });

  it('shows an extension with its approving document', () => {
    const extended: Task = { ...task, extensions: [{ occurrence: 'once', previous: { day: day('2026-02-14') }, deadline: { day: day('2026-03-13') }, document: 'Công văn số 555/UBND-TH ngày 12/02/2026', approvedBy: 'Chủ tịch UBND tỉnh', at: 0 }] };
    const n = planNotifications(extended, undefined, policy, calendar, org, Date.parse('2026-02-20T09:00:00+07:00')).find((x) => x.state === 'planned')!;
    expect(render(n, extended).text).toContain('- Gia hạn: thời hạn ban đầu 14/02/2026; gia hạn theo Công văn số 555/UBND-TH ngày 12/02/2026 (Chủ tịch UBND tỉnh)');
  });
});

describe('safety', () => {
  const hostile: Task = {
    ...task,
    title: 'Báo cáo <script>alert("x")</script> & "trích yếu"\r\nBcc: evil@example.com',
    content: '<img src=x onerror=alert(1)>',
    source: { ...task.source, subject: 'V/v <b>in đậm</b>' },
  };

  it('escapes every task text in HTML, keeps it as written in plain text', () => {
    const r = render(step('r-b2wd'), hostile);
    expect(r.html).not.toContain('<script>');
    expect(r.html).not.toContain('<img');
    expect(r.html).not.toContain('<b>in đậm</b>');
    expect(r.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;trích yếu&quot;');
    expect(r.text).toContain('<img src=x onerror=alert(1)>');
  });

  it('subjects carry no line break or control character (no header injection)', () => {
    const r = render(step('r-b2wd'), hostile);
    expect(r.subject).not.toMatch(/[\r\n\u0000-\u001f\u2028\u2029]/);
    expect(r.subject).toContain('"trích yếu" Bcc: evil@example.com');
    expect(cleanSubject(`a\u2028b\u0000c\r\n\td${'x'.repeat(300)}`)).toMatch(/^a b c dx+…$/);
    expect(cleanSubject('x'.repeat(300))).toHaveLength(250);
  });

  it('everything comes out NFC, whatever the input', () => {
    const nfd: Task = { ...task, title: task.title.normalize('NFD') };
    const r = render(step('r-b5wd'), nfd);
    for (const part of [r.subject, r.text, r.html]) {
      expect(part).toBe(part.normalize('NFC'));
      expect(part).toContain(task.title);
    }
  });
});

describe('the digest', () => {
  it('lists overdue and due-soon tasks by body', () => {
    const source = { number: '1510/UBND-TH', date: '2022-04-16', issuer: ISSUER, item: '2' };
    const other = makeTask(calendar, org, { title: 'Báo cáo quý I', source, lead: 'STC', assigned_on: '2026-01-05', deadline: '2026-03-04' });
    const d = planDigest([task, other], policy, calendar, org, day('2026-02-27'))!;
    const r = renderNotification(templates, d, { org, calendar });
    expect(r.subject).toBe('Tổng hợp nhiệm vụ ngày 27/02/2026: 1 quá hạn, 1 sắp đến hạn');
    expect(r.text).toMatch(/^Kính gửi: Chánh Văn phòng UBND tỉnh\n/);
    expect(r.text).toContain('\nSở Tài chính\n1. Báo cáo quý I — Công văn số 1510/UBND-TH ngày 16/04/2022 của UBND tỉnh Thái Nguyên (mục 2) — thời hạn 04/03/2026 — Còn 3 ngày làm việc\n');
    expect(r.text).toContain(`\nSở Y tế\n2. ${task.title} — Công văn số 1510/UBND-TH ngày 16/04/2022 của UBND tỉnh Thái Nguyên (mục 9) — thời hạn 14/02/2026 (kết thúc 23/02/2026) — Quá hạn 4 ngày làm việc\n`);
    expect(r.html).toContain('<h3 style="margin:20px 0 6px;font-size:16px">Sở Y tế</h3>');
  });
});

describe('template directories', () => {
  it('an admin directory overrides file by file', () => {
    const dir = path.join(tmp, 'mine');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'reminder.subject.hbs'), '[Tỉnh] {{task.title}} — hạn {{effectiveDeadline}}\n');
    const mine = loadTemplates(dir);
    const r = renderNotification(mine, step('r-b5wd'), { org, calendar, task, basis });
    expect(r.subject).toBe(`[Tỉnh] ${task.title} — hạn 23/02/2026`);
    expect(r.text).toContain(RULE); // body parts still the shipped ones
  });

  it('a broken template is refused with its file', () => {
    const dir = path.join(tmp, 'broken');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'digest.html.hbs'), '{{#each groups}}<p>{{body}}</p>\n');
    fs.writeFileSync(path.join(dir, 'extra.subject.hbs'), 'x');
    try {
      loadTemplates(dir);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DondocError);
      const problems = (e as DondocError).problems.map((p) => `${path.basename(p.path)}: ${p.message}`);
      expect(problems[0]).toMatch(/^digest\.html\.hbs: template syntax: /);
      expect(problems).toContain('extra.html.hbs: missing: every template needs a .subject, .html and .txt part');
    }
  });
});

describe('the message', () => {
  const identity = { from: { name: 'Văn phòng UBND tỉnh Thái Nguyên', address: 'dondoc@thainguyen.example.gov.vn' }, messageIdDomain: 'dondoc.thainguyen.example.gov.vn' };

  it('cites other kinds of documents by their type', () => {
    expect(citeDocument({ number: '08/KH-UBND', date: day('2023-01-10'), issuer: 'UBND tỉnh Lạng Sơn' })).toBe('Kế hoạch số 08/KH-UBND ngày 10/01/2023 của UBND tỉnh Lạng Sơn');
    expect(citeDocument({ number: '79/VKS-VP', date: day('2023-01-16'), issuer: 'Viện kiểm sát nhân dân tỉnh Lạng Sơn' })).toBe('Công văn số 79/VKS-VP ngày 16/01/2023 của Viện kiểm sát nhân dân tỉnh Lạng Sơn');
    expect(citeDocument({ number: '45/2025/NĐ-CP', date: day('2025-02-28'), issuer: 'Chính phủ' })).toBe('Công văn số 45/2025/NĐ-CP ngày 28/02/2025 của Chính phủ');
  });

  it('is valid MIME with its Vietnamese intact, to one person, with a Message-ID from the copy id', async () => {
    const n = step('e2-a3wd');
    const rendered = render(n);
    const copies = copiesOf(n);
    // One copy per person: the head (addressed), the Office and the leader (informed).
    expect(copies.map((c) => [c.recipient.title, c.as])).toEqual([
      ['Giám đốc Sở Y tế', 'to'],
      ['Chánh Văn phòng UBND tỉnh', 'cc'],
      ['Phó Chủ tịch UBND tỉnh', 'cc'],
    ]);
    const build = (c: (typeof copies)[number]) =>
      copyMessage({ messageId: messageIdFor(c.id, identity.messageIdDomain), recipient: c.recipient, rendered, identity, notification: n.id, kind: kindHeader(n), items: [c.id], taskId: task.id });
    for (const c of copies) {
      const m = await simpleParser(await buildEml(build(c), new Date(n.at)));
      expect(m.messageId).toBe(`<${c.id}@dondoc.thainguyen.example.gov.vn>`);
      expect(m.subject).toBe(rendered.subject);
      expect(m.from?.value).toEqual([{ name: 'Văn phòng UBND tỉnh Thái Nguyên', address: 'dondoc@thainguyen.example.gov.vn' }]);
      expect((Array.isArray(m.to) ? m.to[0] : m.to)?.value).toEqual([{ name: c.recipient.title, address: c.recipient.email }]);
      expect(m.cc).toBeUndefined();
      expect(m.date?.toISOString()).toBe(new Date(n.at).toISOString());
      expect(m.headers.get('x-dondoc-notification')).toBe(n.id);
      expect(m.headers.get('x-dondoc-items')).toBe(c.id);
      expect(m.headers.get('x-dondoc-kind')).toBe('escalation-2');
      expect(m.text).toBe(rendered.text);
      expect(m.text).toContain(RULE);
      // The body still says whom it addresses and who else is informed.
      expect(m.html).toContain('Kính gửi: Giám đốc Sở Y tế');
      expect(m.text).toContain('Đồng gửi: Chánh Văn phòng UBND tỉnh; Phó Chủ tịch UBND tỉnh');
    }
    // The same copy always gives the same Message-ID; two copies never share one.
    const again = await simpleParser(await buildEml(build(copies[0]!), new Date(n.at)));
    expect(again.messageId).toBe(`<${copies[0]!.id}@dondoc.thainguyen.example.gov.vn>`);
    expect(new Set(copies.map((c) => c.id)).size).toBe(3);
  });
});
