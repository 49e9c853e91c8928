// From a planned notification to what the delivery log says about it: the record's fixed part,
// and — when it is not to be sent — the reason in words, with a category for the metrics
// (completed / cancelled / extended / superseded / backfilled / task deleted).
import type { TaskNotification } from '../core/notification.js';
import type { RecordBase } from '../store/delivery-log.js';

export function baseOf(n: TaskNotification): RecordBase {
  return {
    id: n.id,
    taskId: n.taskId,
    kind: n.kind,
    level: n.level,
    step: n.step,
    occurrence: n.occurrence,
    to: n.to.map((r) => r.email),
    cc: n.cc.map((r) => r.email),
    plannedAt: n.scheduledAt,
  };
}

/** Why a notification is not to be sent; `undefined`: it is no longer in the plan at all. */
export function skipReasonOf(n: TaskNotification | undefined): { category: string; reason: string } {
  if (!n) return { category: 'superseded', reason: 'superseded: no longer in the plan (the task was changed)' };
  const detail = n.reason ?? n.state;
  const category =
    n.state === 'cancelled'
      ? detail.startsWith('completed')
        ? 'completed'
        : 'cancelled'
      : n.state === 'superseded' && detail.startsWith('deadline extended')
        ? 'extended'
        : n.state;
  return { category, reason: detail.startsWith(category) ? detail : `${category}: ${detail}` };
}
