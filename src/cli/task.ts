// `dondoc task …`: what an admin does by hand — show, list, complete, extend, cancel — plus
// the repairs: follow-successors (open tasks of ended bodies move to their successors) and
// reindex. Human output is Vietnamese plain text; --json gives the API's shapes.
import type { Command } from 'commander';
import { splitCopyId } from '../core/copies.js';
import type { RedisClient } from '../store/redis.js';
import type { LoadedConfig } from '../config/load.js';
import { type Day, formatVnDay } from '../core/day.js';
import { MAIL_KIND_VI, reasonText } from '../core/reason-text.js';
import { STATUS_LABELS, TASK_STATUSES, type TaskStatus } from '../core/status.js';
import { type Deadline, type Task, type TaskEvent } from '../core/task.js';
import { type Unaddressed, unaddressedOf } from '../core/unaddressed.js';
import { deadlineString, formatDeadline } from '../core/task-codec.js';
import { type Zone, parseInstant } from '../core/zone.js';
import { DondocError, usageError } from '../errors.js';
import { DELIVERY_STATE_LABELS, deliveryView } from '../http/delivery-view.js';
import { listItemView, taskView } from '../http/task-view.js';
import { type DeliveryRecord, makeDeliveryLog } from '../store/delivery-log.js';
import { openTaskStore } from '../store/open.js';
import { makeTaskService, type TaskService } from '../store/task-service.js';
import type { TaskStore, TaskWithStatus } from '../store/task-store.js';
import { dayArg, intArg } from './args.js';
import type { CliContext } from './context.js';

export interface StoreSession {
  store: TaskStore;
  service: TaskService;
  config: LoadedConfig;
  redis: RedisClient;
  /** The Redis URL in use (for messages: guard()). */
  url: string;
  /** DONDOC_KEY_PREFIX */
  prefix: string;
}

/** Loads the config, connects to Redis (exit 3 when it is not there), runs, disconnects. */
export async function withTaskStore<T>(ctx: CliContext, configFile: string | undefined, fn: (s: StoreSession) => Promise<T>): Promise<T> {
  const config = ctx.config(configFile);
  const opened = await openTaskStore({ env: ctx.env, calendar: config.calendar, now: () => ctx.now(), role: 'cli' });
  try {
    const service = makeTaskService({ store: opened.store, calendar: config.calendar, org: config.org, now: () => ctx.now() });
    return await fn({ store: opened.store, service, config, redis: opened.redis, url: opened.env.redisUrl, prefix: opened.env.keyPrefix });
  } finally {
    await opened.close();
  }
}

/** Who did it, in history: `cli:<login>`. */
export const cliActor = (ctx: CliContext): string => `cli:${ctx.env.USER || ctx.env.USERNAME || 'admin'}`;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** dd/mm/yyyy HH:MM in the configured zone. */
export function formatVnInstant(t: number, zone: Zone): string {
  const m = Math.floor(zone.minuteOfDay(t));
  return `${formatVnDay(zone.dayOf(t))} ${pad2(Math.floor(m / 60))}:${pad2(m % 60)}`;
}

export function formatVnDeadline(d: Deadline): string {
  return d.minute === undefined ? formatVnDay(d.day) : `${pad2(Math.floor(d.minute / 60))}:${pad2(d.minute % 60)} ${formatVnDay(d.day)}`;
}

const EVENT_LABELS: Record<TaskEvent['type'], string> = {
  created: 'tạo mới',
  updated: 'cập nhật',
  completed: 'hoàn thành',
  extended: 'gia hạn',
  cancelled: 'hủy/thu hồi',
  reopened: 'mở lại',
  transferred: 'chuyển đơn vị',
  completion_reported: 'báo cáo hoàn thành (qua liên kết)',
  completion_confirmed: 'xác nhận hoàn thành',
  completion_rejected: 'không xác nhận hoàn thành',
  extension_requested: 'đề nghị gia hạn',
  extension_approved: 'đồng ý gia hạn',
  extension_rejected: 'không đồng ý gia hạn',
  noncooperation_reported: 'báo cáo đơn vị phối hợp chưa phối hợp',
  reply_refused: 'từ chối thao tác không đúng thẩm quyền',
};

function describeEvent(e: TaskEvent, zone: Zone): string {
  switch (e.type) {
    case 'updated':
      return Object.entries(e.changes)
        .map(([k, c]) => `${k}: ${shortValue(k, c.from)} → ${shortValue(k, c.to)}`)
        .join('; ');
    case 'completed':
      return `lúc ${formatVnInstant(e.completedAt, zone)}${e.occurrence !== 'once' ? ` (kỳ ${e.occurrence})` : ''}${e.document ? `; văn bản: ${e.document}` : ''}${e.note ? `; ${e.note}` : ''}`;
    case 'extended':
      return `${formatVnDeadline(e.previous)} → ${formatVnDeadline(e.deadline)}; ${e.document}; duyệt: ${e.approvedBy}`;
    case 'cancelled':
    case 'reopened':
      return e.reason;
    case 'transferred':
      return `${e.from} → ${e.to}: ${e.reason}`;
    default:
      return '';
  }
}

function shortValue(key: string, v: unknown): string {
  if (v === null || v === undefined) return '(trống)';
  if (key === 'deadline') return formatVnDeadline(v as Deadline);
  if (key === 'assignedOn') return formatVnDay(v as Day);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

function statusLine(s: TaskWithStatus['status']): string {
  const label = STATUS_LABELS[s.status];
  if (s.daysLeft === undefined) return label;
  return s.daysLeft >= 0 ? `${label} (còn ${s.daysLeft} ngày làm việc)` : `${label} (quá ${-s.daysLeft} ngày làm việc)`;
}

function printTask(ctx: CliContext, t: TaskWithStatus, history: readonly TaskEvent[], config: LoadedConfig): void {
  const { task } = t;
  const zone = config.calendar.zone;
  const body = (code: string): string => {
    const b = config.org.bodies.get(code);
    return b ? `${code} (${b.name})` : code;
  };
  const lines = [
    `${task.id}  (phiên bản ${task.revision})`,
    `Nhiệm vụ: ${task.title}`,
    `Văn bản: số ${task.source.number} ngày ${formatVnDay(task.source.date)} của ${task.source.issuer}${task.source.item ? `, mục ${task.source.item}` : ''}`,
    ...(task.source.subject ? [`Trích yếu: ${task.source.subject}`] : []),
    `Chủ trì: ${body(task.lead)}`,
    ...(task.coordinators.length ? [`Phối hợp: ${task.coordinators.map(body).join('; ')}`] : []),
    ...(task.leader ? [`Lãnh đạo phụ trách: ${config.org.leaders.get(task.leader)?.title ?? ''} (${task.leader})`] : []),
    `Ngày giao: ${formatVnDay(task.assignedOn)}`,
    `Thời hạn: ${task.deadline ? formatVnDeadline(task.deadline) : 'không thời hạn'}${task.extensions.length ? ` (gia hạn đến ${formatVnDeadline(task.extensions.at(-1)!.deadline)})` : ''}`,
    `Trạng thái: ${statusLine(t.status)}`,
    'Lịch sử:',
    ...history.map((e) => `  ${formatVnInstant(e.at, zone)}  ${EVENT_LABELS[e.type]}  ${describeEvent(e, zone)}  [${e.by}, phiên bản ${e.revision}]`.replace(/ {2}\s+\[/, '  [')),
  ];
  ctx.stdout.write(`${lines.join('\n')}\n`);
}

/** The delivery log of a task, one line per notification (what, when, to how many, result). */
/** The delivery log of a task: each notification, then every copy of it — one per person — with its state. */
export function printDeliveries(ctx: CliContext, records: readonly DeliveryRecord[], zone: Zone): void {
  const copies = records.filter((r) => r.state !== 'released');
  if (!copies.length) {
    ctx.stdout.write('Thư nhắc: chưa có\n');
    return;
  }
  const releases = new Map(records.filter((r) => r.state === 'released').map((r) => [r.id, r]));
  const byNotification = new Map<string, DeliveryRecord[]>();
  for (const r of copies) {
    const n = r.notification ?? splitCopyId(r.id)?.notificationId ?? r.id;
    let g = byNotification.get(n);
    if (!g) byNotification.set(n, (g = []));
    g.push(r);
  }
  ctx.stdout.write('Thư nhắc:\n');
  for (const [n, group] of byNotification) {
    const first = group[0]!;
    const owed = releases.get(n)?.copies?.length;
    ctx.stdout.write(`  ${MAIL_KIND_VI[first.kind] ?? first.kind}${first.level ? ` (cấp ${first.level})` : ''}  dự kiến ${formatVnInstant(first.plannedAt, zone)}  ${n}${owed !== undefined ? `  (${owed} bản)` : ''}\n`);
    for (const r of group) {
      const when = r.sentAt !== undefined ? `  gửi ${formatVnInstant(r.sentAt, zone)}` : '';
      const detail = r.state === 'sent' ? (r.messageId ?? '') : r.reason ? reasonText(r.reason) : (r.error ?? '');
      const who = `${r.to.join(', ') || '-'}${r.title ? ` (${r.title}${r.as === 'cc' ? ', đồng gửi' : ''})` : ''}`;
      ctx.stdout.write(`    ${DELIVERY_STATE_LABELS[r.state].padEnd(12)} → ${who}${when}${detail ? `  ${detail}` : ''}  [${r.id}, lần ${r.attempts}]\n`);
    }
  }
}

/** `unaddressed`: open tasks nobody can be reminded of today (core/unaddressed.ts), with the other statuses or alone. */
const UNADDRESSED = 'unaddressed';

function statusArg(value: string): { statuses: TaskStatus[]; unaddressed: boolean } {
  const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = parts.filter((p) => p !== UNADDRESSED && !(TASK_STATUSES as readonly string[]).includes(p));
  if (bad.length || !parts.length) throw usageError(`--status: expected one or more of ${TASK_STATUSES.join(', ')}, ${UNADDRESSED}, got "${value}"`);
  const statuses = parts.filter((p): p is TaskStatus => p !== UNADDRESSED);
  return { statuses, unaddressed: parts.includes(UNADDRESSED) };
}

function deadlineArg(name: string, value: string): Deadline {
  const r = deadlineString.safeParse(value);
  if (!r.success) throw usageError(`${name}: expected a date YYYY-MM-DD or YYYY-MM-DDTHH:MM, got "${value}"`);
  return r.data;
}

function instantArg(name: string, value: string, zone: Zone): number {
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) ? parseInstant(value, zone.name) : null;
  if (t === null) throw usageError(`${name}: expected a date-time like 2022-06-15T16:30 (local) or 2022-06-15T16:30+07:00, got "${value}"`);
  return t;
}

function afterChange(ctx: CliContext, what: string, r: { task: Task }, store: TaskStore): void {
  ctx.stdout.write(`${what}: ${r.task.id} (phiên bản ${r.task.revision}) — ${statusLine(store.statusOf(r.task))}\n`);
}

export function registerTaskCommands(program: Command, ctx: CliContext): void {
  const task = program
    .command('task')
    .description('Show, list and change tasks in the registry (Redis: REDIS_URL, DONDOC_KEY_PREFIX)')
    .option('--config <file>', 'config file');
  const cfg = (cmd: Command): string | undefined => cmd.optsWithGlobals().config as string | undefined;

  task
    .command('show')
    .description('A task with its status now and its history')
    .argument('<id>', 'task id')
    .option('--json', 'print JSON (the API shape)')
    .option('--config <file>', 'config file')
    .action((id: string, opts: { json?: boolean }, cmd: Command) =>
      withTaskStore(ctx, cfg(cmd), async ({ store, config, redis, prefix }) => {
        const found = await store.getWithHistory(id);
        if (!found) throw new DondocError('TASK_NOT_FOUND', `không có nhiệm vụ mã ${id} (xem danh sách: dondoc task list)`);
        const status = store.statusOf(found.task);
        const deliveries = await makeDeliveryLog(redis, prefix).forTask(id);
        const zone = config.calendar.zone;
        if (opts.json) {
          const view = taskView({ task: found.task, status, history: found.history }, config.calendar, ctx.now());
          ctx.stdout.write(`${JSON.stringify({ ...view, deliveries: deliveries.map((r) => deliveryView(r, zone)) }, null, 2)}\n`);
        } else {
          printTask(ctx, { task: found.task, status }, found.history, config);
          printDeliveries(ctx, deliveries, zone);
        }
      }),
    );

  task
    .command('list')
    .description('Tasks by status, body and deadline, soonest deadline first')
    .option('--status <s>', `${TASK_STATUSES.join(', ')} (comma-separated), or unaddressed: open tasks whose lead body nobody can be reminded at`)
    .option('--body <code>', 'a body code or name: tasks it leads or coordinates')
    .option('--due-before <date>', 'deadline in force on or before YYYY-MM-DD')
    .option('--limit <n>', 'at most this many (default 200)')
    .option('--json', 'print JSON (the API shape)')
    .option('--config <file>', 'config file')
    .action((opts: { status?: string; body?: string; dueBefore?: string; limit?: string; json?: boolean }, cmd: Command) => {
      const wanted = opts.status !== undefined ? statusArg(opts.status) : undefined;
      // Unaddressed tasks are open ones: without other statuses, the open statuses are searched.
      const status = wanted?.statuses.length ? wanted.statuses : wanted?.unaddressed ? (['within_deadline', 'due_soon', 'overdue'] as TaskStatus[]) : undefined;
      const dueBefore = opts.dueBefore !== undefined ? dayArg('--due-before', opts.dueBefore) : undefined;
      const limit = opts.limit !== undefined ? intArg('--limit', opts.limit) : 200;
      if (limit < 1) throw usageError('--limit: expected at least 1');
      return withTaskStore(ctx, cfg(cmd), async ({ store, config, service }) => {
        const body = opts.body !== undefined ? service.resolveBodyCode(opts.body) : undefined;
        const items: TaskWithStatus[] = [];
        const nobody = new Map<string, Unaddressed>();
        let cursor: string | null = '';
        while (cursor !== null && items.length < limit) {
          const page: Awaited<ReturnType<TaskStore['list']>> = await store.list({
            ...(status ? { status } : {}),
            ...(body ? { body } : {}),
            ...(dueBefore !== undefined ? { dueBefore } : {}),
            limit: Math.min(1000, limit - items.length),
            cursor,
          });
          for (const i of page.items) {
            const u = wanted?.unaddressed ? unaddressedOf(i.task, config.org, config.calendar, ctx.now()) : undefined;
            if (wanted?.unaddressed && !u) continue;
            if (u) nobody.set(i.task.id, u);
            items.push(i);
          }
          cursor = page.nextCursor;
        }
        const zone = config.calendar.zone;
        // With --body, each task says what the body does in it: leads it, or coordinates.
        const roleOf = (t: Task): 'lead' | 'coordinator' | undefined => (body === undefined ? undefined : t.lead === body ? 'lead' : 'coordinator');
        if (opts.json) {
          const unaddressedJson = (id: string) => (nobody.has(id) ? { unaddressed: { reason: nobody.get(id)!.reason, message: nobody.get(id)!.message } } : {});
          const json = items.map((i) => ({ ...listItemView(i, zone), ...(roleOf(i.task) ? { role: roleOf(i.task) } : {}), ...unaddressedJson(i.task.id) }));
          ctx.stdout.write(`${JSON.stringify({ items: json, more: cursor !== null }, null, 2)}\n`);
          return;
        }
        for (const { task: t, status: s } of items) {
          const due = s.effectiveDay !== undefined ? formatVnDay(s.effectiveDay) : '—'.padEnd(10);
          const role = roleOf(t);
          const who = role === undefined ? t.lead : role === 'lead' ? 'chủ trì' : `phối hợp (chủ trì: ${t.lead})`;
          ctx.stdout.write(`${due}  ${STATUS_LABELS[s.status].padEnd(24)}  ${who.padEnd(12)}  ${t.id}  ${t.title.length > 70 ? `${t.title.slice(0, 69)}…` : t.title}\n`);
          if (nobody.has(t.id)) ctx.stdout.write(`            không ai nhận được thư nhắc: ${nobody.get(t.id)!.message}\n`);
        }
        ctx.stdout.write(`${items.length} nhiệm vụ${cursor !== null ? ` (còn nữa: dùng --limit lớn hơn)` : ''}\n`);
      });
    });

  task
    .command('complete')
    .description('Record that a task (or an occurrence of a recurring one) was done')
    .argument('<id>', 'task id')
    .option('--on <date>', 'done on this day YYYY-MM-DD (default: now)')
    .option('--at <instant>', 'done at this time, e.g. 2022-06-15T16:30')
    .option('--note <text>', 'a note')
    .option('--document <doc>', 'the report or document that shows it, e.g. "Báo cáo số 12/BC-SYT"')
    .option('--occurrence <key>', 'for recurring tasks: 2026, 2026-Q2 or 2026-06')
    .option('--config <file>', 'config file')
    .action((id: string, opts: { on?: string; at?: string; note?: string; document?: string; occurrence?: string }, cmd: Command) => {
      if (opts.on !== undefined && opts.at !== undefined) throw usageError('give --on DATE or --at INSTANT, not both');
      const on = opts.on !== undefined ? dayArg('--on', opts.on) : undefined;
      return withTaskStore(ctx, cfg(cmd), async ({ store, service, config }) => {
        const at = opts.at !== undefined ? instantArg('--at', opts.at, config.calendar.zone) : undefined;
        const r = await service.complete(
          id,
          {
            ...(at !== undefined ? { completedAt: at } : {}),
            ...(on !== undefined ? { completedOn: on } : {}),
            ...(opts.note ? { note: opts.note.normalize('NFC') } : {}),
            ...(opts.document ? { document: opts.document.normalize('NFC') } : {}),
            ...(opts.occurrence ? { occurrence: opts.occurrence } : {}),
          },
          cliActor(ctx),
        );
        afterChange(ctx, 'Đã ghi nhận hoàn thành', r, store);
      });
    });

  task
    .command('extend')
    .description('Record an approved extension (gia hạn): the new deadline, the approving document and who approved')
    .argument('<id>', 'task id')
    .requiredOption('--to <deadline>', 'the new deadline YYYY-MM-DD (end of that day) or YYYY-MM-DDTHH:MM')
    .requiredOption('--document <doc>', 'the approving document, e.g. "Công văn số 2000/UBND-TH ngày 20/06/2022"')
    .requiredOption('--approved-by <who>', 'who approved, e.g. "PCT UBND tỉnh"')
    .option('--occurrence <key>', 'for recurring tasks: 2026, 2026-Q2 or 2026-06')
    .option('--config <file>', 'config file')
    .action((id: string, opts: { to: string; document: string; approvedBy: string; occurrence?: string }, cmd: Command) => {
      const deadline = deadlineArg('--to', opts.to);
      return withTaskStore(ctx, cfg(cmd), async ({ store, service }) => {
        const r = await service.extend(
          id,
          { deadline, document: opts.document.normalize('NFC').trim(), approvedBy: opts.approvedBy.normalize('NFC').trim(), ...(opts.occurrence ? { occurrence: opts.occurrence } : {}) },
          cliActor(ctx),
        );
        afterChange(ctx, `Đã gia hạn đến ${formatDeadline(deadline)}`, r, store);
      });
    });

  task
    .command('cancel')
    .description('Cancel or withdraw a task (or one occurrence), with the reason')
    .argument('<id>', 'task id')
    .requiredOption('--reason <text>', 'why, e.g. "Thu hồi theo Công văn số …"')
    .option('--occurrence <key>', 'for recurring tasks: only this occurrence')
    .option('--config <file>', 'config file')
    .action((id: string, opts: { reason: string; occurrence?: string }, cmd: Command) =>
      withTaskStore(ctx, cfg(cmd), async ({ store, service }) => {
        if (!opts.reason.trim()) throw usageError('--reason: must not be empty');
        const r = await service.cancel(id, { reason: opts.reason.normalize('NFC').trim(), ...(opts.occurrence ? { occurrence: opts.occurrence } : {}) }, cliActor(ctx));
        afterChange(ctx, 'Đã hủy', r, store);
      }),
    );

  task
    .command('follow-successors')
    .description('Move open tasks of bodies that have ended to their successors (after a directory change), with history')
    .option('--dry-run', 'only show what would move')
    .option('--json', 'print JSON')
    .option('--config <file>', 'config file')
    .action((opts: { dryRun?: boolean; json?: boolean }, cmd: Command) =>
      withTaskStore(ctx, cfg(cmd), async ({ service }) => {
        const moved = await service.followAllSuccessors(cliActor(ctx), { dryRun: opts.dryRun ?? false });
        const rows = moved.flatMap((m) => m.events.flatMap((e) => (e.type === 'transferred' ? [{ id: m.id, from: e.from, to: e.to }] : [])));
        if (opts.json) ctx.stdout.write(`${JSON.stringify({ dry_run: opts.dryRun ?? false, transfers: rows }, null, 2)}\n`);
        else {
          for (const r of rows) ctx.stdout.write(`${r.id}: ${r.from} → ${r.to}\n`);
          ctx.stdout.write(`${opts.dryRun ? 'Sẽ chuyển' : 'Đã chuyển'}: ${moved.length} nhiệm vụ\n`);
        }
      }),
    );

  task
    .command('reindex')
    .description('Rebuild the list indexes from the tasks (after a crash or a manual edit in Redis)')
    .option('--config <file>', 'config file')
    .action((_opts: unknown, cmd: Command) =>
      withTaskStore(ctx, cfg(cmd), async ({ store }) => {
        const r = await store.reindexAll();
        ctx.stdout.write(`Đã lập lại chỉ mục: ${r.tasks} nhiệm vụ, bỏ ${r.removed} mục thừa\n`);
      }),
    );
}
