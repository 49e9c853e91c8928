// BullMQ names: the two queues, the job names in each, and the job ids. Job ids are the bundle,
// notice, digest or report ids (docs/DELIVERY.md: enqueuing twice is a no-op), which BullMQ
// accepts only without ":" and not all digits — they are [A-Za-z0-9_-] with a letter in them.
export const QUEUES = {
  /** Sends: task notifications and failure reports. */
  notify: 'notify',
  /** Daily digest and reconcile, run by job schedulers. */
  maintenance: 'maintenance',
} as const;

export const JOBS = {
  /** One person's reminders or escalations of a send window (jobs/send-bundle.ts). */
  bundle: 'bundle',
  /** An earlier version's one-job-per-notification send: only re-planned now. */
  send: 'send',
  report: 'report-failure',
  /** A mail a reply link triggered (src/queue/notice.ts). */
  notice: 'notice',
  digest: 'digest',
  reconcile: 'reconcile',
  /** The weekly summary and repeat-lateness notices (jobs/accountability.ts). */
  accountability: 'accountability',
} as const;

/** Job scheduler ids (upsertJobScheduler) in the maintenance queue. */
export const SCHEDULERS = { digest: 'daily-digest', reconcile: 'reconcile', accountability: 'accountability' } as const;

/** Pseudo task ids under which non-task mail is logged. */
export const DIGEST_LOG = '_digest';
export const ADMIN_LOG = '_admin';
/** The weekly summary and repeat-lateness notices (issue 6). */
export const REPORTS_LOG = '_reports';

/**
 * BullMQ's key prefix for dondoc's queues: `${DONDOC_KEY_PREFIX}:bull`. On a Redis Cluster it is
 * hash-tagged, `{${DONDOC_KEY_PREFIX}}:bull`: BullMQ's scripts touch several keys of a queue at
 * once, which a cluster allows only within one hash slot (BullMQ docs, "Redis Cluster").
 */
export const bullPrefix = (prefix: string, cluster = false): string => (cluster ? `{${prefix}}:bull` : `${prefix}:bull`);

/** A job id BullMQ accepts: no ":" (its key separator), not all digits (its own counter ids). */
export function isJobId(id: string): boolean {
  return id.length > 0 && id.length <= 400 && !id.includes(':') && !/^\d+$/.test(id);
}

/**
 * The id of the failure report about a notification (its own delivery record under _admin, so
 * it is sent once). After an operator's retry failed again, the next report is a new message.
 */
export const failureReportId = (id: string, retries = 0): string => (retries > 0 ? `failure-${id}-r${retries}` : `failure-${id}`);
