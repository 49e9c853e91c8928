// Hostile requests thrown at the HTTP API through app.inject() against a real, private Redis
// (issue 7, item 2): wrong types, impossible dates, oversized, control and HTML text, unknown
// fields and bodies, duplicate ids, malformed and poisoned JSON, wrong media types, hostile ids
// in the address. Every refusal is a JSON error naming the field; after every refused
// POST/PUT the store is byte for byte what it was (a DUMP of every key of the private Redis).
import { createHash } from 'node:crypto';
import path from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { type LoadedConfig, loadConfig } from '../../src/config/load.js';
import { parseInstant } from '../../src/core/zone.js';
import { buildApp } from '../../src/http/app.js';
import { connectRedis } from '../../src/store/redis.js';
import { makeTaskStore } from '../../src/store/task-store.js';
import { ROOT } from '../support/cli.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';
import {
  CONTROL_RE,
  badDate,
  fuzz,
  fuzzTimeout,
  hostileText,
  hostileWords,
  notAString,
  notAnObject,
  redisSnapshot,
  tenMegabytes,
  unknownBody,
} from './bad-input-support.js';

// The CI budget runs in seconds; the long run (DONDOC_FUZZ_RUNS) needs longer.
vi.setConfig({ testTimeout: fuzzTimeout(60_000) });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ADMIN = 'admin-token-bad-input-5c2e8a1f9d3b7e60';
const hex = (s: string): string => createHash('sha256').update(s).digest('hex');
const clock = parseInstant('2022-05-10T09:00', 'Asia/Ho_Chi_Minh')!;
const LIMIT = 1 << 20; // the default DONDOC_HTTP_BODY_LIMIT

let server: PrivateRedis;
let redis: Redis;
let cfg: LoadedConfig;
let app: FastifyInstance;
const existing: string[] = [];

const goodTask = (item: string, lead = 'SYT'): Json => ({
  title: `Nhiệm vụ mục ${item}: chuẩn bị điều kiện tiêm vắc-xin`,
  content: 'Nội dung.\nDòng hai.',
  source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', subject: 'V/v nhiệm vụ quý II', item },
  lead,
  coordinators: ['SGDDT'],
  deadline: '2022-06-30',
});

beforeAll(async () => {
  server = await startRedis();
  redis = (await connectRedis(server.url, { role: 'service', timeoutMs: 1000 })) as Redis;
  cfg = loadConfig({ file: path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml') });
  const env = parseEnv({ DONDOC_API_TOKENS: `ops:admin:sha256:${hex(ADMIN)}` });
  const store = makeTaskStore({ redis, url: server.url, prefix: randomPrefix('bad-api'), calendar: cfg.calendar, now: () => clock });
  // No bodyLimit: the default (1 MiB) is what production runs with.
  app = buildApp({ store, redis, calendar: cfg.calendar, org: cfg.org, tokens: env.apiTokens, now: () => clock });
  await app.ready();
  for (const item of ['1', '2', '3']) {
    const r = await app.inject({ method: 'POST', url: '/api/tasks', headers: auth(), payload: goodTask(item) });
    expect(r.statusCode, r.body).toBe(201);
    existing.push(String(r.headers.location).split('/').pop()!);
  }
});
afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await server?.stop();
});

const auth = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${ADMIN}`, ...extra });

/** Sends a request and checks the shape of every refusal: JSON, a code, a message, problems. */
async function send(method: 'POST' | 'PUT', url: string, payload: string | Json | Buffer, headers: Record<string, string> = {}) {
  const res = await app.inject({ method, url, headers: auth(typeof payload === 'object' && !Buffer.isBuffer(payload) ? headers : { 'content-type': 'application/json', ...headers }), payload });
  let json: Json = {};
  if (res.body) json = JSON.parse(res.body) as Json;
  if (res.statusCode >= 400) {
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(json.error?.code, res.body).toMatch(/^[A-Z_]+$/);
    expect(String(json.error?.message).length, res.body).toBeGreaterThan(5);
    expect(Array.isArray(json.error?.problems)).toBe(true);
    expect(res.body.length, 'an error must stay short, whatever was sent').toBeLessThan(20_000);
  }
  return { status: res.statusCode, json, body: res.body };
}

/** Runs `act`, which must be refused with `status`; the store must not change. */
async function refusedUnchanged(status: number | number[], act: () => Promise<{ status: number; json: Json; body: string }>, what: string) {
  const before = await redisSnapshot(redis);
  const r = await act();
  expect([status].flat(), `${what}: ${r.status} ${r.body.slice(0, 500)}`).toContain(r.status);
  expect(await redisSnapshot(redis), `${what}: the store changed`).toEqual(before);
  return r;
}

const problemNames = (r: { json: Json }, field: string): boolean =>
  (r.json.error.problems as Json[]).some((p) => String(p.path).startsWith(field) || (String(p.path) === '(top level)' || String(p.path) === field.split('.')[0]) && String(p.message).includes(`"${field.split('.').pop()}"`)) ||
  String(r.json.error.message).includes(field);

// --- mutations of a task body ----------------------------------------------------------------

interface Mutation {
  what: string;
  field: string;
  apply(t: Json): void;
}
const set = (what: string, field: string, v: unknown): Mutation => ({
  what: `${what} ${field}=${JSON.stringify(v)?.slice(0, 80)}`,
  field,
  apply: (t) => {
    const parts = field.split('.');
    let o = t;
    for (const p of parts.slice(0, -1)) o = o[p];
    if (v === undefined) delete o[parts[parts.length - 1]!];
    else o[parts[parts.length - 1]!] = v;
  },
});
const TEXT_FIELDS = ['title', 'content', 'source.number', 'source.date', 'source.issuer', 'source.subject', 'source.item', 'lead', 'leader', 'assigned_on', 'received_at', 'deadline', 'kind', 'id'] as const;
const LIMITS: Array<[string, number]> = [['title', 1000], ['source.number', 100], ['source.issuer', 300], ['source.subject', 1000], ['source.item', 40], ['content', 20_000]];
const KNOWN = new Set(['title', 'content', 'source', 'lead', 'coordinators', 'leader', 'deadline', 'kind', 'id', 'events', 'recurrence', 'assigned_on', 'received_at', 'number', 'date', 'issuer', 'subject', 'item']);

const taskMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.constantFrom(...TEXT_FIELDS), notAString).map(([f, v]) => set('wrong type', f, v)),
  fc.tuple(fc.constantFrom('source', 'recurrence'), notAnObject).map(([f, v]) => set('wrong type', f, v)),
  fc.oneof(fc.integer(), fc.boolean(), fc.constant('SGDDT'), fc.constant({}), fc.constant([1])).map((v) => set('wrong type', 'coordinators', v)),
  fc.tuple(fc.constantFrom('source.date', 'assigned_on', 'deadline', 'received_at'), badDate).map(([f, v]) => set('bad date', f, v)),
  badDate.map((d) => set('bad date', 'events', [{ type: 'completed', on: d }])),
  fc.tuple(fc.constantFrom(...LIMITS), fc.integer({ min: 1, max: 30 })).map(([[f, max], extra]) => set('too long', f, 'Ơ'.repeat(max + extra))),
  unknownBody.map((b) => set('unknown body', 'lead', b)),
  unknownBody.map((b): Mutation => ({ what: `unknown coordinator ${b}`, field: 'coordinators', apply: (t) => void (t.coordinators = ['STC', b]) })),
  hostileWords().map((s) => set('hostile id', 'id', s)),
  fc.constantFrom('title', 'source', 'lead', 'source.number', 'source.date', 'source.issuer').map((f) => set('missing', f, undefined)),
  fc.tuple(fc.constantFrom('', 'source.'), fc.stringMatching(/^[a-zA-Z_$][a-zA-Z0-9_$]{0,15}$/)).filter(([, k]) => !KNOWN.has(k)).map(([at, k]) => set('unknown field', `${at}${k}`, 'x')),
  fc.constantFrom('', ' ', '\r\n', '\u0000\u0001', '\u200b').map((v) => set('empty', 'title', v)),
);

describe('POST and PUT /api/tasks with a hostile body', () => {
  it(
    'refuse with 400 and a problem naming the field, and leave the store unchanged',
    async () => {
      await fc.assert(
        fc.asyncProperty(taskMutation, fc.boolean(), fc.nat(), async (m, put, n) => {
          const t = goodTask(String(100 + (n % 50)));
          m.apply(t);
          const id = existing[n % existing.length]!;
          const r = await refusedUnchanged(400, () => (put ? send('PUT', `/api/tasks/${id}`, t) : send('POST', '/api/tasks', t)), `${put ? 'PUT' : 'POST'} ${m.what}`);
          expect(problemNames(r, m.field), `${m.what}: ${r.body}`).toBe(true);
          // A value of the wrong type is not a missing one: the message says what was expected.
          if (m.what.startsWith('wrong type')) {
            for (const p of r.json.error.problems as Json[]) if (p.path === m.field) expect(p.message, r.body).not.toBe('required');
          }
        }),
        fuzz(7176_21, 80),
      );
    },
  );

  it('refuse a duplicate id with 409, naming the task, and leave the store unchanged', async () => {
    for (const item of ['1', '2', '3']) {
      const r = await refusedUnchanged(409, () => send('POST', '/api/tasks', goodTask(item)), `duplicate ${item}`);
      expect(r.json.error.code).toBe('TASK_CONFLICT');
      expect(r.json.error.message).toContain(existing[Number(item) - 1]);
      // The same task under its explicit id, and one whose derived id another task already has.
      await refusedUnchanged(409, () => send('POST', '/api/tasks', { ...goodTask('77'), id: existing[Number(item) - 1] }), `explicit duplicate ${item}`);
    }
  });

  it('keep hostile but valid text as NFC text without control characters; JSON carries it safely', async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ title: hostileWords(), content: hostileText(), issuer: hostileWords(), subject: hostileWords() }), fc.nat(), async (h, n) => {
        const t = goodTask(`h${n}`);
        Object.assign(t, { title: h.title, content: h.content });
        Object.assign(t.source, { issuer: h.issuer, subject: h.subject });
        const r = await send('POST', '/api/tasks', t);
        if (r.status === 409) return; // the same n twice
        if (r.status === 400) {
          // Refused only when a text is nothing but controls or too long once NFC: and it says which.
          expect(r.json.error.problems.map((p: Json) => p.path).join()).toMatch(/title|content|source\.(issuer|subject)/);
          return;
        }
        expect(r.status, r.body).toBe(201);
        const got = (JSON.parse((await app.inject({ method: 'GET', url: `/api/tasks/${r.json.task.id}`, headers: auth() })).body) as Json).task as Json;
        for (const one of [got.title, got.source.issuer, got.source.subject]) {
          expect(one).not.toMatch(CONTROL_RE);
          expect(one).toBe(String(one).normalize('NFC'));
        }
        expect(got.content ?? '').not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      }),
      fuzz(7176_22, 60),
    );
  });
});

describe('status changes with a hostile body', () => {
  const action = fc.oneof(
    fc.record({ completed_at: fc.oneof(notAString, badDate, hostileText()) }).map((b) => ['complete', b, 'completed_at'] as const),
    fc.record({ completed_on: fc.oneof(notAString, badDate) }).map((b) => ['complete', b, 'completed_on'] as const),
    fc.record({ note: notAString }).map((b) => ['complete', b, 'note'] as const),
    fc.record({ occurrence: fc.oneof(notAString, hostileText()) }).map((b) => ['complete', b, 'occurrence'] as const),
    fc.record({ deadline: fc.oneof(notAString, badDate), document: fc.constant('QĐ 1/QĐ-UBND'), approved_by: fc.constant('Chủ tịch') }).map((b) => ['extend', b, 'deadline'] as const),
    fc.record({ deadline: fc.constant('2022-07-30'), document: fc.oneof(notAString, fc.constantFrom('', '\r\n', '\u0000')), approved_by: fc.constant('Chủ tịch') }).map((b) => ['extend', b, 'document'] as const),
    fc.record({ deadline: fc.constant('2022-07-30'), document: fc.constant('QĐ 1/QĐ-UBND') }).map((b) => ['extend', b, 'approved_by'] as const),
    fc.record({ reason: fc.oneof(notAString, fc.constant('Ư'.repeat(1001)), fc.constantFrom('', ' \t ')) }).map((b) => ['cancel', b, 'reason'] as const),
    fc.stringMatching(/^[a-z_]{2,10}$/).filter((k) => !['reason', 'occurrence'].includes(k)).map((k) => ['cancel', { reason: 'hết nhiệm vụ', [k]: 1 }, k] as const),
  );
  it('are refused with 400 naming the field, and the store is unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(action, fc.nat(), async ([verb, body, field], n) => {
        const id = existing[n % existing.length]!;
        const r = await refusedUnchanged(400, () => send('POST', `/api/tasks/${id}/${verb}`, body as Json), `${verb} ${JSON.stringify(body).slice(0, 120)}`);
        expect(problemNames(r, field), r.body).toBe(true);
      }),
      fuzz(7176_23, 80),
    );
  });

  it('a hostile id in the address is refused or not found, and the store is unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileText(3), fc.constantFrom('..', '%2e%2e%2f', 'a'.repeat(500), 'A-UPPER', '-x-', '*', '%00', 'x%0d%0aSet-Cookie:%20a=b')), fc.constantFrom('', '/complete', '/cancel', '/extend'), async (id, verb) => {
        const url = `/api/tasks/${id.includes('%') ? id : encodeURIComponent(id)}${verb}`;
        const payload = verb === '/extend' ? { deadline: '2022-07-30', document: 'QĐ 1', approved_by: 'Chủ tịch' } : verb === '/cancel' ? { reason: 'x' } : verb === '/complete' ? {} : goodTask('9');
        const r = await refusedUnchanged([400, 404, 414], () => send(verb ? 'POST' : 'PUT', url, payload), `${verb} ${url}`);
        expect(r.body).not.toMatch(/Set-Cookie/i.test(id) ? /^$/ : /<script/);
      }),
      fuzz(7176_24, 60),
    );
  });
});

describe('transport-level hostility', () => {
  it('a task id of 120 characters can be read back; a longer or malformed address is a JSON 414/400', async () => {
    const id = `x${'-1'.repeat(59)}9`;
    expect(id).toHaveLength(120);
    const created = await send('POST', '/api/tasks', { ...goodTask('120'), id });
    expect(created.status, created.body).toBe(201);
    expect((await app.inject({ method: 'GET', url: `/api/tasks/${id}`, headers: auth() })).statusCode).toBe(200);
    const long = await refusedUnchanged(414, () => send('PUT', `/api/tasks/${'a'.repeat(1100)}`, goodTask('1')), 'long id');
    expect(long.json.error.message).not.toContain('aaaa');
    await refusedUnchanged(400, () => send('PUT', '/api/tasks/%E0%A4%A', goodTask('1')), 'bad escape');
  });

  it('malformed JSON is a 400 with a message, and the store is unchanged', async () => {
    const valid = JSON.stringify(goodTask('55'));
    const malformed = fc.oneof(
      fc.integer({ min: 1, max: valid.length - 1 }).map((n) => valid.slice(0, n)),
      fc.string({ maxLength: 200 }).filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
      fc.constantFrom('{"title": "a",}', "{'title': 'a'}", '{"title": NaN}', '[1, 2', '\u0000', '{"a": "\\x41"}', '{"a": "\ud800"', 'null', '"just a string"', '42', '[]', ' '),
    );
    await fc.assert(
      fc.asyncProperty(malformed, fc.boolean(), async (text, put) => {
        const r = await refusedUnchanged(400, () => send(put ? 'PUT' : 'POST', put ? `/api/tasks/${existing[0]}` : '/api/tasks', text), `JSON ${JSON.stringify(text.slice(0, 60))}`);
        expect(r.json.error.code).toBe('INPUT_REJECTED');
      }),
      fuzz(7176_25, 100),
    );
  });

  it('prototype-poisoning JSON is refused with 400, and nothing is polluted or written', async () => {
    for (const text of [
      `{"__proto__": {"polluted": true}, ${JSON.stringify(goodTask('60')).slice(1)}`,
      `{"constructor": {"prototype": {"polluted": true}}, ${JSON.stringify(goodTask('61')).slice(1)}`,
      `{"source": {"__proto__": {"admin": true}, "number": "1/UBND", "date": "2022-04-16", "issuer": "UBND"}, "title": "x", "lead": "SYT"}`,
    ]) {
      await refusedUnchanged(400, () => send('POST', '/api/tasks', text), text.slice(0, 60));
      expect(({} as Json).polluted).toBeUndefined();
      expect(({} as Json).admin).toBeUndefined();
    }
  });

  it('unknown fields are a 400 naming every one of them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.stringMatching(/^[a-z][a-zA-Z0-9_]{1,15}$/).filter((k) => !KNOWN.has(k)), { minLength: 1, maxLength: 4 }), async (keys) => {
        const t = goodTask('56');
        for (const k of keys) t[k] = 'x';
        const r = await refusedUnchanged(400, () => send('POST', '/api/tasks', t), `unknown ${keys.join()}`);
        const text = (r.json.error.problems as Json[]).map((p) => p.message).join(' ');
        for (const k of keys) expect(text).toContain(`"${k}"`);
      }),
      fuzz(7176_26, 40),
    );
  });

  it('bodies over the limit are a 413 — up to 10 MB — and the store is unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: LIMIT + 1, max: 3 * LIMIT }), fc.boolean(), async (size, put) => {
        const t = goodTask('57');
        t.content = '';
        t.content = 'x'.repeat(size - Buffer.byteLength(JSON.stringify(t)));
        expect(Buffer.byteLength(JSON.stringify(t))).toBe(size);
        const r = await refusedUnchanged(413, () => send(put ? 'PUT' : 'POST', put ? `/api/tasks/${existing[0]}` : '/api/tasks', t), `size ${size}`);
        expect(r.json.error.code).toBe('PAYLOAD_TOO_LARGE');
      }),
      fuzz(7176_27, 10),
    );
    const huge = JSON.stringify({ ...goodTask('58'), content: tenMegabytes() });
    const r = await refusedUnchanged(413, () => send('POST', '/api/tasks', huge), '10 MB');
    expect(r.json.error.message).toMatch(/larger than/);
  });

  it('other media types are a 415, and the store is unchanged', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/html']) {
      const r = await refusedUnchanged([415], () => send('POST', '/api/tasks', JSON.stringify(goodTask('59')), { 'content-type': type }), type);
      expect(r.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });
});
