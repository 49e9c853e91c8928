// `dondoc simulate --tasks FILE --from DATE --to DATE [--out DIR] [--json]`: the whole policy
// over virtual time, as a dondoc started at the beginning of FROM would have run it. Time
// jumps from one instant that matters to the next (a notification's time, a status event in
// the file); at each the task is re-planned as it stood then (events take effect at their own
// instants) and what is due is "sent": recorded, and written as an .eml with --out. Steps
// that fell due before FROM are caught up at its first office hour, like a fresh start.
// Admins run it to see what a config change would do before making it. Never touches Redis.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { type Day, formatIsoDay } from '../core/day.js';
import { planDigest } from '../core/digest.js';
import type { Notification } from '../core/notification.js';
import { type Replay, replayNotifications } from '../core/replay.js';
import type { Task } from '../core/task.js';
import { usageError } from '../errors.js';
import { buildEml, outgoingMessageFor } from '../mail/eml.js';
import { type Templates, renderNotification } from '../mail/render.js';
import { dayArg } from './args.js';
import type { CliContext } from './context.js';
import { notificationJson, readReplays, templatesFor } from './preview.js';
import { simulateLatenessNotices } from './simulate-notices.js';

export interface SimulatedMessage {
  notification: Notification;
  subject: string;
  /** The .eml file written (with --out). */
  file?: string;
}

export const COLUMNS = ['reminder', 'coordinator', 'level1', 'level2', 'level3', 'digest'] as const;
export type Column = (typeof COLUMNS)[number];

export const columnOf = (n: Notification): Column =>
  n.kind === 'digest' ? 'digest' : n.kind === 'coordinator_reminder' ? 'coordinator' : n.kind === 'reminder' ? 'reminder' : (`level${Math.min(3, Math.max(1, n.level))}` as Column);

export interface SimulationOptions {
  from: Day;
  to: Day;
  out?: string;
}

/** Runs the policy from the start of `from` to the end of `to`; returns every message sent, in order. */
export async function simulate(replays: readonly Replay[], loaded: LoadedConfig, templates: Templates, opts: SimulationOptions): Promise<SimulatedMessage[]> {
  const { calendar, org } = loaded;
  const { policy, mail } = loaded.config;
  const zone = calendar.zone;
  const start = zone.startOfDay(opts.from);
  const end = zone.startOfDay(opts.to + 1);

  // Tasks do not affect each other: each is replayed on its own; the digests read them all.
  const due: Array<{ notification: Notification; task?: Task }> = replays.flatMap((r) => replayNotifications(r, policy, calendar, org, start, end));
  if (policy.digest.enabled) {
    for (let day = opts.from; day <= opts.to; day++) {
      if (!calendar.isWorkingDay(day)) continue;
      const at = calendar.nextOfficeInstant(zone.instantAt(day, policy.digest.minute));
      const d = planDigest(
        replays.map((r) => r.at(at)),
        policy,
        calendar,
        org,
        day,
      );
      if (d && d.state === 'planned' && d.at < end) due.push({ notification: d });
    }
  }
  due.sort((a, b) => a.notification.at - b.notification.at || (a.notification.id < b.notification.id ? -1 : 1));

  if (opts.out) fs.mkdirSync(opts.out, { recursive: true });
  const messages: SimulatedMessage[] = [];
  for (const { notification: n, task } of due) {
    const rendered = renderNotification(templates, n, { org, calendar, ...(task ? { task } : {}), senderName: mail.from.name });
    const m: SimulatedMessage = { notification: n, subject: rendered.subject };
    if (opts.out) {
      const eml = await buildEml(outgoingMessageFor(n, rendered, mail), new Date(n.at));
      const stamp = zone.formatInstant(n.at).slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
      m.file = path.join(opts.out, `${stamp}_${n.id}.eml`);
      fs.writeFileSync(m.file, eml);
    }
    messages.push(m);
  }
  return messages;
}

interface Summary {
  total: number;
  byLevel: Record<Column, number>;
  byDay: Array<{ date: string } & Record<Column | 'total', number>>;
  byBody: Array<{ body: string; name: string } & Record<Column | 'total', number>>;
}

const emptyRow = (): Record<Column | 'total', number> => ({ reminder: 0, coordinator: 0, level1: 0, level2: 0, level3: 0, digest: 0, total: 0 });

export function summarise(messages: readonly SimulatedMessage[], loaded: LoadedConfig): Summary {
  const zone = loaded.calendar.zone;
  const byLevel = emptyRow();
  const byDay = new Map<string, Record<Column | 'total', number>>();
  const byBody = new Map<string, Record<Column | 'total', number>>();
  for (const { notification: n } of messages) {
    const col = columnOf(n);
    const date = formatIsoDay(zone.dayOf(n.at));
    const body = n.kind === 'digest' ? loaded.org.roles.provincialOffice : n.body;
    for (const [map, key] of [
      [byDay, date],
      [byBody, body],
    ] as const) {
      let row = map.get(key);
      if (!row) map.set(key, (row = emptyRow()));
      row[col]++;
      row.total++;
    }
    byLevel[col]++;
    byLevel.total++;
  }
  const { total, ...levels } = byLevel;
  return {
    total,
    byLevel: levels,
    byDay: [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, row]) => ({ date, ...row })),
    byBody: [...byBody.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([body, row]) => ({ body, name: loaded.org.bodies.get(body)?.name ?? body, ...row })),
  };
}

// Column headings of the human output (Vietnamese; --json keeps the English keys).
const HEADINGS: Record<Column | 'total', string> = { reminder: 'nhắc', coordinator: 'ph.hợp', level1: 'cấp 1', level2: 'cấp 2', level3: 'cấp 3', digest: 'th.hợp', total: 'tổng' };

function table(first: string, rows: Array<{ key: string } & Record<Column | 'total', number>>): string {
  const cols = [...COLUMNS, 'total'] as const;
  const w = Math.max(first.length, ...rows.map((r) => r.key.length));
  const head = `  ${first.padEnd(w)}  ${cols.map((c) => HEADINGS[c].padStart(6)).join(' ')}\n`;
  return head + rows.map((r) => `  ${r.key.padEnd(w)}  ${cols.map((c) => String(r[c]).padStart(6)).join(' ')}\n`).join('');
}

export function registerSimulateCommand(program: Command, ctx: CliContext): void {
  program
    .command('simulate')
    .description('Run the policy over virtual time on a task file; write every message as .eml and print totals per day, level and body')
    .requiredOption('--tasks <file>', 'a task file (.xlsx, .csv, .json, .yaml), with completion/extension events')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD')
    .option('--out <dir>', 'write each message as an .eml file into this directory')
    .option('--json', 'print JSON')
    .option('--config <file>', 'config file')
    .action(async (opts: { tasks: string; from: string; to: string; out?: string; json?: boolean; config?: string }) => {
      const from = dayArg('--from', opts.from);
      const to = dayArg('--to', opts.to);
      if (to < from) throw usageError(`--to ${opts.to} is before --from ${opts.from}`);
      if (to - from > 3 * 366) throw usageError('simulate at most 3 years at a time');
      const loaded = ctx.config(opts.config);
      const templates = templatesFor(loaded);
      const replays = await readReplays(opts.tasks, loaded);
      const messages = await simulate(replays, loaded, templates, { from, to, ...(opts.out ? { out: opts.out } : {}) });
      // The repeat-lateness notices (7176 §5) the accountability pass would send (simulate-notices.ts).
      const notices = await simulateLatenessNotices(replays, loaded, { from, to, ...(opts.out ? { out: opts.out } : {}) });
      for (const w of new Set([...messages.flatMap((m) => m.notification.warnings ?? []), ...notices.flatMap((n) => n.warnings)])) ctx.stderr.write(`lưu ý: ${w}\n`);
      const s = summarise(messages, loaded);
      if (opts.json) {
        const json = {
          from: formatIsoDay(from),
          to: formatIsoDay(to),
          tasks: replays.length,
          total: s.total,
          by_level: s.byLevel,
          by_day: s.byDay,
          by_body: s.byBody,
          messages: messages.map((m) => ({ ...notificationJson(m.notification, m.subject, loaded), ...(m.file ? { file: m.file } : {}) })),
          lateness_notices: notices.map((n) => ({ id: n.id, at: loaded.calendar.zone.formatInstant(n.at), body: n.body, count: n.count, step: n.step, subject: n.subject, to: n.to, cc: n.cc, ...(n.file ? { file: n.file } : {}) })),
        };
        ctx.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      ctx.stdout.write(`Mô phỏng ${formatIsoDay(from)} – ${formatIsoDay(to)}: ${replays.length} nhiệm vụ, ${s.total} thư${opts.out ? `, đã ghi vào ${opts.out}` : ' (dùng --out DIR để ghi thành tệp .eml)'}\n\n`);
      ctx.stdout.write('Theo loại thư:\n');
      for (const c of COLUMNS) ctx.stdout.write(`  ${HEADINGS[c].padEnd(7)} ${String(s.byLevel[c]).padStart(6)}\n`);
      ctx.stdout.write('\nTheo đơn vị:\n');
      ctx.stdout.write(table('đơn vị', s.byBody.map((r) => ({ ...r, key: r.body }))));
      ctx.stdout.write('\nTheo ngày:\n');
      ctx.stdout.write(table('ngày', s.byDay.map((r) => ({ ...r, key: r.date }))));
      ctx.stdout.write(`\nThông báo chậm, muộn nhiều lần (mục 5 Công văn 7176): ${notices.length}\n`);
      for (const n of notices) ctx.stdout.write(`  ${formatIsoDay(loaded.calendar.zone.dayOf(n.at))}  ${n.body}  ${n.count} (mức ${n.step})  ${n.subject}\n`);
    });
}
