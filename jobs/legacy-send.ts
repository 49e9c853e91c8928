// A send job left in the queue by an earlier version of dondoc, which gave each notification
// its own job and mail. Its notification is still in the plan, so this only asks the scheduler
// to look at the task now: the copies go out in bundles (jobs/send-bundle.ts), once each.
import type { Job } from 'bullmq';
import type { JobContext } from '../src/queue/job-context.js';
import { parsePayload, sendPayload } from '../src/queue/payloads.js';

export function makeLegacySend(ctx: JobContext) {
  return async (job: Job): Promise<string> => {
    const data = parsePayload(sendPayload, job, ctx.logger);
    await ctx.schedule.touch([data.taskId], ctx.now());
    ctx.logger.info({ jobId: job.id, taskId: data.taskId }, 'a send job of an earlier version: handed to the scheduler');
    return 'replanned';
  };
}
