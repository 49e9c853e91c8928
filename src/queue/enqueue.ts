// Putting work into BullMQ, idempotently. A bundle job's id is the bundle's, so a second
// scheduler (or a re-plan) adding a copy to the same bundle finds the job and leaves it: it is
// promoted when due (BullMQ timers run on the wall clock; the injected clock may have jumped),
// left alone while it waits out a retry backoff; a job that fires before its bundle's send time
// (a later copy moved it) delays itself.
// Finished jobs are removed at once: the delivery log is the record, and a notification that
// must go out again (unmuted, retried by an operator) needs its id free.
import type { JobsOptions, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import { parseIsoDay } from '../core/day.js';
import { digestId } from '../core/notification.js';
import type { DeliveryLog } from '../store/delivery-log.js';
import { BACKOFF_TYPE } from './backoff.js';
import type { Enqueuer, EnsureOutcome } from './job-context.js';
import { ADMIN_LOG, JOBS, failureReportId } from './names.js';
import type { BundlePayload } from './payloads.js';

export interface EnqueuerDeps {
  notify: Queue;
  maintenance: Queue;
  log: DeliveryLog;
  config: () => LoadedConfig;
  logger: Logger;
  earlyMs: number;
}

/** Options of every job that sends mail: the retry budget of `delivery.retry`. */
export function sendJobOptions(loaded: LoadedConfig, jobId: string, delay = 0): JobsOptions {
  return {
    jobId,
    delay,
    attempts: loaded.config.delivery.retry.attempts,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

/** A job that moved on between our look and our change: that is fine, it is running. */
const quietly = async (op: Promise<unknown>): Promise<boolean> => {
  try {
    await op;
    return true;
  } catch {
    return false;
  }
};

export function makeEnqueuer(d: EnqueuerDeps): Enqueuer {
  const { notify, maintenance } = d;
  return {
    async bundle(id: string, fireAt: number, now: number): Promise<EnsureOutcome> {
      const data: BundlePayload = { bundle: id };
      const delay = Math.max(0, fireAt - now);
      const job = await notify.getJob(id);
      if (!job) {
        await notify.add(JOBS.bundle, data, sendJobOptions(d.config(), id, delay));
        return 'added';
      }
      const state = await job.getState();
      if (state === 'delayed') {
        // A retry waiting out its backoff keeps its time: the backoff is the point.
        if (job.attemptsMade > 0) return 'kept';
        // BullMQ's timers run on the wall clock; the injected one may have jumped past the send time.
        if (fireAt <= now + d.earlyMs) return (await quietly(job.promote())) ? 'promoted' : 'kept';
        return 'kept';
      }
      if (state === 'completed' || state === 'failed') {
        await quietly(job.remove());
        await notify.add(JOBS.bundle, data, sendJobOptions(d.config(), id, delay));
        return 'added';
      }
      return 'kept';
    },

    async digest(isoDay) {
      const day = parseIsoDay(isoDay);
      if (day === null) throw new Error(`digest: not a day: ${isoDay}`);
      await maintenance.add(JOBS.digest, { day: isoDay }, sendJobOptions(d.config(), digestId(day)));
    },

    async report(taskId, id) {
      if (taskId === ADMIN_LOG) {
        d.logger.error({ taskId, id }, 'a failure report to the admin could not be sent: it stays on the failed list (dondoc delivery list --failed)');
        return;
      }
      const admin = d.config().config.delivery.admin_email;
      if (!admin) {
        d.logger.error({ taskId, id }, 'delivery failed and delivery.admin_email is not set: nobody was told; it stays on the failed list (dondoc delivery list --failed)');
        return;
      }
      const rec = await d.log.get(taskId, id);
      // One report per failed mail: the items of a list share its job.
      await notify.add(JOBS.report, { taskId, id }, sendJobOptions(d.config(), failureReportId(rec?.mail ?? id, rec?.retries ?? 0)));
    },
  };
}
