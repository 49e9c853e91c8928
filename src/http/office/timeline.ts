// A task's full timeline for the Provincial Office (7176 §4: follow up and urge): the
// assignment, every history event (office records and the heads' replies through the signed
// links), the deadline, the notifications the planner has in store, and what the delivery log
// says was sent, failed or skipped. Pure: everything comes in, entries sorted by time come out.
import type { Calendar } from '../../core/calendar.js';
import type { TaskNotification } from '../../core/notification.js';
import type { OrgDirectory } from '../../core/org.js';
import { deadlineInstant } from '../../core/status.js';
import { type Deadline, type Task, ONCE, occurrencesOf } from '../../core/task.js';
import type { DeliveryRecord } from '../../store/delivery-log.js';
import { DELIVERY_STATE_LABELS } from '../delivery-view.js';
import { reasonText } from '../../core/reason-text.js';
import {
  EVENT_LABELS,
  FIELD_LABELS,
  PLAN_STATE_LABELS,
  actorText,
  bodyName,
  isReplyEvent,
  kindLabel,
  planReasonText,
  vnDay,
  vnDeadline,
  vnInstant,
} from './labels.js';

export type EntryKind = 'assignment' | 'event' | 'reply' | 'delivery' | 'planned' | 'deadline';
/** The colour of the entry's marker (assets.ts). */
export type Tone = 'info' | 'ok' | 'warn' | 'bad' | 'muted';

export interface TimelineEntry {
  at: number;
  kind: EntryKind;
  tone: Tone;
  title: string;
  /** Detail lines, plain text (escaped when rendered). */
  lines: string[];
  /** Who did it, when known. */
  who?: string;
  /** After `now`: planned, not yet happened. */
  future: boolean;
  /** How to show the time when an instant would mislead (a date; "24:00" ending a day). */
  when?: string;
}

/** A history event read loosely: the stored types plus whatever the reply links record. */
export interface LooseEvent {
  type: string;
  at: number;
  by?: string;
  [field: string]: unknown;
}

export interface TimelineInput {
  task: Task;
  history: readonly LooseEvent[];
  /** The planner's notifications; undefined when no policy is known (nothing planned is shown). */
  plan?: readonly TaskNotification[];
  deliveries?: readonly DeliveryRecord[];
  calendar: Calendar;
  org: OrgDirectory;
  now: number;
}

const KIND_ORDER: Record<EntryKind, number> = { assignment: 0, event: 1, reply: 2, delivery: 3, planned: 4, deadline: 5 };

const isDeadline = (v: unknown): v is Deadline => typeof v === 'object' && v !== null && typeof (v as Deadline).day === 'number';

/** Field labels for the details of reply events (whatever shape the links give them). */
const DETAIL_LABELS: Record<string, string> = {
  note: 'Ghi chú',
  reason: 'Lý do',
  document: 'Văn bản',
  deadline: 'Thời hạn',
  proposedDeadline: 'Thời hạn đề nghị',
  proposed_deadline: 'Thời hạn đề nghị',
  coordinator: 'Đơn vị phối hợp',
  body: 'Đơn vị',
  completedOn: 'Ngày hoàn thành',
  completed_on: 'Ngày hoàn thành',
  completedAt: 'Hoàn thành lúc',
  reportedOn: 'Ngày báo cáo',
  role: 'Vai trò',
  late: 'Sau thời hạn',
  occurrence: 'Kỳ',
};
const SKIP_FIELDS = new Set(['type', 'at', 'by', 'revision', 'changes', 'link', 'linkId', 'nonce', 'jti']);

function detailValue(key: string, v: unknown, t: TimelineInput): string | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  if (typeof v === 'boolean') return v ? 'có' : 'không';
  if (isDeadline(v)) return vnDeadline(v);
  if (typeof v === 'number') {
    if (/At$/.test(key)) return vnInstant(t.calendar.zone, v);
    if (/(On|Day)$/.test(key)) return vnDay(v);
    return String(v);
  }
  if (typeof v === 'string') return key === 'coordinator' || key === 'body' ? bodyName(t.org, v) : v;
  if (Array.isArray(v)) return v.map((x) => detailValue(key, x, t)).filter(Boolean).join(', ');
  return undefined;
}

/** Lines for an event of a type this page has no special words for (e.g. a reply link's). */
function genericLines(e: LooseEvent, t: TimelineInput): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(e)) {
    if (SKIP_FIELDS.has(k) || (k === 'occurrence' && v === ONCE)) continue;
    const text = detailValue(k, v, t);
    if (text) out.push(`${DETAIL_LABELS[k] ?? k}: ${text}`);
  }
  return out;
}

function changeLines(changes: unknown): string[] {
  if (typeof changes !== 'object' || changes === null) return [];
  const out: string[] = [];
  for (const [k, c] of Object.entries(changes as Record<string, { from: unknown; to: unknown }>)) {
    const name = FIELD_LABELS[k] ?? k;
    if (k === 'deadline' && (isDeadline(c?.from) || isDeadline(c?.to))) {
      out.push(`Thời hạn: ${isDeadline(c.from) ? vnDeadline(c.from) : '(không)'} → ${isDeadline(c.to) ? vnDeadline(c.to) : '(không)'}`);
    } else if (k === 'lead' && typeof c?.from === 'string' && typeof c?.to === 'string') {
      out.push(`Đơn vị chủ trì: ${c.from} → ${c.to}`);
    } else out.push(`Thay đổi ${name}`);
  }
  return out;
}

function eventEntry(e: LooseEvent, t: TimelineInput): TimelineEntry {
  const zone = t.calendar.zone;
  const occ = typeof e.occurrence === 'string' && e.occurrence !== ONCE ? [`Kỳ: ${e.occurrence}`] : [];
  const s = (k: string): string | undefined => (typeof e[k] === 'string' && e[k] !== '' ? (e[k] as string) : undefined);
  let tone: Tone = 'info';
  let lines: string[];
  switch (e.type) {
    case 'created':
      lines = [];
      break;
    case 'updated':
      lines = changeLines(e.changes);
      break;
    case 'completed':
      tone = 'ok';
      lines = [
        ...occ,
        ...(typeof e.completedAt === 'number' ? [`Ngày hoàn thành: ${vnInstant(zone, e.completedAt)}`] : []),
        ...(s('note') ? [`Ghi chú: ${s('note')}`] : []),
        ...(s('document') ? [`Văn bản: ${s('document')}`] : []),
      ];
      break;
    case 'extended':
      tone = 'warn';
      lines = [
        ...occ,
        ...(isDeadline(e.deadline) ? [`Thời hạn mới: ${vnDeadline(e.deadline)}${isDeadline(e.previous) ? ` (trước đó: ${vnDeadline(e.previous)})` : ''}`] : []),
        ...(s('document') ? [`Văn bản: ${s('document')}`] : []),
        ...(s('approvedBy') ? [`Người duyệt: ${s('approvedBy')}`] : []),
      ];
      break;
    case 'cancelled':
    case 'reopened':
      tone = e.type === 'cancelled' ? 'muted' : 'warn';
      lines = [...occ, ...(s('reason') ? [`Lý do: ${s('reason')}`] : [])];
      break;
    case 'transferred':
      lines = [`Từ ${bodyName(t.org, s('from') ?? '?')} sang ${bodyName(t.org, s('to') ?? '?')}`, ...(s('reason') ? [`Lý do: ${s('reason')}`] : [])];
      break;
    default:
      tone = /rejected|noncooperation/.test(e.type) ? 'bad' : /requested/.test(e.type) ? 'warn' : /confirmed|approved|completion/.test(e.type) ? 'ok' : 'info';
      lines = genericLines(e, t);
  }
  const who = actorText(e.by);
  return {
    at: e.at,
    kind: isReplyEvent(e.type) ? 'reply' : 'event',
    tone,
    title: EVENT_LABELS[e.type] ?? e.type,
    lines,
    ...(who ? { who } : {}),
    future: e.at > t.now,
  };
}

function deliveryEntry(r: DeliveryRecord, t: TimelineInput): TimelineEntry {
  const at = r.state === 'sent' ? (r.sentAt ?? r.updatedAt) : r.state === 'skipped' || r.state === 'muted' ? r.plannedAt : r.updatedAt;
  const tone: Tone = r.state === 'sent' ? 'ok' : r.state === 'failed' ? 'bad' : r.state === 'skipped' || r.state === 'muted' ? 'muted' : 'warn';
  // One entry per copy: each person's mail has its own state (sent, failed, muted…).
  const lines = [
    ...(r.subject ? [`Tiêu đề: ${r.subject}`] : []),
    ...(r.to.length ? [`Gửi: ${r.title ? `${r.title} <${r.to.join(', ')}>` : r.to.join(', ')}${r.as === 'cc' ? ' (đồng gửi)' : ''}`] : []),
    ...(r.cc.length ? [`Đồng gửi: ${r.cc.join(', ')}`] : []),
    ...(r.mail && r.mail !== r.id ? [`Trong thư danh sách: ${r.mail}`] : []),
    ...(r.occurrence && r.occurrence !== ONCE ? [`Kỳ: ${r.occurrence}`] : []),
    ...(r.state === 'failed' && r.error ? [`Lỗi: ${r.error}`] : []),
    ...((r.state === 'skipped' || r.state === 'muted') && r.reason ? [`Lý do: ${reasonText(r.reason)}`] : []),
    ...(r.attempts > 1 ? [`Số lần thử: ${r.attempts}`] : []),
  ];
  return { at, kind: 'delivery', tone, title: `${kindLabel(r.kind, r.level)}: ${DELIVERY_STATE_LABELS[r.state]}`, lines, future: at > t.now };
}

function plannedEntry(n: TaskNotification, t: TimelineInput): TimelineEntry {
  const names = (rs: TaskNotification['to']): string => rs.map((r) => r.title).join('; ');
  const reason = planReasonText(n.state, n.reason);
  const pending = n.state === 'planned' || n.state === 'due';
  return {
    at: n.at,
    kind: 'planned',
    tone: pending ? (n.kind === 'escalation' ? 'bad' : 'info') : 'muted',
    title: `${kindLabel(n.kind, n.level)}: ${PLAN_STATE_LABELS[n.state]}`,
    lines: [
      ...(n.to.length ? [`Gửi: ${names(n.to)}`] : []),
      ...(n.cc.length ? [`Đồng gửi: ${names(n.cc)}`] : []),
      ...(n.occurrence !== ONCE ? [`Kỳ: ${n.occurrence}`] : []),
      ...(reason ? [`Lý do: ${reason}`] : []),
      ...(n.warnings ?? []).map((w) => `Lưu ý: ${w}`),
    ],
    future: n.at > t.now,
  };
}

function deadlineEntries(t: TimelineInput): TimelineEntry[] {
  const { task, calendar, now } = t;
  const today = calendar.zone.dayOf(now);
  const occs = task.recurrence
    ? occurrencesOf(task, Math.max(calendar.firstDay, task.assignedOn, today - 400), Math.min(calendar.lastDay, today + 400))
    : occurrencesOf(task, task.assignedOn, task.assignedOn);
  return occs.map((o) => {
    const at = deadlineInstant(o.deadline, calendar);
    const D = calendar.effectiveEnd(o.deadline.day);
    return {
      at,
      // A date deadline ends at 24:00 of the day (Art. 148), not at 00:00 of the next.
      when: o.deadline.minute === undefined ? `24:00 ${vnDay(D)}` : vnInstant(calendar.zone, at),
      kind: 'deadline' as const,
      tone: 'warn' as const,
      title: `Thời hạn hoàn thành${o.key !== ONCE ? ` (kỳ ${o.key})` : ''}`,
      lines: [
        `Thời hạn: ${vnDeadline(o.deadline)}${o.extended ? ` (đã gia hạn; ban đầu ${vnDeadline(o.originalDeadline)})` : ''}`,
        // Civil Code Art. 148: a period ending on a day off ends at the end of the next working day.
        ...(D !== o.deadline.day ? [`Rơi vào ngày nghỉ: hết hạn vào cuối ngày ${vnDay(D)} (Điều 148 Bộ luật Dân sự)`] : []),
      ],
      future: at > now,
    };
  });
}

export function buildTimeline(t: TimelineInput): TimelineEntry[] {
  const { task, org, calendar } = t;
  const src = task.source;
  const entries: TimelineEntry[] = [
    {
      at: calendar.zone.startOfDay(task.assignedOn),
      when: vnDay(task.assignedOn),
      kind: 'assignment',
      tone: 'info',
      title: 'Giao nhiệm vụ',
      lines: [
        `Văn bản số ${src.number} ngày ${vnDay(src.date)} của ${src.issuer}${src.item ? `, mục ${src.item}` : ''}`,
        `Đơn vị chủ trì: ${bodyName(org, task.lead)}`,
        ...(task.coordinators.length ? [`Đơn vị phối hợp: ${task.coordinators.map((c) => bodyName(org, c)).join('; ')}`] : []),
        ...(task.deadline && !task.recurrence ? [`Thời hạn giao: ${vnDeadline(task.deadline)}`] : task.deadline || task.recurrence ? [] : ['Không thời hạn']),
      ],
      future: false,
    },
    ...t.history.map((e) => eventEntry(e, t)),
    ...deadlineEntries(t),
  ];
  const logged = new Set<string>();
  for (const r of t.deliveries ?? []) {
    // A release is not a delivery: its copies are (each a line of their own).
    logged.add(r.notification ?? r.id);
    if (r.state !== 'released') entries.push(deliveryEntry(r, t));
  }
  // What was sent or skipped is told by the delivery log; the plan adds the rest.
  for (const n of t.plan ?? []) if (n.state !== 'done' && !logged.has(n.id)) entries.push(plannedEntry(n, t));
  return entries.sort((a, b) => a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}
