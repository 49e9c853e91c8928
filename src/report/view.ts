// What every rendering of a report shows, in one place: the Vietnamese title, the statement
// of scope (so a reader can check every figure), the notes on missing data, and the columns
// of the summary and task tables. The xlsx, csv, html and json renderers only lay these out.
import { type Day, formatIsoDay, formatVnDay } from '../core/day.js';
import { type Figures, type Report, type ReportRow, type RowStatus, lateRows } from '../core/report.js';
import { makeZone } from '../core/zone.js';
import { citeDocument, formatDeadlineVn } from '../mail/view.js';

export const REPORT_TITLE = 'BÁO CÁO TÌNH HÌNH THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO';

export const ROW_STATUS_LABELS: Record<RowStatus, string> = {
  on_time: 'Hoàn thành đúng hạn',
  late: 'Hoàn thành quá hạn',
  within_deadline: 'Đang thực hiện trong hạn',
  overdue: 'Đang thực hiện quá hạn',
  no_deadline: 'Không thời hạn',
};

export const NOT_DONE = 'chưa hoàn thành';

/** A cell: text, a whole or decimal number, a civil date (day number), or empty. */
export type Cell = { kind: 'text'; value: string } | { kind: 'number'; value: number; decimals?: number } | { kind: 'date'; value: Day } | { kind: 'empty' };

export interface Column<T> {
  header: string;
  /** Width in characters (xlsx). */
  width: number;
  cell(row: T): Cell;
}

const text = (value: string): Cell => ({ kind: 'text', value });
const num = (value: number, decimals?: number): Cell => ({ kind: 'number', value, ...(decimals !== undefined ? { decimals } : {}) });
const date = (value: Day | undefined): Cell => (value === undefined ? { kind: 'empty' } : { kind: 'date', value });

/** Cell → plain text (dd/mm/yyyy; decimals with a comma as Vietnamese write them, or a point for data files). */
export function cellText(c: Cell, decimal: ',' | '.' = ','): string {
  switch (c.kind) {
    case 'text':
      return c.value;
    case 'number':
      return c.decimals === undefined ? String(c.value) : c.value.toFixed(c.decimals).replace('.', decimal);
    case 'date':
      return formatVnDay(c.value);
    case 'empty':
      return '';
  }
}

export const FIGURE_COLUMNS: Array<Column<Figures>> = [
  { header: 'Tổng số nhiệm vụ', width: 10, cell: (f) => num(f.assigned) },
  { header: 'Hoàn thành đúng hạn', width: 11, cell: (f) => num(f.onTime) },
  { header: 'Hoàn thành quá hạn', width: 11, cell: (f) => num(f.late) },
  { header: 'Đang thực hiện trong hạn', width: 11, cell: (f) => num(f.withinDeadline) },
  { header: 'Đang thực hiện quá hạn', width: 11, cell: (f) => num(f.overdue) },
  { header: 'Không thời hạn', width: 10, cell: (f) => num(f.noDeadline) },
  { header: 'Đề nghị gia hạn (lượt)', width: 10, cell: (f) => num(f.extensionsRequested) },
  { header: 'Được gia hạn (lượt)', width: 10, cell: (f) => num(f.extensionsApproved) },
  { header: 'Báo cáo chưa phối hợp', width: 10, cell: (f) => num(f.noncooperation) },
  { header: 'Đôn đốc quá hạn cấp 1', width: 10, cell: (f) => num(f.escalations.level1) },
  { header: 'Đôn đốc quá hạn cấp 2', width: 10, cell: (f) => num(f.escalations.level2) },
  { header: 'Đôn đốc quá hạn cấp 3', width: 10, cell: (f) => num(f.escalations.level3) },
  { header: 'Tổng số ngày làm việc chậm', width: 11, cell: (f) => num(f.workingDaysLate) },
  { header: 'Số ngày làm việc chậm bình quân', width: 12, cell: (f) => (f.averageWorkingDaysLate === null ? { kind: 'empty' } : num(f.averageWorkingDaysLate, 2)) },
];

/** One line of the summary table: a body, or the total. */
export interface SummaryLine {
  index?: number;
  code: string;
  name: string;
  figures: Figures;
}

export const SUMMARY_COLUMNS: Array<Column<SummaryLine>> = [
  { header: 'STT', width: 5, cell: (l) => (l.index === undefined ? { kind: 'empty' } : num(l.index)) },
  { header: 'Mã đơn vị', width: 12, cell: (l) => (l.code ? text(l.code) : { kind: 'empty' }) },
  { header: 'Cơ quan, đơn vị chủ trì', width: 34, cell: (l) => text(l.name) },
  ...FIGURE_COLUMNS.map((c) => ({ header: c.header, width: c.width, cell: (l: SummaryLine) => c.cell(l.figures) })),
];

export const TOTAL_LABEL = 'Tổng cộng';

export function summaryLines(r: Report): SummaryLine[] {
  return [...r.bodies.map((b, i) => ({ index: i + 1, code: b.code, name: b.name, figures: b })), { code: '', name: TOTAL_LABEL, figures: r.totals }];
}

/** A task row with what the tables need around it. */
export interface TaskLine {
  index: number;
  row: ReportRow;
  bodyName: string;
}

export const citeSource = (row: ReportRow): string => `${citeDocument(row.source)}${row.source.item ? `, mục ${row.source.item}` : ''}`;

const deadlineText = (row: ReportRow): string => {
  if (!row.deadline) return 'Không thời hạn';
  const d = formatDeadlineVn(row.deadline);
  return row.originalDeadline ? `${d} (gia hạn từ ${formatDeadlineVn(row.originalDeadline)})` : d;
};

const completionCell = (row: ReportRow): Cell => (row.completedOn === undefined ? text(NOT_DONE) : date(row.completedOn));

/** The list of late tasks (the issue's columns), also the start of the full task list. */
export const LATE_COLUMNS: Array<Column<TaskLine>> = [
  { header: 'STT', width: 5, cell: (l) => num(l.index) },
  { header: 'Mã nhiệm vụ', width: 30, cell: (l) => text(l.row.taskId) },
  { header: 'Kỳ', width: 8, cell: (l) => text(l.row.occurrence === 'once' ? '' : l.row.occurrence) },
  { header: 'Nội dung nhiệm vụ', width: 50, cell: (l) => text(l.row.title) },
  { header: 'Cơ quan, đơn vị chủ trì', width: 28, cell: (l) => text(l.bodyName) },
  { header: 'Văn bản giao nhiệm vụ', width: 40, cell: (l) => text(citeSource(l.row)) },
  { header: 'Thời hạn', width: 20, cell: (l) => text(deadlineText(l.row)) },
  { header: 'Ngày đến hạn (Điều 148 BLDS)', width: 13, cell: (l) => date(l.row.effectiveDay) },
  { header: 'Ngày hoàn thành', width: 15, cell: (l) => completionCell(l.row) },
  { header: 'Số ngày làm việc chậm', width: 10, cell: (l) => (l.row.workingDaysLate === undefined ? { kind: 'empty' } : num(l.row.workingDaysLate)) },
  { header: 'Tình trạng', width: 22, cell: (l) => text(ROW_STATUS_LABELS[l.row.status] + (l.row.carriedOver ? ' (từ kỳ trước)' : '')) },
  { header: 'Người đứng đầu tại ngày đến hạn', width: 22, cell: (l) => text(l.row.head ?? '') },
];

export const TASK_COLUMNS: Array<Column<TaskLine>> = [
  ...LATE_COLUMNS,
  { header: 'Ngày giao', width: 12, cell: (l) => date(l.row.assignedOn) },
  { header: 'Đề nghị gia hạn (lượt)', width: 10, cell: (l) => num(l.row.extensionsRequested) },
  { header: 'Được gia hạn (lượt)', width: 10, cell: (l) => num(l.row.extensionsApproved) },
  { header: 'Đôn đốc quá hạn cấp 1', width: 10, cell: (l) => num(l.row.escalations.level1) },
  { header: 'Đôn đốc quá hạn cấp 2', width: 10, cell: (l) => num(l.row.escalations.level2) },
  { header: 'Đôn đốc quá hạn cấp 3', width: 10, cell: (l) => num(l.row.escalations.level3) },
];

const linesOf = (r: Report, rows: readonly ReportRow[]): TaskLine[] => {
  const names = new Map(r.bodies.map((b) => [b.code, b.name]));
  return rows.map((row, i) => ({ index: i + 1, row, bodyName: names.get(row.body) ?? row.body }));
};

export const lateLines = (r: Report): TaskLine[] => linesOf(r, lateRows(r));
export const taskLines = (r: Report): TaskLine[] => linesOf(r, r.rows);

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "hết ngày 30/06/2022" (the range has ended) or "09:15 ngày 15/06/2022". */
export function asOfText(r: Report): string {
  const zone = makeZone(r.zone);
  if (r.asOf === zone.startOfDay(r.to + 1)) return `hết ngày ${formatVnDay(r.to)}`;
  const m = Math.floor(zone.minuteOfDay(r.asOf));
  return `${pad2(Math.floor(m / 60))}:${pad2(m % 60)} ngày ${formatVnDay(zone.dayOf(r.asOf))}`;
}

export function instantText(zoneName: string, t: number): string {
  const zone = makeZone(zoneName);
  const m = Math.floor(zone.minuteOfDay(t));
  return `${pad2(Math.floor(m / 60))}:${pad2(m % 60)} ngày ${formatVnDay(zone.dayOf(t))}`;
}

export const periodText = (r: Report): string => `Kỳ báo cáo: từ ngày ${formatVnDay(r.from)} đến ngày ${formatVnDay(r.to)}${r.body ? `; đơn vị: ${r.body.name} (${r.body.code})` : ''}`;

/** How the figures were counted: printed under the title of every rendering. */
export function scopeLines(r: Report): string[] {
  const lines = [
    `${periodText(r)}.`,
    `Số liệu tính đến ${asOfText(r)}; việc hoàn thành, gia hạn, thu hồi ghi nhận sau thời điểm này không được tính.`,
    'Phạm vi: nhiệm vụ có ngày đến hạn trong kỳ (Điều 148 Bộ luật Dân sự 2015: thời hạn kết thúc vào ngày nghỉ thì kết thúc vào cuối ngày làm việc tiếp theo); ' +
      'nhiệm vụ đến hạn trước kỳ nhưng đến cuối kỳ vẫn quá hạn chưa hoàn thành; nhiệm vụ không thời hạn được giao trong kỳ. Nhiệm vụ định kỳ tính theo từng kỳ có hạn trong phạm vi.',
    `Số ngày làm việc chậm: từ ngày đến hạn đến ngày hoàn thành, hoặc đến ngày ${formatVnDay(r.endDay)} với nhiệm vụ chưa hoàn thành; tối thiểu 1 ngày.`,
    'Gia hạn, báo cáo chưa phối hợp và đôn đốc quá hạn: của các nhiệm vụ trong phạm vi, ghi nhận đến cuối kỳ; báo cáo chưa phối hợp tính cho đơn vị phối hợp bị nêu tên.',
  ];
  if (r.excluded.cancelled > 0) lines.push(`Không tính ${r.excluded.cancelled} nhiệm vụ đã hủy/thu hồi.`);
  return lines;
}

/** What the zeros mean when there is no data of a kind yet. */
export function noteLines(r: Report): string[] {
  const out: string[] = [];
  if (!r.sources.extensionRequests) out.push('Chưa có dữ liệu đề nghị gia hạn (chưa có phản hồi qua thư): cột "Đề nghị gia hạn" ghi 0.');
  if (!r.sources.noncooperation) out.push('Chưa có dữ liệu báo cáo đơn vị phối hợp chưa phối hợp: cột "Báo cáo chưa phối hợp" ghi 0.');
  if (!r.sources.escalations) out.push('Chưa có dữ liệu gửi thư đôn đốc quá hạn: các cột "Đôn đốc quá hạn" ghi 0.');
  if (r.frozen) out.push(`Số liệu đã được chốt lúc ${instantText(r.zone, r.frozen.at)}; các thay đổi sau đó không làm thay đổi báo cáo này.`);
  return out;
}

/** A file name like bao-cao-2022-06-01_2022-06-30-stc.xlsx. */
export function reportFileName(r: Report, ext: string): string {
  return `bao-cao-${formatIsoDay(r.from)}_${formatIsoDay(r.to)}${r.body ? `-${r.body.code.toLowerCase()}` : ''}.${ext}`;
}
