// Repeat lateness (7176 §5): Sở Nội vụ proposes review, transfer or reassignment for heads
// whose work is late "many times". No national rule fixes "many times" (DOMAIN.md), so it is a
// configurable rule: a body is late many times when the number of its tasks finished late or
// still overdue within a rating window reaches the threshold; further steps (e.g. 5, 10) are
// told again. Pure: the engine calls latenessCrossings() with the ids of notices already sent
// and sends what comes back, once each (the ids are deterministic).
//
// A late task belongs to the window holding its effective deadline D (Art. 148), the day it
// became late; so a new window starts counting afresh, and a task due in December that is
// still overdue in January stays in December's count. Each task is attributed to the head in
// office on D (7176 §5 and the rating rules look at persons), from the directory's tenures.
import type { Calendar } from './calendar.js';
import { type Day, dayFromYmd, daysInMonth, formatIsoDay, ymdFromDay } from './day.js';
import { type OrgDirectory, headOn } from './org.js';
import { type ReportInput, type ReportRow, scopeRows } from './report.js';
import type { Deadline } from './task.js';

export const LATENESS_WINDOWS = ['calendar_year', 'quarter', 'month', 'rolling_12_months'] as const;
export type LatenessWindow = (typeof LATENESS_WINDOWS)[number];

export interface LatenessRule {
  threshold: number;
  window: LatenessWindow;
  /** Ascending; the first is the threshold. */
  steps: readonly number[];
}

export interface RatingWindow {
  kind: LatenessWindow;
  /** "2026", "2026-Q1", "2026-03"; rolling: "R" + the first day of the stretch above threshold. */
  key: string;
  from: Day;
  to: Day;
}

export interface LateTask {
  taskId: string;
  occurrence: string;
  title: string;
  body: string;
  source: ReportRow['source'];
  deadline: Deadline;
  /** D, the effective deadline date. */
  effectiveDay: Day;
  status: 'late' | 'overdue';
  completedAt?: number;
  workingDaysLate: number;
  /** The head in office on D. */
  head?: string;
}

export interface LatenessCrossing {
  /** lateness-<body>-<windowKey>-<step>: the engine sends each id once. */
  id: string;
  body: string;
  bodyName: string;
  /** The head in office when the step was reached (on D of the task that reached it). */
  head?: { name: string; title?: string };
  /** Late tasks per head in office on their D, most first. */
  heads: Array<{ name: string; count: number }>;
  count: number;
  step: number;
  threshold: number;
  windowKey: string;
  window: RatingWindow;
  /** D of the task that brought the count to the step. */
  reachedOn: Day;
  tasks: LateTask[];
}

export const latenessNoticeId = (body: string, windowKey: string, step: number): string => `lateness-${body}-${windowKey}-${step}`;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The calendar window holding a day (rolling windows: the 12 months ending on it). */
export function windowOf(kind: LatenessWindow, day: Day): RatingWindow {
  const { year, month } = ymdFromDay(day);
  switch (kind) {
    case 'calendar_year':
      return { kind, key: String(year), from: dayFromYmd(year, 1, 1), to: dayFromYmd(year, 12, 31) };
    case 'quarter': {
      const q = Math.floor((month - 1) / 3);
      return { kind, key: `${year}-Q${q + 1}`, from: dayFromYmd(year, q * 3 + 1, 1), to: dayFromYmd(year, q * 3 + 3, daysInMonth(year, q * 3 + 3)) };
    }
    case 'month':
      return { kind, key: `${year}-${pad2(month)}`, from: dayFromYmd(year, month, 1), to: dayFromYmd(year, month, daysInMonth(year, month)) };
    case 'rolling_12_months':
      return { kind, key: `R${formatIsoDay(day)}`, from: rollingStart(day), to: day };
  }
}

/** The first day of the 12 months ending on `day`: the day after the same date a year before. */
export function rollingStart(day: Day): Day {
  const { year, month, day: d } = ymdFromDay(day);
  return dayFromYmd(year - 1, month, Math.min(d, daysInMonth(year - 1, month))) + 1;
}

const byDeadline = (a: LateTask, b: LateTask): number =>
  a.effectiveDay - b.effectiveDay || (a.deadline.minute ?? 1440) - (b.deadline.minute ?? 1440) || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0) || (a.occurrence < b.occurrence ? -1 : 1);

/** Occurrences with D in [from, to] that are late or overdue at `now`, sorted by D. */
export function lateTasks(inputs: readonly ReportInput[], calendar: Calendar, org: OrgDirectory, from: Day, to: Day, now: number): LateTask[] {
  const today = calendar.zone.dayOf(now);
  const scope = { from, to: Math.min(to, today), asOf: now, endDay: today };
  const out: LateTask[] = [];
  if (scope.to < from) return out;
  for (const input of inputs) {
    for (const r of scopeRows(input, calendar, org, scope).rows) {
      if ((r.status !== 'late' && r.status !== 'overdue') || r.carriedOver) continue;
      out.push({
        taskId: r.taskId,
        occurrence: r.occurrence,
        title: r.title,
        body: r.body,
        source: r.source,
        deadline: r.deadline!,
        effectiveDay: r.effectiveDay!,
        status: r.status,
        ...(r.completedAt !== undefined ? { completedAt: r.completedAt } : {}),
        workingDaysLate: r.workingDaysLate!,
        ...(r.head ? { head: r.head } : {}),
      });
    }
  }
  return out.sort(byDeadline);
}

const groupByBody = (tasks: readonly LateTask[]): Map<string, LateTask[]> => {
  const m = new Map<string, LateTask[]>();
  for (const t of tasks) {
    const list = m.get(t.body);
    if (list) list.push(t);
    else m.set(t.body, [t]);
  }
  return m;
};

const highestStep = (steps: readonly number[], count: number): number | undefined => [...steps].reverse().find((s) => s <= count);

export type SentCheck = ReadonlySet<string> | ((id: string) => boolean);

/**
 * The notices due at `now`: per body and window, the highest step its count has reached,
 * unless a notice for that step or a higher one in the same window was already sent.
 * Calendar windows: the current one and the one before (a task due on the last day of a year
 * becomes late in the next one). Rolling windows: the 12 months ending today, keyed by the
 * first day of the current stretch at or above the threshold, so a body that falls below it
 * and climbs back is told again.
 */
export function latenessCrossings(
  inputs: readonly ReportInput[],
  calendar: Calendar,
  org: OrgDirectory,
  rule: LatenessRule,
  now: number,
  sent: SentCheck = new Set(),
): LatenessCrossing[] {
  const wasSent = typeof sent === 'function' ? sent : (id: string) => sent.has(id);
  const steps = [...new Set([rule.threshold, ...rule.steps])].filter((s) => s >= rule.threshold).sort((a, b) => a - b);
  const today = calendar.zone.dayOf(now);
  const out: LatenessCrossing[] = [];

  const emit = (body: string, window: RatingWindow, tasks: LateTask[], reachedOn: (step: number) => Day): void => {
    const step = highestStep(steps, tasks.length);
    if (step === undefined) return;
    if (steps.some((s) => s >= step && wasSent(latenessNoticeId(body, window.key, s)))) return;
    const b = org.bodies.get(body);
    const on = reachedOn(step);
    const tenure = b ? headOn(b, on) : undefined;
    const tally = new Map<string, number>();
    for (const t of tasks) if (t.head) tally.set(t.head, (tally.get(t.head) ?? 0) + 1);
    out.push({
      id: latenessNoticeId(body, window.key, step),
      body,
      bodyName: b?.name ?? body,
      ...(tenure ? { head: { name: tenure.name, ...(tenure.title ? { title: tenure.title } : {}) } } : {}),
      heads: [...tally].map(([name, count]) => ({ name, count })).sort((x, y) => y.count - x.count || (x.name < y.name ? -1 : 1)),
      count: tasks.length,
      step,
      threshold: rule.threshold,
      windowKey: window.key,
      window,
      reachedOn: on,
      tasks,
    });
  };

  if (rule.window !== 'rolling_12_months') {
    const current = windowOf(rule.window, today);
    const previous = windowOf(rule.window, current.from - 1);
    const all = groupByBody(lateTasks(inputs, calendar, org, previous.from, today, now));
    for (const window of [previous, current]) {
      for (const [body, list] of all) {
        const tasks = list.filter((t) => t.effectiveDay >= window.from && t.effectiveDay <= window.to);
        emit(body, window, tasks, (step) => tasks[step - 1]!.effectiveDay);
      }
    }
  } else {
    const all = groupByBody(lateTasks(inputs, calendar, org, calendar.firstDay, today, now));
    for (const [body, list] of all) {
      const days = list.map((t) => t.effectiveDay);
      // Late tasks with D in the 12 months ending on t (days is sorted).
      const countOn = (t: Day): number => upperBound(days, t) - upperBound(days, rollingStart(t) - 1);
      if (countOn(today) < rule.threshold) continue;
      let start = today;
      while (countOn(start - 1) >= rule.threshold) start--;
      const window: RatingWindow = { kind: rule.window, key: `R${formatIsoDay(start)}`, from: rollingStart(today), to: today };
      const tasks = list.filter((t) => t.effectiveDay >= window.from);
      emit(body, window, tasks, (step) => {
        let t = start;
        while (countOn(t) < step) t++;
        return t;
      });
    }
  }
  return out.sort((a, b) => (a.window.from - b.window.from) || (a.body < b.body ? -1 : a.body > b.body ? 1 : 0));
}

/** Number of elements ≤ x in a sorted array. */
function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
