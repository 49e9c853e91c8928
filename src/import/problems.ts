// What the importer says about a row: the file, the row as the clerk sees it in the sheet
// (header and title rows count), the column as written, the value as written and why.
import type { TaskInput } from '../core/task-codec.js';
import { quote } from './text.js';

export interface RowProblem {
  file: string;
  /** As the clerk sees it in the sheet: header row counts, 1-based; for JSON/YAML the item index+1. */
  row: number;
  /** The header as written (JSON/YAML: the field path). */
  column?: string;
  /** The value as written. */
  value?: string;
  message: string;
}

export interface ImportedRow {
  row: number;
  /** Validated by taskInputSchema; `id` always set. */
  input: TaskInput;
}

/** `tasks.xlsx: row 7, column "Thời hạn": "31/02/2022": not a real date` */
export function formatRowProblem(p: RowProblem): string {
  const where = `${p.file}: dòng ${p.row}${p.column !== undefined ? `, cột ${JSON.stringify(p.column)}` : ''}`;
  return `${where}: ${p.value !== undefined ? `${quote(p.value, 80)}: ` : ''}${p.message}`;
}
