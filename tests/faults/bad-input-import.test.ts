// Hostile task files thrown at the importer (issue 7, item 2): wrong types, impossible dates,
// oversized, control and HTML text, NFD, unknown bodies, unknown fields, duplicate ids, garbage
// bytes. Every bad row gets a problem naming the file, the row and the field; good rows are not
// blamed; and `dondoc import` writes nothing unless every row is good (a snapshot of the whole
// private Redis before and after), while --partial writes exactly the good rows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deriveTaskId } from '../../src/core/task-codec.js';
import { parseIsoDay } from '../../src/core/day.js';
import { parseInstant } from '../../src/core/zone.js';
import { isDondocError } from '../../src/errors.js';
import { formatRowProblem, readTaskFile } from '../../src/import/read-task-file.js';
import { ROOT, runCliCaptured } from '../support/cli.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';
import { config2022 } from '../unit/import-support.js';
import {
  CONTROL_BUT_LF_RE,
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

const CONFIG = path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml');
const ZONE = 'Asia/Ho_Chi_Minh';
const ISSUER = 'UBND tỉnh Thái Nguyên';
const LEADS = ['SYT', 'STC', 'SNV', 'STP', 'SXD', 'SGDDT'] as const;
const clock = parseInstant('2022-05-10T09:00', ZONE)!;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-bad-import-'));
let fileNo = 0;
const tmpFile = (ext: string, content: string | Buffer): string => {
  const f = path.join(tmp, `tasks-${++fileNo}.${ext}`);
  fs.writeFileSync(f, content);
  return f;
};

let server: PrivateRedis;
let redis: Redis;
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const goodTask = (i: number): Json => ({
  title: `Nhiệm vụ số ${i}: báo cáo kết quả thực hiện`,
  content: `Nội dung nhiệm vụ số ${i}.\nDòng thứ hai.`,
  source: { number: '1510/UBND-TH', date: '16/04/2022', issuer: ISSUER, subject: 'V/v nhiệm vụ trọng tâm quý II', item: String(i) },
  lead: LEADS[i % LEADS.length],
  coordinators: ['Sở Giáo dục và Đào tạo'],
  deadline: '2022-06-30',
});
const idOf = (t: Json): string => deriveTaskId({ number: '1510/UBND-TH', date: parseIsoDay('2022-04-16')!, item: String(t.source.item) }, String(t.lead).toLowerCase());

// --- mutations: each breaks row k and says which rows must be refused and in which field -----

interface Mutation {
  what: string;
  /** The field the problem must name (a prefix of the problem's column). */
  column: string;
  /** Breaks tasks[k]; returns the 0-based indexes of every task that must be refused. */
  apply(tasks: Json[], k: number): number[];
}

const setPath = (obj: Json, dotted: string, v: unknown): void => {
  const parts = dotted.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p];
  if (v === undefined) delete o[parts[parts.length - 1]!];
  else o[parts[parts.length - 1]!] = v;
};
const setField = (what: string, field: string, value: unknown): Mutation => ({
  what: `${what} ${field}=${JSON.stringify(value)?.slice(0, 80)}`,
  column: field,
  apply: (tasks, k) => (setPath(tasks[k]!, field, value), [k]),
});

const STRING_FIELDS = ['title', 'content', 'source.number', 'source.date', 'source.issuer', 'source.subject', 'lead', 'leader', 'assigned_on', 'received_at', 'deadline', 'kind', 'id'] as const;
const LIMITS: Array<[string, number]> = [['title', 1000], ['source.number', 100], ['source.issuer', 300], ['source.subject', 1000], ['source.item', 40], ['content', 20_000]];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.constantFrom(...STRING_FIELDS), notAString).map(([f, v]) => setField('wrong type', f, v)),
  fc.tuple(fc.constantFrom('source', 'recurrence'), notAnObject).map(([f, v]) => setField('wrong type', f, v)),
  fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.constant([1, 2])).map((v) => setField('wrong type', 'coordinators', v)),
  fc.oneof(fc.constant('xong'), fc.integer(), fc.constant([1]), fc.constant([{ type: 'exploded' }])).map((v) => setField('wrong type', 'events', v)),
  fc.tuple(fc.constantFrom('source.date', 'assigned_on', 'deadline', 'received_at'), badDate).map(([f, v]) => setField('bad date', f, v)),
  badDate.map((d): Mutation => ({ what: `bad completion date ${d}`, column: 'events', apply: (t, k) => ((t[k]!.events = [{ type: 'completed', on: d }]), [k]) })),
  fc.tuple(fc.constantFrom(...LIMITS), fc.integer({ min: 1, max: 50 })).map(([[f, max], extra]) => setField('too long', f, 'Ư'.repeat(max + extra))),
  unknownBody.map((b) => setField('không có đơn vị', 'lead', b)),
  unknownBody.map((b): Mutation => ({ what: `unknown coordinator ${b}`, column: 'coordinators', apply: (t, k) => ((t[k]!.coordinators = ['Sở Tài chính', b]), [k]) })),
  hostileWords().map((s) => setField('hostile id', 'id', s)),
  fc.constantFrom('title', 'source', 'lead', 'source.number', 'source.date', 'source.issuer').map((f) => setField('missing', f, undefined)),
  fc.tuple(fc.constantFrom('', 'source.'), fc.stringMatching(/^[a-z][a-z_]{2,11}$/)).filter(([, k]) => !['title', 'content', 'source', 'lead', 'coordinators', 'leader', 'deadline', 'kind', 'id', 'events', 'recurrence', 'assigned_on', 'received_at', 'number', 'date', 'issuer', 'subject', 'item'].includes(k)).map(
    ([at, key]): Mutation => ({ what: `unknown field ${at}${key}`, column: `${at}${key}`, apply: (t, k) => ((at ? t[k]!.source : t[k]!)[key] = 'x', [k]) }),
  ),
  fc.nat().map(
    (n): Mutation => ({
      what: 'duplicate id',
      column: '',
      apply: (t, k) => {
        const j = (k + 1 + (n % (t.length - 1))) % t.length;
        t[k]!.source.item = t[j]!.source.item;
        t[k]!.lead = t[j]!.lead;
        return [j, k];
      },
    }),
  ),
);

const importJson = async (file: string, prefix: string, ...flags: string[]) => {
  const r = await runCliCaptured(['import', file, '--json', ...flags], { env: { REDIS_URL: server.url, DONDOC_KEY_PREFIX: prefix, DONDOC_CONFIG: CONFIG, USER: 'vanthu' }, now: () => clock });
  let out: Json;
  try {
    out = JSON.parse(r.stdout) as Json;
  } catch {
    throw new Error(`import printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, out, stderr: r.stderr };
};

describe('dondoc import of a hostile JSON/YAML file', () => {
  it(
    'refuses the broken rows by file, row and field, blames no good row, writes nothing — and with --partial exactly the good rows',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 5 }), fc.nat(), mutation, fc.constantFrom('json', 'yaml'), async (n, kSeed, m, format) => {
          const tasks = Array.from({ length: n }, (_, i) => goodTask(i + 1));
          const k = kSeed % n;
          const refused = m.apply(tasks, k);
          const file = tmpFile(format, format === 'json' ? JSON.stringify({ tasks }) : stringify({ tasks }));
          const prefix = randomPrefix('imp');
          const before = await redisSnapshot(redis);

          const all = await importJson(file, prefix);
          expect(all.code, `${m.what}: ${all.stderr}`).toBe(1);
          expect(all.out.written).toBe(false);
          expect(all.out.file).toBe(file);
          const problems = all.out.problems as Json[];
          const rows = new Set(problems.map((p) => p.row as number));
          expect([...rows].sort(), m.what).toEqual(refused.map((i) => i + 1).sort());
          for (const p of problems) expect(String(p.message).length, m.what).toBeGreaterThan(5);
          if (m.column) {
            // The field is named as the column, or (checks made when building the task) first in the message.
            const mine = problems.filter((p) => p.row === k + 1).map((p) => (p.column !== undefined ? String(p.column) : String(p.message).split(':')[0]!));
            expect(mine.some((c) => c !== '' && (c.startsWith(m.column) || m.column.startsWith(c.replace(/\[\d+\]$/, '')))), `${m.what}: ${JSON.stringify(problems)}`).toBe(true);
          }
          expect(await redisSnapshot(redis), `${m.what}: written although rejected`).toEqual(before);

          const partial = await importJson(file, prefix, '--partial');
          expect(partial.code).toBe(1);
          const stored = (await redis.keys(`${prefix}:task:{*}`)).filter((key) => !key.endsWith(':history')).map((key) => key.slice(`${prefix}:task:{`.length, -1));
          const good = tasks.filter((_, i) => !refused.includes(i)).map(idOf);
          expect(stored.sort(), m.what).toEqual(good.sort());
        }),
        fuzz(7176_01, 20),
      );
    },
  );
});

describe('readTaskFile', () => {
  it('keeps hostile but valid text as text: NFC, no control characters, HTML verbatim (escaping is for the renderer)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ title: hostileWords(), content: hostileText(), issuer: hostileWords(), subject: hostileWords(), item: hostileWords(3), number: hostileWords(3) }),
        async (h) => {
          const t = goodTask(1);
          Object.assign(t, { title: h.title, content: h.content });
          Object.assign(t.source, { issuer: h.issuer, subject: h.subject, item: h.item, number: `1510/UBND-TH ${h.number}` });
          delete t.id;
          const file = tmpFile('json', JSON.stringify([t]));
          const r = await readTaskFile(file, { org: config2022.org, zone: ZONE });
          for (const p of r.problems) {
            // Refusing is fine (a text too long once NFC, an item that is nothing but controls), if it says where.
            expect(p.file).toBe(file);
            expect(p.row).toBe(1);
            expect(p.column).toMatch(/^(title|content|source\.(issuer|subject|item|number)|id)$/);
          }
          for (const row of r.rows) {
            const i = row.input;
            for (const one of [i.title, i.source.number, i.source.issuer, i.source.subject ?? '', i.source.item ?? '']) {
              expect(one, JSON.stringify(one)).not.toMatch(CONTROL_RE);
              expect(one).toBe(one.normalize('NFC'));
            }
            expect(i.content ?? '').not.toMatch(CONTROL_BUT_LF_RE);
            expect(i.content ?? '').toBe((i.content ?? '').normalize('NFC'));
            expect(i.id).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?$/);
            // The markup stays, as text: the title still says what the clerk wrote.
            if (h.title.includes('<script>')) expect(i.title).toContain('<script>');
          }
        },
      ),
      fuzz(7176_02, 150),
    );
  });

  it('names the sheet row, the column as headed and the value for every bad cell of a CSV register', async () => {
    const HEADER = ['STT', 'Số, ký hiệu văn bản', 'Ngày ban hành', 'Cơ quan ban hành', 'Nội dung nhiệm vụ', 'Đơn vị chủ trì', 'Đơn vị phối hợp', 'Thời hạn'];
    const csvCell = (s: string): string => `"${s.replace(/"/g, '""')}"`;
    const cell = fc.oneof(
      badDate.map((v) => ({ col: 2, v })),
      badDate.map((v) => ({ col: 7, v })),
      unknownBody.map((v) => ({ col: 5, v })),
      unknownBody.map((v) => ({ col: 6, v })),
      fc.constantFrom('', '   ', '\u0000\u0007', '\r\n').map((v) => ({ col: 5, v })),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.nat(), cell, fc.boolean(), async (n, kSeed, bad, crlf) => {
        const k = kSeed % n;
        const rows = Array.from({ length: n }, (_, i) => [String(i + 1), '1510/UBND-TH', '16/04/2022', ISSUER, `Nhiệm vụ thứ ${i + 1} <b>đậm</b>`, 'Sở Y tế', '', '30/06/2022']);
        rows[k]![bad.col] = bad.v;
        const eol = crlf ? '\r\n' : '\n';
        const title = `DANH MỤC NHIỆM VỤ${eol}`;
        const file = tmpFile('csv', title + [HEADER, ...rows].map((r) => r.map(csvCell).join(',')).join(eol) + eol);
        const r = await readTaskFile(file, { org: config2022.org, zone: ZONE });
        const sheetRow = k + 3; // the title line, the header, then the rows
        const mine = r.problems.filter((p) => p.row === sheetRow);
        expect(mine.length, JSON.stringify({ bad, problems: r.problems })).toBeGreaterThan(0);
        expect(mine.map((p) => p.column)).toContain(HEADER[bad.col]);
        for (const p of r.problems) {
          expect(p.row).toBe(sheetRow);
          expect(formatRowProblem(p)).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: dòng ${sheetRow}, cột "`));
        }
        expect(r.rows.map((x) => x.row)).not.toContain(sheetRow);
        expect(r.rows).toHaveLength(n - 1);
      }),
      fuzz(7176_03, 150),
    );
  });

  it('answers garbage bytes with a clear error naming the file, never a crash', async () => {
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.string({ unit: 'binary', maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
      fc.constantFrom('{', '[', '{"tasks": 5}', 'null', '"x"', '[1, "a", null]', '{"tasks": [[]]}', '- - -\n  :', 'a: &a [*a]', '\u0000\u0000', 'PK\u0003\u0004junk', '﻿').map((s) => new TextEncoder().encode(s)),
    );
    await fc.assert(
      fc.asyncProperty(garbage, fc.constantFrom('json', 'yaml', 'csv', 'xlsx'), async (bytes, ext) => {
        const file = tmpFile(ext, Buffer.from(bytes));
        try {
          const r = await readTaskFile(file, { org: config2022.org, zone: ZONE });
          for (const p of [...r.problems, ...r.warnings]) expect(p.file).toBe(file);
        } catch (e) {
          expect(isDondocError(e), String((e as Error).stack)).toBe(true);
          if (!isDondocError(e)) return;
          expect(e.code).toBe('IMPORT_REJECTED');
          expect(e.message).toContain(file);
        }
      }),
      fuzz(7176_04, 200),
    );
  });

  it('refuses a 10 MB title or cell by its row and field, in seconds', async () => {
    const huge = tenMegabytes();
    const t = goodTask(1);
    t.title = huge;
    const json = await readTaskFile(tmpFile('json', JSON.stringify([goodTask(2), t])), { org: config2022.org, zone: ZONE });
    expect(json.rows.map((r) => r.row)).toEqual([1]);
    expect(json.problems).toEqual([expect.objectContaining({ row: 2, column: 'title', message: expect.stringMatching(/too long/) })]);
    expect(formatRowProblem(json.problems[0]!).length).toBeLessThan(400);

    const csv = `STT,Số ký hiệu,Ngày ban hành,Cơ quan ban hành,Nội dung nhiệm vụ,Đơn vị chủ trì,Thời hạn\n1,1510/UBND-TH,16/04/2022,${ISSUER},"${huge}",Sở Y tế,30/06/2022\n`;
    const sheet = await readTaskFile(tmpFile('csv', csv), { org: config2022.org, zone: ZONE });
    expect(sheet.rows).toEqual([]);
    expect(sheet.problems.map((p) => [p.row, p.column])).toContainEqual([2, 'Nội dung nhiệm vụ']);
    for (const p of sheet.problems) expect(formatRowProblem(p).length).toBeLessThan(400);
  });
});
