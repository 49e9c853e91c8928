// GET /api/reports and POST /api/reports/freeze through app.inject() against a private Redis:
// a viewer token reads every format, freezing needs admin and a closed period, a frozen
// period is served from its snapshot, bad queries get 400 with the field named.
import { createHash } from 'node:crypto';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { type LoadedConfig, loadConfig } from '../../src/config/load.js';
import { parseInstant } from '../../src/core/zone.js';
import { buildApp } from '../../src/http/app.js';
import { SHEET_LATE, SHEET_SUMMARY, SHEET_TASKS } from '../../src/report/xlsx.js';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { makeTaskStore } from '../../src/store/task-store.js';
import { ROOT, runCliCaptured } from '../support/cli.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';

const at = (iso: string): number => parseInstant(iso, 'Asia/Ho_Chi_Minh')!;
const ADMIN = 'admin-token-3f9c1e7a5b2d4c6e8f0a';
const VIEWER = 'viewer-token-7d1e3c5a9b2f4e6d8c0b';
const hex = (s: string): string => createHash('sha256').update(s).digest('hex');
const CONFIG = path.join(ROOT, 'tests/fixtures/report/dondoc.yaml');

let server: PrivateRedis;
let redis: RedisClient;
let cfg: LoadedConfig;
let app: FastifyInstance;
const prefix = randomPrefix('rapi');
let clock = at('2022-07-15T09:00');

beforeAll(async () => {
  server = await startRedis();
  const imported = await runCliCaptured(['import', path.join(ROOT, 'tests/fixtures/report/tasks-2022-06.yaml')], {
    env: { REDIS_URL: server.url, DONDOC_KEY_PREFIX: prefix, DONDOC_CONFIG: CONFIG },
    now: () => clock,
  });
  expect(imported.code).toBe(0);
  redis = await connectRedis(server.url, { role: 'service', timeoutMs: 500 });
  cfg = loadConfig({ file: CONFIG });
  const env = parseEnv({ DONDOC_API_TOKENS: `ops:admin:${ADMIN},board:viewer:sha256:${hex(VIEWER)}` });
  const store = makeTaskStore({ redis, url: server.url, prefix, calendar: cfg.calendar, now: () => clock });
  app = buildApp({ store, redis, calendar: cfg.calendar, org: cfg.org, tokens: env.apiTokens, now: () => clock });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await server?.stop();
});

const get = (url: string, token: string | null = VIEWER) => app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
const freeze = (body: unknown, token = ADMIN) => app.inject({ method: 'POST', url: '/api/reports/freeze', headers: { authorization: `Bearer ${token}` }, payload: body as Record<string, unknown> });

describe('GET /api/reports', () => {
  it('gives the JSON report to a viewer', async () => {
    const res = await get('/api/reports?from=2022-06-01&to=2022-06-30');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-dondoc-snapshot']).toBe('none');
    const j = res.json();
    expect(j.totals).toMatchObject({ assigned: 12, on_time: 4, late: 2, within_deadline: 0, overdue: 5, no_deadline: 1, working_days_late: 72, average_working_days_late: 10.29 });
    // No link events and no delivery records in this Redis: the report says so.
    expect(j.notes).toHaveLength(3);
  });

  it('gives xlsx and csv as attachments, html inline', async () => {
    const x = await get('/api/reports?from=2022-06-01&to=2022-06-30&format=xlsx&body=syt');
    expect(x.statusCode).toBe(200);
    expect(x.headers['content-disposition']).toBe('attachment; filename="bao-cao-2022-06-01_2022-06-30-syt.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([SHEET_SUMMARY, SHEET_LATE, SHEET_TASKS]);
    const csv = await get('/api/reports?from=2022-06-01&to=2022-06-30&format=csv');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const html = await get('/api/reports?from=2022-06-01&to=2022-06-30&format=html');
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['content-disposition']).toBeUndefined();
    expect(html.body).not.toContain('<script>');
  });

  it('refuses bad queries with the field named, and requests without a token', async () => {
    const bad = await get('/api/reports?from=2022-06-31&to=2022-06-30&format=pdf&extra=1');
    expect(bad.statusCode).toBe(400);
    const paths = (bad.json().error.problems as Array<{ path: string }>).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['query.from', 'query.format', 'query']));
    expect((await get('/api/reports?from=2022-06-30&to=2022-06-01')).statusCode).toBe(400);
    const body = await get('/api/reports?from=2022-06-01&to=2022-06-30&body=nowhere');
    expect(body.statusCode).toBe(400);
    expect(body.json().error.message).toMatch(/unknown body "nowhere"/);
    expect((await get('/api/reports?from=2022-06-01&to=2022-06-30', null)).statusCode).toBe(401);
  });
});

describe('POST /api/reports/freeze', () => {
  it('needs admin, and a closed period', async () => {
    expect((await freeze({ from: '2022-06-01', to: '2022-06-30' }, VIEWER)).statusCode).toBe(403);
    const open = await freeze({ from: '2022-07-01', to: '2022-07-31' });
    expect(open.statusCode).toBe(400);
    expect(open.json().error.message).toMatch(/has not ended yet/);
  });

  it('freezes once; later GETs come from the snapshot even after edits', async () => {
    const first = await freeze({ from: '2022-06-01', to: '2022-06-30', body: 'SYT' });
    expect(first.statusCode).toBe(201);
    expect(first.headers['x-dondoc-snapshot']).toBe('created');
    expect(first.json().totals).toMatchObject({ assigned: 4, overdue: 2 });
    const again = await freeze({ from: '2022-06-01', to: '2022-06-30', body: 'SYT' });
    expect([again.statusCode, again.headers['x-dondoc-snapshot']]).toEqual([200, 'used']);

    clock = at('2022-07-20T09:00');
    const done = await app.inject({ method: 'POST', url: '/api/tasks/rpt-t10/complete', headers: { authorization: `Bearer ${ADMIN}` }, payload: {} });
    expect(done.statusCode).toBe(409); // already completed on 04/07 (after June): June still sees it open
    const late = await app.inject({
      method: 'POST',
      url: '/api/tasks/rpt-t9/complete',
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: { completed_on: '2022-06-28' },
    });
    expect(late.statusCode).toBe(200);
    const frozen = await get('/api/reports?from=2022-06-01&to=2022-06-30&body=SYT');
    expect(frozen.headers['x-dondoc-snapshot']).toBe('used');
    expect(frozen.json().totals).toMatchObject({ assigned: 4, late: 0, overdue: 2 });
    expect(frozen.json().frozen.key).toBe(`${prefix}:report:snapshot:2022-06-01:2022-06-30:SYT`);
    // The whole province was not frozen: it is computed live and sees the change.
    const live = await get('/api/reports?from=2022-06-01&to=2022-06-30');
    expect(live.headers['x-dondoc-snapshot']).toBe('none');
    expect(live.json().totals).toMatchObject({ late: 3, overdue: 4 });
  });
});
