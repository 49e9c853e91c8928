// The delivery engine (issue 5; docs/DELIVERY.md): the queues, the workers that run jobs/*,
// the scheduler loop and the job schedulers of the maintenance queue, built from the
// connections and ports the composition root (src/main.ts) hands in. Importing connects to
// nothing; start() creates, close() releases in reverse order — workers (letting jobs in
// flight finish), then queues, then their connections.
//
// Clocks: `now()` (injected) decides what is due and is what the records show; BullMQ's timers
// (job delays, backoff, locks) run on the wall clock. A jump of the injected clock is caught up
// by the scheduler, which promotes jobs whose notification is due by `now()`.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { RedisClient } from '../store/redis.js';
import type { Logger } from 'pino';
import { type AccountabilityPass, makeAccountability } from '../../jobs/accountability.js';
import { makeReconcile } from '../../jobs/reconcile.js';
import { makeReportFailure } from '../../jobs/report-failure.js';
import { makeSendDigest } from '../../jobs/send-digest.js';
import { makeSendNotice } from '../../jobs/send-notice.js';
import { makeSendBundle } from '../../jobs/send-bundle.js';
import { makeLegacySend } from '../../jobs/legacy-send.js';
import type { LoadedConfig } from '../config/load.js';
import { formatIsoDay } from '../core/day.js';
import type { DeliveryConfig } from '../config/sections/delivery.js';
import type { Mailer, SendResult } from '../mail/message.js';
import { makeBundles } from '../store/bundles.js';
import { makePlanReader } from '../store/plan-read.js';
import { type DeliveryLog, makeDeliveryLog } from '../store/delivery-log.js';
import { type Mutes, makeMutes } from '../store/mutes.js';
import { type Schedule, makeSchedule } from '../store/schedule.js';
import type { TaskStore } from '../store/task-store.js';
import { backoffDelay } from './backoff.js';
import { waitIfRedisDown } from './deliver.js';
import { makeEnqueuer } from './enqueue.js';
import { type Enqueuer, type JobContext, templatesCache } from './job-context.js';
import { type EngineMetrics, NO_METRICS } from './metrics.js';
import { type NoticeRequest, enqueueNotice } from './notice.js';
import { JOBS, QUEUES, SCHEDULERS, bullPrefix } from './names.js';
import { type ReconcileResult, reconcile } from './reconcile.js';
import { type Scheduler, type SchedulerTuning, makeScheduler } from './scheduler.js';

export type { EngineMetrics } from './metrics.js';

export interface EngineTuning {
  tickMs?: number;
  lookaheadMs?: number;
  /** The claim lease of a send (default delivery.lease). */
  leaseMs?: number;
  /** Tasks a scheduler leases per round. */
  batch?: number;
  reconcileEveryMs?: number;
  concurrency?: number;
  /** Re-look at a task this long after a job handed to BullMQ was due (default 5 minutes). */
  watchdogMs?: number;
  /** A job firing this much early still sends (default 5 s). */
  earlyMs?: number;
  /** How often the accountability pass runs (default 5 minutes). */
  accountabilityEveryMs?: number;
  /** Upsert the digest, reconcile and accountability job schedulers at start (default true; tests drive them by hand). */
  jobSchedulers?: boolean;
}

export interface EngineDeps {
  /** Commands: the stores, the delivery log, the schedule. */
  redis: RedisClient;
  /** A new ioredis connection with maxRetriesPerRequest: null, for BullMQ (one per queue and worker). */
  bullConnection: () => RedisClient;
  /** DONDOC_KEY_PREFIX; BullMQ's prefix is `${prefix}:bull`. */
  prefix: string;
  store: TaskStore;
  /** Read at every use: a reload swaps it. */
  config: () => LoadedConfig;
  mailer: Mailer;
  /** Pacing read at start (lease, lookahead, tick, reconcile_every, concurrency); retry and admin_email come from config() at each use. */
  delivery: DeliveryConfig;
  now: () => number;
  logger: Logger;
  roles: { scheduler: boolean; worker: boolean };
  metrics?: EngineMetrics;
  tuning?: EngineTuning;
}

export interface Engine {
  start(): Promise<void>;
  /** Workers first (jobs in flight finish), then queues and connections; idempotent. */
  close(): Promise<void>;
  /** Re-plan this task soon (after any change). */
  touch(taskId: string): Promise<void>;
  /** After a config change: every open task is re-planned; returns how many were touched. */
  replanAll(): Promise<number>;
  /** One scheduler pass now (tests, and the loop); returns the tasks planned. */
  tick(): Promise<number>;
  /** One reconcile pass now (tests and operators; the job scheduler runs it periodically). */
  reconcileNow(): Promise<ReconcileResult>;
  /** Enqueue the digest of a day (default today) as reconcile would. */
  digestNow(isoDay?: string): Promise<void>;
  /** One accountability pass now (weekly summary, repeat-lateness notices; issue 6); resolves when it has run. */
  accountabilityNow(): Promise<AccountabilityPass>;
  /** Enqueue the mail a reply link triggered (issue 6); idempotent by its id. */
  notice(req: NoticeRequest): Promise<void>;
  readonly log: DeliveryLog;
  readonly mutes: Mutes;
  readonly schedule: Schedule;
  queueDepth(): Promise<{ waiting: number; delayed: number; active: number; failed: number }>;
  scheduleLagSeconds(): Promise<number>;
}

const DAY = 86_400_000;

export function makeEngine(deps: EngineDeps): Engine {
  const { redis, prefix, now, logger } = deps;
  const tuning = deps.tuning ?? {};
  const metrics = deps.metrics ?? NO_METRICS;
  const log = makeDeliveryLog(redis, prefix);
  const mutes = makeMutes(redis, prefix, now);
  const schedule = makeSchedule(redis, prefix);
  const bull = bullPrefix(prefix, redis.isCluster);
  const tickMs = tuning.tickMs ?? deps.delivery.scheduler_tick;
  const concurrency = tuning.concurrency ?? deps.delivery.concurrency;
  // BullMQ's job lock: half the claim lease, at most its default 30 s (the default lease of 2m keeps it).
  const lockMs = Math.min(30_000, Math.max(1000, Math.floor((tuning.leaseMs ?? deps.delivery.lease) / 2)));
  const schedTuning: SchedulerTuning = {
    lookaheadMs: tuning.lookaheadMs ?? deps.delivery.lookahead,
    scheduleLeaseMs: 60_000,
    batch: tuning.batch ?? 200,
    maxRounds: 10,
    watchdogMs: tuning.watchdogMs ?? 5 * 60_000,
    maxSleepMs: 7 * DAY,
    minSleepMs: Math.min(1000, tuning.watchdogMs ?? 1000),
  };

  // Released in reverse order of creation: workers before queues, each before its connection.
  const releasers: Array<{ what: string; release: () => Promise<unknown> }> = [];
  let notify: Queue | undefined;
  let maintenance: Queue | undefined;
  let scheduler: Scheduler | undefined;
  let enqueue: Enqueuer | undefined;
  let ctx: (JobContext & { redis: RedisClient }) | undefined;
  let started: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<unknown> = Promise.resolve();
  let stopped = false;

  const connection = (what: string): RedisClient => {
    const c = deps.bullConnection();
    c.on('error', (err: Error) => logger.warn({ err, connection: what }, 'BullMQ Redis connection error'));
    releasers.push({ what: `${what} connection`, release: () => c.quit().catch(() => c.disconnect()) });
    return c;
  };

  const makeQueue = (name: string): Queue => {
    const q = new Queue(name, { connection: connection(`queue ${name}`), prefix: bull });
    q.on('error', (err: Error) => logger.error({ err, queue: name }, 'queue error'));
    releasers.push({ what: `queue ${name}`, release: () => q.close() });
    return q;
  };

  type Processor = (job: Job, token?: string) => Promise<unknown>;
  const makeWorker = (name: string, processors: Record<string, Processor>, workerConcurrency: number): Worker => {
    const w = new Worker(
      name,
      async (job, token) => {
        const p = processors[job.name];
        if (!p) {
          logger.error({ jobId: job.id, job: job.name, queue: name }, 'unknown job name: dropped without retry');
          throw new UnrecoverableError(`no processor for job ${job.name} in queue ${name}`);
        }
        return p(job, token).catch((err: unknown) => waitIfRedisDown(err, job, token));
      },
      {
        connection: connection(`worker ${name}`),
        prefix: bull,
        concurrency: workerConcurrency,
        // A job whose worker seems stalled is run again, never failed for it: the claim
        // protocol decides whether anything is sent.
        maxStalledCount: 10,
        // A dead worker's jobs come back when their lock ends and a stall check finds them;
        // both within the claim lease, so the resend after a crash waits for the lease (docs/
        // DELIVERY.md), not BullMQ's 30 s + 30 s (tests/faults/worker-kill.test.ts).
        lockDuration: lockMs,
        stalledInterval: lockMs,
        settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(deps.config().config.delivery.retry, attemptsMade) },
      },
    );
    w.on('error', (err: Error) => logger.error({ err, queue: name }, 'worker error'));
    w.on('failed', (job: Job | undefined, err: Error) => {
      if (err.name === 'DelayedError') return;
      logger.debug({ jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade, err: { message: err.message } }, 'job attempt failed');
    });
    releasers.push({ what: `worker ${name}`, release: () => w.close() });
    return w;
  };

  const upsertJobSchedulers = async (): Promise<void> => {
    const loaded = deps.config();
    const minute = loaded.config.policy.digest.minute;
    await maintenance!.upsertJobScheduler(
      SCHEDULERS.digest,
      { pattern: `${minute % 60} ${Math.floor(minute / 60)} * * *`, tz: loaded.calendar.zone.name },
      { name: JOBS.digest, data: {}, opts: { attempts: loaded.config.delivery.retry.attempts, backoff: { type: 'dondoc' }, removeOnComplete: true, removeOnFail: true } },
    );
    await maintenance!.upsertJobScheduler(
      SCHEDULERS.reconcile,
      { every: tuning.reconcileEveryMs ?? deps.delivery.reconcile_every },
      { name: JOBS.reconcile, data: {}, opts: { removeOnComplete: true, removeOnFail: true } },
    );
    await maintenance!.upsertJobScheduler(
      SCHEDULERS.accountability,
      { every: tuning.accountabilityEveryMs ?? 5 * 60_000 },
      { name: JOBS.accountability, data: {}, opts: { attempts: loaded.config.delivery.retry.attempts, backoff: { type: 'dondoc' }, removeOnComplete: true, removeOnFail: true } },
    );
  };

  const loop = (): void => {
    if (stopped) return;
    const run = scheduler!.tick().then(
      (n) => n,
      (err: unknown) => {
        logger.error({ err }, 'scheduler tick failed');
        return 0;
      },
    );
    ticking = run;
    void run.then((n) => {
      if (!stopped) timer = setTimeout(loop, n >= schedTuning.batch * schedTuning.maxRounds ? 0 : tickMs);
    });
  };

  const need = (): JobContext & { redis: RedisClient } => {
    if (!ctx) throw new Error('delivery engine: start() first');
    return ctx;
  };

  const engine: Engine = {
    log,
    mutes,
    schedule,

    start() {
      started ??= (async () => {
        notify = makeQueue(QUEUES.notify);
        maintenance = makeQueue(QUEUES.maintenance);
        enqueue = makeEnqueuer({ notify, maintenance, log, config: deps.config, logger, earlyMs: tuning.earlyMs ?? 5000 });
        ctx = {
          redis,
          store: deps.store,
          planRead: makePlanReader(redis, prefix),
          log,
          bundles: makeBundles(redis, prefix),
          mutes,
          schedule,
          config: deps.config,
          templates: templatesCache(deps.config),
          mailer: deps.mailer,
          now,
          logger,
          metrics,
          enqueue,
          owner: `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
          leaseMs: tuning.leaseMs ?? deps.delivery.lease,
          earlyMs: tuning.earlyMs ?? 5000,
          unrecorded: new Map<string, SendResult>(),
          inProgress: new Set<string>(),
        };
        scheduler = makeScheduler({ ...ctx, tuning: schedTuning });
        if (deps.roles.worker) {
          makeWorker(QUEUES.notify, { [JOBS.bundle]: makeSendBundle(ctx), [JOBS.send]: makeLegacySend(ctx), [JOBS.report]: makeReportFailure(ctx), [JOBS.notice]: makeSendNotice(ctx) }, concurrency);
          makeWorker(QUEUES.maintenance, { [JOBS.digest]: makeSendDigest(ctx), [JOBS.reconcile]: makeReconcile(ctx), [JOBS.accountability]: makeAccountability(ctx) }, 2);
        }
        if (deps.roles.scheduler) {
          if (tuning.jobSchedulers !== false) await upsertJobSchedulers();
          loop();
        }
        logger.info({ roles: deps.roles, concurrency, lookaheadMs: schedTuning.lookaheadMs, mailer: deps.mailer.describe() }, 'delivery engine started');
      })();
      return started;
    },

    close() {
      closing ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        await started?.catch(() => undefined);
        await ticking.catch(() => undefined);
        for (const r of releasers.reverse()) {
          try {
            await r.release();
          } catch (err) {
            logger.warn({ err, what: r.what }, 'closing the delivery engine');
          }
        }
        releasers.length = 0;
      })();
      return closing;
    },

    touch: (taskId) => schedule.touch([taskId], now()),

    async replanAll() {
      let count = 0;
      const at = now();
      for (let offset = 0; ; offset += 1000) {
        const ids = await redis.zrange(deps.store.keys.open, offset, offset + 999);
        await schedule.touch(ids, at);
        count += ids.length;
        if (ids.length < 1000) break;
      }
      // The digest time or zone may have changed with the config.
      if (maintenance && deps.roles.scheduler && tuning.jobSchedulers !== false) await upsertJobSchedulers();
      return count;
    },

    tick() {
      need();
      return scheduler!.tick();
    },

    reconcileNow: () => reconcile(need()),

    async digestNow(isoDay) {
      const c = need();
      await enqueue!.digest(isoDay ?? formatIsoDay(c.config().calendar.zone.dayOf(now())));
    },

    async accountabilityNow() {
      need();
      const loaded = deps.config();
      // Kept when done so its result can be read, then removed; polled (no QueueEvents connection).
      const job = await maintenance!.add(JOBS.accountability, {}, {
        jobId: `accountability-now-${randomBytes(6).toString('hex')}`,
        attempts: loaded.config.delivery.retry.attempts,
        backoff: { type: 'dondoc' },
      });
      const deadline = Date.now() + 60_000;
      for (;;) {
        const state = await job.getState();
        if (state === 'completed' || state === 'failed') {
          const done = await maintenance!.getJob(job.id!);
          await job.remove().catch(() => undefined);
          if (state === 'failed') throw new Error(`accountability pass failed: ${done?.failedReason ?? 'unknown reason'}`);
          return done!.returnvalue as AccountabilityPass;
        }
        if (Date.now() > deadline) throw new Error(`accountability pass ${job.id} did not finish within 60 s (state ${state})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },

    async notice(req) {
      need();
      await enqueueNotice(notify!, deps.config(), req, now());
    },

    async queueDepth() {
      if (!notify) return { waiting: 0, delayed: 0, active: 0, failed: 0 };
      const c = await notify.getJobCounts('waiting', 'delayed', 'active', 'failed', 'prioritized');
      return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), delayed: c.delayed ?? 0, active: c.active ?? 0, failed: c.failed ?? 0 };
    },

    async scheduleLagSeconds() {
      const earliest = await schedule.earliest();
      return earliest === null ? 0 : Math.max(0, now() - earliest) / 1000;
    },
  };
  return engine;
}
