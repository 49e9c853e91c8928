// The delivery engine against real parts: a private redis-server, the test SMTP server, the
// 2022 Thái Nguyên config with a `delivery:` section of short retries, and a clock the test
// moves. The clock is the wall clock plus an offset, so BullMQ's wall-clock timers and the
// injected `now()` agree until a test jumps the offset (the scheduler then catches up).
// Used by tests/integration/delivery*.test.ts and the fault suite (issue 7).
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { type LoadedConfig, loadConfigText } from '../../src/config/load.js';
import { bundleId } from '../../src/core/bundle.js';
import { copyId, recipientKey } from '../../src/core/copies.js';
import { parseIsoDay } from '../../src/core/day.js';
import type { TaskInputJson } from '../../src/core/task-codec.js';
import { taskInputSchema } from '../../src/core/task-codec.js';
import { parseInstant } from '../../src/core/zone.js';
import type { Mailer } from '../../src/mail/message.js';
import { makeMailer } from '../../src/mail/transport.js';
import { type Engine, type EngineTuning, makeEngine } from '../../src/queue/engine.js';
import { connectRedis, makeBullConnection, type RedisClient } from '../../src/store/redis.js';
import { type TaskService, makeTaskService } from '../../src/store/task-service.js';
import { type TaskStore, makeTaskStore } from '../../src/store/task-store.js';
import { ROOT } from './cli.js';
import { type PrivateRedis, randomPrefix } from './redis-server.js';
import type { TestSmtp } from './smtp-server.js';

export const ZONE = 'Asia/Ho_Chi_Minh';
export const at = (iso: string): number => parseInstant(iso, ZONE)!;
export const day = (iso: string): number => parseIsoDay(iso)!;
export const DOMAIN = 'dondoc.thainguyen.example.gov.vn';

/** The delivery record (and one-item mail) id of one recipient's copy of a notification. */
export const copyOf = (notificationId: string, email: string): string => copyId(notificationId, recipientKey(email));

/** The bundle of one person's copies of a kind on a working day (the default window). */
export const bundleFor = (kind: 'reminder' | 'coordinator_reminder' | 'escalation', isoDay: string, email: string): string =>
  bundleId(kind, parseIsoDay(isoDay)!, recipientKey(email));
export const ADMIN = 'quantri@thainguyen.example.gov.vn';

const FIXTURES = path.join(ROOT, 'tests/fixtures');

/** The 2022 test config plus mail identity and delivery settings fit for tests (100 ms backoff). */
export function deliveryConfig(opts: { admin?: string | null; extra?: string; digest?: boolean; calendar?: string; bundle?: boolean } = {}): LoadedConfig {
  const fixture = fs.readFileSync(path.join(FIXTURES, 'dondoc-2022.yaml'), 'utf8');
  // `calendar`: YAML replacing the fixture's empty calendar section (extra days off…).
  const base = opts.calendar ? fixture.replace(/^calendar: \{\}$/m, `calendar: ${opts.calendar}`) : fixture;
  const admin = opts.admin === undefined ? ADMIN : opts.admin;
  const policy = [...(opts.digest === false ? ['digest: { enabled: false }'] : []), ...(opts.bundle === false ? ['bundle: { enabled: false }'] : [])];
  const text = `${base}${policy.length ? `\npolicy: { ${policy.join(', ')} }\n` : ''}
mail:
  from: { name: Văn phòng UBND tỉnh Thái Nguyên, address: nhacviec@${DOMAIN} }
delivery:
  connection_timeout: 1s
  greeting_timeout: 1s
  socket_timeout: 2s
  lease: 5s
  bundle_gather: 400ms
  retry: { attempts: 4, backoff_initial: 100ms, backoff_max: 400ms, jitter: 0.2 }
${admin ? `  admin_email: ${admin}\n` : ''}${opts.extra ?? ''}`;
  return loadConfigText(text, 'tests/fixtures/dondoc-2022.yaml (+delivery)', FIXTURES);
}

/** Bodies of the 2022 directory with a head's address, to spread test tasks over several heads (several bundles). */
export const LEADS = ['SYT', 'STC', 'SGDDT', 'SKHDT', 'SCT', 'SXD', 'STNMT', 'STTTT', 'SGTVT', 'SNNPTNT', 'SLDTBXH', 'SKHCN'] as const;

export interface Clock {
  now(): number;
  /** Sets the injected time; the wall clock keeps running under it. */
  set(instant: number): void;
  advance(ms: number): void;
}

export function makeClock(start: number): Clock {
  let offset = start - Date.now();
  return {
    now: () => Date.now() + offset,
    set: (instant) => void (offset = instant - Date.now()),
    advance: (ms) => void (offset += ms),
  };
}

/** Log lines, parsed, for tests that assert what was logged. */
export function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

/** Polls until `check` returns a truthy value; fails with `what` after the deadline. */
export async function until<T>(check: () => Promise<T> | T, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Harness {
  redis: RedisClient;
  prefix: string;
  clock: Clock;
  cfg: LoadedConfig;
  store: TaskStore;
  service: TaskService;
  logs: Array<Record<string, unknown>>;
  /** Starts an engine on this harness (several may run at once); closed by close(). */
  engine(opts?: { roles?: { scheduler: boolean; worker: boolean }; tuning?: EngineTuning; config?: () => LoadedConfig; mailer?: Mailer }): Promise<Engine>;
  /** n tasks of 1510/UBND-TH due 30/06/2022, items from..from+n−1, led by the LEADS in turn (so several heads, several bundles). */
  overdue(n: number, from?: number): Promise<string[]>;
  /** Creates a task (the 1510/UBND-TH item 9 by default) and returns its id. */
  task(over?: Partial<TaskInputJson>): Promise<string>;
  close(): Promise<void>;
}

/** `server`: a private redis-server, or anything with a REDIS_URL (a local Redis Cluster: tests/cluster). */
export async function makeHarness(server: Pick<PrivateRedis, 'url'>, smtp: TestSmtp, opts: { start: number; cfg?: LoadedConfig }): Promise<Harness> {
  const redis = await connectRedis(server.url, { role: 'service' });
  const prefix = randomPrefix('dlv');
  const clock = makeClock(opts.start);
  const cfg = opts.cfg ?? deliveryConfig();
  const store = makeTaskStore({ redis, url: server.url, prefix, calendar: cfg.calendar, now: clock.now });
  const service = makeTaskService({ store, calendar: cfg.calendar, org: cfg.org, now: clock.now });
  const { logger, lines } = captureLogger();
  const engines: Engine[] = [];
  const mailers: Mailer[] = [];
  const conns: RedisClient[] = [];
  let seq = 0;

  const h: Harness = {
    redis,
    prefix,
    clock,
    cfg,
    store,
    service,
    logs: lines,
    async engine(o = {}) {
      const config = o.config ?? (() => cfg);
      const mailer =
        o.mailer ??
        makeMailer({ smtpUrl: smtp.url, connectionTimeoutMs: 1000, greetingTimeoutMs: 1000, socketTimeoutMs: 2000, closeTimeoutMs: 500 });
      if (!o.mailer) mailers.push(mailer);
      const e = makeEngine({
        redis,
        bullConnection: () => {
          const c = makeBullConnection(server.url);
          conns.push(c);
          return c;
        },
        prefix,
        store,
        config,
        mailer,
        delivery: config().config.delivery,
        now: clock.now,
        logger: logger.child({ engine: ++seq }),
        roles: o.roles ?? { scheduler: true, worker: true },
        tuning: { tickMs: 50, lookaheadMs: 10 * 60_000, watchdogMs: 60_000, jobSchedulers: false, ...o.tuning },
      });
      engines.push(e);
      await e.start();
      return e;
    },
    async overdue(n, from = 1) {
      const ids: string[] = [];
      for (let i = from; i < from + n; i++) {
        ids.push(await h.task({ source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: String(i) }, lead: LEADS[(i - 1) % LEADS.length]! }));
      }
      return ids;
    },
    async task(over = {}) {
      const input = taskInputSchema.parse({
        title: 'Chuẩn bị điều kiện tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 đến dưới 12 tuổi',
        source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', subject: 'V/v tập trung thực hiện một số nhiệm vụ trọng tâm trong quý II năm 2022', item: '9' },
        lead: 'SYT',
        deadline: '2022-06-30',
        ...over,
      });
      const r = await service.create(input, 'test');
      return r.task.id;
    },
    async close() {
      await Promise.all(engines.splice(0).map((e) => e.close()));
      await Promise.all(mailers.splice(0).map((m) => m.close()));
      for (const c of conns) c.disconnect();
      redis.disconnect();
    },
  };
  return h;
}
