// `dondoc task …` in-process against a private Redis (and once through the real bin): show,
// list, complete, extend, cancel with history kept; nonsense refused (exit 1); usage errors
// (exit 2); Redis down (exit 3); follow-successors after a directory change.
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseInstant } from '../../src/core/zone.js';
import { ROOT, runCliCaptured, spawnDondoc } from '../support/cli.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';

const at = (iso: string): number => parseInstant(iso, 'Asia/Ho_Chi_Minh')!;
const CONFIG = path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml');
const SYT = '1510-ubnd-th-20220416-9-syt';
const SGDDT = '1510-ubnd-th-20220416-8-sgddt';
const BDT = '1510-ubnd-th-20220416-12-bdt';

let server: PrivateRedis;
const prefix = randomPrefix('cli');
let clock = at('2022-05-10T09:00');
const env = (): Record<string, string> => ({ REDIS_URL: server.url, DONDOC_KEY_PREFIX: prefix, DONDOC_CONFIG: CONFIG, DONDOC_REDIS_TIMEOUT_MS: '500', USER: 'chuyenvien' });
const dondoc = (...argv: string[]) => runCliCaptured(argv, { env: env(), now: () => clock });

beforeAll(async () => {
  server = await startRedis();
  const r = await dondoc('import', path.join(ROOT, 'tests/fixtures/1510-UBND-TH.xlsx'));
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await server?.stop();
});

describe('show and list', () => {
  it('shows a task in Vietnamese, and as the API JSON with --json', async () => {
    const r = await dondoc('task', 'show', SYT);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Chủ trì: SYT (Sở Y tế)');
    expect(r.stdout).toContain('Thời hạn: 30/06/2022');
    expect(r.stdout).toMatch(/Trạng thái: Đang thực hiện trong hạn \(còn \d+ ngày làm việc\)/);
    const j = JSON.parse((await dondoc('task', 'show', SYT, '--json')).stdout);
    expect(j.task).toMatchObject({ id: SYT, lead: 'SYT', deadline: '2022-06-30', assigned_on: '2022-04-16' });
    expect(j.status.code).toBe('within_deadline');
    expect(j.history).toEqual([expect.objectContaining({ type: 'created', by: 'import:1510-UBND-TH.xlsx' })]);
  });

  it('lists by status, body (code or name) and due date', async () => {
    const ids = async (...args: string[]) => (JSON.parse((await dondoc('task', 'list', '--json', ...args)).stdout).items as Array<{ task: { id: string } }>).map((i) => i.task.id);
    expect(await ids('--body', 'Sở Giáo dục và Đào tạo')).toEqual([SGDDT, SYT]);
    expect(await ids('--body', 'syt')).toEqual([SGDDT, SYT]);
    expect(await ids('--due-before', '2022-06-30', '--body', 'BDT')).toEqual([BDT]);
    expect(await ids('--status', 'overdue')).toEqual([]);
    const human = await dondoc('task', 'list', '--body', 'SYT');
    expect(human.stdout).toMatch(/^30\/06\/2022 {2}Đang thực hiện trong hạn/m);
    expect(human.stdout).toContain('2 nhiệm vụ');
  });

  it('refuses bad options with exit 2 and an unknown id with exit 1', async () => {
    expect((await dondoc('task', 'list', '--status', 'soon')).code).toBe(2);
    expect((await dondoc('task', 'list', '--due-before', '30/06/2022')).code).toBe(2);
    expect((await dondoc('task', 'complete', SYT, '--on', '2022-05-01', '--at', '2022-05-01T10:00')).code).toBe(2);
    expect((await dondoc('task', 'extend', SYT, '--to', '2022-07-31')).code).toBe(2);
    const unknown = await dondoc('task', 'show', 'no-such-task');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/không có nhiệm vụ mã no-such-task/);
    const body = await dondoc('task', 'list', '--body', 'Sở Y té và Giáo dục');
    expect(body.code).toBe(1);
    expect(body.stderr).toMatch(/unknown body .*did you mean/);
  });

  it('has --help on every subcommand', async () => {
    for (const sub of [['task', 'show'], ['task', 'list'], ['task', 'complete'], ['task', 'extend'], ['task', 'cancel'], ['task', 'follow-successors'], ['task', 'reindex'], ['import']]) {
      const r = await dondoc(...sub, '--help');
      expect(r.code, sub.join(' ')).toBe(0);
      expect(r.stdout).toContain(`Usage: dondoc ${sub.join(' ')}`);
    }
  });
});

describe('complete, extend, cancel', () => {
  it('completes, extends and cancels with history kept; nonsense exits 1 and writes nothing', async () => {
    clock = at('2022-06-20T10:00');
    const future = await dondoc('task', 'complete', SYT, '--on', '2022-06-21');
    expect(future.code).toBe(1);
    expect(future.stderr).toMatch(/21\/06\/2022 is in the future/);

    const done = await dondoc('task', 'complete', SYT, '--on', '2022-06-17', '--document', 'Báo cáo số 88/BC-SYT', '--note', 'Đã sẵn sàng');
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/Đã ghi nhận hoàn thành: .* — Hoàn thành đúng hạn/);
    const ext = await dondoc('task', 'extend', SYT, '--to', '2022-07-31', '--document', 'CV 2000/UBND-TH', '--approved-by', 'PCT3');
    expect(ext.code).toBe(1);
    expect(ext.stderr).toMatch(/already completed/);

    const earlier = await dondoc('task', 'extend', SGDDT, '--to', '2022-06-15', '--document', 'CV 2000/UBND-TH', '--approved-by', 'PCT3');
    expect(earlier.code).toBe(1);
    expect(earlier.stderr).toMatch(/not later than the current one/);
    const ok = await dondoc('task', 'extend', SGDDT, '--to', '2022-07-31', '--document', 'Công văn số 2000/UBND-TH ngày 18/06/2022', '--approved-by', 'Phó Chủ tịch UBND tỉnh');
    expect(ok.code).toBe(0);

    const cancel = await dondoc('task', 'cancel', BDT, '--reason', 'Thu hồi theo Công văn số 2100/UBND-TH');
    expect(cancel.code).toBe(0);
    expect((await dondoc('task', 'extend', BDT, '--to', '2022-09-30', '--document', 'CV', '--approved-by', 'PCT3')).code).toBe(1);

    const hist = async (id: string) => (JSON.parse((await dondoc('task', 'show', id, '--json')).stdout).history as Array<Record<string, unknown>>);
    expect(await hist(SYT)).toEqual([
      expect.objectContaining({ type: 'created' }),
      expect.objectContaining({ type: 'completed', by: 'cli:chuyenvien', document: 'Báo cáo số 88/BC-SYT', note: 'Đã sẵn sàng', revision: 2 }),
    ]);
    expect(await hist(SGDDT)).toEqual([expect.objectContaining({ type: 'created' }), expect.objectContaining({ type: 'extended', previous: '2022-06-30', deadline: '2022-07-31', approved_by: 'Phó Chủ tịch UBND tỉnh' })]);
    expect(await hist(BDT)).toEqual([expect.objectContaining({ type: 'created' }), expect.objectContaining({ type: 'cancelled', reason: 'Thu hồi theo Công văn số 2100/UBND-TH' })]);
    const shown = await dondoc('task', 'show', SGDDT);
    expect(shown.stdout).toContain('gia hạn  30/06/2022 → 31/07/2022');
  });
});

describe('follow-successors', () => {
  it('moves open tasks of a body that has ended to its successor, with history', async () => {
    // A directory across the 2025 reorganisation: SKHDT ended 28/02/2025, successor STC.
    const e = { ...env(), DONDOC_KEY_PREFIX: randomPrefix('succ'), DONDOC_CONFIG: path.join(ROOT, 'tests/fixtures/store/dondoc-merge.yaml') };
    const run = (...argv: string[]) => runCliCaptured(argv, { env: e, now: () => clock });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-succ-'));
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'plan.json');
    const task = (item: string, lead: string) => ({ title: 'Lập quy hoạch tỉnh', source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item }, lead, deadline: '2026-12-31' });
    fs.writeFileSync(file, JSON.stringify({ tasks: [task('2', 'Sở Kế hoạch và Đầu tư'), task('3', 'Sở Y tế')] }));
    clock = at('2022-05-10T09:00');
    expect((await run('import', file)).code).toBe(0);

    clock = at('2025-03-10T09:00');
    const dry = await run('task', 'follow-successors', '--dry-run');
    expect(dry.stdout).toContain('1510-ubnd-th-20220416-2-skhdt: SKHDT → STC');
    expect(dry.stdout).toContain('Sẽ chuyển: 1 nhiệm vụ');
    const moved = await run('task', 'follow-successors', '--json');
    expect(JSON.parse(moved.stdout)).toEqual({ dry_run: false, transfers: [{ id: '1510-ubnd-th-20220416-2-skhdt', from: 'SKHDT', to: 'STC' }] });
    const shown = await run('task', 'show', '1510-ubnd-th-20220416-2-skhdt');
    expect(shown.stdout).toContain('Chủ trì: STC (Sở Tài chính)');
    expect(shown.stdout).toMatch(/chuyển đơn vị {2}SKHDT → STC: Sở Kế hoạch và Đầu tư không còn hoạt động từ ngày 01\/03\/2025/);
    // Re-importing the 2022 file now changes nothing: the task already follows STC.
    const again = JSON.parse((await run('import', file, '--json')).stdout);
    expect(again.summary).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });
});

describe('the bin, and Redis down', () => {
  it('runs as `node bin/dondoc.mjs` (exit 0), then exits 3 with a clear message when Redis is down', async () => {
    const ok = await spawnDondoc(['task', 'show', SYT, '--json'], env());
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).task.id).toBe(SYT);

    const probe = new Redis(server.url);
    const before = await probe.call('DBSIZE');
    probe.disconnect();
    await server.kill('SIGKILL');
    const down = await dondoc('task', 'complete', SGDDT);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable \(connect ECONNREFUSED [^)]*\)\. Start Redis or set REDIS_URL/);
    expect((await dondoc('task', 'list')).code).toBe(3);
    await server.restart();
    const check = new Redis(server.url);
    try {
      expect(await check.call('DBSIZE')).toBe(before);
    } finally {
      check.disconnect();
    }
    const after = JSON.parse((await dondoc('task', 'show', SGDDT, '--json')).stdout);
    expect(after.history.map((e: { type: string }) => e.type)).toEqual(['created', 'extended']);
  });
});

describe('what the user is told', () => {
  it('says in words when REDIS_URL names something that is not Redis, never the client\'s "Please report this."', async () => {
    const http = net.createServer((sock) => sock.on('data', () => sock.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const port = (http.address() as net.AddressInfo).port;
      const r = await runCliCaptured(['task', 'list'], { env: { ...env(), REDIS_URL: `redis://127.0.0.1:${port}` }, now: () => clock });
      expect(r.code).toBe(3);
      expect(r.stderr).not.toMatch(/report this/i);
      expect(r.stderr).toContain(`Redis at redis://127.0.0.1:${port} is unreachable (something answers there, but not in the Redis protocol: is it the right host and port?)`);
    } finally {
      http.close();
    }
  });

  it('a config file that is not there is an environment problem: exit 3', async () => {
    const r = await runCliCaptured(['task', 'list', '--config', path.join(os.tmpdir(), 'no-such-dondoc.yaml')], { env: env(), now: () => clock });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no-such-dondoc\.yaml: config file not found/);
    expect((await runCliCaptured(['config', 'check', path.join(os.tmpdir(), 'no-such-dondoc.yaml')], { env: {} })).code).toBe(3);
  });

  it('task list --body says whether the body leads or coordinates each task', async () => {
    const human = await dondoc('task', 'list', '--body', 'SYT');
    expect(human.stdout).toMatch(new RegExp(`phối hợp \\(chủ trì: SGDDT\\)\\s+${SGDDT}`));
    expect(human.stdout).toMatch(new RegExp(`chủ trì\\s+${SYT}`));
    const j = JSON.parse((await dondoc('task', 'list', '--body', 'SYT', '--json')).stdout);
    expect(Object.fromEntries(j.items.map((i: { task: { id: string }; role: string }) => [i.task.id, i.role]))).toEqual({ [SGDDT]: 'coordinator', [SYT]: 'lead' });
  });
});

