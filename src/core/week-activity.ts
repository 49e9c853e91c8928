// What happened in a period, whatever the deadlines' own periods: the tasks completed in it
// (on time or late), the ones that became overdue in it and are still open at its end, and
// the ones overdue since before it and still open. The weekly summary to Sở Nội vụ is about
// this (a task due 10/02 and done on 20/02 was done late in the week of 16–22/02, although
// its deadline lies outside that week). Pure, like report.ts; statuses are as of `asOf`.
import type { Calendar } from './calendar.js';
import type { Day } from './day.js';
import type { OrgDirectory } from './org.js';
import type { Task } from './task.js';
import { bodyOrder, taskAsOf } from './task-as-of.js';
import { occurrenceStatus } from './status.js';
import { occurrencesOf } from './task.js';

/** A task and (unused here) its history, as report.ts takes them. */
export interface ActivityInput {
  task: Task;
}

export const ACTIVITY_KINDS = ['completed_on_time', 'completed_late', 'newly_overdue', 'still_overdue'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export interface ActivityRow {
  taskId: string;
  occurrence: string;
  title: string;
  /** The lead body as of the end of the period. */
  body: string;
  kind: ActivityKind;
  effectiveDay: Day;
  completedAt?: number;
}

export interface ActivityFigures {
  completedOnTime: number;
  completedLate: number;
  newlyOverdue: number;
  stillOverdue: number;
}

export interface Activity {
  totals: ActivityFigures;
  bodies: Array<{ code: string; name: string } & ActivityFigures>;
  rows: ActivityRow[];
}

const FIELD: Record<ActivityKind, keyof ActivityFigures> = {
  completed_on_time: 'completedOnTime',
  completed_late: 'completedLate',
  newly_overdue: 'newlyOverdue',
  still_overdue: 'stillOverdue',
};

const zero = (): ActivityFigures => ({ completedOnTime: 0, completedLate: 0, newlyOverdue: 0, stillOverdue: 0 });

export function activityOf(
  inputs: readonly ActivityInput[],
  calendar: Calendar,
  org: OrgDirectory,
  o: { from: Day; to: Day; asOf: number; body?: string },
): Activity {
  const start = calendar.zone.startOfDay(o.from);
  const rows: ActivityRow[] = [];
  for (const input of inputs) {
    const task = taskAsOf(input.task, o.asOf);
    if (o.body !== undefined && task.lead !== o.body) continue;
    if (task.assignedOn > calendar.zone.dayOf(o.asOf)) continue;
    if (!task.recurrence && !task.deadline) continue;
    const occs = task.recurrence ? occurrencesOf(task, calendar.firstDay, o.to) : occurrencesOf(task, task.assignedOn, task.assignedOn);
    for (const occ of occs) {
      const s = occurrenceStatus(task, occ, calendar, o.asOf);
      const done = occ.state.completedAt;
      let kind: ActivityKind | undefined;
      if (s.status === 'on_time' || s.status === 'late') {
        if (done !== undefined && done >= start && done <= o.asOf) kind = s.status === 'on_time' ? 'completed_on_time' : 'completed_late';
      } else if (s.status === 'overdue') {
        kind = s.deadlineAt! >= start ? 'newly_overdue' : 'still_overdue';
      }
      if (!kind) continue;
      rows.push({ taskId: task.id, occurrence: occ.key, title: task.title, body: task.lead, kind, effectiveDay: s.effectiveDay!, ...(done !== undefined ? { completedAt: done } : {}) });
    }
  }
  const order = bodyOrder(org);
  rows.sort((a, b) => order(a.body, b.body) || a.effectiveDay - b.effectiveDay || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
  const totals = zero();
  const byBody = new Map<string, ActivityFigures>();
  for (const r of rows) {
    totals[FIELD[r.kind]]++;
    let f = byBody.get(r.body);
    if (!f) byBody.set(r.body, (f = zero()));
    f[FIELD[r.kind]]++;
  }
  const bodies = [...byBody.keys()].sort(order).map((code) => ({ code, name: org.bodies.get(code)?.name ?? code, ...byBody.get(code)! }));
  return { totals, bodies, rows };
}
