// The README's examples on the shipped config: letter 1510/UBND-TH (2022), which names the
// departments of the time, Công an tỉnh, Bộ Chỉ huy Quân sự tỉnh and district committees,
// imports on the shipped directory of Thái Nguyên after 2025. Its tasks of district committees
// (ended 30/06/2025, no single successor) remind nobody: they are listed by
// `task list --status unaddressed` and on the Office page. A letter dated after a body ended
// that still names it imports with a warning saying so.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseInstant } from '../../src/core/zone.js';
import { type RunningApi, startApi } from '../../src/http/server.js';
import { ROOT, runCliCaptured } from '../support/cli.js';
import { type PrivateRedis, freePort, randomPrefix, startRedis } from '../support/redis-server.js';

const XLSX = path.join(ROOT, 'tests/fixtures/1510-UBND-TH.xlsx');
const now = parseInstant('2026-03-10T09:00', 'Asia/Ho_Chi_Minh')!;
const VIEWER = 'shipped-directory-viewer-7f3e1a9c';
let server: PrivateRedis;
let dir: string;
const prefix = randomPrefix('shipped');
// No DONDOC_CONFIG: the shipped config/dondoc.yaml and config/org.yaml.
const env = (): Record<string, string> => ({ REDIS_URL: server.url, DONDOC_KEY_PREFIX: prefix });
const dondoc = (...argv: string[]) => runCliCaptured(argv, { env: env(), now: () => now });

beforeAll(async () => {
  server = await startRedis();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-shipped-'));
});
afterAll(async () => {
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the shipped directory', () => {
  it('imports tests/fixtures/1510-UBND-TH.xlsx, following merged departments and naming what reminds nobody', async () => {
    const r = await dondoc('import', XLSX, '--json');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.summary).toEqual({ created: 14, updated: 0, unchanged: 0, rejected: 0 });
    expect(j.problems).toEqual([]);
    const ids = j.created.map((c: { id: string }) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['1510-ubnd-th-20220416-6-cat', '1510-ubnd-th-20220416-10-bchqs', '1510-ubnd-th-20220416-3-ubnd-tptn', '1510-ubnd-th-20220416-3-ubnd-phoyen']));
    // Sở Kế hoạch và Đầu tư's task went to Sở Tài chính, with history.
    const skhdt = JSON.parse((await dondoc('task', 'show', '1510-ubnd-th-20220416-2-skhdt', '--json')).stdout);
    expect(skhdt.task.lead).toBe('STC');
    expect(skhdt.history.map((e: { type: string }) => e.type)).toEqual(['created', 'transferred']);
    // The district committees' tasks: said at import.
    const said = j.warnings.map((w: { message: string }) => w.message).join('\n');
    expect(said).toMatch(/1510-ubnd-th-20220416-3-ubnd-tptn: UBND thành phố Thái Nguyên \(UBND-TPTN\) đã kết thúc hoạt động từ ngày 01\/07\/2025 và không có đơn vị kế thừa/);
  });

  it('lists the tasks that remind nobody with task list --status unaddressed', async () => {
    const j = JSON.parse((await dondoc('task', 'list', '--status', 'unaddressed', '--json')).stdout);
    expect(j.items.map((i: { task: { id: string } }) => i.task.id).sort()).toEqual(['1510-ubnd-th-20220416-10-ubnd-phoyen', '1510-ubnd-th-20220416-3-ubnd-phoyen', '1510-ubnd-th-20220416-3-ubnd-tptn']);
    expect(j.items[0].unaddressed).toMatchObject({ reason: 'ended', message: expect.stringContaining('không có đơn vị kế thừa') });
    const human = await dondoc('task', 'list', '--status', 'unaddressed');
    expect(human.stdout).toContain('không ai nhận được thư nhắc: UBND thành phố Phổ Yên (UBND-PHOYEN) đã kết thúc hoạt động từ ngày 01/07/2025');
    expect(human.stdout).toMatch(/^3 nhiệm vụ$/m);
    // Combined with a status: the overdue ones among them (all three are, in 2026).
    expect(JSON.parse((await dondoc('task', 'list', '--status', 'overdue,unaddressed', '--json')).stdout).items).toHaveLength(3);
  });

  it('warns when a letter dated after a body ended still names it', async () => {
    const file = path.join(dir, 'letter-2026.yaml');
    fs.writeFileSync(
      file,
      '- title: Rà soát hiện trạng sử dụng đất của các cơ sở giáo dục\n  source: { number: 50/UBND-KT, date: 2026-01-05, issuer: UBND tỉnh Thái Nguyên, item: "1" }\n  lead: UBND huyện Đại Từ\n  deadline: 2026-03-31\n',
    );
    const r = await dondoc('import', file, '--json');
    expect(r.code, r.stderr).toBe(0);
    const warnings = JSON.parse(r.stdout).warnings.map((w: { message: string }) => w.message);
    expect(warnings).toContainEqual(expect.stringMatching(/^UBND huyện Đại Từ \(UBND-DAITU\) đã kết thúc hoạt động ngày 30\/06\/2025, trước ngày ban hành văn bản \(05\/01\/2026\), và không có đơn vị kế thừa/));
    expect((await dondoc('task', 'show', '50-ubnd-kt-20260105-1-ubnd-daitu', '--json')).code).toBe(0);
  });

  it('shows them on the Office page', async () => {
    const api: RunningApi = await startApi({ env: { ...env(), DONDOC_HTTP_PORT: String(await freePort()), DONDOC_API_TOKENS: `o:viewer:${VIEWER}` }, config: loadConfig({ env: {} }), now: () => now });
    try {
      const page = await (await fetch(`${api.address}/office`, { headers: { authorization: `Bearer ${VIEWER}` } })).text();
      const box = /<section class="unaddressed"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
      expect(box).toContain('Nhiệm vụ không ai nhận được thư nhắc: 4');
      for (const id of ['1510-ubnd-th-20220416-3-ubnd-tptn', '50-ubnd-kt-20260105-1-ubnd-daitu']) expect(box).toContain(`data-task="${id}"`);
    } finally {
      await api.close();
    }
  });
});
