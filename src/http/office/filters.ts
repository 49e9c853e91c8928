// The office page's filters (GET query, applied on the server): body (a code or any name the
// directory knows, as clerks write it), leader in charge (a code), document number (any part
// of it, without regard to case or spaces: "1510" finds 1510/UBND-TH) and status (repeatable).
// Unknown parameters are ignored (links pasted from mail clients carry their own); a value
// that names nothing is a problem shown on the page, never a silently empty list.
import { makeBodyMatcher } from '../../core/org-match.js';
import type { OrgDirectory } from '../../core/org.js';
import { TASK_STATUSES, type TaskStatus } from '../../core/status.js';
import type { Task } from '../../core/task.js';
import { leaderOf } from './labels.js';

export interface OfficeFilter {
  /** A body code: tasks it leads or coordinates. */
  body?: string;
  /** A leader code: tasks in that leader's charge. */
  leader?: string;
  /** Part of the source document's number, as typed. */
  doc?: string;
  status: TaskStatus[];
}

export interface ParsedFilter {
  filter: OfficeFilter;
  /** The values as typed, to fill the form again. */
  form: { body: string; leader: string; doc: string; status: TaskStatus[] };
  /** Vietnamese messages naming the parameter and the value. */
  problems: string[];
}

const first = (v: unknown): string => {
  const x = Array.isArray(v) ? v[0] : v;
  return typeof x === 'string' ? x.normalize('NFC').trim().slice(0, 200) : '';
};
const all = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string' && x !== '');

/** What a document number is compared by: NFC, lower case, no spaces. */
export const docKey = (s: string): string => s.normalize('NFC').toLowerCase().replace(/\s+/g, '');

export function parseOfficeFilter(query: unknown, org: OrgDirectory): ParsedFilter {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const problems: string[] = [];
  const form = { body: first(q.body), leader: first(q.leader), doc: first(q.doc), status: [] as TaskStatus[] };
  const filter: OfficeFilter = { status: [] };

  if (form.body) {
    const m = makeBodyMatcher(org)(form.body);
    if (m.ok) filter.body = m.named.code;
    else problems.push(`Đơn vị "${form.body}" không có trong danh mục${m.suggestions.length ? `; có phải: ${m.suggestions.join('; ')}?` : ''}`);
  }
  if (form.leader) {
    const code = [...org.leaders.keys()].find((c) => c.toUpperCase() === form.leader.toUpperCase());
    if (code) filter.leader = code;
    else problems.push(`Lãnh đạo "${form.leader}" không có trong danh mục; mã hợp lệ: ${[...org.leaders.keys()].join(', ')}`);
  }
  if (form.doc) filter.doc = form.doc;
  for (const s of all(q.status)) {
    if ((TASK_STATUSES as readonly string[]).includes(s)) {
      if (!form.status.includes(s as TaskStatus)) form.status.push(s as TaskStatus);
    } else problems.push(`Trạng thái "${s.slice(0, 40)}" không hợp lệ; dùng một trong: ${TASK_STATUSES.join(', ')}`);
  }
  filter.status = [...form.status];
  return { filter, form, problems };
}

/** Body, leader and document (status is matched against the derived status apart). */
export function matchesFilter(task: Task, f: OfficeFilter, org: OrgDirectory): boolean {
  if (f.body !== undefined && task.lead !== f.body && !task.coordinators.includes(f.body)) return false;
  if (f.leader !== undefined && leaderOf(task, org) !== f.leader) return false;
  if (f.doc !== undefined && !docKey(task.source.number).includes(docKey(f.doc))) return false;
  return true;
}
