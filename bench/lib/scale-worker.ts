// One worker process of the sustained-delivery benchmark (bench/scale-delivery.ts), started by
// it twice per phase:
//   dondoc — the delivery engine with the worker role only, as `dondoc start --role worker` builds
//            it (mailer from the config's delivery settings, concurrency 20): every job re-reads
//            and re-plans its task, claims, renders, sends, records;
//   bare   — a plain BullMQ Worker, same concurrency, whose processor hands a pre-rendered copy of
//            the same message to a plain nodemailer pool with the same settings, and remembers
//            how late it was (nothing is read or recorded in Redis).
// Usage: node --import tsx bench/lib/scale-worker.ts ARGS.json. Prints "ready", then "sent N"
// every 500 ms; on SIGTERM closes, writes [planned, lateness] of each send to args.outFile
// (bare; dondoc's are in its delivery log) and prints "done".
import fs from 'node:fs';
import { Worker } from 'bullmq';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { type OutgoingMessage, messageIdFor, prepareMessage, toNodemailer } from '../../src/mail/message.js';
import { mailerOptionsFrom, makeMailer } from '../../src/mail/transport.js';
import { makeEngine } from '../../src/queue/engine.js';
import { QUEUES, bullPrefix } from '../../src/queue/names.js';
import { type RedisClient, connectRedis, makeBullConnection } from '../../src/store/redis.js';
import { makeTaskStore } from '../../src/store/task-store.js';
import { sustainedConfig } from './scale-config.js';

export interface WorkerArgs {
  mode: 'dondoc' | 'bare';
  redisUrl: string;
  prefix: string;
  smtpUrl: string;
  /** The benchmark clock is the wall clock plus this (the 2022 config needs a 2022 "now"). */
  offsetMs: number;
  /** bare: the message to send, as dondoc renders it. */
  message?: OutgoingMessage;
  /** Where the samples go at the end (a pipe would cut a long last line at exit). */
  outFile: string;
}

const args = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as WorkerArgs;
const now = (): number => Date.now() + args.offsetMs;
const cfg = sustainedConfig();
const logger = pino({ level: 'warn' });
let sent = 0;
const samples: Array<[number, number]> = [];
const conns: RedisClient[] = [];
const bullConnection = (): RedisClient => {
  const c = makeBullConnection(args.redisUrl);
  conns.push(c);
  return c;
};

let close: () => Promise<void>;
if (args.mode === 'dondoc') {
  const redis = await connectRedis(args.redisUrl, { role: 'service', timeoutMs: 30_000 });
  const mailer = makeMailer(mailerOptionsFrom(cfg.config.delivery, args.smtpUrl));
  const engine = makeEngine({
    redis,
    bullConnection,
    prefix: args.prefix,
    store: makeTaskStore({ redis, url: args.redisUrl, prefix: args.prefix, calendar: cfg.calendar, now }),
    config: () => cfg,
    mailer,
    delivery: cfg.config.delivery,
    now,
    logger,
    roles: { scheduler: false, worker: true },
    metrics: { sent: () => void sent++, failed: () => {}, skipped: () => {}, scheduleLag: () => {} },
    tuning: { jobSchedulers: false },
  });
  await engine.start();
  close = async () => {
    await engine.close();
    await mailer.close();
    redis.disconnect();
  };
} else {
  const d = cfg.config.delivery;
  const transport = nodemailer.createTransport({
    pool: true,
    host: new URL(args.smtpUrl).hostname,
    port: Number(new URL(args.smtpUrl).port),
    secure: false,
    maxConnections: d.max_connections,
    maxMessages: d.max_messages_per_connection,
    connectionTimeout: d.connection_timeout,
    greetingTimeout: d.greeting_timeout,
    socketTimeout: d.socket_timeout,
    logger: false,
  });
  const message = args.message!;
  const worker = new Worker(
    QUEUES.notify,
    async (job) => {
      const data = job.data as { id: string; at: number };
      await transport.sendMail(toNodemailer(prepareMessage({ ...message, messageId: messageIdFor(data.id, cfg.config.mail.messageIdDomain) })));
      samples.push([data.at, now() - data.at]);
      sent++;
    },
    { connection: bullConnection(), prefix: bullPrefix(args.prefix), concurrency: d.concurrency },
  );
  worker.on('error', (err) => logger.error({ err }, 'bare worker error'));
  close = async () => {
    await worker.close();
    transport.close();
  };
}

process.stdout.write('ready\n');
const timer = setInterval(() => process.stdout.write(`sent ${sent}\n`), 500);
process.once('SIGTERM', () => {
  clearInterval(timer);
  void close().then(() => {
    for (const c of conns) c.disconnect();
    fs.writeFileSync(args.outFile, JSON.stringify(samples));
    process.stdout.write(`sent ${sent}\ndone\n`, () => process.exit(0));
  });
});
