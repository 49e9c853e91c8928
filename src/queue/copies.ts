// Mail that goes out copy by copy, one person per message (src/core/copies.ts): notices, the
// daily digest, the accountability letters. The first run releases the notification — fixes
// the copies it owes, one per recipient as resolved then — and every run delivers the copies
// not yet sent or failed, each its own mail by the claim protocol (src/queue/deliver.ts), so a
// crash or an SMTP outage between two copies neither repeats the first nor loses the second.
// Task reminders and escalations go in bundles instead (jobs/send-bundle.ts).
import { DelayedError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { type MailCopy, copyId } from '../core/copies.js';
import type { Recipient } from '../core/notification.js';
import type { RecipientRole } from '../core/policy.js';
import type { OutgoingMessage } from '../mail/message.js';
import type { DeliveryRecord, RecordBase, ReleasedCopy } from '../store/delivery-log.js';
import { type MailOutcome, deliverMail } from './deliver.js';
import type { JobContext } from './job-context.js';

export function releasedCopyOf(c: MailCopy): ReleasedCopy {
  const r = c.recipient;
  return {
    key: c.key,
    email: r.email,
    title: r.title,
    role: r.role,
    as: c.as,
    ...(r.body !== undefined ? { body: r.body } : {}),
    ...(r.leader !== undefined ? { leader: r.leader } : {}),
    ...(r.name !== undefined ? { name: r.name } : {}),
  };
}

export function recipientOf(c: ReleasedCopy): Recipient {
  return {
    role: c.role as RecipientRole,
    title: c.title,
    email: c.email,
    ...(c.body !== undefined ? { body: c.body } : {}),
    ...(c.leader !== undefined ? { leader: c.leader } : {}),
    ...(c.name !== undefined ? { name: c.name } : {}),
  };
}

/** The record base of one copy of a notification. */
export function copyBase(n: RecordBase, c: ReleasedCopy): RecordBase {
  return {
    id: copyId(n.id, c.key),
    taskId: n.taskId,
    kind: n.kind,
    level: n.level,
    ...(n.step !== undefined ? { step: n.step } : {}),
    ...(n.occurrence !== undefined ? { occurrence: n.occurrence } : {}),
    notification: n.id,
    to: [c.email],
    cc: [],
    role: c.role,
    as: c.as,
    title: c.title,
    ...(n.subject !== undefined ? { subject: n.subject } : {}),
    plannedAt: n.plannedAt,
  };
}

export interface CopiesArgs {
  /** The notification: id, log, kind…; `to`/`cc` as addressed. */
  notification: RecordBase;
  /** Its copies as resolved now; used only by the run that releases it. */
  copies: readonly MailCopy[];
  /** The message for one copy. */
  build: (copy: ReleasedCopy, messageId: string) => OutgoingMessage;
  job: Job;
  token: string | undefined;
  log: Logger;
}

export interface CopiesOutcome extends MailOutcome {
  /** The copies the release fixed (empty: an older record had settled the notification). */
  copies: ReleasedCopy[];
}

/** Releases the notification (once) and delivers each copy still owed; throws to retry a transient failure. */
export async function deliverCopies(ctx: JobContext, a: CopiesArgs): Promise<CopiesOutcome> {
  const now = ctx.now();
  const rel = await ctx.log.release({ ...a.notification, copies: a.copies.map(releasedCopyOf) }, now);
  const out: CopiesOutcome = { sent: [], done: [], failed: [], copies: rel.state === 'released' ? (rel.copies ?? []) : [] };
  if (rel.state !== 'released') {
    out.done.push(rel as DeliveryRecord);
    return out;
  }
  let transient: unknown;
  for (const c of out.copies) {
    const base = copyBase(a.notification, c);
    try {
      const o = await deliverMail(ctx, { mailId: base.id, items: [base], build: (_items, messageId) => a.build(c, messageId), job: a.job, token: a.token, log: a.log.child({ copy: c.key }) });
      out.sent.push(...o.sent);
      out.done.push(...o.done);
      out.failed.push(...o.failed);
      if (o.busyUntil !== undefined) out.busyUntil = Math.max(out.busyUntil ?? 0, o.busyUntil);
    } catch (err) {
      // The job was moved to delayed (another run of it is sending): nothing more in this run.
      if (err instanceof DelayedError) throw err;
      // A transient failure of one copy: the others still go; the job is retried for it after.
      transient ??= err;
    }
  }
  if (transient !== undefined) throw transient;
  return out;
}
