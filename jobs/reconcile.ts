// The periodic repair job (src/queue/reconcile.ts says what it repairs and why).
import type { Job } from 'bullmq';
import type { RedisClient } from '../src/store/redis.js';
import type { JobContext } from '../src/queue/job-context.js';
import { parsePayload, reconcilePayload } from '../src/queue/payloads.js';
import { type ReconcileResult, reconcile } from '../src/queue/reconcile.js';

export function makeReconcile(ctx: JobContext & { redis: RedisClient }) {
  return async (job: Job): Promise<ReconcileResult> => {
    parsePayload(reconcilePayload, job, ctx.logger);
    return reconcile({ ...ctx, logger: ctx.logger.child({ jobId: job.id, kind: 'reconcile' }) });
  };
}
