// The replies of issue 6 as operations on stored tasks, shared by the link pages
// (src/http/pages/) and the API (src/http/replies-api.ts): each applies a pure change from
// src/core/replies.ts through the store (atomic, with its history events; the store asks the
// scheduler to re-plan) and then enqueues the notice the reply triggers. A notice that cannot be
// enqueued is logged, never turned into a failure of the reply: the reply is recorded, and
// answering "error" would only make the head submit it again.
import type { Calendar } from '../core/calendar.js';
import { type Day, formatVnDay } from '../core/day.js';
import type { OrgDirectory } from '../core/org.js';
import { currentBody } from '../core/org.js';
import {
  type Blocker,
  type ReplyActor,
  approveExtension,
  confirmCompletion,
  decisionRefusal,
  findRequest,
  refuseReply,
  rejectCompletion,
  rejectExtension,
  reportCompletion,
  reportNoncooperation,
  requestExtension,
} from '../core/replies.js';
import { type Deadline, ONCE, type Task, type TaskEvent } from '../core/task.js';
import { DondocError } from '../errors.js';
import { type NoticeKind, type NoticeRequest, noticeFor } from '../core/notices.js';
import type { ApplyResult, TaskStore } from './task-store.js';

export interface ReplyServiceDeps {
  store: TaskStore;
  calendar: Calendar;
  org: OrgDirectory;
  now: () => number;
  /** Enqueues a notice (engine.notice); absent: replies are recorded, no mail goes out. */
  notice?: (req: NoticeRequest) => Promise<void>;
  /** links.auto_confirm_completion: a reported completion is confirmed at once. */
  autoConfirmCompletion: boolean;
  log?: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** Who acts: "link:head:<hash>", "api:<token name>"; the link used, for link actions. */
export interface ReplyWho {
  by: string;
  linkId?: string;
}

export interface ReplyService {
  reportCompletion(id: string, args: { occurrence: string; completedOn: Day; note?: string; document?: string }, who: ReplyWho): Promise<ApplyResult>;
  /** Without an occurrence: the one with a report awaiting confirmation. */
  confirmCompletion(id: string, args: { occurrence?: string }, who: ReplyWho): Promise<ApplyResult>;
  rejectCompletion(id: string, args: { occurrence?: string; reason: string }, who: ReplyWho): Promise<ApplyResult>;
  requestExtension(id: string, args: { occurrence: string; deadline: Deadline; reason: string }, who: ReplyWho): Promise<ApplyResult>;
  approveExtension(id: string, requestId: string, args: { deadline?: Deadline; document?: string }, who: ReplyWho): Promise<ApplyResult>;
  rejectExtension(id: string, requestId: string, args: { reason: string }, who: ReplyWho): Promise<ApplyResult>;
  reportNoncooperation(id: string, args: { occurrence: string; coordinator: string; reason: string }, who: ReplyWho): Promise<ApplyResult>;
}

/** The `by` of a confirmation made by the config rather than a person. */
export const AUTO_CONFIRM_BY = 'config:links.auto_confirm_completion';

export function makeReplyService(deps: ReplyServiceDeps): ReplyService {
  const { store, calendar, org, now } = deps;
  const zone = calendar.zone;
  const actor = (who: ReplyWho): ReplyActor => ({ by: who.by, now: now(), ...(who.linkId ? { linkId: who.linkId } : {}) });

  const notify = async (task: Task, kind: NoticeKind, e: TaskEvent & { occurrence: string }, requestId?: string): Promise<void> => {
    if (!deps.notice) return;
    try {
      await deps.notice(noticeFor(kind, task.id, e.occurrence, e.at, requestId));
    } catch (err) {
      deps.log?.error({ err, taskId: task.id, notice: kind }, 'the reply is recorded but its notice could not be enqueued');
    }
  };
  const eventOf = <T extends TaskEvent['type']>(r: ApplyResult, type: T): Extract<TaskEvent, { type: T }> => {
    const e = r.events.find((x) => x.type === type);
    if (!e) throw new Error(`expected a ${type} event`);
    return e as Extract<TaskEvent, { type: T }>;
  };
  const pendingOccurrence = (task: Task): string => {
    const key = Object.entries(task.occurrences).find(([, s]) => s.completionReport)?.[0];
    if (!key) throw new DondocError('TASK_CONFLICT', `task ${task.id} has no completion report awaiting confirmation`);
    return key;
  };
  /**
   * A decision (confirm/reject a completion, approve/reject an extension) by someone who may not
   * make it is refused whatever the link says, and the attempt is recorded in the history; the
   * caller gets FORBIDDEN (403). Otherwise `decide` makes the change.
   */
  const decide = async (
    id: string,
    who: ReplyWho,
    what: { kind: 'confirm' | 'decide-extension'; action: string; occurrence: (task: Task) => string; requestId?: string },
    decideFn: (task: Task) => ReturnType<Parameters<TaskStore['apply']>[1]>,
  ): Promise<ApplyResult> => {
    let refused: Blocker | null = null;
    const r = await store.apply(id, (task) => {
      const occurrence = what.requestId !== undefined ? (findRequest(task, what.requestId)?.occurrence ?? what.occurrence(task)) : what.occurrence(task);
      refused = decisionRefusal(task, org, zone.dayOf(now()), { occurrence, kind: what.kind, by: who.by, ...(what.requestId !== undefined ? { requestId: what.requestId } : {}) });
      if (refused) return refuseReply(task, actor(who), { occurrence, action: what.action, reason: refused.en });
      return decideFn(task);
    });
    if (refused) {
      const b = refused as Blocker;
      deps.log?.warn({ taskId: id, action: what.action, by: who.by }, 'decision refused: not for this actor');
      throw new DondocError(b.code, b.en, [{ path: 'vi', message: b.vi }]);
    }
    return r;
  };

  const leaderTitle = (task: Task): string => {
    const code = task.leader ?? currentBody(org, task.lead, zone.dayOf(now()))?.leader;
    const l = code ? org.leaders.get(code) : undefined;
    return l ? `${l.title}${l.name ? ` ${l.name}` : ''}` : 'Lãnh đạo UBND tỉnh phụ trách lĩnh vực';
  };

  return {
    async reportCompletion(id, args, who) {
      const t = now();
      if (args.completedOn > zone.dayOf(t)) throw new DondocError('TASK_CONFLICT', `the completion date ${formatVnDay(args.completedOn)} is in the future`);
      // A day means "by the close of office hours that day" (as task-service does); today: now.
      const close = zone.instantAt(args.completedOn, calendar.officeHours.intervals.at(-1)![1]) - 60_000;
      const completedAt = Math.min(t, close);
      const report = { occurrence: args.occurrence, completedAt, ...(args.note ? { note: args.note } : {}), ...(args.document ? { document: args.document } : {}) };
      const r = await store.apply(id, (task) => {
        const reported = reportCompletion(task, calendar, actor(who), report);
        if (!deps.autoConfirmCompletion) return reported;
        // The same instant as the report: the notice tells an automatic confirmation by it.
        return [reported, ...confirmCompletion(reported.task, calendar, { by: AUTO_CONFIRM_BY, now: reported.event.at }, { occurrence: args.occurrence })];
      });
      await notify(r.task, 'completion-report', eventOf(r, 'completion_reported'));
      return r;
    },

    async confirmCompletion(id, args, who) {
      const occurrence = (task: Task): string => args.occurrence ?? pendingOccurrence(task);
      const r = await decide(id, who, { kind: 'confirm', action: 'confirm-completion', occurrence }, (task) => confirmCompletion(task, calendar, actor(who), { occurrence: occurrence(task) }));
      await notify(r.task, 'completion-decision', eventOf(r, 'completion_confirmed'));
      return r;
    },

    async rejectCompletion(id, args, who) {
      const occurrence = (task: Task): string => args.occurrence ?? pendingOccurrence(task);
      const r = await decide(id, who, { kind: 'confirm', action: 'reject-completion', occurrence }, (task) =>
        rejectCompletion(task, calendar, actor(who), { occurrence: occurrence(task), reason: args.reason }),
      );
      await notify(r.task, 'completion-decision', eventOf(r, 'completion_rejected'));
      return r;
    },

    async requestExtension(id, args, who) {
      const r = await store.apply(id, (task) => requestExtension(task, calendar, actor(who), args));
      const e = eventOf(r, 'extension_requested');
      await notify(r.task, 'extension-request', e, e.requestId);
      return r;
    },

    async approveExtension(id, requestId, args, who) {
      const r = await decide(id, who, { kind: 'decide-extension', action: 'approve-extension', occurrence: () => ONCE, requestId }, (task) => {
        if (!findRequest(task, requestId)) throw new DondocError('TASK_CONFLICT', `task ${task.id} has no pending extension request ${requestId}`);
        const approvedBy = leaderTitle(task);
        const how = who.by.startsWith('link:') ? 'qua liên kết trong thư' : 'qua dondoc';
        const document = args.document ?? `Ý kiến đồng ý của ${approvedBy} ${how} ngày ${formatVnDay(zone.dayOf(now()))}`;
        return approveExtension(task, calendar, actor(who), { requestId, document, approvedBy, ...(args.deadline ? { deadline: args.deadline } : {}) });
      });
      await notify(r.task, 'extension-decision', eventOf(r, 'extension_approved'), requestId);
      return r;
    },

    async rejectExtension(id, requestId, args, who) {
      const r = await decide(id, who, { kind: 'decide-extension', action: 'reject-extension', occurrence: () => ONCE, requestId }, (task) =>
        rejectExtension(task, calendar, actor(who), { requestId, reason: args.reason }),
      );
      await notify(r.task, 'extension-decision', eventOf(r, 'extension_rejected'), requestId);
      return r;
    },

    async reportNoncooperation(id, args, who) {
      const r = await store.apply(id, (task) => reportNoncooperation(task, calendar, actor(who), args));
      await notify(r.task, 'noncooperation-report', eventOf(r, 'noncooperation_reported'));
      return r;
    },
  };
}
