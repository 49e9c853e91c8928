// One delivery by the claim protocol (docs/DELIVERY.md), shared by every job that sends mail:
// claim → send with the deterministic Message-ID → record, and the failure rules of issue 5:
//   - transient (4xx, network, timeouts): `retrying`, and the job throws so BullMQ retries it
//     with backoff; on the last attempt: `failed` and reported;
//   - permanent (5xx, every recipient refused, a message that cannot be built): `failed` at
//     once (UnrecoverableError: no retry) and reported;
//   - some recipients refused: the message WAS delivered to the others, so it is `sent` (a
//     resend would duplicate it for them), with the refusals noted and reported.
// The only duplicate left is a crash between the server's 250 and the `sent` record, resent
// with the same Message-ID. A send whose record cannot be written (Redis down) is not one: the
// sender keeps trying to write it (recordSent), then keeps it in memory for its own retry.
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { OutgoingMessage, SendResult } from '../mail/message.js';
import { classifySmtpError, partialRejection } from '../mail/smtp-errors.js';
import type { DeliveryRecord, RecordBase } from '../store/delivery-log.js';
import { isRedisUnavailable } from '../store/redis.js';
import { isDondocError } from '../errors.js';
import type { JobContext } from './job-context.js';

export interface DeliverArgs {
  base: RecordBase;
  /** Builds the message (render + headers); a throw is a permanent failure of this notification. */
  build: () => OutgoingMessage;
  job: Job;
  token: string | undefined;
  log: Logger;
}

export type Delivered = { outcome: 'sent'; record: DeliveryRecord } | { outcome: 'done'; record: DeliveryRecord };

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

/** For log lines: recipients' addresses stay in the delivery log, not in the logs (issue 7). */
export const scrubAddresses = (s: string): string => s.replace(/[^\s<>(),;:"'@]+@[^\s<>(),;:"'@]+/g, '<address>');

export async function deliver(ctx: JobContext, a: DeliverArgs): Promise<Delivered> {
  const { base, job, log } = a;
  const key = `${base.taskId}|${base.id}`;
  // BullMQ hands a job out again if it thinks its worker stalled; in this process it may still run.
  if (ctx.inProgress.has(key)) return delayJob(job, a.token, 5_000);

  let message: OutgoingMessage | undefined;
  let buildError: unknown;
  try {
    message = a.build();
  } catch (e) {
    buildError = e;
  }
  const now = ctx.now();
  const owner = `${ctx.owner}:job-${job.id}`;
  const claim = await ctx.log.claim(message ? { ...base, subject: message.subject } : base, owner, now, ctx.leaseMs);
  if (claim.outcome === 'done') {
    log.info({ state: claim.record.state }, 'already handled: nothing sent');
    return { outcome: 'done', record: claim.record };
  }
  if (claim.outcome === 'busy') {
    log.info({ owner: claim.record.owner, leaseUntil: claim.record.leaseUntil }, 'another worker is sending it: looking again when its lease ends');
    return delayJob(job, a.token, (claim.record.leaseUntil ?? now) - now + 100);
  }
  const rec = claim.record;

  if (!message) {
    const reason = `the message could not be built: ${(buildError as Error)?.message ?? String(buildError)}`;
    return fail(ctx, a, rec, reason);
  }

  ctx.inProgress.add(key);
  try {
    let result: SendResult | undefined = ctx.unrecorded.get(key);
    if (result) log.warn('sent earlier by this process but not recorded (Redis was unavailable): recording it now, not sending again');
    if (!result) {
      try {
        result = await ctx.mailer.send(message);
      } catch (err) {
        const f = classifySmtpError(err);
        const reason = f.code !== undefined && !f.reason.includes(String(f.code)) ? `${f.code} ${f.reason}` : f.reason;
        if (f.kind === 'permanent') return await fail(ctx, a, rec, reason);
        if (isLastAttempt(job)) return await fail(ctx, a, rec, `${reason} (gave up after ${job.attemptsMade + 1} attempts)`);
        await ctx.log.markRetrying(rec, reason, ctx.now());
        log.warn({ err: { message: scrubAddresses(reason) }, attempt: job.attemptsMade + 1, of: job.opts.attempts }, 'transient SMTP failure: will retry');
        throw new Error(reason);
      }
      ctx.unrecorded.set(key, result);
    }
    const partial = partialRejection(result);
    const sentAt = ctx.now();
    const owned = await recordSent(ctx, rec, { messageId: result.messageId, response: result.response, sentAt, ...(partial ? { error: partial.reason } : {}) });
    ctx.unrecorded.delete(key);
    if (!owned) log.warn('sent, but the claim had expired and was taken: the other worker may send it again (same Message-ID)');
    ctx.metrics.sent(base.kind, base.level);
    log.info({ messageId: result.messageId, response: result.response }, 'sent');
    if (partial) {
      log.error({ refused: partial.rejected?.length ?? 0 }, 'some recipients refused the message: reported');
      await ctx.enqueue.report(base.taskId, base.id);
    }
    const { owner: _o, leaseUntil: _l, ...rest } = rec;
    return { outcome: 'sent', record: { ...rest, state: 'sent', messageId: result.messageId, response: result.response, sentAt, updatedAt: sentAt, ...(partial ? { error: partial.reason } : {}) } };
  } finally {
    ctx.inProgress.delete(key);
  }
}

/**
 * The `sent` record, written by the process that sent: while Redis is unreachable it tries
 * again in place (for up to a lease) instead of failing the job, whose retry BullMQ may hand to
 * another worker — which knows nothing of this send and would send it again once the claim's
 * lease ended (tests/faults/redis-restart.test.ts). Past that, `unrecorded` is the fallback.
 */
async function recordSent(ctx: JobContext, rec: DeliveryRecord, sent: Parameters<JobContext['log']['markSent']>[1]): Promise<boolean> {
  const deadline = Date.now() + ctx.leaseMs;
  for (let i = 0; ; i++) {
    try {
      const owned = await ctx.log.markSent(rec, sent);
      // A retry after a reply lost with the connection: the first write may have landed.
      if (!owned && i > 0) return (await ctx.log.get(rec.taskId, rec.id))?.messageId === sent.messageId;
      return owned;
    } catch (err) {
      if (!isRedisUnavailable(err) || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** i, 500)));
    }
  }
}

/** Terminal failure: recorded, listed, reported; UnrecoverableError so BullMQ does not retry. */
async function fail(ctx: JobContext, a: DeliverArgs, rec: DeliveryRecord, reason: string): Promise<never> {
  await ctx.log.markFailed(rec, reason, ctx.now());
  ctx.metrics.failed(rec.kind);
  a.log.error({ err: { message: scrubAddresses(reason) } }, 'delivery failed: recorded and reported');
  await ctx.enqueue.report(rec.taskId, rec.id);
  throw new UnrecoverableError(reason);
}
