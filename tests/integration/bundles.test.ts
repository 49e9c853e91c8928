// Leaders read lists, not piles (docs/DOMAIN.md): the 1510/UBND-TH register imported on
// Fri 15/07/2022 at 09:00, when its ten tasks due 30/06 are all at level 3 (10 working days
// overdue). Before bundles the chairman and the Giám đốc Sở Nội vụ each got ten mails that
// morning; now each gets one list of ten, the Office one, each leader one with the tasks of
// their field, each head one — and the admin API lists failures a page at a time.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readTaskFile } from '../../src/import/read-task-file.js';
import { buildApp } from '../../src/http/app.js';
import { parseEnv } from '../../src/config/env.js';
import { ROOT } from '../support/cli.js';
import { DOMAIN, type Harness, at, makeHarness, until } from '../support/delivery-harness.js';
import { assertDeliveryInvariant, dueIds, readDeliveryLog, settled } from '../support/fault-invariants.js';
import { type PrivateRedis, startRedis } from '../support/redis-server.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

const CHAIRMAN = 'chutich.ubnd@thainguyen.example.gov.vn';
const SNV = 'giamdoc.snv@thainguyen.example.gov.vn';
const VP = 'chanhvanphong.vpubnd@thainguyen.example.gov.vn';
const XLSX = path.join(ROOT, 'tests/fixtures/1510-UBND-TH.xlsx');

let server: PrivateRedis;
let smtp: TestSmtp;
let h: Harness;

beforeAll(async () => {
  [server, smtp] = await Promise.all([startRedis(), startSmtp()]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), smtp?.stop()]);
});
beforeEach(async () => {
  await smtp.setMode('accept');
  smtp.reset();
});
afterEach(async () => {
  await h?.close();
});

async function importRegister(): Promise<string[]> {
  const read = await readTaskFile(XLSX, { org: h.cfg.org, zone: h.cfg.config.timezone });
  expect(read.problems).toEqual([]);
  const ids: string[] = [];
  for (const r of read.rows) ids.push((await h.service.create(r.input, 'import:test')).task.id);
  return ids;
}

describe('the 1510/UBND-TH register at go-live, 15/07/2022 09:00', () => {
  it('the chairman gets one list of ten, Sở Nội vụ one; nobody more than one escalation mail', async () => {
    h = await makeHarness(server, smtp, { start: at('2022-07-15T09:00') });
    const ids = await importRegister();
    expect(ids).toHaveLength(14);
    const e = await h.engine();
    await e.tick();
    const tasks = await Promise.all(ids.map(async (id) => (await h.store.get(id))!));
    const due = dueIds(tasks, [{ now: h.clock.now(), config: h.cfg }]);
    const records = await settled(h.redis, h.prefix, due, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    assertDeliveryInvariant({ received: smtp.messages, records, due, domain: DOMAIN });

    const escalations = smtp.messages.filter((m) => !m.messageId?.includes('digest'));
    const to = (email: string) => escalations.filter((m) => m.envelope.to[0] === email);
    expect(to(CHAIRMAN)).toHaveLength(1);
    expect(to(CHAIRMAN)[0]!.items).toHaveLength(10);
    expect(to(CHAIRMAN)[0]!.subject).toBe('Danh sách 10 nhiệm vụ quá hạn chưa hoàn thành – ngày 15/07/2022');
    expect(to(SNV)).toHaveLength(1);
    expect(to(SNV)[0]!.items).toHaveLength(10);
    expect(to(VP)).toHaveLength(1);
    // One escalation mail per person this morning, whoever they are.
    const people = new Set(escalations.map((m) => m.envelope.to[0]));
    for (const p of people) expect(to(p!), p).toHaveLength(1);
    // Every item is in the log with its own notification id, under its list's Message-ID.
    const list = to(CHAIRMAN)[0]!;
    const log = await readDeliveryLog(h.redis, h.prefix);
    for (const item of list.items) expect(log.find((r) => r.id === item)).toMatchObject({ state: 'sent', messageId: list.messageId, mail: /^<(.+)@/.exec(list.messageId!)![1] });
    expect(list.text).toMatch(/^Kính gửi: Chủ tịch UBND tỉnh\n/);
    // Ten rows, each with its letter item and days overdue.
    for (let k = 1; k <= 10; k++) expect(list.text).toContain(`\n${k}. `);
    expect(list.text).toContain('Tình trạng: Đã quá hạn 11 ngày làm việc (quá hạn cấp 3)');
  });

  it('a task completed before its list goes out drops out of it; an empty list is not sent', async () => {
    h = await makeHarness(server, smtp, { start: at('2022-07-15T09:00') });
    const ids = await importRegister();
    // Two open tasks of Sở Thông tin và Truyền thông (items 6 and 11) in the head's list of the day.
    const stttt = ids.filter((id) => id.endsWith('-stttt'));
    expect(stttt).toHaveLength(2);
    const e = await h.engine({ roles: { scheduler: true, worker: false } });
    await e.tick();
    await until(async () => (await e.queueDepth()).delayed + (await e.queueDepth()).waiting > 0, 'the bundles waiting');
    // One of them is completed before the lists go out.
    await h.service.complete(stttt[0]!, {}, 'test');
    await h.engine({ roles: { scheduler: false, worker: true } });
    const head = await until(() => smtp.messages.find((m) => m.envelope.to[0] === 'giamdoc.stttt@thainguyen.example.gov.vn'), "the head's mail", 10_000);
    // One item left: it goes as that task's own mail, not a list of one.
    expect(head.items).toHaveLength(1);
    expect(head.items[0]!.startsWith(`${stttt[1]}_`)).toBe(true);
    expect(head.subject).toMatch(/^\[Quá hạn – cấp 3\] /);
    const skipped = (await readDeliveryLog(h.redis, h.prefix)).filter((r) => r.taskId === stttt[0] && r.state === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    for (const r of skipped) expect(r.reason).toMatch(/^completed/);
  });
});

describe('GET /api/deliveries', () => {
  it('lists failures newest first a page at a time, for an admin only', async () => {
    h = await makeHarness(server, smtp, { start: at('2022-07-01T10:00') });
    await smtp.setMode('reject-rcpt:giamdoc.syt@thainguyen.example.gov.vn,chanhvanphong.vpubnd@thainguyen.example.gov.vn');
    await h.overdue(1);
    await h.overdue(1, 13); // Sở Y tế again: the head's list of two
    const e = await h.engine();
    await e.tick();
    await until(async () => (await e.log.listFailed()).length === 4, 'four failed copies');
    const app = buildApp({
      store: h.store,
      redis: h.redis,
      calendar: h.cfg.calendar,
      org: h.cfg.org,
      tokens: parseEnv({ DONDOC_API_TOKENS: 'ops:admin:admin-token-0123456789abcdef,board:viewer:viewer-token-0123456789abcdef' }).apiTokens,
      now: h.clock.now,
    });
    await app.ready();
    try {
      const get = (url: string, token = 'admin-token-0123456789abcdef') => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      const first = await get('/api/deliveries?state=failed&limit=3');
      expect(first.statusCode, first.body).toBe(200);
      const p1 = first.json() as { items: Array<{ id: string; state: string; to: string[] }>; more: number; cursor?: string };
      expect(p1.items).toHaveLength(3);
      expect(p1.more).toBe(1);
      expect(p1.items.every((i) => i.state === 'failed' && i.to.length === 1)).toBe(true);
      const p2 = (await get(`/api/deliveries?state=failed&limit=3&cursor=${p1.cursor}`)).json() as { items: Array<{ id: string }>; more: number; cursor?: string };
      expect(p2.items).toHaveLength(1);
      expect(p2.more).toBe(0);
      expect(p2.cursor).toBeUndefined();
      expect(new Set([...p1.items, ...p2.items].map((i) => i.id)).size).toBe(4);
      expect((await get('/api/deliveries?state=failed', 'viewer-token-0123456789abcdef')).statusCode).toBe(403);
      expect((await app.inject({ method: 'GET', url: '/api/deliveries?state=failed' })).statusCode).toBe(401);
      expect((await get('/api/deliveries')).statusCode).toBe(400);
    } finally {
      await app.close();
    }
  });
});
