// The drafted rows as the register `dondoc import` reads: the same Vietnamese headers, one
// row per task, plus review columns whose headers name no import field ("Rà soát: …"), so a
// clerk can correct the sheet and import it as it is. Written as .xlsx (exceljs) or .csv
// (UTF-8 with BOM, as Excel expects).
import fs from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { formatVnDay } from '../core/day.js';
import type { Deadline } from '../core/task.js';
import type { Draft, DraftRow } from './draft.js';

export const COLUMNS = ['STT', 'Số, ký hiệu văn bản', 'Ngày ban hành', 'Cơ quan ban hành', 'Trích yếu', 'Mục', 'Tên nhiệm vụ', 'Nội dung nhiệm vụ', 'Đơn vị chủ trì', 'Đơn vị phối hợp', 'Thời hạn'] as const;
/** Review columns: `import` ignores them (no header of theirs names a field). */
export const REVIEW_COLUMNS = ['Rà soát: cần xem lại', 'Rà soát: độ tin cậy', 'Rà soát: báo cáo về', 'Rà soát: trích dẫn', 'Rà soát: người ký'] as const;

const CONFIDENCE = { high: 'cao', medium: 'vừa', low: 'thấp' } as const;
const FREQ = { yearly: 'Hằng năm', quarterly: 'Hằng quý', monthly: 'Hằng tháng' } as const;

const hm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const deadlineCell = (d: Deadline | null | undefined): string => (d === undefined ? '' : d === null ? 'Thường xuyên' : `${formatVnDay(d.day)}${d.minute !== undefined ? ` ${hm(d.minute)}` : ''}`);

/** What the "Đơn vị chủ trì" cell says: the body's name, or the ALL / unknown text for review. */
export function leadCell(r: DraftRow): string {
  const v = r.lead.value;
  if (!v) return '';
  if ('code' in v) return v.name;
  if ('all' in v) return `ALL: ${v.list.join('; ')}`;
  return v.unknown;
}

function timeCell(r: DraftRow): string {
  if (r.recurrence) {
    const { freq, month, day } = r.recurrence.value;
    if (day === undefined) return FREQ[freq];
    return `${FREQ[freq]}, trước ngày ${day}${freq === 'yearly' && month ? `/${month}` : ''}`;
  }
  return deadlineCell(r.deadline.value);
}

export function draftRowCells(r: DraftRow, i: number): string[] {
  const fields: Array<[string, { confidence: string; from?: { text: string } } | undefined]> = [
    ['mục', r.item],
    ['chủ trì', r.lead],
    ['phối hợp', r.coordinators.value.length || r.coordinators.confidence !== 'high' ? r.coordinators : undefined],
    ['thời hạn', r.deadline],
    ['định kỳ', r.recurrence],
  ];
  const shown = fields.filter((f): f is [string, NonNullable<(typeof fields)[number][1]>] => f[1] !== undefined);
  return [
    String(i + 1),
    r.number ?? '',
    r.date !== undefined ? formatVnDay(r.date) : '',
    r.issuer ?? '',
    r.subject ?? '',
    r.item.value,
    r.title,
    r.content,
    leadCell(r),
    r.coordinators.value.map((c) => c.name).join('; '),
    timeCell(r),
    r.flags.map((f) => f.message).join('\n'),
    shown.map(([k, f]) => `${k}: ${CONFIDENCE[f.confidence as keyof typeof CONFIDENCE]}`).join('; '),
    r.reportTo?.value.name ?? '',
    shown.filter(([, f]) => f.from).map(([k, f]) => `${k}: «${f.from!.text.replace(/\s+/g, ' ')}»`).join('\n'),
    r.signer ?? '',
  ];
}

/** The sheet as rows of text: the header, then one row per drafted task. */
export function draftGrid(draft: Draft): string[][] {
  return [[...COLUMNS, ...REVIEW_COLUMNS], ...draft.rows.map(draftRowCells)];
}

const csvCell = (s: string): string => (/[",;\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function draftCsv(draft: Draft): string {
  return `\ufeff${draftGrid(draft)
    .map((row) => row.map(csvCell).join(','))
    .join('\r\n')}\r\n`;
}

export async function writeDraftSheet(draft: Draft, file: string): Promise<void> {
  if (/\.csv$/i.test(file)) {
    await fs.writeFile(file, draftCsv(draft), 'utf8');
    return;
  }
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Nhiệm vụ');
  const grid = draftGrid(draft);
  ws.addRows(grid);
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  grid[0]!.forEach((h, i) => {
    ws.getColumn(i + 1).width = h.startsWith('Rà soát') || /Nội dung|Tên/.test(h) ? 50 : 18;
    ws.getColumn(i + 1).alignment = { wrapText: true, vertical: 'top' };
  });
  draft.rows.forEach((r, i) => {
    if (r.flags.length) ws.getRow(i + 2).getCell(COLUMNS.length + 1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFE0B2' } };
  });
  await wb.xlsx.writeFile(file);
}
