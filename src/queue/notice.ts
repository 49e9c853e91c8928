// Enqueuing notices (src/core/notices.ts): a job on the notify queue whose id is the notice id
// (adding it twice is a no-op), delayed to the next office-hours instant — mail to people goes
// out inside office hours on working days only (DOMAIN.md "Time"). jobs/send-notice.ts sends it.
import type { Queue } from 'bullmq';
import { z } from 'zod';
import type { LoadedConfig } from '../config/load.js';
import { NOTICE_KINDS, type NoticeRequest } from '../core/notices.js';
import { sendJobOptions } from './enqueue.js';
import { JOBS } from './names.js';
import { sendPayload } from './payloads.js';

export type { NoticeKind, NoticeRequest } from '../core/notices.js';

export const noticePayload = z.strictObject({
  taskId: sendPayload.shape.taskId,
  id: sendPayload.shape.id,
  notice: z.enum(NOTICE_KINDS),
  occurrence: z.string().regex(/^[A-Za-z0-9-]{1,20}$/, { error: 'expected an occurrence like once or 2026-Q2' }),
  event: z.number().int(),
  requestId: z.string().regex(/^[a-z0-9]{1,40}$/, { error: 'expected a request id of a–z and 0–9' }).optional(),
}) satisfies z.ZodType<NoticeRequest>;

/** Adds the job (idempotent: the job id is the notice id), delayed to the next office-hours instant. */
export async function enqueueNotice(queue: Queue, loaded: LoadedConfig, req: NoticeRequest, now: number): Promise<void> {
  const data = noticePayload.parse(req);
  const delay = Math.max(0, loaded.calendar.nextOfficeInstant(now) - now);
  await queue.add(JOBS.notice, data, sendJobOptions(loaded, data.id, delay));
}
