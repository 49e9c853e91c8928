// What writing an imported (or PUT) task over the stored one means, as a pure plan: nothing
// when they agree (re-importing a file changes nothing), else the exact changes as history
// events — an `updated` event listing each changed field (a moved deadline: from/to), a
// `transferred` event when the lead's body has merged, and status events (completed, extended,
// cancelled) the file records and the store does not have yet. The store keeps what it
// already recorded: a file never silently overwrites a completion made through the API.
import type { Calendar } from '../core/calendar.js';
import { isDondocError } from '../errors.js';
import { type Task, type TaskEvent, ONCE } from '../core/task.js';
import { type Actor, type Change, cancelTask, completeTask, extendTask, updateTask } from '../core/task-ops.js';
import { formatDeadline } from '../core/task-codec.js';
import { transferBody } from './successors.js';

/** A task as built from input (buildTask's BuiltTask fits): the task and its events so far. */
export interface UpsertItem {
  task: Task;
  events: TaskEvent[];
}

export type UpsertPlan =
  | { kind: 'created'; task: Task; events: TaskEvent[]; warnings: string[] }
  | { kind: 'updated'; task: Task; events: TaskEvent[]; changes: Record<string, { from: unknown; to: unknown }>; warnings: string[] }
  | { kind: 'unchanged'; task: Task; events: []; warnings: string[] };

export function planUpsert(existing: Task | null, item: UpsertItem, calendar: Calendar, actor: Actor): UpsertPlan {
  if (!existing) return { kind: 'created', task: item.task, events: item.events, warnings: [] };
  const warnings: string[] = [];
  const events: TaskEvent[] = [];
  let cur = existing;
  let changes: Record<string, { from: unknown; to: unknown }> = {};
  const take = (c: Change | null): void => {
    if (!c) return;
    cur = c.task;
    events.push(c.event);
  };
  // Import warnings are read by clerks: in Vietnamese.
  const WHAT_VI: Record<string, string> = { completion: 'hoàn thành', extension: 'gia hạn', cancellation: 'hủy' };
  const attempt = (what: string, f: () => Change): void => {
    try {
      take(f());
    } catch (e) {
      if (!isDondocError(e)) throw e;
      warnings.push(`${WHAT_VI[what] ?? what}: không áp dụng (${e.message})`);
    }
  };

  // A body that merged since the last import: record the move as a transfer, not an edit.
  for (const e of item.events) {
    if (e.type !== 'transferred') continue;
    if (cur.lead === e.from || cur.coordinators.includes(e.from)) take(transferBody(cur, e.from, e.to, e.reason, actor));
  }

  const update = updateTask(cur, item.task, actor);
  if (update) {
    take(update);
    if (update.event.type === 'updated') changes = update.event.changes;
  }

  for (const e of item.events) {
    if (e.type === 'completed') {
      const state = cur.occurrences[e.occurrence] ?? {};
      if (state.completedAt === e.completedAt) continue;
      if (state.completedAt !== undefined) {
        warnings.push(`tệp ghi hoàn thành lúc ${calendar.zone.formatInstant(e.completedAt)}, sổ theo dõi ghi ${calendar.zone.formatInstant(state.completedAt)}: giữ theo sổ theo dõi`);
        continue;
      }
      const occurrence = e.occurrence === ONCE && !cur.recurrence ? {} : { occurrence: e.occurrence };
      attempt('completion', () =>
        completeTask(cur, calendar, actor, { completedAt: e.completedAt, ...occurrence, ...(e.note ? { note: e.note } : {}), ...(e.document ? { document: e.document } : {}) }),
      );
    } else if (e.type === 'extended') {
      const known = cur.extensions.some((x) => x.occurrence === e.occurrence && formatDeadline(x.deadline) === formatDeadline(e.deadline));
      if (known) continue;
      const occurrence = e.occurrence === ONCE && !cur.recurrence ? {} : { occurrence: e.occurrence };
      attempt(`extension to ${formatDeadline(e.deadline)}`, () => extendTask(cur, calendar, actor, { deadline: e.deadline, document: e.document, approvedBy: e.approvedBy, ...occurrence }));
    } else if (e.type === 'cancelled') {
      const done = e.occurrence ? cur.occurrences[e.occurrence]?.cancelledAt !== undefined : cur.cancelledAt !== undefined;
      if (done) continue;
      attempt('cancellation', () => cancelTask(cur, actor, { reason: e.reason, ...(e.occurrence ? { occurrence: e.occurrence } : {}) }));
    }
  }

  if (events.length === 0) return { kind: 'unchanged', task: existing, events: [], warnings };
  return { kind: 'updated', task: cur, events, changes, warnings };
}
