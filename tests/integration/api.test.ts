// The HTTP API through app.inject() against a real, private Redis: auth, validation with
// field paths, the task life cycle with history, If-Match, nonsense refused with 409, and 503
// while Redis is down.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { type LoadedConfig, loadConfig } from '../../src/config/load.js';
import { parseInstant } from '../../src/core/zone.js';
import { buildApp } from '../../src/http/app.js';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { makeTaskStore } from '../../src/store/task-store.js';
import { ROOT } from '../support/cli.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';

const at = (iso: string): number => parseInstant(iso, 'Asia/Ho_Chi_Minh')!;
const ADMIN = 'admin-token-3f9c1e7a5b2d4c6e8f0a';
const VIEWER = 'viewer-token-7d1e3c5a9b2f4e6d8c0b';
const hex = (s: string): string => createHash('sha256').update(s).digest('hex');

let server: PrivateRedis;
let redis: RedisClient;
let cfg: LoadedConfig;
let app: FastifyInstance;
let clock = at('2022-05-10T09:00');

beforeAll(async () => {
  server = await startRedis();
  redis = await connectRedis(server.url, { role: 'service', timeoutMs: 500 });
  cfg = loadConfig({ file: path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml') });
  // One token as a hash (as production config should hold it), one in plain (development).
  const env = parseEnv({ DONDOC_API_TOKENS: `ops:admin:${ADMIN},board:viewer:sha256:${hex(VIEWER)}`, DONDOC_HTTP_BODY_LIMIT: '64KiB' });
  const store = makeTaskStore({ redis, url: server.url, prefix: randomPrefix('api'), calendar: cfg.calendar, now: () => clock });
  app = buildApp({ store, calendar: cfg.calendar, org: cfg.org, tokens: env.apiTokens, now: () => clock, bodyLimit: env.bodyLimit });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await server?.stop();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const call = async (method: 'GET' | 'POST' | 'PUT', url: string, opts: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {}) => {
  const token = opts.token === undefined ? ADMIN : opts.token;
  const res = await app.inject({
    method,
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(opts.headers ?? {}) },
    ...(opts.body !== undefined ? { payload: opts.body as Json } : {}),
  });
  return { status: res.statusCode, headers: res.headers, json: res.body ? (JSON.parse(res.body) as Json) : {} };
};

const task = (over: Json = {}): Json => ({
  title: 'Chuẩn bị điều kiện tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 đến dưới 12 tuổi',
  source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: '9' },
  lead: 'SYT',
  coordinators: ['sgddt'],
  deadline: '2022-06-30',
  ...over,
});

describe('auth', () => {
  it('serves /api/health without a token', async () => {
    const r = await call('GET', '/api/health', { token: null });
    expect(r).toMatchObject({ status: 200, json: { status: 'ok', redis: 'ok' } });
  });

  it('refuses a missing or unknown token with 401, and a viewer writing with 403', async () => {
    const none = await call('GET', '/api/tasks', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.json.error.code).toBe('UNAUTHORIZED');
    expect((await call('GET', '/api/tasks', { token: 'not-a-token-of-ours-at-all' })).status).toBe(401);
    expect((await call('GET', '/api/tasks', { token: VIEWER })).status).toBe(200);
    const write = await call('POST', '/api/tasks', { token: VIEWER, body: task() });
    expect(write.status).toBe(403);
    expect(write.json.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('viewer') });
  });
});

describe('validation', () => {
  it('answers 400 with the path of every bad field', async () => {
    const r = await call('POST', '/api/tasks', { body: task({ deadline: '30/06/2022', source: { number: '1510/UBND-TH', date: '2022-02-31', issuer: 'UBND tỉnh' }, colour: 'red' }) });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('INPUT_REJECTED');
    const paths = (r.json.error.problems as Json[]).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['deadline', 'source.date', '(top level)']));
    expect(r.json.error.problems.find((p: Json) => p.path === '(top level)').message).toContain('"colour"');
  });

  it('names an unknown body with the closest known names', async () => {
    const r = await call('POST', '/api/tasks', { body: task({ lead: 'SYTT', coordinators: ['SGDDT'] }) });
    expect(r.status).toBe(400);
    expect(r.json.error.problems).toEqual([{ path: 'lead', message: expect.stringMatching(/unknown body "SYTT"; did you mean: .*Sở Y tế/) }]);
  });

  it('answers 400 for malformed JSON and a malformed If-Match', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/tasks', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, payload: '{"title": ' });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('INPUT_REJECTED');
    const im = await call('PUT', '/api/tasks/x-1', { body: task(), headers: { 'if-match': 'yesterday' } });
    expect(im).toMatchObject({ status: 400, json: { error: { problems: [{ path: 'If-Match' }] } } });
  });

  it('limits the request size (413) and answers JSON for unknown routes (404)', async () => {
    const big = await call('POST', '/api/tasks', { body: task({ content: 'x'.repeat(70_000) }) });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('PAYLOAD_TOO_LARGE');
    const nf = await call('GET', '/api/nothing');
    expect(nf).toMatchObject({ status: 404, json: { error: { code: 'NOT_FOUND' } } });
    const nt = await call('GET', '/api/tasks/no-such-task');
    expect(nt).toMatchObject({ status: 404, json: { error: { code: 'TASK_NOT_FOUND' } } });
  });
});

describe('task life cycle', () => {
  let id = '';

  it('creates a task (201, Location, ETag) and shows it with status and history', async () => {
    const r = await call('POST', '/api/tasks', { body: task() });
    expect(r.status).toBe(201);
    id = r.json.task.id;
    expect(id).toBe('1510-ubnd-th-20220416-9-syt');
    expect(r.headers.location).toBe(`/api/tasks/${id}`);
    expect(r.headers.etag).toBe('"1"');
    expect(r.json.task.coordinators).toEqual(['SGDDT']);
    expect(r.json.task.leader).toBe('PCT3');
    const g = await call('GET', `/api/tasks/${id}`, { token: VIEWER });
    expect(g.json.status).toMatchObject({ code: 'within_deadline', label: 'Đang thực hiện trong hạn', effective_deadline: '2022-06-30' });
    expect(g.json.occurrences).toEqual([expect.objectContaining({ key: 'once', deadline: '2022-06-30' })]);
    expect(g.json.history).toEqual([expect.objectContaining({ type: 'created', by: 'api:ops', revision: 1 })]);
    expect((await call('POST', '/api/tasks', { body: task() })).status).toBe(409);
  });

  it('replaces with PUT under If-Match: 412 on a stale revision, one updated event otherwise', async () => {
    const stale = await call('PUT', `/api/tasks/${id}`, { body: task({ deadline: '2022-07-15' }), headers: { 'if-match': '"7"' } });
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe('REVISION_MISMATCH');
    const ok = await call('PUT', `/api/tasks/${id}`, { body: task({ deadline: '2022-07-15' }), headers: { 'if-match': '"1"' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(ok.json.history.at(-1)).toMatchObject({ type: 'updated', changes: { deadline: { from: '2022-06-30', to: '2022-07-15' } } });
    const same = await call('PUT', `/api/tasks/${id}`, { body: task({ deadline: '2022-07-15' }) });
    expect(same.headers.etag).toBe('"2"');
    expect(same.json.history).toHaveLength(2);
  });

  it('refuses nonsense with 409: completion in the future, extension to an earlier date', async () => {
    const future = await call('POST', `/api/tasks/${id}/complete`, { body: { completed_on: '2022-05-11' } });
    expect(future.status).toBe(409);
    expect(future.json.error.message).toMatch(/in the future/);
    const futureAt = await call('POST', `/api/tasks/${id}/complete`, { body: { completed_at: '2022-05-10T10:00:00+07:00' } });
    expect(futureAt.status).toBe(409);
    const earlier = await call('POST', `/api/tasks/${id}/extend`, { body: { deadline: '2022-07-01', document: 'Công văn số 2000/UBND-TH', approved_by: 'PCT3' } });
    expect(earlier.status).toBe(409);
    expect(earlier.json.error.code).toBe('TASK_CONFLICT');
    const bad = await call('POST', `/api/tasks/${id}/extend`, { body: { deadline: '2022-08-01' } });
    expect(bad.status).toBe(400);
    expect((bad.json.error.problems as Json[]).map((p) => p.path).sort()).toEqual(['approved_by', 'document']);
  });

  it('extends, completes, and keeps every step in history; a completed task cannot be extended', async () => {
    const ext = await call('POST', `/api/tasks/${id}/extend`, { body: { deadline: '2022-08-15', document: 'Công văn số 2000/UBND-TH ngày 20/06/2022', approved_by: 'Phó Chủ tịch UBND tỉnh' }, headers: { 'if-match': '2' } });
    expect(ext.status).toBe(200);
    expect(ext.json.status.effective_deadline).toBe('2022-08-15');
    clock = at('2022-08-10T15:00');
    const done = await call('POST', `/api/tasks/${id}/complete`, { body: { completed_on: '2022-08-09', document: 'Báo cáo số 45/BC-SYT', note: 'Đã tiêm xong đợt 1' } });
    expect(done.status).toBe(200);
    expect(done.json.status.code).toBe('on_time');
    expect(done.json.history.map((e: Json) => e.type)).toEqual(['created', 'updated', 'extended', 'completed']);
    expect(done.json.history.at(-1)).toMatchObject({ completed_at: '2022-08-09T16:59:00+07:00', document: 'Báo cáo số 45/BC-SYT' });
    const again = await call('POST', `/api/tasks/${id}/extend`, { body: { deadline: '2022-09-30', document: 'CV', approved_by: 'PCT3' } });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toMatch(/already completed/);
  });

  it('cancels with a reason; a cancelled task cannot be extended', async () => {
    const c = await call('POST', '/api/tasks', { body: task({ lead: 'BDT', coordinators: [], source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: '12' } }) });
    const cid = c.json.task.id as string;
    const r = await call('POST', `/api/tasks/${cid}/cancel`, { body: { reason: 'Thu hồi theo Công văn số 2100/UBND-TH' } });
    expect(r.json.status.code).toBe('cancelled');
    expect(r.json.history.at(-1)).toMatchObject({ type: 'cancelled', reason: 'Thu hồi theo Công văn số 2100/UBND-TH' });
    expect((await call('POST', `/api/tasks/${cid}/extend`, { body: { deadline: '2022-09-30', document: 'CV', approved_by: 'PCT3' } })).status).toBe(409);
  });

  it('lists by status, body and due date', async () => {
    await call('POST', '/api/tasks', { body: task({ lead: 'SGDDT', coordinators: [], deadline: '2022-12-31', source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: '8' } }) });
    const ids = async (q: string) => ((await call('GET', `/api/tasks${q}`, { token: VIEWER })).json.items as Json[]).map((i) => i.task.id);
    expect(await ids('?status=on_time')).toEqual([id]);
    expect(await ids('?status=cancelled')).toEqual(['1510-ubnd-th-20220416-12-bdt']);
    expect(await ids('?body=SGDDT')).toEqual([id, '1510-ubnd-th-20220416-8-sgddt']);
    expect(await ids('?body=S%E1%BB%9F%20Gi%C3%A1o%20d%E1%BB%A5c%20v%C3%A0%20%C4%90%C3%A0o%20t%E1%BA%A1o&status=within_deadline')).toEqual(['1510-ubnd-th-20220416-8-sgddt']);
    // Due on or before a day, whatever the status (the cancelled one was due 30/06).
    expect(await ids('?due_before=2022-09-01')).toEqual(['1510-ubnd-th-20220416-12-bdt', id]);
    expect(await ids('?due_before=2022-09-01&status=on_time,overdue,within_deadline')).toEqual([id]);
    const bad = await call('GET', '/api/tasks?status=late,soon&due_before=2022-13-01');
    expect(bad.status).toBe(400);
    expect((bad.json.error.problems as Json[]).map((p) => p.path).sort()).toEqual(['query.due_before', 'query.status']);
  });
});

describe('Redis down', () => {
  it('answers 503 while Redis is down, writes nothing half, and serves again after a restart', async () => {
    const before = await call('GET', '/api/tasks/1510-ubnd-th-20220416-8-sgddt');
    await server.kill('SIGKILL');
    const health = await call('GET', '/api/health', { token: null });
    expect(health).toMatchObject({ status: 503, json: { redis: 'down' } });
    const w = await call('POST', '/api/tasks/1510-ubnd-th-20220416-8-sgddt/complete', { body: {} });
    expect(w.status).toBe(503);
    expect(w.json.error.code).toBe('REDIS_UNAVAILABLE');
    expect((await call('GET', '/api/tasks')).status).toBe(503);
    await server.restart();
    // The service connection reconnects on its own (backoff ≤ 2 s).
    let after = await call('GET', '/api/tasks/1510-ubnd-th-20220416-8-sgddt');
    for (let i = 0; i < 60 && after.status === 503; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await call('GET', '/api/tasks/1510-ubnd-th-20220416-8-sgddt');
    }
    expect(after.status).toBe(200);
    expect(after.json).toEqual(before.json);
  });
});
