// Several processes racing on the same tasks (issue 7, fault suite): two schedulers and two,
// then three `dondoc start --role worker` processes against one Redis, while the test keeps
// asking for every task to be re-planned (a stream of touches, as edits and reloads cause) and
// runs reconciles of its own — so the schedulers plan the same tasks over and over, re-enqueue
// notifications whose jobs just finished, and workers meet the same notification more than
// once. Sends are slowed by a proxy so that all of it overlaps. Each due notification must
// reach the SMTP server exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSchedule } from '../../src/store/schedule.js';
import { DOMAIN, type Harness, at, makeHarness } from '../support/delivery-harness.js';
import type { DondocProcess } from '../support/dondoc-process.js';
import { type FaultFiles, type ProcessWorld, alignClock, faultFiles, spawnRole } from '../support/fault-env.js';
import { assertDeliveryInvariant, dueIds, settled } from '../support/fault-invariants.js';
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
  proxy.latencyMs = 15; // each SMTP reply: a send takes ~100 ms
  // Two waves a second apart: with bundling on, the second would wait for the next day's lists
  // (one mail a kind per person per window), so the waves race copy by copy; the bundles race below.
  files = faultFiles({ concurrency: 4, bundle: { enabled: false } });
  h = await makeHarness(server, smtp, { start: START, cfg: files.load() });
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop(5000)));
  await h?.close();
  await proxy?.close();
  await Promise.all([server?.stop(), smtp?.stop()]);
  files?.remove();
});

const overdueTasks = (from: number, to: number): Promise<string[]> => h.overdue(to - from + 1, from);

/** Until stopped: every task touched every 50 ms (re-planned by whichever scheduler leases it), a reconcile now and then. */
function stir(ids: () => string[], reconcile: () => Promise<unknown>): () => Promise<number> {
  const schedule = makeSchedule(h.redis, h.prefix);
  let stop = false;
  let rounds = 0;
  const run = (async () => {
    while (!stop) {
      await schedule.touch(ids(), h.clock.now());
      if (++rounds % 5 === 0) await reconcile();
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return async () => {
    stop = true;
    await run;
    return rounds;
  };
}

// Five processes on a busy 2-core machine: a run takes 10–20 s; the bound is generous.
describe('two schedulers, two then three workers, one Redis', { timeout: 120_000 }, () => {
  it('send each due notification exactly once', async () => {
    const w: ProcessWorld = { redisUrl: server.url, smtpUrl: proxy.url, prefix: h.prefix, configFile: files.file, now: h.clock.now };
    const spawn = (role: 'scheduler' | 'worker'): DondocProcess => {
      const p = spawnRole(w, role);
      procs.push(p);
      return p;
    };
    const ids = await overdueTasks(1, 40);
    await Promise.all([spawn('scheduler'), spawn('scheduler'), spawn('worker'), spawn('worker')].map((p) => p.ready()));
    alignClock(h.clock, procs);
    // The test's own engine neither schedules nor works: it runs reconciles, as a third party.
    const outsider = await h.engine({ roles: { scheduler: false, worker: false } });
    const touching = stir(() => ids, () => outsider.reconcileNow());
    await smtp.waitFor(10, 30_000);

    // A third worker joins while the first wave is going out, and a second wave arrives.
    const third = spawn('worker');
    await third.ready();
    alignClock(h.clock, procs);
    // In one burst, so that the three compete for it.
    ids.push(...(await Promise.all(Array.from({ length: 40 }, (_, i) => overdueTasks(41 + i, 41 + i)))).flat());
    const tasks = await Promise.all(ids.map(async (id) => (await h.store.get(id))!));
    const due = dueIds(tasks, [{ now: h.clock.now(), config: h.cfg }]);
    expect(due.size).toBe(160); // each level 1 to its head and to the Office
    const records = await settled(h.redis, h.prefix, due, 40_000);
    const rounds = await touching();
    await new Promise((r) => setTimeout(r, 500));

    assertDeliveryInvariant({ received: smtp.messages, records, due, domain: DOMAIN });
    const attempts = records.map((r) => r.attempts);
    const byWorker = procs.filter((p) => p.stderr().includes('"role":"worker"')).map((p) => p.stderr().split('"msg":"sent"').length - 1);
    console.log(`race: 160 copies of 80 notifications, 2 schedulers + 2→3 workers (sent ${byWorker.join(' / ')}), ${rounds} rounds of touches; claims per notification: ${[1, 2, 3].map((n) => `${n}×: ${attempts.filter((a) => a === n).length}`).join(', ')}`);
    // Each of the three workers did part of the work.
    expect(byWorker).toHaveLength(3);
    for (const n of byWorker) expect(n).toBeGreaterThan(0);
  });

  it('bundles too: each item of every list once, whoever closes, claims and sends it', async () => {
    for (const p of procs.splice(0)) await p.stop(5000);
    smtp.reset();
    files.write({ concurrency: 4, bundle: { max_items: 3 } });
    const w: ProcessWorld = { redisUrl: server.url, smtpUrl: proxy.url, prefix: h.prefix, configFile: files.file, now: h.clock.now };
    const spawn = (role: 'scheduler' | 'worker'): DondocProcess => {
      const p = spawnRole(w, role);
      procs.push(p);
      return p;
    };
    // One wave of 36: three items for each of 12 heads, and 36 for the Office, three to a mail.
    const ids = await overdueTasks(101, 136);
    const tasks = await Promise.all(ids.map(async (id) => (await h.store.get(id))!));
    const due = dueIds(tasks, [{ now: h.clock.now(), config: files.load() }]);
    expect(due.size).toBe(72);
    await Promise.all([spawn('scheduler'), spawn('scheduler'), spawn('worker'), spawn('worker'), spawn('worker')].map((p) => p.ready()));
    alignClock(h.clock, procs);
    const outsider = await h.engine({ roles: { scheduler: false, worker: false } });
    const touching = stir(() => ids, () => outsider.reconcileNow());
    const records = (await settled(h.redis, h.prefix, due, 40_000)).filter((r) => ids.includes(r.taskId));
    await touching();
    await new Promise((r) => setTimeout(r, 500));
    assertDeliveryInvariant({ received: smtp.messages, records, due, domain: DOMAIN });
    expect(smtp.messages).toHaveLength(24);
    expect(smtp.messages.every((m) => m.items.length === 3)).toBe(true);
  });
});
