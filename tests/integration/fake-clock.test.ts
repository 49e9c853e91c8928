// One clock: with DONDOC_FAKE_NOW set (the README's demo) every command reads the time from it
// as the service does — stamps in history, status lines, previews without --at, reports, mutes —
// and a change made from the command line is due for the scheduler at once, like the same
// change through the API. The fake instant is years away from the real clock, so a command
// that read the real one would show it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseInstant } from '../../src/core/zone.js';
import { startApi, type RunningApi } from '../../src/http/server.js';
import { connectRedis } from '../../src/store/redis.js';
import { makeSchedule } from '../../src/store/schedule.js';
import { ROOT, runCliCaptured } from '../support/cli.js';
import { type PrivateRedis, freePort, randomPrefix, startRedis } from '../support/redis-server.js';

const CONFIG = path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml');
const FAKE = '2022-06-20T09:00';
const fakeAt = parseInstant(FAKE, 'Asia/Ho_Chi_Minh')!;
const SYT = '1510-ubnd-th-20220416-9-syt';
const SGDDT = '1510-ubnd-th-20220416-8-sgddt';
const STC = '1510-ubnd-th-20220416-3-stc';
const ADMIN = 'fake-clock-admin-token-3c1d9a';

let server: PrivateRedis;
let dir: string;
const prefix = randomPrefix('clock');
const env = (): Record<string, string> => ({ REDIS_URL: server.url, DONDOC_KEY_PREFIX: prefix, DONDOC_CONFIG: CONFIG, DONDOC_FAKE_NOW: FAKE, USER: 'chuyenvien' });
// No injected clock: each command makes its own from the environment, as `npx dondoc` does.
const dondoc = (...argv: string[]) => runCliCaptured(argv, { env: env() });
const json = async (...argv: string[]) => {
  const r = await dondoc(...argv, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};
/** "2022-06-20T09:00:03+07:00" → within a minute of the fake start. */
const nearFake = (iso: string): boolean => Math.abs(Date.parse(iso) - fakeAt) < 60_000;

const TASKS = `
- title: Chuẩn bị tốt các điều kiện tổ chức các kỳ thi năm 2022
  source: { number: 1510/UBND-TH, date: 2022-04-16, issuer: UBND tỉnh Thái Nguyên, item: "8" }
  lead: SGDDT
  deadline: 2022-06-30
- title: Chuẩn bị sẵn sàng điều kiện tiêm vắc-xin phòng COVID-19 cho trẻ em
  source: { number: 1510/UBND-TH, date: 2022-04-16, issuer: UBND tỉnh Thái Nguyên, item: "9" }
  lead: SYT
  deadline: 2022-06-30
- title: Đẩy mạnh giải ngân vốn đầu tư công
  source: { number: 1510/UBND-TH, date: 2022-04-16, issuer: UBND tỉnh Thái Nguyên, item: "3" }
  lead: STC
  deadline: 2022-06-30
`;

beforeAll(async () => {
  server = await startRedis();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-clock-'));
  fs.writeFileSync(path.join(dir, 'tasks.yaml'), TASKS);
  const r = await dondoc('import', path.join(dir, 'tasks.yaml'));
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('every command reads DONDOC_FAKE_NOW', () => {
  it('import stamps "created" with the fake time', async () => {
    const j = await json('task', 'show', SYT);
    expect(j.history).toHaveLength(1);
    expect(nearFake(j.history[0].at), j.history[0].at).toBe(true);
  });

  it('task list and task show give the status as of the fake time', async () => {
    const list = await json('task', 'list');
    expect(list.items.map((i: { status: { code: string } }) => i.status.code)).toEqual(['within_deadline', 'within_deadline', 'within_deadline']);
    const human = await dondoc('task', 'show', SYT);
    // 20/06 → 30/06/2022: 8 working days left (21–24, 27–30).
    expect(human.stdout).toContain('Trạng thái: Đang thực hiện trong hạn (còn 8 ngày làm việc)');
    expect(human.stdout).toMatch(/^ {2}20\/06\/2022 09:00 {2}tạo mới/m);
  });

  it('preview without --at plans as of the fake time', async () => {
    const r = await dondoc('preview', SYT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^(Plan as of|Lịch gửi tính đến) 2022-06-20T09:00/);
    const j = await json('preview', SYT);
    expect(nearFake(j.at)).toBe(true);
    expect(j.tasks[0].status).toBe('within_deadline');
    // The first reminder still to come: 5 working days before 30/06.
    expect(j.tasks[0].notifications.find((n: { state: string }) => n.state === 'planned')?.at).toBe('2022-06-23T07:30:00+07:00');
  });

  it('task complete without --on is done now, on time', async () => {
    const r = await dondoc('task', 'complete', SGDDT, '--document', 'Báo cáo số 12/BC-SGDĐT');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Hoàn thành đúng hạn');
    const j = await json('task', 'show', SGDDT);
    const done = j.history.find((e: { type: string }) => e.type === 'completed');
    expect(nearFake(done.at) && nearFake(done.completed_at)).toBe(true);
  });

  it('task extend is stamped with the fake time and is due for the scheduler at once, like the API', async () => {
    const redis = await connectRedis(server.url, { role: 'cli' });
    try {
      const schedule = makeSchedule(redis, prefix);
      // The scheduler had planned the task for later (its first reminder, in the fake time).
      await redis.zadd(schedule.key, fakeAt + 3 * 86_400_000, SYT, fakeAt + 3 * 86_400_000, STC);
      const r = await dondoc('task', 'extend', SYT, '--to', '2022-07-29', '--document', 'Công văn số 2000/UBND-TH ngày 20/06/2022', '--approved-by', 'PCT UBND tỉnh');
      expect(r.code, r.stderr).toBe(0);
      const j = await json('task', 'show', SYT);
      const ext = j.history.find((e: { type: string }) => e.type === 'extended');
      expect(nearFake(ext.at), ext.at).toBe(true);
      const [cliScore] = await schedule.scores([SYT]);
      expect(Math.abs(cliScore! - fakeAt)).toBeLessThan(60_000);

      // The same through the API of a service on the same fake clock.
      const config = loadConfig({ file: CONFIG });
      const api: RunningApi = await startApi({ env: { ...env(), DONDOC_HTTP_PORT: String(await freePort()), DONDOC_API_TOKENS: `a:admin:${ADMIN}` }, config });
      try {
        const res = await fetch(`${api.address}/api/tasks/${STC}/extend`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ deadline: '2022-07-29', document: 'Công văn số 2001/UBND-TH ngày 20/06/2022', approved_by: 'PCT UBND tỉnh' }),
        });
        expect(res.status).toBe(200);
      } finally {
        await api.close();
      }
      const [apiScore] = await schedule.scores([STC]);
      expect(Math.abs(apiScore! - fakeAt)).toBeLessThan(60_000);

      // And the new ladder is the one planned: its first reminder, 5 working days before 29/07.
      const p = await json('preview', SYT);
      const planned = p.tasks[0].notifications.filter((n: { state: string }) => n.state === 'planned');
      expect(planned[0]).toMatchObject({ at: '2022-07-22T07:30:00+07:00', deadline: '2022-07-29' });
    } finally {
      redis.disconnect();
    }
  });

  it('report covers the period as of the fake time', async () => {
    const j = JSON.parse((await dondoc('report', '--from', '2022-06-01', '--to', '2022-06-30', '--format', 'json')).stdout);
    expect(nearFake(j.as_of) && nearFake(j.generated_at)).toBe(true);
  });

  it('mute and task cancel are stamped with the fake time', async () => {
    expect((await dondoc('mute', 'task', STC, '--reason', 'đang rà soát')).code).toBe(0);
    const mutes = await json('mute', 'list');
    expect(nearFake(mutes.items[0].at)).toBe(true);
    expect((await dondoc('task', 'cancel', STC, '--reason', 'Thu hồi theo Công văn số 2100/UBND-TH')).code).toBe(0);
    const j = await json('task', 'show', STC);
    expect(nearFake(j.task.cancelled_at)).toBe(true);
  });

  it('a DONDOC_FAKE_NOW that is not a date-time is an error in words', async () => {
    const r = await runCliCaptured(['task', 'list'], { env: { ...env(), DONDOC_FAKE_NOW: 'yesterday' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('DONDOC_FAKE_NOW: not a date-time, got "yesterday"');
  });
});
