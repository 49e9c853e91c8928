// Report routes of the API (viewer tokens may read; freezing needs admin, like every write):
//
//   GET  /api/reports?from=&to=&body=&format=json|csv|html|xlsx      200 | 400
//   POST /api/reports/freeze   {from, to, body?}  the snapshot of a closed period   201 | 200 | 400
//
// Mounted by buildApp() when it is given the Redis connection (deps.redis).
//
// The same report as `dondoc report`: a frozen period always comes from its snapshot. The
// answer says which in `X-Dondoc-Snapshot: none | used | created`; csv and xlsx come as
// attachments with a file name, html and json inline.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RedisClient } from '../store/redis.js';
import { z } from 'zod';
import type { Calendar } from '../core/calendar.js';
import type { OrgDirectory } from '../core/org.js';
import { dayString } from '../core/task-codec.js';
import { DondocError } from '../errors.js';
import { REPORT_FORMATS, renderReport } from '../report/render.js';
import { type ReportResult, makeReportService } from '../report/service.js';
import type { TaskStore } from '../store/task-store.js';
import { parseOr400 } from './requests.js';

export interface ReportRouteDeps {
  store: TaskStore;
  /** The store's connection: snapshots and delivery records. */
  redis: RedisClient;
  calendar: Calendar;
  org: OrgDirectory;
  now: () => number;
}

const range = {
  from: dayString,
  to: dayString,
  body: z.string().min(1).max(300).optional(),
};

const reportQuery = z.strictObject({
  ...range,
  format: z.enum(REPORT_FORMATS, { error: `expected one of ${REPORT_FORMATS.join(', ')}` }).default('json'),
});

const freezeBody = z.strictObject(range);

export function registerReportRoutes(app: FastifyInstance, deps: ReportRouteDeps): void {
  const service = makeReportService(deps);

  const checkRange = (from: number, to: number): void => {
    if (to < from) throw new DondocError('INPUT_REJECTED', 'to: before from', [{ path: 'to', message: 'must not be before from' }]);
  };

  const send = async (reply: FastifyReply, result: ReportResult, format: (typeof REPORT_FORMATS)[number], status = 200) => {
    const rendered = await renderReport(result.report, format);
    void reply.code(status).header('Content-Type', rendered.contentType).header('X-Dondoc-Snapshot', result.snapshot);
    if (format === 'csv' || format === 'xlsx') void reply.header('Content-Disposition', `attachment; filename="${rendered.fileName}"`);
    return reply.send(rendered.content);
  };

  app.get('/api/reports', async (req, reply) => {
    const q = parseOr400(reportQuery, req.query, 'query');
    checkRange(q.from, q.to);
    const body = q.body === undefined ? undefined : service.resolveBody(q.body);
    const result = await service.get({ from: q.from, to: q.to, ...(body ? { body } : {}) });
    return send(reply, result, q.format);
  });

  app.post('/api/reports/freeze', async (req, reply) => {
    const b = parseOr400(freezeBody, req.body, 'body');
    checkRange(b.from, b.to);
    const body = b.body === undefined ? undefined : service.resolveBody(b.body);
    const result = await service.get({ from: b.from, to: b.to, freeze: true, ...(body ? { body } : {}) });
    return send(reply, result, 'json', result.snapshot === 'created' ? 201 : 200);
  });
}
