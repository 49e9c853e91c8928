// The scheduler (docs/DELIVERY.md): leases tasks due for a look from the schedule index, plans
// each (pure planner, short horizon, the delivery log as history) and keeps BullMQ in step:
//   - a pending notification due within the lookahead gets its job (job id = notification id,
//     delay = at − now); later ones stay in the plan only, and the task's next wake is set to
//     lookahead before the first of them — so an open task costs one index entry, not a delayed
//     job per future notification (issue 5's 1 KB budget);
//   - while a notification is in BullMQ's hands the task is looked at again `watchdogMs` after
//     its time, which re-creates a job lost with a crash (the claim protocol makes that safe);
//   - a notification no longer pending whose job still waits is promoted, so its worker
//     records at once why it is skipped;
//   - a closed or deleted task leaves the index; an open one with nothing near is looked at
//     again after `maxSleepMs` (recurring duties beyond the horizon, config drift).
// Special entries "_digest/ID" and "_admin/ID" (an operator's retry) re-enqueue that digest or
// failure report.
import { isPending } from '../core/notification.js';
import { formatIsoDay, parseIsoDay } from '../core/day.js';
import type { DeliveryRecord } from '../store/delivery-log.js';
import { isOpenTask } from '../store/index-entries.js';
import { type JobContext, planFor } from './job-context.js';
import { ADMIN_LOG, DIGEST_LOG } from './names.js';
import { baseOf, skipReasonOf } from './records.js';

export interface SchedulerTuning {
  /** Notifications due within this span become BullMQ jobs. */
  lookaheadMs: number;
  /** How long a scheduler holds the tasks it leased (planning a batch takes far less). */
  scheduleLeaseMs: number;
  /** Tasks leased per round. */
  batch: number;
  /** Rounds per tick at most (a backlog is worked off over several ticks, the loop going on at once). */
  maxRounds: number;
  /** Look at a task again this long after a notification handed to BullMQ was due. */
  watchdogMs: number;
  /** Longest a task goes without a look. */
  maxSleepMs: number;
  /** Never look again sooner than this. */
  minSleepMs: number;
}

export type SchedulerDeps = Pick<JobContext, 'store' | 'log' | 'mutes' | 'schedule' | 'config' | 'now' | 'logger' | 'metrics' | 'enqueue'> & { tuning: SchedulerTuning };

export interface Scheduler {
  /** One pass: leases due tasks, plans them, releases them with their next wake; returns how many. */
  tick(): Promise<number>;
  /** Plans one task (or special entry) now; returns its next wake, or null for no entry. */
  planTask(id: string, now: number): Promise<number | null>;
}

export function makeScheduler(d: SchedulerDeps): Scheduler {
  const t = d.tuning;

  async function planSpecial(id: string): Promise<null> {
    const slash = id.indexOf('/');
    const kind = id.slice(0, slash);
    const rest = id.slice(slash + 1);
    if (kind === DIGEST_LOG) {
      const m = /^digest-(\d{4})(\d{2})(\d{2})$/.exec(rest);
      const day = m ? parseIsoDay(`${m[1]}-${m[2]}-${m[3]}`) : null;
      if (day !== null) await d.enqueue.digest(formatIsoDay(day));
      else d.logger.error({ entry: id }, 'schedule: not a digest id; dropped');
    } else if (kind === ADMIN_LOG) {
      const rec = await d.log.get(ADMIN_LOG, rest);
      const about = rec?.reportOf;
      if (about) await d.enqueue.report(about.slice(0, about.indexOf('|')), about.slice(about.indexOf('|') + 1));
    }
    return null;
  }

  async function planTask(id: string, now: number): Promise<number | null> {
    if (id.startsWith('_')) return planSpecial(id);
    const task = await d.store.get(id);
    if (!task) return null; // deleted: a job still waiting records "task deleted" when it fires
    const records = new Map<string, DeliveryRecord>();
    const handled = new Set<string>();
    for (const r of await d.log.forTask(id)) {
      records.set(r.id, r);
      if (r.state === 'sent' || r.state === 'failed') handled.add(r.id);
    }
    const plan = planFor(d.config(), task, handled, now);
    let next = Infinity;
    for (const n of plan) {
      const rec = records.get(n.id);
      if (isPending(n.state)) {
        if (n.at > now + t.lookaheadMs) {
          next = Math.min(next, n.at - t.lookaheadMs);
          continue;
        }
        // Recorded as muted and still muted: the unmute will touch the task.
        if (rec?.state === 'muted' && (await d.mutes.mutedFor(task.id, n.body))) continue;
        await d.enqueue.send(n, now);
        next = Math.min(next, Math.max(n.at, now) + t.watchdogMs);
      } else if (n.state !== 'done') {
        if (rec?.state === 'sending' && (rec.leaseUntil ?? 0) <= now) {
          // Its worker died mid-send and the plan has moved on: nothing is to go out any more.
          const { category, reason } = skipReasonOf(n);
          if (await d.log.markSkipped(baseOf(n), reason, now)) d.metrics.skipped(category);
        } else if (rec?.state === 'retrying' || (!rec && n.scheduledAt > now - t.lookaheadMs && n.scheduledAt <= now + t.lookaheadMs)) {
          await d.enqueue.promoteIfDelayed(n.id);
        }
      }
    }
    if (next === Infinity) return isOpenTask(task) ? now + t.maxSleepMs : null;
    return Math.max(now + t.minSleepMs, Math.min(next, now + t.maxSleepMs));
  }

  return {
    planTask,
    async tick() {
      const now = d.now();
      let total = 0;
      for (let round = 0; round < t.maxRounds; round++) {
        const leased = await d.schedule.lease(now, t.scheduleLeaseMs, t.batch);
        if (leased.length === 0) break;
        await Promise.all(
          leased.map(async ({ id, lease }) => {
            let next: number | null;
            try {
              next = await planTask(id, now);
            } catch (err) {
              // One bad task must not stop the others: it is looked at again in a minute.
              d.logger.error({ err, taskId: id }, 'scheduler: planning the task failed; trying again in a minute');
              next = now + 60_000;
            }
            await d.schedule.release(id, lease, next, now);
          }),
        );
        total += leased.length;
        if (leased.length < t.batch) break;
      }
      const earliest = await d.schedule.earliest();
      d.metrics.scheduleLag(earliest === null ? 0 : Math.max(0, now - earliest) / 1000);
      return total;
    },
  };
}
