// The report as CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads the file
// as the Windows code page and mangles every diacritic), CRLF line ends, RFC 4180 quoting.
// Laid out like the workbook: title and scope lines, the summary table, then the list of late
// tasks, each after a blank line. Numbers are plain, with a decimal point (a data file: the
// workbook is the form for reading in Excel); dates dd/mm/yyyy.
import type { Report } from '../core/report.js';
import { type Cell, type Column, LATE_COLUMNS, REPORT_TITLE, SUMMARY_COLUMNS, cellText, lateLines, noteLines, scopeLines, summaryLines } from './view.js';

export const BOM = '\uFEFF';

// A cell starting with = + - @ is run as a formula by spreadsheet programs (CSV injection):
// a leading apostrophe keeps it text. Only text cells: numbers are written by us.
const guard = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

const quote = (s: string): string => (/[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

const field = (c: Cell): string => quote(c.kind === 'text' ? guard(c.value) : cellText(c, '.'));

function tableLines<T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[]): string[] {
  return [columns.map((c) => quote(c.header)).join(','), ...rows.map((row) => columns.map((c) => field(c.cell(row))).join(','))];
}

export function renderCsv(r: Report): string {
  const lines = [
    quote(REPORT_TITLE),
    ...[...scopeLines(r), ...noteLines(r)].map((l) => quote(guard(l))),
    '',
    ...tableLines(SUMMARY_COLUMNS, summaryLines(r)),
    '',
    quote('Danh sách nhiệm vụ hoàn thành quá hạn và đang thực hiện quá hạn'),
    ...tableLines(LATE_COLUMNS, lateLines(r)),
  ];
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
