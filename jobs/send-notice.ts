// Sends one notice a reply link triggered (issue 6; src/queue/notice.ts). The job names the
// history event; at fire time the task is read again, so the notice shows the task as it is
// then, and decision links are included only while the report or request is still pending.
// A notice whose event is gone (the task was deleted) is recorded `skipped`; otherwise it is
// delivered by the claim protocol (src/queue/deliver.ts) under its own id, in the task's
// delivery log: sent once, or failed and reported to the admin.
import type { Job } from 'bullmq';
import { type OutgoingMessage, messageIdFor } from '../src/mail/message.js';
import { noticeContent } from '../src/mail/notice-view.js';
import type { Recipient } from '../src/core/notification.js';
import type { RecordBase } from '../src/store/delivery-log.js';
import { deliver } from '../src/queue/deliver.js';
import type { JobContext } from '../src/queue/job-context.js';
import { noticePayload } from '../src/queue/notice.js';
import { parsePayload } from '../src/queue/payloads.js';

const address = (r: Recipient) => ({ name: r.title, address: r.email });

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
    const { to, cc } = content;
    const r = await deliver(ctx, {
      base: { ...base, to: to.map((x) => x.email), cc: cc.map((x) => x.email) },
      build: (): OutgoingMessage => {
        if (to.length === 0) throw new Error(`no recipient: ${content.warnings.join('; ') || 'nobody to address'}`);
        const rendered = ctx.templates().render(content.template, content.view);
        return {
          messageId: messageIdFor(data.id, loaded.config.mail.messageIdDomain),
          from: loaded.config.mail.from,
          to: to.map(address),
          cc: cc.map(address),
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          headers: { 'X-Dondoc-Notification': data.id, 'X-Dondoc-Task': data.taskId, 'X-Dondoc-Kind': `notice-${data.notice}` },
        };
      },
      job,
      token,
      log,
    });
    if (content.warnings.length) log.warn({ warnings: content.warnings }, 'notice: some recipients have no address in the directory');
    return r.outcome;
  };
}
