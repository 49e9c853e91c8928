// The Provincial Office's page (/office) through app.inject() against a private Redis, with the
// tasks of letter 1510/UBND-TH imported from the clerk's xlsx and what happened to them
// (completions, an extension), seen on 28/12/2022: access (login form → signed HttpOnly
// cookie, or a bearer token; nothing else), security headers on every answer, the filters,
// escaping of task text, a task's full timeline and the on-time/late chart against hand counts.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { type LoadedConfig, loadConfig } from '../../src/config/load.js';
import { planNotifications } from '../../src/core/planner.js';
import { parseInstant } from '../../src/core/zone.js';
import { type AppDeps, buildApp } from '../../src/http/app.js';
import { makeDeliveryLog } from '../../src/store/delivery-log.js';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { type TaskStore, makeTaskStore } from '../../src/store/task-store.js';
import { ROOT, runCliCaptured } from '../support/cli.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';

const at = (iso: string): number => parseInstant(iso, 'Asia/Ho_Chi_Minh')!;
const ADMIN = 'admin-token-3f9c1e7a5b2d4c6e8f0a';
const VIEWER = 'viewer-token-7d1e3c5a9b2f4e6d8c0b';
const hex = (s: string): string => createHash('sha256').update(s).digest('hex');
const CONFIG = path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml');
const TOKENS = `ops:admin:${ADMIN},board:viewer:sha256:${hex(VIEWER)}`;
const T = (item: string): string => `1510-ubnd-th-20220416-${item}`;
const XSS_TITLE = '<script>alert("xss")</script> Báo cáo & "kiểm tra" <b>đậm</b>';
const NONCOOP_REASON = 'Chưa gửi số liệu <img src=x onerror=alert(1)>';

let server: PrivateRedis;
let redis: RedisClient;
let cfg: LoadedConfig;
let store: TaskStore;
let app: FastifyInstance;
const prefix = randomPrefix('office');
let clock = at('2022-04-20T09:00');
let xssId = '';

const appWith = (over: Partial<AppDeps> = {}): FastifyInstance =>
  buildApp({ store, redis, calendar: cfg.calendar, org: cfg.org, tokens: parseEnv({ DONDOC_API_TOKENS: TOKENS }).apiTokens, now: () => clock, office: { policy: cfg.config.policy }, ...over });

beforeAll(async () => {
  server = await startRedis();
  const env = { REDIS_URL: server.url, DONDOC_KEY_PREFIX: prefix, DONDOC_CONFIG: CONFIG };
  // The register as the clerk imported it in April, and what happened to the tasks by December.
  expect((await runCliCaptured(['import', path.join(ROOT, 'tests/fixtures/1510-UBND-TH.xlsx')], { env, now: () => clock })).code).toBe(0);
  clock = at('2022-12-28T09:00');
  expect((await runCliCaptured(['import', path.join(ROOT, 'tests/fixtures/1510-UBND-TH-events.yaml')], { env, now: () => clock })).code).toBe(0);
  redis = await connectRedis(server.url, { role: 'service', timeoutMs: 500 });
  cfg = loadConfig({ file: CONFIG });
  store = makeTaskStore({ redis, url: server.url, prefix, calendar: cfg.calendar, now: () => clock });
  app = appWith();
  await app.ready();

  const created = await app.inject({
    method: 'POST',
    url: '/api/tasks',
    headers: { authorization: `Bearer ${ADMIN}` },
    payload: { title: XSS_TITLE, source: { number: '99/UBND-TH', date: '2022-12-01', issuer: 'UBND tỉnh Thái Nguyên' }, lead: 'STC', coordinators: [], deadline: '2022-12-30' },
  });
  expect(created.statusCode).toBe(201);
  xssId = String(created.headers.location).split('/').pop()!;
  expect(xssId).toBe('99-ubnd-th-20221201-stc');

  // Task 11 (Sở TT&TT, overdue): escalation level 1 sent, level 2 failed, a reminder skipped, and
  // the lead body's report that a coordinating body does not cooperate (a reply link's event).
  const task = (await store.get(T('11-stttt')))!;
  const plan = planNotifications(task, undefined, cfg.config.policy, cfg.calendar, cfg.org, clock);
  const pick = (kind: string, level: number) => plan.find((n) => n.kind === kind && n.level === level && n.ladder === 'lead')!;
  const base = (n: (typeof plan)[number]) => ({ id: n.id, taskId: n.taskId, kind: n.kind, level: n.level, step: n.step, occurrence: n.occurrence, to: n.to.map((r) => r.email), cc: n.cc.map((r) => r.email), plannedAt: n.scheduledAt });
  const log = makeDeliveryLog(redis, prefix);
  const l1 = pick('escalation', 1);
  const c1 = await log.claim({ ...base(l1), subject: 'Báo cáo nhiệm vụ quá hạn: Tăng cường công tác thông tin truyền thông' }, 'w1', l1.scheduledAt, 60_000);
  expect(c1.outcome).toBe('claimed');
  await log.markSent(c1.record, { messageId: '<l1@dondoc>', response: '250 2.0.0 OK', sentAt: l1.scheduledAt + 60_000 });
  const l2 = pick('escalation', 2);
  const c2 = await log.claim(base(l2), 'w1', l2.scheduledAt, 60_000);
  await log.markFailed(c2.record, '550 5.1.1 mailbox unavailable', l2.scheduledAt + 120_000);
  await log.markSkipped(base(pick('reminder', 0)), 'superseded: the deadline passed before it could be sent', at('2022-06-23T07:30'));
  await redis.rpush(store.keys.history(T('11-stttt')), JSON.stringify({ type: 'noncooperation_reported', at: at('2022-07-04T10:15'), by: 'link:lead', coordinator: 'SVHTTDL', reason: NONCOOP_REASON }));
});
afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await server?.stop();
});

type Headers = Record<string, string>;
const get = (url: string, headers: Headers = { authorization: `Bearer ${VIEWER}` }) => app.inject({ method: 'GET', url, headers });
const login = (form: Record<string, string>, headers: Headers = {}, on = app) =>
  on.inject({ method: 'POST', url: '/office/login', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams(form).toString() });
const cookieOf = (res: { headers: Record<string, unknown> }): string => String(res.headers['set-cookie']).split(';')[0]!;
/** The task rows of a list page: [id, status] in page order. */
const rows = (body: string): Array<[string, string]> => [...body.matchAll(/<tr class="[^"]*" data-task="([^"]+)" data-status="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]);
const ids = (body: string): string[] => rows(body).map(([id]) => id);

describe('access', () => {
  it('answers 401 with the login form when there is no session, keeping where the user was going', async () => {
    const res = await get('/office?body=SYT', {});
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<form method="post" action="/office/login">');
    expect(res.body).toContain('name="token" type="password"');
    expect(res.body).toContain('<input type="hidden" name="next" value="/office?body=SYT">');
    expect(rows(res.body)).toEqual([]);
  });

  it('takes a bearer token instead of a session, and refuses an unknown one', async () => {
    expect((await get('/office')).statusCode).toBe(200);
    expect((await get('/office', { authorization: `Bearer ${ADMIN}` })).statusCode).toBe(200);
    const bad = await get('/office', { authorization: 'Bearer not-a-token-of-ours-at-all' });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toContain('Mã truy cập không đúng.');
  });

  it('logs in with a viewer token: a signed HttpOnly SameSite=Strict cookie that holds no token', async () => {
    const wrong = await login({ token: 'wrong-token-0123456789abc', next: '/office' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(wrong.body).toContain('Mã truy cập không đúng.');

    const ok = await login({ token: VIEWER, next: '/office?body=SYT' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/office?body=SYT');
    const setCookie = String(ok.headers['set-cookie']);
    expect(setCookie).toMatch(/^dondoc_office=v1\.[\w-]+\.[\w-]+; Path=\/office; Max-Age=36000; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(VIEWER);
    expect(setCookie).not.toContain(hex(VIEWER));
    const page = await get('/office?body=SYT', { cookie: cookieOf(ok) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<span class="who">board</span>');
    expect(ids(page.body)).toEqual([T('8-sgddt'), T('9-syt')]);
  });

  it('marks the cookie Secure over https (directly or behind a proxy that says so)', async () => {
    const res = await login({ token: VIEWER }, { 'x-forwarded-proto': 'https' });
    expect(String(res.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
  });

  it('refuses a tampered or expired session', async () => {
    const cookie = cookieOf(await login({ token: VIEWER }));
    const [name, value] = cookie.split('=') as [string, string];
    const [v, payload, sig] = value.split('.') as [string, string, string];
    // Claim the admin role with the same signature.
    const forged = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('"viewer"', '"admin"')).toString('base64url');
    expect((await get('/office', { cookie: `${name}=${v}.${forged}.${sig}` })).statusCode).toBe(401);
    expect((await get('/office', { cookie: `${name}=${v}.${payload}.${sig.slice(0, -2)}AA` })).statusCode).toBe(401);
    const saved = clock;
    try {
      clock = saved + 10 * 3600_000 + 1;
      expect((await get('/office', { cookie })).statusCode).toBe(401);
    } finally {
      clock = saved;
    }
    expect((await get('/office', { cookie })).statusCode).toBe(200);
  });

  it('keeps sessions across a rebuilt app (key in Redis), and ends them when the token is removed', async () => {
    const cookie = cookieOf(await login({ token: VIEWER }));
    const rebuilt = appWith();
    const withoutBoard = appWith({ tokens: parseEnv({ DONDOC_API_TOKENS: `ops:admin:${ADMIN}` }).apiTokens });
    try {
      expect((await rebuilt.inject({ method: 'GET', url: '/office', headers: { cookie } })).statusCode).toBe(200);
      expect((await withoutBoard.inject({ method: 'GET', url: '/office', headers: { cookie } })).statusCode).toBe(401);
    } finally {
      await rebuilt.close();
      await withoutBoard.close();
    }
  });

  it('refuses cross-site form posts and never redirects off the page', async () => {
    const cross = await login({ token: VIEWER }, { 'sec-fetch-site': 'cross-site' });
    expect(cross.statusCode).toBe(403);
    expect(cross.headers['set-cookie']).toBeUndefined();
    expect((await login({ token: VIEWER }, { origin: 'https://evil.example', host: 'dondoc.example' })).statusCode).toBe(403);
    for (const next of ['https://evil.example/office', '//evil.example/office', '/api/tasks', '/office\\@evil.example', '/office/../api/tasks', '/office?x=1\r\nSet-Cookie: a=b']) {
      expect((await login({ token: VIEWER, next })).headers.location).toBe('/office');
    }
  });

  it('logs out by clearing the cookie', async () => {
    const res = await app.inject({ method: 'POST', url: '/office/logout' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/office/login');
    expect(String(res.headers['set-cookie'])).toMatch(/^dondoc_office=; Path=\/office; Max-Age=0; HttpOnly; SameSite=Strict$/);
  });

  it('leaves the JSON API as it was: a session cookie is no bearer token', async () => {
    const cookie = cookieOf(await login({ token: VIEWER }));
    const res = await app.inject({ method: 'GET', url: '/api/tasks', headers: { cookie } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHORIZED');
  });
});

describe('security headers', () => {
  it('are on every answer: pages, login, 401, 404, the stylesheet', async () => {
    const answers = await Promise.all([
      get('/office'),
      get(`/office/tasks/${T('9-syt')}`),
      get('/office/login', {}),
      get('/office', {}),
      get('/office/no-such-page'),
      get('/office/tasks/no-such-task'),
      get('/office?body=Sở%20Không%20Có'),
      get('/office/assets/office.css', {}),
      login({ token: 'wrong-token-0123456789abc' }),
    ]);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 401, 404, 404, 400, 200, 401]);
    for (const r of answers) {
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(answers[0]!.headers['cache-control']).toBe('no-store');
    expect(answers[7]!.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('serves pages with no script and no inline style at all', async () => {
    for (const url of ['/office', `/office/tasks/${T('11-stttt')}`]) {
      const body = (await get(url)).body;
      expect(body).not.toMatch(/<script|<style/i);
      expect(body).not.toMatch(/<[a-z][^>]*\s(?:style|on[a-z]+)=/i);
    }
  });
});

describe('tasks by status and filters', () => {
  it('lists every task, most urgent first, in the tracker colours, with the count of each status', async () => {
    const res = await get('/office');
    expect(res.statusCode).toBe(200);
    expect(rows(res.body)).toEqual([
      [T('11-stttt'), 'overdue'],
      [T('3-ubnd-phoyen'), 'overdue'],
      [T('3-ubnd-tptn'), 'overdue'],
      [T('6-cat'), 'overdue'],
      // Extended to 30/09/2022: overdue from the new deadline on.
      [T('12-bdt'), 'overdue'],
      // 30/12/2022 (Friday): 1 working day left.
      [xssId, 'due_soon'],
      // 31/12/2022 is a Saturday and 02/01/2023 the New Year's day off: D = 03/01/2023, 3 working days.
      [T('10-ubnd-phoyen'), 'due_soon'],
      [T('2-skhdt'), 'due_soon'],
      [T('7-snnptnt'), 'due_soon'],
      [T('5-ttt'), 'late'],
      [T('6-stttt'), 'late'],
      [T('3-skhdt'), 'on_time'],
      [T('8-sgddt'), 'on_time'],
      [T('9-syt'), 'on_time'],
      [T('10-bchqs'), 'on_time'],
    ]);
    expect(res.body).toContain('<tr class="st-overdue" data-task="1510-ubnd-th-20220416-11-stttt"');
    expect(res.body).toContain('<span class="badge st-due-soon">Sắp đến hạn</span><span class="days">còn 3 ngày làm việc</span>');
    expect(res.body).toContain('<span class="badge st-overdue">Đang thực hiện quá hạn</span><span class="days">quá hạn 127 ngày làm việc</span>');
    // The deadline in force, and the one first set.
    expect(res.body).toContain('<td data-label="Thời hạn">30/09/2022<span class="days">gia hạn; ban đầu 30/06/2022</span></td>');
    const counts = [...res.body.matchAll(/<a class="st-[a-z-]+" data-status="([a-z_]+)" href="[^"]*">[^<]*: (\d+)<\/a>/g)].map((m) => [m[1], Number(m[2])]);
    expect(counts).toEqual([
      ['overdue', 5],
      ['due_soon', 4],
      ['late', 2],
      ['on_time', 4],
    ]);
    expect(res.body).toContain('<p class="muted" id="result-count">15 nhiệm vụ.</p>');
  });

  it('filters by body — leading or coordinating — by code or by name as clerks write it', async () => {
    const syt = [T('8-sgddt'), T('9-syt')];
    expect(ids((await get('/office?body=SYT')).body)).toEqual(syt);
    expect(ids((await get(`/office?body=${encodeURIComponent('sở y tế')}`)).body)).toEqual(syt);
    expect(ids((await get(`/office?body=${encodeURIComponent('Công an tỉnh')}`)).body)).toEqual([T('6-cat'), T('10-ubnd-phoyen'), T('11-stttt'), T('8-sgddt'), T('10-bchqs')].sort(byPage));
    const res = await get('/office?body=SYT');
    expect(res.body).toContain('<option value="SYT" selected>Sở Y tế</option>');
  });

  it('filters by leader in charge (the lead body’s, from the directory) and by document number', async () => {
    // PCT3 is in charge of education, health and ethnic affairs.
    expect(ids((await get('/office?leader=pct3')).body)).toEqual([T('12-bdt'), T('8-sgddt'), T('9-syt')]);
    expect(ids((await get('/office?doc=99%2Fubnd')).body)).toEqual([xssId]);
    expect(ids((await get(`/office?doc=${encodeURIComponent(' 1510 / UBND-TH ')}`)).body)).toHaveLength(14);
    expect(ids((await get('/office?doc=2650')).body)).toEqual([]);
    expect((await get('/office?doc=2650')).body).toContain('Không có nhiệm vụ nào khớp bộ lọc.');
  });

  it('filters by status (repeatable) together with the others; the counts keep the other filters', async () => {
    expect(ids((await get('/office?status=late&status=on_time&leader=PCT1')).body)).toEqual([T('6-stttt'), T('3-skhdt')]);
    const res = await get('/office?body=STTTT&status=overdue');
    // Sở TT&TT leads task 11 and coordinates task 6 of Công an tỉnh.
    expect(rows(res.body)).toEqual([
      [T('11-stttt'), 'overdue'],
      [T('6-cat'), 'overdue'],
    ]);
    expect(res.body).toContain('<a class="st-late" data-status="late" href="/office?body=STTTT&amp;status=late">Hoàn thành quá hạn: 1</a>');
    expect(res.body).toContain('<input type="checkbox" name="status" value="overdue" checked>');
  });

  it('says what is wrong with a filter that names nothing, instead of an empty list', async () => {
    const res = await get(`/office?body=${encodeURIComponent('Sở Y tê x')}&leader=PCT9&status=soon`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Đơn vị &quot;Sở Y tê x&quot; không có trong danh mục; có phải: Sở Y tế');
    expect(res.body).toContain('Lãnh đạo &quot;PCT9&quot; không có trong danh mục; mã hợp lệ: CT, PCT1, PCT2, PCT3');
    expect(res.body).toContain('Trạng thái &quot;soon&quot; không hợp lệ');
    expect(rows(res.body)).toEqual([]);
  });
});

/** The page's order of the ids a filter should give (the default list is sorted by urgency). */
let pageOrder: string[] = [];
const byPage = (a: string, b: string): number => pageOrder.indexOf(a) - pageOrder.indexOf(b);
beforeAll(async () => {
  pageOrder = ids((await get('/office')).body);
});

describe('escaping', () => {
  it('shows a title with <script> as text on the list and the task page, diacritics intact', async () => {
    const escaped = '&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt; Báo cáo &amp; &quot;kiểm tra&quot; &lt;b&gt;đậm&lt;/b&gt;';
    const list = await get('/office');
    expect(list.body).toContain(`>${escaped}</a>`);
    const page = await get(`/office/tasks/${xssId}`);
    expect(page.body).toContain(`<h1>${escaped}</h1>`);
    expect(page.body).toContain(`<title>${escaped} — dondoc</title>`);
    for (const body of [list.body, page.body]) {
      expect(body).not.toContain('<script');
      expect(body).not.toContain('<b>đậm');
    }
  });

  it('escapes what replies bring (a reason with markup)', async () => {
    const page = await get(`/office/tasks/${T('11-stttt')}`);
    expect(page.body).toContain('Lý do: Chưa gửi số liệu &lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).not.toContain('<img');
  });
});

describe('a task’s timeline', () => {
  /** Timeline entries in page order: [kind, title]. */
  const entries = (body: string): Array<[string, string]> =>
    [...body.matchAll(/<li class="(?:tone-[a-z]+(?: future)?|now)" data-kind="([a-z]+)">(?:\n<div><span class="tl-when">[^<]*<\/span> <span class="tl-title">([^<]*)<\/span>)?/g)].map((m) => [m[1]!, m[2] ?? '']);

  it('shows assignment, history, replies, sent/failed/skipped mail and what is still planned, in time order', async () => {
    const res = await get(`/office/tasks/${T('11-stttt')}`);
    expect(res.statusCode).toBe(200);
    const list = entries(res.body);
    const kinds = list.map(([k]) => k);
    expect(list[0]).toEqual(['assignment', 'Giao nhiệm vụ']);
    expect(list).toContainEqual(['event', 'Đưa vào theo dõi']);
    expect(list).toContainEqual(['reply', 'Báo cáo đơn vị phối hợp chưa phối hợp']);
    expect(list).toContainEqual(['deadline', 'Thời hạn hoàn thành']);
    expect(list).toContainEqual(['delivery', 'Thư báo cáo quá hạn cấp 1: đã gửi']);
    expect(list).toContainEqual(['delivery', 'Thư báo cáo quá hạn cấp 2: gửi lỗi']);
    expect(list).toContainEqual(['delivery', 'Thư nhắc việc: bỏ qua']);
    // Level 3 is due now (catch-up) and repeats later.
    expect(list).toContainEqual(['planned', 'Thư báo cáo quá hạn cấp 3: đến lượt gửi']);
    expect(kinds.filter((k) => k === 'now')).toHaveLength(1);
    // The deadline ends at 24:00 of 30/06/2022, before the first escalation on 01/07.
    const order = list.map(([, t]) => t);
    expect(order.indexOf('Thời hạn hoàn thành')).toBeLessThan(order.indexOf('Thư báo cáo quá hạn cấp 1: đã gửi'));
    expect(order.indexOf('Thư báo cáo quá hạn cấp 1: đã gửi')).toBeLessThan(order.indexOf('Báo cáo đơn vị phối hợp chưa phối hợp'));
    expect(order.indexOf('Báo cáo đơn vị phối hợp chưa phối hợp')).toBeLessThan(order.indexOf('Thư báo cáo quá hạn cấp 2: gửi lỗi'));
    expect(res.body).toContain('<span class="tl-when">24:00 30/06/2022</span> <span class="tl-title">Thời hạn hoàn thành</span>');
    expect(res.body).toContain('<span class="tl-when">01/07/2022 07:31</span> <span class="tl-title">Thư báo cáo quá hạn cấp 1: đã gửi</span>');
    expect(res.body).toContain('<li>Tiêu đề: Báo cáo nhiệm vụ quá hạn: Tăng cường công tác thông tin truyền thông</li>');
    expect(res.body).toContain('<li>Lỗi: 550 5.1.1 mailbox unavailable</li>');
    expect(res.body).toContain('<li>Đơn vị phối hợp: Sở Văn hóa, Thể thao và Du lịch</li>');
    expect(res.body).toContain('<div class="muted">qua liên kết trong thư (lead)</div>');
    expect(res.body).toContain('<div class="muted">nhập từ tệp 1510-UBND-TH.xlsx</div>');
    expect(res.body).toContain('<li>Gửi: Chủ tịch UBND tỉnh; Giám đốc Sở Nội vụ</li>');
    // Sent and failed are history to the planner: not planned again.
    expect(list.filter(([, t]) => t.startsWith('Thư báo cáo quá hạn cấp 1'))).toHaveLength(1);
    expect(res.body).toContain('id="task-status" data-status="overdue"');
  });

  it('shows completions and extensions with their documents', async () => {
    const bdt = (await get(`/office/tasks/${T('12-bdt')}`)).body;
    expect(entries(bdt)).toContainEqual(['event', 'Gia hạn']);
    expect(bdt).toContain('<li>Thời hạn mới: 30/09/2022 (trước đó: 30/06/2022)</li>');
    expect(bdt).toContain('<li>Văn bản: Công văn số 2650/UBND-TH ngày 27/6/2022 của UBND tỉnh Thái Nguyên</li>');
    expect(bdt).toContain('<dd>30/09/2022 <span class="muted">(đã gia hạn; ban đầu 30/06/2022)</span></dd>');
    const ttt = (await get(`/office/tasks/${T('5-ttt')}`)).body;
    expect(entries(ttt)).toContainEqual(['event', 'Hoàn thành']);
    expect(ttt).toContain('<li>Ghi chú: Hoàn thành chậm do chờ kết quả kiểm tra liên ngành</li>');
    expect(ttt).toContain('data-status="late"');
    // Done: nothing more is planned, and the page says nothing is due.
    expect(entries(ttt).filter(([k, t]) => k === 'planned' && t.endsWith('đến lượt gửi'))).toEqual([]);
  });

  it('says when no policy is loaded, rather than showing an empty plan', async () => {
    const bare = appWith({ office: {} });
    try {
      const res = await bare.inject({ method: 'GET', url: `/office/tasks/${T('11-stttt')}`, headers: { authorization: `Bearer ${VIEWER}` } });
      expect(res.body).toContain('Chưa nạp chính sách nhắc việc: lịch gửi thư dự kiến không hiển thị.');
      expect(entries(res.body).filter(([k]) => k === 'planned')).toEqual([]);
      expect(entries(res.body)).toContainEqual(['delivery', 'Thư báo cáo quá hạn cấp 1: đã gửi']);
    } finally {
      await bare.close();
    }
  });

  it('answers 404 for an unknown or malformed id', async () => {
    expect((await get('/office/tasks/1510-ubnd-th-20220416-99-x')).statusCode).toBe(404);
    const bad = await get('/office/tasks/%3Cscript%3E');
    expect(bad.statusCode).toBe(404);
    expect(bad.body).toContain('Không có nhiệm vụ mã &quot;&lt;script&gt;&quot;.');
  });
});

describe('the on-time vs late chart', () => {
  const bars = (body: string) =>
    [...body.matchAll(/<g class="bar" data-body="([^"]+)" data-on-time="(\d+)" data-late="(\d+)" data-overdue="(\d+)">/g)].map((m) => [m[1], Number(m[2]), Number(m[3]), Number(m[4])]);

  it('counts, per lead body, 2022 tasks done on time, done late and still overdue (hand-counted)', async () => {
    const body = (await get('/office')).body;
    expect(body).toContain('<h2>Đúng hạn và quá hạn theo đơn vị chủ trì — năm 2022</h2>');
    // Tasks due 31/12/2022 fall due on 03/01/2023 (Art. 148): not in 2022; nor is the open one due 30/12.
    expect(bars(body)).toEqual([
      ['SKHDT', 1, 0, 0],
      ['STTTT', 0, 1, 1],
      ['SGDDT', 1, 0, 0],
      ['SYT', 1, 0, 0],
      ['TTT', 0, 1, 0],
      ['BDT', 0, 0, 1],
      ['CAT', 0, 0, 1],
      ['UBND-TPTN', 0, 0, 1],
      ['UBND-PHOYEN', 0, 0, 1],
    ]);
    expect(body).toMatch(/<svg class="chart" viewBox="0 0 760 \d+"[^>]* role="img" aria-labelledby="chart-title"/);
    expect(body).toContain('<title>Sở Thông tin và Truyền thông: 1 hoàn thành quá hạn</title>');
  });

  it('follows the filters: one body’s own tasks', async () => {
    expect(bars((await get('/office?body=STTTT')).body)).toEqual([['STTTT', 0, 1, 1]]);
    expect(bars((await get('/office?leader=PCT3')).body)).toEqual([
      ['SGDDT', 1, 0, 0],
      ['SYT', 1, 0, 0],
      ['BDT', 0, 0, 1],
    ]);
  });
});
