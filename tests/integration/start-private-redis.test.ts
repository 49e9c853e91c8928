// `dondoc start` with REDIS_URL unset and nothing on the probe port (DONDOC_REDIS_PROBE_PORT, so
// the test does not depend on the machine's 6379): it starts a private redis-server with its
// data under ./var/redis (AOF on, noeviction), a one-shot command in the same directory finds
// it, mail goes to a real SMTP server that requires a password (which never reaches the log),
// and shutdown stops the redis-server last.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DondocProcess, eventually, runDondoc, spawnDondocProcess } from '../support/dondoc-process.js';
import { freePort } from '../support/redis-server.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

const TOKEN = 'private-redis-admin-token-0123456789';
const SMTP_PASS = 'smtp-Pa55-never-logged';

describe('dondoc start without REDIS_URL', () => {
  let cwd = '';
  let smtp: TestSmtp;
  let proc: DondocProcess;
  let api = '';
  let env: Record<string, string> = {};

  beforeAll(async () => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-newcomer-'));
    smtp = await startSmtp({ auth: { user: 'dondoc', pass: SMTP_PASS } });
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    env = {
      DONDOC_REDIS_PROBE_PORT: String(await freePort()),
      SMTP_URL: smtp.url,
      DONDOC_HTTP_PORT: String(port),
      DONDOC_API_TOKENS: `ops:admin:${TOKEN}`,
      DONDOC_FAKE_NOW: '2026-03-10T09:00:00+07:00',
    };
    proc = spawnDondocProcess(['start'], { env, cwd });
  });
  afterAll(async () => {
    if (proc && proc.child.exitCode === null) await proc.stop();
    await smtp?.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('starts a private redis-server under var/redis, AOF on and noeviction, and says so', async () => {
    const line = await proc.ready();
    const dir = fs.realpathSync(path.join(cwd, 'var', 'redis'));
    expect(line).toMatch(new RegExp(`Redis redis://127\\.0\\.0\\.1:(\\d+) \\(private redis-server, data in ${dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)`));
    expect(line).toContain('mail: smtp://dondoc:***@127.0.0.1:');
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'dondoc-redis.json'), 'utf8')) as { port: number; pid: number };
    expect(line).toContain(`redis://127.0.0.1:${state.port} `);
    const r = new Redis(state.port, '127.0.0.1', { lazyConnect: true });
    try {
      await r.connect();
      expect(await r.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await r.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await r.config('GET', 'dir')).toEqual(['dir', dir]);
    } finally {
      r.disconnect();
    }
    // A Redis set up as dondoc needs it gets no warning.
    expect(proc.stderr()).not.toMatch(/maxmemory-policy is|no persistence/);
  });

  it('sends through SMTP with the password, and never logs it', async () => {
    const created = await fetch(`${api}/api/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Rà soát thủ tục hành chính quá hạn', source: { number: '88/UBND-NC', date: '2026-01-05', issuer: 'UBND tỉnh Thái Nguyên' }, lead: 'STP', deadline: '2026-02-27' }),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { task: { id: string } }).task.id;
    const m = await eventually(() => smtp.messages.find((x) => x.messageId?.includes(id)), 'the message about the task');
    expect(smtp.stats.logins).toContain('dondoc');
    expect(m.to.map((a) => a.address)).toEqual([expect.stringMatching(/@thainguyen\.example\.gov\.vn$/)]);
    expect(proc.stderr()).not.toContain(SMTP_PASS);
  });

  it('is found by a one-shot command run in the same directory', async () => {
    const r = await runDondoc(['delivery', 'list', '--json'], { env, cwd });
    expect(r.code).toBe(0);
    const items = (JSON.parse(r.stdout) as { items: Array<{ state: string }> }).items;
    expect(items.map((i) => i.state)).toContain('sent');
  });

  it('stops the redis-server last on SIGTERM, its data kept for the next start', async () => {
    const dir = path.join(cwd, 'var', 'redis');
    const { pid } = JSON.parse(fs.readFileSync(path.join(dir, 'dondoc-redis.json'), 'utf8')) as { pid: number };
    expect(await proc.stop()).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(fs.existsSync(path.join(dir, 'dondoc-redis.json'))).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'appendonlydir')).some((f) => f.endsWith('.aof'))).toBe(true);
    const log = proc.stderr();
    // Workers and queues close before Redis goes away, and the server is the last thing stopped.
    const order = ['"msg":"shutting down"', 'private redis-server stopped', '"msg":"stopped"'].map((s) => log.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(log).not.toContain(SMTP_PASS);
    expect(log).not.toContain(TOKEN);
  });
});


describe('a start that fails half-way', () => {
  it('stops the private redis-server it had started (SMTP unreachable: exit 3)', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-halfway-'));
    try {
      const r = await runDondoc(['start'], {
        cwd,
        env: { DONDOC_REDIS_PROBE_PORT: String(await freePort()), SMTP_URL: `smtp://127.0.0.1:${await freePort()}`, DONDOC_HTTP_PORT: String(await freePort()) },
      });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('the SMTP server is unreachable');
      expect(r.stderr).toContain('started a private redis-server');
      expect(r.stderr).toContain('private redis-server stopped');
      const dir = path.join(cwd, 'var', 'redis');
      expect(fs.existsSync(path.join(dir, 'dondoc-redis.json'))).toBe(false);
      expect(fs.readFileSync(path.join(dir, 'redis.log'), 'utf8')).toMatch(/ready to exit, bye bye/);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('several dondoc in one directory', () => {
  it('share the private redis-server; one left by a killed dondoc is adopted, not doubled', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-share-'));
    const env = { DONDOC_REDIS_PROBE_PORT: String(await freePort()) };
    const state = () => JSON.parse(fs.readFileSync(path.join(cwd, 'var', 'redis', 'dondoc-redis.json'), 'utf8')) as { pid: number; port: number; owner: number };
    const started: DondocProcess[] = [];
    const start = async () => {
      const p = spawnDondocProcess(['start', '--role', 'scheduler'], { env, cwd });
      started.push(p);
      return { p, line: await p.ready() };
    };
    try {
      const a = await start();
      const first = state();
      expect(first.owner).toBe(a.p.child.pid);
      const b = await start();
      expect(b.line).toContain(`redis://127.0.0.1:${first.port} (private redis-server, data in `);
      expect(b.line).toContain(', shared with another dondoc)');
      expect(await b.p.stop()).toBe(0);
      expect(() => process.kill(first.pid, 0)).not.toThrow(); // B did not stop A's server

      a.p.signal('SIGKILL');
      await a.p.exited;
      expect(() => process.kill(first.pid, 0)).not.toThrow(); // orphaned, still serving
      const c = await start();
      expect(c.p.stderr()).toContain('adopted the private redis-server a previous dondoc left running');
      expect(state()).toEqual({ pid: first.pid, port: first.port, owner: c.p.child.pid });
      expect(await c.p.stop()).toBe(0);
      await eventually(() => {
        try {
          process.kill(first.pid, 0);
          return undefined;
        } catch {
          return true;
        }
      }, 'the adopted redis-server stopped');
    } finally {
      for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
      try {
        process.kill(state().pid, 'SIGKILL');
      } catch {
        /* stopped, or never started */
      }
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});
