// One row's cells for the row reader (rows.ts): each cell read as text once, and every problem
// collected with the column as written and the value as written. A problem about a task field
// is remembered, so the schema check at the end of the row does not report it a second time.
import { type DateParse, parseDateCell } from './dates.js';
import type { RowReport } from './events.js';
import type { Column, Field } from './headers.js';
import type { RowProblem } from './problems.js';
import type { SheetRecord } from './sheet.js';
import { cellText } from './text.js';

/** The task field (schema path) a column feeds, so the schema check does not repeat a problem. */
export const SCHEMA_KEY: Record<Field, string> = {
  id: 'id',
  item: 'source.item',
  stt: 'source.item',
  number: 'source.number',
  date: 'source.date',
  document: 'source.number',
  issuer: 'source.issuer',
  subject: 'source.subject',
  title: 'title',
  content: 'content',
  kind: 'kind',
  lead: 'lead',
  coordinators: 'coordinators',
  leader: 'leader',
  assigned_on: 'assigned_on',
  received_at: 'received_at',
  deadline: 'deadline',
  completed: 'events',
  extended_to: 'events',
  extension_document: 'events',
  extension_approver: 'events',
  notes: 'content',
};

/** A row's cells as text, and where its problems go. */
export interface RowCells extends RowReport {
  rec: SheetRecord;
  problems: RowProblem[];
  warnings: RowProblem[];
  /** The task fields already reported, which the schema check at the end need not repeat. */
  reported: Set<string>;
  at(f: Field | undefined, message: string, value?: string): RowProblem;
  dateOf(f: Field): DateParse | undefined;
}

export function rowCells(rec: SheetRecord, ctx: { file: string; columns: Map<Field, Column>; date1904: boolean }): RowCells {
  const texts = new Map<Field, string>();
  const text = (f: Field): string => {
    let t = texts.get(f);
    if (t === undefined) texts.set(f, (t = cellText(rec.cells.get(f) ?? null)));
    return t;
  };
  const header = (f: Field): string | undefined => ctx.columns.get(f)?.header;
  const at = (f: Field | undefined, message: string, value?: string): RowProblem => {
    const column = f ? header(f) : undefined;
    const v = value ?? (f ? text(f) : '');
    return { file: ctx.file, row: rec.row, ...(column !== undefined ? { column } : {}), ...(v !== '' ? { value: v } : {}), message };
  };
  const cells: RowCells = {
    rec,
    problems: [],
    warnings: [],
    reported: new Set(),
    text,
    header,
    has: (f) => ctx.columns.has(f),
    at,
    bad(f, message, value, key = f ? SCHEMA_KEY[f] : undefined) {
      cells.problems.push(at(f, message, value));
      if (key) cells.reported.add(key);
    },
    warn: (f, message, value) => void cells.warnings.push(at(f, message, value)),
    dateOf: (f) => (rec.cells.has(f) ? parseDateCell(rec.cells.get(f)!, { date1904: ctx.date1904 }) : undefined),
  };
  return cells;
}

