// What an operator does about mail (issue 5, "Operator commands"):
//   dondoc delivery list [--failed] [--task ID] [--json]    the delivery log, newest first
//   dondoc delivery retry ID | --all-failed                  send failed notifications again
//   dondoc mute task ID | body CODE [--reason R]             hold notifications back (recorded as muted)
//   dondoc unmute task ID | body CODE                        lift it: what was held back goes out
//   dondoc mute list                                         what is muted, by whom, why
// All of them talk to Redis (REDIS_URL; exit 3 when it is unreachable) and never send mail
// themselves: they change the log and the schedule, and the running workers do the rest.
import type { Command } from 'commander';
import { splitCopyId } from '../core/copies.js';
import { MAIL_KIND_VI, reasonText } from '../core/reason-text.js';
import { type Zone } from '../core/zone.js';
import { DondocError, usageError } from '../errors.js';
import { DELIVERY_STATE_LABELS, deliveryView } from '../http/delivery-view.js';
import { QUEUES, bullPrefix, isJobId } from '../queue/names.js';
import { type DeliveryLog, type DeliveryRecord, makeDeliveryLog, retryEntry } from '../store/delivery-log.js';
import { type MuteKind, makeMutes } from '../store/mutes.js';
import { guard, type RedisClient } from '../store/redis.js';
import { makeSchedule } from '../store/schedule.js';
import { intArg } from './args.js';
import type { CliContext } from './context.js';
import { cliActor, formatVnInstant, withTaskStore } from './task.js';

const SPECIAL = new Set(['_digest', '_admin']);

function printRecords(ctx: CliContext, records: readonly DeliveryRecord[], more: number, zone: Zone): void {
  for (const r of records) {
    const when = formatVnInstant(r.sentAt ?? r.plannedAt, zone);
    const detail = r.state === 'sent' ? (r.messageId ?? '') : (r.error ?? (r.reason ? reasonText(r.reason) : ''));
    ctx.stdout.write(
      `${when}  ${DELIVERY_STATE_LABELS[r.state].padEnd(12)}  ${`${MAIL_KIND_VI[r.kind] ?? r.kind}${r.level ? ` cấp ${r.level}` : ''}`.padEnd(22)}  ${r.taskId}  ${r.id}  → ${r.to.join(', ') || '-'}${r.title ? ` (${r.title})` : ''}  (lần ${r.attempts})${detail ? `  ${detail}` : ''}\n`,
    );
  }
  ctx.stdout.write(`${records.length} thư${more > 0 ? ` (còn ${more} thư nữa: --limit để xem thêm${records.some((r) => r.state === 'failed') ? ', hoặc --cursor' : ''})` : ''}\n`);
}

/**
 * A job that finished keeps its id in BullMQ, and adding a job with that id again is a no-op:
 * remove the finished ones (failed, or completed after the worker recorded the failure) so the
 * scheduler can enqueue them anew. A job still waiting or running is left alone.
 */
async function forgetFinishedJobs(redis: RedisClient, prefix: string, ids: readonly string[]): Promise<void> {
  const jobIds = [...new Set(ids.filter(isJobId))];
  if (jobIds.length === 0) return;
  const { Queue } = await import('bullmq');
  for (const name of [QUEUES.notify, QUEUES.maintenance]) {
    const queue = new Queue(name, { connection: redis, prefix: bullPrefix(prefix, redis.isCluster) });
    try {
      for (const id of jobIds) {
        const state = await queue.getJobState(id);
        if (state === 'failed' || state === 'completed') await queue.remove(id);
      }
    } finally {
      await queue.close();
    }
  }
}

/** Finds a failed delivery by its notification id (or TASK|ID as the failed list writes it). */
async function findFailed(log: DeliveryLog, ref: string): Promise<DeliveryRecord> {
  const bar = ref.indexOf('|');
  if (bar > 0) {
    const r = await log.get(ref.slice(0, bar), ref.slice(bar + 1));
    if (r?.state === 'failed') return r;
  } else {
    const r = (await log.listFailed({ limit: 10_000 })).find((x) => x.id === ref);
    if (r) return r;
  }
  throw new DondocError('INPUT_REJECTED', `không có thư gửi thất bại ${ref} (xem danh sách: dondoc delivery list --failed)`);
}

function tryResolve(resolve: () => string, fallback: string): string {
  try {
    return resolve();
  } catch {
    return fallback;
  }
}

function kindArg(kind: string): MuteKind {
  if (kind !== 'task' && kind !== 'body') throw usageError(`expected "task ID" or "body CODE", got "${kind}"`);
  return kind;
}

export function registerDeliveryCommands(program: Command, ctx: CliContext): void {
  const cfg = (cmd: Command): string | undefined => cmd.optsWithGlobals().config as string | undefined;
  const delivery = program.command('delivery').description('The delivery log: what was sent, failed, skipped or muted; retry failures').option('--config <file>', 'config file');

  delivery
    .command('list')
    .description('Delivery records, newest first')
    .option('--failed', 'only failures (permanent, or retries used up)')
    .option('--task <id>', 'only this task (also _digest, _admin)')
    .option('--limit <n>', 'at most this many (default 100)')
    .option('--cursor <c>', 'with --failed: the next page (the `cursor` of the previous --json page)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'config file')
    .action((opts: { failed?: boolean; task?: string; limit?: string; cursor?: string; json?: boolean }, cmd: Command) => {
      const limit = opts.limit !== undefined ? intArg('--limit', opts.limit) : 100;
      if (limit < 1 || limit > 10_000) throw usageError('--limit: expected 1 to 10000');
      return withTaskStore(ctx, cfg(cmd), async ({ redis, url, prefix, config, store }) => {
        const log = makeDeliveryLog(redis, prefix);
        const page = await guard(url, () =>
          log.list({ ...(opts.failed ? { failed: true } : {}), ...(opts.task ? { taskId: opts.task } : {}), limit, ...(opts.cursor ? { cursor: opts.cursor } : {}) }),
        );
        if (opts.task && !SPECIAL.has(opts.task) && page.records.length === 0 && !(await store.get(opts.task))) {
          throw new DondocError('TASK_NOT_FOUND', `không có nhiệm vụ mã ${opts.task} (xem danh sách: dondoc task list)`);
        }
        const zone = config.calendar.zone;
        if (opts.json) ctx.stdout.write(`${JSON.stringify({ items: page.records.map((r) => deliveryView(r, zone)), more: page.more, ...(page.cursor ? { cursor: page.cursor } : {}) }, null, 2)}\n`);
        else printRecords(ctx, page.records, page.more, zone);
      });
    });

  delivery
    .command('retry')
    .description('Send failed notifications again: back to "retrying", re-planned now; the workers send them if they are still due')
    .argument('[id]', 'a notification id from `dondoc delivery list --failed` (or TASK|ID)')
    .option('--all-failed', 'every failed notification')
    .option('--config <file>', 'config file')
    .action((id: string | undefined, opts: { allFailed?: boolean }, cmd: Command) => {
      if ((id === undefined) === !opts.allFailed) throw usageError('give a notification id, or --all-failed (not both)');
      return withTaskStore(ctx, cfg(cmd), async ({ redis, prefix }) => {
        const log = makeDeliveryLog(redis, prefix);
        const schedule = makeSchedule(redis, prefix);
        const targets = opts.allFailed ? await log.listFailed({ limit: 10_000 }) : [await findFailed(log, id!)];
        const now = ctx.now();
        const reset: DeliveryRecord[] = [];
        for (const r of targets) if (await log.resetForRetry(r.taskId, r.id, now, { touch: false })) reset.push(r);
        // A finished BullMQ job keeps its id: remove it, or re-adding the same id is a no-op
        // (a digest's job is the digest's, not its copy's).
        await forgetFinishedJobs(redis, prefix, reset.map((r) => (r.taskId === '_digest' ? (splitCopyId(r.id)?.notificationId ?? r.id) : r.id)));
        // All at once: the scheduler places each person's retried copies in one list.
        await schedule.touch([...new Set(reset.map((r) => retryEntry(r.taskId, r.id)))], now);
        for (const r of reset) ctx.stdout.write(`gửi lại: ${r.taskId} ${r.id}\n`);
        const done = reset.length;
        ctx.stdout.write(`${done} thư sẽ được gửi lại${targets.length > done ? ` (${targets.length - done} đã thay đổi, bỏ qua)` : ''}\n`);
      });
    });

  const mute = program.command('mute').description('Hold back the notifications of a task or a body (recorded as muted, sent if unmuted in time)').option('--config <file>', 'config file');
  mute
    .command('list')
    .description('What is muted, since when, by whom, why')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, cmd: Command) =>
      withTaskStore(ctx, cfg(cmd), async ({ redis, prefix, config }) => {
        const list = await makeMutes(redis, prefix, () => ctx.now()).list();
        const zone = config.calendar.zone;
        if (opts.json) {
          ctx.stdout.write(`${JSON.stringify({ items: list.map((m) => ({ kind: m.kind, key: m.key, by: m.by, at: zone.formatInstant(m.at), ...(m.reason ? { reason: m.reason } : {}) })) }, null, 2)}\n`);
          return;
        }
        for (const m of list) ctx.stdout.write(`${m.kind} ${m.key}  từ ${formatVnInstant(m.at, zone)}  [${m.by}]${m.reason ? `  ${m.reason}` : ''}\n`);
        ctx.stdout.write(`${list.length} mục tạm dừng\n`);
      }),
    );

  for (const kind of ['task', 'body'] as const) {
    mute
      .command(kind)
      .description(kind === 'task' ? 'Mute one task' : 'Mute every notification addressed to a body (code or name)')
      .argument(kind === 'task' ? '<id>' : '<code>', kind === 'task' ? 'task id' : 'body code or name')
      .option('--reason <text>', 'why (shown in the log and `mute list`)')
      .option('--config <file>', 'config file')
      .action((key: string, opts: { reason?: string }, cmd: Command) =>
        withTaskStore(ctx, cfg(cmd), async ({ redis, prefix, store, service }) => {
          const target = kind === 'task' ? key : service.resolveBodyCode(key);
          if (kind === 'task' && !(await store.get(key))) throw new DondocError('TASK_NOT_FOUND', `không có nhiệm vụ mã ${key} (xem danh sách: dondoc task list)`);
          await makeMutes(redis, prefix, () => ctx.now()).mute(kindArg(kind), target, cliActor(ctx), ctx.now(), opts.reason);
          ctx.stdout.write(`đã tạm dừng thư: ${kind === 'task' ? 'nhiệm vụ' : 'đơn vị'} ${target}\n`);
        }),
      );
  }

  const unmute = program.command('unmute').description('Lift a mute: notifications held back go out if they are still due').option('--config <file>', 'config file');
  for (const kind of ['task', 'body'] as const) {
    unmute
      .command(kind)
      .description(kind === 'task' ? 'Unmute one task' : 'Unmute a body (code or name)')
      .argument(kind === 'task' ? '<id>' : '<code>', kind === 'task' ? 'task id' : 'body code or name')
      .option('--config <file>', 'config file')
      .action((key: string, _opts: unknown, cmd: Command) =>
        withTaskStore(ctx, cfg(cmd), async ({ redis, prefix, service }) => {
          // A body may have left the directory while muted: its code as written still unmutes.
          const target = kind === 'task' ? key : tryResolve(() => service.resolveBodyCode(key), key);
          // unmute() re-plans the tasks concerned at once (src/store/mutes.ts).
          const lifted = await makeMutes(redis, prefix, () => ctx.now()).unmute(kind, target);
          if (!lifted) throw new DondocError('INPUT_REJECTED', `${kind === 'task' ? 'nhiệm vụ' : 'đơn vị'} ${target} không bị tạm dừng (xem: dondoc mute list)`);
          ctx.stdout.write(`đã bỏ tạm dừng thư: ${kind === 'task' ? 'nhiệm vụ' : 'đơn vị'} ${target}\n`);
        }),
      );
  }
}
