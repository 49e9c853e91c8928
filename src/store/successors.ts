// Open tasks of a body that has ended follow its successor (the 2025 reorganisation merged
// departments and abolished districts), each move recorded as a `transferred` event. Pure.
//
// When it happens: when a task is created or imported (a letter naming a body that has since
// merged), and by `dondoc task follow-successors` after the directory changes (a body gets an
// end date and a successor). Finished and cancelled tasks stay with the body that did them:
// the record of who was on time must not move.
import { type Day, formatVnDay } from '../core/day.js';
import { type OrgDirectory, successorChain } from '../core/org.js';
import type { Task } from '../core/task.js';
import type { Actor, Change } from '../core/task-ops.js';
import { isOpenTask } from './index-entries.js';

/** Moves the lead (or a coordinating) role from one body to another, as one change. */
export function transferBody(task: Task, from: string, to: string, reason: string, actor: Actor, org?: OrgDirectory): Change {
  const next: Task = { ...task, revision: task.revision + 1, updatedAt: actor.now };
  if (task.lead === from) {
    next.lead = to;
    // The leader defaulted from the old body's field follows the new body's leader.
    const oldLeader = org?.bodies.get(from)?.leader;
    const newLeader = org?.bodies.get(to)?.leader;
    if (org && task.leader === oldLeader) {
      if (newLeader) next.leader = newLeader;
      else delete next.leader;
    }
  }
  next.coordinators = [...new Set(task.coordinators.map((c) => (c === from ? to : c)))].filter((c) => c !== next.lead);
  return { task: next, event: { type: 'transferred', at: actor.now, by: actor.by, revision: next.revision, from, to, reason } };
}

function successorReason(org: OrgDirectory, from: string, to: string, role: 'lead' | 'coordinator'): string {
  const a = org.bodies.get(from);
  const b = org.bodies.get(to);
  const ended = a?.validTo !== undefined ? ` từ ngày ${formatVnDay(a.validTo + 1)}` : '';
  const what = role === 'lead' ? 'chủ trì' : 'phối hợp';
  return `${a?.name ?? from} không còn hoạt động${ended}; nhiệm vụ ${what} chuyển sang ${b?.name ?? to} (đơn vị kế thừa)`;
}

/** The transfers an open task needs on `day`: its lead and coordinators that have ended. */
export function followSuccessors(task: Task, org: OrgDirectory, day: Day, actor: Actor): Change[] {
  if (!isOpenTask(task)) return [];
  const changes: Change[] = [];
  let cur = task;
  const follow = (code: string, role: 'lead' | 'coordinator'): void => {
    const chain = successorChain(org, code, day);
    const last = chain[chain.length - 1];
    if (chain.length < 2 || !last || last.code === code) return;
    const change = transferBody(cur, code, last.code, successorReason(org, code, last.code, role), actor, org);
    changes.push(change);
    cur = change.task;
  };
  follow(task.lead, 'lead');
  for (const c of task.coordinators) if (cur.coordinators.includes(c)) follow(c, 'coordinator');
  return changes;
}
