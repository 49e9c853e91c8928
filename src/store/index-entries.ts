// Which index entries a task should have, and with what score. Pure: a function of the task
// alone, with no clock and no calendar, because derived status (due soon, overdue) changes
// with time and the calendar can change with config: we index what does not move — the
// deadline's wall-clock position and whether anything is left to do — and compute status at
// read time with taskStatus().
//
// Score = the deadline in force as a fractional day number at local wall time (a date counts
// to its end: day + 1; a date-time: day + minute/1440). The effective deadline (Civil Code
// Art. 148: a period ending on a day off ends on the next working day) is never earlier, so
// the score is a lower bound and "score ≤ D + 1" selects every task due on or before D.
import { MAX_YEAR, type Day, dayFromYmd } from '../core/day.js';
import { type Deadline, type Occurrence, type Task, ONCE, deadlineInForce, occurrencesOf } from '../core/task.js';
import type { Keys } from './keys.js';

export interface IndexEntry {
  key: string;
  /** ±Infinity allowed: no deadline sorts last; see below for −Infinity. */
  score: number;
}

const LAST_DAY: Day = dayFromYmd(MAX_YEAR, 12, 31);
/** How far occurrences are searched per step when looking for the first one still open. */
const SEARCH_STEP_DAYS = 5 * 366;

export const deadlineScore = (d: Deadline): number => (d.minute === undefined ? d.day + 1 : d.day + d.minute / 1440);

/** Redis score syntax, keeping ±inf. */
export const redisScore = (n: number): string => (n === Infinity ? '+inf' : n === -Infinity ? '-inf' : String(n));

const isDone = (o: Occurrence): boolean => o.state.completedAt !== undefined || o.state.cancelledAt !== undefined;

export interface OpenState {
  /** Something is left to do: the task is not cancelled and an occurrence is not finished. */
  open: boolean;
  /** The deadline in force of the first unfinished occurrence (absent: none, or open-ended). */
  deadline?: Deadline;
}

/** Whether anything is left to do, and by when; occurrences are searched from the start. */
export function openState(task: Task): OpenState {
  if (task.cancelledAt !== undefined) return { open: false };
  const r = task.recurrence;
  if (!r) {
    const state = task.occurrences[ONCE] ?? {};
    if (state.completedAt !== undefined || state.cancelledAt !== undefined) return { open: false };
    // Open without a deadline ("Thường xuyên") is open with no date: it sorts last.
    return task.deadline ? { open: true, deadline: deadlineInForce(task, ONCE, task.deadline) } : { open: true };
  }
  const end = Math.min(r.until ?? LAST_DAY, LAST_DAY);
  for (let from = r.from ?? task.assignedOn; from <= end; from += SEARCH_STEP_DAYS) {
    const next = occurrencesOf(task, from, Math.min(end, from + SEARCH_STEP_DAYS - 1)).find((o) => !isDone(o));
    if (next) return { open: true, deadline: next.deadline };
  }
  return { open: false };
}

export const isOpenTask = (task: Task): boolean => openState(task).open;

/** The sort/filter score of a task: its open occurrence's deadline; see the file comment. */
export function taskScore(task: Task): number {
  const s = openState(task);
  if (s.open) return s.deadline ? deadlineScore(s.deadline) : Infinity;
  if (task.recurrence) return -Infinity;
  const d = task.deadline ? deadlineInForce(task, ONCE, task.deadline) : undefined;
  return d ? deadlineScore(d) : Infinity;
}

export function bodiesOf(task: Task): string[] {
  return [...new Set([task.lead, ...task.coordinators])];
}

/**
 * Every index entry of a task. A recurring duty is also listed among the closed ones (score
 * −∞): its status as a whole may be a finished occurrence (on time/late) while later ones are
 * still to come, and the read-time check sorts it out.
 */
export function indexEntries(task: Task, keys: Keys): IndexEntry[] {
  const score = taskScore(task);
  const { open } = openState(task);
  const out: IndexEntry[] = [{ key: keys.all, score }];
  if (open) out.push({ key: keys.open, score });
  if (!open || task.recurrence) out.push({ key: keys.closed, score: open ? -Infinity : score });
  for (const code of bodiesOf(task)) out.push({ key: keys.body(code), score });
  return out;
}
