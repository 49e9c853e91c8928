// What a bundle's members are at its send time (jobs/send-bundle.ts). Each member names a copy
// ("TASK|<notification>_r<key>"); the task is read again and planned again with the current
// clock and config — the members' own notifications left out of the history, so a sibling copy
// of one already released is judged as the first was — and each copy
//   - goes in the mail when its notification is still pending and due, and the copy is one the
//     notification owes (released by this bundle's claim when it is the first to reach it, or
//     earlier by another);
//   - is recorded `skipped` with the reason when the plan moved on (completed, cancelled,
//     extended, superseded, the task deleted) or its recipient is no longer one of the copies;
//   - is recorded `muted` while a mute holds it back;
//   - is dropped from this bundle, for the scheduler to place again, when it is not due yet
//     (a holiday added since moved it later);
//   - is left out when it was already sent or failed (it was also in another bundle).
import type { Logger } from 'pino';
import { copiesOf, splitCopyId } from '../core/copies.js';
import { isPending, type TaskNotification } from '../core/notification.js';
import type { Task } from '../core/task.js';
import type { DeliveryRecord, RecordBase, ReleasedCopy } from '../store/delivery-log.js';
import { splitMember } from '../store/delivery-log.js';
import { copyBase, releasedCopyOf } from './copies.js';
import { type JobContext, planFor } from './job-context.js';
import { baseOf, skipReasonOf } from './records.js';

export interface BundleMember {
  member: string;
  task: Task;
  n: TaskNotification;
  copy: ReleasedCopy;
  base: RecordBase;
  /** The release to write with the claim when the notification has none yet (this bundle is the first to reach it). */
  release?: RecordBase & { copies: ReleasedCopy[] };
}

export interface Resolved {
  items: BundleMember[];
  /** Members not due yet: dropped from this bundle; their tasks are touched. */
  dropped: string[];
  skipped: number;
  muted: number;
  /** Tasks to look at again soon, and when (one touch for the whole bundle). */
  touch: Map<string, number>;
}

const isTerminal = (r: DeliveryRecord | undefined): boolean => r?.state === 'sent' || r?.state === 'failed';

export async function resolveMembers(ctx: JobContext, members: readonly string[], fallbackKind: string, plannedAt: number, log: Logger): Promise<Resolved> {
  const out: Resolved = { items: [], dropped: [], skipped: 0, muted: 0, touch: new Map() };
  const mutedFor = await ctx.mutes.snapshot();
  const byTask = new Map<string, string[]>();
  for (const m of members) {
    const { taskId } = splitMember(m);
    let g = byTask.get(taskId);
    if (!g) byTask.set(taskId, (g = []));
    g.push(m);
  }
  const loaded = ctx.config();
  const now = ctx.now();

  const skip = async (base: RecordBase, reason: string, category: string): Promise<void> => {
    if (await ctx.log.markSkipped(base, reason, now)) ctx.metrics.skipped(category);
    out.skipped++;
  };

  await Promise.all(
    [...byTask].map(async ([taskId, ms]) => {
      const { task, records } = await ctx.planRead(taskId);
      const parsed = ms.map((m) => ({ member: m, id: splitMember(m).id, ...splitCopyId(splitMember(m).id)! }));
      const minimal = (p: (typeof parsed)[number]): RecordBase => ({ id: p.id, taskId, kind: fallbackKind, level: 0, notification: p.notificationId, to: [], cc: [], plannedAt });
      if (!task) {
        for (const p of parsed) await skip(minimal(p), 'task deleted', 'task deleted');
        log.info({ taskId }, 'skipped: the task no longer exists');
        return;
      }
      const recs = new Map(records.map((r) => [r.id, r]));
      const mine = new Set(parsed.map((p) => p.notificationId));
      const handled = new Set<string>();
      for (const r of records) if (!mine.has(r.id) && (r.state === 'released' || isTerminal(r))) handled.add(r.id);
      const plan = planFor(loaded, task, handled, now);
      let touch: number | undefined;
      for (const p of parsed) {
        const n = plan.find((x) => x.id === p.notificationId);
        const planned = n ? copiesOf(n).find((c) => c.key === p.key) : undefined;
        const base = n && planned ? copyBase(baseOf(n), releasedCopyOf(planned)) : n ? { ...minimal(p), kind: n.kind, level: n.level } : minimal(p);
        if (!n || !isPending(n.state)) {
          const { category, reason } = skipReasonOf(n);
          await skip(base, reason, category);
          continue;
        }
        if (n.at > now + ctx.earlyMs) {
          out.dropped.push(p.member);
          touch = Math.min(touch ?? Infinity, now + 1000);
          continue;
        }
        const mute = mutedFor(task.id, n.body);
        if (mute) {
          await ctx.log.markMuted(base, `muted (${mute.kind} ${mute.key} by ${mute.by}${mute.reason ? `: ${mute.reason}` : ''})`, now);
          out.muted++;
          continue;
        }
        const rel = recs.get(n.id);
        if (isTerminal(rel)) continue; // settled by an older record
        if (isTerminal(recs.get(p.id))) continue; // this copy went out already (also in another bundle)
        if (rel?.state === 'released') {
          const copy = rel.copies?.find((c) => c.key === p.key);
          if (!copy) {
            await skip(base, 'superseded: the recipient is no longer one of this notification’s copies', 'superseded');
            continue;
          }
          out.items.push({ member: p.member, task, n, copy, base: copyBase(baseOf(n), copy) });
          continue;
        }
        if (!planned) {
          await skip(base, 'superseded: the recipient is no longer one of this notification’s copies', 'superseded');
          continue;
        }
        // Not released yet: this bundle's claim releases it, fixing the copies it owes as planned now.
        const copy = releasedCopyOf(planned);
        out.items.push({ member: p.member, task, n, copy, base: copyBase(baseOf(n), copy), release: { ...baseOf(n), copies: copiesOf(n).map(releasedCopyOf) } });
        // A look once this send is over (a lease from now): a copy the release owes that no
        // bundle holds (a recipient added since it was placed) is placed then.
        touch = Math.min(touch ?? Infinity, now + ctx.leaseMs);
      }
      // Released or moved: the scheduler looks again soon and places any copy left without a bundle.
      if (touch !== undefined) out.touch.set(taskId, touch);
    }),
  );
  return out;
}
