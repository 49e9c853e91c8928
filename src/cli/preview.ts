// `dondoc preview TASK_ID|--tasks FILE [--at INSTANT] [--json]`: the planned timeline of each
// task — when, state, kind, level, to, cc, subject, and each notification's copies (one per
// person, with the links that person gets) — then the mails ahead as the service bundles them,
// per recipient and day (src/cli/preview-mails.ts). With --tasks it reads a task file (every
// import format) and never touches Redis: what would already have been sent by --at is
// replayed and shown as done. With TASK_ID it reads the task from the store.
// JSON instants are ISO-8601 in the configured zone, dates YYYY-MM-DD.
import path from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { formatIsoDay } from '../core/day.js';
import type { Notification, Recipient } from '../core/notification.js';
import { type PlanHistory, planNotifications } from '../core/planner.js';
import { type Replay, makeReplay, replayNotifications } from '../core/replay.js';
import { PLAN_STATE_VI, reasonText } from '../core/reason-text.js';
import { STATUS_LABELS, taskStatus } from '../core/status.js';
import { type Deadline, type Task, occurrencesOf } from '../core/task.js';
import { formatDeadline } from '../core/task-codec.js';
import { parseInstant } from '../core/zone.js';
import { DondocError, usageError } from '../errors.js';
import { formatRowProblem, readTaskFile } from '../import/read-task-file.js';
import { type Templates, loadTemplates, renderNotification } from '../mail/render.js';
import type { CliContext } from './context.js';
import { copiesJson, forecastMails, forecastText } from './preview-mails.js';

/** Reads a task file into replays (each task as it stood at any instant); refuses a file with bad rows. */
export async function readReplays(file: string, loaded: LoadedConfig): Promise<Replay[]> {
  const result = await readTaskFile(file, { org: loaded.org, zone: loaded.config.timezone });
  if (result.problems.length > 0) {
    throw new DondocError(
      'IMPORT_REJECTED',
      `${file}: ${result.problems.length} lỗi ở các dòng của tệp; chưa lập lịch gửi`,
      result.problems.map((p) => ({ path: `${p.file}: dòng ${p.row}`, message: formatRowProblem(p).slice(`${p.file}: dòng ${p.row}`.length + 2) })),
    );
  }
  return result.rows.map((r) => {
    try {
      return makeReplay(r.input, loaded.calendar, loaded.org, `file:${path.basename(file)}`);
    } catch (e) {
      if (e instanceof DondocError) throw new DondocError(e.code, `${file}: dòng ${r.row}: ${e.message}`, e.problems, { cause: e });
      throw e;
    }
  });
}

/** The templates in force: the shipped ones, overridden by the config's mail.templates directory. */
export function templatesFor(loaded: LoadedConfig): Templates {
  const dir = loaded.config.mail.templates;
  const templates = loadTemplates(dir === undefined ? undefined : path.resolve(path.dirname(loaded.file), dir));
  const missing = new Set<string>();
  for (const k of Object.values(loaded.config.policy.kinds)) {
    for (const s of [...k.reminders, ...k.coordinators, ...k.escalations]) if (!templates.names.includes(s.template)) missing.add(s.template);
  }
  if (!templates.names.includes(loaded.config.policy.digest.template)) missing.add(loaded.config.policy.digest.template);
  if (missing.size > 0) {
    throw new DondocError('CONFIG_INVALID', `policy names template${missing.size > 1 ? 's' : ''} ${[...missing].join(', ')} not found in ${templates.dirs.join(' or ')}`);
  }
  return templates;
}

/** An instant from --at: ISO date-time (no offset → the configured zone) or a date (its 00:00). */
export function instantArg(name: string, value: string, zone: string): number {
  const t = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value.trim()) ? parseInstant(value.replace(' ', 'T'), zone) : null;
  if (t === null) throw usageError(`${name}: expected a date-time like 2026-02-06T07:30:00+07:00 (or a date YYYY-MM-DD), got "${value}"`);
  return t;
}

const person = (r: Recipient) => ({ role: r.role, title: r.title, email: r.email });

export function notificationJson(n: Notification, subject: string | undefined, loaded: LoadedConfig): Record<string, unknown> {
  const z = loaded.calendar.zone;
  return {
    id: n.id,
    at: z.formatInstant(n.at),
    scheduled_at: z.formatInstant(n.scheduledAt),
    state: n.state,
    ...(n.reason ? { reason: n.reason } : {}),
    kind: n.kind,
    level: n.level,
    step: n.step,
    ...(n.kind === 'digest'
      ? { day: formatIsoDay(n.day) }
      : {
          task: n.taskId,
          occurrence: n.occurrence,
          body: n.body,
          deadline: formatDeadline(n.deadline),
          effective_deadline: formatIsoDay(n.effectiveDay),
          days_left: n.daysLeft,
        }),
    to: n.to.map(person),
    cc: n.cc.map(person),
    template: n.template,
    ...(subject !== undefined ? { subject } : {}),
    ...(n.warnings ? { warnings: n.warnings } : {}),
  };
}

export interface PreviewSource {
  tasks: Task[];
  history(taskId: string): PlanHistory | undefined;
}

/** A stored task for preview, with the delivery log as its history: what was sent (or failed and reported) shows as done. */
async function fromStore(ctx: CliContext, loaded: LoadedConfig, id: string): Promise<PreviewSource> {
  const { openTaskStore } = await import('../store/open.js');
  const opened = await openTaskStore({ env: ctx.env, calendar: loaded.calendar, now: ctx.now, role: 'cli' });
  try {
    const task = await opened.store.get(id);
    if (!task) throw new DondocError('TASK_NOT_FOUND', `không có nhiệm vụ mã ${id} (xem danh sách: dondoc task list)`);
    const { makeDeliveryLog } = await import('../store/delivery-log.js');
    const handled = await makeDeliveryLog(opened.redis, opened.env.keyPrefix).handledIds(id);
    return { tasks: [task], history: () => handled };
  } finally {
    await opened.close();
  }
}

/** The deadline in force of a one-off task (after extensions). */
const deadlineOf = (task: Task): Deadline | undefined => (task.recurrence ? undefined : occurrencesOf(task, task.assignedOn, task.assignedOn)[0]?.deadline);

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const who = (rs: readonly Recipient[]): string => rs.map((r) => r.email).join(', ') || '-';

export function registerPreviewCommand(program: Command, ctx: CliContext): void {
  program
    .command('preview')
    .description('The planned reminders and escalations of a task (from the store) or of every task in a file')
    .argument('[task-id]', 'a stored task (needs Redis)')
    .option('--tasks <file>', 'a task file (.xlsx, .csv, .json, .yaml); Redis is not used')
    .option('--at <instant>', 'plan as of this instant (default: now), e.g. 2026-02-06T07:30:00+07:00')
    .option('--json', 'print JSON')
    .option('--config <file>', 'config file')
    .action(async (taskId: string | undefined, opts: { tasks?: string; at?: string; json?: boolean; config?: string }) => {
      if ((taskId === undefined) === (opts.tasks === undefined)) throw usageError('preview: cho mã nhiệm vụ (TASK_ID) hoặc --tasks FILE, không cả hai');
      const loaded = ctx.config(opts.config);
      const zone = loaded.calendar.zone;
      const now = opts.at === undefined ? ctx.now() : instantArg('--at', opts.at, zone.name);
      const templates = templatesFor(loaded);
      let source: PreviewSource;
      if (opts.tasks !== undefined) {
        // A file has no delivery log: what a dondoc running since the assignment would have
        // sent by --at is replayed, so the timeline shows it as done.
        const replays = await readReplays(opts.tasks, loaded);
        const histories = new Map<string, Set<string>>();
        for (const r of replays) {
          const t = r.at(now);
          const first = Math.min(t.assignedOn, t.receivedAt === undefined ? t.assignedOn : zone.dayOf(t.receivedAt));
          const sent = new Set<string>();
          replayNotifications(r, loaded.config.policy, loaded.calendar, loaded.org, zone.startOfDay(first), now, sent);
          histories.set(r.id, sent);
        }
        source = { tasks: replays.map((r) => r.at(now)), history: (id) => histories.get(id) };
      } else {
        source = await fromStore(ctx, loaded, taskId!);
      }
      const out = source.tasks.map((task) => {
        const plan = planNotifications(task, source.history(task.id), loaded.config.policy, loaded.calendar, loaded.org, now);
        const subjects = plan.map((n) => renderNotification(templates, n, { org: loaded.org, calendar: loaded.calendar, task, senderName: loaded.config.mail.from.name }).subject);
        return { task, plan, subjects };
      });
      for (const w of new Set(out.flatMap((o) => o.plan.flatMap((n) => n.warnings ?? [])))) ctx.stderr.write(`lưu ý: ${w}\n`);
      const forecast = () => forecastMails(source.tasks, (id) => source.history(id) as ReadonlySet<string> | undefined, loaded, now, out.flatMap((o) => o.plan));

      if (opts.json) {
        const json = {
          at: zone.formatInstant(now),
          tasks: out.map(({ task, plan, subjects }) => {
            const status = taskStatus(task, loaded.calendar, now, loaded.config.policy.dueSoon);
            return {
              id: task.id,
              title: task.title,
              kind: task.kind,
              lead: task.lead,
              assigned_on: formatIsoDay(task.assignedOn),
              deadline: task.deadline ? formatDeadline(task.deadline) : null,
              ...(deadlineOf(task) && deadlineOf(task) !== task.deadline ? { deadline_in_force: formatDeadline(deadlineOf(task)!) } : {}),
              ...(status.effectiveDay !== undefined ? { effective_deadline: formatIsoDay(status.effectiveDay) } : {}),
              status: status.status,
              notifications: plan.map((n, i) => ({ ...notificationJson(n, subjects[i], loaded), copies: copiesJson(n, task, loaded) })),
            };
          }),
          // The mails ahead as the service bundles them: per recipient, day and kind.
          mails_ahead: forecast(),
        };
        ctx.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      // Human output in Vietnamese (DOMAIN.md); --json keeps the field names and codes.
      ctx.stdout.write(`Lịch gửi tính đến ${zone.formatInstant(now)}\n`);
      for (const { task, plan, subjects } of out) {
        const status = taskStatus(task, loaded.calendar, now, loaded.config.policy.dueSoon);
        const inForce = deadlineOf(task);
        const d = task.deadline ? formatDeadline(task.deadline) : 'không thời hạn';
        const ext = inForce && task.deadline && inForce.day !== task.deadline.day ? `, gia hạn đến ${formatDeadline(inForce)}` : '';
        const eff = status.effectiveDay !== undefined && status.effectiveDay !== inForce?.day ? ` (tính đến ${formatIsoDay(status.effectiveDay)}, Điều 148 Bộ luật Dân sự)` : '';
        ctx.stdout.write(`\n${task.id}  ${task.title}\n  chủ trì ${task.lead}, thời hạn ${d}${ext}${eff}, ${STATUS_LABELS[status.status].toLowerCase()}\n`);
        if (plan.length === 0) ctx.stdout.write('  (không có thư nào dự kiến)\n');
        plan.forEach((n, i) => {
          const level = n.kind === 'escalation' ? `cấp ${n.level}` : n.kind === 'coordinator_reminder' ? 'phối hợp' : 'nhắc';
          ctx.stdout.write(
            `  ${zone.formatInstant(n.at)}  ${pad(PLAN_STATE_VI[n.state] ?? n.state, 10)}  ${pad(level, 8)}  gửi: ${who(n.to)}  đồng gửi: ${who(n.cc)}\n      ${subjects[i]}${n.reason ? `  [${reasonText(n.reason)}]` : ''}\n`,
          );
          if (n.state === 'planned' || n.state === 'due') {
            const copies = copiesJson(n, task, loaded);
            ctx.stdout.write(`      ${copies.length} bản, mỗi người một thư: ${copies.map((c) => `${c.email}${c.links.length ? ` [liên kết: ${c.links.join(', ')}]` : ''}`).join('; ')}\n`);
          }
        });
      }
      ctx.stdout.write(forecastText(forecast()));
    });
}
