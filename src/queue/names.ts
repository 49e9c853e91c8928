// BullMQ names: the two queues, the job names in each, and the job ids. Job ids are the
// notification ids (docs/DELIVERY.md: enqueuing twice is a no-op), which BullMQ accepts only
// without ":" and not all digits — the planner's ids are [A-Za-z0-9_-] with a letter in them.
export const QUEUES = {
  /** Sends: task notifications and failure reports. */
  notify: 'notify',
  /** Daily digest and reconcile, run by job schedulers. */
  maintenance: 'maintenance',
} as const;

export const JOBS = {
  send: 'send',
  report: 'report-failure',
  digest: 'digest',
  reconcile: 'reconcile',
} as const;

/** Job scheduler ids (upsertJobScheduler) in the maintenance queue. */
export const SCHEDULERS = { digest: 'daily-digest', reconcile: 'reconcile' } as const;

/** Pseudo task ids under which non-task mail is logged. */
export const DIGEST_LOG = '_digest';
export const ADMIN_LOG = '_admin';

/** BullMQ's key prefix for dondoc's queues: `${DONDOC_KEY_PREFIX}:bull`. */
export const bullPrefix = (prefix: string): string => `${prefix}:bull`;

/** A job id BullMQ accepts: no ":" (its key separator), not all digits (its own counter ids). */
export function isJobId(id: string): boolean {
  return id.length > 0 && id.length <= 400 && !id.includes(':') && !/^\d+$/.test(id);
}

/**
 * The id of the failure report about a notification (its own delivery record under _admin, so
 * it is sent once). After an operator's retry failed again, the next report is a new message.
 */
export const failureReportId = (id: string, retries = 0): string => (retries > 0 ? `failure-${id}-r${retries}` : `failure-${id}`);
