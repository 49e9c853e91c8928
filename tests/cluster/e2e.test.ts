// dondoc end to end on a Redis Cluster (issue 7 "Beyond one machine"; docs/SCALING.md): three
// masters on loopback ports, REDIS_URL=redis+cluster://…, the real SMTP test server. The same
// promises as on one Redis — imported tasks are all there (spread over the masters), an overdue
// task's level 1 goes out exactly once, completion cancels what was pending, two workers and
// two schedulers never send twice — checked against what the SMTP server received.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { messageIdFor } from '../../src/mail/message.js';
import { bullPrefix } from '../../src/queue/names.js';
import { type RedisClient, connectRedis } from '../../src/store/redis.js';
import { makeTaskStore } from '../../src/store/task-store.js';
import { ROOT, runCliCaptured } from '../support/cli.js';
import { eventually, spawnDondocProcess } from '../support/dondoc-process.js';
import { DOMAIN, type Harness, at, copyOf, deliveryConfig, makeHarness, until } from '../support/delivery-harness.js';
import { assertDeliveryInvariant, dueIds, readDeliveryLog } from '../support/fault-invariants.js';
import { type PrivateCluster, startCluster } from '../support/redis-cluster.js';
import { freePort, randomPrefix } from '../support/redis-server.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

let cluster: PrivateCluster;
let smtp: TestSmtp;
let h: Harness | undefined;

beforeAll(async () => {
  [cluster, smtp] = await Promise.all([startCluster(), startSmtp()]);
});
afterAll(async () => {
  await Promise.all([cluster?.stop(), smtp?.stop()]);
});
beforeEach(async () => {
  await smtp.setMode('accept');
  smtp.reset();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CONFIG = path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml');
const XLSX = path.join(ROOT, 'tests/fixtures/1510-UBND-TH.xlsx');
// 1510/UBND-TH item 9, deadline Thu 30/06/2022: level 1 on Fri 01/07 (1 working day after).
const L1 = '_once_e1-a1wd_20220630';
const cfg = deliveryConfig({ digest: false });

/** Keys matching `pattern` on each master (KEYS is fine on a test cluster of a few hundred keys). */
async function keysPerMaster(pattern: string): Promise<number[]> {
  return Promise.all(cluster.ports.map(async (p) => (await cluster.node(p).keys(pattern)).length));
}

describe('dondoc on a 3-master Redis Cluster (REDIS_URL=redis+cluster://…)', () => {
  it('imports a register through the CLI; the tasks spread over the masters; list, complete and reindex see every one', async () => {
    const prefix = randomPrefix('cl');
    const now = at('2022-05-10T09:00');
    const env = { REDIS_URL: cluster.url, DONDOC_KEY_PREFIX: prefix, DONDOC_CONFIG: CONFIG, USER: 'vanthu' };
    const dondoc = (...argv: string[]) => runCliCaptured(argv, { env, now: () => now });

    const imported = await dondoc('import', XLSX, '--json');
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout).summary).toEqual({ created: 14, updated: 0, unchanged: 0, rejected: 0 });

    // Each task (with its history, same hash tag) lives on the master owning its slot.
    const perMaster = await keysPerMaster(`${prefix}:task:{*}`);
    expect(perMaster.reduce((a, b) => a + b, 0)).toBe(14);
    expect(perMaster.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);

    type Listed = { items: Array<{ task: { id: string } }> };
    const list = JSON.parse((await dondoc('task', 'list', '--json')).stdout) as Listed;
    expect(list.items).toHaveLength(14);
    const done = await dondoc('task', 'complete', '1510-ubnd-th-20220416-9-syt', '--note', 'Đã hoàn thành');
    expect(done.code).toBe(0);
    const open = JSON.parse((await dondoc('task', 'list', '--status', 'within_deadline', '--json')).stdout) as Listed;
    expect(open.items.map((i) => i.task.id)).not.toContain('1510-ubnd-th-20220416-9-syt');
    expect(open.items).toHaveLength(13);

    // ids() and reindex SCAN every master: drop an index, rebuild it, every task is back.
    const redis: RedisClient = await connectRedis(cluster.url, { role: 'cli' });
    try {
      const store = makeTaskStore({ redis, url: cluster.url, prefix, calendar: loadConfig({ file: CONFIG }).calendar, now: () => now });
      const ids: string[] = [];
      for await (const batch of store.ids(5)) ids.push(...batch);
      expect(ids.sort()).toEqual(list.items.map((i) => i.task.id).sort());
      await redis.del(store.keys.all);
      const re = await dondoc('task', 'reindex');
      expect(re.stdout).toContain('14 nhiệm vụ');
      expect(await redis.zcard(store.keys.all)).toBe(14);
    } finally {
      redis.disconnect();
    }
  });

  it('an overdue task: level 1 goes out once, through a hash-tagged BullMQ prefix on one slot', async () => {
    h = await makeHarness(cluster, smtp, { start: at('2022-07-01T10:00'), cfg });
    const id = await h.task();
    const e = await h.engine();
    await e.tick();
    await smtp.waitFor(2); // the head's copy and the Office's
    const nid = copyOf(`${id}${L1}`, 'giamdoc.syt@thainguyen.example.gov.vn');
    expect(smtp.messages.map((m) => m.messageId)).toContain(messageIdFor(nid, DOMAIN));
    await until(async () => (await e.log.get(id, nid))?.state === 'sent', 'the sent record');

    // More passes and a reconcile send nothing more.
    await e.touch(id);
    await e.tick();
    expect(await e.reconcileNow()).toMatchObject({ missing: 0, expired: 0 });
    await e.tick();
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.map((x) => x.messageId).sort()).toEqual([`<${nid}@${DOMAIN}>`, `<${copyOf(`${id}${L1}`, 'chanhvanphong.vpubnd@thainguyen.example.gov.vn')}@${DOMAIN}>`].sort());
    expect((await e.log.get(id, nid))?.attempts).toBe(1);
    // A person's bundles share one hash slot ({r<key>}): the add script looks at three windows at once.
    expect((await keysPerMaster(`${h.prefix}:bundle:*`)).reduce((a, n) => a + n, 0)).toBeGreaterThan(0);

    // BullMQ's keys all carry the {prefix} hash tag, so they sit on one master; none without it.
    const bull = await keysPerMaster(`${bullPrefix(h.prefix, true)}:*`);
    expect(bull.filter((n) => n > 0)).toHaveLength(1);
    expect((await keysPerMaster(`${bullPrefix(h.prefix)}:*`)).every((n) => n === 0)).toBe(true);
  });

  it('completing the task cancels what was pending: recorded skipped, nothing received', async () => {
    // On the deadline day at 07:25 the "on: deadline" reminder waits in BullMQ for 07:30.
    h = await makeHarness(cluster, smtp, { start: at('2022-07-05T07:25'), cfg });
    const id = await h.task({ deadline: '2022-07-05' });
    const e = await h.engine();
    await e.tick();
    await until(async () => (await e.queueDepth()).delayed === 1, 'the reminder waiting in its bundle');
    const nid = copyOf(`${id}_once_r-d_20220705`, 'giamdoc.syt@thainguyen.example.gov.vn');
    await h.service.complete(id, {}, 'test');
    const rec = await until(async () => {
      await e.tick();
      const r = await e.log.get(id, nid);
      return r?.state === 'skipped' ? r : null;
    }, 'the skipped record');
    expect(rec.reason).toMatch(/^completed at 2022-07-05T07:2\d/);
    expect(await e.schedule.scores([id])).toEqual([null]);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.messages).toHaveLength(0);
    expect(smtp.stats.transactions).toBe(0);
  });

  it('two workers and two schedulers racing on the same tasks send each notification once', async () => {
    h = await makeHarness(cluster, smtp, { start: at('2022-07-01T10:00'), cfg });
    const harness = h;
    const ids = await harness.overdue(30);
    const a = await harness.engine({ tuning: { concurrency: 8, batch: 7 } });
    const b = await harness.engine({ tuning: { concurrency: 8, batch: 7 } });
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    await smtp.waitFor(13, 10_000).catch((err) => {
      throw new Error(`${(err as Error).message}\n${harness.logs.filter((l) => (l.level as number) >= 40).slice(0, 5).map((l) => JSON.stringify(l)).join('\n')}`);
    }); // 12 heads' lists and the Office's
    for (const id of ids.slice(0, 10)) await Promise.all([a.touch(id), b.touch(id)]);
    await Promise.all([a.tick(), b.tick(), a.reconcileNow(), b.reconcileNow()]);
    await until(async () => {
      const d = await a.queueDepth();
      return d.active + d.waiting + d.delayed === 0;
    }, 'the queue drained');
    await new Promise((r) => setTimeout(r, 300));
    const tasks = await Promise.all(ids.map(async (id) => (await harness.store.get(id))!));
    const due = dueIds(tasks, [{ now: harness.clock.now(), config: cfg }]);
    expect(due.size).toBe(60);
    assertDeliveryInvariant({ received: smtp.messages, records: await readDeliveryLog(harness.redis, harness.prefix), due, domain: DOMAIN });
    expect(smtp.stats.delivered).toBe(13);
    // The tasks' delivery logs are spread over the masters like the tasks.
    const logs = await keysPerMaster(`${harness.prefix}:delivery:{*}`);
    expect(logs.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('two `dondoc start` processes (all roles, and a second worker) share the cluster: one mail, and a reload reaches both', async () => {
    const TOKEN = 'cluster-admin-token-0123456789';
    const port = await freePort();
    // Tuesday 10/03/2026 09:00 in the shipped config's calendar: inside office hours.
    const common = { REDIS_URL: cluster.url, DONDOC_KEY_PREFIX: randomPrefix('clp'), SMTP_URL: smtp.url, DONDOC_API_TOKENS: `e2e:admin:${TOKEN}`, DONDOC_FAKE_NOW: '2026-03-10T09:00:00+07:00' };
    const all = spawnDondocProcess(['start'], { env: { ...common, DONDOC_HTTP_PORT: String(port) } });
    const worker = spawnDondocProcess(['start', '--role', 'worker'], { env: common });
    try {
      const lines = await Promise.all([all.ready(20_000), worker.ready(20_000)]);
      expect(lines[0]).toContain(`Redis redis+cluster://${cluster.ports.map((p) => `127.0.0.1:${p}`).join(',')}`);
      const created = await fetch(`http://127.0.0.1:${port}/api/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Báo cáo kết quả chuyển đổi số ngành y tế', source: { number: '215/UBND-KGVX', date: '2026-01-20', issuer: 'UBND tỉnh Thái Nguyên', item: '3' }, lead: 'SYT', deadline: '2026-03-02' }),
      });
      expect(created.status).toBe(201);
      const id = ((await created.json()) as { task: { id: string } }).task.id;
      const mine = () => smtp.messages.filter((m) => m.messageId?.includes(id));
      await eventually(() => (mine().length > 0 ? true : undefined), 'the escalation received by the SMTP server', 15_000);
      // The API says it was sent, and nothing about the task arrives twice.
      await eventually(async () => {
        const r = (await (await fetch(`http://127.0.0.1:${port}/api/tasks/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { deliveries: Array<{ state: string }> };
        return r.deliveries.some((d) => d.state === 'sent') ? true : undefined;
      }, 'the sent record');
      await new Promise((r) => setTimeout(r, 500));
      // One copy per person, each once.
      expect(mine().every((m) => m.envelope.to.length === 1)).toBe(true);
      expect(new Set(mine().map((m) => m.envelope.to[0])).size).toBe(mine().length);
      expect(new Set(smtp.messages.map((m) => m.messageId)).size).toBe(smtp.messages.length);

      // The reload channel: published through one node, relayed to the subscribers on the others.
      const reload = await runCliCaptured(['config', 'reload'], { env: { REDIS_URL: cluster.url, DONDOC_KEY_PREFIX: common.DONDOC_KEY_PREFIX } });
      expect(reload.stdout).toMatch(/^ok: config [0-9a-f]+ published to 2 running processes$/m);
      await Promise.all([all.waitForLog(/config reloaded/), worker.waitForLog(/config reloaded/)]);
      expect(await Promise.all([all.stop(), worker.stop()])).toEqual([0, 0]);
    } finally {
      for (const p of [all, worker]) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });
});
