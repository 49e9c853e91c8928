// Column headers as a clerk writes them, or the English field names of the JSON shape.
// Matching ignores case, diacritics, spacing, punctuation and parenthesised hints
// ("Thời hạn (dd/mm/yyyy)"), so "Số, ký hiệu văn bản", "SO KY HIEU VAN BAN" and
// "source.number" all name the same column.
import { type Cell, cellText, foldKey, oneLine } from './text.js';

export const FIELDS = {
  id: ['id', 'Mã nhiệm vụ', 'Mã số nhiệm vụ', 'Mã', 'task id'],
  item: ['item', 'source.item', 'Mục', 'Mục số', 'Nhiệm vụ số', 'Số thứ tự nhiệm vụ', 'Khoản', 'Điểm'],
  stt: ['STT', 'TT', 'Số thứ tự', 'No'],
  number: ['Số, ký hiệu văn bản', 'Số ký hiệu', 'Số hiệu văn bản', 'Số văn bản', 'Ký hiệu văn bản', 'Số, ký hiệu', 'Số/ký hiệu', 'source.number', 'number', 'document number'],
  date: ['Ngày ban hành', 'Ngày văn bản', 'Ngày ký', 'Ngày tháng văn bản', 'Ngày, tháng văn bản', 'Ngày ban hành văn bản', 'source.date', 'date', 'document date'],
  document: ['Văn bản', 'Văn bản giao nhiệm vụ', 'Văn bản chỉ đạo', 'Số, ký hiệu, ngày ban hành', 'Số, ký hiệu, ngày tháng văn bản', 'Căn cứ', 'document'],
  issuer: ['Cơ quan ban hành', 'Đơn vị ban hành', 'Nơi ban hành', 'Cấp giao', 'issuer', 'source.issuer'],
  subject: ['Trích yếu', 'Trích yếu nội dung', 'Trích yếu văn bản', 'subject', 'source.subject'],
  title: ['Tên nhiệm vụ', 'Nhiệm vụ', 'Tiêu đề', 'title'],
  content: ['Nội dung nhiệm vụ', 'Nội dung', 'Nội dung công việc', 'Nội dung giao', 'Nội dung chỉ đạo', 'content'],
  kind: ['Loại', 'Loại nhiệm vụ', 'Phân loại', 'kind', 'type'],
  lead: ['Đơn vị chủ trì', 'Cơ quan chủ trì', 'Chủ trì', 'Đơn vị chủ trì thực hiện', 'Cơ quan, đơn vị chủ trì', 'Đơn vị thực hiện', 'Cơ quan thực hiện', 'Đơn vị được giao', 'lead'],
  coordinators: ['Đơn vị phối hợp', 'Cơ quan phối hợp', 'Phối hợp', 'Cơ quan, đơn vị phối hợp', 'coordinators'],
  leader: ['Lãnh đạo phụ trách', 'Lãnh đạo UBND tỉnh phụ trách', 'Lãnh đạo chỉ đạo', 'Lãnh đạo tỉnh phụ trách', 'leader'],
  assigned_on: ['Ngày giao', 'Ngày giao nhiệm vụ', 'assigned_on', 'assigned on'],
  received_at: ['Ngày nhận', 'Ngày nhận hồ sơ', 'Thời điểm nhận hồ sơ', 'received_at', 'received at'],
  deadline: ['Thời hạn', 'Thời hạn hoàn thành', 'Thời gian hoàn thành', 'Thời gian thực hiện', 'Hạn hoàn thành', 'Hạn xử lý', 'Hạn', 'deadline'],
  completed: ['Ngày hoàn thành', 'Ngày hoàn thành thực tế', 'completed', 'completed on', 'completed_on', 'completed_at'],
  extended_to: ['Gia hạn đến', 'Thời hạn gia hạn', 'Hạn mới', 'Ngày gia hạn', 'extended to', 'extended_to'],
  extension_document: ['Văn bản gia hạn', 'Văn bản cho phép gia hạn', 'Văn bản đồng ý gia hạn', 'extension document', 'extension_document'],
  extension_approver: ['Người duyệt gia hạn', 'Người cho phép gia hạn', 'Cấp duyệt gia hạn', 'approved by', 'approved_by'],
  notes: ['Ghi chú', 'notes', 'note'],
} as const;

export type Field = keyof typeof FIELDS;

/** How a missing column is named in messages: the Vietnamese header a clerk would add. */
export const FIELD_LABEL = (f: Field): string => FIELDS[f].find((a) => /[^\x00-\x7f]|^[A-Z]/.test(a)) ?? FIELDS[f][0];

const EXACT = new Map<string, Field>();
for (const [field, aliases] of Object.entries(FIELDS) as Array<[Field, readonly string[]]>) for (const a of aliases) EXACT.set(foldKey(a), field);
/** Longest first, so "Thời hạn gia hạn …" is not read as "Thời hạn". */
const PREFIXES = [...EXACT.entries()].filter(([k]) => k.length >= 6).sort((a, b) => b[0].length - a[0].length);

const headerKey = (s: string): string => foldKey(s.replace(/\([^)]*\)/g, ' '));

/** The field a header names, if any. */
export function fieldOfHeader(header: string): Field | undefined {
  const key = headerKey(header);
  if (key === '') return undefined;
  const exact = EXACT.get(key);
  if (exact) return exact;
  // "Đơn vị chủ trì thực hiện nhiệm vụ", "Nội dung nhiệm vụ được giao".
  return PREFIXES.find(([k]) => key.startsWith(k))?.[1];
}

export interface Column {
  index: number;
  /** The header as written (one line), for messages. */
  header: string;
}

export interface HeaderRow {
  /** 0-based index in the grid. */
  index: number;
  columns: Map<Field, Column>;
  /** Headers read as a field already taken by an earlier column. */
  duplicates: Array<{ header: string; field: Field }>;
}

const MAX_HEADER = 500;

/** Reads one row as headers. */
export function readHeaderRow(cells: readonly Cell[], index: number): HeaderRow {
  const columns = new Map<Field, Column>();
  const duplicates: HeaderRow['duplicates'] = [];
  cells.forEach((c, i) => {
    // A header is a few words: a long cell (a 10 MB item text) is not one, and is not read here.
    if (typeof c === 'string' && c.length > MAX_HEADER) return;
    const header = oneLine(cellText(c));
    const field = fieldOfHeader(header);
    if (!field) return;
    // A merged header spreads over several cells with the same text: one column, the first.
    const taken = columns.get(field);
    if (taken === undefined) columns.set(field, { index: i, header });
    else if (taken.header !== header) duplicates.push({ header, field });
  });
  return { index, columns, duplicates };
}

/**
 * Finds the header row below the title block ("ỦY BAN NHÂN DÂN TỈNH …", "DANH MỤC NHIỆM VỤ …"):
 * the row among the first 30 that names the most fields, at least three.
 */
export function findHeaderRow(rows: readonly (readonly Cell[])[]): HeaderRow | undefined {
  let best: HeaderRow | undefined;
  for (let i = 0; i < Math.min(rows.length, 30); i++) {
    const h = readHeaderRow(rows[i] ?? [], i);
    if (h.columns.size >= 3 && (!best || h.columns.size > best.columns.size)) best = h;
  }
  return best;
}

/** The "(1) (2) (3)" row many registers put under the header: every filled cell a column number. */
export function isNumberingRow(cells: readonly Cell[]): boolean {
  if (cells.some((c) => typeof c === 'string' && c.length > MAX_HEADER)) return false;
  const filled = cells.map((c) => oneLine(cellText(c))).filter((t) => t !== '');
  return filled.length >= 2 && filled.every((t) => /^\(?\s*\d{1,2}\s*\)?(\s*=.*)?$/.test(t) || /^\(\d{1,2}\)\s*[=+\-*/(]/.test(t));
}
