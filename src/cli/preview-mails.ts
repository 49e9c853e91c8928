// What `dondoc preview` says about mail, beyond the plan: each notification's copies — one per
// person, with the reply links that person's copy carries — and the mails ahead as the service
// would bundle them (src/core/delivery-run.ts): per recipient per day, how many mails of a kind
// and how many items in them. A preview of a file bundles its tasks together; a preview of one
// stored task shows that task's share of each person's lists.
import type { LoadedConfig } from '../config/load.js';
import { formatIsoDay } from '../core/day.js';
import { copiesOf } from '../core/copies.js';
import { runDelivery } from '../core/delivery-run.js';
import type { Notification, TaskNotification } from '../core/notification.js';
import type { Replay } from '../core/replay.js';
import type { Task } from '../core/task.js';
import { copyRepliesFor } from '../mail/reply-links.js';
import { MAIL_KIND_VI } from '../core/reason-text.js';

export interface CopyJson {
  id: string;
  email: string;
  title: string;
  role: string;
  as: 'to' | 'cc';
  /** The reply links this person's copy carries (none but the lead body's head's). */
  links: string[];
}

export function copiesJson(n: Notification, task: Task | undefined, loaded: LoadedConfig): CopyJson[] {
  return copiesOf(n).map((c) => ({
    id: c.id,
    email: c.recipient.email,
    title: c.recipient.title,
    role: c.recipient.role,
    as: c.as,
    links: n.kind !== 'digest' && task ? (copyRepliesFor(loaded, n as TaskNotification, task, c.recipient, c.id).replies?.links.map((l) => l.action) ?? []) : [],
  }));
}

export interface ForecastRow {
  email: string;
  title: string;
  date: string;
  kind: string;
  mails: number;
  items: number;
}

/** A task that does not change over the forecast (what the store or the file says now). */
const still = (task: Task): Replay => ({ id: task.id, eventTimes: [], at: () => task, nextEventAfter: () => Infinity });

/**
 * The mails ahead, bundled as the service would send them, from `now` to the day after the last
 * planned notification (at most 400 days): one row per recipient, day and kind.
 */
export function forecastMails(tasks: readonly Task[], history: (id: string) => ReadonlySet<string> | undefined, loaded: LoadedConfig, now: number, planned: readonly Notification[]): ForecastRow[] {
  const zone = loaded.calendar.zone;
  const last = planned.reduce((m, n) => (n.state === 'planned' || n.state === 'due' ? Math.max(m, n.at) : m), now);
  const until = Math.min(last + 2 * 86_400_000, now + 400 * 86_400_000);
  const handled = new Map(tasks.map((t) => [t.id, new Set(history(t.id) ?? [])]));
  const mails = runDelivery(tasks.map(still), loaded.config.policy, loaded.calendar, loaded.org, { from: now, until, gatherMs: loaded.config.delivery.bundle_gather, handled });
  const rows = new Map<string, ForecastRow>();
  for (const m of mails) {
    const date = formatIsoDay(zone.dayOf(m.at));
    const kind = m.kind === 'escalation' ? 'escalation' : m.kind === 'coordinator_reminder' ? 'coordinator' : 'reminder';
    const key = `${m.recipient.email}\u0000${date}\u0000${kind}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { email: m.recipient.email, title: m.recipient.title, date, kind, mails: 0, items: 0 }));
    r.mails++;
    r.items += m.items.length;
  }
  return [...rows.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.email < b.email ? -1 : a.email > b.email ? 1 : a.kind < b.kind ? -1 : 1));
}

export function forecastText(rows: readonly ForecastRow[]): string {
  if (rows.length === 0) return '\nThư sắp gửi: không có\n';
  const w = Math.max(...rows.map((r) => r.email.length));
  return (
    `\nThư sắp gửi, mỗi người một thư cho mỗi loại trong ngày (số việc trong thư):\n` +
    rows.map((r) => `  ${r.date}  ${r.email.padEnd(w)}  ${(KIND_VI[r.kind] ?? r.kind).padEnd(15)}  ${r.mails} thư, ${r.items} việc  ${r.title}\n`).join('')
  );
}

const KIND_VI: Record<string, string> = { reminder: MAIL_KIND_VI.reminder!, coordinator: MAIL_KIND_VI.coordinator_reminder!, escalation: MAIL_KIND_VI.escalation! };
