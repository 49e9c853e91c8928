// The renderings of the fixture's June report: the xlsx read back with exceljs (sheet names,
// Vietnamese headers, figures and dates as cells), the CSV as Excel needs it (BOM, CRLF,
// quoting, no formula injection), the HTML escaped and printable, the JSON in API shape.
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseIsoDay } from '../../src/core/day.js';
import { type Report, buildReport } from '../../src/core/report.js';
import { renderCsv } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import { reportToJson } from '../../src/report/json.js';
import { renderReport } from '../../src/report/render.js';
import { LATE_COLUMNS, SUMMARY_COLUMNS } from '../../src/report/view.js';
import { SHEET_LATE, SHEET_SUMMARY, SHEET_TASKS } from '../../src/report/xlsx.js';
import { ESCALATIONS, RUN_AT, fixtureInputs, reportConfig, withLinkEvents } from './report-support.js';

const d = (s: string): number => parseIsoDay(s)!;

let report: Report;
beforeAll(async () => {
  const cfg = reportConfig();
  report = buildReport(withLinkEvents(await fixtureInputs()), cfg.calendar, cfg.org, { from: d('2022-06-01'), to: d('2022-06-30'), now: RUN_AT, escalations: ESCALATIONS });
});

const rowValues = (ws: ExcelJS.Worksheet, n: number): unknown[] => (ws.getRow(n).values as unknown[]).slice(1);
const findRow = (ws: ExcelJS.Worksheet, first: unknown): number => {
  for (let i = 1; i <= ws.rowCount; i++) if (ws.getRow(i).getCell(1).value === first) return i;
  return -1;
};

describe('xlsx', () => {
  it('has a summary sheet, the late tasks and every task, with Vietnamese headers and the figures as numbers', async () => {
    const out = await renderReport(report, 'xlsx');
    expect(out.fileName).toBe('bao-cao-2022-06-01_2022-06-30.xlsx');
    expect(out.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(out.content as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([SHEET_SUMMARY, SHEET_LATE, SHEET_TASKS]);

    const sum = wb.getWorksheet(SHEET_SUMMARY)!;
    expect(sum.getCell('A1').value).toBe('BÁO CÁO TÌNH HÌNH THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO');
    expect(String(sum.getCell('A2').value)).toBe('Kỳ báo cáo: từ ngày 01/06/2022 đến ngày 30/06/2022.');
    const header = findRow(sum, 'STT');
    expect(rowValues(sum, header)).toEqual(SUMMARY_COLUMNS.map((c) => c.header));
    expect(rowValues(sum, header).slice(0, 5)).toEqual(['STT', 'Mã đơn vị', 'Cơ quan, đơn vị chủ trì', 'Tổng số nhiệm vụ', 'Hoàn thành đúng hạn']);
    expect(rowValues(sum, header + 1)).toEqual([1, 'STC', 'Sở Tài chính', 5, 2, 1, 0, 2, 0, 0, 0, 0, 2, 2, 1, 40, 13.33]);
    expect(rowValues(sum, header + 4)).toEqual([4, 'SYT', 'Sở Y tế', 4, 1, 0, 0, 2, 1, 1, 1, 0, 0, 0, 0, 5, 2.5]);
    // The total row has no STT and no code (exceljs leaves empty cells out of `values`).
    const total = sum.getRow(header + 5);
    expect([total.getCell(1).value, total.getCell(2).value, total.getCell(3).value]).toEqual([null, null, 'Tổng cộng']);
    expect(rowValues(sum, header + 5).slice(3)).toEqual([12, 4, 2, 0, 5, 1, 1, 1, 1, 2, 2, 1, 72, 10.29]);
    expect(sum.getCell(header + 5, 3).font?.bold).toBe(true);
    expect(sum.getCell(header + 1, 1).font?.name).toBe('Times New Roman');

    const late = wb.getWorksheet(SHEET_LATE)!;
    const lh = findRow(late, 'STT');
    expect(rowValues(late, lh)).toEqual(LATE_COLUMNS.map((c) => c.header));
    expect(late.rowCount).toBe(lh + 7);
    const t3 = late.getRow(lh + 2);
    expect(t3.getCell(2).value).toBe('rpt-t3');
    expect(t3.getCell(4).value).toBe('Rà soát <script>alert("x")</script> & tổng hợp nhu cầu kinh phí');
    expect(t3.getCell(5).value).toBe('Sở Tài chính');
    expect(t3.getCell(6).value).toBe('Công văn số 2500/UBND-TH ngày 20/04/2022 của UBND tỉnh Thái Nguyên, mục 3');
    expect(t3.getCell(7).value).toBe('15/06/2022');
    // D and the completion are real dates shown dd/mm/yyyy; working days late a number.
    expect(t3.getCell(8).value).toEqual(new Date(Date.UTC(2022, 5, 15)));
    expect(t3.getCell(8).numFmt).toBe('dd/mm/yyyy');
    expect(t3.getCell(9).value).toEqual(new Date(Date.UTC(2022, 5, 20)));
    expect(t3.getCell(10).value).toBe(3);
    const t5 = late.getRow(lh + 1);
    expect([t5.getCell(2).value, t5.getCell(9).value, t5.getCell(10).value, t5.getCell(11).value]).toEqual(['rpt-t5', 'chưa hoàn thành', 29, 'Đang thực hiện quá hạn (từ kỳ trước)']);
    expect(t5.getCell(12).value).toBe('Lê Văn C');

    const all = wb.getWorksheet(SHEET_TASKS)!;
    expect(all.rowCount).toBe(findRow(all, 'STT') + 12);
  });
});

describe('csv', () => {
  it('starts with a BOM, uses CRLF, quotes what needs it and guards formulas', () => {
    const csv = renderCsv(report);
    expect(csv.startsWith('\uFEFFBÁO CÁO TÌNH HÌNH THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO\r\n')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toContain('1,STC,Sở Tài chính,5,2,1,0,2,0,0,0,0,2,2,1,40,13.33');
    expect(lines).toContain(',,Tổng cộng,12,4,2,0,5,1,1,1,1,2,2,1,72,10.29');
    expect(lines.find((l) => l.includes('rpt-t3'))).toBe(
      '2,rpt-t3,,"Rà soát <script>alert(""x"")</script> & tổng hợp nhu cầu kinh phí",Sở Tài chính,"Công văn số 2500/UBND-TH ngày 20/04/2022 của UBND tỉnh Thái Nguyên, mục 3",15/06/2022,15/06/2022,20/06/2022,3,Hoàn thành quá hạn,Lê Văn C',
    );
    expect(lines.find((l) => l.includes('rpt-t10'))).toContain(',29/06/2022,29/06/2022,chưa hoàn thành,1,Đang thực hiện quá hạn,');
    const evil = { ...report, rows: [{ ...report.rows[0]!, title: '=HYPERLINK("http://x","y")', status: 'late' as const, workingDaysLate: 1 }] };
    expect(renderCsv(evil)).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
  });
});

describe('html', () => {
  it('escapes every text (a title with <script> stays text) and prints the scope', () => {
    const html = renderHtml(report);
    expect(html).not.toContain('<script>');
    expect(html).toContain('Rà soát &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; tổng hợp nhu cầu kinh phí');
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('@page { size: A4 landscape');
    expect(html).toContain('Số liệu tính đến hết ngày 30/06/2022');
    expect(html).toContain('Không tính 1 nhiệm vụ đã hủy/thu hồi.');
    expect(html).toMatch(/II\. Danh sách nhiệm vụ hoàn thành quá hạn và đang thực hiện quá hạn \(7\)/);
    expect((html.match(/<tr class="total">/g) ?? []).length).toBe(1);
  });

  it('escapes names from the directory too', () => {
    const r = { ...report, bodies: report.bodies.map((b, i) => (i === 0 ? { ...b, name: 'Sở <b>Tài</b> "chính"' } : b)) };
    expect(renderHtml(r)).toContain('Sở &lt;b&gt;Tài&lt;/b&gt; &quot;chính&quot;');
  });
});

describe('json', () => {
  it('speaks the API shape with the scope, notes and every row', () => {
    const j = reportToJson(report) as Record<string, any>;
    expect(j).toMatchObject({ report: 'dondoc.report', version: 1, from: '2022-06-01', to: '2022-06-30', as_of: '2022-07-01T00:00:00+07:00', end_day: '2022-06-30' });
    expect(j.totals).toEqual({
      assigned: 12,
      on_time: 4,
      late: 2,
      within_deadline: 0,
      overdue: 5,
      no_deadline: 1,
      extensions_requested: 1,
      extensions_approved: 1,
      noncooperation: 1,
      escalations: { level1: 2, level2: 2, level3: 1 },
      working_days_late: 72,
      average_working_days_late: 10.29,
    });
    expect(j.late_tasks).toHaveLength(7);
    expect(j.tasks).toHaveLength(12);
    expect(j.late_tasks[0]).toMatchObject({ id: 'rpt-t5', effective_deadline: '2022-05-20', completed_on: null, working_days_late: 29, carried_over: true, head: 'Lê Văn C', status_label: 'Đang thực hiện quá hạn' });
    expect(j.scope[0]).toBe('Kỳ báo cáo: từ ngày 01/06/2022 đến ngày 30/06/2022.');
    expect(j.notes).toEqual([]);
    expect(j.noncooperation).toEqual([{ task: 'rpt-t4', body: 'STNMT', reported_by: 'STC', at: '2022-06-22T10:00:00+07:00', reason: 'Chưa cung cấp số liệu đất đai' }]);
  });

  it('says when a zero means "no data yet"', async () => {
    const cfg = reportConfig();
    const bare = buildReport(await fixtureInputs(), cfg.calendar, cfg.org, { from: d('2022-06-01'), to: d('2022-06-30'), now: RUN_AT });
    const notes = (reportToJson(bare) as { notes: string[] }).notes;
    expect(notes).toHaveLength(3);
    expect(notes[0]).toMatch(/Chưa có dữ liệu đề nghị gia hạn/);
    expect(notes[2]).toMatch(/đôn đốc quá hạn/);
  });
});
