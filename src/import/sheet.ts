// From a grid of cells to records, the way a clerk's register is laid out: title rows above
// the header ("ỦY BAN NHÂN DÂN TỈNH …", "DANH MỤC NHIỆM VỤ …"), the header (maybe on two
// rows under a merged group header), a "(1) (2) (3)" numbering row, section headings
// ("I. LĨNH VỰC KINH TẾ"), blank rows, and document cells left blank under the first item of
// a letter (in CSV, where Excel's merged cells come out empty below their first row).
import { DondocError } from '../errors.js';
import { tcvn3Error, tcvn3Score } from './encoding.js';
import type { Grid } from './grid.js';
import { type Column, type Field, type HeaderRow, findHeaderRow, isNumberingRow, readHeaderRow } from './headers.js';
import { type Cell, cellText, isBlank, oneLine } from './text.js';

export interface SheetRecord {
  /** The row as the clerk sees it (1-based, title and header rows count). */
  row: number;
  cells: Map<Field, Cell>;
}

export interface Sheet {
  columns: Map<Field, Column>;
  /** 1-based row of the header. */
  headerRow: number;
  /** The title block's lines, where a letter's number, date and issuer may be written. */
  titleLines: string[];
  records: SheetRecord[];
  warnings: Array<{ row: number; message: string }>;
}

/** Fields that describe the letter, not the item: merged or left blank over a letter's items. */
const DOCUMENT_FIELDS: readonly Field[] = ['number', 'date', 'document', 'issuer', 'subject'];

export const columnLetter = (i: number): string => (i >= 26 ? columnLetter(Math.floor(i / 26) - 1) : '') + String.fromCharCode(65 + (i % 26));

/**
 * Refuses TCVN3 text before anything else: its headers would match nothing anyway. Short
 * cells ("Së Y tÕ") carry one telltale letter each, so the evidence is summed over the sheet.
 */
export function assertNoTcvn3(grid: Grid, file: string): void {
  let total = 0;
  let first: { r: number; c: number; text: string; score: number } | undefined;
  for (let r = 0; r < grid.rows.length; r++) {
    const cells = grid.rows[r]!;
    for (let c = 0; c < cells.length; c++) {
      const v = cells[c];
      if (typeof v !== 'string' || v.length < 2) continue;
      const score = tcvn3Score(v);
      if (score === 0) continue;
      total += score;
      if (!first || (first.score < 2 && score >= 2)) first = { r, c, text: v, score };
    }
  }
  if (first && total >= 3) throw tcvn3Error(file, `dòng ${first.r + 1}, cột ${columnLetter(first.c)}`, oneLine(first.text));
}

/** Two header rows (a merged "Văn bản giao" over "Số, ký hiệu" | "Ngày ban hành"): the lower one wins per column. */
function combine(upper: HeaderRow, lower: HeaderRow): HeaderRow {
  const taken = new Set([...lower.columns.values()].map((c) => c.index));
  const columns = new Map(lower.columns);
  for (const [f, col] of upper.columns) if (!columns.has(f) && !taken.has(col.index)) columns.set(f, col);
  return { index: lower.index, columns, duplicates: [...upper.duplicates, ...lower.duplicates] };
}

const ROMAN_OR_LETTER = /^(?:[IVXLC]+|[A-Z]|[a-z])[.)]?$/;

export function readSheet(grid: Grid, file: string): Sheet {
  assertNoTcvn3(grid, file);
  const found = findHeaderRow(grid.rows);
  if (!found) {
    throw new DondocError(
      'IMPORT_REJECTED',
      `${file}: không thấy dòng tiêu đề trong 30 dòng đầu: bảng cần các cột như "STT", "Số, ký hiệu văn bản", "Ngày ban hành", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn" (hoặc tên trường tiếng Anh)`,
      [{ path: file, message: 'không có dòng tiêu đề' }],
    );
  }
  let header = found;
  const next = grid.rows[found.index + 1];
  if (next && readHeaderRow(next, found.index + 1).columns.size >= 2) header = combine(found, readHeaderRow(next, found.index + 1));
  const warnings: Sheet['warnings'] = header.duplicates.map((d) => ({
    row: header.index + 1,
    message: `cột "${d.header}" cũng được hiểu là ${d.field}, đã có ở cột "${header.columns.get(d.field)!.header}": bỏ qua`,
  }));
  const titleLines = [
    ...new Set(
      grid.rows
        .slice(0, found.index)
        .flatMap((cells) => cells.flatMap((c) => cellText(c).split('\n')))
        .map(oneLine)
        .filter(Boolean),
    ),
  ];

  const records: SheetRecord[] = [];
  const cols = [...header.columns];
  let above: SheetRecord | undefined; // the previous record of the same block
  let first = true;
  for (let r = header.index + 1; r < grid.rows.length; r++) {
    const cells = grid.rows[r]!;
    const row = r + 1;
    if (first && isNumberingRow(cells)) continue;
    first = false;
    if (cells.every(isBlank)) {
      above = undefined; // a blank row ends a block
      continue;
    }
    const rec: SheetRecord = { row, cells: new Map() };
    for (const [field, col] of cols) {
      const v = cells[col.index];
      if (v !== undefined && !isBlank(v)) rec.cells.set(field, v);
    }
    if (rec.cells.size === 0) {
      warnings.push({ row, message: 'không cột nào đọc được có dữ liệu: bỏ qua' });
      continue;
    }
    if (isHeading(rec, cells)) {
      const shown = oneLine([...new Set(cells.map((c) => cellText(c)).filter(Boolean))].join(' '));
      warnings.push({ row, message: `bỏ qua (tiêu đề mục): ${JSON.stringify(shown.length > 80 ? `${shown.slice(0, 80)}…` : shown)}` });
      continue;
    }
    inheritDocument(rec, above, header.columns);
    records.push(rec);
    above = rec;
  }
  return { columns: header.columns, headerRow: header.index + 1, titleLines, records, warnings };
}

/**
 * A section heading: the whole row one merged text, or an "I."/"A." number with no lead body
 * and no deadline. A real item with a missing lead has a deadline or content and is reported.
 */
function isHeading(rec: SheetRecord, cells: readonly Cell[]): boolean {
  const texts = cells.map((c) => cellText(c)).filter(Boolean);
  if (texts.length > 1 && texts.every((t) => t === texts[0])) return true;
  if (rec.cells.has('lead')) return false;
  const stt = cellText(rec.cells.get('stt') ?? rec.cells.get('item') ?? null);
  return ROMAN_OR_LETTER.test(stt) && !rec.cells.has('deadline') && !rec.cells.has('completed');
}

/**
 * A letter's number and date written once for its first item and left blank below (or
 * merged: in CSV a merged cell comes out empty after its first row) apply to the items below,
 * until a blank row. When the row names its own document number nothing is inherited.
 */
function inheritDocument(rec: SheetRecord, above: SheetRecord | undefined, columns: Map<Field, Column>): void {
  if (!above) return;
  const key: Field | undefined = columns.has('number') ? 'number' : columns.has('document') ? 'document' : undefined;
  if (key !== undefined && rec.cells.has(key)) return;
  for (const f of DOCUMENT_FIELDS) {
    const v = above.cells.get(f);
    if (v !== undefined && !rec.cells.has(f)) rec.cells.set(f, v);
  }
}
