// The last checks every imported row goes through, whatever the format: the task schema of
// the edges (task-codec.ts), and ids that two rows would share — an id names one task, and
// a second row with it would silently overwrite the first on import.
import { type TaskInput, taskInputSchema } from '../core/task-codec.js';
import type { ImportedRow, RowProblem } from './problems.js';

export interface SchemaIssue {
  path: PropertyKey[];
  message: string;
  /** Unknown fields (strict objects), each reported on its own. */
  keys?: string[];
}

export function checkTaskInput(json: unknown): { ok: true; input: TaskInput } | { ok: false; issues: SchemaIssue[] } {
  const r = taskInputSchema.safeParse(json);
  if (r.success) return { ok: true, input: r.data };
  return {
    ok: false,
    issues: r.error.issues.map((i) => ({ path: i.path as PropertyKey[], message: i.message, ...(i.code === 'unrecognized_keys' ? { keys: i.keys } : {}) })),
  };
}

/**
 * Rows whose tasks would share an id are all rejected (none wins over the others), with a
 * message asking for what tells them apart: an item number.
 */
export function rejectSharedIds(
  rows: ImportedRow[],
  problems: RowProblem[],
  where: (row: ImportedRow) => Omit<RowProblem, 'message' | 'row' | 'file'>,
  file: string,
  hint: string,
): ImportedRow[] {
  const byId = new Map<string, ImportedRow[]>();
  for (const r of rows) {
    const id = r.input.id!;
    const list = byId.get(id);
    if (list) list.push(r);
    else byId.set(id, [r]);
  }
  const keep: ImportedRow[] = [];
  for (const r of rows) {
    const same = byId.get(r.input.id!)!;
    const others = [...new Set(same.filter((o) => o !== r).map((o) => o.row))];
    if (same.length === 1) keep.push(r);
    else {
      problems.push({
        file,
        row: r.row,
        ...where(r),
        message: `mã nhiệm vụ "${r.input.id}" trùng với dòng ${others.join(', ')}: ${hint}`,
      });
    }
  }
  return keep;
}
