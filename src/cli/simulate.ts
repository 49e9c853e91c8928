// `dondoc simulate --tasks FILE --from DATE --to DATE [--out DIR] [--json]`: the whole policy
// over virtual time, as a dondoc started at the beginning of FROM would have run it — the same
// copies and bundles as the service (src/core/delivery-run.ts): one mail per person, kind and
// send window, each written as an .eml with --out. Status events in the file take effect at
// their own instants; steps that fell due before FROM are caught up at its first office hour,
// like a fresh start. Prints notifications per level, body and day, and mails per recipient
// (the most of one kind in a day: 1 while bundling is on). Admins run it to see what a config
// change would do before making it. Never touches Redis.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { type Day, formatIsoDay } from '../core/day.js';
import { copiesOf } from '../core/copies.js';
import { runDelivery } from '../core/delivery-run.js';
import { planDigest } from '../core/digest.js';
import type { Notification, Recipient } from '../core/notification.js';
import type { Replay } from '../core/replay.js';
import { usageError } from '../errors.js';
import { buildEml, copyMessage } from '../mail/eml.js';
import { messageIdFor } from '../mail/message.js';
import { type Templates, renderNotification } from '../mail/render.js';
import { renderTaskMail, taskMailMessage, viewContextOf } from '../mail/task-mail.js';
import { dayArg } from './args.js';
import type { CliContext } from './context.js';
import { notificationJson, readReplays, templatesFor } from './preview.js';
import { simulateLatenessNotices } from './simulate-notices.js';

/** One mail the service would send: to one person, carrying one or more notifications. */
export interface SimulatedMail {
  id: string;
  at: number;
  recipient: Recipient;
  column: Column;
  /** The notifications it carries (a list: several). */
  notifications: Notification[];
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

/** Runs the policy from the start of `from` to the end of `to`, as the service would: every mail sent, in order. */
export async function simulate(replays: readonly Replay[], loaded: LoadedConfig, templates: Templates, opts: SimulationOptions): Promise<SimulatedMail[]> {
  const { calendar, org } = loaded;
  const { policy } = loaded.config;
  const zone = calendar.zone;
  const start = zone.startOfDay(opts.from);
  const end = zone.startOfDay(opts.to + 1);
  const identity = { from: loaded.config.mail.from, messageIdDomain: loaded.config.mail.messageIdDomain };
  const pending: Array<Omit<SimulatedMail, 'subject' | 'file'> & { message: () => ReturnType<typeof copyMessage> }> = [];

  for (const m of runDelivery(replays, policy, calendar, org, { from: start, until: end, gatherMs: loaded.config.delivery.bundle_gather })) {
    const items = m.items.map((i) => ({ n: i.n, task: i.task, copyId: i.copy.id }));
    pending.push({
      id: m.id,
      at: m.at,
      recipient: m.recipient,
      column: columnOf(m.items[0]!.n),
      notifications: m.items.map((i) => i.n),
      message: () => taskMailMessage(renderTaskMail(templates, loaded, m.id, m.recipient, items), identity, messageIdFor(m.id, identity.messageIdDomain), m.id, m.recipient, items),
    });
  }
  // The digests read every task; each recipient gets its own copy.
  if (policy.digest.enabled) {
    for (let day = opts.from; day <= opts.to; day++) {
      if (!calendar.isWorkingDay(day)) continue;
      const at = calendar.nextOfficeInstant(zone.instantAt(day, policy.digest.minute));
      const d = planDigest(replays.map((r) => r.at(at)), policy, calendar, org, day);
      if (!d || d.state !== 'planned' || d.at >= end) continue;
      const rendered = renderNotification(templates, d, viewContextOf(loaded));
      for (const c of copiesOf(d)) {
        pending.push({
          id: c.id,
          at: d.at,
          recipient: c.recipient,
          column: 'digest',
          notifications: [d],
          message: () => copyMessage({ messageId: messageIdFor(c.id, identity.messageIdDomain), recipient: c.recipient, rendered, identity, notification: d.id, kind: 'digest', items: [c.id] }),
        });
      }
    }
  }
  pending.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));

  if (opts.out) fs.mkdirSync(opts.out, { recursive: true });
  const mails: SimulatedMail[] = [];
  for (const { message, ...m } of pending) {
    const msg = message();
    const mail: SimulatedMail = { ...m, subject: msg.subject };
    if (opts.out) {
      const stamp = zone.formatInstant(m.at).slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
      mail.file = path.join(opts.out, `${stamp}_${m.id}.eml`);
      fs.writeFileSync(mail.file, await buildEml(msg, new Date(m.at)));
    }
    mails.push(mail);
  }
  return mails;
}

interface RecipientRow {
  email: string;
  title: string;
  mails: number;
  items: number;
  /** Days with at least one mail. */
  days: number;
  /** The most mails of one kind this person got in one day. */
  maxPerDayOfAKind: number;
}

interface Summary {
  /** Notifications sent (each once, however many copies and lists it went in). */
  total: number;
  mails: number;
  byLevel: Record<Column, number>;
  byDay: Array<{ date: string } & Record<Column | 'total', number>>;
  byBody: Array<{ body: string; name: string } & Record<Column | 'total', number>>;
  byRecipient: RecipientRow[];
  /** Mails per recipient per day, by kind. */
  byRecipientDay: Array<{ email: string; date: string; mails: number; items: number } & Record<Column, number>>;
}

const emptyRow = (): Record<Column | 'total', number> => ({ reminder: 0, coordinator: 0, level1: 0, level2: 0, level3: 0, digest: 0, total: 0 });
const emptyColumns = (): Record<Column, number> => ({ reminder: 0, coordinator: 0, level1: 0, level2: 0, level3: 0, digest: 0 });

/** The notifications sent, once each, with the first instant one of their copies went out. */
export function notificationsOf(mails: readonly SimulatedMail[]): Array<{ n: Notification; at: number; mails: string[] }> {
  const byId = new Map<string, { n: Notification; at: number; mails: string[] }>();
  for (const m of mails) {
    for (const n of m.notifications) {
      const e = byId.get(n.id);
      if (e) e.mails.push(m.id);
      else byId.set(n.id, { n, at: m.at, mails: [m.id] });
    }
  }
  return [...byId.values()].sort((a, b) => a.at - b.at || (a.n.id < b.n.id ? -1 : 1));
}

export function summarise(mails: readonly SimulatedMail[], loaded: LoadedConfig): Summary {
  const zone = loaded.calendar.zone;
  const byLevel = emptyRow();
  const byDay = new Map<string, Record<Column | 'total', number>>();
  const byBody = new Map<string, Record<Column | 'total', number>>();
  for (const { n } of notificationsOf(mails)) {
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
  const perDay = new Map<string, { email: string; date: string; mails: number; items: number } & Record<Column, number>>();
  const people = new Map<string, RecipientRow>();
  for (const m of mails) {
    const email = m.recipient.email.toLowerCase();
    const date = formatIsoDay(zone.dayOf(m.at));
    const k = `${email} ${date}`;
    let d = perDay.get(k);
    if (!d) perDay.set(k, (d = { email, date, mails: 0, items: 0, ...emptyColumns() }));
    d.mails++;
    d.items += m.notifications.length;
    d[m.column]++;
    let p = people.get(email);
    if (!p) people.set(email, (p = { email, title: m.recipient.title, mails: 0, items: 0, days: 0, maxPerDayOfAKind: 0 }));
    p.mails++;
    p.items += m.notifications.length;
  }
  for (const d of perDay.values()) {
    const p = people.get(d.email)!;
    p.days++;
    p.maxPerDayOfAKind = Math.max(p.maxPerDayOfAKind, ...COLUMNS.map((c) => d[c]));
  }
  const { total, ...levels } = byLevel;
  return {
    total,
    mails: mails.length,
    byLevel: levels,
    byDay: [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, row]) => ({ date, ...row })),
    byBody: [...byBody.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([body, row]) => ({ body, name: loaded.org.bodies.get(body)?.name ?? body, ...row })),
    byRecipient: [...people.values()].sort((a, b) => b.mails - a.mails || (a.email < b.email ? -1 : 1)),
    byRecipientDay: [...perDay.values()].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : a.date < b.date ? -1 : 1)),
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

function recipientTable(rows: readonly RecipientRow[]): string {
  const w = Math.max('người nhận'.length, ...rows.map((r) => r.email.length));
  const heads = ['thư', 'việc', 'ngày', 'tối đa/ngày'];
  const widths = heads.map((h) => Math.max(7, h.length));
  const head = `  ${'người nhận'.padEnd(w)}  ${heads.map((h, i) => h.padStart(widths[i]!)).join(' ')}  chức danh\n`;
  return head + rows.map((r) => `  ${r.email.padEnd(w)}  ${[r.mails, r.items, r.days, r.maxPerDayOfAKind].map((n, i) => String(n).padStart(widths[i]!)).join(' ')}  ${r.title}\n`).join('');
}

export function registerSimulateCommand(program: Command, ctx: CliContext): void {
  program
    .command('simulate')
    .description('Run the policy over virtual time on a task file; write every mail as .eml and print totals per day, level, body and recipient')
    .requiredOption('--tasks <file>', 'a task file (.xlsx, .csv, .json, .yaml), with completion/extension events')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD')
    .option('--out <dir>', 'write each mail as an .eml file into this directory')
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
      const mails = await simulate(replays, loaded, templates, { from, to, ...(opts.out ? { out: opts.out } : {}) });
      // The repeat-lateness notices (7176 §5) the accountability pass would send (simulate-notices.ts).
      const notices = await simulateLatenessNotices(replays, loaded, { from, to, ...(opts.out ? { out: opts.out } : {}) });
      for (const w of new Set([...mails.flatMap((m) => m.notifications.flatMap((n) => n.warnings ?? [])), ...notices.flatMap((n) => n.warnings)])) ctx.stderr.write(`lưu ý: ${w}\n`);
      const s = summarise(mails, loaded);
      const zone = loaded.calendar.zone;
      if (opts.json) {
        const json = {
          from: formatIsoDay(from),
          to: formatIsoDay(to),
          tasks: replays.length,
          total: s.total,
          mails: s.mails,
          by_level: s.byLevel,
          by_day: s.byDay,
          by_body: s.byBody,
          by_recipient: s.byRecipient.map((r) => ({ email: r.email, title: r.title, mails: r.mails, items: r.items, days: r.days, max_per_day_of_a_kind: r.maxPerDayOfAKind })),
          by_recipient_day: s.byRecipientDay,
          notifications: notificationsOf(mails).map(({ n, mails: ids }) => ({ ...notificationJson(n, undefined, loaded), mails: ids })),
          messages: mails.map((m) => ({
            id: m.id,
            at: zone.formatInstant(m.at),
            kind: m.column,
            to: { title: m.recipient.title, email: m.recipient.email, role: m.recipient.role },
            items: m.notifications.map((n) => n.id),
            subject: m.subject,
            ...(m.file ? { file: m.file } : {}),
          })),
          lateness_notices: notices.map((n) => ({ id: n.id, at: zone.formatInstant(n.at), body: n.body, count: n.count, step: n.step, subject: n.subject, to: n.to, cc: n.cc, ...(n.file ? { file: n.file } : {}) })),
        };
        ctx.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      const people = s.byRecipient.length;
      ctx.stdout.write(
        `Mô phỏng ${formatIsoDay(from)} – ${formatIsoDay(to)}: ${replays.length} nhiệm vụ, ${s.total} thông báo trong ${s.mails} thư gửi ${people} người${opts.out ? `, đã ghi vào ${opts.out}` : ' (dùng --out DIR để ghi thành tệp .eml)'}\n\n`,
      );
      ctx.stdout.write('Theo loại thư (thông báo):\n');
      for (const c of COLUMNS) ctx.stdout.write(`  ${HEADINGS[c].padEnd(7)} ${String(s.byLevel[c]).padStart(6)}\n`);
      ctx.stdout.write('\nTheo đơn vị (thông báo):\n');
      ctx.stdout.write(table('đơn vị', s.byBody.map((r) => ({ ...r, key: r.body }))));
      ctx.stdout.write('\nTheo ngày (thông báo):\n');
      ctx.stdout.write(table('ngày', s.byDay.map((r) => ({ ...r, key: r.date }))));
      ctx.stdout.write('\nTheo người nhận (thư; tối đa/ngày: số thư cùng loại nhiều nhất trong một ngày):\n');
      ctx.stdout.write(recipientTable(s.byRecipient));
      ctx.stdout.write(`\nThông báo chậm, muộn nhiều lần (mục 5 Công văn 7176): ${notices.length}\n`);
      for (const n of notices) ctx.stdout.write(`  ${formatIsoDay(zone.dayOf(n.at))}  ${n.body}  ${n.count} (mức ${n.step})  ${n.subject}\n`);
    });
}
