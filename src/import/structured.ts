// Task files in the JSON shape of the API (task-codec.ts): a list of tasks, or `{ tasks: [...] }`,
// as JSON or YAML. Written by people too, so a little leniency where it costs no ambiguity:
// `lead`/`coordinators`/`leader` by name as well as by code, dates as dd/mm/yyyy, and
// deadlines as the phrases of letters ("Quý II/2022").
import { type Day, formatIsoDay, parseIsoDay } from '../core/day.js';
import { deriveTaskId, taskInputSchema } from '../core/task-codec.js';
import { parseYaml } from '../config/load.js';
import type { OwnIssuer } from '../core/org.js';
import { DondocError } from '../errors.js';
import { isGenericBodies, type Resolver } from './bodies.js';
import { parseDateCell } from './dates.js';
import { parseDeadlinePhrase } from './deadline-phrase.js';
import { ownIssuerOf } from './own-issuer.js';
import type { ImportedRow, RowProblem } from './problems.js';
import { splitList } from './text.js';
import { checkTaskInput } from './validate.js';

export interface StructuredContext {
  file: string;
  resolver: Resolver;
  issuer?: string;
  /** The committee itself (config `org.issuer`): the issuer of its own numbers. */
  own?: OwnIssuer;
}

/** The list of task objects in a parsed file. */
export function taskList(data: unknown, file: string): unknown[] {
  if (Array.isArray(data)) return data;
  if (data !== null && typeof data === 'object' && Array.isArray((data as { tasks?: unknown }).tasks)) return (data as { tasks: unknown[] }).tasks;
  throw new DondocError('IMPORT_REJECTED', `${file}: cần một danh sách nhiệm vụ, hoặc một đối tượng có danh sách "tasks"`, [{ path: file, message: 'cần một danh sách nhiệm vụ' }]);
}

export function parseStructured(text: string, file: string, format: 'json' | 'yaml'): unknown {
  if (format === 'yaml') {
    const { data, problems } = parseYaml(file, text);
    if (problems.length) throw new DondocError('IMPORT_REJECTED', `${file}: không phải YAML hợp lệ: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
    return data;
  }
  try {
    return JSON.parse(text.normalize('NFC'));
  } catch (e) {
    throw new DondocError('IMPORT_REJECTED', `${file}: không phải JSON hợp lệ: ${(e as Error).message}`, [{ path: file, message: 'không phải JSON hợp lệ' }], { cause: e });
  }
}

const TASK_FIELDS = Object.keys(taskInputSchema.shape).join(', ');
const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));
const isoish = (s: string): boolean => /^\d{4}-\d{2}-\d{2}/.test(s.trim());

export function readStructuredItems(items: unknown[], ctx: StructuredContext): { rows: ImportedRow[]; problems: RowProblem[]; warnings: RowProblem[] } {
  const rows: ImportedRow[] = [];
  const problems: RowProblem[] = [];
  const warnings: RowProblem[] = [];
  items.forEach((raw, i) => {
    const row = i + 1;
    const mine: RowProblem[] = [];
    const bad = (column: string, value: unknown, message: string): void =>
      void mine.push({ file: ctx.file, row, column, ...(value !== undefined ? { value: show(value) } : {}), message });
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ file: ctx.file, row, value: show(raw), message: 'cần một nhiệm vụ (title, source, lead, …)' });
      return;
    }
    const item = structuredClone(raw) as Record<string, unknown>;
    const source = (item.source && typeof item.source === 'object' ? item.source : undefined) as Record<string, unknown> | undefined;

    // Dates day-first, as everywhere in Vietnamese documents.
    const fixDate = (obj: Record<string, unknown> | undefined, key: string, column: string): void => {
      const v = obj?.[key];
      if (typeof v !== 'string') return;
      const r = parseDateCell(v);
      if (r.ok) obj![key] = formatIsoDay(r.day);
      else bad(column, v, r.message);
    };
    fixDate(source, 'date', 'source.date');
    fixDate(item, 'assigned_on', 'assigned_on');
    if (source && typeof source.item === 'number') source.item = String(source.item);
    if (source && source.issuer === undefined) {
      const issuer = ctx.issuer ?? (typeof source.number === 'string' ? ownIssuerOf(source.number, ctx.own) : undefined);
      if (issuer) source.issuer = issuer;
    }
    const docDay: Day | undefined = typeof source?.date === 'string' ? (parseIsoDay(source.date) ?? undefined) : undefined;

    if (typeof item.deadline === 'string' && !isoish(item.deadline)) {
      const r = parseDeadlinePhrase(item.deadline);
      if (!r.ok) bad('deadline', item.deadline, r.message);
      else {
        item.deadline = r.deadline ? formatIsoDay(r.deadline.day) + (r.deadline.minute !== undefined ? `T${String(Math.floor(r.deadline.minute / 60)).padStart(2, '0')}:${String(r.deadline.minute % 60).padStart(2, '0')}` : '') : null;
        if (r.recurrence && item.recurrence === undefined) item.recurrence = r.recurrence;
      }
    }

    // Bodies by code or by name, as on the day of the letter.
    const body = (v: unknown, column: string, generic: boolean): string | undefined => {
      if (typeof v !== 'string') return undefined;
      const r = ctx.resolver.body(v, docDay);
      if (r.ok) {
        if (r.note) warnings.push({ file: ctx.file, row, column, value: v, message: r.note });
        return r.value.code;
      }
      if (generic && isGenericBodies(v)) {
        warnings.push({ file: ctx.file, row, column, value: v, message: 'không chỉ rõ đơn vị nào: không ghi là đơn vị phối hợp' });
        return undefined;
      }
      bad(column, v, r.message);
      return undefined;
    };
    if (typeof item.lead === 'string') item.lead = body(item.lead, 'lead', false) ?? item.lead;
    if (typeof item.coordinators === 'string') item.coordinators = splitList(item.coordinators);
    if (Array.isArray(item.coordinators)) {
      item.coordinators = item.coordinators.flatMap((c, j) => (typeof c === 'string' ? (body(c, `coordinators[${j}]`, true) ?? []) : [c]));
    }
    if (typeof item.leader === 'string') {
      const r = ctx.resolver.leader(item.leader);
      if (r.ok) item.leader = r.value.code;
      else bad('leader', item.leader, r.message);
    }

    const checked = checkTaskInput(item);
    if (!checked.ok) {
      for (const issue of checked.issues) {
        const column = issue.path.map((p, k) => (typeof p === 'number' ? `[${p}]` : `${k ? '.' : ''}${String(p)}`)).join('');
        if (mine.some((m) => m.column === column)) continue; // already said, in our words
        if (issue.keys) {
          for (const key of issue.keys) bad(column ? `${column}.${key}` : key, undefined, `trường không hợp lệ${column ? '' : `: nhiệm vụ có các trường ${TASK_FIELDS}`}`);
        } else bad(column || '(task)', valueAt(raw, issue.path), issue.message);
      }
    }
    if (mine.length > 0 || !checked.ok) {
      problems.push(...mine);
      return;
    }
    const input = checked.input;
    input.id ??= deriveTaskId(input.source, input.lead);
    const assigned = input.assigned_on ?? input.source.date;
    if (input.deadline && input.deadline.day < assigned) warnings.push({ file: ctx.file, row, column: 'deadline', value: show((raw as Record<string, unknown>).deadline), message: `thời hạn sớm hơn ngày giao (${formatIsoDay(assigned)})` });
    rows.push({ row, input });
  });
  return { rows, problems, warnings };
}

function valueAt(obj: unknown, path: PropertyKey[]): unknown {
  let v: unknown = obj;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}
