// Sends one bundle: one person's reminders, coordinator reminders or escalations of one send
// window (src/core/bundle.ts) — the scheduler puts each due copy in its bundle and gives the
// bundle a job that fires at its send time. At fire time the bundle is closed (later copies go
// to the next window), its members are judged again against the current task and plan
// (src/queue/bundle-items.ts), and what is still due goes out as one mail — or, past
// policy.bundle.max_items, as several — by the claim protocol (src/queue/deliver.ts). Each item
// keeps its own delivery record, with the mail's Message-ID; a crash mid-bundle leaves each item
// either sent or claimable again, never both.
//
// Round trips: close; one read per task (task and log together); the mutes once; one claim per
// task for every item of every part (releasing notifications no bundle reached yet); then per
// mail the send and one record per task; the bundle's end and one schedule touch together.
import type { Job } from 'bullmq';
import { bundleMailId, splitMails } from '../src/core/bundle.js';
import { taskMailMessage, renderTaskMail } from '../src/mail/task-mail.js';
import { sortBundleItems } from '../src/mail/bundle-view.js';
import { messageIdFor } from '../src/mail/message.js';
import type { ClaimItem, DeliveryRecord } from '../src/store/delivery-log.js';
import { type BundleMember, resolveMembers } from '../src/queue/bundle-items.js';
import { recipientOf } from '../src/queue/copies.js';
import { type MailOutcome, byMessageId, claimAll, delayJob, mailIdOf, ownerOf, sendClaimed } from '../src/queue/deliver.js';
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
    // BullMQ hands a job out again if it thinks its worker stalled; in this process it may still run.
    if (ctx.inProgress.has(data.bundle)) return delayJob(job, token, 5_000);

    const resolved = await resolveMembers(ctx, closed.members, closed.kind, closed.fireAt, log);
    const loaded = ctx.config();
    const templates = ctx.templates();
    const identity = identityOf(loaded);
    const domain = loaded.config.mail.messageIdDomain;
    // The order a reader wants (most overdue first), which is also how the parts are cut.
    const ordered = sortBundleItems(resolved.items);
    const parts = splitMails(ordered, loaded.config.policy.bundle.maxItems);
    const mailIdOfPart = (k: number): string => (ordered.length === 1 ? ordered[0]!.base.id : bundleMailId(data.bundle, k));
    const byCopy = new Map<string, BundleMember>(resolved.items.map((i) => [i.base.id, i]));

    // Every item of every part claimed at once, each under its part's Message-ID.
    const claimItems: ClaimItem[] = parts.flatMap((part, k) =>
      part.map((i) => ({ base: i.base, messageId: messageIdFor(mailIdOfPart(k), domain), ...(i.release ? { release: i.release } : {}) })),
    );
    const out: MailOutcome = { sent: [], done: [], failed: [] };
    const claimed: DeliveryRecord[] = [];
    ctx.inProgress.add(data.bundle);
    try {
      const claims = claimItems.length ? await claimAll(ctx, claimItems, ownerOf(ctx, job), now) : [];
      for (const [j, c] of claims.entries()) {
        if (c.outcome === 'claimed') claimed.push(c.record);
        else if (c.outcome === 'busy') out.busyUntil = Math.max(out.busyUntil ?? 0, c.record.leaseUntil ?? now);
        else if (c.outcome === 'dropped') {
          // Another bundle released the notification first, without this copy (the directory changed between).
          await ctx.log.markSkipped(claimItems[j]!.base, 'superseded: the recipient is no longer one of this notification’s copies', now);
        }
      }

      // One mail per Message-ID: a part, or the mail an earlier run died sending (sent again as it was).
      const mails = [...byMessageId(claimed, '')];
      let transient: unknown;
      let next = 0;
      const lanes = Math.max(1, Math.min(mails.length, loaded.config.delivery.max_connections));
      // The parts of a long list go out side by side, as many at once as the SMTP pool has connections.
      await Promise.all(
        Array.from({ length: lanes }, async () => {
          while (next < mails.length) {
            const [messageId, items] = mails[next++]!;
            const mailId = mailIdOf(messageId);
            const reason = await sendClaimed(
              ctx,
              {
                mailId,
                build: (recs, mid) => {
                  const list = recs.map((r) => byCopy.get(r.id)!).map((i) => ({ n: i.n, task: i.task, copyId: i.base.id }));
                  const recipient = recipientOf(byCopy.get(recs[0]!.id)!.copy);
                  return taskMailMessage(renderTaskMail(templates, loaded, mailId, recipient, list), identity, mid, mailId, recipient, list);
                },
                job,
                log: log.child({ mail: mailId }),
              },
              messageId,
              items,
              out,
            );
            transient ??= reason;
          }
        }),
      );
      await Promise.all([
        resolved.touch.size ? ctx.schedule.touch([...resolved.touch.keys()], Math.min(...resolved.touch.values())) : undefined,
        resolved.dropped.length ? ctx.bundles.drop(data.bundle, resolved.dropped) : undefined,
      ]);
      if (transient !== undefined) throw new Error(String(transient));
    } finally {
      ctx.inProgress.delete(data.bundle);
    }
    // Items another worker holds: looked at again when its lease ends (they are done by then, or claimable).
    if (out.busyUntil !== undefined) return delayJob(job, token, out.busyUntil - ctx.now() + 100);
    // Only a mail that reached the person counts for the window: a retry of a failed one may go today.
    await ctx.bundles.finish(data.bundle, out.sent.length > 0);
    log.info({ items: resolved.items.length, sent: out.sent.length, failed: out.failed.length, skipped: resolved.skipped, muted: resolved.muted, dropped: resolved.dropped.length, mails: mailsSent(out) }, 'bundle done');
    return parts.length === 0 ? 'empty' : 'sent';
  };
}

const mailsSent = (o: MailOutcome): number => new Set(o.sent.map((r) => r.mail)).size;
