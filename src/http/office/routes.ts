// The Provincial Office's web page (issue 6 item 4; 7176 §4: the Office follows up and urges
// every body), served by dondoc itself: plain server-rendered HTML, no script.
//
//   GET  /office/login               the login form                                  200
//   POST /office/login               token=…&next=… → session cookie, 303 to next    303 | 401 | 403
//   POST /office/logout              clears the cookie                               303
//   GET  /office?body=&leader=&doc=&status=   tasks by status, filters, chart        200 | 400 | 401
//   GET  /office/tasks/:id           the task's full timeline                        200 | 404 | 401
//   GET  /office/assets/office.css, /office/assets/icon.svg   (no login needed)          200
//
// Access: a session cookie from the login form, or `Authorization: Bearer <token>` (viewer or
// admin, DONDOC_API_TOKENS). Tokens never appear in URLs. Without either, pages answer 401
// with the login form. Every answer carries the security headers of security.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Calendar } from '../../core/calendar.js';
import { dayFromYmd, ymdFromDay } from '../../core/day.js';
import type { Policy } from '../../core/policy.js';
import { planNotifications } from '../../core/planner.js';
import type { OrgDirectory } from '../../core/org.js';
import { buildReport } from '../../core/report.js';
import { TASK_STATUSES, type TaskStatus, taskStatus } from '../../core/status.js';
import type { Task } from '../../core/task.js';
import { unaddressedTasks } from '../../core/unaddressed.js';
import { TASK_ID_RE } from '../../core/task-codec.js';
import type { ApiToken } from '../../config/env.js';
import { DondocError, isDondocError } from '../../errors.js';
import type { DeliveryRecord } from '../../store/delivery-log.js';
import type { TaskStore } from '../../store/task-store.js';
import { type Principal, makeAuthenticator } from '../auth.js';
import { OFFICE_CSS, OFFICE_ICON } from './assets.js';
import { chartBars, renderChart } from './chart.js';
import { matchesFilter, parseOfficeFilter } from './filters.js';
import { STATUS_ORDER, vnInstant } from './labels.js';
import { type ListRow, listPage } from './list-page.js';
import { loginPage, safeNext } from './login-page.js';
import { SESSION_COOKIE, type Sessions, clearedSessionCookie, findToken, makeSessions, readCookie, sessionCookie } from './session.js';
import type { SessionKeySource } from './session-key.js';
import { isCrossSiteRequest, isHttps, setSecurityHeaders } from './security.js';
import { errorPage, notFoundPage, taskPage } from './task-page.js';
import { type LooseEvent, buildTimeline } from './timeline.js';

export interface OfficeDeps {
  store: TaskStore;
  calendar: Calendar;
  org: OrgDirectory;
  tokens: readonly ApiToken[];
  now: () => number;
  /** The notification policy: the timeline shows what the planner has in store. */
  policy?: Policy;
  /** The delivery log of a task (sent, failed, skipped notifications). */
  deliveries?: (taskId: string) => Promise<readonly DeliveryRecord[]>;
  /** The key that signs sessions (session-key.ts). */
  sessionKey: SessionKeySource;
  sessionTtlMs?: number;
  /** Most rows on one page; default 500 (the count says how many more match). */
  maxRows?: number;
}

const HTML = 'text/html; charset=utf-8';
const STATUS_RANK = new Map<TaskStatus, number>(STATUS_ORDER.map((s, i) => [s, i]));

async function allTasks(store: TaskStore): Promise<Task[]> {
  const out: Task[] = [];
  for await (const ids of store.ids()) {
    const got = await Promise.all(ids.map((id) => store.get(id)));
    for (const t of got) if (t) out.push(t);
  }
  return out;
}

/** Most urgent first (overdue, due soon…), then by deadline, then id: the same order every time. */
function byUrgency(a: ListRow, b: ListRow): number {
  return (
    STATUS_RANK.get(a.status.status)! - STATUS_RANK.get(b.status.status)! ||
    (a.status.effectiveDay ?? Infinity) - (b.status.effectiveDay ?? Infinity) ||
    (a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0)
  );
}

export function registerOfficeRoutes(app: FastifyInstance, deps: OfficeDeps): void {
  const { store, calendar, org, now } = deps;
  const maxRows = deps.maxRows ?? 500;
  const bearer = makeAuthenticator(deps.tokens);
  const principals = new WeakMap<FastifyRequest, Principal>();
  let sessions: Promise<Sessions> | undefined;
  const getSessions = (): Promise<Sessions> => {
    sessions ??= deps.sessionKey().then(
      (key) => makeSessions({ key, tokens: deps.tokens, ...(deps.sessionTtlMs !== undefined ? { ttlMs: deps.sessionTtlMs } : {}) }),
      (e: unknown) => {
        sessions = undefined;
        throw new DondocError('REDIS_UNAVAILABLE', `cannot read the session key: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    return sessions;
  };
  const footer = (): string => `Số liệu tính đến ${vnInstant(calendar.zone, now())} (${calendar.zone.name}).`;
  const html = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type(HTML).send(body);

  void app.register(
    async (office) => {
      office.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });

      office.addHook('onSend', async (_req, reply, payload) => {
        setSecurityHeaders(reply);
        return payload;
      });

      office.addHook('onRequest', async (req) => {
        if ((req.routeOptions.config as { public?: boolean } | undefined)?.public) return;
        const auth = req.headers.authorization;
        if (auth !== undefined) {
          principals.set(req, bearer(auth));
          return;
        }
        const p = (await getSessions()).verify(readCookie(req.headers.cookie, SESSION_COOKIE), now());
        if (!p) throw new DondocError('UNAUTHORIZED', 'Vui lòng đăng nhập để xem trang này.');
        principals.set(req, p);
      });

      office.setErrorHandler((err: unknown, req, reply) => {
        const p = principals.get(req);
        if (isDondocError(err)) {
          if (err.code === 'UNAUTHORIZED') {
            void reply.header('WWW-Authenticate', 'Bearer realm="dondoc"');
            const asked = req.method === 'GET' ? req.url : undefined;
            const error = req.headers.authorization !== undefined ? 'Mã truy cập không đúng.' : undefined;
            return html(reply, loginPage({ ...(asked ? { next: asked } : {}), ...(error ? { error } : {}) }), 401);
          }
          if (err.httpStatus >= 500) req.log.warn({ err }, 'office page unavailable');
          const title = err.httpStatus === 503 ? 'Tạm thời không đọc được dữ liệu' : 'Không thực hiện được';
          return html(reply, errorPage(title, err.httpStatus === 503 ? 'Kho dữ liệu (Redis) đang không truy cập được; vui lòng thử lại sau ít phút.' : err.message, p), err.httpStatus);
        }
        const e = err as { statusCode?: number; message?: string };
        if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
          return html(reply, errorPage('Yêu cầu không hợp lệ', e.message ?? 'yêu cầu không hợp lệ', p), e.statusCode);
        }
        req.log.error({ err }, 'office page failed');
        return html(reply, errorPage('Lỗi hệ thống', 'Đã có lỗi khi tạo trang; chi tiết ở nhật ký máy chủ.', p), 500);
      });

      office.setNotFoundHandler((req, reply) => html(reply, notFoundPage('Không có trang này.', principals.get(req)), 404));

      office.get('/assets/office.css', { config: { public: true } }, async (_req, reply) =>
        reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=86400').send(OFFICE_CSS),
      );

      office.get('/assets/icon.svg', { config: { public: true } }, async (_req, reply) =>
        reply.type('image/svg+xml').header('Cache-Control', 'public, max-age=86400').send(OFFICE_ICON),
      );

      office.get('/login', { config: { public: true } }, async (req, reply) => {
        const q = req.query as { next?: unknown };
        return html(reply, loginPage({ next: safeNext(q.next) }));
      });

      office.post('/login', { config: { public: true } }, async (req, reply) => {
        if (isCrossSiteRequest(req)) return html(reply, errorPage('Không thực hiện được', 'Yêu cầu đăng nhập không đến từ trang này.'), 403);
        const b = (req.body ?? {}) as { token?: unknown; next?: unknown };
        const presented = typeof b.token === 'string' ? b.token.trim() : '';
        const token = presented && presented.length <= 200 ? findToken(deps.tokens, presented) : undefined;
        if (!token) return html(reply, loginPage({ next: safeNext(b.next), error: 'Mã truy cập không đúng.' }), 401);
        const s = await getSessions();
        const cookie = sessionCookie(s.issue(token, now()), { secure: isHttps(req), maxAgeSeconds: Math.floor(s.ttlMs / 1000) });
        req.log.info({ token: token.name }, 'office login');
        return reply.code(303).header('Set-Cookie', cookie).header('Location', safeNext(b.next)).send();
      });

      office.post('/logout', { config: { public: true } }, async (req, reply) => {
        if (isCrossSiteRequest(req)) return html(reply, errorPage('Không thực hiện được', 'Yêu cầu đăng xuất không đến từ trang này.'), 403);
        return reply.code(303).header('Set-Cookie', clearedSessionCookie(isHttps(req))).header('Location', '/office/login').send();
      });

      office.get('/', async (req, reply) => {
        const parsed = parseOfficeFilter(req.query, org);
        const t = now();
        const year = ymdFromDay(calendar.zone.dayOf(t)).year;
        const chartCaption = `Đúng hạn và quá hạn theo đơn vị chủ trì — năm ${year}`;
        const empty = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
        const principal = principals.get(req);
        const base = { parsed, org, chartCaption, footer: footer(), ...(principal ? { principal } : {}) };
        if (parsed.problems.length) {
          return html(reply, listPage({ ...base, rows: [], total: 0, counts: empty, chart: renderChart([], chartCaption), unaddressed: [] }), 400);
        }
        const dueSoon = deps.policy?.dueSoon;
        const matched: ListRow[] = (await allTasks(store))
          .filter((task) => matchesFilter(task, parsed.filter, org))
          .map((task) => ({ task, status: taskStatus(task, calendar, t, dueSoon) }));
        const counts = { ...empty };
        for (const r of matched) counts[r.status.status]++;
        const wanted = new Set(parsed.filter.status);
        const rows = (wanted.size ? matched.filter((r) => wanted.has(r.status.status)) : matched).sort(byUrgency);
        // The chart covers the tasks the filters select (a body: the tasks it leads), this year.
        const report = buildReport(
          matched.map((r) => ({ task: r.task })),
          calendar,
          org,
          { from: dayFromYmd(year, 1, 1), to: dayFromYmd(year, 12, 31), now: t, ...(parsed.filter.body ? { body: parsed.filter.body } : {}) },
        );
        const chart = renderChart(chartBars(report.bodies), chartCaption);
        // No task may remind nobody: those whose lead body cannot be reached today come first.
        const byId = new Map(matched.map((r) => [r.task.id, r.task]));
        const unaddressed = unaddressedTasks(byId.values(), org, calendar, t).map((u) => ({ task: byId.get(u.taskId)!, message: u.message }));
        return html(reply, listPage({ ...base, rows: rows.slice(0, maxRows), total: rows.length, counts, chart, unaddressed }));
      });

      office.get('/tasks/:id', async (req, reply) => {
        const { id } = req.params as { id: string };
        const principal = principals.get(req);
        const found = TASK_ID_RE.test(id) ? await store.getWithHistory(id) : null;
        if (!found) return html(reply, notFoundPage(`Không có nhiệm vụ mã "${id}".`, principal), 404);
        const t = now();
        const { task, history } = found;
        const deliveries = deps.deliveries ? await deps.deliveries(id) : undefined;
        let plan;
        let planNote: string | undefined;
        if (!deps.policy) planNote = 'Chưa nạp chính sách nhắc việc: lịch gửi thư dự kiến không hiển thị.';
        else {
          // The planner's history: notifications released (gone out), or sent/failed (as the engine reads it).
          const handled = new Set((deliveries ?? []).filter((r) => r.state === 'released' || r.state === 'sent' || r.state === 'failed').map((r) => r.id));
          try {
            plan = planNotifications(task, { has: (x) => handled.has(x) }, deps.policy, calendar, org, t);
          } catch (err) {
            req.log.warn({ err, taskId: id }, 'office: planning failed');
            planNote = 'Không tính được lịch gửi thư dự kiến cho nhiệm vụ này; chi tiết ở nhật ký máy chủ.';
          }
        }
        const timeline = buildTimeline({
          task,
          history: history as unknown as LooseEvent[],
          ...(plan ? { plan } : {}),
          ...(deliveries ? { deliveries } : {}),
          calendar,
          org,
          now: t,
        });
        const status = taskStatus(task, calendar, t, deps.policy?.dueSoon);
        return html(reply, taskPage({ task, status, timeline, org, zone: calendar.zone, now: t, footer: footer(), ...(planNote ? { planNote } : {}), ...(principal ? { principal } : {}) }));
      });
    },
    { prefix: '/office' },
  );
}
