// Issue 7 "Scale": sustained delivery for a bounded time to a local SMTP server with two worker
// processes — throughput, p50/p99 of lateness (sent − planned) and worker RSS — beside bare
// BullMQ + bare nodemailer doing the same sends with two worker processes in the same run.
//
// Run by hand (not part of npm test); prints figures for docs/BENCHMARKS.md:
//   npx tsx bench/scale-delivery.ts                      10 minutes of dondoc, then 10 of the baseline
//   npx tsx bench/scale-delivery.ts --minutes 2          a quick look
// Options: --per-minute K (notifications falling due each minute, default 6000), --no-bare.
//
// The load: K tasks per minute of the run, each with a deadline at a minute of 04/07/2022 and a
// reminder 2 hours before it (bench/lib/scale-config.ts), so K reminders fall due at each minute
// boundary for M minutes — the shape of real traffic (deadlines are set to the minute or to the
// day, so mail falls due in bursts), not a smooth trickle. dondoc: the tasks are in Redis, a
// scheduler in this process hands what is due within the 10-minute lookahead to BullMQ, two
// worker processes (bench/lib/scale-worker.ts) send. Baseline: the same instants as delayed
// BullMQ jobs added up front, two worker processes sending a pre-rendered copy of the same
// message with nodemailer. Lateness is the time from the planned instant to the SMTP server's
// 250, as each side records it; throughput is messages per second while a burst drains.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import pino from 'pino';
import type { DeliveryRecord } from '../src/store/delivery-log.js';
import { deliveryKeys } from '../src/store/delivery-log.js';
import { makeMailer } from '../src/mail/transport.js';
import { makeEngine } from '../src/queue/engine.js';
import { BACKOFF_TYPE } from '../src/queue/backoff.js';
import { JOBS, QUEUES, bullPrefix } from '../src/queue/names.js';
import { type RedisClient, connectRedis, makeBullConnection } from '../src/store/redis.js';
import { makeTaskStore } from '../src/store/task-store.js';
import { at, makeClock } from '../tests/support/delivery-harness.js';
import { randomPrefix, startRedis } from '../tests/support/redis-server.js';
import { machine, renderedLike, startSink } from './lib/delivery-bench.js';
import { sustainedConfig } from './lib/scale-config.js';
import { generateTasks, scheduleAll } from './lib/scale-tasks.js';
import type { WorkerArgs } from './lib/scale-worker.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
};
const MINUTES = Number(arg('minutes', '10'));
const PER_MINUTE = Number(arg('per-minute', '6000'));
const BARE = !process.argv.includes('--no-bare');
const TOTAL = MINUTES * PER_MINUTE;

// Monday 04/07/2022: the first reminders fall due at 08:01, the last at 08:00 + MINUTES.
const FIRST = at('2022-07-04T08:01');
/** The scheduler and the workers start this long before the first burst. */
const LEAD_MS = 30_000;
const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'scale-worker.ts');

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const median = (xs: number[]): number => pct([...xs].sort((a, b) => a - b), 50);
const rssOf = (pid: number | undefined): number => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
  } catch {
    return NaN;
  }
};

const ms = (x: number): string => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x).toLocaleString('en-US')} ms`);
const mb = (b: number): string => `${Math.round(b / 2 ** 20)} MB`;
/** One line per phase as soon as it ends, so a later failure loses nothing. */
const phaseLine = (name: string, p: Phase): string =>
  `${name}: ${p.lateness.length.toLocaleString('en-US')} sent; burst drain median ${Math.round(median(p.drainRates))} msg/s; lateness p50 ${ms(pct(p.lateness, 50))}, p99 ${ms(pct(p.lateness, 99))}, max ${ms(p.lateness[p.lateness.length - 1] ?? NaN)}; worker RSS peak ${p.peakRss.map(mb).join(', ')}`;

interface Child {
  proc: ChildProcess;
  sent: number;
  peakRss: number;
  done: Promise<{ samples: Array<[number, number]> }>;
}

let workerSeq = 0;
async function startWorker(a: Omit<WorkerArgs, 'outFile'>): Promise<Child> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-scale-worker-'));
  const argsFile = path.join(dir, `args-${++workerSeq}.json`);
  const outFile = path.join(dir, 'samples.json');
  fs.writeFileSync(argsFile, JSON.stringify({ ...a, outFile }));
  const proc = spawn(process.execPath, ['--import', 'tsx', WORKER, argsFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const child = { proc, sent: 0, peakRss: 0 } as Child;
  const lines = createInterface({ input: proc.stdout! });
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  child.done = new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    lines.on('line', (line) => {
      if (line === 'ready') ready();
      else if (line.startsWith('sent ')) child.sent = Number(line.slice(5));
      else if (line === 'done') {
        resolve({ samples: JSON.parse(fs.readFileSync(outFile, 'utf8')) as Array<[number, number]> });
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
  child.done.catch(() => undefined);
  await isReady;
  return child;
}

interface Phase {
  lateness: number[];
  /** Per burst: messages / (last sent − planned), in msg/s. */
  drainRates: number[];
  /** Messages / (last sent − first planned instant). */
  sustained: number;
  peakRss: number[];
  wallMs: number;
}

/** Waits until the workers have sent `total`, sampling their RSS; then stops them. */
async function runWorkers(children: Child[], total: number, timeoutMs: number): Promise<Array<Array<[number, number]>>> {
  const deadline = Date.now() + timeoutMs;
  while (children.reduce((s, c) => s + c.sent, 0) < total) {
    for (const c of children) c.peakRss = Math.max(c.peakRss, rssOf(c.proc.pid));
    if (Date.now() > deadline) throw new Error(`only ${children.reduce((s, c) => s + c.sent, 0)} of ${total} sent in time`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (const c of children) c.proc.kill('SIGTERM');
  return (await Promise.all(children.map((c) => c.done))).map((d) => d.samples);
}

function summarise(samples: Array<{ planned: number; late: number }>, peakRss: number[], wallMs: number): Phase {
  const byBurst = new Map<number, number[]>();
  for (const s of samples) {
    const list = byBurst.get(s.planned);
    if (list) list.push(s.late);
    else byBurst.set(s.planned, [s.late]);
  }
  const drainRates = [...byBurst.values()].map((l) => l.length / (Math.max(...l) / 1000));
  const first = Math.min(...byBurst.keys());
  const last = Math.max(...samples.map((s) => s.planned + s.late));
  return { lateness: samples.map((s) => s.late).sort((a, b) => a - b), drainRates, sustained: samples.length / ((last - first) / 1000), peakRss, wallMs };
}

async function main(): Promise<void> {
  const server = await startRedis({ args: ['--appendfsync', 'everysec'] });
  const redis = await connectRedis(server.url, { role: 'service', timeoutMs: 60_000 });
  const sink = await startSink();
  const cfg = sustainedConfig();
  const clock = makeClock(FIRST - LEAD_MS - 60_000);
  const zone = cfg.calendar.zone;
  say(`sustained delivery: ${MINUTES} minutes × ${PER_MINUTE.toLocaleString('en-US')} reminders due at each minute (${TOTAL.toLocaleString('en-US')}), two worker processes, SMTP sink in a child process`);
  say(`machine: ${machine()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM; redis-server AOF everysec; load average at start ${os.loadavg()[0]!.toFixed(1)}`);

  const bullConns: RedisClient[] = [];
  try {
    // dondoc: tasks whose 2-hours-before reminders fall at 08:01, 08:02, … (deadlines 10:01, 10:02, …).
    const prefix = randomPrefix('sd');
    const day = zone.dayOf(FIRST);
    const firstMinute = zone.minuteOfDay(FIRST) + 120;
    const ids = await generateTasks(redis, { prefix, cfg, now: clock.now(), n: TOTAL, overdue: 0, scheduleAt: null, deadline: (i) => ({ day, minute: firstMinute + Math.floor(i / PER_MINUTE) }) });
    clock.set(FIRST - LEAD_MS);
    await scheduleAll(redis, prefix, ids, clock.now());
    const offsetMs = clock.now() - Date.now();
    const t0 = performance.now();
    const workers = await Promise.all([0, 1].map(() => startWorker({ mode: 'dondoc', redisUrl: server.url, prefix, smtpUrl: sink.url, offsetMs })));
    const store = makeTaskStore({ redis, url: server.url, prefix, calendar: cfg.calendar, now: clock.now });
    const scheduler = makeEngine({
      redis,
      bullConnection: () => {
        const c = makeBullConnection(server.url);
        bullConns.push(c);
        return c;
      },
      prefix,
      store,
      config: () => cfg,
      mailer: makeMailer({ outboxDir: path.join(os.tmpdir(), 'dondoc-scale-outbox') }), // no worker role here
      delivery: cfg.config.delivery,
      now: clock.now,
      logger: pino({ level: 'warn' }),
      roles: { scheduler: true, worker: false },
      tuning: { jobSchedulers: false },
    });
    await scheduler.start();
    const schedulerPeak = { rss: 0 };
    const sampler = setInterval(() => (schedulerPeak.rss = Math.max(schedulerPeak.rss, process.memoryUsage().rss)), 1000);
    await runWorkers(workers, TOTAL, (MINUTES + 10) * 60_000);
    clearInterval(sampler);
    await scheduler.close();
    const wallD = performance.now() - t0;
    const keys = deliveryKeys(prefix);
    const samples: Array<{ planned: number; late: number }> = [];
    let notSent = 0;
    for (let i = 0; i < ids.length; i += 5000) {
      const pipe = redis.pipeline();
      for (const id of ids.slice(i, i + 5000)) pipe.hvals(keys.record(id));
      for (const [, vals] of (await pipe.exec())!) {
        const recs = (vals as string[]).map((v) => JSON.parse(v) as DeliveryRecord);
        const r = recs.find((x) => x.state === 'sent');
        if (!r || recs.length !== 1) notSent++;
        if (r) samples.push({ planned: r.plannedAt, late: r.sentAt! - r.plannedAt });
      }
    }
    const dondoc = summarise(samples, workers.map((w) => w.peakRss), wallD);
    if (notSent) say(`WARNING: ${notSent} tasks without exactly one record, sent`);
    say(phaseLine('dondoc', dondoc));

    // Baseline: the same instants as delayed jobs, two bare workers.
    let bare: Phase | undefined;
    if (BARE) {
      const bprefix = `${prefix}-bare`;
      const sample = (await store.get(ids[0]!))!;
      const message = renderedLike(cfg, sample, 1, 'bare', FIRST)[0]!;
      clock.set(FIRST - LEAD_MS);
      const conn = makeBullConnection(server.url);
      bullConns.push(conn);
      const queue = new Queue(QUEUES.notify, { connection: conn, prefix: bullPrefix(bprefix) });
      const tb = performance.now();
      for (let i = 0; i < TOTAL; i += 1000) {
        await queue.addBulk(
          ids.slice(i, i + 1000).map((taskId, j) => {
            const when = FIRST + Math.floor((i + j) / PER_MINUTE) * 60_000;
            const id = `${taskId}_bare`;
            return { name: JOBS.send, data: { taskId, id, at: when }, opts: { jobId: id, delay: when - clock.now(), attempts: 8, backoff: { type: BACKOFF_TYPE }, removeOnComplete: true, removeOnFail: true } };
          }),
        );
      }
      await queue.close();
      const bareOffset = clock.now() - Date.now();
      const bw = await Promise.all([0, 1].map(() => startWorker({ mode: 'bare', redisUrl: server.url, prefix: bprefix, smtpUrl: sink.url, offsetMs: bareOffset, message })));
      const lists = await runWorkers(bw, TOTAL, (MINUTES + 10) * 60_000);
      bare = summarise(lists.flat().map(([planned, late]) => ({ planned, late })), bw.map((w) => w.peakRss), performance.now() - tb);
      say(phaseLine('bare', bare));
    }

    const row = (name: string, d: string, b: string, r: string): void => say(`| ${name} | ${d} | ${b} | ${r} |`);
    say('');
    say('| figure | dondoc | bare BullMQ + nodemailer (same run) | ratio dondoc / bare |');
    say('|---|---|---|---|');
    row('notifications sent', `${dondoc.lateness.length.toLocaleString('en-US')} in ${ms(dondoc.wallMs)}`, bare ? `${bare.lateness.length.toLocaleString('en-US')} in ${ms(bare.wallMs)}` : '—', '—');
    row('throughput while a burst drains (median of bursts)', `${Math.round(median(dondoc.drainRates))} msg/s`, bare ? `${Math.round(median(bare.drainRates))} msg/s` : '—', bare ? (median(dondoc.drainRates) / median(bare.drainRates)).toFixed(2) : '—');
    row('throughput over the run (sent ÷ first planned → last sent)', `${Math.round(dondoc.sustained)} msg/s`, bare ? `${Math.round(bare.sustained)} msg/s` : '—', bare ? (dondoc.sustained / bare.sustained).toFixed(2) : '—');
    row('lateness p50', ms(pct(dondoc.lateness, 50)), bare ? ms(pct(bare.lateness, 50)) : '—', bare ? (pct(dondoc.lateness, 50) / pct(bare.lateness, 50)).toFixed(2) : '—');
    row('lateness p99', ms(pct(dondoc.lateness, 99)), bare ? ms(pct(bare.lateness, 99)) : '—', bare ? (pct(dondoc.lateness, 99) / pct(bare.lateness, 99)).toFixed(2) : '—');
    row('worker RSS, peak (each)', dondoc.peakRss.map(mb).join(', '), bare ? bare.peakRss.map(mb).join(', ') : '—', bare ? (Math.max(...dondoc.peakRss) / Math.max(...bare.peakRss)).toFixed(2) : '—');
    say('');
    say(`(scheduler process peak RSS ${mb(schedulerPeak.rss)} — it is also this benchmark; load average at the end ${os.loadavg()[0]!.toFixed(1)})`);
  } finally {
    for (const c of bullConns) c.disconnect();
    sink.stop();
    redis.disconnect();
    await server.stop();
  }
}

await main();
