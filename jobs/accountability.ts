// Accountability mail (issue 6; letter 7176/UBND-NC §4–§5), run by a BullMQ job scheduler every
// few minutes and by engine.accountabilityNow(): the weekly summary to Sở Nội vụ with the xlsx
// attached, and the repeat-lateness notices to Sở Nội vụ and the Provincial Office. Each goes
// out once under its deterministic id (weekly-report-<Monday>, lateness-<body>-<window>-<step>)
// by the claim protocol (src/queue/deliver.ts), recorded under the pseudo task _reports. Mail
// to people goes out inside office hours on working days only (DOMAIN.md "Time"): a pass
// outside them sends nothing, and the first pass inside them catches up.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../src/config/load.js';
import { latenessCrossings } from '../src/core/lateness.js';
import { copiesOf } from '../src/core/copies.js';
import type { ReportInput } from '../src/core/report.js';
import type { OutgoingMessage } from '../src/mail/message.js';
import { latenessNotice } from '../src/report/lateness-notice.js';
import type { LetterMessage } from '../src/report/letter.js';
import { makeReportService } from '../src/report/service.js';
import { type UnaddressedPass, reportUnaddressed } from '../src/report/unaddressed-report.js';
import { dueWeeklySlots, weeklyReportMail } from '../src/report/weekly.js';
import type { RedisClient } from '../src/store/redis.js';
import type { RecordBase } from '../src/store/delivery-log.js';
import { type ReleasedCopy } from '../src/store/delivery-log.js';
import { deliverCopies } from '../src/queue/copies.js';
import type { JobContext } from '../src/queue/job-context.js';
import { REPORTS_LOG } from '../src/queue/names.js';
import { accountabilityPayload, parsePayload } from '../src/queue/payloads.js';

export interface AccountabilityPass {
  weekly: { sent: string[]; done: string[] };
  lateness: { sent: string[]; done: string[] };
  /** Open tasks nobody can be reminded of, reported to the admin once each (src/report/unaddressed-report.ts). */
  unaddressed?: UnaddressedPass;
  failed: string[];
  /** Set when nothing was looked at (outside office hours). */
  idle?: string;
}

/** One recipient's copy of a letter: To that person; the letter itself names everyone addressed. */
function outgoing(loaded: LoadedConfig, letter: LetterMessage, kind: string, copy: ReleasedCopy, messageId: string): OutgoingMessage {
  return {
    messageId,
    from: loaded.config.mail.from,
    to: [{ name: copy.title, address: copy.email }],
    cc: [],
    subject: letter.subject,
    text: letter.text,
    html: letter.html,
    attachments: letter.attachments,
    headers: { 'X-Dondoc-Notification': letter.id, 'X-Dondoc-Kind': kind, 'X-Dondoc-Items': `${letter.id}_r${copy.key}` },
  };
}

export function makeAccountability(ctx: JobContext & { redis: RedisClient }) {
  return async (job: Job, token?: string): Promise<AccountabilityPass> => {
    parsePayload(accountabilityPayload, job, ctx.logger);
    const loaded = ctx.config();
    const { calendar: cal, org, config } = loaded;
    const now = ctx.now();
    const log = ctx.logger.child({ jobId: job.id, taskId: REPORTS_LOG, kind: 'accountability' });
    const pass: AccountabilityPass = { weekly: { sent: [], done: [] }, lateness: { sent: [], done: [] }, failed: [] };
    if (!cal.isOfficeInstant(now)) {
      pass.idle = 'outside office hours';
      log.info(pass, 'accountability pass');
      return pass;
    }
    const senderName = config.mail.from.name;
    const service = makeReportService({ store: ctx.store, redis: ctx.redis, calendar: cal, org, now: ctx.now });

    /** Sends one letter, a copy per recipient, by the claim protocol; a permanent failure is recorded and reported, and the pass goes on. */
    const send = async (letter: LetterMessage, kind: string, plannedAt: number, into: { sent: string[]; done: string[] }, l: Logger): Promise<void> => {
      const base: RecordBase = { id: letter.id, taskId: REPORTS_LOG, kind, level: 0, to: letter.to.map((x) => x.email), cc: letter.cc.map((x) => x.email), plannedAt, subject: letter.subject };
      if (letter.to.length === 0) {
        l.error({ warnings: letter.warnings }, 'accountability letter: nobody to address');
        await ctx.log.markSkipped(base, `no recipient: ${letter.warnings.join('; ') || 'nobody to address'}`, now);
        pass.failed.push(letter.id);
        return;
      }
      // Transient failures and a busy claim throw: the job is retried or delayed as a whole, and
      // what was sent already is `done` on the next run.
      const o = await deliverCopies(ctx, { notification: base, copies: copiesOf(letter), build: (copy, messageId) => outgoing(loaded, letter, kind, copy, messageId), job, token, log: l });
      if (o.failed.length > 0) pass.failed.push(letter.id);
      else (o.sent.length > 0 ? into.sent : into.done).push(letter.id);
      if (letter.warnings.length) l.warn({ warnings: letter.warnings }, 'some recipients have no address in the directory');
    };
    const settled = await ctx.log.settledIds(REPORTS_LOG);

    // 1. The weekly summary of each due week not yet handled.
    for (const slot of dueWeeklySlots(config.accountability.reports.weekly, cal, now)) {
      if (settled.has(slot.id) || (await ctx.log.get(REPORTS_LOG, slot.id))?.state === 'skipped') continue;
      const { report } = await service.get({ from: slot.from, to: slot.to });
      const letter = await weeklyReportMail(report, slot, config.accountability.reports.weekly, org, cal, { now, senderName });
      await send(letter, 'weekly_report', slot.at, pass.weekly, log.child({ id: slot.id }));
    }

    // 2. Repeat lateness: the crossings not yet told (the ids already recorded are `sent`).
    const rule = config.accountability.lateness;
    const inputs: ReportInput[] = await service.inputs();
    for (const c of latenessCrossings(inputs, cal, org, rule, now, settled)) {
      const letter = latenessNotice(c, rule, org, cal, { now, senderName, basis: config.policy.basis });
      await send(letter, 'lateness_notice', now, pass.lateness, log.child({ id: c.id, body: c.body }));
    }

    // 3. No task may remind nobody: those whose lead body cannot be reached, told to the admin once.
    pass.unaddressed = await reportUnaddressed(ctx, { loaded, tasks: inputs.map((i) => i.task), now, job, token, log });
    log.info(pass, 'accountability pass');
    return pass;
  };
}
