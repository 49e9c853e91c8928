// What a list mail's template sees (templates/*-list.*): one person's items of one kind in one
// send window (src/core/bundle.ts) — a table of task, document and item, lead body, deadline,
// working days left or overdue and level, each item with its reply links when this person's role
// has any. Each item is rendered from the same view as a single mail (mail/view.ts), so a list
// shows a task exactly as its own mail would. Pure.
import type { Recipient, TaskNotification } from '../core/notification.js';
import type { Task } from '../core/task.js';
import type { RepliesView } from './reply-links.js';
import { type MessageView, type ViewContext, notificationView } from './view.js';

export interface BundleItem {
  n: TaskNotification;
  task: Task;
  replies?: RepliesView;
}

type Sortable = { n: TaskNotification; task: Task };
const overdueFirst = (a: Sortable, b: Sortable): number =>
  a.n.daysLeft - b.n.daysLeft || b.n.level - a.n.level || (a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : a.n.id < b.n.id ? -1 : 1);

/** The items in the order a reader wants them: most overdue (or least time left) first. */
export const sortBundleItems = <T extends Sortable>(items: readonly T[]): T[] => [...items].sort(overdueFirst);

const titles = (rs: readonly Recipient[]): string[] => rs.map((r) => r.title);

export function bundleView(mailId: string, recipient: Recipient, items: readonly BundleItem[], ctx: ViewContext): MessageView {
  if (items.length === 0) throw new Error(`bundle ${mailId}: no items`);
  const sorted = sortBundleItems(items);
  const views = sorted.map((i) => notificationView(i.n, { ...ctx, task: i.task }));
  // "Đồng gửi": who else gets every item, once at the end; who else gets only some, per item.
  const others = sorted.map((i) => [...titles(i.n.to), ...titles(i.n.cc)].filter((t) => t !== recipient.title));
  const common = others[0]!.filter((t) => others.every((o) => o.includes(t)));
  const first = views[0]!;
  const kind = sorted[0]!.n.kind;
  return {
    kinhGui: recipient.title,
    to: [{ title: recipient.title, email: recipient.email }],
    sentOn: first.sentOn,
    senderName: first.senderName,
    notificationId: mailId,
    basis: first.basis,
    isEscalation: kind === 'escalation',
    isReminder: kind === 'reminder',
    isCoordinator: kind === 'coordinator_reminder',
    count: sorted.length,
    overdue: sorted.filter((i) => i.n.daysLeft < 0).length,
    informed: common.join('; '),
    hasInformed: common.length > 0,
    hasReplies: sorted.some((i) => i.replies),
    items: sorted.map((item, k) => {
      const v = views[k]! as Record<string, unknown>;
      const extra = others[k]!.filter((t) => !common.includes(t));
      // The item's own view, extended in place (a fresh object): cheaper than a spread (view.ts).
      return Object.assign(v, {
        stt: k + 1,
        level: item.n.level,
        informed: extra.join('; '),
        hasInformed: extra.length > 0,
        ...(item.replies ? { replies: item.replies } : {}),
      });
    }),
  };
}
