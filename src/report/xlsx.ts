// The report as an .xlsx workbook, ready to attach to a letter: a summary sheet per body with
// the statement of scope, the list of late tasks, and every task in scope (for checking the
// figures). Times New Roman (Nghị định 30/2020/NĐ-CP, the font of official documents), A4
// landscape fitted to the page width, headers frozen and filterable.
import ExcelJS from 'exceljs';
import { ymdFromDay } from '../core/day.js';
import type { Report } from '../core/report.js';
import {
  type Cell,
  type Column,
  LATE_COLUMNS,
  REPORT_TITLE,
  SUMMARY_COLUMNS,
  TASK_COLUMNS,
  noteLines,
  lateLines,
  periodText,
  scopeLines,
  summaryLines,
  taskLines,
} from './view.js';

export const SHEET_SUMMARY = 'Tổng hợp';
export const SHEET_LATE = 'Nhiệm vụ chậm, muộn';
export const SHEET_TASKS = 'Danh sách nhiệm vụ';

const FONT = { name: 'Times New Roman', size: 12 };
const THIN = { style: 'thin' as const };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

// One style object per look, shared by every cell that has it: exceljs writes a shared object
// once, where a fresh object per cell makes a large report many times slower (bench/report.ts).
// A shared style must never be changed through a cell (cell.font = … would change them all).
const styles = new Map<string, Partial<ExcelJS.Style>>();
function styleFor(kind: Cell['kind'], decimals: number | undefined, bold: boolean): Partial<ExcelJS.Style> {
  const numFmt = kind === 'date' ? 'dd/mm/yyyy' : kind === 'number' && decimals !== undefined ? `0.${'0'.repeat(decimals)}` : undefined;
  const key = `${numFmt ?? ''}|${bold}`;
  let st = styles.get(key);
  if (!st) {
    st = { font: { ...FONT, bold }, alignment: { wrapText: true, vertical: 'top' }, border: BORDER, ...(numFmt ? { numFmt } : {}) };
    styles.set(key, st);
  }
  return st;
}

/** exceljs writes a JS Date as an Excel date; the wall-clock fields go in UTC (no zone shift). */
const excelDate = (day: number): Date => {
  const { year, month, day: d } = ymdFromDay(day);
  return new Date(Date.UTC(year, month - 1, d));
};

function setCell(target: ExcelJS.Cell, c: Cell, bold: boolean): void {
  if (c.kind === 'text' || c.kind === 'number') target.value = c.value;
  else if (c.kind === 'date') target.value = excelDate(c.value);
  target.style = styleFor(c.kind, c.kind === 'number' ? c.decimals : undefined, bold);
}

function titleRows(ws: ExcelJS.Worksheet, lines: readonly string[], width: number, bold = 0): number {
  let n = 0;
  for (const line of lines) {
    n++;
    ws.mergeCells(n, 1, n, width);
    const cell = ws.getCell(n, 1);
    cell.value = line;
    cell.font = { ...FONT, bold: n <= bold };
    cell.alignment = { wrapText: true, vertical: 'top', ...(n <= bold ? { horizontal: 'center' as const } : {}) };
    // A merged cell does not grow with its text: give long lines room.
    if (line.length > width * 14) ws.getRow(n).height = 16 * Math.ceil(line.length / (width * 14));
  }
  return n;
}

/** A table with a bold bordered header at `headerRow`; returns the last row written. */
function table<T>(ws: ExcelJS.Worksheet, headerRow: number, columns: ReadonlyArray<Column<T>>, rows: readonly T[], boldLast = false): number {
  columns.forEach((c, i) => {
    ws.getColumn(i + 1).width = c.width;
    const cell = ws.getCell(headerRow, i + 1);
    cell.value = c.header;
    cell.font = { ...FONT, bold: true };
    cell.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
    cell.border = BORDER;
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDE4EE' } };
  });
  rows.forEach((row, j) => {
    const r = headerRow + 1 + j;
    columns.forEach((c, i) => {
      setCell(ws.getCell(r, i + 1), c.cell(row), boldLast && j === rows.length - 1);
    });
  });
  ws.views = [{ state: 'frozen', ySplit: headerRow }];
  return headerRow + rows.length;
}

function printable(ws: ExcelJS.Worksheet, headerRow: number): void {
  ws.pageSetup = { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: `${headerRow}:${headerRow}` };
}

export async function renderXlsx(r: Report): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'dondoc';
  wb.created = new Date(r.generatedAt);

  const summary = wb.addWorksheet(SHEET_SUMMARY);
  const top = titleRows(summary, [REPORT_TITLE, ...scopeLines(r), ...noteLines(r)], SUMMARY_COLUMNS.length, 1);
  const header = top + 2;
  table(summary, header, SUMMARY_COLUMNS, summaryLines(r), true);
  printable(summary, header);

  const late = wb.addWorksheet(SHEET_LATE);
  const lateTop = titleRows(late, [`DANH SÁCH NHIỆM VỤ HOÀN THÀNH QUÁ HẠN VÀ ĐANG THỰC HIỆN QUÁ HẠN`, `${periodText(r)}.`], LATE_COLUMNS.length, 1);
  const lateRowsList = lateLines(r);
  table(late, lateTop + 2, LATE_COLUMNS, lateRowsList);
  late.autoFilter = { from: { row: lateTop + 2, column: 1 }, to: { row: lateTop + 2 + lateRowsList.length, column: LATE_COLUMNS.length } };
  printable(late, lateTop + 2);

  const all = wb.addWorksheet(SHEET_TASKS);
  const allTop = titleRows(all, ['DANH SÁCH NHIỆM VỤ TRONG PHẠM VI BÁO CÁO', `${periodText(r)}.`], TASK_COLUMNS.length, 1);
  const allRows = taskLines(r);
  table(all, allTop + 2, TASK_COLUMNS, allRows);
  all.autoFilter = { from: { row: allTop + 2, column: 1 }, to: { row: allTop + 2 + allRows.length, column: TASK_COLUMNS.length } };
  printable(all, allTop + 2);

  return Buffer.from(await wb.xlsx.writeBuffer());
}
