// The README's first run stops cleanly: `npx dondoc start` — the README's own command, through
// npm exec as a user types it — with no REDIS_URL starts a private redis-server; a SIGTERM to
// npx (`kill %1`) or a Ctrl-C (SIGINT to the terminal's process group) must leave no dondoc,
// no redis-server and no listening port behind. npm exec does not pass SIGTERM on; dondoc
// notices that its launcher is gone (src/main.ts, watchLauncher).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { eventually } from '../support/dondoc-process.js';
import { freePort } from '../support/redis-server.js';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The command of the README's "A first run" block that starts the service. */
function readmeStartCommand(): string[] {
  const block = /### A first run\n+```sh\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
  const line = block.split('\n').find((l) => /^npx dondoc start\b/.test(l));
  if (!line) throw new Error('README: no `npx dondoc start` in "A first run"');
  return line.replace(/&\s*$/, '').trim().split(/\s+/);
}

/** Alive and not a zombie (an exited child nobody has reaped holds no port and no file). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

interface Started {
  npx: ChildProcess;
  dondocPid: number;
  redisPid: number;
  apiPort: number;
  redisPort: number;
  out: () => string;
}

const leftovers: number[] = [];
const dirs: string[] = [];

async function startAsInReadme(): Promise<Started> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-first-run-'));
  dirs.push(work);
  const apiPort = await freePort();
  const [cmd, ...args] = readmeStartCommand();
  expect([cmd, ...args]).toEqual(['npx', 'dondoc', 'start']);
  const npx = spawn(cmd!, args, {
    cwd: ROOT,
    // Its own process group, as a shell job is: a Ctrl-C goes to the whole group.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DONDOC_API_TOKENS: 'me:admin:a-long-enough-dev-token-123',
      // No REDIS_URL, and nothing on the probe port: the private redis-server of the README.
      DONDOC_REDIS_PROBE_PORT: String(await freePort()),
      DONDOC_REDIS_DIR: path.join(work, 'redis'),
      DONDOC_OUTBOX_DIR: path.join(work, 'outbox'),
      DONDOC_HTTP_PORT: String(apiPort),
      DONDOC_LOG_FORMAT: 'json',
    },
  });
  let out = '';
  let err = '';
  npx.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  npx.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const all = () => `--- stdout\n${out}\n--- stderr\n${err}`;
  const ready = await eventually(() => /^dondoc ready: .*$/m.exec(out)?.[0], `ready line\n${all()}`, 60_000);
  const redisPort = Number(/Redis redis:\/\/127\.0\.0\.1:(\d+) \(private redis-server/.exec(ready)?.[1]);
  const dondocPid = Number(/"pid":(\d+),"role":"all"/.exec(err)?.[1]);
  const redisPid = Number(/"redisPid":(\d+)/.exec(err)?.[1]);
  expect({ redisPort, dondocPid, redisPid }, all()).toEqual({ redisPort: expect.any(Number), dondocPid: expect.any(Number), redisPid: expect.any(Number) });
  leftovers.push(dondocPid, redisPid);
  expect(running(dondocPid) && running(redisPid)).toBe(true);
  expect(await listening(apiPort)).toBe(true);
  expect(await listening(redisPort)).toBe(true);
  return { npx, dondocPid, redisPid, apiPort, redisPort, out: all };
}

async function expectAllGone(s: Started): Promise<void> {
  await eventually(async () => (!running(s.dondocPid) && !running(s.redisPid) ? true : undefined), `dondoc and redis-server to exit\n${s.out()}`, 30_000);
  expect(await listening(s.apiPort)).toBe(false);
  expect(await listening(s.redisPort)).toBe(false);
  expect(s.out()).toMatch(/private redis-server stopped/);
}

afterEach(() => {
  // A failed run must not leave servers behind for the rest of the suite.
  for (const pid of leftovers.splice(0)) if (running(pid)) process.kill(pid, 'SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("the README's first run", () => {
  it('stops everything when npx gets SIGTERM (kill %1)', async () => {
    const s = await startAsInReadme();
    s.npx.kill('SIGTERM');
    await expectAllGone(s);
  }, 90_000);

  it('stops everything on Ctrl-C (SIGINT to the process group)', async () => {
    const s = await startAsInReadme();
    process.kill(-s.npx.pid!, 'SIGINT');
    await expectAllGone(s);
  }, 90_000);
});
