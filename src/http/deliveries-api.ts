// The delivery log over the API, for an admin (records name recipients' addresses, so a viewer
// token is not enough):
//
//   GET /api/deliveries?state=failed&limit=&cursor=    failed copies, newest first, a page at a time   200 | 400 | 403
//   GET /api/deliveries?task=ID&limit=                  one task's copies (every state)                 200 | 400 | 403
//
// Answer: { items: [delivery…], more: N, cursor? } — `cursor` fetches the next page of failures.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Zone } from '../core/zone.js';
import { DondocError } from '../errors.js';
import type { DeliveryLog } from '../store/delivery-log.js';
import { type Principal, authorize } from './auth.js';
import { deliveryView } from './delivery-view.js';
import { parseOr400 } from './requests.js';

const query = z
  .strictObject({
    state: z.literal('failed', { error: 'expected state=failed' }).optional(),
    task: z.string().regex(/^(_[a-z]+|[a-z0-9][a-z0-9-]{0,199})$/, { error: 'expected a task id' }).optional(),
    limit: z.coerce.number({ error: 'expected a number from 1 to 1000' }).int().min(1).max(1000).default(100),
    cursor: z.string().regex(/^[A-Za-z0-9_-]{1,2000}$/, { error: 'expected the cursor of the previous page' }).optional(),
  })
  .refine((q) => q.state !== undefined || q.task !== undefined, { error: 'give state=failed or task=ID' });

export interface DeliveriesApiDeps {
  log: DeliveryLog;
  zone: Zone;
  principal: (req: FastifyRequest) => Principal | undefined;
}

export function registerDeliveriesApi(app: FastifyInstance, d: DeliveriesApiDeps): void {
  app.get('/api/deliveries', async (req) => {
    const p = d.principal(req);
    if (!p) throw new DondocError('UNAUTHORIZED', 'a bearer token is needed');
    // Reading who was written to is an admin's business, like a write.
    authorize(p, true);
    const q = parseOr400(query, req.query, 'query');
    const page = await d.log.list({ ...(q.state ? { failed: true } : {}), ...(q.task ? { taskId: q.task } : {}), limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) });
    return { items: page.records.map((r) => deliveryView(r, d.zone)), more: page.more, ...(page.cursor ? { cursor: page.cursor } : {}) };
  });
}
