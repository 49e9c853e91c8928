// Accountability mail end to end (issue 6 items 2 and 3): the weekly summary to Sở Nội vụ with
// the xlsx, and the repeat-lateness notice, sent by the engine's accountability pass with a real
// redis-server and SMTP server and a clock the test moves. Assertions are about what the SMTP
// server received and what the delivery log recorded.
import ExcelJS from 'exceljs';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messageIdFor } from '../../src/mail/message.js';
import { makeMetrics } from '../../src/http/metrics.js';
import { ADMIN_LOG, REPORTS_LOG } from '../../src/queue/names.js';
import { readUnaddressedCount } from '../../src/report/unaddressed-report.js';
import { transferBody } from '../../src/store/successors.js';
import { SHEET_SUMMARY } from '../../src/report/xlsx.js';
import { ADMIN, DOMAIN, type Harness, at, copyOf, makeHarness, until } from '../support/delivery-harness.js';
import { type PrivateRedis, startRedis } from '../support/redis-server.js';
import { type ReceivedMessage, type TestSmtp, startSmtp } from '../support/smtp-server.js';

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

const SNV = 'giamdoc.snv@thainguyen.example.gov.vn';
const VP = 'chanhvanphong.vpubnd@thainguyen.example.gov.vn';
// Only the worker: the task notifications of the scheduler loop are not what is tested here.
const WORKER = { roles: { scheduler: false, worker: true } };

const mid = (id: string): string => messageIdFor(id, DOMAIN);
const ofKind = (prefix: string): ReceivedMessage[] => smtp.messages.filter((m) => m.messageId?.startsWith(`<${prefix}`));

/** A late task of Sở Y tế (distinct title and item, so a distinct id) due on `deadline`. */
const lateTask = (n: number, deadline: string) =>
  h.task({ title: `Nhiệm vụ thử nghiệm số ${n} về y tế`, source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: String(100 + n) }, deadline });

describe('the weekly summary to Sở Nội vụ', () => {
  it('goes out once on Monday 08:00 with an xlsx that reads back', async () => {
    h = await makeHarness(server, smtp, { start: at('2022-07-04T07:45') });
    await h.task(); // 1510/UBND-TH item 9, due Thu 30/06/2022, still open: overdue in the week covered
    const e = await h.engine(WORKER);

    // Monday 04/07/2022 before 08:00: this week's is not due yet; a first start catches up
    // only on last week's (due within the past 7 days).
    const early = await e.accountabilityNow();
    expect(early.weekly.sent).toEqual(['weekly-report-2022-06-20']);
    await until(() => ofKind('weekly-report-2022-06-20').length === 2, 'last week\'s summary, to Sở Nội vụ and the Office');
    expect(ofKind('weekly-report-2022-06-27')).toHaveLength(0);

    h.clock.set(at('2022-07-04T08:00'));
    const pass = await e.accountabilityNow();
    expect(pass.weekly.sent).toEqual(['weekly-report-2022-06-27']);
    const copies = await until(() => (ofKind('weekly-report-2022-06-27').length === 2 ? ofKind('weekly-report-2022-06-27') : null), 'the summary');
    const m = copies.find((x) => x.envelope.to[0] === SNV);
    expect(m!.messageId).toBe(mid(copyOf('weekly-report-2022-06-27', SNV)));
    expect(m!.to.map((a) => a.address)).toEqual([SNV]);
    expect(m!.cc).toEqual([]);
    expect(copies.find((x) => x.envelope.to[0] === VP)!.messageId).toBe(mid(copyOf('weekly-report-2022-06-27', VP)));
    expect(m!.subject).toContain('từ ngày 27/06/2022 đến ngày 03/07/2022');
    expect(m!.subject).toContain('1 quá hạn');

    const parsed = await simpleParser(m!.raw);
    expect(parsed.attachments).toHaveLength(1);
    const file = parsed.attachments[0]!;
    expect(file.filename).toMatch(/\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.content as unknown as ArrayBuffer);
    const summary = wb.getWorksheet(SHEET_SUMMARY);
    expect(summary).toBeDefined();
    const cells: string[] = [];
    summary!.eachRow((row) => row.eachCell((c) => void cells.push(String(c.value))));
    expect(cells.some((c) => c.includes('Sở Y tế'))).toBe(true);

    expect(await e.log.get(REPORTS_LOG, 'weekly-report-2022-06-27')).toMatchObject({ state: 'released', kind: 'weekly_report', to: [SNV], cc: [VP] });
    const rec = await e.log.get(REPORTS_LOG, copyOf('weekly-report-2022-06-27', SNV));
    expect(rec).toMatchObject({ state: 'sent', kind: 'weekly_report', to: [SNV], cc: [], as: 'to', messageId: m!.messageId });

    // Running again, later that day, sends nothing more.
    h.clock.set(at('2022-07-04T10:00'));
    const again = await e.accountabilityNow();
    expect(again.weekly).toEqual({ sent: [], done: [] });
    await new Promise((r) => setTimeout(r, 200));
    expect(ofKind('weekly-report')).toHaveLength(4);
  });
});

describe('the repeat-lateness notice', () => {
  it('is sent once at each step, and again only in the next year', async () => {
    h = await makeHarness(server, smtp, { start: at('2022-12-20T09:00') });
    await lateTask(1, '2022-11-01');
    await lateTask(2, '2022-11-02');
    const e = await h.engine(WORKER);

    expect((await e.accountabilityNow()).lateness.sent).toEqual([]);

    // The third late task of the year: the threshold (3) is crossed.
    await lateTask(3, '2022-11-03');
    expect((await e.accountabilityNow()).lateness.sent).toEqual(['lateness-SYT-2022-3']);
    const first = await until(() => (ofKind('lateness').length >= 2 ? ofKind('lateness') : null), 'the first notice');
    const n1 = first.find((x) => x.envelope.to[0] === SNV);
    expect(n1!.messageId).toBe(mid(copyOf('lateness-SYT-2022-3', SNV)));
    expect(n1!.to.map((a) => a.address)).toEqual([SNV]);
    expect(n1!.cc).toEqual([]);
    expect(n1!.subject).toContain('Sở Y tế: 3 nhiệm vụ quá hạn trong năm 2022');

    // Again, and with a fourth late task (below the next step, 5): nothing more.
    expect((await e.accountabilityNow()).lateness.sent).toEqual([]);
    await lateTask(4, '2022-11-04');
    expect((await e.accountabilityNow()).lateness.sent).toEqual([]);

    // The fifth reaches the next step: one more notice.
    await lateTask(5, '2022-11-07');
    expect((await e.accountabilityNow()).lateness.sent).toEqual(['lateness-SYT-2022-5']);
    expect((await e.accountabilityNow()).lateness.sent).toEqual([]);

    // Outside office hours (Tuesday evening) nothing is looked at, let alone sent.
    h.clock.set(at('2022-12-20T20:00'));
    expect((await e.accountabilityNow()).idle).toBe('outside office hours');

    // Into the next year: 2022's tasks stay in 2022's count (already told); 2023 counts afresh.
    h.clock.set(at('2023-01-10T09:00'));
    expect((await e.accountabilityNow()).lateness.sent).toEqual([]);
    await lateTask(6, '2023-01-03');
    await lateTask(7, '2023-01-04');
    expect((await e.accountabilityNow()).lateness.sent).toEqual([]);
    await lateTask(8, '2023-01-05');
    expect((await e.accountabilityNow()).lateness.sent).toEqual(['lateness-SYT-2023-3']);
    expect((await e.accountabilityNow()).lateness.sent).toEqual([]);

    await new Promise((r) => setTimeout(r, 200));
    expect(ofKind('lateness').filter((m) => m.envelope.to[0] === SNV).map((m) => m.messageId)).toEqual([
      mid(copyOf('lateness-SYT-2022-3', SNV)),
      mid(copyOf('lateness-SYT-2022-5', SNV)),
      mid(copyOf('lateness-SYT-2023-3', SNV)),
    ]);
    expect(ofKind('lateness')).toHaveLength(6);
    const last = ofKind('lateness-SYT-2023')[0]!;
    expect(last.subject).toContain('3 nhiệm vụ quá hạn trong năm 2023');
    expect(await e.log.get(REPORTS_LOG, copyOf('lateness-SYT-2023-3', SNV))).toMatchObject({ state: 'sent', kind: 'lateness_notice' });
  });
});

describe('a task that reminds nobody', () => {
  it('is reported to delivery.admin_email once, and counted in /metrics', async () => {
    h = await makeHarness(server, smtp, { start: at('2022-06-20T09:00') });
    const id = await h.task(); // Sở Y tế, due 30/06/2022
    const other = await h.task({ title: 'Một nhiệm vụ khác của Sở Y tế', source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: '10' } });
    // The directory changed under it: its lead body is gone (a code no longer in the directory).
    await h.store.apply(id, (t) => transferBody(t, 'SYT', 'SYT-CU', 'thử nghiệm: đơn vị không còn trong danh bạ', { by: 'test', now: h.clock.now() }));
    const e = await h.engine(WORKER);
    const metrics = makeMetrics({ defaultMetrics: false });
    metrics.setSources({ unaddressed: () => readUnaddressedCount(h.redis, h.prefix) });
    expect((await metrics.render()).body).toMatch(/^dondoc_tasks_unaddressed 0$/m);

    const pass = await e.accountabilityNow();
    const reportId = `unaddressed-${id}-SYT-CU`;
    expect(pass.unaddressed).toEqual({ count: 1, sent: [reportId], done: [] });
    const [m] = await until(() => (ofKind('unaddressed').length ? ofKind('unaddressed') : null), 'the report to the admin');
    expect(m!.to.map((a) => a.address)).toEqual([ADMIN]);
    expect(m!.messageId).toBe(mid(reportId));
    expect(m!.subject).toBe('[dondoc] Nhiệm vụ không ai nhận được thư nhắc: Chuẩn bị điều kiện tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 đến dưới 12 tuổi');
    expect(m!.text).toContain(`Mã nhiệm vụ: ${id}`);
    expect(m!.text).toContain('đơn vị chủ trì "SYT-CU" không có trong danh bạ cơ quan');
    expect(await e.log.get(ADMIN_LOG, reportId)).toMatchObject({ state: 'sent', kind: 'unaddressed_report', to: [ADMIN] });
    expect((await metrics.render()).body).toMatch(/^dondoc_tasks_unaddressed 1$/m);

    // Later passes count it again but never tell the admin twice; the other task is fine.
    h.clock.set(at('2022-06-21T09:00'));
    expect((await e.accountabilityNow()).unaddressed).toEqual({ count: 1, sent: [], done: [reportId] });
    await new Promise((r) => setTimeout(r, 200));
    expect(ofKind('unaddressed')).toHaveLength(1);
    expect(smtp.messages.some((x) => x.text?.includes(other))).toBe(false);

    // Done: nothing to report, and the count goes back to 0.
    await h.service.complete(id, {}, 'test');
    expect((await e.accountabilityNow()).unaddressed).toEqual({ count: 0, sent: [], done: [] });
    expect((await metrics.render()).body).toMatch(/^dondoc_tasks_unaddressed 0$/m);
  });
});

