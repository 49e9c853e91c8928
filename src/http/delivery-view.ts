// The JSON shape of a delivery record at the edges (GET /api/tasks/:id `deliveries`,
// `dondoc delivery list --json`, `dondoc task show --json`): snake_case like the task view,
// instants as ISO 8601 with the configured zone's offset, absent fields left out.
import type { Zone } from '../core/zone.js';
import type { DeliveryRecord } from '../store/delivery-log.js';

export interface DeliveryJson {
  id: string;
  task_id: string;
  kind: string;
  level: number;
  step?: string;
  occurrence?: string;
  /** A copy: its notification, its recipient's role and place (to/cc), the mail it went in. */
  notification?: string;
  role?: string;
  as?: 'to' | 'cc';
  title?: string;
  mail?: string;
  /** A release: the copies it owes. */
  copies?: Array<{ email: string; title: string; role: string; as: 'to' | 'cc' }>;
  state: DeliveryRecord['state'];
  to: string[];
  cc: string[];
  subject?: string;
  planned_at: string;
  attempts: number;
  lease_until?: string;
  owner?: string;
  message_id?: string;
  sent_at?: string;
  response?: string;
  error?: string;
  reason?: string;
  updated_at: string;
  reported_at?: string;
}

export function deliveryView(r: DeliveryRecord, zone: Zone): DeliveryJson {
  const at = (t: number | undefined): string | undefined => (t === undefined ? undefined : zone.formatInstant(t));
  const out: DeliveryJson = {
    id: r.id,
    task_id: r.taskId,
    kind: r.kind,
    level: r.level,
    ...(r.step !== undefined ? { step: r.step } : {}),
    ...(r.occurrence !== undefined ? { occurrence: r.occurrence } : {}),
    ...(r.notification !== undefined ? { notification: r.notification } : {}),
    ...(r.role !== undefined ? { role: r.role } : {}),
    ...(r.as !== undefined ? { as: r.as } : {}),
    ...(r.title !== undefined ? { title: r.title } : {}),
    ...(r.mail !== undefined ? { mail: r.mail } : {}),
    ...(r.copies !== undefined ? { copies: r.copies.map((c) => ({ email: c.email, title: c.title, role: c.role, as: c.as })) } : {}),
    state: r.state,
    to: [...r.to],
    cc: [...r.cc],
    ...(r.subject !== undefined ? { subject: r.subject } : {}),
    planned_at: zone.formatInstant(r.plannedAt),
    attempts: r.attempts,
    ...(r.leaseUntil !== undefined && r.state === 'sending' ? { lease_until: at(r.leaseUntil)! } : {}),
    ...(r.owner !== undefined ? { owner: r.owner } : {}),
    ...(r.messageId !== undefined ? { message_id: r.messageId } : {}),
    ...(r.sentAt !== undefined ? { sent_at: at(r.sentAt)! } : {}),
    ...(r.response !== undefined ? { response: r.response } : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    updated_at: zone.formatInstant(r.updatedAt),
    ...(r.reportedAt !== undefined ? { reported_at: at(r.reportedAt)! } : {}),
  };
  return out;
}

/** Vietnamese labels for the human output of the CLI. */
export const DELIVERY_STATE_LABELS: Record<DeliveryRecord['state'], string> = {
  released: 'đã phát hành',
  sending: 'đang gửi',
  retrying: 'chờ gửi lại',
  sent: 'đã gửi',
  failed: 'gửi lỗi',
  skipped: 'bỏ qua',
  muted: 'tạm dừng',
};
