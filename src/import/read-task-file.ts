// Reads a task file — a clerk's register (.xlsx, .csv) or the JSON shape (.json, .yaml) — into
// validated task inputs, without touching the store: `dondoc import` writes them (all or,
// with --partial, the good ones). Every problem of every row is reported; a problem with the
// file as a whole (unreadable, legacy encoding, no header) is a DondocError.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { OrgDirectory } from '../core/org.js';
import { type Zone, makeZone } from '../core/zone.js';
import type { Draft } from '../extract/draft.js';
import { extractLetter } from '../extract/extract-letter.js';
import { draftGrid } from '../extract/sheet.js';
import { DondocError, usageError } from '../errors.js';
import { makeResolver } from './bodies.js';
import { readCsvGrid } from './csv.js';
import { documentFromTitle } from './document.js';
import { decodeText } from './encoding.js';
import type { Grid } from './grid.js';
import { FIELD_LABEL } from './headers.js';
import type { ImportedRow, RowProblem } from './problems.js';
import { readRecord } from './rows.js';
import { readSheet } from './sheet.js';
import { parseStructured, readStructuredItems, taskList } from './structured.js';
import { rejectSharedIds } from './validate.js';

export { formatRowProblem } from './problems.js';
export type { ImportedRow, RowProblem } from './problems.js';

export type ImportFormat = 'xlsx' | 'csv' | 'json' | 'yaml' | 'letter';

export interface ImportResult {
  file: string;
  format: ImportFormat;
  rows: ImportedRow[];
  problems: RowProblem[];
  warnings: RowProblem[];
  /** For a letter: the rows drafted from it (src/extract), before the import checks. */
  draft?: Draft;
}

export interface ReadTaskFileOptions {
  org: OrgDirectory;
  /** IANA zone of completion and receipt times written without an offset. */
  zone: string;
  /** Default issuer for documents ("UBND tỉnh Thái Nguyên") when the file does not say. */
  issuer?: string;
  /** A letter: one row per body for items addressed to all its addressees. */
  expandAll?: boolean;
}

// A .txt stays a CSV export (as before); letters come as .docx, .pdf or .md (`dondoc extract`
// reads .txt letters too).
const FORMATS: Record<string, ImportFormat> = { '.xlsx': 'xlsx', '.csv': 'csv', '.txt': 'csv', '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml', '.docx': 'letter', '.pdf': 'letter', '.md': 'letter' };

export function formatOf(file: string): ImportFormat {
  const ext = path.extname(file).toLowerCase();
  const format = FORMATS[ext];
  if (format) return format;
  if (ext === '.xls') throw usageError(`${file}: old .xls workbooks are not read: open it in Excel and save it as .xlsx`);
  throw usageError(`${file}: không nhận dạng được loại tệp "${ext}": cần .xlsx, .csv, .json hoặc .yaml, hoặc một văn bản (.docx, .pdf, .md)`);
}

export async function readTaskFile(file: string, opts: ReadTaskFileOptions): Promise<ImportResult> {
  const format = formatOf(file);
  let zone;
  try {
    zone = makeZone(opts.zone);
  } catch {
    throw usageError(`unknown time zone "${opts.zone}"`);
  }
  if (format === 'letter') return readLetterFile(file, opts, zone);
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DondocError('IMPORT_REJECTED', `${file}: không đọc được tệp (${code === 'ENOENT' ? 'không tìm thấy' : (code ?? (e as Error).message)})`, [{ path: file, message: 'không đọc được' }], { cause: e });
  }
  const resolver = makeResolver(opts.org);
  const issuer = opts.issuer?.normalize('NFC').trim() || undefined;

  if (format === 'json' || format === 'yaml') {
    const items = taskList(parseStructured(decodeText(buf, file), file, format), file);
    const out = readStructuredItems(items, { file, resolver, ...(issuer ? { issuer } : {}), ...(opts.org.issuer ? { own: opts.org.issuer } : {}) });
    const rows = rejectSharedIds(out.rows, out.problems, () => ({ column: 'id' }), file, 'cho mỗi nhiệm vụ một id, hoặc một source.item riêng');
    return finish({ file, format, rows, problems: out.problems, warnings: out.warnings });
  }

  // exceljs only for a workbook: a CSV or YAML import does not load it.
  const grid: Grid = format === 'xlsx' ? await (await import('./xlsx.js')).readXlsxGrid(buf, file) : readCsvGrid(buf, file);
  return readGrid(grid, file, format, opts, zone);
}

/**
 * A letter goes through the sheet `dondoc extract --out` would write, so what the clerk
 * reviews is what is imported; a row with a flag is a rejected row (its reasons listed).
 */
async function readLetterFile(file: string, opts: ReadTaskFileOptions, zone: Zone): Promise<ImportResult> {
  const { draft } = await extractLetter(file, opts.org, { ...(opts.expandAll ? { expandAll: true } : {}) });
  const result = readGrid({ rows: draftGrid(draft), date1904: false }, file, 'letter', opts, zone);
  const flagged = new Set<number>();
  draft.rows.forEach((r, i) => {
    if (r.flags.length === 0) return;
    flagged.add(i + 2);
    for (const f of r.flags) result.problems.push({ file, row: i + 2, column: `mục ${r.item.value}: ${f.field}`, message: f.message });
  });
  return finish({ ...result, rows: result.rows.filter((r) => !flagged.has(r.row)), draft });
}

function readGrid(grid: Grid, file: string, format: ImportFormat, opts: ReadTaskFileOptions, zone: Zone): ImportResult {
  const resolver = makeResolver(opts.org);
  const issuer = opts.issuer?.normalize('NFC').trim() || undefined;
  const sheet = readSheet(grid, file);
  const title = documentFromTitle(sheet.titleLines);
  requireColumns(sheet.columns, title, file, sheet.headerRow);
  const ctx = { file, resolver, zone, ...(issuer ? { issuer } : {}), ...(opts.org.issuer ? { own: opts.org.issuer } : {}), date1904: grid.date1904, columns: sheet.columns, title };
  let rows: ImportedRow[] = [];
  const problems: RowProblem[] = [];
  const warnings: RowProblem[] = sheet.warnings.map((w) => ({ file, ...w }));
  for (const rec of sheet.records) {
    const out = readRecord(rec, ctx);
    rows.push(...out.rows);
    problems.push(...out.problems);
    warnings.push(...out.warnings);
  }
  const itemColumn = sheet.columns.get('item') ?? sheet.columns.get('stt');
  const idColumn = sheet.columns.get('id');
  rows = rejectSharedIds(
    rows,
    problems,
    (r) => (idColumn ? { column: idColumn.header } : itemColumn ? { column: itemColumn.header, ...(r.input.source.item ? { value: r.input.source.item } : {}) } : {}),
    file,
    idColumn
      ? `cho mỗi nhiệm vụ một "${idColumn.header}" riêng`
      : `đánh số riêng cho từng mục ở cột "${itemColumn?.header ?? FIELD_LABEL('item')}"${itemColumn ? '' : ' (thêm cột này)'}, hoặc ghi mã ở cột "${FIELD_LABEL('id')}"`,
  );
  return finish({ file, format, rows, problems, warnings });
}

/** Columns without which no row can be read are one problem with the file, not one per row. */
function requireColumns(columns: Map<string, unknown>, title: ReturnType<typeof documentFromTitle>, file: string, headerRow: number): void {
  const missing: string[] = [];
  if (!columns.has('lead')) missing.push(`"${FIELD_LABEL('lead')}" (đơn vị chủ trì)`);
  if (!columns.has('title') && !columns.has('content')) missing.push(`"${FIELD_LABEL('content')}" (nội dung nhiệm vụ)`);
  if (!columns.has('number') && !columns.has('document') && !title.number) missing.push(`"${FIELD_LABEL('number')}" (số văn bản, ví dụ 1510/UBND-TH)`);
  if (!columns.has('date') && !columns.has('document') && !title.date) missing.push(`"${FIELD_LABEL('date')}" (ngày ban hành văn bản)`);
  if (missing.length === 0) return;
  throw new DondocError(
    'IMPORT_REJECTED',
    `${file}: dòng tiêu đề (dòng ${headerRow}) thiếu cột ${missing.join(', ')}`,
    missing.map((m) => ({ path: `${file}: dòng ${headerRow}`, message: `thiếu cột ${m}` })),
  );
}

const byRow = (a: RowProblem, b: RowProblem): number => a.row - b.row;

function finish(r: ImportResult): ImportResult {
  return { ...r, problems: [...r.problems].sort(byRow), warnings: [...r.warnings].sort(byRow) };
}
