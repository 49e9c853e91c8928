// Changes to a task, as pure functions: each takes the task and returns the new task and the
// history event that records it, or refuses with a stable error. The store applies them
// atomically; the API, the CLI, import files and simulate all go through here.
import type { Calendar } from './calendar.js';
import { formatVnDay } from './day.js';
import { DondocError } from '../errors.js';
import { type OrgDirectory } from './org.js';
import { deadlineInstant, taskStatus } from './status.js';
import { parseInstant } from './zone.js';
import { type Deadline, type Task, type TaskEvent, ONCE, occurrencesOf } from './task.js';
import { type TaskInput, deriveTaskId, formatDeadline } from './task-codec.js';

export interface Actor {
  /** Who did it: "api:admin-token-name", "cli", "import:file.xlsx", "link:head@…". */
  by: string;
  now: number;
}

export interface Change {
  task: Task;
  event: TaskEvent;
}

const conflict = (msg: string): DondocError => new DondocError('TASK_CONFLICT', msg);
const rejected = (msg: string): DondocError => new DondocError('INPUT_REJECTED', msg);

/** The occurrence a status change targets: the named one, else the current (earliest open) one. */
export function targetOccurrence(task: Task, calendar: Calendar, now: number, occurrence?: string): string {
  if (occurrence) {
    if (!task.recurrence && occurrence !== ONCE) throw rejected(`task ${task.id} is not recurring: occurrence "${occurrence}" does not exist`);
    return occurrence;
  }
  return task.recurrence ? taskStatus(task, calendar, now).occurrence : ONCE;
}

const bump = (task: Task, now: number): Task => ({ ...task, revision: task.revision + 1, updatedAt: now });

export function completeTask(
  task: Task,
  calendar: Calendar,
  actor: Actor,
  args: { completedAt: number; occurrence?: string; note?: string; document?: string },
): Change {
  if (args.completedAt > actor.now) throw conflict(`the completion date ${calendar.zone.formatInstant(args.completedAt)} is in the future`);
  if (task.cancelledAt !== undefined) throw conflict(`task ${task.id} is cancelled; it cannot be completed`);
  const key = targetOccurrence(task, calendar, actor.now, args.occurrence);
  const state = task.occurrences[key] ?? {};
  if (state.completedAt !== undefined) throw conflict(`task ${task.id} (${key}) is already completed`);
  if (state.cancelledAt !== undefined) throw conflict(`task ${task.id} (${key}) is cancelled; it cannot be completed`);
  const next = bump(task, actor.now);
  next.occurrences = { ...task.occurrences, [key]: { ...state, completedAt: args.completedAt, ...(args.note ? { completionNote: args.note } : {}) } };
  return {
    task: next,
    event: {
      type: 'completed',
      at: actor.now,
      by: actor.by,
      revision: next.revision,
      occurrence: key,
      completedAt: args.completedAt,
      ...(args.note ? { note: args.note } : {}),
      ...(args.document ? { document: args.document } : {}),
    },
  };
}

export function extendTask(
  task: Task,
  calendar: Calendar,
  actor: Actor,
  args: { deadline: Deadline; document: string; approvedBy: string; occurrence?: string },
): Change {
  if (task.cancelledAt !== undefined) throw conflict(`task ${task.id} is cancelled; it cannot be extended`);
  const key = targetOccurrence(task, calendar, actor.now, args.occurrence);
  const state = task.occurrences[key] ?? {};
  if (state.completedAt !== undefined) throw conflict(`task ${task.id} (${key}) is already completed; it cannot be extended`);
  if (state.cancelledAt !== undefined) throw conflict(`task ${task.id} (${key}) is cancelled; it cannot be extended`);
  const occ = task.recurrence
    ? occurrencesOf(task, calendar.firstDay, calendar.lastDay).find((o) => o.key === key)
    : occurrencesOf(task, task.assignedOn, task.assignedOn)[0];
  if (!occ) throw conflict(`task ${task.id} has no deadline to extend${task.recurrence ? ` for occurrence ${key}` : ''}; set one with PUT instead`);
  if (deadlineInstant(args.deadline, calendar) <= deadlineInstant(occ.deadline, calendar)) {
    throw conflict(`the new deadline ${formatDeadline(args.deadline)} is not later than the current one ${formatDeadline(occ.deadline)}`);
  }
  const next = bump(task, actor.now);
  next.extensions = [...task.extensions, { occurrence: key, previous: occ.deadline, deadline: args.deadline, document: args.document, approvedBy: args.approvedBy, at: actor.now }];
  return {
    task: next,
    event: { type: 'extended', at: actor.now, by: actor.by, revision: next.revision, occurrence: key, previous: occ.deadline, deadline: args.deadline, document: args.document, approvedBy: args.approvedBy },
  };
}

export function cancelTask(task: Task, actor: Actor, args: { reason: string; occurrence?: string }): Change {
  if (task.cancelledAt !== undefined) throw conflict(`task ${task.id} is already cancelled`);
  const next = bump(task, actor.now);
  if (args.occurrence) {
    const state = task.occurrences[args.occurrence] ?? {};
    if (state.completedAt !== undefined) throw conflict(`task ${task.id} (${args.occurrence}) is already completed`);
    next.occurrences = { ...task.occurrences, [args.occurrence]: { ...state, cancelledAt: actor.now, cancelReason: args.reason } };
  } else {
    next.cancelledAt = actor.now;
    next.cancelReason = args.reason;
  }
  return {
    task: next,
    event: { type: 'cancelled', at: actor.now, by: actor.by, revision: next.revision, reason: args.reason, ...(args.occurrence ? { occurrence: args.occurrence } : {}) },
  };
}

export function reopenTask(task: Task, actor: Actor, args: { occurrence?: string; reason: string }): Change {
  const key = args.occurrence ?? ONCE;
  const state = task.occurrences[key];
  if (!state?.completedAt) throw conflict(`task ${task.id} (${key}) is not completed; nothing to reopen`);
  const next = bump(task, actor.now);
  const { completedAt: _c, completionNote: _n, ...rest } = state;
  next.occurrences = { ...task.occurrences, [key]: rest };
  return { task: next, event: { type: 'reopened', at: actor.now, by: actor.by, revision: next.revision, occurrence: key, reason: args.reason } };
}

/** Fields an update may change, compared to record a precise "updated" event. */
const TRACKED: Array<keyof Task> = ['kind', 'title', 'content', 'source', 'lead', 'coordinators', 'leader', 'assignedOn', 'receivedAt', 'deadline', 'recurrence'];

export function diffTasks(before: Task, after: Task): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of TRACKED) {
    const a = JSON.stringify(before[k] ?? null);
    const b = JSON.stringify(after[k] ?? null);
    if (a !== b) changes[k] = { from: before[k] ?? null, to: after[k] ?? null };
  }
  return changes;
}

/** Replaces the assignment fields of a task (PUT, re-import); history keeps what changed. */
export function updateTask(task: Task, fields: Task, actor: Actor): Change | null {
  const merged: Task = { ...task };
  for (const k of TRACKED) (merged as unknown as Record<string, unknown>)[k] = fields[k];
  for (const k of TRACKED) if (fields[k] === undefined) delete (merged as unknown as Record<string, unknown>)[k];
  const changes = diffTasks(task, merged);
  if (Object.keys(changes).length === 0) return null;
  const next = bump(merged, actor.now);
  return { task: next, event: { type: 'updated', at: actor.now, by: actor.by, revision: next.revision, changes } };
}

export interface BuiltTask {
  task: Task;
  /** created, then one event per status event in the input. */
  events: TaskEvent[];
  warnings: string[];
}

/**
 * A new task from validated input: fills defaults from the directory (leader from the lead
 * body, assigned on the document date), derives the id, then applies the input's status
 * events in order. Unknown bodies are the caller's job (the importer names rows and columns).
 */
export function buildTask(input: TaskInput, calendar: Calendar, org: OrgDirectory, actor: Actor): BuiltTask {
  const zone = calendar.zone;
  const warnings: string[] = [];
  const lead = org.bodies.get(input.lead);
  const assignedOn = input.assigned_on ?? input.source.date;
  const receivedAt = input.received_at === undefined ? undefined : parseInstant(input.received_at, zone.name);
  if (input.received_at !== undefined && receivedAt === null) throw rejected(`received_at: not a real date-time: ${input.received_at}`);
  const deadline = input.deadline ?? undefined;
  if (deadline && deadline.day < assignedOn) warnings.push(`thời hạn ${formatVnDay(deadline.day)} sớm hơn ngày giao ${formatVnDay(assignedOn)}`);
  const source = {
    number: input.source.number,
    date: input.source.date,
    issuer: input.source.issuer,
    ...(input.source.subject ? { subject: input.source.subject } : {}),
    ...(input.source.item ? { item: input.source.item } : {}),
  };
  let task: Task = {
    id: input.id ?? deriveTaskId(source, input.lead),
    revision: 1,
    kind: input.kind,
    title: input.title,
    ...(input.content ? { content: input.content } : {}),
    source,
    lead: input.lead,
    coordinators: [...new Set(input.coordinators.filter((c) => c !== input.lead))],
    ...((input.leader ?? lead?.leader) ? { leader: input.leader ?? lead?.leader } : {}),
    assignedOn,
    ...(receivedAt != null ? { receivedAt } : {}),
    ...(deadline ? { deadline } : {}),
    ...(input.recurrence
      ? {
          recurrence: {
            freq: input.recurrence.freq,
            day: input.recurrence.day,
            ...(input.recurrence.month !== undefined ? { month: input.recurrence.month } : {}),
            ...(input.recurrence.from !== undefined ? { from: input.recurrence.from } : {}),
            ...(input.recurrence.until !== undefined ? { until: input.recurrence.until } : {}),
          },
        }
      : {}),
    extensions: [],
    occurrences: {},
    createdAt: actor.now,
    updatedAt: actor.now,
  };
  const events: TaskEvent[] = [{ type: 'created', at: actor.now, by: actor.by, revision: 1 }];
  for (const e of input.events) {
    // An event dated "on" a day happened at the end of office hours that day, unless timed.
    const at = eventInstant(e, calendar, actor.now);
    if (at === null) throw rejected(`events: ${e.type}: not a real date-time`);
    if (at > actor.now) throw rejected(`events: ${e.type} on ${zone.formatInstant(at)} is in the future`);
    // The event happened at its own time (simulate replays it in virtual time).
    const at_ = { by: actor.by, now: at };
    const occurrence = e.occurrence ? { occurrence: e.occurrence } : {};
    const change =
      e.type === 'completed'
        ? completeTask(task, calendar, at_, { completedAt: at, ...occurrence, ...(e.note ? { note: e.note } : {}), ...(e.document ? { document: e.document } : {}) })
        : e.type === 'extended'
          ? extendTask(task, calendar, at_, { deadline: e.deadline, document: e.document, approvedBy: e.approved_by, ...occurrence })
          : cancelTask(task, at_, { reason: e.reason, ...occurrence });
    task = change.task;
    events.push(change.event);
  }
  task.updatedAt = actor.now;
  return { task, events, warnings };
}

/** When an input event happened: its `at`, else the close of office hours on its `on` day. */
function eventInstant(e: TaskInput['events'][number], calendar: Calendar, now: number): number | null {
  if (e.at !== undefined) return parseInstant(e.at, calendar.zone.name);
  if (e.on === undefined) return now;
  if (typeof e.on === 'string') return parseInstant(e.on, calendar.zone.name);
  const last = calendar.officeHours.intervals[calendar.officeHours.intervals.length - 1]!;
  return calendar.zone.instantAt(e.on, last[1] - 1);
}
