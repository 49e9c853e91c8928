// The config reloaded while jobs are pending (issue 7, fault suite): at 07:25 on Tue 05/07/2022
// three notifications wait in BullMQ for the 07:30 opening when a day off on 05/07 is added to
// the config and reloaded (as SIGHUP does: validated, published, every service swaps, one
// scheduler re-plans every open task). Each job, when its old time comes, re-plans with the new
// config and moves to the next working day (a job is only ever moved by the plan it carries out:
// the re-plan leaves jobs beyond the lookahead alone, so a million tasks cost no BullMQ look-ups);
// nothing goes out on the day off; on Wed 06/07 each goes out exactly once. Two services run in
// this process through the composition root (src/main.ts) on a clock the test moves.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { makeLogger } from '../../src/log.js';
import { type Service, startService } from '../../src/main.js';
import { QUEUES, bullPrefix } from '../../src/queue/names.js';
import { makeSchedule } from '../../src/store/schedule.js';
import { DOMAIN, type Harness, at, bundleFor, makeHarness, until } from '../support/delivery-harness.js';
import { faultFiles } from '../support/fault-env.js';
import { assertDeliveryInvariant, dueIds, readDeliveryLog, settled } from '../support/fault-invariants.js';
import { type PrivateRedis, startRedis } from '../support/redis-server.js';
import { type TestSmtp, startSmtp } from '../support/smtp-server.js';

const DAY_OFF = '{ days_off: [{ date: 2022-07-05, name: Nghỉ đột xuất }] }';

let server: PrivateRedis;
let smtp: TestSmtp;
let h: Harness;
const files = faultFiles();
const services: Service[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  [server, smtp] = await Promise.all([startRedis(), startSmtp()]);
});
afterAll(async () => {
  for (const s of services.reverse()) await s.close();
  await h?.close();
  await Promise.all([server?.stop(), smtp?.stop()]);
  files.remove();
});

const SYT = 'giamdoc.syt@thainguyen.example.gov.vn';
const VP = 'chanhvanphong.vpubnd@thainguyen.example.gov.vn';
const PCT3 = 'pct3.ubnd@thainguyen.example.gov.vn';
const item = (n: number) => ({ number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: String(n) });

describe('config reloaded while jobs are pending', () => {
  it('a day off added: the pending jobs move to the next working day, none lost or doubled', async () => {
    const before = files.load();
    h = await makeHarness(server, smtp, { start: at('2022-07-05T07:25'), cfg: before });
    const ids = [
      await h.task({ source: item(1), deadline: '2022-07-05' }), // "on the deadline" at 07:30 today
      await h.task({ source: item(2), deadline: '2022-07-07' }), // "2 working days before" today
      await h.task({ source: item(3), deadline: '2022-06-30' }), // overdue: level 2 today
      await h.task({ source: item(4), deadline: '2022-07-20' }), // nothing near
    ];
    const env = { REDIS_URL: server.url, DONDOC_KEY_PREFIX: h.prefix, DONDOC_CONFIG: files.file, SMTP_URL: smtp.url, DONDOC_HTTP_PORT: '0', DONDOC_REDIS_TIMEOUT_MS: '1000' };
    const start = (role: 'all' | 'worker') =>
      startService({
        role,
        env,
        loadConfig: () => loadConfig({ file: files.file }),
        logger: makeLogger({ level: 'debug', format: 'json', base: { role }, sink: { write: (l) => void logLines.push(l) } }),
        stdout: { write: () => undefined },
        now: h.clock.now,
      });
    services.push(await start('all'), await start('worker'));

    const conn = new Redis(server.url, { maxRetriesPerRequest: null });
    const q = new Queue(QUEUES.notify, { connection: conn, prefix: bullPrefix(h.prefix) });
    const waiting = async (): Promise<string[]> => (await q.getDelayed()).map((j) => j.id!).sort();
    try {
      // Four bundles wait for 07:30 (plus the gather delay): Sở Y tế's reminders (two items) and
      // escalations, the Office's and the leader's escalations.
      await until(async () => (await waiting()).length === 4, 'four bundles waiting for 07:30', 10_000);
      expect(await waiting()).toEqual(
        [
          bundleFor('reminder', '2022-07-05', SYT),
          bundleFor('escalation', '2022-07-05', SYT),
          bundleFor('escalation', '2022-07-05', VP),
          bundleFor('escalation', '2022-07-05', PCT3),
        ].sort(),
      );

      // 07:26: the day off is added and reloaded.
      h.clock.set(at('2022-07-05T07:26'));
      const after = files.write({ calendar: DAY_OFF });
      const r = await services[0]!.requestReload();
      expect(r).toEqual({ ok: true, hash: after.hash });
      await until(() => services.every((s) => s.config().hash === after.hash), 'both services on the new config');
      // 07:30, the old time: each bundle fires (its wall-clock timer, promoted here), judges its
      // items again with the new config and finds none due (all moved to Wed 06/07): it drops them
      // and sends nothing; the tasks wait in the schedule index for their new day.
      h.clock.set(at('2022-07-05T07:30') + 1500);
      for (const j of await q.getDelayed()) await j.promote();
      await until(async () => (await waiting()).length === 0 && (await q.getWaitingCount()) === 0 && (await q.getActiveCount()) === 0, 'the four bundles done', 10_000);
      await until(async () => (await makeSchedule(h.redis, h.prefix).scores(ids.slice(0, 3))).every((t) => t === at('2022-07-06T07:30') - 10 * 60_000), 'the tasks waiting for 06/07 07:30', 10_000);
      // The day off passes: nothing is sent; the copies were never released.
      h.clock.set(at('2022-07-05T16:00'));
      await new Promise((res) => setTimeout(res, 500));
      expect(smtp.stats.transactions).toBe(0);
      expect((await readDeliveryLog(h.redis, h.prefix)).filter((x) => x.state !== 'skipped')).toEqual([]);

      // Wed 06/07 07:31: each goes out once, in the bundles of the day.
      const next = at('2022-07-06T07:31');
      h.clock.set(next);
      for (const id of ids) await makeSchedule(h.redis, h.prefix).touch([id], next);
      const tasks = await Promise.all(ids.map(async (id) => (await h.store.get(id))!));
      const due = dueIds(tasks, [
        { now: at('2022-07-05T16:00'), config: after },
        { now: next, config: after },
      ]);
      expect(due.size).toBe(5);
      const records = await settled(h.redis, h.prefix, due, 10_000);
      await new Promise((res) => setTimeout(res, 500));
      assertDeliveryInvariant({ received: smtp.messages, records, due, domain: DOMAIN });
      expect(smtp.messages).toHaveLength(4);
      for (const m of smtp.messages) expect(m.text).toContain('06/07/2022');
    } finally {
      await q.close();
      conn.disconnect();
    }
  });
});
