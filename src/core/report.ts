// The figures of a report for the Provincial Office and Sở Nội vụ (7176 §4–§5), in the
// Government Office categories (report 1270/BC-TCTTTg). Pure: tasks, their histories and the
// escalations sent come in; a plain, JSON-safe Report comes out (a frozen snapshot is this
// object), and renderers in src/report/ only format it.
//
// Scope, stated in every rendered report (src/report/view.ts):
//   - occurrences whose effective deadline D (Civil Code Art. 148) falls in [from, to];
//   - plus occurrences due before `from` that are still open and overdue at the end;
//   - plus tasks without a deadline assigned in [from, to];
//   - cancelled ones are left out and counted apart.
// Status is as of the end of the range: 24:00 of `to` (a day ends at 24:00, Art. 148), or now
// for a range that has not ended. What happened later (a completion, an approved extension, a
// cancellation) is not seen, so a report for a closed period does not change when run again.
// Extensions, non-cooperation reports and escalations are those of the tasks in scope,
// recorded by the end of the range: every total is the sum of a column of the task list.
import type { Calendar } from './calendar.js';
import { type Day, isoWeekday } from './day.js';
import { type OrgDirectory, headOn } from './org.js';
import { occurrenceStatus } from './status.js';
import { bodyOrder, taskAsOf } from './task-as-of.js';
import { type Activity, activityOf } from './week-activity.js';

export { bodyOrder, taskAsOf };
import { type Deadline, type Task, type TaskKind, ONCE, occurrencesOf } from './task.js';

/**
 * A history event read loosely: the stored TaskEvent types plus those the reply links add —
 * `extension_requested` {occurrence?} and `noncooperation_reported` {occurrence?, coordinator:
 * the code of the body that does not cooperate, reason?}.
 */
export interface HistoryEventLike {
  type: string;
  at: number;
  by?: string;
  occurrence?: string;
  coordinator?: string;
  body?: string;
  reason?: string;
}

export interface ReportInput {
  task: Task;
  history?: readonly HistoryEventLike[];
}

export interface EscalationCounts {
  level1: number;
  level2: number;
  level3: number;
}

export const NO_ESCALATIONS: EscalationCounts = Object.freeze({ level1: 0, level2: 0, level3: 0 });

/** The Government Office categories (due soon is within the deadline here). */
export const ROW_STATUSES = ['on_time', 'late', 'within_deadline', 'overdue', 'no_deadline'] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

export interface ReportRow {
  taskId: string;
  occurrence: string;
  title: string;
  kind: TaskKind;
  /** The lead body (chủ trì) as of the end of the range. */
  body: string;
  coordinators: string[];
  source: { number: string; date: Day; issuer: string; subject?: string; item?: string };
  assignedOn: Day;
  /** The deadline in force at the end of the range (after extensions approved by then). */
  deadline?: Deadline;
  /** The deadline as first set, when extended. */
  originalDeadline?: Deadline;
  /** D: the effective deadline date (Art. 148). */
  effectiveDay?: Day;
  status: RowStatus;
  /** Due before the range and still overdue at its end. */
  carriedOver: boolean;
  completedAt?: number;
  completedOn?: Day;
  /** Late: count(D, completion day); overdue: count(D, end day); at least 1. */
  workingDaysLate?: number;
  /** The head in office on D (the directory's head tenures). */
  head?: string;
  extensionsRequested: number;
  extensionsApproved: number;
  escalations: EscalationCounts;
}

export interface Figures {
  /** Every occurrence in scope: onTime + late + withinDeadline + overdue + noDeadline. */
  assigned: number;
  onTime: number;
  late: number;
  withinDeadline: number;
  overdue: number;
  noDeadline: number;
  extensionsRequested: number;
  extensionsApproved: number;
  noncooperation: number;
  escalations: EscalationCounts;
  /** Sum of working days late over late and overdue rows. */
  workingDaysLate: number;
  /** workingDaysLate / (late + overdue), rounded to 2 decimals; null when none is late. */
  averageWorkingDaysLate: number | null;
}

export interface BodyFigures extends Figures {
  code: string;
  name: string;
}

export interface NoncooperationEntry {
  taskId: string;
  occurrence?: string;
  /** The coordinating body reported (the count goes to it). */
  body: string;
  /** The lead body that reported it. */
  reportedBy: string;
  at: number;
  reason?: string;
}

export interface Report {
  version: 1;
  zone: string;
  from: Day;
  to: Day;
  /** Set when the report is for one body. */
  body?: { code: string; name: string };
  /** The instant statuses are taken at: 24:00 of `to`, or the time of the report if earlier. */
  asOf: number;
  /** The day overdue tasks are counted to. */
  endDay: Day;
  generatedAt: number;
  totals: Figures;
  bodies: BodyFigures[];
  rows: ReportRow[];
  noncooperation: NoncooperationEntry[];
  excluded: { cancelled: number };
  /** Whether any data of these kinds existed at all (else the renderers say the zero is "no data"). */
  sources: { extensionRequests: boolean; noncooperation: boolean; escalations: boolean };
  frozen?: { at: number; key: string };
  /**
   * What happened in the range whatever the deadlines' periods (week-activity.ts): completed
   * on time or late, newly overdue, still overdue. Absent in snapshots frozen before it existed.
   */
  activity?: Activity;
}

export interface ReportOptions {
  from: Day;
  to: Day;
  /** The clock (epoch ms): a range not yet ended is reported as of now. */
  now: number;
  /** A body code: its tasks only, and the non-cooperation reports naming it. */
  body?: string;
  /** Escalations sent per task id by the end of the range (delivery records); absent: none known. */
  escalations?: ReadonlyMap<string, EscalationCounts>;
}

export const EXTENSION_REQUESTED = 'extension_requested';
export const NONCOOPERATION_REPORTED = 'noncooperation_reported';

/** The instant a range's statuses are taken at, and the day overdue tasks are counted to. */
export function reportEnd(to: Day, now: number, calendar: Calendar): { asOf: number; endDay: Day } {
  const end = calendar.zone.startOfDay(to + 1);
  return now >= end ? { asOf: end, endDay: to } : { asOf: now, endDay: calendar.zone.dayOf(now) };
}

export interface ScopeOptions {
  from: Day;
  to: Day;
  asOf: number;
  endDay: Day;
}

/** The rows of one task in scope, and how many of its occurrences in range were cancelled. */
export function scopeRows(input: ReportInput, calendar: Calendar, org: OrgDirectory, o: ScopeOptions): { rows: ReportRow[]; cancelled: number } {
  const task = taskAsOf(input.task, o.asOf);
  const rows: ReportRow[] = [];
  let cancelled = 0;
  // Not yet assigned at the end of the range.
  if (task.assignedOn > o.endDay) return { rows, cancelled };
  const requested = (key: string): number =>
    (input.history ?? []).filter((e) => e.type === EXTENSION_REQUESTED && e.at <= o.asOf && (e.occurrence ?? (task.recurrence ? undefined : ONCE)) === key).length;
  const base = (key: string): Omit<ReportRow, 'status' | 'carriedOver'> => ({
    taskId: task.id,
    occurrence: key,
    title: task.title,
    kind: task.kind,
    body: task.lead,
    coordinators: [...task.coordinators],
    source: {
      number: task.source.number,
      date: task.source.date,
      issuer: task.source.issuer,
      ...(task.source.subject ? { subject: task.source.subject } : {}),
      ...(task.source.item ? { item: task.source.item } : {}),
    },
    assignedOn: task.assignedOn,
    extensionsRequested: requested(key),
    extensionsApproved: task.extensions.filter((e) => e.occurrence === key).length,
    escalations: { ...NO_ESCALATIONS },
  });

  if (!task.recurrence && !task.deadline) {
    // No deadline: counted in the range it was assigned in.
    if (task.assignedOn < o.from || task.assignedOn > o.to) return { rows, cancelled };
    const state = task.occurrences[ONCE] ?? {};
    if (task.cancelledAt !== undefined || state.cancelledAt !== undefined) return { rows, cancelled: 1 };
    const done = state.completedAt;
    rows.push({
      ...base(ONCE),
      status: 'no_deadline',
      carriedOver: false,
      ...(done !== undefined ? { completedAt: done, completedOn: calendar.zone.dayOf(done) } : {}),
    });
    return { rows, cancelled };
  }

  const occs = task.recurrence ? occurrencesOf(task, calendar.firstDay, o.to) : occurrencesOf(task, task.assignedOn, task.assignedOn);
  const lead = org.bodies.get(task.lead);
  for (const occ of occs) {
    const s = occurrenceStatus(task, occ, calendar, o.asOf);
    const d = s.effectiveDay!;
    const inRange = d >= o.from && d <= o.to;
    if (s.status === 'cancelled') {
      if (inRange) cancelled++;
      continue;
    }
    const carriedOver = !inRange && s.status === 'overdue' && d < o.from;
    if (!inRange && !carriedOver) continue;
    const status: RowStatus = s.status === 'due_soon' ? 'within_deadline' : (s.status as RowStatus);
    const done = occ.state.completedAt;
    const doneDay = done === undefined ? undefined : calendar.zone.dayOf(done);
    // Working days late, at least 1 (as status.ts counts overdue): a task due Friday and
    // finished on Saturday is late although no working day has passed.
    const lateDays = status === 'late' ? Math.max(1, calendar.count(d, doneDay!)) : status === 'overdue' ? Math.max(1, calendar.count(d, o.endDay)) : undefined;
    const head = lead ? headOn(lead, d)?.name : undefined;
    rows.push({
      ...base(occ.key),
      deadline: occ.deadline,
      ...(occ.extended ? { originalDeadline: occ.originalDeadline } : {}),
      effectiveDay: d,
      status,
      carriedOver,
      ...(done !== undefined ? { completedAt: done, completedOn: doneDay! } : {}),
      ...(lateDays !== undefined ? { workingDaysLate: lateDays } : {}),
      ...(head ? { head } : {}),
    });
  }
  return { rows, cancelled };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

export function figuresOf(rows: readonly ReportRow[], noncooperation: number): Figures {
  const f: Figures = {
    assigned: rows.length,
    onTime: 0,
    late: 0,
    withinDeadline: 0,
    overdue: 0,
    noDeadline: 0,
    extensionsRequested: 0,
    extensionsApproved: 0,
    noncooperation,
    escalations: { ...NO_ESCALATIONS },
    workingDaysLate: 0,
    averageWorkingDaysLate: null,
  };
  for (const r of rows) {
    if (r.status === 'on_time') f.onTime++;
    else if (r.status === 'late') f.late++;
    else if (r.status === 'within_deadline') f.withinDeadline++;
    else if (r.status === 'overdue') f.overdue++;
    else f.noDeadline++;
    f.extensionsRequested += r.extensionsRequested;
    f.extensionsApproved += r.extensionsApproved;
    f.escalations.level1 += r.escalations.level1;
    f.escalations.level2 += r.escalations.level2;
    f.escalations.level3 += r.escalations.level3;
    f.workingDaysLate += r.workingDaysLate ?? 0;
  }
  const lateCount = f.late + f.overdue;
  f.averageWorkingDaysLate = lateCount === 0 ? null : round2(f.workingDaysLate / lateCount);
  return f;
}

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function buildReport(inputs: readonly ReportInput[], calendar: Calendar, org: OrgDirectory, opts: ReportOptions): Report {
  if (opts.to < opts.from) throw new RangeError('the end of the range is before its start');
  const { asOf, endDay } = reportEnd(opts.to, opts.now, calendar);
  const scope = { from: opts.from, to: opts.to, asOf, endDay };
  const order = bodyOrder(org);

  let rows: ReportRow[] = [];
  let noncooperation: NoncooperationEntry[] = [];
  let cancelled = 0;
  let anyRequest = false;
  let anyNoncooperation = false;
  for (const input of inputs) {
    for (const e of input.history ?? []) {
      if (e.type === EXTENSION_REQUESTED) anyRequest = true;
      if (e.type === NONCOOPERATION_REPORTED) anyNoncooperation = true;
    }
    const got = scopeRows(input, calendar, org, scope);
    if (opts.body === undefined || input.task.lead === opts.body) cancelled += got.cancelled;
    if (got.rows.length === 0) continue;
    // A task's escalations go on its latest row (recurring duties have several).
    const esc = opts.escalations?.get(input.task.id);
    if (esc) got.rows[got.rows.length - 1]!.escalations = { level1: esc.level1, level2: esc.level2, level3: esc.level3 };
    rows.push(...got.rows);
    // Non-cooperation reports on tasks in scope count for the body they name (7176 §3).
    const keys = new Set(got.rows.map((r) => r.occurrence));
    for (const e of input.history ?? []) {
      const named = e.coordinator ?? e.body;
      if (e.type !== NONCOOPERATION_REPORTED || e.at > asOf || !named) continue;
      if (e.occurrence !== undefined && !keys.has(e.occurrence)) continue;
      noncooperation.push({
        taskId: input.task.id,
        ...(e.occurrence !== undefined ? { occurrence: e.occurrence } : {}),
        body: named,
        reportedBy: input.task.lead,
        at: e.at,
        ...(e.reason ? { reason: e.reason } : {}),
      });
    }
  }

  if (opts.body !== undefined) {
    rows = rows.filter((r) => r.body === opts.body);
    noncooperation = noncooperation.filter((n) => n.body === opts.body);
  }
  rows.sort(
    (a, b) =>
      order(a.body, b.body) ||
      (a.effectiveDay ?? Infinity) - (b.effectiveDay ?? Infinity) ||
      byKey(a.taskId, b.taskId) ||
      byKey(a.occurrence, b.occurrence),
  );
  noncooperation.sort((a, b) => order(a.body, b.body) || a.at - b.at || byKey(a.taskId, b.taskId));

  const codes = new Set<string>([...rows.map((r) => r.body), ...noncooperation.map((n) => n.body), ...(opts.body !== undefined ? [opts.body] : [])]);
  const nameOf = (code: string): string => org.bodies.get(code)?.name ?? code;
  const bodies: BodyFigures[] = [...codes].sort(order).map((code) => ({
    code,
    name: nameOf(code),
    ...figuresOf(
      rows.filter((r) => r.body === code),
      noncooperation.filter((n) => n.body === code).length,
    ),
  }));

  return {
    version: 1,
    zone: calendar.zone.name,
    from: opts.from,
    to: opts.to,
    ...(opts.body !== undefined ? { body: { code: opts.body, name: nameOf(opts.body) } } : {}),
    asOf,
    endDay,
    generatedAt: opts.now,
    totals: figuresOf(rows, noncooperation.length),
    bodies,
    rows,
    noncooperation,
    excluded: { cancelled },
    sources: { extensionRequests: anyRequest, noncooperation: anyNoncooperation, escalations: opts.escalations !== undefined },
    activity: activityOf(inputs, calendar, org, { from: opts.from, to: opts.to, asOf, ...(opts.body !== undefined ? { body: opts.body } : {}) }),
  };
}

/** Late and overdue rows: the list of late tasks. */
export const lateRows = (r: Report): ReportRow[] => r.rows.filter((x) => x.status === 'late' || x.status === 'overdue');

/** The week a weekly summary sent on `day` covers: the Monday–Sunday before the week of `day`. */
export function previousWeek(day: Day): { from: Day; to: Day } {
  const monday = day - (isoWeekday(day) - 1);
  return { from: monday - 7, to: monday - 1 };
}
