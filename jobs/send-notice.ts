// Sends one notice a reply link triggered (src/queue/notice.ts). The job names the history
// event; at fire time the task is read again, so the notice shows the task as it is then, and
// decision links are included only while the report or request is still pending — in the
// deciding role's own copy, never in the requester's (src/mail/notice-view.ts). A notice whose
// event is gone (the task was deleted) is recorded `skipped`; otherwise each recipient's copy is
// delivered by the claim protocol (src/queue/copies.ts) in the task's delivery log: sent once,
// or failed and reported to the admin.
import type { Job } from 'bullmq';
import { copiesOf } from '../src/core/copies.js';
import { copyMessage } from '../src/mail/eml.js';
import { noticeContent, noticeRepliesFor } from '../src/mail/notice-view.js';
import type { RecordBase } from '../src/store/delivery-log.js';
import { deliverCopies, recipientOf } from '../src/queue/copies.js';
import { settleJob } from '../src/queue/deliver.js';
import { type JobContext, identityOf } from '../src/queue/job-context.js';
import { noticePayload } from '../src/queue/notice.js';
import { parsePayload } from '../src/queue/payloads.js';

export function makeSendNotice(ctx: JobContext) {
  return async (job: Job, token?: string): Promise<string> => {
    const data = parsePayload(noticePayload, job, ctx.logger);
    const log = ctx.logger.child({ jobId: job.id, taskId: data.taskId, kind: data.notice });
    const loaded = ctx.config();
    const now = ctx.now();
    const base: RecordBase = { id: data.id, taskId: data.taskId, kind: data.notice, level: 0, occurrence: data.occurrence, to: [], cc: [], plannedAt: data.event };

    const found = await ctx.store.getWithHistory(data.taskId);
    const content = found ? noticeContent(loaded, found.task, found.history, data, now) : { skip: 'task deleted' };
    if ('skip' in content) {
      await ctx.log.markSkipped(base, content.skip, now);
      log.info({ reason: content.skip }, 'notice skipped');
      return 'skipped';
    }
    if (content.to.length === 0) {
      await ctx.log.markSkipped(base, `no recipient: ${content.warnings.join('; ') || 'nobody to address'}`, now);
      log.error({ warnings: content.warnings }, 'notice: nobody to address');
      return 'skipped';
    }
    const templates = ctx.templates();
    const o = await deliverCopies(ctx, {
      notification: { ...base, to: content.to.map((x) => x.email), cc: content.cc.map((x) => x.email) },
      copies: copiesOf({ id: data.id, to: content.to, cc: content.cc }),
      build: (copy, messageId) => {
        const id = `${data.id}_r${copy.key}`;
        const recipient = recipientOf(copy);
        const rendered = templates.render(content.template, { ...content.view, ...noticeRepliesFor(loaded, found!.task, data, data.event, content.links, recipient, id) });
        return copyMessage({ messageId, recipient, rendered, identity: identityOf(loaded), notification: data.id, kind: `notice-${data.notice}`, items: [id], taskId: data.taskId });
      },
      job,
      token,
      log,
    });
    if (content.warnings.length) log.warn({ warnings: content.warnings }, 'notice: some recipients have no address in the directory');
    return settleJob(job, token, ctx.now(), o);
  };
}
