// Shared parts of the delivery benchmarks (bench/delivery-*.ts): a private redis-server with
// production persistence (AOF, fsync every second: Redis's default), an SMTP sink in a child
// process (so the server's parsing does not eat the sender's CPU), N tasks in the store, an
// engine whose `sent` metric is counted, and bare nodemailer sending the same bytes.
// Not a benchmark itself: run-all.mjs runs only bench/*.ts.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import pino from 'pino';
import type { LoadedConfig } from '../../src/config/load.js';
import { planNotifications } from '../../src/core/planner.js';
import type { Task } from '../../src/core/task.js';
import type { TaskInputJson } from '../../src/core/task-codec.js';
import { taskInputSchema } from '../../src/core/task-codec.js';
import { copiesOf } from '../../src/core/copies.js';
import { copyMessage, kindHeader } from '../../src/mail/eml.js';
import { type OutgoingMessage, messageIdFor, prepareMessage, toNodemailer } from '../../src/mail/message.js';
import { loadTemplates, renderNotification } from '../../src/mail/render.js';
import { makeMailer } from '../../src/mail/transport.js';
import { type Engine, type EngineTuning, makeEngine } from '../../src/queue/engine.js';
import { identityOf } from '../../src/queue/job-context.js';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { makeTaskService } from '../../src/store/task-service.js';
import { type TaskStore, makeTaskStore } from '../../src/store/task-store.js';
import { LEADS, deliveryConfig, makeClock, type Clock } from '../../tests/support/delivery-harness.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../../tests/support/redis-server.js';

export const POOL = { maxConnections: 5, maxMessages: 100, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export const machine = (): string => `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}`;

export interface Sink {
  port: number;
  url: string;
  stop(): void;
}

/** The test SMTP server (accepting, counting, keeping nothing) in a child process. */
export async function startSink(): Promise<Sink> {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'smtp-sink.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`SMTP sink exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  const port = Number(line);
  return { port, url: `smtp://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

export interface Bench {
  server: PrivateRedis;
  redis: RedisClient;
  cfg: LoadedConfig;
  clock: Clock;
  stop(): Promise<void>;
  /** A fresh key prefix with its store. */
  space(): { prefix: string; store: TaskStore };
  /** n tasks of 1510/UBND-TH, items 1..n, led by twelve bodies in turn, in the store; returns their ids. */
  tasks(store: TaskStore, n: number, over?: Partial<TaskInputJson>): Promise<string[]>;
  /** An engine on the sink: items recorded sent counted in `sent.count`, mails (SMTP messages) in `sent.messages`. */
  engine(prefix: string, store: TaskStore, sink: Sink, o: { roles: { scheduler: boolean; worker: boolean }; tuning?: EngineTuning }): Promise<{ engine: Engine; sent: { count: number; messages: number }; close(): Promise<void> }>;
}

/** `bundle: false`: every copy its own mail (per-message figures comparable with bare nodemailer). */
export async function startBench(start: number, opts: { bundle?: boolean } = {}): Promise<Bench> {
  const server = await startRedis({ args: ['--appendfsync', 'everysec'] });
  const redis = await connectRedis(server.url, { role: 'service', timeoutMs: 30_000 });
  const cfg = deliveryConfig({ digest: false, ...(opts.bundle === false ? { bundle: false } : {}) });
  const clock = makeClock(start);
  const logger = pino({ level: 'warn' });
  return {
    server,
    redis,
    cfg,
    clock,
    async stop() {
      redis.disconnect();
      await server.stop();
    },
    space() {
      const prefix = randomPrefix('bench');
      return { prefix, store: makeTaskStore({ redis, url: server.url, prefix, calendar: cfg.calendar, now: clock.now }) };
    },
    async tasks(store, n, over = {}) {
      const service = makeTaskService({ store, calendar: cfg.calendar, org: cfg.org, now: clock.now });
      const ids: string[] = [];
      for (let i = 0; i < n; i += 1000) {
        const items = [];
        for (let j = i + 1; j <= Math.min(n, i + 1000); j++) {
          const input = taskInputSchema.parse({
            title: `Chuẩn bị điều kiện tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 đến dưới 12 tuổi (mục ${j})`,
            source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', subject: 'V/v tập trung thực hiện một số nhiệm vụ trọng tâm trong quý II năm 2022', item: String(j) },
            lead: LEADS[(j - 1) % LEADS.length]!,
            deadline: '2022-06-30',
            ...over,
          });
          items.push(service.build(service.resolveBodies(input), 'bench'));
        }
        const r = await store.upsertMany(items, 'bench');
        ids.push(...r.created);
      }
      return ids;
    },
    async engine(prefix, store, sink, o) {
      const sent = { count: 0, messages: 0 };
      const smtp = makeMailer({
        smtpUrl: sink.url,
        maxConnections: POOL.maxConnections,
        maxMessages: POOL.maxMessages,
        connectionTimeoutMs: POOL.connectionTimeout,
        greetingTimeoutMs: POOL.greetingTimeout,
        socketTimeoutMs: POOL.socketTimeout,
      });
      const mailer = { ...smtp, send: async (m: OutgoingMessage) => { const r = await smtp.send(m); sent.messages++; return r; }, close: () => smtp.close(), verify: () => smtp.verify(), describe: () => smtp.describe(), kind: smtp.kind };
      const conns: Redis[] = [];
      const engine = makeEngine({
        redis,
        bullConnection: () => {
          const c = new Redis(server.url, { maxRetriesPerRequest: null });
          conns.push(c);
          return c;
        },
        prefix,
        store,
        config: () => cfg,
        mailer,
        delivery: cfg.config.delivery,
        now: clock.now,
        logger,
        roles: o.roles,
        metrics: { sent: () => void sent.count++, failed: () => {}, skipped: () => {}, scheduleLag: () => {} },
        tuning: { tickMs: 20, jobSchedulers: false, ...o.tuning },
      });
      await engine.start();
      return {
        engine,
        sent,
        async close() {
          await engine.close();
          await mailer.close();
          for (const c of conns) c.disconnect();
        },
      };
    },
  };
}

/** n copies of the message dondoc renders for `task` now (the same bytes on the wire for the bare baseline). */
export function renderedLike(cfg: LoadedConfig, task: Task, n: number, round: string, now: number): OutgoingMessage[] {
  const templates = loadTemplates();
  const due = planNotifications(task, undefined, cfg.config.policy, cfg.calendar, cfg.org, now).find((x) => x.state === 'due')!;
  const rendered = renderNotification(templates, due, { org: cfg.org, calendar: cfg.calendar, task, senderName: cfg.config.mail.from.name });
  const copy = copiesOf(due)[0]!;
  const msg = copyMessage({ messageId: messageIdFor(copy.id, cfg.config.mail.messageIdDomain), recipient: copy.recipient, rendered, identity: identityOf(cfg), notification: due.id, kind: kindHeader(due), items: [copy.id], taskId: task.id });
  return Array.from({ length: n }, (_, i) => ({ ...msg, messageId: messageIdFor(`${round}-${i}`, cfg.config.mail.messageIdDomain) }));
}

/** Bare nodemailer, same pool, same server: messages per second. */
export async function bareThroughput(sink: Sink, batch: OutgoingMessage[]): Promise<number> {
  const t = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port: sink.port, secure: false, ...POOL, logger: false });
  const wire = batch.map((m) => toNodemailer(prepareMessage(m)));
  const t0 = performance.now();
  await Promise.all(wire.map((m) => t.sendMail(m)));
  const ms = performance.now() - t0;
  t.close();
  return (batch.length / ms) * 1000;
}

/** Redis commands run so far, by name (INFO commandstats). */
export async function redisCalls(redis: RedisClient): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const out = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

export interface Usage {
  ownMs: number;
  redisMs: number;
  /** Redis commands run in between, by name (scripts count once, as evalsha/fcall). */
  calls: Map<string, number>;
}

/** CPU spent by this process and by redis-server between start and stop (ms), for per-message figures. */
export async function cpuMeter(redis: RedisClient): Promise<() => Promise<Usage>> {
  const redisCpu = async (): Promise<number> => {
    const info = await redis.info('cpu');
    const v = (k: string): number => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
    return (v('used_cpu_user') + v('used_cpu_sys')) * 1000;
  };
  const own0 = process.cpuUsage();
  const r0 = await redisCpu();
  const c0 = await redisCalls(redis);
  return async () => {
    const own = process.cpuUsage(own0);
    const redisMs = (await redisCpu()) - r0;
    const c1 = await redisCalls(redis);
    const calls = new Map<string, number>();
    for (const [k, v] of c1) if (v - (c0.get(k) ?? 0) > 0 && k !== 'info') calls.set(k, v - (c0.get(k) ?? 0));
    return { ownMs: (own.user + own.system) / 1000, redisMs, calls };
  };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const fmt = (x: number, unit: string): string => `${Math.round(x).toLocaleString('en-US')} ${unit}`;
