// Replies from the email itself (issue 6; letter 7176/UBND-NC §3): pure changes to a task,
// like task-ops.ts, each returning the new task and the history events that record it.
//   - a head reports completion → `completion_reported`; the occurrence keeps the report and the
//     planner pauses its ladder (planner.ts closedOf) until the Provincial Office confirms
//     (`completion_confirmed` + `completed` at the reported instant: on time or late by it) or
//     rejects (`completion_rejected`: the ladder resumes);
//   - a head reports difficulties and proposes a new deadline → `extension_requested` (marked
//     late after the deadline in force); the leader approves (`extension_approved` + `extended`:
//     the ladder restarts under new ids) or rejects (`extension_rejected`);
//   - the lead body names a coordinating body that does not cooperate → `noncooperation_reported`
//     {coordinator, reason}, counted for that body by the reports (src/core/report.ts).
// Why an action is refused is said in English (API, logs) and Vietnamese (the link pages).
import type { Calendar } from './calendar.js';
import type { Day } from './day.js';
import { recipientHash } from './links.js';
import { type OrgDirectory, currentBody } from './org.js';
import { DondocError, type ErrorCode } from '../errors.js';
import { deadlineInstant } from './status.js';
import { type Deadline, type ExtensionRequest, type Occurrence, type OccurrenceState, type Task, ONCE, occurrencesOf } from './task.js';
import { type Actor, type Change, completeTask, extendTask } from './task-ops.js';
import { formatDeadline } from './task-codec.js';

export interface ReplyActor extends Actor {
  /** The link used (src/core/links.ts linkIdOf); absent for the API. */
  linkId?: string;
}

export type ReplyKind = 'complete' | 'confirm' | 'extend' | 'decide-extension' | 'noncoop';

export interface Blocker {
  code: ErrorCode;
  en: string;
  vi: string;
}

const block = (code: ErrorCode, en: string, vi: string): Blocker => ({ code, en, vi });

/** The occurrence `key` of a task with its deadline in force, or undefined (no deadline, no such period). */
export function occurrenceOf(task: Task, calendar: Calendar, key: string): Occurrence | undefined {
  if (!task.recurrence) return key === ONCE ? occurrencesOf(task, task.assignedOn, task.assignedOn)[0] : undefined;
  return occurrencesOf(task, calendar.firstDay, calendar.lastDay).find((o) => o.key === key);
}

/** The pending extension request with this id, and its occurrence. */
export function findRequest(task: Task, requestId: string): { occurrence: string; request: ExtensionRequest } | undefined {
  for (const [occurrence, state] of Object.entries(task.occurrences)) {
    const request = state.extensionRequests?.find((r) => r.id === requestId);
    if (request) return { occurrence, request };
  }
  return undefined;
}

/** Why this reply cannot be made now, or null. Pages show `vi`; the operations throw `en`. */
export function replyBlocker(task: Task, calendar: Calendar, key: string, kind: ReplyKind, requestId?: string): Blocker | null {
  const occ = occurrenceOf(task, calendar, key);
  if (task.cancelledAt !== undefined || occ?.state.cancelledAt !== undefined) {
    return block('TASK_CONFLICT', `task ${task.id} (${key}) is cancelled`, 'Nhiệm vụ đã bị hủy/thu hồi.');
  }
  if (!occ) return block('TASK_CONFLICT', `task ${task.id} has no deadline for occurrence ${key}`, 'Nhiệm vụ không có kỳ thực hiện này.');
  const s = occ.state;
  if (s.completedAt !== undefined) return block('TASK_CONFLICT', `task ${task.id} (${key}) is already completed`, 'Nhiệm vụ đã được ghi nhận hoàn thành.');
  switch (kind) {
    case 'complete':
    case 'extend':
      if (s.completionReport) {
        return block('TASK_CONFLICT', `task ${task.id} (${key}) has a completion report awaiting confirmation`, 'Nhiệm vụ đã được báo cáo hoàn thành và đang chờ Văn phòng UBND tỉnh xác nhận.');
      }
      if (kind === 'extend' && s.extensionRequests?.length) {
        return block('TASK_CONFLICT', `task ${task.id} (${key}) has an extension request awaiting a decision`, 'Đã có đề nghị gia hạn đang chờ lãnh đạo UBND tỉnh cho ý kiến.');
      }
      return null;
    case 'confirm':
      return s.completionReport ? null : block('TASK_CONFLICT', `task ${task.id} (${key}) has no completion report awaiting confirmation`, 'Không có báo cáo hoàn thành nào đang chờ xác nhận (có thể đã được xử lý).');
    case 'decide-extension':
      return requestId !== undefined && s.extensionRequests?.some((r) => r.id === requestId)
        ? null
        : block('TASK_CONFLICT', `task ${task.id} has no pending extension request ${requestId ?? ''}`.trim(), 'Đề nghị gia hạn này đã được xử lý hoặc không còn.');
    case 'noncoop':
      return task.coordinators.length > 0 ? null : block('TASK_CONFLICT', `task ${task.id} has no coordinating bodies`, 'Nhiệm vụ không có đơn vị phối hợp.');
  }
}

function openOrThrow(task: Task, calendar: Calendar, key: string, kind: ReplyKind, requestId?: string): Occurrence {
  const b = replyBlocker(task, calendar, key, kind, requestId);
  if (b) throw new DondocError(b.code, b.en);
  return occurrenceOf(task, calendar, key)!;
}

const withState = (task: Task, key: string, state: OccurrenceState, now: number): Task => {
  const next: Task = { ...task, revision: task.revision + 1, updatedAt: now, occurrences: { ...task.occurrences, [key]: state } };
  return next;
};

const link = (a: ReplyActor): { linkId?: string } => (a.linkId ? { linkId: a.linkId } : {});

export function reportCompletion(
  task: Task,
  calendar: Calendar,
  actor: ReplyActor,
  args: { occurrence: string; completedAt: number; note?: string; document?: string },
): Change {
  const occ = openOrThrow(task, calendar, args.occurrence, 'complete');
  if (args.completedAt > actor.now) throw new DondocError('TASK_CONFLICT', `the completion time ${calendar.zone.formatInstant(args.completedAt)} is in the future`);
  if (args.completedAt < calendar.zone.startOfDay(task.assignedOn)) throw new DondocError('INPUT_REJECTED', 'the completion date is before the task was assigned');
  const report = {
    at: actor.now,
    completedAt: args.completedAt,
    ...(args.note ? { note: args.note } : {}),
    ...(args.document ? { document: args.document } : {}),
    by: actor.by,
    ...link(actor),
  };
  const next = withState(task, occ.key, { ...occ.state, completionReport: report }, actor.now);
  return {
    task: next,
    event: {
      type: 'completion_reported',
      at: actor.now,
      by: actor.by,
      revision: next.revision,
      occurrence: occ.key,
      completedAt: args.completedAt,
      ...(args.note ? { note: args.note } : {}),
      ...(args.document ? { document: args.document } : {}),
      ...link(actor),
    },
  };
}

/** The Office confirms: the report is cleared and the occurrence completed at the reported instant. */
export function confirmCompletion(task: Task, calendar: Calendar, actor: ReplyActor, args: { occurrence: string }): Change[] {
  const occ = openOrThrow(task, calendar, args.occurrence, 'confirm');
  const { completionReport: report, ...rest } = occ.state;
  const cleared = withState(task, occ.key, rest, actor.now);
  const confirmed: Change = {
    task: cleared,
    event: { type: 'completion_confirmed', at: actor.now, by: actor.by, revision: cleared.revision, occurrence: occ.key, completedAt: report!.completedAt, ...link(actor) },
  };
  const done = completeTask(cleared, calendar, actor, {
    completedAt: report!.completedAt,
    occurrence: occ.key,
    ...(report!.note ? { note: report!.note } : {}),
    ...(report!.document ? { document: report!.document } : {}),
  });
  return [confirmed, done];
}

/** The Office does not confirm: the report is cleared and the ladder resumes. */
export function rejectCompletion(task: Task, calendar: Calendar, actor: ReplyActor, args: { occurrence: string; reason: string }): Change {
  const occ = openOrThrow(task, calendar, args.occurrence, 'confirm');
  const { completionReport: _r, ...rest } = occ.state;
  const next = withState(task, occ.key, rest, actor.now);
  return { task: next, event: { type: 'completion_rejected', at: actor.now, by: actor.by, revision: next.revision, occurrence: occ.key, reason: args.reason, ...link(actor) } };
}

/** A request id: the instant in base 36, unique among the task's pending ones. */
function newRequestId(task: Task, now: number): string {
  const taken = new Set(Object.values(task.occurrences).flatMap((s) => (s.extensionRequests ?? []).map((r) => r.id)));
  let id = now.toString(36);
  for (let i = 1; taken.has(id); i++) id = `${now.toString(36)}${i}`;
  return id;
}

export function requestExtension(
  task: Task,
  calendar: Calendar,
  actor: ReplyActor,
  args: { occurrence: string; deadline: Deadline; reason: string },
): Change {
  const occ = openOrThrow(task, calendar, args.occurrence, 'extend');
  if (deadlineInstant(args.deadline, calendar) <= deadlineInstant(occ.deadline, calendar)) {
    throw new DondocError('INPUT_REJECTED', `the proposed deadline ${formatDeadline(args.deadline)} is not later than the current one ${formatDeadline(occ.deadline)}`);
  }
  // 7176 §3 asks for the report before the deadline; one made after it is taken, marked late.
  const late = actor.now >= deadlineInstant(occ.deadline, calendar);
  const request: ExtensionRequest = { id: newRequestId(task, actor.now), at: actor.now, deadline: args.deadline, reason: args.reason, late, by: actor.by, ...link(actor) };
  const next = withState(task, occ.key, { ...occ.state, extensionRequests: [...(occ.state.extensionRequests ?? []), request] }, actor.now);
  return {
    task: next,
    event: {
      type: 'extension_requested',
      at: actor.now,
      by: actor.by,
      revision: next.revision,
      occurrence: occ.key,
      requestId: request.id,
      proposedDeadline: args.deadline,
      reason: args.reason,
      late,
      ...link(actor),
    },
  };
}

const withoutRequest = (state: OccurrenceState, id: string): OccurrenceState => {
  const left = (state.extensionRequests ?? []).filter((r) => r.id !== id);
  const { extensionRequests: _e, ...rest } = state;
  return left.length ? { ...rest, extensionRequests: left } : rest;
};

/** The leader approves: the request is cleared and the task extended (the planner restarts the ladder). */
export function approveExtension(
  task: Task,
  calendar: Calendar,
  actor: ReplyActor,
  args: { requestId: string; document: string; approvedBy: string; deadline?: Deadline },
): Change[] {
  const found = findRequest(task, args.requestId);
  if (!found) throw new DondocError('TASK_CONFLICT', `task ${task.id} has no pending extension request ${args.requestId}`);
  const occ = openOrThrow(task, calendar, found.occurrence, 'decide-extension', args.requestId);
  const deadline = args.deadline ?? found.request.deadline;
  const cleared = withState(task, occ.key, withoutRequest(occ.state, args.requestId), actor.now);
  const approved: Change = {
    task: cleared,
    event: { type: 'extension_approved', at: actor.now, by: actor.by, revision: cleared.revision, occurrence: occ.key, requestId: args.requestId, deadline, document: args.document, ...link(actor) },
  };
  const extended = extendTask(cleared, calendar, actor, { deadline, document: args.document, approvedBy: args.approvedBy, occurrence: occ.key });
  return [approved, extended];
}

export function rejectExtension(task: Task, calendar: Calendar, actor: ReplyActor, args: { requestId: string; reason: string }): Change {
  const found = findRequest(task, args.requestId);
  if (!found) throw new DondocError('TASK_CONFLICT', `task ${task.id} has no pending extension request ${args.requestId}`);
  const occ = openOrThrow(task, calendar, found.occurrence, 'decide-extension', args.requestId);
  const next = withState(task, occ.key, withoutRequest(occ.state, args.requestId), actor.now);
  return {
    task: next,
    event: { type: 'extension_rejected', at: actor.now, by: actor.by, revision: next.revision, occurrence: occ.key, requestId: args.requestId, reason: args.reason, ...link(actor) },
  };
}

export function reportNoncooperation(task: Task, calendar: Calendar, actor: ReplyActor, args: { occurrence: string; coordinator: string; reason: string }): Change {
  const occ = openOrThrow(task, calendar, args.occurrence, 'noncoop');
  if (!task.coordinators.includes(args.coordinator)) {
    throw new DondocError('INPUT_REJECTED', `${args.coordinator} is not a coordinating body of task ${task.id} (${task.coordinators.join(', ')})`);
  }
  const next = { ...task, revision: task.revision + 1, updatedAt: actor.now };
  return {
    task: next,
    event: { type: 'noncooperation_reported', at: actor.now, by: actor.by, revision: next.revision, occurrence: occ.key, coordinator: args.coordinator, reason: args.reason, ...link(actor) },
  };
}

/**
 * The addresses (recipientHash) that may decide a task's pending report or request on `day`:
 * the Provincial Office's head and văn thư to confirm completion; the leader in charge and the
 * chairman to decide an extension (whoever assigned the task). docs/DOMAIN.md "Who may decide what".
 */
export function decidingAddresses(task: Task, org: OrgDirectory, day: Day, role: 'office' | 'leader'): Set<string> {
  const out = new Set<string>();
  const add = (email: string | undefined): void => void (email && out.add(recipientHash(email)));
  if (role === 'office') {
    const office = currentBody(org, org.roles.provincialOffice, day);
    add(office?.head.email);
    add(office?.clerical?.email);
  } else {
    const leader = task.leader ?? currentBody(org, task.lead, day)?.leader;
    if (leader) add(org.leaders.get(leader)?.email);
    const chairman = org.roles.chairman ? org.leaders.get(org.roles.chairman) : undefined;
    add(chairman?.email);
  }
  return out;
}

/** The lead body's own addresses (head, văn thư) on `day`: the body that reports and asks. */
export function leadAddresses(task: Task, org: OrgDirectory, day: Day): Set<string> {
  const lead = currentBody(org, task.lead, day);
  const out = new Set<string>();
  if (lead?.head.email) out.add(recipientHash(lead.head.email));
  if (lead?.clerical?.email) out.add(recipientHash(lead.clerical.email));
  return out;
}

/** The address hash of a link actor ("link:office:<hash>"), if it is one. */
export const linkRecipientOf = (by: string): string | undefined => (by.startsWith('link:') ? by.slice(by.lastIndexOf(':') + 1) : undefined);

/**
 * Why this actor may not make this decision, whatever the link or token says (docs/DOMAIN.md:
 * the body that reports a task done never confirms it; the body that asks for more time never
 * grants it): it made the report or request itself, it is the lead body, or — through a link —
 * its address is not one of those holding the deciding role today. Null: it may.
 */
export function decisionRefusal(
  task: Task,
  org: OrgDirectory,
  day: Day,
  decision: { occurrence: string; kind: 'confirm' | 'decide-extension'; requestId?: string; by: string },
): Blocker | null {
  const state = task.occurrences[decision.occurrence];
  const requester = decision.kind === 'confirm' ? state?.completionReport?.by : state?.extensionRequests?.find((r) => r.id === decision.requestId)?.by;
  const who = linkRecipientOf(decision.by);
  const asked = requester !== undefined ? linkRecipientOf(requester) : undefined;
  const what = decision.kind === 'confirm' ? 'báo cáo hoàn thành' : 'đề nghị gia hạn';
  if (requester !== undefined && (requester === decision.by || (who !== undefined && who === asked))) {
    return block('FORBIDDEN', `task ${task.id}: whoever made the ${decision.kind === 'confirm' ? 'completion report' : 'extension request'} may not decide it`, `Người gửi ${what} không thể tự quyết định ${what} của mình.`);
  }
  if (who !== undefined && leadAddresses(task, org, day).has(who)) {
    return block('FORBIDDEN', `task ${task.id}: the lead body may not decide its own ${decision.kind === 'confirm' ? 'completion report' : 'extension request'}`, `Cơ quan, đơn vị chủ trì không thể tự quyết định ${what} của mình.`);
  }
  if (who !== undefined && !decidingAddresses(task, org, day, decision.kind === 'confirm' ? 'office' : 'leader').has(who)) {
    return block(
      'FORBIDDEN',
      `task ${task.id}: the link's address does not hold the ${decision.kind === 'confirm' ? "Provincial Office's" : "leader in charge's"} role`,
      decision.kind === 'confirm' ? 'Liên kết này không thuộc Văn phòng UBND tỉnh nên không thể xác nhận.' : 'Liên kết này không thuộc lãnh đạo UBND tỉnh phụ trách nên không thể quyết định gia hạn.',
    );
  }
  return null;
}

/** Records a refused decision in the history (an attempt, not a change of the task's state). */
export function refuseReply(task: Task, actor: ReplyActor, args: { occurrence: string; action: string; reason: string }): Change {
  const next = { ...task, revision: task.revision + 1, updatedAt: actor.now };
  return {
    task: next,
    event: { type: 'reply_refused', at: actor.now, by: actor.by, revision: next.revision, occurrence: args.occurrence, action: args.action, reason: args.reason, ...link(actor) },
  };
}
