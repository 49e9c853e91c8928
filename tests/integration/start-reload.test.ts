// Config reload on a running `dondoc start` (docs/DELIVERY.md, "Several processes"): a bad file
// is refused — by SIGHUP (logged with every problem) and by `dondoc config reload` (printed,
// exit 1) — and the config in force stays; a good one is validated, its hash stored in
// P:config:hash and published, the process swaps to it and re-plans the open tasks once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ROOT } from '../support/cli.js';
import { type DondocProcess, eventually, runDondoc, spawnDondocProcess } from '../support/dondoc-process.js';
import { type PrivateRedis, freePort, randomPrefix, startRedis } from '../support/redis-server.js';

const original = fs.readFileSync(path.join(ROOT, 'config', 'dondoc.yaml'), 'utf8');

describe('config reload', () => {
  let redis: PrivateRedis;
  let proc: DondocProcess;
  let dir = '';
  let file = '';
  let api = '';
  let env: Record<string, string> = {};
  const prefix = randomPrefix('reload');
  const health = async (): Promise<{ config: string }> => (await (await fetch(`${api}/api/health`)).json()) as { config: string };

  beforeAll(async () => {
    redis = await startRedis();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-reload-'));
    file = path.join(dir, 'dondoc.yaml');
    fs.writeFileSync(file, original);
    fs.copyFileSync(path.join(ROOT, 'config', 'org.yaml'), path.join(dir, 'org.yaml'));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    env = {
      REDIS_URL: redis.url,
      DONDOC_KEY_PREFIX: prefix,
      DONDOC_CONFIG: file,
      DONDOC_HTTP_PORT: String(port),
      DONDOC_OUTBOX_DIR: path.join(dir, 'outbox'),
      DONDOC_API_TOKENS: 'ops:admin:reload-test-admin-token-0123',
    };
    proc = spawnDondocProcess(['start'], { env });
    await proc.ready();
  });
  afterAll(async () => {
    if (proc && proc.child.exitCode === null) await proc.stop();
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores the hash of the config in force at start', async () => {
    const hash = loadConfig({ file }).hash;
    expect(await health()).toMatchObject({ config: hash });
    const r = new Redis(redis.url);
    try {
      expect(await r.get(`${prefix}:config:hash`)).toBe(hash);
    } finally {
      r.disconnect();
    }
  });

  it('refuses a bad file on SIGHUP, logging every problem, and keeps the old config', async () => {
    const before = (await health()).config;
    fs.writeFileSync(file, original.replace('open: "07:30"', 'open: "25:00"').replace('timezone: Asia/Ho_Chi_Minh', 'timezone: Asia/Hanoi_Typo'));
    proc.signal('SIGHUP');
    const line = await proc.waitForLog(/^.*config reload refused.*$/m);
    const logged = JSON.parse(line) as { problems: string[] };
    expect(logged.problems).toEqual([expect.stringContaining('timezone'), expect.stringContaining('office_hours.open')]);
    expect((await health()).config).toBe(before);
  });

  it('`dondoc config reload` prints every problem of a bad file and exits 1; nothing changes', async () => {
    const before = (await health()).config;
    const r = await runDondoc(['config', 'reload'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/timezone: .*\n.*office_hours\.open: /);
    expect((await health()).config).toBe(before);
  });

  it('a good file is published, reloaded by the running process, and re-planned once; the API follows it', async () => {
    const before = (await health()).config;
    // A new body in the org directory: the API knows it only after the reload.
    const post = () =>
      fetch(`${api}/api/tasks`, {
        method: 'POST',
        headers: { authorization: 'Bearer reload-test-admin-token-0123', 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Kiểm tra bí danh mới', source: { number: '9/UBND-TH', date: '2026-01-05', issuer: 'UBND tỉnh Thái Nguyên' }, lead: 'TTKSBT', deadline: '2026-12-31' }),
      });
    expect((await post()).status).toBe(400);
    const org = path.join(dir, 'org.yaml');
    const orgText = fs.readFileSync(org, 'utf8');
    const body = '  - code: TTKSBT\n    name: Trung tâm Kiểm soát bệnh tật\n    kind: nganh\n    head: { title: Giám đốc Trung tâm Kiểm soát bệnh tật, email: giamdoc.cdc@thainguyen.example.gov.vn }\n    leader: PCT4\n';
    fs.writeFileSync(org, orgText.replace('  - code: SYT\n', `${body}  - code: SYT\n`));
    fs.writeFileSync(file, original.replace('days_off: []', 'days_off:\n    - date: 2026-12-24\n      name: Nghỉ thử nghiệm\n'));
    const expected = loadConfig({ file }).hash;
    expect(expected).not.toBe(before);
    const r = await runDondoc(['config', 'reload'], { env });
    expect(r).toMatchObject({ code: 0, stdout: `ok: config ${expected} published to 1 running process\n` });
    await eventually(async () => ((await health()).config === expected ? true : undefined), 'the new config in force');
    await proc.waitForLog(/"msg":"config changed: every open task re-planned"/);
    expect(proc.stderr().match(/every open task re-planned/g)).toHaveLength(2); // at first start, and now
    const after = await post();
    expect(after.status, await after.clone().text()).toBe(201);
  });
});
