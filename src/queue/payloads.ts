// Job payloads: `unknown` until parsed here (STYLE.md: a job may have been written by another
// version of dondoc, by hand, or be garbage). A payload that does not parse is an
// UnrecoverableError — retrying cannot fix it — and a log line naming the job and the problem;
// the worker goes on with the next job.
import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ADMIN_LOG, DIGEST_LOG, REPORTS_LOG, isJobId } from './names.js';

const TASK_ID = /^[a-z0-9][a-z0-9-]{0,199}$/;
const taskId = z.string().regex(TASK_ID, { error: 'expected a task id of a–z, 0–9 and "-"' });
/** A planner id ([A-Za-z0-9_-]), also a valid BullMQ job id. */
const notificationId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,300}$/, { error: 'expected a notification id of letters, digits, "_" and "-"' })
  .refine(isJobId, { error: 'a notification id may not be all digits' });
const logId = z.union([taskId, z.literal(DIGEST_LOG), z.literal(ADMIN_LOG), z.literal(REPORTS_LOG)]);
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a day YYYY-MM-DD' });

/** A task notification job of an earlier version (one job per notification): handed back to the scheduler. */
export const sendPayload = z.strictObject({
  taskId,
  id: notificationId,
  kind: z.enum(['reminder', 'coordinator_reminder', 'escalation']),
  level: z.number().int().min(0).max(9),
  /** The instant it was enqueued for (injected clock, ms). */
  at: z.number().int(),
});
export type SendPayload = z.output<typeof sendPayload>;

/** A bundle to send at its time (jobs/send-bundle.ts): its id says whose, what kind and which window. */
export const bundlePayload = z.strictObject({
  bundle: z.string().regex(/^b-[A-Za-z0-9_-]{1,300}$/, { error: 'expected a bundle id like b-esc-20220715-r0a1b2c3d4e5f' }),
});
export type BundlePayload = z.output<typeof bundlePayload>;

/** Tell the admin about the failed delivery of this record (and the mail it went in). */
export const reportPayload = z.strictObject({ taskId: logId, id: notificationId });
export type ReportPayload = z.output<typeof reportPayload>;

/** The Provincial Office's digest of `day` (absent: today, for the job scheduler's runs). */
export const digestPayload = z.strictObject({ day: isoDay.optional() });
export type DigestPayload = z.output<typeof digestPayload>;

export const reconcilePayload = z.strictObject({});

/** A pass of jobs/accountability.ts (it looks at the clock and the delivery log, not the payload). */
export const accountabilityPayload = z.strictObject({});

/** Parses a job's data, or throws UnrecoverableError after logging what is wrong with it. */
export function parsePayload<S extends z.ZodType>(schema: S, job: { id?: string | undefined; name: string; data: unknown }, logger: Logger): z.output<S> {
  const r = schema.safeParse(job.data);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`);
  logger.error({ jobId: job.id, job: job.name, problems }, 'bad job payload: dropped without retry');
  throw new UnrecoverableError(`bad ${job.name} payload: ${problems.join('; ')}`);
}
