// A task as it stood at an instant (reports look at a closed period as it was at its end), and
// the order bodies are listed in. Pure; shared by report.ts and week-activity.ts.
import type { OrgDirectory } from './org.js';
import type { OccurrenceState, Task } from './task.js';

const stateAsOf = (s: OccurrenceState, asOf: number): OccurrenceState => {
  const out: OccurrenceState = {};
  if (s.completedAt !== undefined && s.completedAt <= asOf) {
    out.completedAt = s.completedAt;
    if (s.completionNote) out.completionNote = s.completionNote;
  }
  if (s.cancelledAt !== undefined && s.cancelledAt <= asOf) {
    out.cancelledAt = s.cancelledAt;
    if (s.cancelReason) out.cancelReason = s.cancelReason;
  }
  return out;
};

/** The task as it stood at `asOf`: later completions, extensions and cancellations removed. */
export function taskAsOf(task: Task, asOf: number): Task {
  const t: Task = {
    ...task,
    extensions: task.extensions.filter((e) => e.at <= asOf),
    occurrences: Object.fromEntries(Object.entries(task.occurrences).map(([k, s]) => [k, stateAsOf(s, asOf)])),
  };
  if (task.cancelledAt !== undefined && task.cancelledAt > asOf) {
    delete t.cancelledAt;
    delete t.cancelReason;
  }
  return t;
}

/** Bodies in directory order (the order of the config file), unknown codes after, by code. */
export function bodyOrder(org: OrgDirectory): (a: string, b: string) => number {
  const pos = new Map([...org.bodies.keys()].map((c, i) => [c, i]));
  return (a, b) => {
    const pa = pos.get(a) ?? Infinity;
    const pb = pos.get(b) ?? Infinity;
    return pa !== pb ? (pa < pb ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0;
  };
}

