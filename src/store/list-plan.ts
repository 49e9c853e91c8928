// A list query, and how it becomes an index scan: which index holds every candidate, the highest score
// a candidate can have, and the exact check each candidate then passes. Pure. Indexes only
// narrow the search; status is computed per task at read time (it changes with the clock).
import type { Calendar } from '../core/calendar.js';
import type { Day } from '../core/day.js';
import { DUE_SOON_WORKING_DAYS, type TaskStatus } from '../core/status.js';
import type { Task } from '../core/task.js';
import { DondocError } from '../errors.js';
import type { Keys } from './keys.js';

/** A list query (TaskStore.list, GET /api/tasks, `dondoc task list`). */
export interface ListFilter {
  status?: readonly TaskStatus[];
  /** A body code: tasks it leads or coordinates. */
  body?: string;
  /** Tasks whose deadline in force (effective, Art. 148) is on or before this day. */
  dueBefore?: Day;
  /** At most this many (default 100, at most 1000). */
  limit?: number;
  /** From a previous result's nextCursor. */
  cursor?: string;
}

export function parseCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  if (!/^\d{1,9}$/.test(cursor)) throw new DondocError('INPUT_REJECTED', `cursor: expected the next_cursor of a previous page, got ${JSON.stringify(cursor)}`, [{ path: 'cursor', message: 'not a cursor' }]);
  return Number(cursor);
}

const OPEN_STATUSES: ReadonlySet<TaskStatus> = new Set(['within_deadline', 'due_soon', 'overdue']);
const CLOSED_STATUSES: ReadonlySet<TaskStatus> = new Set(['on_time', 'late', 'cancelled']);

/** The smallest index holding every candidate. */
export function pickSource(keys: Keys, f: ListFilter): string {
  if (f.body) return keys.body(f.body);
  const s = f.status ?? [];
  if (s.length && s.every((x) => OPEN_STATUSES.has(x))) return keys.open;
  if (s.length && s.every((x) => CLOSED_STATUSES.has(x))) return keys.closed;
  return keys.all;
}

/** The highest score a candidate can have (scores are lower bounds of the effective deadline). */
export function maxScore(f: ListFilter, calendar: Calendar, now: number): number {
  let max = f.dueBefore !== undefined ? f.dueBefore + 1 : Infinity;
  const s = f.status ?? [];
  if (s.length && s.every((x) => x === 'overdue' || x === 'due_soon')) {
    const today = calendar.zone.dayOf(now);
    // overdue: the deadline has passed, so its wall-clock day is today at the latest;
    // due soon: at most DUE_SOON_WORKING_DAYS working days left.
    const bound = s.includes('due_soon') ? safeAdd(calendar, today, DUE_SOON_WORKING_DAYS + 1) + 1 : today + 1;
    max = Math.min(max, bound);
  }
  return max;
}

function safeAdd(calendar: Calendar, day: Day, n: number): Day {
  try {
    return calendar.add(day, n);
  } catch {
    return day + 2 * n + 30;
  }
}

export function matchesFilter(task: Task, f: ListFilter): boolean {
  return !f.body || task.lead === f.body || task.coordinators.includes(f.body);
}

