// The Provincial Office's daily digest (7176 §4: the Office follows up and urges all bodies),
// run by a BullMQ job scheduler at policy.digest.at in the configured zone, and by reconcile
// when that run was missed. Sent only on working days and only when something is overdue or
// due soon (an empty day is recorded `skipped`, so reconcile does not ask again); its id
// digest-YYYYMMDD has its own record under _digest, so it goes out once a day at most.
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import type { RedisClient } from '../src/store/redis.js';
import type { LoadedConfig } from '../src/config/load.js';
import { type Day, formatIsoDay, parseIsoDay } from '../src/core/day.js';
import { planDigest } from '../src/core/digest.js';
import { digestId } from '../src/core/notification.js';
import type { Task } from '../src/core/task.js';
import { copiesOf } from '../src/core/copies.js';
import { copyMessage } from '../src/mail/eml.js';
import { renderNotification } from '../src/mail/render.js';
import { viewContextOf } from '../src/mail/task-mail.js';
import type { RecordBase } from '../src/store/delivery-log.js';
import { deliverCopies } from '../src/queue/copies.js';
import { settleJob } from '../src/queue/deliver.js';
import { type JobContext, identityOf } from '../src/queue/job-context.js';
import { DIGEST_LOG } from '../src/queue/names.js';
import { digestPayload, parsePayload } from '../src/queue/payloads.js';

const BATCH = 500;

/**
 * The open tasks that can be overdue or due soon on `day`: the open index is sorted by the
 * deadline as written, a lower bound of the effective one, so nothing due by then is missed.
 */
async function candidates(redis: RedisClient, openKey: string, ctx: JobContext, loaded: LoadedConfig, day: Day): Promise<Task[]> {
  const cal = loaded.calendar;
  let bound: number;
  try {
    bound = cal.add(day, loaded.config.policy.dueSoon + 1) + 1;
  } catch {
    bound = day + 2 * loaded.config.policy.dueSoon + 30;
  }
  const out: Task[] = [];
  for (let offset = 0; ; offset += BATCH) {
    const ids = await redis.zrangebyscore(openKey, '-inf', String(bound), 'LIMIT', offset, BATCH);
    const tasks = await Promise.all(ids.map((id) => ctx.store.get(id)));
    for (const t of tasks) if (t) out.push(t);
    if (ids.length < BATCH) return out;
  }
}

export function makeSendDigest(ctx: JobContext & { redis: RedisClient }) {
  return async (job: Job, token?: string): Promise<string> => {
    const data = parsePayload(digestPayload, job, ctx.logger);
    const loaded = ctx.config();
    const { calendar: cal, config } = loaded;
    const day = data.day !== undefined ? parseIsoDay(data.day) : cal.zone.dayOf(ctx.now());
    if (day === null) {
      ctx.logger.error({ jobId: job.id, day: data.day }, 'digest job for a day that does not exist: dropped');
      throw new UnrecoverableError(`digest: not a day: ${data.day}`);
    }
    const id = digestId(day);
    const log = ctx.logger.child({ jobId: job.id, taskId: DIGEST_LOG, kind: 'digest', day: formatIsoDay(day) });
    if (!config.policy.digest.enabled) return 'disabled';
    if (!cal.isWorkingDay(day)) {
      log.debug('not a working day: no digest');
      return 'day off';
    }
    const existing = await ctx.log.get(DIGEST_LOG, id);
    if (existing && (existing.state === 'sent' || existing.state === 'failed' || existing.state === 'skipped')) return 'done';
    // Released: its copies are fixed, and those not sent yet go out (the list is the one of that run).

    const tasks = await candidates(ctx.redis, ctx.store.keys.open, ctx, loaded, day);
    const n = planDigest(tasks, config.policy, cal, loaded.org, day);
    const scheduledAt = cal.nextOfficeInstant(cal.zone.instantAt(day, config.policy.digest.minute));
    const empty: RecordBase = { id, taskId: DIGEST_LOG, kind: 'digest', level: 0, to: [], cc: [], plannedAt: scheduledAt };
    if (!existing && (!n || n.state === 'backfilled')) {
      const reason = n ? `backfilled: ${n.reason}` : 'nothing overdue or due soon';
      await ctx.log.markSkipped(empty, reason, ctx.now());
      log.info({ reason }, 'no digest today');
      return 'empty';
    }
    if (!n) return 'done'; // released by a run that saw items; nothing to say today any more
    const rendered = renderNotification(ctx.templates(), n, viewContextOf(loaded));
    const o = await deliverCopies(ctx, {
      notification: { ...empty, to: n.to.map((x) => x.email), cc: n.cc.map((x) => x.email), plannedAt: n.scheduledAt, subject: rendered.subject },
      copies: copiesOf(n),
      build: (copy, messageId) =>
        copyMessage({ messageId, recipient: copy, rendered, identity: identityOf(loaded), notification: id, kind: 'digest', items: [`${id}_r${copy.key}`] }),
      job,
      token,
      log,
    });
    return settleJob(job, token, ctx.now(), o);
  };
}
