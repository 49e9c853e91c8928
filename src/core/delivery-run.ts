// What the running service would send over a stretch of virtual time, mail by mail: the same
// steps as the scheduler and the bundle jobs (docs/DELIVERY.md), without Redis or BullMQ. Time
// jumps from one instant that matters to the next — a notification's time, a task's status
// event, a bundle's send time. At each, every task due for a look is planned as it stood then
// and each copy of what fell due is put in its bundle (src/core/bundle.ts); every bundle whose
// send time has come is closed, its members judged again (still pending and due: the first
// bundle to reach a notification releases it; not due yet: placed again later; otherwise
// dropped), and what is left goes out as one mail, or several past maxItems. `simulate` and
// `preview --tasks` run it; the delivery tests use it as the oracle of what is due.
// Pure: no I/O, no clock.
import { type BundleKind, type BundlePolicy, bundleCandidates, bundleMailId, mayJoin, splitMails } from './bundle.js';
import type { Calendar } from './calendar.js';
import { type MailCopy, copiesOf } from './copies.js';
import { type Recipient, type TaskNotification, isPending } from './notification.js';
import type { OrgDirectory } from './org.js';
import { planNotifications } from './planner.js';
import type { Policy } from './policy.js';
import type { Replay } from './replay.js';
import type { Task } from './task.js';

export interface RunItem {
  n: TaskNotification;
  /** The task as it stood when the mail went out (for rendering). */
  task: Task;
  copy: MailCopy;
}

export interface RunMail {
  /** The mail's id: its only copy's, or its bundle's ("…-p2" for a second part). */
  id: string;
  bundle: string;
  kind: BundleKind;
  at: number;
  recipient: Recipient;
  items: RunItem[];
}

export interface RunOptions {
  from: number;
  /** Exclusive. */
  until: number;
  /** delivery.bundle_gather. */
  gatherMs: number;
  /** Already handled notification ids, per task (preview --tasks: what was sent before `from`). */
  handled?: Map<string, Set<string>>;
}

interface OpenBundle {
  id: string;
  kind: BundleKind;
  fireAt: number;
  closed: boolean;
  members: Array<{ replay: Replay; notificationId: string; copy: MailCopy }>;
}

const byItemOrder = (a: RunItem, b: RunItem): number =>
  a.n.daysLeft - b.n.daysLeft || b.n.level - a.n.level || (a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : a.n.id < b.n.id ? -1 : 1);

export function runDelivery(replays: readonly Replay[], policy: Policy, calendar: Calendar, org: OrgDirectory, opts: RunOptions): RunMail[] {
  const released = new Map<string, Set<string>>();
  const copiesOfReleased = new Map<string, Map<string, MailCopy>>();
  for (const r of replays) released.set(r.id, new Set(opts.handled?.get(r.id) ?? []));
  const wake = new Map<string, number>(replays.map((r) => [r.id, opts.from]));
  const bundles = new Map<string, OpenBundle>();
  const placed = new Set<string>();
  const mails: RunMail[] = [];

  const place = (replay: Replay, n: TaskNotification, copy: MailCopy, at: number, now: number): void => {
    for (const c of bundleCandidates(copy, n.kind, at, calendar, policy.bundle, opts.gatherMs)) {
      const b = bundles.get(c.id);
      if (!b) {
        bundles.set(c.id, { id: c.id, kind: n.kind, fireAt: c.fireAtIfNew, closed: false, members: [{ replay, notificationId: n.id, copy }] });
        placed.add(copy.id);
        return;
      }
      if (mayJoin(b, at, now)) {
        b.members.push({ replay, notificationId: n.id, copy });
        placed.add(copy.id);
        return;
      }
    }
  };

  const fire = (b: OpenBundle, t: number): void => {
    b.closed = true;
    const items: RunItem[] = [];
    const byTask = new Map<Replay, OpenBundle['members']>();
    for (const m of b.members) {
      placed.delete(m.copy.id);
      let g = byTask.get(m.replay);
      if (!g) byTask.set(m.replay, (g = []));
      g.push(m);
    }
    for (const [replay, ms] of byTask) {
      const task = replay.at(t);
      const mine = new Set(ms.map((m) => m.notificationId));
      const done = released.get(replay.id)!;
      const history = { has: (id: string) => done.has(id) && !mine.has(id) };
      const plan = planNotifications(task, history, policy, calendar, org, t);
      for (const m of ms) {
        const n = plan.find((x) => x.id === m.notificationId);
        if (!n || !isPending(n.state)) continue;
        if (n.at > t) {
          wake.set(replay.id, Math.min(wake.get(replay.id) ?? Infinity, n.at));
          continue;
        }
        let copies = copiesOfReleased.get(n.id);
        if (!copies) {
          copies = new Map(copiesOf(n).map((c) => [c.key, c]));
          copiesOfReleased.set(n.id, copies);
          done.add(n.id);
        }
        const copy = copies.get(m.copy.key);
        if (copy) items.push({ n, task, copy });
      }
    }
    // Nothing went out: the window is free again for a copy due later in it (src/store/bundles.ts finish).
    if (items.length === 0) return void bundles.delete(b.id);
    items.sort(byItemOrder);
    const parts = splitMails(items, policy.bundle.maxItems);
    parts.forEach((part, k) =>
      mails.push({ id: items.length === 1 ? part[0]!.copy.id : bundleMailId(b.id, k), bundle: b.id, kind: b.kind, at: t, recipient: part[0]!.copy.recipient, items: part }),
    );
  };

  let t = opts.from;
  while (t < opts.until) {
    for (const r of replays) {
      if ((wake.get(r.id) ?? Infinity) > t) continue;
      const task = r.at(t);
      const done = released.get(r.id)!;
      let next = r.nextEventAfter(t);
      for (const n of planNotifications(task, done, policy, calendar, org, t)) {
        if (!isPending(n.state)) continue;
        if (n.at > t) {
          next = Math.min(next, n.at);
          continue;
        }
        for (const c of copiesOf(n)) if (!placed.has(c.id)) place(r, n, c, n.at, t);
      }
      wake.set(r.id, next);
    }
    const due = [...bundles.values()].filter((b) => !b.closed && b.fireAt <= t).sort((a, b) => a.fireAt - b.fireAt || (a.id < b.id ? -1 : 1));
    for (const b of due) fire(b, t);
    let next = Infinity;
    for (const w of wake.values()) if (w > t && w < next) next = w;
    for (const b of bundles.values()) if (!b.closed && b.fireAt > t && b.fireAt < next) next = b.fireAt;
    // Tasks whose look is due now again (a member dropped as not due yet at this very instant) wait for the next instant.
    if (next === Infinity) break;
    t = next;
  }
  return mails;
}
