// The Provincial Office's daily digest (7176 §4: the Office follows up and urges all bodies):
// on each working day at the digest time, the overdue and due-soon tasks grouped by the body
// that leads them. Nothing is planned when there is nothing to say.
import type { Calendar } from './calendar.js';
import type { Day } from './day.js';
import { formatVnDay } from './day.js';
import { type DigestGroup, type DigestItem, type DigestNotification, digestId } from './notification.js';
import { currentBody, type OrgDirectory } from './org.js';
import type { PlanHistory } from './planner.js';
import { planOccurrences } from './planner.js';
import type { Policy } from './policy.js';
import { resolveRecipients } from './recipients.js';
import { occurrenceStatus } from './status.js';
import type { Task } from './task.js';

const collator = new Intl.Collator('vi');

/** The digest of `day`, or null on a day off, when disabled, or when no task is overdue or due soon. */
export function planDigest(
  tasks: Iterable<Task>,
  policy: Policy,
  calendar: Calendar,
  org: OrgDirectory,
  day: Day,
  history?: PlanHistory,
): DigestNotification | null {
  if (!policy.digest.enabled || !calendar.isWorkingDay(day)) return null;
  const zone = calendar.zone;
  const scheduledAt = calendar.nextOfficeInstant(zone.instantAt(day, policy.digest.minute));
  const groups = new Map<string, DigestGroup>();
  let overdue = 0;
  let dueSoon = 0;
  for (const task of tasks) {
    const kp = policy.kinds[task.kind];
    // Recurring duties: the occurrences around today (a year back for ones still open).
    const occs = planOccurrences(task, kp, calendar, Math.max(calendar.firstDay, day - 400), Math.min(calendar.lastDay, day + 60));
    for (const occ of occs) {
      const s = occurrenceStatus(task, occ, calendar, scheduledAt, policy.dueSoon);
      if (s.status !== 'overdue' && s.status !== 'due_soon') continue;
      const lead = currentBody(org, task.lead, day);
      const code = lead?.code ?? task.lead;
      let g = groups.get(code);
      if (!g) groups.set(code, (g = { body: code, name: lead?.name ?? task.lead, items: [] }));
      const item: DigestItem = {
        taskId: task.id,
        occurrence: occ.key,
        title: task.title,
        source: task.source,
        lead: code,
        deadline: occ.deadline,
        effectiveDay: s.effectiveDay!,
        daysLeft: s.daysLeft!,
        status: s.status,
      };
      g.items.push(item);
      if (s.status === 'overdue') overdue++;
      else dueSoon++;
    }
  }
  if (groups.size === 0) return null;
  const sorted = [...groups.values()].sort((a, b) => collator.compare(a.name, b.name));
  for (const g of sorted) g.items.sort((a, b) => a.daysLeft - b.daysLeft || (a.taskId < b.taskId ? -1 : 1));
  const id = digestId(day);
  const r = resolveRecipients(policy.digest.to, policy.digest.cc, { org, task: { id, lead: org.roles.provincialOffice }, day });
  const goLiveAt = policy.goLive === undefined ? -Infinity : zone.startOfDay(policy.goLive);
  const n: DigestNotification = {
    id,
    kind: 'digest',
    level: 0,
    step: 'digest',
    scheduledAt,
    at: scheduledAt,
    to: r.to,
    cc: r.cc,
    template: policy.digest.template,
    state: history?.has(id) ? 'done' : scheduledAt < goLiveAt ? 'backfilled' : 'planned',
    day,
    groups: sorted,
    counts: { overdue, dueSoon },
  };
  if (n.state === 'backfilled') n.reason = `before the go-live date ${formatVnDay(policy.goLive!)}`;
  if (r.warnings.length > 0) n.warnings = r.warnings;
  return n;
}
