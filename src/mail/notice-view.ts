// What a notice says and to whom (issue 6; src/queue/notice.ts): from the task, its history and
// the notice request, the template, the recipients (resolved through the directory as of the
// day it goes out) and the view. The task part of the view is the reminders' own (mail/view.ts),
// so a notice shows the task exactly as the reminders do. Each recipient gets its own copy; the
// decision links, while the report or request is still pending, go in the deciding role's copy
// only, and never to whoever made the request (noticeRepliesFor). Pure: the clock is an argument.
//   completion-report      → Provincial Office, cc the head; confirm / reject links (the Office's copy)
//   completion-decision    → the head, cc the Provincial Office
//   extension-request      → the leader in charge, cc the Provincial Office and the head; approve / reject links (the leader's copy)
//   extension-decision     → the head, cc the Provincial Office and the leader
//   noncooperation-report  → the leader in charge, cc the Provincial Office (7176 §3)
import type { LoadedConfig } from '../config/load.js';
import { linkSettings } from '../config/sections/links.js';
import { formatVnDay } from '../core/day.js';
import { type LinkAction, recipientHash } from '../core/links.js';
import type { Recipient, TaskNotification } from '../core/notification.js';
import { currentBody } from '../core/org.js';
import type { RecipientRole } from '../core/policy.js';
import { resolveRecipients } from '../core/recipients.js';
import { occurrenceOf } from '../core/replies.js';
import { deadlineInstant } from '../core/status.js';
import type { Task, TaskEvent } from '../core/task.js';
import type { NoticeKind, NoticeRequest } from '../core/notices.js';
import { type RepliesView, buildReplies } from './reply-links.js';
import { type MessageView, formatDeadlineVn, notificationView } from './view.js';

/** The decision links a notice offers while its report or request is pending, and to whom. */
export interface NoticeLinks {
  actions: LinkAction[];
  /** The role whose copy carries them. */
  role: RecipientRole;
  request?: string;
  /** Who made the report or request ("link:head:<hash>", "api:<name>"): never given the links that decide it. */
  requester?: string;
}

export type NoticeContent =
  | { skip: string }
  | { template: NoticeKind; to: Recipient[]; cc: Recipient[]; warnings: string[]; view: MessageView; links?: NoticeLinks };

const ROLES: Record<NoticeKind, { to: RecipientRole[]; cc: RecipientRole[] }> = {
  'completion-report': { to: ['provincial_office'], cc: ['head'] },
  'completion-decision': { to: ['head'], cc: ['provincial_office'] },
  'extension-request': { to: ['leader'], cc: ['provincial_office', 'head'] },
  'extension-decision': { to: ['head'], cc: ['provincial_office', 'leader'] },
  'noncooperation-report': { to: ['leader'], cc: ['provincial_office'] },
};

type Ev<T extends TaskEvent['type']> = Extract<TaskEvent, { type: T }>;

export function noticeContent(loaded: LoadedConfig, task: Task, history: readonly TaskEvent[], req: NoticeRequest, now: number): NoticeContent {
  const { calendar, org } = loaded;
  const zone = calendar.zone;
  const occ = occurrenceOf(task, calendar, req.occurrence);
  if (!occ) return { skip: `the task has no occurrence ${req.occurrence} any more` };
  const find = <T extends TaskEvent['type']>(types: readonly T[], match: (e: Ev<T>) => boolean): Ev<T> | undefined =>
    history.find((e): e is Ev<T> => (types as readonly string[]).includes(e.type) && (e as { occurrence?: string }).occurrence === req.occurrence && match(e as Ev<T>));
  const byAt = (e: { at: number }): boolean => e.at === req.event;
  const byRequest = (e: { requestId: string }): boolean => e.requestId === req.requestId;
  const day = zone.dayOf(now);
  const vnDay = (t: number): string => formatVnDay(zone.dayOf(t));
  const deadlineAt = deadlineInstant(occ.deadline, calendar);
  const result = (completedAt: number): string => (completedAt <= deadlineAt ? 'đúng hạn' : 'quá hạn');
  const bodyName = (code: string): string => currentBody(org, code, day)?.name ?? code;

  let extra: MessageView;
  let links: NoticeLinks | undefined;
  switch (req.notice) {
    case 'completion-report': {
      const e = find(['completion_reported'], byAt);
      if (!e) return { skip: 'no such completion report in the history' };
      const pending = occ.state.completionReport?.at === e.at;
      // Confirmed by the config in the same write (reply-service.ts): same instant, by "config:…".
      const autoConfirmed = !pending && history.some((x) => x.type === 'completion_confirmed' && x.at === e.at && x.occurrence === req.occurrence && x.by.startsWith('config:'));
      extra = { report: { completedOn: vnDay(e.completedAt), document: e.document, note: e.note, result: result(e.completedAt) }, autoConfirmed };
      if (pending) links = { actions: ['confirm-completion', 'reject-completion'], role: 'provincial_office', requester: e.by };
      break;
    }
    case 'completion-decision': {
      const e = find(['completion_confirmed', 'completion_rejected'], byAt);
      if (!e) return { skip: 'no such completion decision in the history' };
      const reported = history.filter((x): x is Ev<'completion_reported'> => x.type === 'completion_reported' && x.occurrence === req.occurrence && x.at <= e.at).at(-1);
      const completedAt = e.type === 'completion_confirmed' ? e.completedAt : reported?.completedAt;
      extra = {
        confirmed: e.type === 'completion_confirmed',
        report: completedAt !== undefined ? { completedOn: vnDay(completedAt), result: result(completedAt) } : {},
        reason: e.type === 'completion_rejected' ? e.reason : undefined,
      };
      break;
    }
    case 'extension-request': {
      const e = find(['extension_requested'], byRequest);
      if (!e) return { skip: 'no such extension request in the history' };
      extra = { request: { proposed: formatDeadlineVn(e.proposedDeadline), reason: e.reason, late: e.late, on: vnDay(e.at) } };
      if (occ.state.extensionRequests?.some((r) => r.id === e.requestId)) links = { actions: ['approve-extension', 'reject-extension'], role: 'leader', request: e.requestId, requester: e.by };
      break;
    }
    case 'extension-decision': {
      const e = find(['extension_approved', 'extension_rejected'], byRequest);
      if (!e) return { skip: 'no such extension decision in the history' };
      const asked = find(['extension_requested'], byRequest);
      const leaderCode = task.leader ?? currentBody(org, task.lead, day)?.leader;
      const leader = leaderCode ? org.leaders.get(leaderCode) : undefined;
      extra = {
        approved: e.type === 'extension_approved',
        newDeadline: e.type === 'extension_approved' ? formatDeadlineVn(e.deadline) : undefined,
        document: e.type === 'extension_approved' ? e.document : undefined,
        reason: e.type === 'extension_rejected' ? e.reason : undefined,
        decidedBy: leader?.title ?? 'Lãnh đạo UBND tỉnh phụ trách lĩnh vực',
        request: asked ? { proposed: formatDeadlineVn(asked.proposedDeadline), on: vnDay(asked.at) } : {},
      };
      break;
    }
    case 'noncooperation-report': {
      const e = find(['noncooperation_reported'], byAt);
      if (!e) return { skip: 'no such non-cooperation report in the history' };
      extra = { coordinator: bodyName(e.coordinator), reason: e.reason };
      break;
    }
  }

  const roles = ROLES[req.notice];
  const r = resolveRecipients(roles.to, roles.cc, { org, task, day });
  // Nobody in To (a role without an address): the first Cc reads it as the addressee.
  if (r.to.length === 0 && r.cc.length > 0) r.to.push(r.cc.shift()!);
  const D = calendar.effectiveEnd(occ.deadline.day);
  const asNotification: TaskNotification = {
    id: req.id,
    kind: 'reminder',
    level: 0,
    step: `n-${req.notice}`,
    scheduledAt: now,
    at: now,
    to: r.to,
    cc: r.cc,
    template: req.notice,
    state: 'due',
    taskId: task.id,
    occurrence: req.occurrence,
    ladder: 'notice',
    repeat: 0,
    body: task.lead,
    deadline: occ.deadline,
    effectiveDay: D,
    stepDay: day,
    daysLeft: calendar.count(day, D),
  };
  const view: MessageView = Object.assign(notificationView(asNotification, { org, calendar, task, senderName: loaded.config.mail.from.name, basis: loaded.config.policy.basis }), extra);
  return { template: req.notice, to: r.to, cc: r.cc, warnings: r.warnings, view, ...(links ? { links } : {}) };
}

/**
 * The decision links of one copy of a notice: only the copy of the role that decides, and never
 * the person or body that made the report or request — whatever the directory says (a head who
 * is also listed as the Office's address gets no confirm link for its own report).
 */
export function noticeRepliesFor(
  loaded: LoadedConfig,
  task: Task,
  req: NoticeRequest,
  event: number,
  links: NoticeLinks | undefined,
  copy: Recipient,
  copyId: string,
): { replies?: RepliesView } {
  const settings = linkSettings(loaded.config.links);
  if (!settings || !links || copy.role !== links.role) return {};
  if (copy.body !== undefined && copy.body === task.lead) return {};
  if (links.requester !== undefined && links.requester.endsWith(`:${recipientHash(copy.email)}`)) return {};
  const occ = occurrenceOf(task, loaded.calendar, req.occurrence);
  if (!occ) return {};
  return {
    replies: buildReplies(settings, loaded, {
      mailId: copyId,
      taskId: task.id,
      occurrence: req.occurrence,
      deadline: occ.deadline,
      recipient: copy,
      actions: links.actions,
      at: event,
      ...(links.request !== undefined ? { request: links.request } : {}),
    }),
  };
}
