// No task may remind nobody. A task is "unaddressed" on a day when it is still open and its
// lead body cannot carry it that day: the code is not in the directory, or the body has ended
// with no successor in force (the district-level committees ended on 30/06/2025 and their
// territory went to several communes, so their open tasks have no single successor), or the
// body in force has no head address. Its reminders and escalations would go to no one; such a
// task is listed on the Office page and by `dondoc task list --status unaddressed`, reported
// to delivery.admin_email once and counted in /metrics. Pure: the day and the directory in.
import type { Calendar } from './calendar.js';
import { type Day, formatVnDay } from './day.js';
import { type OrgDirectory, currentBody, isBodyValidOn } from './org.js';
import { isOpenStatus, taskStatus } from './status.js';
import type { Task } from './task.js';

export const UNADDRESSED_REASONS = ['unknown_body', 'ended', 'no_address'] as const;
export type UnaddressedReason = (typeof UNADDRESSED_REASONS)[number];

export interface Unaddressed {
  taskId: string;
  /** The lead body as written on the task. */
  lead: string;
  reason: UnaddressedReason;
  /** In Vietnamese, for the Office page, the CLI and the admin's mail. */
  message: string;
  /** For `ended`: the body's last day. */
  endedOn?: Day;
}

/** Whether the open task `task` has someone to remind on `day` (else why not). */
export function unaddressedOf(task: Task, org: OrgDirectory, calendar: Calendar, now: number): Unaddressed | undefined {
  if (!isOpenStatus(taskStatus(task, calendar, now).status)) return undefined;
  const day = calendar.zone.dayOf(now);
  const named = org.bodies.get(task.lead);
  const base = { taskId: task.id, lead: task.lead };
  if (!named) {
    return { ...base, reason: 'unknown_body', message: `đơn vị chủ trì "${task.lead}" không có trong danh bạ cơ quan (org directory): không gửi được thư nhắc cho ai` };
  }
  const body = isBodyValidOn(named, day) ? named : currentBody(org, named.code, day);
  if (!body || !isBodyValidOn(body, day)) {
    const last = body ?? named;
    const ended = last.validTo !== undefined && last.validTo < day;
    const why = ended ? `đã kết thúc hoạt động từ ngày ${formatVnDay(last.validTo! + 1)}` : `chưa hoạt động (từ ngày ${last.validFrom !== undefined ? formatVnDay(last.validFrom) : '?'})`;
    return {
      ...base,
      reason: 'ended',
      message: `${last.name} (${last.code}) ${why} và không có đơn vị kế thừa: giao lại nhiệm vụ cho đơn vị đang thực hiện (dondoc task follow-successors sau khi cập nhật danh bạ, hoặc sửa đơn vị chủ trì)`,
      ...(ended ? { endedOn: last.validTo! } : {}),
    };
  }
  if (!body.head.email) {
    return { ...base, reason: 'no_address', message: `${body.name} (${body.code}) chưa có địa chỉ thư của người đứng đầu trong danh bạ (head.email)` };
  }
  return undefined;
}

/** The open tasks of a list that nobody can be reminded of on the day of `now`. */
export function unaddressedTasks(tasks: Iterable<Task>, org: OrgDirectory, calendar: Calendar, now: number): Unaddressed[] {
  const out: Unaddressed[] = [];
  for (const t of tasks) {
    const u = unaddressedOf(t, org, calendar, now);
    if (u) out.push(u);
  }
  return out.sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
}
