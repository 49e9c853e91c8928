// Redis killed (SIGKILL) and restarted under load (issue 7, fault suite): two `dondoc start`
// processes (one with every role, one worker) are sending a wave of notifications through a slowed SMTP
// link when their Redis dies mid-wave; it comes back a second later from its append-only file
// (appendfsync always, as dondoc requires). Nothing acknowledged is lost — tasks, schedule, jobs,
// claims — and every due notification reaches the server exactly once after the restart,
// including those whose send had finished while Redis was gone (recorded by the retry, not resent).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN, type Harness, at, makeHarness, until } from '../support/delivery-harness.js';
import type { DondocProcess } from '../support/dondoc-process.js';
import { type FaultFiles, type ProcessWorld, alignClock, faultFiles, spawnRole, tail } from '../support/fault-env.js';
import { assertDeliveryInvariant, dueIds, readDeliveryLog, settled } from '../support/fault-invariants.js';
import { type SmtpProxy, startSmtpProxy } from '../support/fault-smtp-proxy.js';
import { type PrivateRedis, startRedis } from '../support/redis-server.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

const START = at('2022-07-01T10:00');

let server: PrivateRedis;
let smtp: TestSmtp;
let proxy: SmtpProxy;
let files: FaultFiles;
let h: Harness;
const procs: DondocProcess[] = [];

beforeAll(async () => {
  [server, smtp] = await Promise.all([startRedis(), startSmtp()]);
  proxy = await startSmtpProxy(smtp);
  proxy.latencyMs = 25; // a send takes ~150 ms: the wave lasts long enough to be cut
  // Two tries in all: an outage that spent tries (it did, before src/queue/deliver.ts's
  // waitIfRedisDown) would drop jobs, and their notifications would be missing here.
  // Lists of three (policy.bundle.max_items): 60 tasks over 12 heads (5 each: 2 mails) and the Office (60: 20 mails) make 44 mails.
  files = faultFiles({ concurrency: 3, attempts: 2, bundle: { max_items: 3 } });
  h = await makeHarness(server, smtp, { start: START, cfg: files.load() });
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop(5000)));
  await h?.close();
  await proxy?.close();
  await Promise.all([server?.stop(), smtp?.stop()]);
  files?.remove();
});

// Processes on a busy 2-core machine: a run takes 10–15 s; the bound is generous.
describe('Redis killed and restarted under load', { timeout: 90_000 }, () => {
  it('loses nothing (AOF) and delivers every due notification exactly once', async () => {
    const ids = await h.overdue(60);
    const tasks = await Promise.all(ids.map(async (id) => (await h.store.get(id))!));
    const due = dueIds(tasks, [{ now: h.clock.now(), config: h.cfg }]);
    expect(due.size).toBe(120);

    const w: ProcessWorld = { redisUrl: server.url, smtpUrl: proxy.url, prefix: h.prefix, configFile: files.file, now: h.clock.now };
    procs.push(spawnRole(w, 'all'), spawnRole(w, 'worker'));
    await Promise.all(procs.map((p) => p.ready()));
    alignClock(h.clock, procs);

    // Mid-wave: some sent, some in flight, the rest queued.
    await smtp.waitFor(8, 30_000);
    await server.kill('SIGKILL');
    const atKill = smtp.messages.length;
    await new Promise((r) => setTimeout(r, 2000));
    const duringOutage = smtp.messages.length;
    await server.restart();

    // The AOF kept every task.
    await until(async () => (await h.redis.ping().catch(() => null)) === 'PONG', 'the test connection back', 10_000);
    expect((await Promise.all(ids.map((id) => h.store.get(id)))).every((t) => t !== null)).toBe(true);

    const records = await settled(h.redis, h.prefix, due, 40_000);
    await new Promise((r) => setTimeout(r, 500));
    const logs = (): string => procs.map((p) => tail(p, 15)).join('\n---\n');
    try {
      assertDeliveryInvariant({ received: smtp.messages, records, due, domain: DOMAIN });
    } catch (e) {
      throw new Error(`${(e as Error).message}\n\nthe processes' last log lines:\n${logs()}`);
    }
    // No job spent a try on the outage: each waited for Redis instead.
    for (const p of procs) expect(p.stderr(), logs()).not.toMatch(/"msg":"job attempt failed"/);
    // The processes rode it out: none needed a restart.
    for (const p of procs) expect(p.child.exitCode).toBeNull();
    const log = await readDeliveryLog(h.redis, h.prefix);
    const claims = log.filter((r) => r.state !== 'released').map((r) => r.attempts);
    expect(smtp.messages).toHaveLength(44);
    console.log(`redis restart: ${atKill} mails delivered before the kill, ${duringOutage - atKill} while Redis was down, 44 (120 items) in all; claims per item: ${[1, 2, 3, 4].map((n) => `${n}×: ${claims.filter((a) => a === n).length}`).join(', ')}`);
  });
});
