// The JSON a client sees for a task: the stored task (taskToJson), its derived status now,
// its occurrences with their own status, and its history. Shared by the API and the CLI's
// --json output, so both speak the same shape. Dates YYYY-MM-DD, instants ISO with offset.
import type { Calendar } from '../core/calendar.js';
import { formatIsoDay } from '../core/day.js';
import { type OccurrenceStatus, STATUS_LABELS, occurrenceStatus } from '../core/status.js';
import { type Deadline, type Recurrence, type SourceDocument, type Task, type TaskEvent, occurrencesOf } from '../core/task.js';
import { formatDeadline, recurrenceToJson, taskToJson } from '../core/task-codec.js';
import type { Zone } from '../core/zone.js';

export function statusToJson(s: OccurrenceStatus, zone: Zone): Record<string, unknown> {
  return {
    code: s.status,
    label: STATUS_LABELS[s.status],
    occurrence: s.occurrence,
    ...(s.effectiveDay !== undefined ? { effective_deadline: formatIsoDay(s.effectiveDay) } : {}),
    ...(s.deadlineAt !== undefined ? { deadline_at: zone.formatInstant(s.deadlineAt) } : {}),
    ...(s.daysLeft !== undefined ? { working_days_left: s.daysLeft } : {}),
  };
}

/** An `updated` event's field changes with dates and instants written as at the edges. */
export function changesToJson(changes: Record<string, { from: unknown; to: unknown }>, zone: Zone): Record<string, { from: unknown; to: unknown }> {
  const conv = (key: string, v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    if (key === 'deadline') return formatDeadline(v as Deadline);
    if (key === 'assignedOn') return formatIsoDay(v as number);
    if (key === 'receivedAt') return zone.formatInstant(v as number);
    if (key === 'recurrence') return recurrenceToJson(v as Recurrence);
    if (key === 'source') return { ...(v as SourceDocument), date: formatIsoDay((v as SourceDocument).date) };
    return v;
  };
  const name = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return Object.fromEntries(Object.entries(changes).map(([k, c]) => [name(k), { from: conv(k, c.from), to: conv(k, c.to) }]));
}

export function eventToJson(e: TaskEvent, zone: Zone): Record<string, unknown> {
  const base = { type: e.type, at: zone.formatInstant(e.at), by: e.by, revision: e.revision };
  switch (e.type) {
    case 'created':
      return base;
    case 'updated':
      return { ...base, changes: changesToJson(e.changes, zone) };
    case 'completed':
      return {
        ...base,
        occurrence: e.occurrence,
        completed_at: zone.formatInstant(e.completedAt),
        ...(e.note ? { note: e.note } : {}),
        ...(e.document ? { document: e.document } : {}),
      };
    case 'extended':
      return { ...base, occurrence: e.occurrence, previous: formatDeadline(e.previous), deadline: formatDeadline(e.deadline), document: e.document, approved_by: e.approvedBy };
    case 'cancelled':
      return { ...base, ...(e.occurrence ? { occurrence: e.occurrence } : {}), reason: e.reason };
    case 'reopened':
      return { ...base, occurrence: e.occurrence, reason: e.reason };
    case 'transferred':
      return { ...base, from: e.from, to: e.to, reason: e.reason };
    // Replies through the signed links (issue 6): the link used is `link_id`.
    case 'completion_reported':
    case 'completion_confirmed':
      return {
        ...base,
        occurrence: e.occurrence,
        completed_at: zone.formatInstant(e.completedAt),
        ...(e.type === 'completion_reported' && e.note ? { note: e.note } : {}),
        ...(e.type === 'completion_reported' && e.document ? { document: e.document } : {}),
        ...(e.linkId ? { link_id: e.linkId } : {}),
      };
    case 'completion_rejected':
      return { ...base, occurrence: e.occurrence, reason: e.reason, ...(e.linkId ? { link_id: e.linkId } : {}) };
    case 'extension_requested':
      return { ...base, occurrence: e.occurrence, request_id: e.requestId, proposed_deadline: formatDeadline(e.proposedDeadline), reason: e.reason, late: e.late, ...(e.linkId ? { link_id: e.linkId } : {}) };
    case 'extension_approved':
      return { ...base, occurrence: e.occurrence, request_id: e.requestId, deadline: formatDeadline(e.deadline), document: e.document, ...(e.linkId ? { link_id: e.linkId } : {}) };
    case 'extension_rejected':
      return { ...base, occurrence: e.occurrence, request_id: e.requestId, reason: e.reason, ...(e.linkId ? { link_id: e.linkId } : {}) };
    case 'noncooperation_reported':
      return { ...base, occurrence: e.occurrence, coordinator: e.coordinator, reason: e.reason, ...(e.linkId ? { link_id: e.linkId } : {}) };
    case 'reply_refused':
      return { ...base, occurrence: e.occurrence, action: e.action, reason: e.reason, ...(e.linkId ? { link_id: e.linkId } : {}) };
  }
}

/** Occurrences shown for a task: all of a one-off; a recurring duty's past year and next year. */
export function occurrencesView(task: Task, calendar: Calendar, now: number): Array<Record<string, unknown>> {
  const today = calendar.zone.dayOf(now);
  const occs = task.recurrence
    ? occurrencesOf(task, Math.max(calendar.firstDay, today - 366), Math.min(calendar.lastDay, today + 366))
    : occurrencesOf(task, task.assignedOn, task.assignedOn);
  return occs.map((o) => {
    const s = occurrenceStatus(task, o, calendar, now);
    return {
      key: o.key,
      deadline: formatDeadline(o.deadline),
      ...(o.extended ? { original_deadline: formatDeadline(o.originalDeadline) } : {}),
      status: statusToJson(s, calendar.zone),
      ...(o.state.completedAt !== undefined ? { completed_at: calendar.zone.formatInstant(o.state.completedAt) } : {}),
      ...(o.state.cancelledAt !== undefined ? { cancelled_at: calendar.zone.formatInstant(o.state.cancelledAt) } : {}),
      // Issue 6: replies awaiting a decision (POST …/confirm-completion, …/extension-requests/:rid/approve).
      ...(o.state.completionReport ? { completion_report: { reported_at: calendar.zone.formatInstant(o.state.completionReport.at), completed_at: calendar.zone.formatInstant(o.state.completionReport.completedAt), by: o.state.completionReport.by } } : {}),
      ...(o.state.extensionRequests?.length ? { extension_requests: o.state.extensionRequests.map((r) => ({ id: r.id, requested_at: calendar.zone.formatInstant(r.at), deadline: formatDeadline(r.deadline), reason: r.reason, late: r.late, by: r.by })) } : {}),
    };
  });
}

export interface TaskViewInput {
  task: Task;
  status: OccurrenceStatus;
  history?: readonly TaskEvent[];
}

/** GET /api/tasks/:id and `dondoc task show --json`. */
export function taskView(v: TaskViewInput, calendar: Calendar, now: number): Record<string, unknown> {
  return {
    task: taskToJson(v.task, calendar.zone),
    status: statusToJson(v.status, calendar.zone),
    occurrences: occurrencesView(v.task, calendar, now),
    ...(v.history ? { history: v.history.map((e) => eventToJson(e, calendar.zone)) } : {}),
  };
}

/** One item of GET /api/tasks and `dondoc task list --json`. */
export function listItemView(v: TaskViewInput, zone: Zone): Record<string, unknown> {
  return { task: taskToJson(v.task, zone), status: statusToJson(v.status, zone) };
}
