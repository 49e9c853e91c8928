// .xlsx through exceljs (the npm `xlsx` package is stale and carries open advisories).
// Merged cells: the document number and date of a letter are typically merged down over all
// its items; exceljs gives each covered cell its master's value, so every row gets it.
import ExcelJS from 'exceljs';
import { DondocError } from '../errors.js';
import type { Grid } from './grid.js';
import { findHeaderRow } from './headers.js';
import type { Cell } from './text.js';

/** exceljs cell values (rich text, formulas, hyperlinks, errors) → plain cells. */
export function plainValue(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.replace(/_x000D_/g, '');
  if (typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as Array<{ text?: string }>).map((r) => r.text ?? '').join('').replace(/_x000D_/g, '');
    if ('result' in o) return plainValue(o.result);
    if ('formula' in o || 'sharedFormula' in o) return null;
    if (typeof o.text === 'string') return o.text;
    if (typeof o.error === 'string') return o.error;
  }
  return String(v);
}

function sheetGrid(ws: ExcelJS.Worksheet): Cell[][] {
  const rows: Cell[][] = [];
  ws.eachRow({ includeEmpty: false }, (row, r) => {
    const cells: Cell[] = [];
    row.eachCell({ includeEmpty: false }, (cell, c) => {
      cells[c - 1] = plainValue(cell.isMerged ? cell.master.value : cell.value);
    });
    for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = null;
    rows[r - 1] = cells;
  });
  for (let i = 0; i < rows.length; i++) if (rows[i] === undefined) rows[i] = [];
  return rows;
}

/** The first visible worksheet that has a header row (workbooks often start with a cover sheet). */
export async function readXlsxGrid(buf: Uint8Array, file: string): Promise<Grid> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch (e) {
    throw new DondocError('IMPORT_REJECTED', `${file}: không đọc được tệp .xlsx (${(e as Error).message}); tệp .xls cũ cần lưu lại thành .xlsx trước`, [{ path: file, message: 'không phải tệp .xlsx' }], { cause: e });
  }
  const date1904 = Boolean((wb.properties as { date1904?: boolean } | undefined)?.date1904);
  const sheets = wb.worksheets.filter((ws) => ws.state === 'visible' || ws.state === undefined);
  let first: Cell[][] | undefined;
  for (const ws of sheets) {
    const rows = sheetGrid(ws);
    first ??= rows;
    if (findHeaderRow(rows)) return { rows, date1904 };
  }
  return { rows: first ?? [], date1904 };
}
