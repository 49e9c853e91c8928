// Sends one reminder or escalation (issue 5, "Jobs"). The job only names the notification: at
// fire time the task is read again and planned again with the current clock and config, so
//   - a notification no longer pending (task completed, cancelled, extended — new deadline, new
//     ids — superseded by a later step, or the task deleted) is recorded `skipped` with the
//     reason, and nothing is sent;
//   - one the plan moved later (a holiday was added) goes back to delayed until its new time;
//   - one held back by a mute is recorded `muted` (it goes out if unmuted in time);
//   - otherwise it is delivered by the claim protocol (src/queue/deliver.ts).
import type { Job } from 'bullmq';
import { isPending } from '../src/core/notification.js';
import { outgoingMessageFor } from '../src/mail/eml.js';
import { headRepliesFor } from '../src/mail/reply-links.js';
import { notificationView } from '../src/mail/view.js';
import type { RecordBase } from '../src/store/delivery-log.js';
import { delayJob, deliver } from '../src/queue/deliver.js';
import { type JobContext, identityOf, planFor } from '../src/queue/job-context.js';
import { baseOf, skipReasonOf } from '../src/queue/records.js';
import { type SendPayload, parsePayload, sendPayload } from '../src/queue/payloads.js';

export function makeSendNotification(ctx: JobContext) {
  return async (job: Job, token?: string): Promise<string> => {
    const data: SendPayload = parsePayload(sendPayload, job, ctx.logger);
    const log = ctx.logger.child({ jobId: job.id, taskId: data.taskId, kind: data.kind });
    const loaded = ctx.config();
    const now = ctx.now();
    const fallback: RecordBase = { id: data.id, taskId: data.taskId, kind: data.kind, level: data.level, to: [], cc: [], plannedAt: data.at };

    const [task, handled] = await Promise.all([ctx.store.get(data.taskId), ctx.log.handledIds(data.taskId)]);
    if (!task) {
      await ctx.log.markSkipped(fallback, 'task deleted', now);
      ctx.metrics.skipped('task deleted');
      log.info('skipped: the task no longer exists');
      return 'skipped';
    }
    const n = planFor(loaded, task, handled, now).find((x) => x.id === data.id);
    if (n?.state === 'done') return 'done';
    if (!n || !isPending(n.state)) {
      const { category, reason } = skipReasonOf(n);
      if (await ctx.log.markSkipped(n ? baseOf(n) : fallback, reason, now)) ctx.metrics.skipped(category);
      log.info({ reason }, 'skipped: the plan changed');
      return 'skipped';
    }
    if (n.at > now + ctx.earlyMs) {
      log.info({ at: loaded.calendar.zone.formatInstant(n.at) }, 'the plan moved it later: delayed');
      await job.updateData({ ...data, at: n.at });
      return delayJob(job, token, n.at - now);
    }
    const mute = await ctx.mutes.mutedFor(task.id, n.body);
    if (mute) {
      const reason = `muted (${mute.kind} ${mute.key} by ${mute.by}${mute.reason ? `: ${mute.reason}` : ''})`;
      await ctx.log.markMuted(baseOf(n), reason, now);
      log.info({ reason }, 'muted: recorded, not sent');
      return 'muted';
    }
    const result = await deliver(ctx, {
      base: baseOf(n),
      build: () => {
        const view = notificationView(n, { org: loaded.org, calendar: loaded.calendar, task, senderName: loaded.config.mail.from.name });
        // Issue 6: the head's signed reply links ("Phản hồi"), when links are configured.
        const rendered = ctx.templates().render(n.template, { ...view, ...headRepliesFor(loaded, n, task) });
        return outgoingMessageFor(n, rendered, identityOf(loaded));
      },
      job,
      token,
      log,
    });
    return result.outcome;
  };
}
