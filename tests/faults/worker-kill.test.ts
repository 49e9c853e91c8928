// A worker killed with SIGKILL in the middle of a send (issue 7, fault suite), with real
// `dondoc start --role worker|scheduler` processes, a private Redis and the test SMTP server:
//   - one of two workers killed while the server has not answered yet: nothing was delivered,
//     so after the claim's lease the other sends each one once;
//   - killed after the server accepted but before the `sent` record (the server's 250 held back
//     by a proxy): the documented duplicate window — the copy carries the same Message-ID;
//   - and, without a crash, how wide that window is: the time from the server's 250 to the
//     `sent` record in Redis, measured from a proxy's timestamps and Redis MONITOR.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DOMAIN, type Harness, at, makeHarness, until } from '../support/delivery-harness.js';
import type { DondocProcess } from '../support/dondoc-process.js';
import { type FaultFiles, type ProcessWorld, alignClock, faultFiles, spawnRole, tail } from '../support/fault-env.js';
import { assertDeliveryInvariant, dueIds, readDeliveryLog, settled } from '../support/fault-invariants.js';
import { type SmtpProxy, startSmtpProxy } from '../support/fault-smtp-proxy.js';
import { type PrivateRedis, startRedis } from '../support/redis-server.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

// Fri 01/07/2022 10:00: every task below (deadline Thu 30/06) is due its level-1 escalation now.
const START = at('2022-07-01T10:00');
const LEASE_MS = 5000;

let server: PrivateRedis;
let smtp: TestSmtp;
let files: FaultFiles;
let h: Harness;
let proxy: SmtpProxy | undefined;
const procs: DondocProcess[] = [];

beforeAll(async () => {
  [server, smtp] = await Promise.all([startRedis(), startSmtp()]);
  files = faultFiles();
});
afterAll(async () => {
  await Promise.all([server?.stop(), smtp?.stop()]);
  files?.remove();
});
beforeEach(async () => {
  await smtp.setMode('accept');
  smtp.reset();
  h = await makeHarness(server, smtp, { start: START, cfg: files.load() });
});
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.stop(5000)));
  await proxy?.close();
  proxy = undefined;
  await h?.close();
});

const world = (smtpUrl = smtp.url): ProcessWorld => ({ redisUrl: server.url, smtpUrl, prefix: h.prefix, configFile: files.file, now: h.clock.now });

const start = (w: ProcessWorld, role: 'scheduler' | 'worker'): DondocProcess => {
  const p = spawnRole(w, role);
  procs.push(p);
  return p;
};

// Six heads (one item each) and the Provincial Office (all of them, in one list): seven mails.
const overdueTasks = (n: number): Promise<string[]> => h.overdue(n);

async function dueNow(ids: string[]): Promise<Set<string>> {
  const tasks = await Promise.all(ids.map(async (id) => (await h.store.get(id))!));
  return dueIds(tasks, [{ now: h.clock.now(), config: h.cfg }]);
}

async function kill(p: DondocProcess): Promise<void> {
  p.signal('SIGKILL');
  expect(await p.exited).toBe(137);
}

// Processes on a busy 2-core machine: a run takes 5–15 s; the bound is generous.
describe('a worker killed with SIGKILL mid-send', { timeout: 90_000 }, () => {
  it('one of two workers, before the server answered: after the lease the other sends each once', async () => {
    await smtp.setMode('hang'); // MAIL FROM is never answered: every send is stuck mid-transaction
    const ids = await overdueTasks(6);
    const due = await dueNow(ids);
    expect(due.size).toBe(12); // each level 1 to its head and to the Office
    const w = world();
    const [a, b] = [start(w, 'worker'), start(w, 'worker')];
    await Promise.all([start(w, 'scheduler').ready(), a.ready(), b.ready()]);
    // All seven mails claimed and waiting on the server, shared between the two workers: kill A
    // now, well within the 2 s socket timeout, so none of its sends has failed or been recorded.
    await until(() => smtp.stats.transactions >= 7, 'seven sends stuck at MAIL FROM', 10_000);
    const claims = (await readDeliveryLog(h.redis, h.prefix)).filter((r) => r.state === 'sending');
    expect(claims).toHaveLength(12);
    const ofA = claims.filter((r) => r.owner?.includes(`-${a.child.pid}-`));
    expect(ofA.length).toBeGreaterThan(0);
    await kill(a);
    const killedAt = Date.now();
    // The server answers again: B's own sends time out (2 s) and are retried; A's wait for their lease.
    await smtp.setMode('accept');
    const recoveredA = await until(async () => {
      const log = await readDeliveryLog(h.redis, h.prefix);
      return ofA.every((c) => log.find((r) => r.id === c.id)?.state === 'sent') ? Date.now() - killedAt : 0;
    }, "the dead worker's sends done by the other", 40_000);
    const records = await settled(h.redis, h.prefix, due, 40_000);
    console.log(`worker killed mid-send: its ${ofA.length} stuck sends went out ${recoveredA} ms after the kill (lease ${LEASE_MS} ms)`);
    await new Promise((r) => setTimeout(r, 300)); // anything doubled would arrive by now
    assertDeliveryInvariant({ received: smtp.messages, records, due, domain: DOMAIN });
    expect(smtp.stats.delivered, tail(b)).toBe(7);
    // The Office's six items went in one list.
    expect(smtp.messages.find((m) => m.items.length === 6)?.envelope.to).toEqual(['chanhvanphong.vpubnd@thainguyen.example.gov.vn']);
    // A's were claimed again by B (a second claim) once their lease ended — the claims were made
    // just before the kill, and the two processes' clocks differ by up to a second — and not
    // after BullMQ's default lock and stall check (30 s + up to 30 s; src/queue/engine.ts ties
    // them to the lease).
    for (const c of ofA) expect(records.find((r) => r.id === c.id)?.attempts).toBeGreaterThanOrEqual(2);
    expect(recoveredA).toBeGreaterThanOrEqual(LEASE_MS - 2500);
    expect(recoveredA).toBeLessThan(20_000);
  });

  it('after the server accepted, before the record: the one duplicate, with the same Message-ID', async () => {
    proxy = await startSmtpProxy(smtp);
    proxy.hold = true; // the server takes each message; its 250 never reaches the worker
    const ids = await overdueTasks(6);
    const due = await dueNow(ids);
    const w = world(proxy.url);
    const a = start(w, 'worker');
    await Promise.all([start(w, 'scheduler').ready(), a.ready()]);
    alignClock(h.clock, procs); // the next worker's clock starts from the slower of these
    await proxy.waitHeld(1, 10_000);
    await new Promise((r) => setTimeout(r, 300)); // the other sends in flight reach the end of DATA too
    await kill(a);
    await new Promise((r) => setTimeout(r, 300)); // the server finishes taking what it was sent
    // The window: every message the server took from the dead worker, whose 250 it never heard
    // (held by the proxy, or cut with the connection) — delivered, never recorded.
    const window = smtp.messages.map((m) => m.messageId!);
    expect(window.length).toBeGreaterThanOrEqual(1);
    expect(window).toEqual(expect.arrayContaining(proxy.held));
    const accepted = window.map((m) => /^<(.+)@/.exec(m)![1]!);
    const items = smtp.messages.flatMap((m) => m.items);
    const before = await readDeliveryLog(h.redis, h.prefix);
    for (const id of items) expect(before.find((r) => r.id === id)?.state).toBe('sending');

    const b = start(world(), 'worker');
    await b.ready();
    const records = await settled(h.redis, h.prefix, due, 40_000);
    await new Promise((r) => setTimeout(r, 300));
    assertDeliveryInvariant({ received: smtp.messages, records, due, domain: DOMAIN, crashWindow: accepted });
    // Exactly those went twice — same Message-ID, so the receiving system can drop the copy —
    // and everything else once.
    const copies = new Map<string, number>();
    for (const m of smtp.messages) copies.set(m.messageId!, (copies.get(m.messageId!) ?? 0) + 1);
    expect([...copies].filter(([, n]) => n === 2).map(([m]) => m).sort()).toEqual([...window].sort());
    expect(copies.size).toBe(7);
    // Every item of a mail sent twice was claimed twice, and carries that mail's Message-ID.
    for (const m of smtp.messages.filter((x) => window.includes(x.messageId!))) {
      for (const id of m.items) expect(records.find((r) => r.id === id)).toMatchObject({ state: 'sent', attempts: 2, messageId: m.messageId });
    }
  });
});

describe('the duplicate window, measured', { timeout: 90_000 }, () => {
  it('from the server 250 to the `sent` records in Redis: a few ms, under load from 30 mails', async () => {
    files.write({ bundle: { max_items: 3 } });
    h.cfg = files.load();
    proxy = await startSmtpProxy(smtp);
    const monitorConn = new Redis(server.url);
    const monitor = await monitorConn.monitor();
    // When Redis ran the HSET that wrote each `sent` record (inside the claim-protocol script), by item.
    const recordedAt = new Map<string, number>();
    monitor.on('monitor', (time: string, args: string[]) => {
      if (args[0]?.toUpperCase() === 'HSET' && args[1]?.startsWith(`${h.prefix}:delivery:`) && args[3]?.includes('"state":"sent"')) {
        recordedAt.set(args[2]!, Number(time) * 1000);
      }
    });
    try {
      const ids = await overdueTasks(40);
      const due = await dueNow(ids);
      expect(due.size).toBe(80);
      const w = world(proxy.url);
      await Promise.all([start(w, 'scheduler').ready(), start(w, 'worker').ready()]);
      const records = await settled(h.redis, h.prefix, due, 40_000);
      await until(() => recordedAt.size >= 80, 'MONITOR lines of the 80 records');
      assertDeliveryInvariant({ received: smtp.messages, records, due, domain: DOMAIN });

      // Per mail: from its 250 to the last of its items' `sent` records (a list writes one script per task).
      const itemsOf = new Map(smtp.messages.map((m) => [m.messageId!, m.items]));
      const windows = proxy.accepted.map((a) => Math.max(...itemsOf.get(a.messageId)!.map((id) => recordedAt.get(id)!)) - a.at);
      // Three items a mail (policy.bundle.max_items: 3): 12 heads' lists of 3–4 items and the Office's 40.
      expect(windows).toHaveLength(30);
      windows.sort((x, y) => x - y);
      const q = (p: number): number => windows[Math.min(windows.length - 1, Math.floor(p * windows.length))]!;
      console.log(`duplicate window (server 250 → sent records), 30 mails of 80 items, concurrency 4: min ${q(0).toFixed(2)} ms, p50 ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms, max ${windows.at(-1)!.toFixed(2)} ms`);
      // Always after the 250 (the record follows the send), and short: one Redis round trip plus
      // the worker's own latency. Bounds loose enough for a busy 2-core CI machine.
      expect(q(0)).toBeGreaterThan(0);
      expect(q(0.5)).toBeLessThan(50);
      expect(windows.at(-1)!).toBeLessThan(500);
    } finally {
      monitorConn.disconnect();
      files.write();
    }
  });
});
