// One mail by the claim protocol (docs/DELIVERY.md), shared by every job that sends: a mail goes
// to one person and carries one or more items (copies of notifications, each its own record):
// claim the items → send with the Message-ID the claim recorded → record each item. Failures:
//   - transient (4xx, network, timeouts): the items go back to `retrying`, and the job throws so
//     BullMQ retries it with backoff; on the last attempt: `failed` and reported;
//   - permanent (5xx, the recipient refused, a message that cannot be built): `failed` at once,
//     reported — one report per mail, however many items it carried.
// The only duplicate left is a crash between the server's 250 and the `sent` records: the items
// are claimed again and sent under the Message-ID their claim kept. A send whose records cannot
// be written (Redis down) is not one: the sender keeps trying to write them (recordSent), then
// keeps the result in memory for its own retry.
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { type OutgoingMessage, type SendResult, messageIdFor } from '../mail/message.js';
import { classifySmtpError, partialRejection } from '../mail/smtp-errors.js';
import type { ClaimItem, ClaimResult, DeliveryRecord, RecordBase } from '../store/delivery-log.js';
import { isRedisUnavailable } from '../store/redis.js';
import { isDondocError } from '../errors.js';
import type { JobContext } from './job-context.js';

export interface MailOutcome {
  sent: DeliveryRecord[];
  /** Items already sent or failed before this run. */
  done: DeliveryRecord[];
  failed: DeliveryRecord[];
  /** Items another worker holds (a live claim): the job looks again when its lease ends. */
  busyUntil?: number;
}

export interface DeliverMailArgs {
  /** The mail's id: its Message-ID's local part (unless an item's earlier claim kept another). */
  mailId: string;
  items: readonly RecordBase[];
  /** Builds the message for the items claimed (render + headers); a throw fails them for good. */
  build: (items: readonly DeliveryRecord[], messageId: string) => OutgoingMessage;
  job: Job;
  token: string | undefined;
  log: Logger;
}

/** Waits without spending an attempt: the job goes back to delayed until `at` (wall clock). */
export async function delayJob(job: Job, token: string | undefined, delayMs: number): Promise<never> {
  await job.moveToDelayed(Date.now() + Math.max(0, Math.ceil(delayMs)), token);
  throw new DelayedError();
}

/**
 * A job that failed because Redis was unreachable (down, or this process's connection still
 * reconnecting after BullMQ's did) decided nothing: it waits a second and runs again without
 * spending an attempt of the SMTP retry budget, which an outage would otherwise use up and the
 * job be dropped, its notification left to the watchdog (tests/faults/redis-restart.test.ts).
 */
export async function waitIfRedisDown(err: unknown, job: Job, token: string | undefined): Promise<never> {
  if (isRedisUnavailable(err) || (isDondocError(err) && err.code === 'REDIS_UNAVAILABLE')) return delayJob(job, token, 1000);
  throw err;
}

const isLastAttempt = (job: Job): boolean => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

/** For log lines: recipients' addresses stay in the delivery log, not in the logs. */
export const scrubAddresses = (s: string): string => s.replace(/[^\s<>(),;:"'@]+@[^\s<>(),;:"'@]+/g, '<address>');

const byLog = <T extends { taskId: string }>(xs: readonly T[]): T[][] => {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    let g = m.get(x.taskId);
    if (!g) m.set(x.taskId, (g = []));
    g.push(x);
  }
  return [...m.values()];
};

const ref = (r: { taskId: string; id: string }): string => `${r.taskId}|${r.id}`;

/** Records an outcome for items that may span several logs (one script call per log). */
async function recordAll(ctx: JobContext, items: readonly DeliveryRecord[], fields: Parameters<JobContext['log']['recordMany']>[1]): Promise<boolean[]> {
  const groups = byLog(items);
  const results = await Promise.all(groups.map((g) => ctx.log.recordMany(g, fields)));
  const owned = new Map<string, boolean>();
  groups.forEach((g, i) => g.forEach((r, j) => owned.set(ref(r), results[i]![j]!)));
  return items.map((r) => owned.get(ref(r)) ?? false);
}

/**
 * The `sent` records, written by the process that sent: while Redis is unreachable it tries
 * again in place (for up to a lease) instead of failing the job, whose retry BullMQ may hand to
 * another worker — which knows nothing of this send and would send it again once the claim's
 * lease ended (tests/faults/redis-restart.test.ts). Past that, `unrecorded` is the fallback.
 */
async function recordSent(ctx: JobContext, items: readonly DeliveryRecord[], fields: Parameters<JobContext['log']['recordMany']>[1]): Promise<boolean[]> {
  const deadline = Date.now() + ctx.leaseMs;
  for (let i = 0; ; i++) {
    try {
      const owned = await recordAll(ctx, items, fields);
      if (i === 0 || owned.every(Boolean)) return owned;
      // A retry after a reply lost with the connection: the first write may have landed.
      const now = await Promise.all(items.map((r) => ctx.log.get(r.taskId, r.id)));
      return now.map((r, j) => owned[j] || (r?.state === 'sent' && r.messageId === fields.messageId));
    } catch (err) {
      if (!isRedisUnavailable(err) || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** i, 500)));
    }
  }
}

/** Claims every item (one script call per log: its releases first, then its copies). */
export async function claimAll(ctx: JobContext, items: readonly ClaimItem[], owner: string, now: number): Promise<ClaimResult[]> {
  const groups = byLog(items.map((it) => ({ taskId: it.base.taskId, it })));
  const results = await Promise.all(groups.map((g) => ctx.log.claimItems(g.map((x) => x.it), owner, now, ctx.leaseMs)));
  const byRef = new Map<string, ClaimResult>();
  groups.forEach((g, i) => g.forEach((x, j) => byRef.set(ref(x.it.base), results[i]![j]!)));
  return items.map((it) => byRef.get(ref(it.base))!);
}

/** The owner of a job's claims. */
export const ownerOf = (ctx: JobContext, job: Job): string => `${ctx.owner}:job-${job.id}`;

/** Items claimed, grouped by the Message-ID each will go under (an earlier send's, after a crash). */
export function byMessageId(claimed: readonly DeliveryRecord[], planned: string): Map<string, DeliveryRecord[]> {
  const groups = new Map<string, DeliveryRecord[]>();
  for (const r of claimed) {
    const mid = r.messageId ?? planned;
    let g = groups.get(mid);
    if (!g) groups.set(mid, (g = []));
    g.push(r);
  }
  return groups;
}

/** The mail id a Message-ID was made from (its local part: ids are [A-Za-z0-9_-]). */
export const mailIdOf = (messageId: string): string => /^<([^@>]+)@/.exec(messageId)?.[1] ?? messageId;

/** Sends one mail of items by the claim protocol; see the file comment for the failure rules. */
export async function deliverMail(ctx: JobContext, a: DeliverMailArgs): Promise<MailOutcome> {
  const { job, log } = a;
  // BullMQ hands a job out again if it thinks its worker stalled; in this process it may still run.
  if (ctx.inProgress.has(a.mailId)) return delayJob(job, a.token, 5_000);
  const now = ctx.now();
  const planned = messageIdFor(a.mailId, ctx.config().config.mail.messageIdDomain);
  const out: MailOutcome = { sent: [], done: [], failed: [] };
  const claims = await claimAll(ctx, a.items.map((base) => ({ base, messageId: planned })), ownerOf(ctx, job), now);
  const claimed: DeliveryRecord[] = [];
  for (const c of claims) {
    if (c.outcome === 'claimed') claimed.push(c.record);
    else if (c.outcome === 'done' || c.outcome === 'settled') out.done.push(c.record);
    else if (c.outcome === 'busy') out.busyUntil = Math.max(out.busyUntil ?? 0, c.record.leaseUntil ?? now);
  }
  if (out.done.length) log.info({ items: out.done.length }, 'already handled: not sent again');
  if (claimed.length === 0) return out;

  // Items whose earlier send died after the server took it go again under that send's Message-ID.
  let transient: string | undefined;
  ctx.inProgress.add(a.mailId);
  try {
    for (const [messageId, items] of byMessageId(claimed, planned)) {
      const reason = await sendClaimed(ctx, { ...a, mailId: mailIdOf(messageId) }, messageId, items, out);
      transient ??= reason;
    }
  } finally {
    ctx.inProgress.delete(a.mailId);
  }
  if (transient !== undefined) throw new Error(transient);
  return out;
}

/** One message for these claimed items; returns the reason of a transient failure left to retry. */
export async function sendClaimed(
  ctx: JobContext,
  a: Pick<DeliverMailArgs, 'mailId' | 'build' | 'job' | 'log'>,
  messageId: string,
  items: DeliveryRecord[],
  out: MailOutcome,
): Promise<string | undefined> {
  const { job, log } = a;
  let message: OutgoingMessage;
  try {
    message = { ...a.build(items, messageId), messageId };
  } catch (e) {
    await fail(ctx, a, items, `the message could not be built: ${(e as Error)?.message ?? String(e)}`, out);
    return undefined;
  }
  let result: SendResult | undefined = ctx.unrecorded.get(messageId);
  if (result) log.warn({ messageId }, 'sent earlier by this process but not recorded (Redis was unavailable): recording it now, not sending again');
  if (!result) {
    try {
      result = await ctx.mailer.send(message);
      // One recipient per message: a refusal of it is a failure of the mail, not a partial success.
      const refused = partialRejection(result);
      if (refused) throw Object.assign(new Error(refused.reason), { responseCode: refused.code, rejected: result.rejected });
    } catch (err) {
      const f = classifySmtpError(err);
      const reason = f.code !== undefined && !f.reason.includes(String(f.code)) ? `${f.code} ${f.reason}` : f.reason;
      if (f.kind === 'permanent') return void (await fail(ctx, a, items, reason, out, message.subject));
      if (isLastAttempt(job)) return void (await fail(ctx, a, items, `${reason} (gave up after ${job.attemptsMade + 1} attempts)`, out, message.subject));
      await recordAll(ctx, items, { state: 'retrying', error: reason, updatedAt: ctx.now(), subject: message.subject });
      log.warn({ err: { message: scrubAddresses(reason) }, items: items.length, attempt: job.attemptsMade + 1, of: job.opts.attempts }, 'transient SMTP failure: will retry');
      return reason;
    }
    ctx.unrecorded.set(messageId, result);
  }
  const sentAt = ctx.now();
  const owned = await recordSent(ctx, items, { state: 'sent', messageId: result.messageId, response: result.response, sentAt, updatedAt: sentAt, mail: a.mailId, subject: message.subject });
  ctx.unrecorded.delete(messageId);
  if (!owned.every(Boolean)) log.warn({ lost: owned.filter((o) => !o).length }, 'sent, but a claim had expired and was taken: the other worker may send it again (same Message-ID)');
  for (const r of items) {
    ctx.metrics.sent(r.kind, r.level);
    const { owner: _o, leaseUntil: _l, ...rest } = r;
    out.sent.push({ ...rest, state: 'sent', messageId: result.messageId, response: result.response, sentAt, updatedAt: sentAt, mail: a.mailId, subject: message.subject });
  }
  log.info({ messageId: result.messageId, response: result.response, items: items.length }, 'sent');
  return undefined;
}

/** Terminal failure of a mail's items: recorded, listed, and reported once for the mail. */
async function fail(ctx: JobContext, a: Pick<DeliverMailArgs, 'mailId' | 'log'>, items: readonly DeliveryRecord[], reason: string, out: MailOutcome, subject?: string): Promise<void> {
  const mailItems = items.map(ref);
  const now = ctx.now();
  const fields = { state: 'failed' as const, error: reason, updatedAt: now, mail: a.mailId, ...(subject !== undefined ? { subject } : {}), ...(mailItems.length > 1 ? { mailItems } : {}) };
  await Promise.all(byLog(items).map((g) => ctx.log.recordMany(g, fields)));
  for (const r of items) {
    ctx.metrics.failed(r.kind);
    out.failed.push({ ...r, state: 'failed', error: reason, updatedAt: now, mail: a.mailId });
  }
  a.log.error({ err: { message: scrubAddresses(reason) }, items: items.length }, 'delivery failed: recorded and reported');
  await ctx.enqueue.report(items[0]!.taskId, items[0]!.id);
}

/**
 * For a job that sends one mail: a terminal failure ends it without a retry (UnrecoverableError),
 * a busy item makes it wait for the other worker's lease.
 */
export async function settleJob(job: Job, token: string | undefined, now: number, o: MailOutcome): Promise<'sent' | 'done' | 'failed'> {
  if (o.busyUntil !== undefined && o.sent.length === 0 && o.failed.length === 0) return delayJob(job, token, o.busyUntil - now + 100);
  if (o.failed.length > 0 && o.sent.length === 0) throw new UnrecoverableError(o.failed[0]!.error ?? 'delivery failed');
  return o.sent.length > 0 ? 'sent' : o.failed.length > 0 ? 'failed' : 'done';
}
