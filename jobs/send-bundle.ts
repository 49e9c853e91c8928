// Sends one bundle: one person's reminders, coordinator reminders or escalations of one send
// window (src/core/bundle.ts) — the scheduler puts each due copy in its bundle and gives the
// bundle a job that fires at its send time. At fire time the bundle is closed (later copies go
// to the next window), its members are judged again against the current task and plan
// (src/queue/bundle-items.ts), and what is still due goes out as one mail — or, past
// policy.bundle.max_items, as several — by the claim protocol (src/queue/deliver.ts). Each item
// keeps its own delivery record, with the mail's Message-ID; a crash mid-bundle leaves each item
// either sent or claimable again, never both.
import { DelayedError, type Job } from 'bullmq';
import { bundleMailId, splitMails } from '../src/core/bundle.js';
import { taskMailMessage, renderTaskMail } from '../src/mail/task-mail.js';
import { sortBundleItems } from '../src/mail/bundle-view.js';
import type { DeliveryRecord } from '../src/store/delivery-log.js';
import { resolveMembers } from '../src/queue/bundle-items.js';
import { recipientOf } from '../src/queue/copies.js';
import { delayJob, deliverMail } from '../src/queue/deliver.js';
import { type JobContext, identityOf } from '../src/queue/job-context.js';
import { bundlePayload, parsePayload } from '../src/queue/payloads.js';

export function makeSendBundle(ctx: JobContext) {
  return async (job: Job, token?: string): Promise<string> => {
    const data = parsePayload(bundlePayload, job, ctx.logger);
    const log = ctx.logger.child({ jobId: job.id, bundle: data.bundle });
    const now = ctx.now();
    const closed = await ctx.bundles.close(data.bundle, now, ctx.earlyMs);
    if (closed.outcome === 'wait') {
      log.debug({ fireAt: closed.fireAt }, 'not due yet: delayed');
      return delayJob(job, token, closed.fireAt - now);
    }
    if (closed.outcome !== 'closed') return 'done';

    const resolved = await resolveMembers(ctx, closed.members, closed.kind, closed.fireAt, log);
    if (resolved.dropped.length) await ctx.bundles.drop(data.bundle, resolved.dropped);
    const loaded = ctx.config();
    const templates = ctx.templates();
    const identity = identityOf(loaded);
    const byCopy = new Map(resolved.items.map((i) => [i.base.id, i]));
    // The order a reader wants (most overdue first), which is also how the parts are cut.
    const ordered = sortBundleItems(resolved.items);
    const parts = splitMails(ordered, loaded.config.policy.bundle.maxItems);

    let sent = 0;
    let failed = 0;
    let busyUntil: number | undefined;
    let transient: unknown;
    let delayed: unknown;
    // The parts of a long list go out side by side, as many at once as the SMTP pool has connections.
    const sendPart = async (k: number): Promise<void> => {
      const part = parts[k]!;
      const mailId = ordered.length === 1 ? part[0]!.base.id : bundleMailId(data.bundle, k);
      try {
        const o = await deliverMail(ctx, {
          mailId,
          items: part.map((i) => i.base),
          build: (claimed: readonly DeliveryRecord[], messageId: string) => {
            const items = claimed.map((r) => byCopy.get(r.id)!).map((i) => ({ n: i.n, task: i.task, copyId: i.base.id }));
            const recipient = recipientOf(byCopy.get(claimed[0]!.id)!.copy);
            const rendered = renderTaskMail(templates, loaded, mailId, recipient, items);
            return taskMailMessage(rendered, identity, messageId, mailId, recipient, items);
          },
          job,
          token,
          log: log.child({ mail: mailId }),
        });
        sent += o.sent.length;
        failed += o.failed.length;
        if (o.busyUntil !== undefined) busyUntil = Math.max(busyUntil ?? 0, o.busyUntil);
      } catch (err) {
        if (err instanceof DelayedError) delayed ??= err;
        else transient ??= err;
      }
    };
    let next = 0;
    const lanes = Math.max(1, Math.min(parts.length, loaded.config.delivery.max_connections));
    await Promise.all(Array.from({ length: lanes }, async () => {
      while (next < parts.length && delayed === undefined) await sendPart(next++);
    }));
    if (delayed !== undefined) throw delayed;
    if (transient !== undefined) throw transient;
    // Items another worker holds: looked at again when its lease ends (they are done by then, or claimable).
    if (busyUntil !== undefined) return delayJob(job, token, busyUntil - ctx.now() + 100);
    // Only a mail that reached the person counts for the window: a retry of a failed one may go today.
    await ctx.bundles.finish(data.bundle, sent > 0);
    log.info({ items: resolved.items.length, sent, failed, skipped: resolved.skipped, muted: resolved.muted, dropped: resolved.dropped.length, mails: parts.length }, 'bundle done');
    return parts.length === 0 ? 'empty' : 'sent';
  };
}
