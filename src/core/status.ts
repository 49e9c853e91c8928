// Derived task status, per the Government Office convention (report 1270/BC-TCTTTg):
// done on time / done late / open within deadline / open overdue / no deadline / cancelled,
// plus "due soon" (sắp đến hạn: 0 ≤ working days left ≤ 3, not done) used by trackers.
import type { Calendar } from './calendar.js';
import { type Day } from './day.js';
import { type Deadline, type Occurrence, type Task, ONCE, occurrencesOf } from './task.js';

export const TASK_STATUSES = ['on_time', 'late', 'within_deadline', 'due_soon', 'overdue', 'no_deadline', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const STATUS_LABELS: Record<TaskStatus, string> = {
  on_time: 'Hoàn thành đúng hạn',
  late: 'Hoàn thành quá hạn',
  within_deadline: 'Đang thực hiện trong hạn',
  due_soon: 'Sắp đến hạn',
  overdue: 'Đang thực hiện quá hạn',
  no_deadline: 'Không thời hạn',
  cancelled: 'Đã hủy/thu hồi',
};

export const DUE_SOON_WORKING_DAYS = 3;

/**
 * The effective deadline date D (Civil Code Art. 148): the deadline's date, moved to the next
 * working day when it falls on a day off.
 */
export function effectiveDeadlineDay(deadline: Deadline, calendar: Calendar): Day {
  return calendar.effectiveEnd(deadline.day);
}

/**
 * The instant the deadline passes: end of D (24:00) for a date; for a date-time on a working
 * day, that instant; a date-time on a day off moves to the end of the next working day.
 */
export function deadlineInstant(deadline: Deadline, calendar: Calendar): number {
  const d = effectiveDeadlineDay(deadline, calendar);
  if (deadline.minute !== undefined && d === deadline.day) return calendar.zone.instantAt(d, deadline.minute);
  return calendar.zone.startOfDay(d + 1);
}

export interface OccurrenceStatus {
  occurrence: string;
  status: TaskStatus;
  /** count(today, D): working days left (negative: overdue by that many). */
  daysLeft?: number;
  effectiveDay?: Day;
  deadlineAt?: number;
}

export function occurrenceStatus(task: Task, occ: Occurrence, calendar: Calendar, now: number, dueSoonDays = DUE_SOON_WORKING_DAYS): OccurrenceStatus {
  const effectiveDay = effectiveDeadlineDay(occ.deadline, calendar);
  const deadlineAt = deadlineInstant(occ.deadline, calendar);
  const base = { occurrence: occ.key, effectiveDay, deadlineAt };
  if (task.cancelledAt !== undefined || occ.state.cancelledAt !== undefined) return { ...base, status: 'cancelled' };
  if (occ.state.completedAt !== undefined) return { ...base, status: occ.state.completedAt <= deadlineAt ? 'on_time' : 'late' };
  const today = calendar.zone.dayOf(now);
  const daysLeft = calendar.count(today, effectiveDay);
  if (now >= deadlineAt) return { ...base, status: 'overdue', daysLeft: Math.min(daysLeft, -1) };
  return { ...base, status: daysLeft <= dueSoonDays ? 'due_soon' : 'within_deadline', daysLeft };
}

/**
 * The status of a task as a whole: for a one-off task, its occurrence; for a recurring duty,
 * the earliest occurrence still open (or the latest finished one when none is open).
 */
export function taskStatus(task: Task, calendar: Calendar, now: number, dueSoonDays = DUE_SOON_WORKING_DAYS): OccurrenceStatus {
  if (!task.recurrence) {
    const [occ] = occurrencesOf(task, task.assignedOn, task.assignedOn);
    if (!occ) return { occurrence: ONCE, status: task.cancelledAt !== undefined ? 'cancelled' : task.occurrences[ONCE]?.completedAt !== undefined ? 'on_time' : 'no_deadline' };
    return occurrenceStatus(task, occ, calendar, now, dueSoonDays);
  }
  const today = calendar.zone.dayOf(now);
  // Look back a year for open occurrences and ahead far enough to find the next one.
  const occs = occurrencesOf(task, Math.max(calendar.firstDay, today - 400), Math.min(calendar.lastDay, today + 400));
  if (occs.length === 0) return { occurrence: ONCE, status: task.cancelledAt !== undefined ? 'cancelled' : 'no_deadline' };
  const statuses = occs.map((o) => occurrenceStatus(task, o, calendar, now, dueSoonDays));
  const open = statuses.find((s) => s.status === 'overdue' || s.status === 'due_soon' || s.status === 'within_deadline');
  return open ?? statuses.filter((s) => (s.effectiveDay ?? 0) <= today).at(-1) ?? statuses[0]!;
}

export const isOpenStatus = (s: TaskStatus): boolean => s === 'within_deadline' || s === 'due_soon' || s === 'overdue';
