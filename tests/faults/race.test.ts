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
  files = faultFiles({ concurrency: 4 });
  h = await makeHarness(server, smtp, { start: START, cfg: files.load() });
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop(5000)));
  await h?.close();
  await proxy?.close();
  await Promise.all([server?.stop(), smtp?.stop()]);
  files?.remove();
});

async function overdueTasks(from: number, to: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i <= to; i++) ids.push(await h.task({ source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: String(i) } }));
  return ids;
}

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
    expect(due.size).toBe(80);
    const records = await settled(h.redis, h.prefix, due, 40_000);
    const rounds = await touching();
    await new Promise((r) => setTimeout(r, 500));

    assertDeliveryInvariant({ received: smtp.messages, records, due, domain: DOMAIN });
    const attempts = records.map((r) => r.attempts);
    const byWorker = procs.filter((p) => p.stderr().includes('"role":"worker"')).map((p) => p.stderr().split('"msg":"sent"').length - 1);
    console.log(`race: 80 notifications, 2 schedulers + 2→3 workers (sent ${byWorker.join(' / ')}), ${rounds} rounds of touches; claims per notification: ${[1, 2, 3].map((n) => `${n}×: ${attempts.filter((a) => a === n).length}`).join(', ')}`);
    // Each of the three workers did part of the work.
    expect(byWorker).toHaveLength(3);
    for (const n of byWorker) expect(n).toBeGreaterThan(0);
  });
});
