// Reconcile (issue 5: "a periodic reconcile repairs drift and catches anything missed"), run by
// a BullMQ job scheduler every delivery.reconcile_every. Each repair is a touch of the schedule
// or an idempotent enqueue, so two reconciles at once, or one racing a worker, do no harm:
//   - every open task has a schedule entry (a crash between a task's write and its touch);
//   - a send whose lease ended without a result (its worker died) gets its task re-planned,
//     which re-creates the job if it was lost; the claim then lets it go out again, with the
//     same Message-ID (the documented duplicate window);
//   - today's digest, when its time has passed and it is not in the log (the job scheduler's
//     run was missed: every process was down at 08:00);
//   - failures nobody was told about (a crash between `failed` and its report's enqueue, or a
//     report that failed in the same SMTP outage: it is tried again).
import type { RedisClient } from '../store/redis.js';
import { formatIsoDay } from '../core/day.js';
import { digestId } from '../core/notification.js';
import { specialMember } from '../store/schedule.js';
import type { JobContext } from './job-context.js';
import { ADMIN_LOG, DIGEST_LOG, failureReportId } from './names.js';

export interface ReconcileResult {
  /** Open tasks that had no schedule entry. */
  missing: number;
  /** Sends whose lease ended without a result. */
  expired: number;
  /** Today's digest was enqueued. */
  digest: boolean;
  /** Failure reports enqueued (or, without an admin address, failures nobody can be told of). */
  unreported: number;
}

const BATCH = 1000;

export async function reconcile(ctx: JobContext & { redis: RedisClient }): Promise<ReconcileResult> {
  const now = ctx.now();
  const loaded = ctx.config();
  const result: ReconcileResult = { missing: 0, expired: 0, digest: false, unreported: 0 };

  for (let offset = 0; ; offset += BATCH) {
    const ids = await ctx.redis.zrange(ctx.store.keys.open, offset, offset + BATCH - 1);
    const scores = await ctx.schedule.scores(ids);
    const missing = ids.filter((_, i) => scores[i] === null);
    if (missing.length) await ctx.schedule.touch(missing, now);
    result.missing += missing.length;
    if (ids.length < BATCH) break;
  }

  for (const { taskId, id } of await ctx.log.expiredSends(now)) {
    const rec = await ctx.log.get(taskId, id);
    if (rec?.state !== 'sending') {
      await ctx.log.forgetSend(taskId, id);
      continue;
    }
    if ((rec.leaseUntil ?? 0) > now) continue;
    const entry = taskId === DIGEST_LOG || taskId === ADMIN_LOG ? specialMember(taskId, id) : taskId;
    await ctx.schedule.touch([entry], now);
    result.expired++;
  }

  const cal = loaded.calendar;
  const digest = loaded.config.policy.digest;
  const today = cal.zone.dayOf(now);
  if (digest.enabled && cal.isWorkingDay(today) && now >= cal.nextOfficeInstant(cal.zone.instantAt(today, digest.minute))) {
    if (!(await ctx.log.get(DIGEST_LOG, digestId(today)))) {
      await ctx.enqueue.digest(formatIsoDay(today));
      result.digest = true;
    }
  }

  const unreported = (await ctx.log.listFailed({ limit: 1000 })).filter((r) => r.reportedAt === undefined && r.taskId !== ADMIN_LOG);
  if (unreported.length && !loaded.config.delivery.admin_email) {
    ctx.logger.error({ count: unreported.length }, 'deliveries failed and delivery.admin_email is not set: see dondoc delivery list --failed');
  } else {
    for (const r of unreported) {
      // Its report failed too (the same SMTP outage outlasted both budgets): tried again, once per
      // reconcile, so the admin hears of it once the server is back (tests/faults/smtp-outage.test.ts).
      const reportId = failureReportId(r.mail ?? r.id, r.retries ?? 0);
      if ((await ctx.log.get(ADMIN_LOG, reportId))?.state === 'failed') await ctx.log.resetForRetry(ADMIN_LOG, reportId, now);
      await ctx.enqueue.report(r.taskId, r.id);
    }
  }
  result.unreported = unreported.length;
  if (result.missing || result.expired || result.digest || result.unreported) ctx.logger.info({ ...result }, 'reconcile: repaired drift');
  return result;
}
