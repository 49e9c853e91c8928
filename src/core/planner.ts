// The planner: from a task, what it has been sent so far, the policy, the calendar, the org
// directory and `now`, the exact list of notifications with their states. Pure and fast:
// integer day numbers and the calendar's precomputed tables, no luxon on the hot path.
//
// Rules (README "How steps are anchored" and "The 7176 ladder"):
//  - every step counts from D, the effective deadline date (Civil Code Art. 148);
//  - steps that would fall before the task was assigned (or, for procedures, received) are
//    not planned; after an extension, neither are new-ladder steps before the extension;
//  - catch-up: of each ladder only the latest step that is due is sent, at once (inside office
//    hours); the earlier unsent ones are superseded; a reminder that could only go out after
//    the deadline has passed is superseded too (the escalations take over);
//  - a completed or cancelled occurrence gets nothing further; an extension (a new deadline)
//    restarts the ladder under new ids; steps before the go-live date are backfilled.
import type { Calendar } from './calendar.js';
import type { Day } from './day.js';
import { formatVnDay } from './day.js';
import { type Slot, ladderSlots } from './ladder.js';
import {
  type TaskNotification,
  type NotificationState,
  codeForId,
  deadlineCode,
} from './notification.js';
import type { OrgDirectory } from './org.js';
import { type KindPolicy, type Policy, maxReachWorkingDays } from './policy.js';
import { resolveRecipients } from './recipients.js';
import { deadlineInstant } from './status.js';
import { type Deadline, type Occurrence, type Task, ONCE, occurrencesOf } from './task.js';

/** What was already handled for a task: ids of notifications sent (or failed and reported). */
export interface PlanHistory {
  has(id: string): boolean;
}

export interface PlanOptions {
  /** How far ahead recurring occurrences are planned, in calendar days (default 400: the next yearly one). */
  horizonDays?: number;
}

const NO_HISTORY: PlanHistory = { has: () => false };

/**
 * The day counting starts for the steps-before-assignment rule: the assignment day, or for
 * kinds counted from receipt the receipt day — the next working day when the dossier came in
 * on a day off or at/after the cutoff ("received after 15:00 counts from the next working day").
 */
export function startDayOf(task: Task, kp: KindPolicy, calendar: Calendar): Day {
  if (kp.countFrom !== 'received' || task.receivedAt === undefined) return task.assignedOn;
  const zone = calendar.zone;
  const day = zone.dayOf(task.receivedAt);
  const late = kp.receivedCutoff !== undefined && zone.minuteOfDay(task.receivedAt) >= kp.receivedCutoff;
  return !calendar.isWorkingDay(day) || late ? calendar.add(day, 1) : day;
}

/**
 * The occurrences to plan: those of the task (one for a one-off task), or — for a kind
 * counted from receipt with a processing period and a task without a deadline — the one
 * deadline the period gives (start day not counted, Civil Code Art. 147).
 */
export function planOccurrences(task: Task, kp: KindPolicy, calendar: Calendar, from: Day, to: Day): Occurrence[] {
  const occs = occurrencesOf(task, from, to);
  if (occs.length > 0 || task.recurrence || !kp.period || kp.countFrom !== 'received' || task.receivedAt === undefined) return occs;
  const start = startDayOf(task, kp, calendar);
  const day = kp.period.unit === 'working_day' ? calendar.add(start, kp.period.amount) : start + kp.period.amount;
  const deadline: Deadline = { day };
  return [{ key: ONCE, deadline, originalDeadline: deadline, state: task.occurrences[ONCE] ?? {}, extended: false }];
}

interface Era {
  deadline: Deadline;
  /** The extension instant that started this era (none for the original deadline). */
  from?: number;
  /** The next extension's instant, for eras that were replaced. */
  until?: number;
  next?: Deadline;
}

function erasOf(task: Task, occ: Occurrence): Era[] {
  const eras: Era[] = [{ deadline: occ.originalDeadline }];
  for (const e of task.extensions) {
    if (e.occurrence !== occ.key) continue;
    const last = eras[eras.length - 1]!;
    last.until = e.at;
    last.next = e.deadline;
    eras.push({ deadline: e.deadline, from: e.at });
  }
  return eras;
}

function closedOf(task: Task, occ: Occurrence): { at: number; reason: string } | undefined {
  const c = occ.state.completedAt;
  const x = occ.state.cancelledAt ?? task.cancelledAt;
  if (c === undefined && x === undefined) {
    // Issue 6: a completion reported through a reply link pauses the ladder until the Provincial
    // Office decides; a rejection clears it and the plan resumes (catch-up sends the latest due step).
    const r = occ.state.completionReport;
    return r ? { at: r.at, reason: 'paused (completion reported, awaiting confirmation)' } : undefined;
  }
  if (x === undefined || (c !== undefined && c <= x)) return { at: c!, reason: 'completed' };
  return { at: x, reason: 'cancelled' };
}

/** What every step of one deadline era of one occurrence is judged against. */
interface EraContext {
  task: Task;
  occ: Occurrence;
  era: Era;
  D: Day;
  /** The deadline part of the ids. */
  dl: string;
  deadlineAt: number;
  closed: { at: number; reason: string } | undefined;
  hist: PlanHistory;
  now: number;
  /** The first instant we could send: a step falling due by then is due (catch-up). */
  sendNow: number;
  goLiveAt: number;
  policy: Policy;
  calendar: Calendar;
  org: OrgDirectory;
  /** Steps before this day (assignment or receipt) are not planned. */
  startDay: Day;
}

interface Ladder {
  ladder: string;
  body: string;
  coordinator?: string;
  idSuffix: string;
}

/** The notifications of one task, sorted by `at`. See the file comment for the rules. */
export function planNotifications(
  task: Task,
  history: PlanHistory | undefined,
  policy: Policy,
  calendar: Calendar,
  org: OrgDirectory,
  now: number,
  options: PlanOptions = {},
): TaskNotification[] {
  const kp = policy.kinds[task.kind];
  const zone = calendar.zone;
  const today = zone.dayOf(now);
  const startDay = startDayOf(task, kp, calendar);
  const reachDays = maxReachWorkingDays(kp) * 2 + 30;
  const occs = task.recurrence
    ? planOccurrences(task, kp, calendar, Math.max(calendar.firstDay, today - reachDays - 400), Math.min(calendar.lastDay, today + (options.horizonDays ?? 400)))
    : planOccurrences(task, kp, calendar, task.assignedOn, task.assignedOn);
  const hist = history ?? NO_HISTORY;
  const sendNow = calendar.nextOfficeInstant(now);
  const goLiveAt = policy.goLive === undefined ? -Infinity : zone.startOfDay(policy.goLive);
  const out: TaskNotification[] = [];
  for (const occ of occs) {
    const eras = erasOf(task, occ);
    if (task.recurrence && calendar.effectiveEnd(eras[eras.length - 1]!.deadline.day) < today - reachDays) continue;
    const closed = closedOf(task, occ);
    for (const era of eras) {
      const D = calendar.effectiveEnd(era.deadline.day);
      const ctx: EraContext = {
        task,
        occ,
        era,
        D,
        dl: deadlineCode(era.deadline),
        deadlineAt: deadlineInstant(era.deadline, calendar),
        closed,
        hist,
        now,
        sendNow,
        goLiveAt,
        policy,
        calendar,
        org,
        startDay,
      };
      const lead = ladderSlots(kp.reminders, D, era.deadline, calendar, 0);
      lead.push(...ladderSlots(kp.escalations, D, era.deadline, calendar, 10_000));
      planLadder(ctx, lead, { ladder: 'lead', body: task.lead, idSuffix: '' }, out);
      if (kp.coordinators.length === 0) continue;
      for (const c of task.coordinators) {
        const id = codeForId(c);
        planLadder(ctx, ladderSlots(kp.coordinators, D, era.deadline, calendar, 0), { ladder: `coord-${id}`, body: c, coordinator: c, idSuffix: `-${id}` }, out);
      }
    }
  }
  out.sort((a, b) => a.at - b.at || a.level - b.level || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

const bySlotTime = (a: Slot, b: Slot): number => a.scheduledAt - b.scheduledAt || a.order - b.order;

/** Decides the state of each step of one ladder and appends its notifications. */
function planLadder(ctx: EraContext, all: Slot[], ladder: Ladder, out: TaskNotification[]): void {
  // Steps before the assignment (or receipt), or before the extension that started this era, are not planned.
  const from = ctx.era.from;
  const slots: Slot[] = [];
  for (const s of all) if (s.stepDay >= ctx.startDay && (from === undefined || s.scheduledAt >= from)) slots.push(s);
  slots.sort(bySlotTime);
  const { task, occ, era, closed, hist, sendNow, goLiveAt, deadlineAt } = ctx;
  const ids: string[] = [];
  for (const s of slots) ids.push(`${task.id}_${occ.key}_${s.stepId}${ladder.idSuffix}_${ctx.dl}`);
  const states: NotificationState[] = [];
  const reasons: Array<string | undefined> = [];
  let latestDue = -1;
  let latestDone = -1;
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!;
    let state: NotificationState = 'planned';
    let reason: string | undefined;
    if (hist.has(ids[i]!)) {
      state = 'done';
      latestDone = i;
    } else if (s.scheduledAt < goLiveAt) {
      state = 'backfilled';
      reason = `fell due before the go-live date ${formatVnDay(ctx.policy.goLive!)}`;
    } else if (era.until !== undefined) {
      state = 'superseded';
      reason = `deadline extended to ${formatVnDay(era.next!.day)}`;
    } else if (closed && (s.scheduledAt >= closed.at || closed.at <= ctx.now)) {
      state = 'cancelled';
      reason = `${closed.reason} at ${ctx.calendar.zone.formatInstant(closed.at)}`;
    } else if (s.step.kind !== 'escalation' && Math.max(s.scheduledAt, sendNow) >= deadlineAt) {
      // A reminder is about a deadline still ahead: one that could only arrive after the
      // deadline passed is never sent (the escalations take over).
      state = 'superseded';
      reason = 'the deadline passed before it could be sent';
    } else if (s.scheduledAt <= sendNow) {
      state = 'superseded';
      reason = 'a later step of the same ladder was due';
      latestDue = i;
    }
    states.push(state);
    reasons.push(reason);
  }
  // Catch-up: only the latest due step is sent, and only if nothing later was already sent.
  if (latestDue >= 0 && latestDue > latestDone) {
    states[latestDue] = 'due';
    reasons[latestDue] = undefined;
  }
  for (let i = 0; i < slots.length; i++) out.push(notificationOf(ctx, slots[i]!, ids[i]!, states[i]!, reasons[i], ladder));
}

function notificationOf(ctx: EraContext, s: Slot, id: string, state: NotificationState, reason: string | undefined, l: Ladder): TaskNotification {
  const at = state === 'due' ? ctx.sendNow : s.scheduledAt;
  const day = ctx.calendar.zone.dayOf(at);
  const r = resolveRecipients(s.step.to, s.step.cc, { org: ctx.org, task: ctx.task, day, ...(l.coordinator !== undefined ? { coordinator: l.coordinator } : {}) });
  const n: TaskNotification = {
    id,
    kind: s.step.kind,
    level: s.step.level,
    step: s.stepId,
    scheduledAt: s.scheduledAt,
    at,
    to: r.to,
    cc: r.cc,
    template: s.step.template,
    state,
    taskId: ctx.task.id,
    occurrence: ctx.occ.key,
    ladder: l.ladder,
    repeat: s.repeat,
    body: l.body,
    deadline: ctx.era.deadline,
    effectiveDay: ctx.D,
    stepDay: s.stepDay,
    daysLeft: ctx.calendar.count(day, ctx.D),
  };
  if (reason !== undefined) n.reason = reason;
  if (r.warnings.length > 0) n.warnings = r.warnings;
  return n;
}

/** Only what is still to be sent. */
export const pendingOf = (plan: readonly TaskNotification[]): TaskNotification[] => plan.filter((n) => n.state === 'planned' || n.state === 'due');
