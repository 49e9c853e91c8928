// `dondoc start` end to end, as a newcomer runs it: the real bin in a child process, the
// shipped example config and org directory, no SMTP_URL (mail goes to the .eml outbox), a
// private test Redis, and a clock inside office hours (DONDOC_FAKE_NOW). A task created through
// the API with a past deadline produces an .eml within seconds, the delivery log shows it, the
// metrics count it, and SIGTERM stops everything with exit 0. Then the ways it refuses to
// start: Redis unreachable, SMTP unreachable, no Redis at all — exit 3 with what to do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type AddressObject, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { buildApp } from '../../src/http/app.js';
import { makeMailer } from '../../src/mail/transport.js';
import { connectRedis } from '../../src/store/redis.js';
import { makeTaskStore } from '../../src/store/task-store.js';
import { startSmtp } from '../support/smtp-server.js';
import { type PrivateRedis, freePort, randomPrefix, startRedis } from '../support/redis-server.js';
import { type DondocProcess, eventually, spawnDondocProcess } from '../support/dondoc-process.js';

const TOKEN = 'e2e-admin-token-0123456789';
// Tuesday 10/03/2026, 09:00 in Hà Nội: a working day, inside office hours.
const FAKE_NOW = '2026-03-10T09:00:00+07:00';
const SYT_HEAD = 'giamdoc.syt@thainguyen.example.gov.vn';

const TASK = {
  title: 'Báo cáo kết quả thực hiện Chương trình chuyển đổi số ngành y tế',
  source: { number: '215/UBND-KGVX', date: '2026-01-20', issuer: 'UBND tỉnh Thái Nguyên', item: '3' },
  lead: 'SYT',
  deadline: '2026-03-02',
};

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe('dondoc start (outbox, shipped config)', () => {
  let proc: DondocProcess;
  let api = '';
  let outbox = '';
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-outbox-'));
    const port = await freePort();
    proc = spawnDondocProcess(['start'], {
      env: {
        REDIS_URL: redis.url,
        DONDOC_KEY_PREFIX: randomPrefix('start'),
        DONDOC_OUTBOX_DIR: outbox,
        DONDOC_HTTP_PORT: String(port),
        DONDOC_API_TOKENS: `e2e:admin:${TOKEN}`,
        DONDOC_FAKE_NOW: FAKE_NOW,
      },
    });
    const line = await proc.ready();
    api = `http://127.0.0.1:${port}`;
    expect(line).toMatch(
      new RegExp(
        `^dondoc ready: scheduler, worker, api · API ${esc(api)} · mail: outbox: \\.eml files in ${esc(outbox)} · Redis ${esc(redis.url)} · ` +
          'config config/dondoc\\.yaml \\([0-9a-f]{16}\\) · clock 2026-03-10T09:00:\\d\\d\\+07:00 \\(DONDOC_FAKE_NOW\\)$',
      ),
    );
  });
  afterAll(async () => {
    if (proc && proc.child.exitCode === null) await proc.stop();
    fs.rmSync(outbox, { recursive: true, force: true });
  });

  it('reports health: Redis, mail mode and the config in force', async () => {
    const r = await fetch(`${api}/api/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok', redis: 'ok', smtp: 'outbox', config: expect.stringMatching(/^[0-9a-f]{16}$/) });
    // The whole API is mounted, reports included.
    expect((await fetch(`${api}/api/reports?from=2026-01-01&to=2026-03-09`, { headers: auth })).status).toBe(200);
  });

  it('writes an .eml for a task created with a past deadline, within seconds, and logs the delivery', async () => {
    const created = await fetch(`${api}/api/tasks`, { method: 'POST', headers: auth, body: JSON.stringify(TASK) });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { task: { id: string } }).task.id;

    // Its file is named by the Message-ID, which carries the notification id (task id first);
    // other mail (the daily digest) may be in the outbox too.
    const ofTask = (): string[] => fs.readdirSync(outbox).filter((f) => f.endsWith('.eml') && f.startsWith(id));
    const file = await eventually(() => ofTask()[0], 'an .eml in the outbox', 10_000);
    const eml = await simpleParser(fs.readFileSync(path.join(outbox, file)));
    expect((eml.to as AddressObject).value.map((a) => a.address)).toEqual([SYT_HEAD]);
    expect(eml.text).toContain(TASK.title);
    const messageId = eml.messageId!;
    expect(messageId).toContain(id);

    const view = await eventually(async () => {
      const r = (await (await fetch(`${api}/api/tasks/${id}`, { headers: auth })).json()) as { deliveries: Array<{ state: string; message_id?: string; to: string[] }> };
      return r.deliveries.some((d) => d.state === 'sent') ? r : undefined;
    }, 'a sent delivery record');
    // One copy per person, each its own record and message; the head's is the one the log records for it.
    const sent = await eventually(async () => {
      const r = (await (await fetch(`${api}/api/tasks/${id}`, { headers: auth })).json()) as { deliveries: Array<{ state: string; message_id?: string; to: string[] }> };
      const s = r.deliveries.filter((d) => d.state === 'sent');
      return s.length === ofTask().length && s.length > 1 ? s : undefined;
    }, 'every copy sent');
    expect(sent.filter((d) => d.to[0] === SYT_HEAD)).toEqual([expect.objectContaining({ message_id: messageId })]);
    expect(new Set(sent.map((d) => d.message_id)).size).toBe(sent.length);
    expect(view.deliveries.length).toBeGreaterThan(0);

    const metrics = await (await fetch(`${api}/metrics`)).text();
    expect(metrics).toMatch(/^dondoc_notifications_sent_total\{kind="[a-z-]+",level="\d",role="all"\} \d+$/m);
    expect(metrics).toMatch(/^dondoc_queue_jobs\{state="waiting",role="all"\} \d+$/m);
    expect(metrics).toMatch(/^dondoc_schedule_lag_seconds\{role="all"\} [\d.e+-]+$/m);
  });

  it('stops cleanly on SIGTERM (exit 0), and its log gives away no token or recipient', async () => {
    const code = await proc.stop();
    expect(code).toBe(0);
    const log = proc.stderr();
    expect(log).toMatch(/"msg":"stopped"/);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('giamdoc.syt@');
    for (const line of log.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    await expect(fetch(`${api}/api/health`)).rejects.toThrow();
  });
});

describe('dondoc start refuses to start (exit 3, with what to do)', () => {
  const run = async (env: Record<string, string>, cwd?: string) => {
    const p = spawnDondocProcess(['start'], { env: { DONDOC_REDIS_TIMEOUT_MS: '300', DONDOC_HTTP_PORT: String(await freePort()), ...env }, ...(cwd ? { cwd } : {}) });
    const code = await p.exited;
    return { code, stdout: p.stdout(), stderr: p.stderr() };
  };

  it('when Redis is unreachable', async () => {
    const port = await freePort();
    const r = await run({ REDIS_URL: `redis://:hunter2-redis@127.0.0.1:${port}` });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`Redis at redis://127.0.0.1:${port} is unreachable`);
    expect(r.stderr + r.stdout).not.toContain('hunter2');
  });

  it('when the SMTP server is unreachable, without showing its password', async () => {
    const port = await freePort();
    const r = await run({ REDIS_URL: redis.url, DONDOC_KEY_PREFIX: randomPrefix('smtp'), SMTP_URL: `smtp://dondoc:hunter2-smtp@127.0.0.1:${port}` });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the SMTP server is unreachable: .*127\.0\.0\.1.*Check SMTP_URL/);
    expect(r.stderr + r.stdout).not.toContain('hunter2');
  });

  it('when REDIS_URL is unset, nothing answers, and redis-server is not installed', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-noredis-'));
    try {
      const r = await run({ PATH: path.join(cwd, 'no-bin'), DONDOC_REDIS_PROBE_PORT: String(await freePort()) }, cwd);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('redis-server is not installed');
      expect(r.stderr).toContain('apt-get install redis-server');
      expect(r.stderr).toContain('REDIS_URL');
      expect(fs.existsSync(path.join(cwd, 'var', 'redis', 'dondoc-redis.json'))).toBe(false);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('dondoc start --role: one process each, sharing one Redis', () => {
  let shared: PrivateRedis;
  const procs: DondocProcess[] = [];
  let outbox = '';

  beforeAll(async () => {
    // A Redis set up the way dondoc must not run: evicting, no persistence.
    shared = await startRedis({ args: ['--maxmemory-policy', 'allkeys-lru', '--appendonly', 'no'] });
    outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-roles-'));
  });
  afterAll(async () => {
    await Promise.all(procs.filter((p) => p.child.exitCode === null).map((p) => p.stop()));
    await shared?.stop();
    fs.rmSync(outbox, { recursive: true, force: true });
  });

  it('the API takes the task, the scheduler plans it, the worker writes it; each warns about the Redis', async () => {
    const apiPort = await freePort();
    const metricsPort = await freePort();
    const common = { REDIS_URL: shared.url, DONDOC_KEY_PREFIX: randomPrefix('roles'), DONDOC_OUTBOX_DIR: outbox, DONDOC_API_TOKENS: `e2e:admin:${TOKEN}`, DONDOC_FAKE_NOW: FAKE_NOW };
    const api = spawnDondocProcess(['start', '--role', 'api'], { env: { ...common, DONDOC_HTTP_PORT: String(apiPort) } });
    const worker = spawnDondocProcess(['start', '--role', 'worker'], { env: { ...common, DONDOC_METRICS_PORT: String(metricsPort) } });
    const scheduler = spawnDondocProcess(['start', '--role', 'scheduler'], { env: common });
    procs.push(api, worker, scheduler);
    const lines = await Promise.all([api.ready(), worker.ready(), scheduler.ready()]);
    expect(lines[0]).toMatch(new RegExp(`^dondoc ready: api · API http://127\\.0\\.0\\.1:${apiPort} · `));
    expect(lines[1]).toMatch(/^dondoc ready: worker · mail: outbox/);
    expect(lines[2]).toMatch(/^dondoc ready: scheduler · mail: outbox/);
    for (const p of [api, worker, scheduler]) {
      expect(p.stderr()).toMatch(/maxmemory-policy is allkeys-lru.*set \\"maxmemory-policy noeviction\\"/);
      expect(p.stderr()).toMatch(/Redis has no persistence/);
    }

    const created = await fetch(`http://127.0.0.1:${apiPort}/api/tasks`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(TASK) });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { task: { id: string } }).task.id;
    await eventually(() => fs.readdirSync(outbox).find((f) => f.startsWith(id)), 'the .eml written by the worker process');
    // The worker has no API, but serves its metrics on DONDOC_METRICS_PORT.
    const metrics = await eventually(async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return /dondoc_notifications_sent_total\{.*role="worker"\} [1-9]/.test(text) ? text : undefined;
    }, 'the worker counting the send');
    expect(metrics).toMatch(/^dondoc_redis_up\{role="worker"\} 1$/m);

    expect(await Promise.all([api.stop(), worker.stop(), scheduler.stop()])).toEqual([0, 0, 0]);
  });
});

describe('GET /api/health with an SMTP server', () => {
  it('says ok while it answers, down when it does not (bounded by a short timeout), 503 only for Redis', async () => {
    const smtp = await startSmtp();
    const config = loadConfig({ file: path.join(process.cwd(), 'config', 'dondoc.yaml') });
    const conn = await connectRedis(redis.url, { role: 'service' });
    const mailer = makeMailer({ smtpUrl: smtp.url, connectionTimeoutMs: 500, greetingTimeoutMs: 500 });
    const build = () =>
      buildApp({
        store: makeTaskStore({ redis: conn, url: redis.url, prefix: randomPrefix('health'), calendar: config.calendar, now: Date.now }),
        calendar: config.calendar,
        org: config.org,
        tokens: [],
        now: Date.now,
        health: { mailer, configHash: () => config.hash, smtpTimeoutMs: 1000, smtpCacheMs: 0 },
      });
    const app = build();
    try {
      const up = await app.inject({ method: 'GET', url: '/api/health' });
      expect([up.statusCode, up.json()]).toEqual([200, { status: 'ok', redis: 'ok', smtp: 'ok', config: config.hash }]);
      await smtp.setMode('down');
      const down = await app.inject({ method: 'GET', url: '/api/health' });
      expect([down.statusCode, down.json()]).toEqual([200, { status: 'ok', redis: 'ok', smtp: 'down', config: config.hash }]);
      await smtp.setMode('hang-greeting');
      const t = Date.now();
      const hung = await app.inject({ method: 'GET', url: '/api/health' });
      expect(hung.json()).toMatchObject({ smtp: 'down' });
      expect(Date.now() - t).toBeLessThan(2500);
    } finally {
      await app.close();
      await mailer.close();
      conn.disconnect();
      await smtp.stop();
    }
  });
});
