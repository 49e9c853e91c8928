// `dondoc import` end to end, in-process, against a private Redis: the tasks of letter
// 1510/UBND-TH from the clerk's spreadsheet, re-import changing nothing, a moved deadline
// recorded once, bad rows all reported with nothing written, --partial, --dry-run, and
// status events recorded by a later file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseIsoDay } from '../../src/core/day.js';
import { parseInstant } from '../../src/core/zone.js';
import { makeTaskStore, type TaskStore } from '../../src/store/task-store.js';
import { ROOT, runCliCaptured } from '../support/cli.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';

const at = (iso: string): number => parseInstant(iso, 'Asia/Ho_Chi_Minh')!;
const day = (iso: string): number => parseIsoDay(iso)!;
const CONFIG = path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml');
const XLSX = path.join(ROOT, 'tests/fixtures/1510-UBND-TH.xlsx');
const CSV = path.join(ROOT, 'tests/fixtures/1510-UBND-TH.csv');

let server: PrivateRedis;
let redis: Redis;
let prefix: string;
let store: TaskStore;
let clock = at('2022-05-10T09:00');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-import-'));

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  clock = at('2022-05-10T09:00');
  prefix = randomPrefix('imp');
  store = makeTaskStore({ redis, url: server.url, prefix, calendar: loadConfig({ file: CONFIG }).calendar, now: () => clock });
});

const dondoc = (...argv: string[]) => runCliCaptured(argv, { env: { REDIS_URL: server.url, DONDOC_KEY_PREFIX: prefix, DONDOC_CONFIG: CONFIG, USER: 'vanthu' }, now: () => clock });
const importJson = async (file: string, ...flags: string[]) => {
  const r = await dondoc('import', file, '--json', ...flags);
  return { ...r, out: JSON.parse(r.stdout) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
/** Every task with its revision and history length: what "nothing changed" compares. */
const snapshot = async () => {
  const out: Record<string, { revision: number; history: number; json: string }> = {};
  for await (const ids of store.ids()) for (const id of ids) {
    const g = (await store.getWithHistory(id))!;
    out[id] = { revision: g.task.revision, history: g.history.length, json: JSON.stringify(g.task) };
  }
  return out;
};

describe('dondoc import: letter 1510/UBND-TH', () => {
  it('imports the spreadsheet: one task per lead body, assigned 16/04/2022, due 30/06/2022 or 31/12/2022 for "Năm 2022"', async () => {
    const r = await importJson(XLSX);
    expect(r.code).toBe(0);
    expect(r.out.summary).toEqual({ created: 14, updated: 0, unchanged: 0, rejected: 0 });
    const t = async (id: string) => (await store.get(id))!;
    const syt = await t('1510-ubnd-th-20220416-9-syt');
    expect(syt).toMatchObject({ lead: 'SYT', coordinators: ['SGDDT'], leader: 'PCT3', assignedOn: day('2022-04-16'), deadline: { day: day('2022-06-30') } });
    expect(syt.source).toMatchObject({ number: '1510/UBND-TH', date: day('2022-04-16'), item: '9' });
    // "Năm 2022" → 31/12/2022.
    for (const id of ['1510-ubnd-th-20220416-2-skhdt', '1510-ubnd-th-20220416-7-snnptnt', '1510-ubnd-th-20220416-10-bchqs']) expect((await t(id)).deadline).toEqual({ day: day('2022-12-31') });
    // An item addressed to two bodies becomes two tasks.
    expect((await t('1510-ubnd-th-20220416-3-ubnd-tptn')).coordinators).toEqual(['STNMT', 'SGTVT']);
    expect((await t('1510-ubnd-th-20220416-3-ubnd-phoyen')).lead).toBe('UBND-PHOYEN');
    const h = await store.history('1510-ubnd-th-20220416-9-syt');
    expect(h).toEqual([expect.objectContaining({ type: 'created', by: 'import:1510-UBND-TH.xlsx', revision: 1 })]);
    // Listed soonest deadline first, status derived now (10/05/2022).
    const list = await store.list({ status: ['within_deadline'] });
    expect(list.items).toHaveLength(14);
    expect(list.items[0]!.status.effectiveDay).toBe(day('2022-06-30'));
  });

  it('re-importing the same tasks (the xlsx, then the same register as CSV) changes nothing', async () => {
    await importJson(XLSX);
    const before = await snapshot();
    clock = at('2022-05-20T10:00');
    for (const f of [XLSX, CSV]) {
      const r = await importJson(f);
      expect(r.code).toBe(0);
      expect(r.out.summary).toEqual({ created: 0, updated: 0, unchanged: 14, rejected: 0 });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('records a deadline moved in a re-import as one updated event', async () => {
    await importJson(CSV);
    const moved = path.join(tmp, '1510-moved.csv');
    const text = fs.readFileSync(CSV, 'utf8');
    // The "Thời hạn" cell of item 9 (the same words also end its content cell).
    expect(text).toContain(',hoàn thành trong quý II năm 2022,');
    fs.writeFileSync(moved, text.replace(',hoàn thành trong quý II năm 2022,', ',31/07/2022,'));
    const r = await importJson(moved);
    expect(r.out.summary).toEqual({ created: 0, updated: 1, unchanged: 13, rejected: 0 });
    expect(r.out.updated).toEqual([{ id: '1510-ubnd-th-20220416-9-syt', row: 17, changes: { deadline: { from: '2022-06-30', to: '2022-07-31' } }, events: ['updated'] }]);
    const h = await store.history('1510-ubnd-th-20220416-9-syt');
    expect(h.map((e) => [e.type, e.revision])).toEqual([
      ['created', 1],
      ['updated', 2],
    ]);
    expect((await importJson(moved)).out.summary.updated).toBe(0);
  });

  it('records completions and extensions a later register brings, once', async () => {
    await importJson(XLSX);
    clock = at('2023-01-10T09:00');
    const r = await importJson(path.join(ROOT, 'tests/fixtures/1510-UBND-TH-events.yaml'));
    expect(r.code).toBe(0);
    const status = async (id: string) => store.statusOf((await store.get(id))!).status;
    expect(await status('1510-ubnd-th-20220416-3-skhdt')).toBe('on_time');
    expect(await status('1510-ubnd-th-20220416-5-ttt')).toBe('late');
    const bdt = (await store.getWithHistory('1510-ubnd-th-20220416-12-bdt'))!;
    expect(bdt.history.at(-1)).toMatchObject({ type: 'extended', approvedBy: 'Chủ tịch UBND tỉnh' });
    const again = await importJson(path.join(ROOT, 'tests/fixtures/1510-UBND-TH-events.yaml'));
    expect(again.out.summary).toMatchObject({ created: 0, updated: 0, unchanged: 14 });
  });
});

describe('dondoc import: bad rows', () => {
  const BAD = path.join(ROOT, 'tests/fixtures/import/bad-rows.csv');

  it('reports every bad row (row, column, value, reason), writes nothing, exits 1', async () => {
    const r = await importJson(BAD);
    expect(r.code).toBe(1);
    expect(r.out.written).toBe(false);
    expect(r.out.summary).toMatchObject({ created: 0, rejected: 7 });
    expect(r.out.problems).toContainEqual({ row: 4, column: 'Ngày ban hành', value: '31/02/2022', message: 'không phải một ngày có thật' });
    expect(r.out.problems).toContainEqual(expect.objectContaining({ row: 5, column: 'Đơn vị chủ trì', value: 'Sở Tài chánh và Kế hoạch', message: expect.stringContaining('Sở Tài chính') }));
    expect(new Set((r.out.problems as Array<{ row: number }>).map((p) => p.row))).toEqual(new Set([4, 5, 6, 7, 8, 9, 10]));
    expect(r.stderr).toMatch(/7 dòng bị từ chối; không ghi nhiệm vụ nào/);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });

  it('prints the problems for people too', async () => {
    const r = await dondoc('import', BAD);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('bad-rows.csv: dòng 6, cột "STT": "4": mã nhiệm vụ "1510-ubnd-th-20220416-4-sxd" trùng với dòng 7');
    expect(r.stdout).toMatch(/bị từ chối 7/);
  });

  it('with --partial writes the good rows and still exits 1', async () => {
    const r = await importJson(BAD, '--partial');
    expect(r.code).toBe(1);
    expect(r.out.summary).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 7 });
    expect(await store.get('1510-ubnd-th-20220416-1-syt')).not.toBeNull();
  });

  it('with --dry-run says what would happen and writes nothing', async () => {
    const r = await importJson(XLSX, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toMatchObject({ dry_run: true, written: false, summary: { created: 14 } });
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });
});

describe('dondoc import: NFD text and Vietnamese headers', () => {
  it('imports an .xlsx written with decomposed (NFD) Vietnamese and stores NFC', async () => {
    clock = at('2022-12-01T09:00'); // after the completion and extension the sheet records
    const r = await importJson(path.join(ROOT, 'tests/fixtures/import/nfd-headers.xlsx'));
    expect(r.code).toBe(0);
    expect(r.out.summary.created).toBe(3);
    const t = (await store.get('tn-2022-dt-01'))!;
    expect(t.lead).toBe('SKHDT');
    expect(t.title).toBe(t.title.normalize('NFC'));
    expect(t.title).toContain('Đẩy mạnh giải ngân vốn đầu tư công');
  });
});

describe('dondoc import: Redis down', () => {
  it('exits 3 with a clear message and writes nothing; the same import then succeeds', async () => {
    const own = await startRedis();
    const env = { REDIS_URL: own.url, DONDOC_KEY_PREFIX: prefix, DONDOC_CONFIG: CONFIG, DONDOC_REDIS_TIMEOUT_MS: '500' };
    try {
      await own.kill('SIGKILL');
      const down = await runCliCaptured(['import', XLSX], { env, now: () => clock });
      expect(down.code).toBe(3);
      expect(down.stderr).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable \(connect ECONNREFUSED/);
      await own.restart();
      const check = new Redis(own.url);
      expect(await check.dbsize()).toBe(0);
      check.disconnect();
      const up = await runCliCaptured(['import', XLSX, '--json'], { env, now: () => clock });
      expect(up.code).toBe(0);
      expect(JSON.parse(up.stdout).summary.created).toBe(14);
    } finally {
      await own.stop();
    }
  });
});
