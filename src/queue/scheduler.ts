// The scheduler (docs/DELIVERY.md): leases tasks due for a look from the schedule index, plans
// each (pure planner, short horizon, the delivery log as history) and keeps the bundles in step:
//   - each copy of a pending notification due within the lookahead — one per recipient — goes
//     into its bundle (src/core/bundle.ts: that person's mail of that kind in that window), whose
//     BullMQ job fires at the bundle's send time; later notifications stay in the plan only, and
//     the task's next wake is set to lookahead before the first of them — so an open task costs
//     one index entry, not a delayed job per future notification;
//   - while copies are in BullMQ's hands the task is looked at again `watchdogMs` after their
//     time; a copy a released notification still owes (its bundle lost with a crash) is placed
//     again — the claim protocol makes a second placing harmless;
//   - a copy whose worker died mid-send, or that waits in a bundle not yet sent, is recorded
//     skipped as soon as the plan moves on (completed, cancelled, extended, superseded);
//   - a closed or deleted task leaves the index; an open one with nothing near is looked at
//     again after `maxSleepMs` (recurring duties beyond the horizon, config drift).
// Special entries "_digest/ID" and "_admin/ID" (an operator's retry) re-enqueue that digest or
// failure report.
import { bundleCandidates } from '../core/bundle.js';
import { copiesOf, copyId } from '../core/copies.js';
import { isPending, type TaskNotification } from '../core/notification.js';
import { formatIsoDay, parseIsoDay } from '../core/day.js';
import type { DeliveryRecord } from '../store/delivery-log.js';
import { isOpenTask } from '../store/index-entries.js';
import { type JobContext, planFor } from './job-context.js';
import { ADMIN_LOG, DIGEST_LOG } from './names.js';
import { copyBase, releasedCopyOf } from './copies.js';
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

export type SchedulerDeps = Pick<JobContext, 'store' | 'planRead' | 'log' | 'bundles' | 'mutes' | 'schedule' | 'config' | 'now' | 'logger' | 'metrics' | 'enqueue'> & { tuning: SchedulerTuning };

export interface Scheduler {
  /** One pass: leases due tasks, plans them, releases them with their next wake; returns how many. */
  tick(): Promise<number>;
  /** Plans one task (or special entry) now; returns its next wake, or null for no entry. */
  planTask(id: string, now: number): Promise<number | null>;
}

/** A bundle whose send time is this near gets its job checked by every copy placed in it. */
const NEAR_MS = 5000;

export function makeScheduler(d: SchedulerDeps): Scheduler {
  const t = d.tuning;

  async function planSpecial(id: string): Promise<null> {
    const slash = id.indexOf('/');
    const kind = id.slice(0, slash);
    const rest = id.slice(slash + 1);
    if (kind === DIGEST_LOG) {
      // The digest's own id, or one of its copies' (an operator's retry of one recipient).
      const m = /^digest-(\d{4})(\d{2})(\d{2})(?:_r[0-9a-f]{12})?$/.exec(rest);
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

  /** Puts one copy in its bundle (src/core/bundle.ts) and makes sure the bundle's job fires at its send time. */
  async function place(taskId: string, n: TaskNotification, copy: { id: string; key: string }, at: number, now: number): Promise<void> {
    const loaded = d.config();
    const candidates = bundleCandidates(copy, n.kind, at, loaded.calendar, loaded.config.policy.bundle, loaded.config.delivery.bundle_gather);
    const joined = await d.bundles.add(candidates, `${taskId}|${copy.id}`, at, { kind: n.kind }, now);
    if (!joined) {
      // Three windows in a row already sent (a clock set far back): tried again at the next look.
      d.logger.error({ taskId, notification: n.id }, 'scheduler: no open bundle for a due copy; trying again later');
      return;
    }
    // The copy that opened the bundle gives it its job; a later one only makes sure of it once the
    // send time is near (the opener may have died between the two steps; BullMQ's timers run on
    // the wall clock, the injected clock may have jumped).
    if (joined.opened || joined.fireAt <= now + NEAR_MS) await d.enqueue.bundle(joined.bundle, joined.fireAt, now);
  }

  async function planTask(id: string, now: number): Promise<number | null> {
    if (id.startsWith('_')) return planSpecial(id);
    const read = await d.planRead(id);
    const task = read.task;
    if (!task) return null; // deleted: a bundle still holding its copies records "task deleted" when it fires
    const records = new Map<string, DeliveryRecord>();
    const handled = new Set<string>();
    for (const r of read.records) {
      records.set(r.id, r);
      if (r.state === 'released' || r.state === 'sent' || r.state === 'failed') handled.add(r.id);
    }
    const loaded = d.config();
    const sendNow = loaded.calendar.nextOfficeInstant(now);
    const plan = planFor(loaded, task, handled, now);
    // A copy that needs no placing: sent or failed, being sent under a live claim, or held by a mute still in force.
    const settledOrHeld = async (copyId: string, n: TaskNotification): Promise<boolean> => {
      const r = records.get(copyId);
      if (!r) return false;
      if (r.state === 'sent' || r.state === 'failed') return true;
      if (r.state === 'sending' && (r.leaseUntil ?? 0) > now) return true;
      // Recorded as muted and still muted: the unmute will touch the task.
      return r.state === 'muted' && (await d.mutes.mutedFor(task.id, n.body)) !== null;
    };
    let next = Infinity;
    for (const n of plan) {
      if (isPending(n.state)) {
        if (n.at > now + t.lookaheadMs) {
          next = Math.min(next, n.at - t.lookaheadMs);
          continue;
        }
        for (const c of copiesOf(n)) if (!(await settledOrHeld(c.id, n))) await place(task.id, n, c, n.at, now);
        next = Math.min(next, Math.max(n.at, now) + t.watchdogMs);
      } else if (n.state === 'done') {
        // Released: the copies it owes that are neither sent nor failed yet (their bundle was lost
        // with a crash, or it is retrying) are placed again — a bundle that already sent one finds it done.
        const rel = records.get(n.id);
        if (rel?.state !== 'released') continue;
        let owed = false;
        for (const c of rel.copies ?? []) {
          const cid = copyId(n.id, c.key);
          if (await settledOrHeld(cid, n)) continue;
          owed = true;
          // A copy waiting out a retry backoff is its bundle job's to send — unless that job is
          // long overdue (lost with a crash of Redis' own data): then it is placed again. One an
          // operator asked to retry (`delivery retry`: no attempt yet) is placed at once.
          const r = records.get(cid);
          const stale = loaded.config.delivery.retry.backoff_max + loaded.config.delivery.lease;
          if (r?.state !== 'retrying' || r.attempts === 0 || r.updatedAt < now - stale) await place(task.id, n, { id: cid, key: c.key }, sendNow, now);
        }
        if (owed) next = Math.min(next, now + t.watchdogMs);
      } else {
        for (const c of copiesOf(n)) {
          const rec = records.get(c.id);
          // Its worker died mid-send and the plan has moved on; or it was placed in a bundle that has
          // not gone yet (its time is near) and the plan moved on: nothing is to go out any more,
          // and the record says why now rather than when the bundle goes.
          const died = rec?.state === 'sending' && (rec.leaseUntil ?? 0) <= now;
          const near = !rec && n.scheduledAt > now - t.lookaheadMs && n.scheduledAt <= now + t.lookaheadMs;
          if (died || near) {
            const { category, reason } = skipReasonOf(n);
            if (await d.log.markSkipped(copyBase(baseOf(n), releasedCopyOf(c)), reason, now)) d.metrics.skipped(category);
          }
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
        const released = await Promise.all(
          leased.map(async ({ id, lease }) => {
            let next: number | null;
            try {
              next = await planTask(id, now);
            } catch (err) {
              // One bad task must not stop the others: it is looked at again in a minute.
              d.logger.error({ err, taskId: id }, 'scheduler: planning the task failed; trying again in a minute');
              next = now + 60_000;
            }
            return { id, lease, next };
          }),
        );
        // The whole round's verdicts in one call.
        await d.schedule.releaseMany(released, now);
        total += leased.length;
        if (leased.length < t.batch) break;
      }
      const earliest = await d.schedule.earliest();
      d.metrics.scheduleLag(earliest === null ? 0 : Math.max(0, now - earliest) / 1000);
      return total;
    },
  };
}
