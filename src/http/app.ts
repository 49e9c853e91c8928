// The HTTP API (fastify). buildApp() wires routes to the task service and never listens or
// connects: tests drive it with app.inject(), server.ts listens.
//
//   GET  /api/health                 Redis and SMTP reachability, config hash   200 | 503 (no token)
//   GET  /metrics                    Prometheus metrics, when deps.metrics      200       (no token)
//   POST /api/tasks                  create a task (task JSON)                  201 | 400 | 409
//   GET  /api/tasks?status=&body=&due_before=&limit=&cursor=                    200
//   GET  /api/tasks/:id              task, status, occurrences, history,        200 | 404
//                                    deliveries (when deps.deliveries)
//   PUT  /api/tasks/:id              replace the assignment fields (If-Match)   200 | 404 | 412
//   POST /api/tasks/:id/complete     {completed_at | completed_on, note?, document?, occurrence?}
//   POST /api/tasks/:id/extend       {deadline, document, approved_by, occurrence?}
//   POST /api/tasks/:id/cancel       {reason, occurrence?}
//   GET  /api/reports?from=&to=&body=&format=, POST /api/reports/freeze   (reports.ts; with deps.redis)
//   POST /api/tasks/:id/confirm-completion | reject-completion, /extension-requests/:rid/approve | reject
//                                    replies decided through the API (replies-api.ts; with deps.replies)
//   GET  /api/deliveries?state=failed&cursor= | ?task=ID   the delivery log, admin only (deliveries-api.ts; with deps.redis)
//   GET|POST /r/:token               the pages the signed reply links open (pages/routes.ts; no token)
//   GET  /office, /office/tasks/:id  the Provincial Office's page (office/routes.ts: its own
//                                    login and session cookie, or a bearer token; HTML)
//
// Every answer about one task carries `ETag: "<revision>"`; writes honour `If-Match` (412 on a
// stale revision). Errors: `{ error: { code, message, problems: [{ path, message }] } }`, the
// status from the error catalogue (src/errors.ts); 503 when Redis is down.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Calendar } from '../core/calendar.js';
import type { OrgDirectory } from '../core/org.js';
import { parseInstant } from '../core/zone.js';
import type { ApiToken } from '../config/env.js';
import { DondocError, type ErrorCode, type Problem, isDondocError } from '../errors.js';
import { makeTaskService } from '../store/task-service.js';
import type { ApplyResult, TaskStore } from '../store/task-store.js';
import type { DeliveryRecord } from '../store/delivery-log.js';
import { type Principal, authorize, makeAuthenticator } from './auth.js';
import { registerDeliveriesApi } from './deliveries-api.js';
import { deliveryView } from './delivery-view.js';
import { type Metrics, registerMetricsRoute } from './metrics.js';
import { type ReportRouteDeps, registerReportRoutes } from './reports.js';
import { registerOfficeRoutes } from './office/routes.js';
import { setSecurityHeaders } from './office/security.js';
import { type SessionKeySource, processSessionKey, sessionKeyFromRedis } from './office/session-key.js';
import type { Policy } from '../core/policy.js';
import type { BasisLetter } from '../core/basis.js';
import { makeDeliveryLog } from '../store/delivery-log.js';
import { type LinksConfig, linkSettings } from '../config/sections/links.js';
import type { NoticeRequest } from '../core/notices.js';
import { makeLinkNonces } from '../store/link-nonces.js';
import { makeReplyService } from '../store/reply-service.js';
import { registerReplyPages } from './pages/routes.js';
import { registerReplyApi } from './replies-api.js';
import { cancelBody, completeBody, extendBody, idParam, listQuery, parseIfMatch, parseOr400, taskBody } from './requests.js';
import { listItemView, taskView } from './task-view.js';

export interface AppDeps {
  store: TaskStore;
  calendar: Calendar;
  org: OrgDirectory;
  tokens: readonly ApiToken[];
  /** The clock: epoch ms. */
  now: () => number;
  /** Largest request body in bytes (DONDOC_HTTP_BODY_LIMIT); default 1 MiB. */
  bodyLimit?: number;
  logger?: FastifyBaseLogger;
  /** The store's Redis connection; mounts the report routes (reports.ts: snapshots, escalation counts). */
  redis?: ReportRouteDeps['redis'];
  /** Mounts GET /metrics. */
  metrics?: Metrics;
  /** What /api/health reports beyond Redis: the mail server (verify(), short timeout) and the config hash. */
  health?: HealthDeps;
  /** The delivery log of a task, shown as `deliveries` by GET /api/tasks/:id. */
  deliveries?: (taskId: string) => Promise<readonly DeliveryRecord[]>;
  /** The office page (/office): the policy its timelines plan with, and its session settings. */
  office?: OfficeOptions;
  /** Replies (issue 6): the API routes; the /r/ link pages too when links are on and deps.redis is given. */
  replies?: ReplyOptions;
}

export interface ReplyOptions {
  /** The config's `links` section (secrets resolved). */
  links: LinksConfig;
  /** Enqueues the notice a reply triggers (engine.notice); absent: replies send no mail. */
  notice?: (req: NoticeRequest) => Promise<void>;
  /** policy.basis: the letter the pages refer to, the one in force on the day. */
  basis?: readonly BasisLetter[];
}

export interface OfficeOptions {
  /** Without it the task timeline shows no planned notifications. */
  policy?: Policy;
  /** Default: a key kept in Redis (deps.redis), else one random per process. */
  sessionKey?: SessionKeySource;
  sessionTtlMs?: number;
}

export interface HealthDeps {
  mailer?: { kind: 'smtp' | 'outbox'; verify(): Promise<void> };
  /** The config in force (it changes on reload). */
  configHash?: () => string;
  /** How long verify() may take before SMTP counts as down; default 3 s. */
  smtpTimeoutMs?: number;
  /** A verify() result is reused this long, so probes do not open an SMTP session each; default 15 s. */
  smtpCacheMs?: number;
}

/** HTTP-level failures that are not dondoc errors (bad JSON, too large, no route). */
type HttpCode = ErrorCode;

function sendError(reply: FastifyReply, status: number, code: HttpCode, message: string, problems: readonly Problem[] = []): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: { code, message, problems } });
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const { store, calendar, org, now } = deps;
  const app = Fastify({
    bodyLimit: deps.bodyLimit ?? 1 << 20,
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // Ids are case-sensitive [a-z0-9-]; no trailing-slash games. Task ids run to 120
    // characters (task-codec.ts), past fastify's default limit of 100 for a path parameter.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 128 },
    // The router's own refusals (a bad %-escape, an over-long parameter) in the same error
    // shape as every other answer, and with the security headers on the pages' addresses.
    frameworkErrors: (err, req, reply) => {
      if (/^\/(?:office|r)(?:[/?]|$)/.test(req.url)) setSecurityHeaders(reply);
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendError(reply, 414, 'INPUT_REJECTED', 'a part of the address is too long');
      if (err.code === 'FST_ERR_BAD_URL') return sendError(reply, 400, 'INPUT_REJECTED', 'the address is not valid (a malformed %-escape)');
      return sendError(reply, 500, 'INTERNAL', 'internal error; see the server log');
    },
  });
  // The API reads JSON only: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  const service = makeTaskService({ store, calendar, org, now });
  const authenticate = makeAuthenticator(deps.tokens);
  const principals = new WeakMap<FastifyRequest, Principal>();

  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.url === '/api/health' || (deps.metrics && req.routeOptions.url === '/metrics')) return;
    // The office page checks its own session cookie or bearer token (office/routes.ts); the
    // reply pages (/r/…) are opened by their signed link (pages/routes.ts).
    if (/^\/(?:office|r)(?:[/?]|$)/.test(req.url)) return;
    const p = authenticate(req.headers.authorization);
    authorize(p, req.method !== 'GET' && req.method !== 'HEAD');
    principals.set(req, p);
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    if (isDondocError(err)) {
      if (err.code === 'UNAUTHORIZED') void reply.header('WWW-Authenticate', 'Bearer realm="dondoc"');
      return sendError(reply, err.httpStatus, err.code, err.message, err.problems);
    }
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, 'PAYLOAD_TOO_LARGE', `request body larger than ${deps.bodyLimit ?? 1 << 20} bytes (DONDOC_HTTP_BODY_LIMIT)`);
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send JSON with Content-Type: application/json');
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return sendError(reply, e.statusCode, 'INPUT_REJECTED', e.message ?? 'bad request', [{ path: 'body', message: e.message ?? 'bad request' }]);
    }
    req.log.error({ err }, 'unexpected error');
    return sendError(reply, 500, 'INTERNAL', 'internal error; see the server log');
  });

  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));

  const by = (req: FastifyRequest): string => `api:${principals.get(req)?.name ?? '?'}`;
  const idOf = (req: FastifyRequest): string => parseOr400(idParam, req.params, 'path').id;
  const rev = (req: FastifyRequest) => {
    const r = parseIfMatch(req.headers['if-match']);
    return r === undefined ? {} : { expectedRevision: r };
  };
  const respond = async (reply: FastifyReply, r: ApplyResult, status = 200) => {
    const history = await store.history(r.task.id);
    void reply.code(status).header('ETag', `"${r.task.revision}"`);
    return taskView({ task: r.task, status: store.statusOf(r.task), history }, calendar, now());
  };

  const smtpState = makeSmtpProbe(deps.health);
  app.get('/api/health', async (_req, reply) => {
    const [redis, smtp] = await Promise.all([
      store.ping().then(
        () => null,
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      ),
      smtpState(),
    ]);
    const extra = {
      ...(smtp !== undefined ? { smtp } : {}),
      ...(deps.health?.configHash ? { config: deps.health.configHash() } : {}),
    };
    if (redis === null) return { status: 'ok', redis: 'ok', ...extra };
    return reply.code(503).send({ status: 'unavailable', redis: 'down', ...extra, error: { code: 'REDIS_UNAVAILABLE', message: redis, problems: [] } });
  });
  if (deps.metrics) registerMetricsRoute(app, deps.metrics);

  app.post('/api/tasks', async (req, reply) => {
    const input = parseOr400(taskBody, req.body, 'body');
    const r = await service.create(input, by(req));
    void reply.header('Location', `/api/tasks/${r.task.id}`);
    return respond(reply, r, 201);
  });

  app.get('/api/tasks', async (req) => {
    const q = parseOr400(listQuery, req.query, 'query');
    const body = q.body !== undefined ? service.resolveBodyCode(q.body) : undefined;
    const res = await store.list({
      ...(q.status ? { status: q.status } : {}),
      ...(body ? { body } : {}),
      ...(q.due_before !== undefined ? { dueBefore: q.due_before } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
    });
    return { items: res.items.map((i) => listItemView(i, calendar.zone)), next_cursor: res.nextCursor };
  });

  app.get('/api/tasks/:id', async (req, reply) => {
    const id = idOf(req);
    const found = await store.getWithHistory(id);
    if (!found) throw new DondocError('TASK_NOT_FOUND', `no task with id ${id}`);
    void reply.header('ETag', `"${found.task.revision}"`);
    const view = taskView({ task: found.task, status: store.statusOf(found.task), history: found.history }, calendar, now());
    if (!deps.deliveries) return view;
    return { ...view, deliveries: (await deps.deliveries(id)).map((r) => deliveryView(r, calendar.zone)) };
  });

  app.put('/api/tasks/:id', async (req, reply) => {
    const id = idOf(req);
    const input = parseOr400(taskBody, req.body, 'body');
    return respond(reply, await service.replace(id, input, by(req), rev(req)));
  });

  app.post('/api/tasks/:id/complete', async (req, reply) => {
    const id = idOf(req);
    const b = parseOr400(completeBody, req.body, 'body');
    let completedAt: number | undefined;
    if (b.completed_at !== undefined) {
      const t = parseInstant(b.completed_at, calendar.zone.name);
      if (t === null) throw new DondocError('INPUT_REJECTED', `completed_at: not a real date-time: ${b.completed_at}`, [{ path: 'completed_at', message: 'not a real date-time' }]);
      completedAt = t;
    }
    const r = await service.complete(
      id,
      {
        ...(completedAt !== undefined ? { completedAt } : {}),
        ...(b.completed_on !== undefined ? { completedOn: b.completed_on } : {}),
        ...(b.note ? { note: b.note } : {}),
        ...(b.document ? { document: b.document } : {}),
        ...(b.occurrence ? { occurrence: b.occurrence } : {}),
      },
      by(req),
      rev(req),
    );
    return respond(reply, r);
  });

  app.post('/api/tasks/:id/extend', async (req, reply) => {
    const id = idOf(req);
    const b = parseOr400(extendBody, req.body, 'body');
    const r = await service.extend(id, { deadline: b.deadline, document: b.document, approvedBy: b.approved_by, ...(b.occurrence ? { occurrence: b.occurrence } : {}) }, by(req), rev(req));
    return respond(reply, r);
  });

  app.post('/api/tasks/:id/cancel', async (req, reply) => {
    const id = idOf(req);
    const b = parseOr400(cancelBody, req.body, 'body');
    return respond(reply, await service.cancel(id, { reason: b.reason, ...(b.occurrence ? { occurrence: b.occurrence } : {}) }, by(req), rev(req)));
  });

  if (deps.replies) {
    const settings = linkSettings(deps.replies.links);
    const replies = makeReplyService({
      store,
      calendar,
      org,
      now,
      autoConfirmCompletion: deps.replies.links.auto_confirm_completion,
      ...(deps.replies.notice ? { notice: deps.replies.notice } : {}),
      log: app.log,
    });
    registerReplyApi(app, { service: replies, by, respond });
    if (settings && deps.redis) {
      registerReplyPages(app, { store, calendar, org, now, settings, nonces: makeLinkNonces(deps.redis, store.keys.prefix), service: replies, ...(deps.replies.basis ? { basis: deps.replies.basis } : {}) });
    }
  }

  // Reports need the connection: a frozen period must come from its snapshot, never recomputed.
  if (deps.redis) registerReportRoutes(app, { store, calendar, org, now, redis: deps.redis });

  const deliveryLog = deps.redis ? makeDeliveryLog(deps.redis, store.keys.prefix) : undefined;
  if (deliveryLog) registerDeliveriesApi(app, { log: deliveryLog, zone: calendar.zone, principal: (req) => principals.get(req) });
  const officeDeliveries = deps.deliveries ?? deliveryLog?.forTask;
  registerOfficeRoutes(app, {
    store,
    calendar,
    org,
    tokens: deps.tokens,
    now,
    sessionKey: deps.office?.sessionKey ?? (deps.redis ? sessionKeyFromRedis(deps.redis, store.keys.prefix) : processSessionKey()),
    ...(deps.office?.policy ? { policy: deps.office.policy } : {}),
    ...(deps.office?.sessionTtlMs !== undefined ? { sessionTtlMs: deps.office.sessionTtlMs } : {}),
    ...(officeDeliveries ? { deliveries: officeDeliveries } : {}),
  });

  return app;
}

/** SMTP for /api/health: 'outbox' without a server; 'ok'/'down' from verify(), bounded and cached. */
function makeSmtpProbe(h: HealthDeps | undefined): () => Promise<'ok' | 'down' | 'outbox' | undefined> {
  const mailer = h?.mailer;
  if (!mailer) return async () => undefined;
  if (mailer.kind === 'outbox') return async () => 'outbox';
  const timeoutMs = h.smtpTimeoutMs ?? 3000;
  const cacheMs = h.smtpCacheMs ?? 15_000;
  let last: { at: number; state: 'ok' | 'down' } | undefined;
  let pending: Promise<'ok' | 'down'> | undefined;
  return async () => {
    // Wall-clock time on purpose: the cache is about this process, not the (injectable) task clock.
    if (last && performance.now() - last.at < cacheMs) return last.state;
    pending ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const state = await Promise.race([
        mailer.verify().then(() => 'ok' as const, () => 'down' as const),
        new Promise<'down'>((resolve) => (timer = setTimeout(() => resolve('down'), timeoutMs))),
      ]);
      clearTimeout(timer);
      last = { at: performance.now(), state };
      pending = undefined;
      return state;
    })();
    return pending;
  };
}
