// The weekly summary to Sở Nội vụ: when it is due (configured weekday and time, moved past days
// off: Tết 2026 puts two weeks' summaries on Monday 23/02), and the mail itself — addressed by
// role through the directory, the week's figures in the text, the xlsx attached.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { parseIsoDay } from '../../src/core/day.js';
import { buildReport } from '../../src/core/report.js';
import { dueWeeklySlots, nextWeeklySlot, weeklyReportMail, weeklySlotOfWeek } from '../../src/report/weekly.js';
import { SHEET_SUMMARY } from '../../src/report/xlsx.js';
import { at, fixtureInputs, makeInput, reportConfig } from './report-support.js';

const d = (s: string): number => parseIsoDay(s)!;

describe('when the weekly summary is due', () => {
  const cfg = reportConfig();
  const weekly = cfg.config.accountability.reports.weekly;

  it('reads the config: Monday 08:00 to Sở Nội vụ, cc the Provincial Office', () => {
    expect(weekly).toEqual({ enabled: true, weekday: 1, day: 'monday', minute: 480, to: ['home_affairs'], cc: ['provincial_office'] });
  });

  it('goes out Monday 08:00 and covers the week before', () => {
    expect(weeklySlotOfWeek(d('2022-06-15'), weekly, cfg.calendar)).toEqual({ id: 'weekly-report-2022-06-06', at: at('2022-06-13T08:00'), from: d('2022-06-06'), to: d('2022-06-12') });
  });

  it('moves past days off, and can put two summaries on one morning (Tết 2026)', () => {
    expect(weeklySlotOfWeek(d('2026-02-16'), weekly, cfg.calendar)).toMatchObject({ id: 'weekly-report-2026-02-09', at: at('2026-02-23T08:00') });
    expect(dueWeeklySlots(weekly, cfg.calendar, at('2026-02-23T08:00')).map((s) => s.id)).toEqual(['weekly-report-2026-02-09', 'weekly-report-2026-02-16']);
    expect(dueWeeklySlots(weekly, cfg.calendar, at('2026-02-23T07:59'))).toEqual([]);
    expect(nextWeeklySlot(weekly, cfg.calendar, at('2026-02-16T09:00'))).toMatchObject({ at: at('2026-02-23T08:00') });
  });

  it('is due for a week after its time; nothing when disabled', () => {
    expect(dueWeeklySlots(weekly, cfg.calendar, at('2022-06-19T20:00')).map((s) => s.id)).toEqual(['weekly-report-2022-06-06']);
    expect(dueWeeklySlots({ ...weekly, enabled: false }, cfg.calendar, at('2022-06-13T09:00'))).toEqual([]);
    expect(nextWeeklySlot({ ...weekly, weekday: 3, minute: 14 * 60 }, cfg.calendar, at('2022-06-13T09:00'))).toMatchObject({ at: at('2022-06-15T14:00') });
  });
});

describe('the weekly mail', () => {
  it('carries the figures and the xlsx, addressed by role', async () => {
    const cfg = reportConfig();
    const now = at('2022-06-13T08:00');
    const slot = weeklySlotOfWeek(d('2022-06-13'), cfg.config.accountability.reports.weekly, cfg.calendar);
    const report = buildReport(await fixtureInputs(at('2022-07-15T09:00')), cfg.calendar, cfg.org, { from: slot.from, to: slot.to, now });
    const mail = await weeklyReportMail(report, slot, cfg.config.accountability.reports.weekly, cfg.org, cfg.calendar, { now, senderName: 'Hệ thống dondoc' });
    expect(mail.id).toBe('weekly-report-2022-06-06');
    expect(mail.to.map((r) => r.email)).toEqual(['giamdoc.snv@thainguyen.example.gov.vn']);
    expect(mail.cc.map((r) => r.email)).toEqual(['chanhvanphong.vpubnd@thainguyen.example.gov.vn']);
    expect(mail.warnings).toEqual([]);
    // 06–12/06: t1 on time (10/06), t16 late (07/06); t2 (D 13/06) and t8 (extended to 17/06)
    // are out; t5 and t15's May report are still overdue, carried over.
    expect(report.totals).toMatchObject({ assigned: 4, onTime: 1, late: 1, overdue: 2 });
    expect(mail.subject).toBe('Báo cáo tình hình thực hiện nhiệm vụ tuần từ ngày 06/06/2022 đến ngày 12/06/2022: 2 quá hạn, 1 hoàn thành quá hạn');
    expect(mail.text).toMatch(/^Kính gửi: Giám đốc Sở Nội vụ\n/);
    expect(mail.text).toContain('2. Hoàn thành đúng hạn: 1');
    expect(mail.text).toContain('1. Sở Tài chính: 0 hoàn thành quá hạn, 1 đang quá hạn\n2. Sở Tài nguyên và Môi trường: 1 hoàn thành quá hạn, 0 đang quá hạn\n3. Sở Giáo dục và Đào tạo: 0 hoàn thành quá hạn, 1 đang quá hạn');
    expect(mail.text).toContain('Đồng gửi: Chánh Văn phòng UBND tỉnh');
    expect(mail.text).toContain('Mã thông báo: weekly-report-2022-06-06.');
    expect(mail.html).toContain('<li>Tổng số nhiệm vụ: 4</li>');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['bao-cao-2022-06-06_2022-06-12.xlsx']);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(mail.attachments[0]!.content as unknown as ArrayBuffer);
    expect(wb.getWorksheet(SHEET_SUMMARY)?.getCell('A1').value).toBe('BÁO CÁO TÌNH HÌNH THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO');
  });
});

describe('the weekly summary says what happened in the week, whatever the deadline', () => {
  it('16–22/02/2026: a task due 10/02 done late on 20/02; the next week, one newly overdue, one overdue since January', async () => {
    const cfg = reportConfig();
    const weekly = cfg.config.accountability.reports.weekly;
    const now = at('2026-02-23T08:00');
    const inputs = [
      makeInput({ id: 'w-late', lead: 'STC', source: { number: '10/UBND-TH', date: '2026-01-05', issuer: 'UBND tỉnh Thái Nguyên', item: '1' }, deadline: '2026-02-10', events: [{ type: 'completed', on: '2026-02-20' }] }, now),
      makeInput({ id: 'w-new', lead: 'SYT', source: { number: '10/UBND-TH', date: '2026-01-05', issuer: 'UBND tỉnh Thái Nguyên', item: '2' }, deadline: '2026-02-25' }, now),
      makeInput({ id: 'w-old', lead: 'SYT', source: { number: '10/UBND-TH', date: '2026-01-05', issuer: 'UBND tỉnh Thái Nguyên', item: '3' }, deadline: '2026-01-30' }, now),
      makeInput({ id: 'w-ontime', lead: 'SGDDT', source: { number: '10/UBND-TH', date: '2026-01-05', issuer: 'UBND tỉnh Thái Nguyên', item: '4' }, deadline: '2026-03-31', events: [{ type: 'completed', on: '2026-02-17' }] }, now),
    ];
    const slot = weeklySlotOfWeek(d('2026-02-23'), weekly, cfg.calendar);
    expect(slot).toMatchObject({ id: 'weekly-report-2026-02-16', from: d('2026-02-16'), to: d('2026-02-22') });
    const report = buildReport(inputs, cfg.calendar, cfg.org, { from: slot.from, to: slot.to, now });
    // The week is all Tết: no deadline falls in it; the task due 10/02 was finished late in it.
    expect(report.activity?.totals).toEqual({ completedOnTime: 1, completedLate: 1, newlyOverdue: 0, stillOverdue: 1 });
    const mail = await weeklyReportMail(report, slot, weekly, cfg.org, cfg.calendar, { now });
    expect(mail.text).toContain('Trong tuần:\n\n1. Hoàn thành đúng hạn: 1\n2. Hoàn thành quá hạn: 1\n3. Mới quá hạn (hết hạn trong tuần, chưa hoàn thành): 0\n4. Vẫn quá hạn (quá hạn từ trước tuần, chưa hoàn thành): 1');
    expect(mail.subject).toBe('Báo cáo tình hình thực hiện nhiệm vụ tuần từ ngày 16/02/2026 đến ngày 22/02/2026: 1 quá hạn, 1 hoàn thành quá hạn');
    expect(mail.text).toContain('Sở Tài chính: 1 hoàn thành quá hạn, 0 đang quá hạn');

    const next = weeklySlotOfWeek(d('2026-03-02'), weekly, cfg.calendar);
    const later = at('2026-03-02T08:00');
    const r2 = buildReport(inputs, cfg.calendar, cfg.org, { from: next.from, to: next.to, now: later });
    expect(r2.activity?.totals).toEqual({ completedOnTime: 0, completedLate: 0, newlyOverdue: 1, stillOverdue: 1 });
    expect(r2.activity?.rows.map((r) => [r.taskId, r.kind])).toEqual([
      ['w-old', 'still_overdue'],
      ['w-new', 'newly_overdue'],
    ]);
    const mail2 = await weeklyReportMail(r2, next, weekly, cfg.org, cfg.calendar, { now: later });
    expect(mail2.text).toContain('Sở Y tế: 0 hoàn thành quá hạn, 2 đang quá hạn');
  });
});

