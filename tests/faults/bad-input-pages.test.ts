// Hostile input at the web pages (issue 7, items 2 and 3): the Provincial Office's page
// (/office) and the pages the signed reply links open (/r/<token>). Every answer — page, login,
// 4xx, the router's own refusals of a malformed address — carries the security headers; no
// HTML from a task runs in a page (the page has the same tags and attributes as for a harmless
// task, and no script, handler or javascript: URL); forged, mangled and hostile link tokens
// and form fields are refused with a page that echoes nothing raw, and change nothing.
import { createHash } from 'node:crypto';
import path from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { type LoadedConfig, loadConfig } from '../../src/config/load.js';
import { linksSchema } from '../../src/config/sections/links.js';
import { deadlineVersion, recipientHash, signLink } from '../../src/core/links.js';
import type { Task } from '../../src/core/task.js';
import { parseInstant } from '../../src/core/zone.js';
import { buildApp } from '../../src/http/app.js';
import { connectRedis } from '../../src/store/redis.js';
import { type TaskStore, makeTaskStore } from '../../src/store/task-store.js';
import { ROOT } from '../support/cli.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';
import { HTML_PIECES, activeHtml, fuzz, fuzzTimeout, hostileText, hostileWords, htmlShape, redisSnapshot } from './bad-input-support.js';

// The CI budget runs in seconds; the long run (DONDOC_FUZZ_RUNS) needs longer.
vi.setConfig({ testTimeout: fuzzTimeout(60_000) });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ADMIN = 'admin-token-pages-test-3e8a1c6f0b9d2547';
const SECRET = 'link-secret-for-tests-0123456789abcdefghij';
const HEAD_EMAIL = 'giamdoc.syt@thainguyen.gov.vn';
const clock = parseInstant('2022-06-20T09:00', 'Asia/Ho_Chi_Minh')!;
const hex = (s: string): string => createHash('sha256').update(s).digest('hex');

let server: PrivateRedis;
let redis: Redis;
let cfg: LoadedConfig;
let store: TaskStore;
let app: FastifyInstance;
let item = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = (await connectRedis(server.url, { role: 'service', timeoutMs: 1000 })) as Redis;
  cfg = loadConfig({ file: path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml') });
  store = makeTaskStore({ redis, url: server.url, prefix: randomPrefix('pages'), calendar: cfg.calendar, now: () => clock });
  const links = linksSchema.parse({ public_base_url: 'https://dondoc.thainguyen.example.gov.vn', secret: SECRET });
  app = buildApp({
    store,
    redis,
    calendar: cfg.calendar,
    org: cfg.org,
    tokens: parseEnv({ DONDOC_API_TOKENS: `ops:admin:sha256:${hex(ADMIN)}` }).apiTokens,
    now: () => clock,
    office: { policy: cfg.config.policy },
    replies: { links },
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await server?.stop();
});

const bearer = { authorization: `Bearer ${ADMIN}` };

interface Texts {
  title: string;
  content?: string;
  subject?: string;
  issuer: string;
}
const texts: fc.Arbitrary<Texts> = fc.record({ title: hostileWords(), content: hostileText(6), subject: hostileWords(), issuer: hostileWords() }, { requiredKeys: ['title', 'issuer'] });

/** Creates a task through the API; null when the API refuses its text (nothing but controls…). */
async function createTask(t: Texts): Promise<Task | null> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/tasks',
    headers: bearer,
    payload: {
      title: t.title,
      ...(t.content !== undefined ? { content: t.content } : {}),
      // A number of its own, so the list page can be filtered down to this task (?doc=).
      source: { number: `${String(++item).padStart(6, '0')}/UBND-TH`, date: '2022-04-16', issuer: t.issuer, ...(t.subject !== undefined ? { subject: t.subject } : {}) },
      lead: 'SYT',
      coordinators: ['SGDDT'],
      deadline: '2022-06-30',
    },
  });
  if (res.statusCode === 400) return null;
  expect(res.statusCode, res.body).toBe(201);
  return (await store.get(String(res.headers.location).split('/').pop()!))!;
}

/** The same task with harmless text wherever the hostile one has some. */
const twinOf = (t: Task): Texts => ({ title: 'Tiêu đề', ...(t.content ? { content: 'Nội dung' } : {}), ...(t.source.subject ? { subject: 'Trích yếu' } : {}), issuer: 'UBND tỉnh Thái Nguyên' });

function linkFor(t: Task, action: 'complete' | 'extend' | 'noncoop' = 'complete'): string {
  return signLink(
    { action, taskId: t.id, occurrence: 'once', deadline: deadlineVersion(t.deadline!), role: 'head', recipient: recipientHash(HEAD_EMAIL), expiresAt: clock + 7 * 86_400_000, nonce: `n${createHash('sha256').update(t.id + action).digest('hex').slice(0, 20)}` },
    [SECRET],
  );
}

/** The security headers every answer under /office and /r must carry. */
function expectSecurityHeaders(res: { statusCode: number; headers: Record<string, unknown> }, what: string): void {
  const csp = String(res.headers['content-security-policy'] ?? '');
  expect(csp, `${what}: ${res.statusCode} without CSP`).toContain("script-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(res.headers['x-frame-options'], what).toBe('DENY');
  expect(res.headers['x-content-type-options'], what).toBe('nosniff');
  expect(res.headers['referrer-policy'], what).toBe('no-referrer');
}

/** Nothing raw from the hostile pieces: every piece with markup appears only escaped. */
function expectNoRawMarkup(body: string, what: string): void {
  expect(activeHtml(body), `${what}:\n${body.slice(0, 3000)}`).toEqual([]);
  for (const p of HTML_PIECES) if (p.includes('<')) expect(body.includes(p), `${what}: ${p} raw`).toBe(false);
}

describe('every answer of the pages carries the security headers', () => {
  const segment = fc.oneof(
    // (No ".." segments: the address is resolved before it is sent, and leaves the pages.)
    fc.constantFrom('', 'login', 'logout', 'tasks', 'assets', 'assets/office.css', 'x', '%00', '%E0%A4%A', '%', '%zz', 'a'.repeat(3000), '<script>alert(1)</script>', 'tasks/<img src=x onerror=alert(1)>', 'tasks/000001-ubnd-th-20220416-syt'),
    hostileText(2).map((s) => encodeURIComponent(s)),
    fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(s)),
  );
  it('for any method, path, query, cookie and token, with or without a login', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/office', '/r'),
        fc.array(segment, { maxLength: 3 }),
        fc.option(fc.constantFrom('?body=%3Cscript%3E', '?status=%22%3E%3Cimg', '?doc=1510&doc=1510', '?next=javascript:alert(1)', `?x=${'y'.repeat(5000)}`, '?%zz=1', '?body=S%E1%BB%9F%20Y%20t%E1%BA%BF')),
        fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
        fc.constantFrom<Record<string, string>>({}, bearer, { authorization: 'Bearer <script>' }, { cookie: 'dondoc_office=v1.x.y' }, { cookie: 'dondoc_office=<script>; dondoc_form=%00' }),
        fc.option(fc.constantFrom('token=x&next=/office', '{"a":1}', 'a'.repeat(20_000), '%%%%')),
        async (base, segs, query, method, headers, body) => {
          const url = `${base}${segs.length ? `/${segs.join('/')}` : ''}${query ?? ''}`;
          const res = await app.inject({
            method: method as 'GET',
            url,
            headers: { ...headers, ...(body !== null ? { 'content-type': body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded' } : {}) },
            ...(body !== null && method !== 'GET' && method !== 'HEAD' ? { payload: body } : {}),
          });
          const what = `${method} ${url.slice(0, 120)}`;
          expect(res.statusCode, `${what}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
          // The router's refusals and the pages' own answers alike (JSON for the former).
          expectSecurityHeaders(res, what);
          expectNoRawMarkup(res.body, what);
        },
      ),
      fuzz(7176_61, 150),
    );
  });
});

describe('task text in the pages', () => {
  it('the office list and task page show hostile text as text: same tags as for a harmless task, nothing that runs', async () => {
    await fc.assert(
      fc.asyncProperty(texts, async (t) => {
        const task = await createTask(t);
        if (!task) return;
        const twin = (await createTask(twinOf(task)))!;
        const page = await app.inject({ method: 'GET', url: `/office/tasks/${task.id}`, headers: bearer });
        const harmless = await app.inject({ method: 'GET', url: `/office/tasks/${twin.id}`, headers: bearer });
        expect(page.statusCode).toBe(200);
        expectSecurityHeaders(page, 'task page');
        expectNoRawMarkup(page.body, 'task page');
        expect(htmlShape(page.body)).toEqual(htmlShape(harmless.body));
        const list = await app.inject({ method: 'GET', url: `/office?doc=${encodeURIComponent(task.source.number)}`, headers: bearer });
        expect(list.statusCode).toBe(200);
        expect(list.body).toContain(`data-task="${task.id}"`);
        expectNoRawMarkup(list.body, 'list page');
      }),
      fuzz(7176_62, 25),
    );
  });

  it('a reply link opens a form that shows hostile task text as text', async () => {
    await fc.assert(
      fc.asyncProperty(texts, fc.constantFrom('complete', 'extend', 'noncoop') as fc.Arbitrary<'complete' | 'extend' | 'noncoop'>, async (t, action) => {
        const task = await createTask(t);
        if (!task) return;
        const twin = (await createTask(twinOf(task)))!;
        const before = await redisSnapshot(redis);
        const form = await app.inject({ method: 'GET', url: `/r/${linkFor(task, action)}` });
        const harmless = await app.inject({ method: 'GET', url: `/r/${linkFor(twin, action)}` });
        expect(form.statusCode, form.body.slice(0, 500)).toBe(200);
        expectSecurityHeaders(form, 'reply form');
        expectNoRawMarkup(form.body, 'reply form');
        expect(htmlShape(form.body)).toEqual(htmlShape(harmless.body));
        // Opening a link never changes anything (mail scanners prefetch links).
        expect(await redisSnapshot(redis)).toEqual(before);
      }),
      fuzz(7176_63, 20),
    );
  });
});

describe('hostile links and forms', () => {
  let task: Task;
  beforeAll(async () => {
    task = (await createTask({ title: 'Nhiệm vụ để thử liên kết', issuer: 'UBND tỉnh Thái Nguyên' }))!;
  });

  it('a forged, mangled or hostile token is refused with a page that echoes nothing, and nothing changes', async () => {
    const good = () => linkFor(task);
    const token = fc.oneof(
      fc.string({ maxLength: 300 }).map((s) => encodeURIComponent(s)),
      hostileText(3).map((s) => encodeURIComponent(s)),
      fc.nat({ max: 300 }).map((i) => {
        // One character of a good token changed: the signature no longer matches.
        const g = good();
        const k = i % g.length;
        return `${g.slice(0, k)}${g[k] === 'A' ? 'B' : 'A'}${g.slice(k + 1)}`;
      }),
      fc.constant(null).map(() => `${good().split('.')[0]}.${'A'.repeat(43)}`),
      fc.constant(null).map(() => `${Buffer.from(JSON.stringify({ v: 1, a: 'complete', t: task.id, o: 'once', d: '20220630', r: 'head', e: 'x'.repeat(16), x: 9e9 })).toString('base64url')}.${'_'.repeat(43)}`),
      fc.constant(null).map(() => `${good()}${'.x'.repeat(10)}`),
      fc.constant('x'.repeat(5000)),
    );
    await fc.assert(
      fc.asyncProperty(token, fc.constantFrom('GET', 'POST'), async (tok, method) => {
        const before = await redisSnapshot(redis);
        const res = await app.inject({ method: method as 'GET', url: `/r/${tok}`, ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'csrf=x&completed_on=2022-06-19&note=%3Cscript%3E' } : {}) });
        expect([400, 403, 404, 410, 414], `${method} ${tok.slice(0, 80)}: ${res.statusCode}`).toContain(res.statusCode);
        expectSecurityHeaders(res, 'bad token');
        expectNoRawMarkup(res.body, 'bad token');
        if (tok.length > 12) expect(res.body.includes(decodeURIComponent(tok.includes('%') ? tok.replace(/%(?![0-9A-F]{2})/gi, '%25') : tok))).toBe(false);
        expect(await redisSnapshot(redis)).toEqual(before);
      }),
      fuzz(7176_64, 80),
    );
  });

  it('hostile form fields are refused or recorded as text; a refused form re-renders them escaped and writes nothing', async () => {
    const field = fc.oneof(hostileText(4), fc.constantFrom('', '2022-02-31', '31/02/2022', '0000-01-01', '99999-12-31', 'a'.repeat(5000)));
    await fc.assert(
      fc.asyncProperty(fc.record({ completed_on: fc.oneof(fc.constant('2022-06-19'), field), document: field, note: field }), fc.boolean(), async (fields, withCsrf) => {
        const t = (await createTask({ title: 'Nhiệm vụ nhận biểu mẫu', issuer: 'UBND tỉnh Thái Nguyên' }))!;
        const link = linkFor(t);
        const form = await app.inject({ method: 'GET', url: `/r/${link}` });
        const cookie = String(form.headers['set-cookie'] ?? '').split(';')[0]!;
        const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
        expect(csrf).not.toBe('');
        const before = await redisSnapshot(redis);
        const res = await app.inject({
          method: 'POST',
          url: `/r/${link}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
          payload: new URLSearchParams({ ...(withCsrf ? { csrf } : {}), ...fields }).toString(),
        });
        expectSecurityHeaders(res, 'form post');
        expectNoRawMarkup(res.body, 'form post');
        expect(res.statusCode).toBeLessThan(500);
        if (!withCsrf) expect(res.statusCode).toBe(403);
        if (res.statusCode !== 200) {
          expect(await redisSnapshot(redis), `refused with ${res.statusCode} but written`).toEqual(before);
          return;
        }
        // Recorded: the history holds the text without control characters other than line breaks.
        const { history } = (await store.getWithHistory(t.id))!;
        const last = history.at(-1) as unknown as Json;
        expect(last.type).toBe('completion_reported');
        for (const v of [last.note, last.document].filter((x) => typeof x === 'string')) expect(v).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      }),
      fuzz(7176_65, 30),
    );
  });
});
