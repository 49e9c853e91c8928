// A task from a file, as it stood at any instant: the file's status events (completed,
// extended, cancelled) take effect at their own times, so preview --at and simulate see a
// task complete on the day it was completed, not before — and what a running dondoc would
// have sent for it over a stretch of virtual time. Pure: buildTask and the planner do the work.
import type { Calendar } from './calendar.js';
import type { TaskNotification } from './notification.js';
import type { OrgDirectory } from './org.js';
import { planNotifications } from './planner.js';
import type { Policy } from './policy.js';
import type { Task } from './task.js';
import type { TaskInput } from './task-codec.js';
import { buildTask } from './task-ops.js';

export interface Replay {
  readonly id: string;
  /** When each input event happened, in input order. */
  readonly eventTimes: readonly number[];
  /** The task with the events that happened at or before `now`. */
  at(now: number): Task;
  /** The first event instant after `now`, or Infinity. */
  nextEventAfter(now: number): number;
}

// Later than any instant dondoc handles (the calendar ends in 2199), so every event is "past".
const END_OF_TIME = 8.64e15;

export function makeReplay(input: TaskInput, calendar: Calendar, org: OrgDirectory, by: string): Replay {
  // buildTask records each event at its own time; with a clock at the end of time it accepts them all.
  const full = buildTask(input, calendar, org, { by, now: END_OF_TIME });
  const eventTimes = full.events.slice(1).map((e) => e.at);
  const cache = new Map<number, Task>();
  const id = full.task.id;
  return {
    id,
    eventTimes,
    at(now) {
      let n = 0;
      for (const t of eventTimes) if (t <= now) n++;
      let task = cache.get(n);
      if (!task) {
        task = buildTask({ ...input, events: input.events.filter((_, i) => eventTimes[i]! <= now) }, calendar, org, { by, now }).task;
        cache.set(n, task);
      }
      return task;
    },
    nextEventAfter(now) {
      let next = Infinity;
      for (const t of eventTimes) if (t > now && t < next) next = t;
      return next;
    },
  };
}

export interface ReplayedNotification {
  notification: TaskNotification;
  /** The task as it stood when the notification went out (for rendering). */
  task: Task;
}

/**
 * What a dondoc running from `from` to `until` (exclusive) would have sent for this task:
 * time jumps from one instant that matters to the next (a planned notification, a status
 * event); at each the task is re-planned as it stood then, and what is due is sent.
 * Tasks do not affect each other, so each is replayed on its own.
 */
export function replayNotifications(
  replay: Replay,
  policy: Policy,
  calendar: Calendar,
  org: OrgDirectory,
  from: number,
  until: number,
  sent: Set<string> = new Set(),
): ReplayedNotification[] {
  const out: ReplayedNotification[] = [];
  let t = from;
  while (t < until) {
    const task = replay.at(t);
    let next = replay.nextEventAfter(t);
    for (const n of planNotifications(task, sent, policy, calendar, org, t)) {
      if (n.state !== 'planned' && n.state !== 'due') continue;
      if (n.at <= t) {
        sent.add(n.id);
        out.push({ notification: n, task });
      } else if (n.at < next) next = n.at;
    }
    t = next;
  }
  return out;
}
