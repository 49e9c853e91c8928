// Vietnamese words and colours of the office page: status badges in the colours trackers use
// (sắp đến hạn orange, quá hạn red; DOMAIN.md "Task status"), history events, notification
// kinds and states, and the few date formats (dd/mm/yyyy, as in letters).
import { type Day, formatVnDay } from '../../core/day.js';
import type { NotificationState } from '../../core/notification.js';
import type { OrgDirectory } from '../../core/org.js';
import { STATUS_LABELS, type TaskStatus } from '../../core/status.js';
import { type Deadline, type Task, ONCE, deadlineInForce } from '../../core/task.js';
import type { Zone } from '../../core/zone.js';

export { STATUS_LABELS };

/** CSS class of each status: the colour of its badge, row and chart bar (assets.ts). */
export const STATUS_CLASS: Record<TaskStatus, string> = {
  overdue: 'st-overdue',
  due_soon: 'st-due-soon',
  within_deadline: 'st-within',
  no_deadline: 'st-none',
  on_time: 'st-on-time',
  late: 'st-late',
  cancelled: 'st-cancelled',
};

/** Order on the page: what needs urging first. */
export const STATUS_ORDER: readonly TaskStatus[] = ['overdue', 'due_soon', 'within_deadline', 'no_deadline', 'late', 'on_time', 'cancelled'];

const pad = (n: number): string => String(n).padStart(2, '0');

/** "dd/mm/yyyy HH:MM" in the configured zone. */
export function vnInstant(zone: Zone, t: number): string {
  const m = Math.floor(zone.minuteOfDay(t));
  return `${formatVnDay(zone.dayOf(t))} ${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

export function vnDeadline(d: Deadline): string {
  return d.minute === undefined ? formatVnDay(d.day) : `${pad(Math.floor(d.minute / 60))}:${pad(d.minute % 60)} ${formatVnDay(d.day)}`;
}

export const vnDay = (d: Day): string => formatVnDay(d);

/** The deadline in force of a one-off task (after extensions). */
export const deadlineNow = (task: Task): Deadline | undefined => (task.deadline ? deadlineInForce(task, ONCE, task.deadline) : undefined);

/** "còn 2 ngày làm việc" / "quá hạn 5 ngày làm việc" / "đến hạn hôm nay". */
export function daysLeftText(daysLeft: number | undefined): string | undefined {
  if (daysLeft === undefined) return undefined;
  if (daysLeft < 0) return `quá hạn ${-daysLeft} ngày làm việc`;
  if (daysLeft === 0) return 'đến hạn hôm nay';
  return `còn ${daysLeft} ngày làm việc`;
}

export const bodyName = (org: OrgDirectory, code: string): string => org.bodies.get(code)?.name ?? code;

/** The leader in charge: the task's own, else the lead body's (the directory's default). */
export const leaderOf = (task: Task, org: OrgDirectory): string | undefined => task.leader ?? org.bodies.get(task.lead)?.leader;

export function leaderName(org: OrgDirectory, code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  const l = org.leaders.get(code);
  if (!l) return code;
  // Several vice-chairmen share one title: the code tells them apart when no name is given.
  return l.name ? `${l.title} ${l.name}` : `${l.title} (${l.code})`;
}

/** Who did it, from a history event's `by`: "import:FILE", "api:NAME", "cli:USER", "link:ROLE"… */
export function actorText(by: string | undefined): string | undefined {
  if (!by) return undefined;
  const i = by.indexOf(':');
  const [kind, who] = i < 0 ? [by, ''] : [by.slice(0, i), by.slice(i + 1)];
  switch (kind) {
    case 'import':
      return `nhập từ tệp ${who}`;
    case 'api':
      return `qua API (${who})`;
    case 'cli':
      return `dòng lệnh (${who})`;
    case 'link':
      return `qua liên kết trong thư (${who})`;
    default:
      return by;
  }
}

/** History events: the stored ones (src/core/task.ts) and those the reply links add. */
export const EVENT_LABELS: Record<string, string> = {
  created: 'Đưa vào theo dõi',
  updated: 'Cập nhật nội dung giao việc',
  completed: 'Hoàn thành',
  extended: 'Gia hạn',
  cancelled: 'Hủy/thu hồi',
  reopened: 'Mở lại',
  transferred: 'Chuyển đơn vị chủ trì',
  completion_reported: 'Báo cáo hoàn thành',
  completion_confirmed: 'Văn phòng UBND tỉnh xác nhận hoàn thành',
  completion_rejected: 'Văn phòng UBND tỉnh không xác nhận hoàn thành',
  extension_requested: 'Đề nghị gia hạn / báo cáo khó khăn',
  extension_approved: 'Đồng ý gia hạn',
  extension_rejected: 'Không đồng ý gia hạn',
  noncooperation_reported: 'Báo cáo đơn vị phối hợp chưa phối hợp',
  reply_refused: 'Thao tác bị từ chối (không đúng thẩm quyền)',
};

/** Events that are replies from the heads or leaders (the signed links), not office records. */
export const isReplyEvent = (type: string): boolean => /_(reported|requested|approved|rejected|confirmed)$/.test(type);

/** Task fields as named in an `updated` event. */
export const FIELD_LABELS: Record<string, string> = {
  title: 'trích yếu',
  content: 'nội dung',
  source: 'văn bản giao',
  lead: 'đơn vị chủ trì',
  coordinators: 'đơn vị phối hợp',
  leader: 'lãnh đạo phụ trách',
  assignedOn: 'ngày giao',
  receivedAt: 'ngày nhận hồ sơ',
  deadline: 'thời hạn',
  recurrence: 'định kỳ',
  kind: 'loại',
};

export function kindLabel(kind: string, level: number): string {
  switch (kind) {
    case 'reminder':
      return 'Thư nhắc việc';
    case 'coordinator_reminder':
      return 'Thư nhắc đơn vị phối hợp';
    case 'escalation':
      return `Thư báo cáo quá hạn cấp ${level}`;
    case 'digest':
      return 'Thư tổng hợp hằng ngày';
    default:
      return `Thư ${kind}`;
  }
}

export const PLAN_STATE_LABELS: Record<NotificationState, string> = {
  planned: 'dự kiến gửi',
  due: 'đến lượt gửi',
  done: 'đã xử lý',
  superseded: 'không gửi',
  backfilled: 'không gửi',
  cancelled: 'không gửi',
};

/** The planner's reasons (English, for logs) in the page's words. */
export function planReasonText(state: NotificationState, reason: string | undefined): string | undefined {
  if (state === 'backfilled') return 'đến hạn trước ngày bắt đầu áp dụng dondoc';
  if (state === 'cancelled') return reason?.startsWith('cancelled') ? 'nhiệm vụ đã hủy/thu hồi' : 'nhiệm vụ đã hoàn thành';
  if (state !== 'superseded') return undefined;
  if (reason?.startsWith('deadline extended')) return 'thời hạn đã được gia hạn';
  if (reason?.startsWith('the deadline passed')) return 'đã quá hạn trước khi kịp gửi, chuyển sang báo cáo quá hạn';
  return 'đã đến bước sau của cùng chuỗi nhắc việc';
}
