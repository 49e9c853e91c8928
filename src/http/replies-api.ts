// The API side of the replies (issue 6), for an admin acting for the Provincial Office or the
// leader in charge (bearer token, admin role, like every write):
//
//   POST /api/tasks/:id/confirm-completion                       {occurrence?}            200 | 404 | 409
//   POST /api/tasks/:id/reject-completion                        {reason, occurrence?}    200 | 400 | 404 | 409
//   POST /api/tasks/:id/extension-requests/:rid/approve          {deadline?, document?}   200 | 400 | 404 | 409
//   POST /api/tasks/:id/extension-requests/:rid/reject           {reason}                 200 | 400 | 404 | 409
//
// The same operations as the link pages (src/store/reply-service.ts): history events with
// `by: "api:<token name>"`, the same notices. Answers are the task view, as for /complete.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { deadlineString, nfcLongText, nfcText } from '../core/task-codec.js';
import type { ReplyService } from '../store/reply-service.js';
import type { ApplyResult } from '../store/task-store.js';
import { idParam, parseOr400 } from './requests.js';

const occurrence = z.string().regex(/^(once|\d{4}(-Q[1-4]|-\d{2})?)$/, { error: 'expected an occurrence like once, 2026, 2026-Q2 or 2026-06' });
const confirmBody = z.strictObject({ occurrence: occurrence.optional() });
const rejectBody = z.strictObject({ reason: nfcLongText, occurrence: occurrence.optional() });
const approveBody = z.strictObject({ deadline: deadlineString.optional(), document: nfcText(300).optional() });
const rejectRequestBody = z.strictObject({ reason: nfcLongText });
const requestParams = idParam.extend({ rid: z.string().regex(/^[a-z0-9]{1,40}$/, { error: 'expected an extension request id (a–z, 0–9)' }) });

export interface ReplyApiDeps {
  service: ReplyService;
  /** "api:<token name>" of the request. */
  by: (req: FastifyRequest) => string;
  respond: (reply: FastifyReply, r: ApplyResult) => Promise<unknown>;
}

export function registerReplyApi(app: FastifyInstance, d: ReplyApiDeps): void {
  app.post('/api/tasks/:id/confirm-completion', async (req, reply) => {
    const { id } = parseOr400(idParam, req.params, 'path');
    const b = parseOr400(confirmBody, req.body, 'body');
    return d.respond(reply, await d.service.confirmCompletion(id, { ...(b.occurrence ? { occurrence: b.occurrence } : {}) }, { by: d.by(req) }));
  });

  app.post('/api/tasks/:id/reject-completion', async (req, reply) => {
    const { id } = parseOr400(idParam, req.params, 'path');
    const b = parseOr400(rejectBody, req.body, 'body');
    return d.respond(reply, await d.service.rejectCompletion(id, { reason: b.reason, ...(b.occurrence ? { occurrence: b.occurrence } : {}) }, { by: d.by(req) }));
  });

  app.post('/api/tasks/:id/extension-requests/:rid/approve', async (req, reply) => {
    const { id, rid } = parseOr400(requestParams, req.params, 'path');
    const b = parseOr400(approveBody, req.body, 'body');
    return d.respond(reply, await d.service.approveExtension(id, rid, { ...(b.deadline ? { deadline: b.deadline } : {}), ...(b.document ? { document: b.document } : {}) }, { by: d.by(req) }));
  });

  app.post('/api/tasks/:id/extension-requests/:rid/reject', async (req, reply) => {
    const { id, rid } = parseOr400(requestParams, req.params, 'path');
    const b = parseOr400(rejectRequestBody, req.body, 'body');
    return d.respond(reply, await d.service.rejectExtension(id, rid, { reason: b.reason }, { by: d.by(req) }));
  });
}
