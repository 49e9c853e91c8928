// Issue 7 "Scale": one million open tasks on one Redis — Redis memory, the time the scheduler
// takes to plan them all, the time to re-plan them all after a holiday is added to the config
// (replanAll, then the scheduler draining the backlog) and the scheduler's lag meanwhile —
// each beside the bare-BullMQ way measured in the same run on the same Redis: a delayed job
// per task (memory, time to add them all) and moving every one of those jobs (changeDelay)
// for the holiday.
//
// Run by hand (not part of npm test); prints figures for docs/BENCHMARKS.md:
//   npx tsx bench/scale-million.ts                     one million tasks (≈ 7 minutes on 2 idle cores, ≈ 3 GB of Redis)
//   npx tsx bench/scale-million.ts --tasks 200000      smaller, for a quick look
// Options: --overdue 0.01 (share of tasks with an escalation due now), --no-bare (skip the baseline).
//
// The clock is Fri 01/07/2022 10:00 in the 2022 Thái Nguyên config; deadlines fall over the next
// 12 months (and 1–25 days past for the overdue share). The holiday is Fri 15/07/2022. The
// scheduler runs in this process with the service's defaults (200 tasks a lease, 10 rounds a
// tick, lookahead 10 minutes); no worker runs, so the jobs of overdue tasks wait in BullMQ.
// redis-server: AOF on (fsync every second), automatic AOF rewrite off so that a rewrite's fork
// does not land in one phase and not another.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import pino from 'pino';
import type { LoadedConfig } from '../src/config/load.js';
import { isPending } from '../src/core/notification.js';
import { BACKOFF_TYPE } from '../src/queue/backoff.js';
import { makeMailer } from '../src/mail/transport.js';
import { makeEngine } from '../src/queue/engine.js';
import { planFor } from '../src/queue/job-context.js';
import { JOBS, QUEUES, bullPrefix } from '../src/queue/names.js';
import { connectRedis, makeBullConnection, type RedisClient } from '../src/store/redis.js';
import { scheduleKey } from '../src/store/schedule.js';
import { makeTaskStore } from '../src/store/task-store.js';
import { at, deliveryConfig, makeClock } from '../tests/support/delivery-harness.js';
import { randomPrefix, startRedis } from '../tests/support/redis-server.js';
import { fmt, machine } from './lib/delivery-bench.js';
import { generateTasks, scheduleAll, usedMemory } from './lib/scale-tasks.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
};
const N = Number(arg('tasks', '1000000'));
const OVERDUE = Number(arg('overdue', '0.01'));
const BARE = !process.argv.includes('--no-bare');

const NOW = at('2022-07-01T10:00');
const HOLIDAY = '{ days_off: [{ date: 2022-07-15, name: Nghỉ đột xuất }] }';

const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const pct = (xs: number[], p: number): number => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length ? a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))]! : 0;
};

function redisRss(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

interface Pass {
  ms: number;
  /** dondoc_schedule_lag_seconds as each tick reported it. */
  lags: number[];
}

/**
 * Resolves when the scheduler has planned everything that was due: the first tick that reports
 * no lag after one that did (a tick reports the lag it leaves behind, as the service's metric).
 */
function drained(ticks: { onTick: ((lag: number) => void) | undefined }, t0: number): Promise<Pass> {
  const lags: number[] = [];
  return new Promise((resolve) => {
    ticks.onTick = (lag) => {
      lags.push(lag);
      if (lag === 0 && lags.some((l) => l > 0)) {
        ticks.onTick = undefined;
        resolve({ ms: performance.now() - t0, lags });
      }
    };
  });
}

async function main(): Promise<void> {
  const server = await startRedis({ args: ['--appendfsync', 'everysec', '--auto-aof-rewrite-percentage', '0'] });
  const redis = await connectRedis(server.url, { role: 'service', timeoutMs: 60_000 });
  const clock = makeClock(NOW);
  const base = deliveryConfig({ digest: false });
  const holiday = deliveryConfig({ digest: false, calendar: HOLIDAY });
  let config: LoadedConfig = base;
  const prefix = randomPrefix('m');
  const logger = pino({ level: 'warn' });
  const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  say(`scale: ${N.toLocaleString('en-US')} open tasks (${(OVERDUE * 100).toFixed(1)}% overdue) on one redis-server ${/redis_version:(\S+)/.exec(await redis.info('server'))?.[1]}`);
  say(`machine: ${machine()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM; redis AOF everysec; load average at start ${os.loadavg()[0]!.toFixed(1)}`);

  try {
    // 1. The tasks, then their schedule entries: Redis memory of each.
    const m0 = await usedMemory(redis);
    let t = performance.now();
    const ids = await generateTasks(redis, { prefix, cfg: base, now: NOW, n: N, overdue: OVERDUE, scheduleAt: null, progress: (d) => process.stderr.write(`  generated ${d.toLocaleString('en-US')}\r`) });
    const genMs = performance.now() - t;
    const m1 = await usedMemory(redis);
    await scheduleAll(redis, prefix, ids, clock.now());
    const m2 = await usedMemory(redis);
    say(`generated in ${s(genMs)} (${fmt(N / (genMs / 1000), 'tasks/s')}, pipelined)`);

    // 2. The scheduler plans every task once.
    const ticks: { onTick: ((lag: number) => void) | undefined } = { onTick: undefined };
    const store = makeTaskStore({ redis, url: server.url, prefix, calendar: base.calendar, now: clock.now });
    const conns: RedisClient[] = [];
    const engine = makeEngine({
      redis,
      bullConnection: () => {
        const c = makeBullConnection(server.url);
        conns.push(c);
        return c;
      },
      prefix,
      store,
      config: () => config,
      // No worker runs here: the mailer is never used.
      mailer: makeMailer({ outboxDir: path.join(os.tmpdir(), 'dondoc-scale-outbox') }),
      delivery: base.config.delivery,
      now: clock.now,
      logger,
      roles: { scheduler: true, worker: false },
      metrics: { sent: () => {}, failed: () => {}, skipped: () => {}, scheduleLag: (lag) => ticks.onTick?.(lag) },
      tuning: { jobSchedulers: false },
    });
    t = performance.now();
    const done1 = drained(ticks, t);
    await engine.start();
    const pass1 = await done1;
    const m3 = await usedMemory(redis);
    const rss3 = redisRss(pid);
    const jobs1 = await engine.queueDepth();
    say(`planned: ${fmt(N, 'tasks')} in ${s(pass1.ms)} (${fmt(N / (pass1.ms / 1000), 'tasks/s')}); ${(jobs1.waiting + jobs1.delayed).toLocaleString('en-US')} jobs handed to BullMQ`);

    // 3. A holiday is added: the new config is in force, every open task re-planned.
    config = holiday;
    t = performance.now();
    const done2 = drained(ticks, t);
    const touched = await engine.replanAll();
    const replanMs = performance.now() - t;
    // A task changed 1 s into the re-plan waits behind the backlog: how long until its job exists?
    await new Promise((r) => setTimeout(r, 1000));
    const probeAt = performance.now();
    const [probeId] = await generateTasks(redis, { prefix, cfg: holiday, now: clock.now(), n: 1, overdue: 1, scheduleAt: clock.now(), first: N + 1, seed: 1 });
    const probeTask = (await store.get(probeId!))!;
    const probeNid = planFor(holiday, probeTask, new Set(), clock.now()).find((n) => isPending(n.state) && n.at <= clock.now() + 1000)!.id;
    const probeConn = makeBullConnection(server.url);
    const probeQueue = new Queue(QUEUES.notify, { connection: probeConn, prefix: bullPrefix(prefix) });
    let probeMs = NaN;
    const probeWatch = (async () => {
      while (!(await probeQueue.getJob(probeNid))) await new Promise((r) => setTimeout(r, 50));
      probeMs = performance.now() - probeAt;
    })();
    const pass2 = await done2;
    await probeWatch;
    await probeQueue.close();
    probeConn.disconnect();
    const m4 = await usedMemory(redis);
    say(`holiday re-plan: replanAll touched ${fmt(touched, 'tasks')} in ${s(replanMs)}; backlog planned ${s(pass2.ms)} after the reload`);
    await engine.close();
    for (const c of conns) c.disconnect();

    // 4. Bare BullMQ: a delayed job per task (its next notification), then each moved.
    let bare: { bytes: number; addMs: number; moveMs: number } | undefined;
    if (BARE) {
      const bprefix = `${prefix}-bare`;
      const conn = makeBullConnection(server.url);
      const queue = new Queue(QUEUES.notify, { connection: conn, prefix: bullPrefix(bprefix) });
      const cfg = base.config.delivery;
      const wakes: Array<[string, number]> = [];
      for (let i = 0; i < N; i += 100_000) {
        const flat = await redis.zrange(scheduleKey(prefix), i, i + 99_999, 'WITHSCORES');
        for (let j = 0; j < flat.length; j += 2) wakes.push([flat[j]!, Number(flat[j + 1])]);
      }
      const jobOf = ([taskId, wake]: [string, number]) => {
        const when = Math.floor(wake) + cfg.lookahead;
        const id = `${taskId}_once_r-b5wd_20221230`;
        return { name: JOBS.send, data: { taskId, id, kind: 'reminder', level: 0, at: when }, opts: { jobId: id, delay: Math.max(0, when - NOW), attempts: cfg.retry.attempts, backoff: { type: BACKOFF_TYPE }, removeOnComplete: true, removeOnFail: true } };
      };
      const b0 = await usedMemory(redis);
      t = performance.now();
      for (let i = 0; i < wakes.length; i += 1000) await queue.addBulk(wakes.slice(i, i + 1000).map(jobOf));
      const addMs = performance.now() - t;
      const b1 = await usedMemory(redis);
      // Moving a job needs no read: a Job handle with its id is enough for changeDelay.
      let refused = 0;
      t = performance.now();
      for (let i = 0; i < wakes.length; i += 1000) {
        await Promise.all(
          wakes.slice(i, i + 1000).map((w) => {
            const j = jobOf(w);
            return new Job(queue, j.name, j.data, j.opts, j.opts.jobId).changeDelay(j.opts.delay + 86_400_000).catch(() => void refused++);
          }),
        );
      }
      const moveMs = performance.now() - t;
      if (refused) say(`WARNING: BullMQ refused to move ${refused} jobs (not delayed): the baseline's move time is low`);
      await queue.close();
      conn.disconnect();
      bare = { bytes: b1 - b0, addMs, moveMs };
    }

    // Figures.
    const perTask = (b: number): string => `${Math.round(b / N).toLocaleString('en-US')} B/task`;
    const lag2 = pass2.lags;
    say('');
    say('| figure | dondoc | bare BullMQ (same run) | ratio dondoc / bare |');
    say('|---|---|---|---|');
    say(`| Redis memory, tasks (JSON, history, list indexes) | ${mb(m1 - m0)} (${perTask(m1 - m0)}) | — | — |`);
    say(`| Redis memory, scheduling state after planning | ${mb(m3 - m1)} (${perTask(m3 - m1)}: schedule index + ${(jobs1.waiting + jobs1.delayed).toLocaleString('en-US')} jobs) | ${bare ? `${mb(bare.bytes)} (${perTask(bare.bytes)}: a delayed job per task)` : '—'} | ${bare ? ((m3 - m1) / bare.bytes).toFixed(2) : '—'} |`);
    say(`| Redis memory, total after planning | ${mb(m3 - m0)} (${perTask(m3 - m0)}); redis-server RSS ${mb(rss3)} | — | — |`);
    say(`| plan every task once | ${s(pass1.ms)} (${fmt(N / (pass1.ms / 1000), 'tasks/s')}) | ${bare ? `${s(bare.addMs)} (addBulk)` : '—'} | ${bare ? (pass1.ms / bare.addMs).toFixed(2) : '—'} |`);
    say(`| re-plan every task after a holiday | ${s(pass2.ms)} (replanAll ${s(replanMs)} + drain) | ${bare ? `${s(bare.moveMs)} (changeDelay × ${N.toLocaleString('en-US')})` : '—'} | ${bare ? (pass2.ms / bare.moveMs).toFixed(2) : '—'} |`);
    say(`| scheduler lag during the re-plan (max / p50 of ${lag2.length} ticks) | ${Math.max(...lag2).toFixed(1)} s / ${pct(lag2, 50).toFixed(1)} s | ${bare ? `${s(bare.moveMs)} (the last job moved)` : '—'} | ${bare ? ((Math.max(...lag2) * 1000) / bare.moveMs).toFixed(2) : '—'} |`);
    say(`| a task changed 1 s into the re-plan: its job exists after | ${s(probeMs)} | — | — |`);
    say('');
    say(`(load average at the end ${os.loadavg()[0]!.toFixed(1)}; first pass: max lag ${Math.max(...pass1.lags).toFixed(1)} s over ${pass1.lags.length} ticks; schedule index alone ${perTask(m2 - m1)}; after the re-plan Redis holds ${mb(m4 - m0)} for dondoc)`);
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

await main();
