// The operator commands against a running service (in this process: src/main.ts startService)
// with a private Redis and a real SMTP server: a permanent failure is listed by
// `delivery list --failed` and goes out after `delivery retry`; a muted body's notification is
// recorded as muted, not sent, and goes out on `unmute`; `task show` prints the delivery log.
// Usage errors exit 2, unknown things 1, Redis unreachable 3.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { makeLogger } from '../../src/log.js';
import { makeClock } from '../../src/clock.js';
import { type Service, startService } from '../../src/main.js';
import { ROOT, runCliCaptured } from '../support/cli.js';
import { eventually } from '../support/dondoc-process.js';
import { type PrivateRedis, freePort, randomPrefix, startRedis } from '../support/redis-server.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

const TOKEN = 'delivery-cli-admin-token-0123456789';
const CONFIG = path.join(ROOT, 'config', 'dondoc.yaml');
const clock = makeClock('2026-03-10T09:00:00+07:00', 'Asia/Ho_Chi_Minh');

interface Item {
  id: string;
  task_id: string;
  state: string;
  to: string[];
  message_id?: string;
  error?: string;
  reason?: string;
}

let redis: PrivateRedis;
let smtp: TestSmtp;
let service: Service;
let env: Record<string, string> = {};
const logLines: string[] = [];

const dondoc = (...argv: string[]) => runCliCaptured(argv, { env, now: clock });
const items = async (...argv: string[]): Promise<Item[]> => {
  const r = await dondoc('delivery', 'list', '--json', ...argv);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { items: Item[] }).items;
};
const createTask = async (lead: string, item: string): Promise<string> => {
  const r = await fetch(`${service.address}/api/tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: `Nhiệm vụ kiểm thử ${item}`, source: { number: '300/UBND-TH', date: '2026-01-15', issuer: 'UBND tỉnh Thái Nguyên', item }, lead, deadline: '2026-03-03' }),
  });
  expect(r.status).toBe(201);
  return ((await r.json()) as { task: { id: string } }).task.id;
};

/** The message about a task (its Message-ID carries the notification id, which starts with the task id). */
const messageFor = (taskId: string) => eventually(() => smtp.messages.find((m) => m.messageId?.includes(taskId)), `a message about ${taskId}`, 10_000);
const messagesFor = (taskId: string) => smtp.messages.filter((m) => m.messageId?.includes(taskId));

beforeAll(async () => {
  redis = await startRedis();
  smtp = await startSmtp({ mode: 'permfail' });
  env = {
    REDIS_URL: redis.url,
    DONDOC_KEY_PREFIX: randomPrefix('dcli'),
    DONDOC_CONFIG: CONFIG,
    SMTP_URL: smtp.url,
    DONDOC_HTTP_PORT: String(await freePort()),
    DONDOC_API_TOKENS: `ops:admin:${TOKEN}`,
    DONDOC_REDIS_TIMEOUT_MS: '1000',
    USER: 'vanthu',
  };
  service = await startService({
    role: 'all',
    env,
    loadConfig: () => loadConfig({ file: CONFIG }),
    logger: makeLogger({ level: 'info', format: 'json', sink: { write: (l) => void logLines.push(l) } }),
    stdout: { write: () => undefined },
    now: clock,
  });
});
afterAll(async () => {
  await service?.close();
  await smtp?.stop();
  await redis?.stop();
});

describe('delivery list and retry', () => {
  let taskId = '';
  let failed: Item;

  it('lists a permanent failure with --failed', async () => {
    // (The daily digest may fail too meanwhile: the server refuses everyone. Hence --task.)
    taskId = await createTask('SYT', '1');
    // Due 03/03, on 10/03 it is 5 working days late: level 2 goes to the head, the Office and
    // the leader in charge — three copies, all refused.
    const both = await eventually(async () => {
      const f = await items('--failed', '--task', taskId);
      return f.length === 3 ? f : undefined;
    }, 'three failed copies', 15_000);
    failed = both.find((i) => i.to[0] === 'giamdoc.syt@thainguyen.example.gov.vn')!;
    expect(failed).toMatchObject({ task_id: taskId, state: 'failed', error: expect.stringMatching(/550/) });
    expect(await items('--failed')).toContainEqual(expect.objectContaining({ id: failed.id }));
    expect(smtp.messages).toHaveLength(0);
    const human = await dondoc('delivery', 'list', '--failed', '--task', taskId);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`gửi lỗi`);
    expect(human.stdout).toContain(`${taskId}  ${failed.id}`);
    expect(human.stdout).toContain('→ giamdoc.syt@thainguyen.example.gov.vn (Giám đốc Sở Y tế)');
    expect(human.stdout).toMatch(/^3 thư$/m);
    // The JSON says how many more there are.
    const one = JSON.parse((await dondoc('delivery', 'list', '--json', '--failed', '--task', taskId, '--limit', '1')).stdout) as { items: Item[]; more: number };
    expect([one.items.length, one.more]).toEqual([1, 2]);
    expect(await items('--task', taskId)).toContainEqual(expect.objectContaining({ id: failed.id, state: 'failed' }));
  });

  it('sends it again after `delivery retry ID`, once the server accepts', async () => {
    await smtp.setMode('accept');
    const r = await dondoc('delivery', 'retry', failed.id);
    expect(r).toMatchObject({ code: 0, stdout: `gửi lại: ${taskId} ${failed.id}\n1 thư sẽ được gửi lại\n` });
    const m = await messageFor(taskId);
    const sent = await eventually(async () => (await items('--task', taskId)).find((i) => i.id === failed.id && i.state === 'sent'), 'the record sent');
    expect(m.messageId).toBe(sent.message_id);
    expect(messagesFor(taskId)).toHaveLength(1);
    expect(m.envelope.to).toEqual(['giamdoc.syt@thainguyen.example.gov.vn']);
    // The Office's copy is still failed: a retry is per copy.
    expect((await items('--failed', '--task', taskId)).map((i) => i.to[0])).not.toContain('giamdoc.syt@thainguyen.example.gov.vn');
    expect(await items('--failed', '--task', taskId)).toHaveLength(2);
    // It is no longer failed: retrying it again is refused.
    expect((await dondoc('delivery', 'retry', failed.id)).code).toBe(1);
  });

  it('retries every failure with --all-failed, then finds none', async () => {
    const before = (await items('--failed')).length;
    const r = await dondoc('delivery', 'retry', '--all-failed');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${before} thư sẽ được gửi lại\n$`));
    expect(await items('--failed')).toEqual([]);
    expect((await dondoc('delivery', 'retry', '--all-failed')).stdout).toBe('0 thư sẽ được gửi lại\n');
  });

  it('shows the delivery log in `task show`', async () => {
    const r = await dondoc('task', 'show', taskId);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Thư nhắc:\n {2}báo cáo quá hạn \(cấp 2\) {2}dự kiến .* \(3 bản\)$/m);
    expect(r.stdout).toMatch(new RegExp(`^ {4}đã gửi +→ giamdoc\\.syt@thainguyen\\.example\\.gov\\.vn \\(Giám đốc Sở Y tế\\).*\\[${failed.id}, lần \\d+\\]$`, 'm'));
    expect(r.stdout).toMatch(/^ {4}.* → chanhvanphong\.vpubnd@thainguyen\.example\.gov\.vn \(Chánh Văn phòng UBND tỉnh, đồng gửi\)/m);
    const j = JSON.parse((await dondoc('task', 'show', taskId, '--json')).stdout) as { deliveries: Item[] };
    expect(j.deliveries).toContainEqual(expect.objectContaining({ id: failed.id, state: 'sent' }));
  });
});

describe('mute and unmute', () => {
  it('records the notification of a muted body as muted, and sends it on unmute', async () => {
    expect(await dondoc('mute', 'body', 'Sở Tài chính', '--reason', 'Đang chuyển hộp thư')).toMatchObject({ code: 0, stdout: 'đã tạm dừng thư: đơn vị STC\n' });
    const listed = await dondoc('mute', 'list');
    expect(listed.stdout).toMatch(/^body STC {2}từ 10\/03\/2026 09:0\d {2}\[cli:vanthu\] {2}Đang chuyển hộp thư$/m);

    const id = await createTask('STC', '2');
    // Every copy is held back; the head's goes out once unmuted (the Office's waits for its next
    // list: its list of the day has gone).
    const muted = await eventually(async () => (await items('--task', id)).find((i) => i.state === 'muted' && i.to[0] === 'giamdoc.stc@thainguyen.example.gov.vn'), 'a muted record', 15_000);
    expect(muted.reason).toMatch(/STC/);
    expect(messagesFor(id)).toHaveLength(0);

    expect(await dondoc('unmute', 'body', 'STC')).toMatchObject({ code: 0, stdout: 'đã bỏ tạm dừng thư: đơn vị STC\n' });
    const m = await messageFor(id);
    expect(m.to.map((a) => a.address)).toEqual(['giamdoc.stc@thainguyen.example.gov.vn']);
    await eventually(async () => (await items('--task', id)).find((i) => i.id === muted.id && i.state === 'sent'), 'the muted one sent');
    expect((await dondoc('mute', 'list', '--json')).stdout).toBe('{\n  "items": []\n}\n');
  });

  it('mutes a task by id', async () => {
    const id = await createTask('SYT', '3');
    expect((await dondoc('mute', 'task', id, '--reason', 'Đã xin gia hạn, chờ duyệt')).code).toBe(0);
    const list = JSON.parse((await dondoc('mute', 'list', '--json')).stdout) as { items: Array<{ kind: string; key: string; by: string; reason: string }> };
    expect(list.items).toEqual([expect.objectContaining({ kind: 'task', key: id, by: 'cli:vanthu', reason: 'Đã xin gia hạn, chờ duyệt' })]);
    expect((await dondoc('unmute', 'task', id)).code).toBe(0);
  });
});

describe('refusals', () => {
  it.each([
    [['delivery', 'retry'], 2],
    [['delivery', 'retry', 'x', '--all-failed'], 2],
    [['delivery', 'list', '--limit', 'abc'], 2],
    [['mute', 'thing', 'x'], 2],
    [['mute', 'task', 'no-such-task'], 1],
    [['mute', 'body', 'Sở Không Có'], 1],
    [['unmute', 'task', 'never-muted'], 1],
    [['delivery', 'retry', 'no-such-notification'], 1],
    [['delivery', 'list', '--task', 'no-such-task'], 1],
  ])('%j exits %i', async (argv, code) => {
    const r = await dondoc(...argv);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
  });

  it('exits 3 when Redis is unreachable', async () => {
    const down = { ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}`, DONDOC_REDIS_TIMEOUT_MS: '300' };
    for (const argv of [['delivery', 'list'], ['delivery', 'retry', '--all-failed'], ['mute', 'task', 'x'], ['unmute', 'body', 'STC'], ['config', 'reload']]) {
      const r = await runCliCaptured(argv, { env: down, now: clock });
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toContain('is unreachable');
    }
  });
});
