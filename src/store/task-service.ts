// The operations an admin does on tasks — create, replace, complete, extend, cancel, and
// moving open tasks of ended bodies to their successors — shared by the HTTP API and the CLI,
// so both refuse the same nonsense with the same error. Parsing of the request (JSON, flags)
// stays with the caller; this takes domain values and goes through task-ops and the store.
import type { Calendar } from '../core/calendar.js';
import { type Day, formatVnDay } from '../core/day.js';
import type { OrgDirectory } from '../core/org.js';
import type { Deadline, TaskEvent } from '../core/task.js';
import type { TaskInput } from '../core/task-codec.js';
import { type Actor, cancelTask, completeTask, extendTask } from '../core/task-ops.js';
import { DondocError } from '../errors.js';
import { type TaskBuilder, makeTaskBuilder } from './task-builder.js';
import { followSuccessors } from './successors.js';
import type { ApplyResult, TaskStore } from './task-store.js';
import { type UpsertItem, planUpsert } from './upsert-plan.js';

export interface TaskServiceDeps {
  store: TaskStore;
  calendar: Calendar;
  org: OrgDirectory;
  now: () => number;
}

export interface Revision {
  /** If-Match: refuse with REVISION_MISMATCH unless the task is at this revision. */
  expectedRevision?: number;
}

export interface CompleteArgs {
  /** An instant; or */
  completedAt?: number;
  /** a day: the close of office hours that day, or now when it is today. */
  completedOn?: Day;
  note?: string;
  document?: string;
  occurrence?: string;
}

export interface Transfer {
  id: string;
  events: readonly TaskEvent[];
}

export interface TaskService extends TaskBuilder {
  /** Resolves body names/codes, builds the task, follows successors, stores it. */
  create(input: TaskInput, by: string): Promise<ApplyResult>;
  /** PUT: replaces the assignment fields; status events go through complete/extend/cancel. */
  replace(id: string, input: TaskInput, by: string, rev?: Revision): Promise<ApplyResult>;
  complete(id: string, args: CompleteArgs, by: string, rev?: Revision): Promise<ApplyResult>;
  extend(id: string, args: { deadline: Deadline; document: string; approvedBy: string; occurrence?: string }, by: string, rev?: Revision): Promise<ApplyResult>;
  cancel(id: string, args: { reason: string; occurrence?: string }, by: string, rev?: Revision): Promise<ApplyResult>;
  /** Moves open tasks of ended bodies to their successors (repair after a directory change). */
  followAllSuccessors(by: string, opts?: { dryRun?: boolean }): Promise<Transfer[]>;
}

const conflict = (msg: string): DondocError => new DondocError('TASK_CONFLICT', msg);

export function makeTaskService(deps: TaskServiceDeps): TaskService {
  const { store, calendar, org, now } = deps;
  const actor = (by: string): Actor => ({ by, now: now() });
  const today = (): Day => calendar.zone.dayOf(now());

  const { resolveBodies, resolveBodyCode, build } = makeTaskBuilder({ calendar, org, now });

  const service: TaskService = {
    resolveBodies,
    resolveBodyCode,
    build,

    async create(input, by) {
      const item = build(resolveBodies(input), by);
      const task = await store.create(item);
      return { task, events: item.events };
    },

    async replace(id, input, by, rev = {}) {
      if (input.id !== undefined && input.id !== id) throw new DondocError('INPUT_REJECTED', `the body's id ${input.id} is not the id in the address (${id})`, [{ path: 'id', message: `must be ${id} or absent` }]);
      if (input.events.length) {
        throw new DondocError('INPUT_REJECTED', 'status events are changed with /complete, /extend and /cancel, not with PUT', [{ path: 'events', message: 'must be absent or empty' }]);
      }
      const item = build(resolveBodies({ ...input, id }), by);
      return store.apply(
        id,
        (task) => {
          const plan = planUpsert(task, { task: item.task, events: item.events.filter((e) => e.type === 'transferred') }, calendar, actor(by));
          return plan.kind === 'unchanged' ? null : { task: plan.task, events: plan.events };
        },
        rev,
      );
    },

    complete(id, args, by, rev = {}) {
      if (args.completedAt !== undefined && args.completedOn !== undefined) {
        throw new DondocError('INPUT_REJECTED', 'give the completion as a date or as a date-time, not both', [{ path: 'completed_on', message: 'not with completed_at' }]);
      }
      const t = now();
      let completedAt = args.completedAt ?? t;
      if (args.completedOn !== undefined) {
        if (args.completedOn > today()) throw conflict(`the completion date ${formatVnDay(args.completedOn)} is in the future`);
        // A day means "by the close of office hours that day" (as task files do); today: now,
        // if the office has not closed yet.
        const close = calendar.zone.instantAt(args.completedOn, calendar.officeHours.intervals.at(-1)![1]) - 60_000;
        completedAt = Math.min(t, close);
      }
      if (completedAt > t) throw conflict(`the completion time ${calendar.zone.formatInstant(completedAt)} is in the future`);
      const opt = {
        completedAt,
        ...(args.occurrence ? { occurrence: args.occurrence } : {}),
        ...(args.note ? { note: args.note } : {}),
        ...(args.document ? { document: args.document } : {}),
      };
      return store.apply(id, (task) => completeTask(task, calendar, actor(by), opt), rev);
    },

    extend(id, args, by, rev = {}) {
      return store.apply(
        id,
        (task) => extendTask(task, calendar, actor(by), { deadline: args.deadline, document: args.document, approvedBy: args.approvedBy, ...(args.occurrence ? { occurrence: args.occurrence } : {}) }),
        rev,
      );
    },

    cancel(id, args, by, rev = {}) {
      return store.apply(id, (task) => cancelTask(task, actor(by), { reason: args.reason, ...(args.occurrence ? { occurrence: args.occurrence } : {}) }), rev);
    },

    async followAllSuccessors(by, opts = {}) {
      const out: Transfer[] = [];
      for await (const ids of store.ids()) {
        for (const id of ids) {
          const task = await store.get(id);
          if (!task || followSuccessors(task, org, today(), actor(by)).length === 0) continue;
          if (opts.dryRun) {
            out.push({ id, events: followSuccessors(task, org, today(), actor(by)).map((c) => c.event) });
            continue;
          }
          const r = await store.apply(id, (t) => followSuccessors(t, org, today(), actor(by)));
          if (r.events.length) out.push({ id, events: r.events });
        }
      }
      return out;
    },
  };
  return service;
}

