// `dondoc report` against a private Redis: the fixture imported as a clerk would, the events the
// reply links will write pushed onto task histories, escalation records in the delivery log —
// then every hand-counted figure through the CLI, the xlsx read back, csv/html/json, one body,
// freezing a closed period (later edits do not change it), and the errors (exit 1, 2, 3).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInstant } from '../../src/core/zone.js';
import { LATE_COLUMNS, SUMMARY_COLUMNS } from '../../src/report/view.js';
import { SHEET_LATE, SHEET_SUMMARY, SHEET_TASKS } from '../../src/report/xlsx.js';
import { ROOT, runCliCaptured } from '../support/cli.js';
import { type PrivateRedis, freePort, randomPrefix, startRedis } from '../support/redis-server.js';

const at = (iso: string): number => parseInstant(iso, 'Asia/Ho_Chi_Minh')!;
const CONFIG = path.join(ROOT, 'tests/fixtures/report/dondoc.yaml');
const TASKS = path.join(ROOT, 'tests/fixtures/report/tasks-2022-06.yaml');
const JUNE = ['--from', '2022-06-01', '--to', '2022-06-30'];

let server: PrivateRedis;
let redis: Redis;
let dir: string;
const prefix = randomPrefix('report');
let clock = at('2022-07-15T09:00');
const env = (): Record<string, string> => ({ REDIS_URL: server.url, DONDOC_KEY_PREFIX: prefix, DONDOC_CONFIG: CONFIG, DONDOC_REDIS_TIMEOUT_MS: '500', USER: 'chuyenvien' });
const dondoc = (...argv: string[]) => runCliCaptured(argv, { env: env(), now: () => clock });
const json = async (...argv: string[]) => {
  const r = await dondoc('report', ...JUNE, '--format', 'json', ...argv);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, any>;
};
const totalsRow = (t: Record<string, any>) => [
  t.assigned,
  t.on_time,
  t.late,
  t.within_deadline,
  t.overdue,
  t.no_deadline,
  t.extensions_requested,
  t.extensions_approved,
  t.noncooperation,
  t.escalations.level1,
  t.escalations.level2,
  t.escalations.level3,
  t.working_days_late,
  t.average_working_days_late,
];

const escalation = (level: number, state: string, sentAt: number) => JSON.stringify({ id: `x-e${level}-${sentAt}`, kind: 'escalation', level, state, plannedAt: sentAt, sentAt });

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-report-'));
  const imported = await dondoc('import', TASKS);
  expect(imported.code).toBe(0);
  // What the reply links will record (issue 6, item 1), in the task histories.
  const push = (id: string, e: Record<string, unknown>) => redis.rpush(`${prefix}:task:{${id}}:history`, JSON.stringify(e));
  await push('rpt-t4', { type: 'noncooperation_reported', at: at('2022-06-22T10:00'), by: 'link:giamdoc.stc', revision: 1, coordinator: 'STNMT', reason: 'Chưa cung cấp số liệu' });
  await push('rpt-t14', { type: 'noncooperation_reported', at: at('2022-06-10T10:00'), by: 'link:giamdoc.sgddt', revision: 1, coordinator: 'SYT' });
  await push('rpt-t9', { type: 'extension_requested', at: at('2022-06-20T15:00'), by: 'link:giamdoc.syt', revision: 2, occurrence: 'once' });
  await push('rpt-t7', { type: 'extension_requested', at: at('2022-06-27T09:00'), by: 'link:giamdoc.stc', revision: 2, occurrence: 'once' });
  // The delivery log (docs/DELIVERY.md): only sent escalations up to the end of June count.
  const log = (id: string, records: string[]) => redis.hset(`${prefix}:delivery:{${id}}`, Object.fromEntries(records.map((r, i) => [`n${i}`, r])));
  await log('rpt-t4', [
    escalation(1, 'sent', at('2022-06-21T07:30')),
    escalation(2, 'sent', at('2022-06-24T07:30')),
    escalation(3, 'skipped', at('2022-06-29T07:30')),
    JSON.stringify({ id: 'x-r', kind: 'reminder', level: 0, state: 'sent', sentAt: at('2022-06-15T07:30') }),
  ]);
  await log('rpt-t5', [escalation(1, 'sent', at('2022-05-23T07:30')), escalation(2, 'sent', at('2022-05-30T07:30')), escalation(3, 'sent', at('2022-06-06T07:30')), escalation(3, 'sent', at('2022-07-05T07:30'))]);
  await log('rpt-t6', [escalation(1, 'sent', at('2022-05-26T07:30'))]);
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('figures from the registry', () => {
  it('match the hand count, with link events and escalations read from Redis', async () => {
    const j = await json();
    expect(totalsRow(j.totals)).toEqual([12, 4, 2, 0, 5, 1, 1, 1, 1, 2, 2, 1, 72, 10.29]);
    expect(j.bodies.map((b: Record<string, any>) => [b.code, ...totalsRow(b)])).toEqual([
      ['STC', 5, 2, 1, 0, 2, 0, 0, 0, 0, 2, 2, 1, 40, 13.33],
      ['STNMT', 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1],
      ['SGDDT', 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 26, 26],
      ['SYT', 4, 1, 0, 0, 2, 1, 1, 1, 0, 0, 0, 0, 5, 2.5],
    ]);
    expect(j.late_tasks.map((t: Record<string, any>) => `${t.id}/${t.occurrence}:${t.working_days_late}`)).toEqual([
      'rpt-t5/once:29',
      'rpt-t3/once:3',
      'rpt-t4/once:8',
      'rpt-t16/once:1',
      'rpt-t15/2022-05:26',
      'rpt-t9/once:4',
      'rpt-t10/once:1',
    ]);
    expect(j.excluded).toEqual({ cancelled: 1 });
    expect(j.notes).toEqual([]);
  });

  it('reports one body named by code or name', async () => {
    const j = await json('--body', 'Sở Tài nguyên và Môi trường');
    expect(j.body).toEqual({ code: 'STNMT', name: 'Sở Tài nguyên và Môi trường' });
    expect(totalsRow(j.totals)).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1]);
    expect(j.noncooperation).toEqual([expect.objectContaining({ task: 'rpt-t4', body: 'STNMT', reported_by: 'STC' })]);
  });
});

describe('formats', () => {
  it('writes an xlsx that reads back with the sheets, headers and figures', async () => {
    const out = path.join(dir, 'bao-cao-thang-6.xlsx');
    const r = await dondoc('report', ...JUNE, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2022-06-01 – 2022-06-30: 12 nhiệm vụ; hoàn thành đúng hạn 4, hoàn thành quá hạn 2, trong hạn 0, đang quá hạn 5, không thời hạn 1; 7 nhiệm vụ chậm, muộn');
    expect(r.stdout).toContain(`Đã ghi ${out}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual([SHEET_SUMMARY, SHEET_LATE, SHEET_TASKS]);
    const sum = wb.getWorksheet(SHEET_SUMMARY)!;
    let h = 1;
    while (sum.getCell(h, 1).value !== 'STT') h++;
    expect((sum.getRow(h).values as unknown[]).slice(1)).toEqual(SUMMARY_COLUMNS.map((c) => c.header));
    expect((sum.getRow(h + 1).values as unknown[]).slice(1)).toEqual([1, 'STC', 'Sở Tài chính', 5, 2, 1, 0, 2, 0, 0, 0, 0, 2, 2, 1, 40, 13.33]);
    expect((sum.getRow(h + 5).values as unknown[]).slice(3)).toEqual(['Tổng cộng', 12, 4, 2, 0, 5, 1, 1, 1, 1, 2, 2, 1, 72, 10.29]);
    const late = wb.getWorksheet(SHEET_LATE)!;
    let lh = 1;
    while (late.getCell(lh, 1).value !== 'STT') lh++;
    expect((late.getRow(lh).values as unknown[]).slice(1)).toEqual(LATE_COLUMNS.map((c) => c.header));
    expect(late.getCell(lh + 7, 2).value).toBe('rpt-t10');
    expect(late.getCell(lh + 7, 9).value).toBe('chưa hoàn thành');
    // No temporary file is left behind.
    expect(fs.readdirSync(dir)).toEqual(['bao-cao-thang-6.xlsx']);
  });

  it('prints csv with a BOM and html with every text escaped', async () => {
    const csv = await dondoc('report', ...JUNE, '--format', 'csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout.charCodeAt(0)).toBe(0xfeff);
    expect(csv.stdout).toContain('\r\n1,STC,Sở Tài chính,5,2,1,0,2,0,0,0,0,2,2,1,40,13.33\r\n');
    const html = await dondoc('report', ...JUNE, '--format', 'html');
    expect(html.stdout).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html.stdout).not.toContain('<script>');
    // The format follows --out when --format is not given.
    const out = path.join(dir, 'r.html');
    expect((await dondoc('report', ...JUNE, '--out', out)).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('reports on a task file without Redis', async () => {
    const r = await runCliCaptured(['report', ...JUNE, '--tasks', TASKS, '--format', 'json'], { env: { ...env(), REDIS_URL: `redis://127.0.0.1:${await freePort()}` }, now: () => clock });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    // Without the links and the delivery log: no requests, reports or escalations, and it says so.
    expect(totalsRow(j.totals)).toEqual([12, 4, 2, 0, 5, 1, 0, 1, 0, 0, 0, 0, 72, 10.29]);
    expect(j.notes).toHaveLength(3);
  });
});

describe('errors', () => {
  it('exit 2 for usage, 1 for an unknown body, 3 when Redis is down', async () => {
    expect((await dondoc('report', ...JUNE, '--format', 'xlsx')).code).toBe(2);
    expect((await dondoc('report', '--from', '2022-06-31', '--to', '2022-07-01')).code).toBe(2);
    expect((await dondoc('report', '--from', '2022-06-30', '--to', '2022-06-01')).code).toBe(2);
    expect((await dondoc('report', ...JUNE, '--format', 'pdf')).code).toBe(2);
    expect((await dondoc('report', ...JUNE, '--out', path.join(dir, 'x.docx'))).code).toBe(2);
    expect((await dondoc('report', ...JUNE, '--tasks', TASKS, '--freeze')).code).toBe(2);
    const body = await dondoc('report', ...JUNE, '--body', 'Sở Tài chánh và Y tế');
    expect(body.code).toBe(1);
    expect(body.stderr).toMatch(/unknown body .*did you mean/);
    const down = await runCliCaptured(['report', ...JUNE], { env: { ...env(), REDIS_URL: `redis://127.0.0.1:${await freePort()}` }, now: () => clock });
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);
  });
});

describe('freezing a closed period', () => {
  it('refuses a period that has not ended', async () => {
    const saved = clock;
    clock = at('2022-06-30T16:00');
    try {
      const r = await dondoc('report', ...JUNE, '--freeze');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/has not ended yet: only a closed period can be frozen/);
      expect(await redis.exists(`${prefix}:report:snapshot:2022-06-01:2022-06-30:all`)).toBe(0);
    } finally {
      clock = saved;
    }
  });

  it('keeps the frozen figures when tasks change later', async () => {
    const frozen = await dondoc('report', ...JUNE, '--format', 'json', '--freeze');
    expect(frozen.code).toBe(0);
    expect(frozen.stderr).toContain(`số liệu đã được chốt (${prefix}:report:snapshot:2022-06-01:2022-06-30:all)`);
    expect(await redis.exists(`${prefix}:report:snapshot:2022-06-01:2022-06-30:all`)).toBe(1);

    // A completion entered later, dated in June: a live report would now count t4 as done late.
    clock = at('2022-07-20T09:00');
    expect((await dondoc('task', 'complete', 'rpt-t4', '--on', '2022-06-28')).code).toBe(0);
    const live = await json('--body', 'STC');
    expect([live.totals.late, live.totals.overdue]).toEqual([2, 1]);

    const again = await dondoc('report', ...JUNE, '--format', 'json');
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/^dùng số liệu đã chốt lúc 09:00 ngày 15\/07\/2022/);
    const j = JSON.parse(again.stdout);
    expect(totalsRow(j.totals)).toEqual([12, 4, 2, 0, 5, 1, 1, 1, 1, 2, 2, 1, 72, 10.29]);
    expect(j.frozen).toEqual({ at: '2022-07-15T09:00:00+07:00', key: `${prefix}:report:snapshot:2022-06-01:2022-06-30:all` });
    expect(j.notes.at(-1)).toMatch(/^Số liệu đã được chốt lúc 09:00 ngày 15\/07\/2022/);

    // Freezing again keeps the first snapshot.
    const twice = await dondoc('report', ...JUNE, '--format', 'json', '--freeze');
    expect(JSON.parse(twice.stdout).generated_at).toBe('2022-07-15T09:00:00+07:00');
  });
});
