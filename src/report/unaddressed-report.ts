// No task may remind nobody (core/unaddressed.ts): the accountability pass finds the open tasks
// whose lead body cannot be reached today, keeps their list in Redis for /metrics (every
// process reports the same count), and tells delivery.admin_email of each once — a
// notification of its own, id unaddressed-<task>-<lead>, under _admin by the claim protocol
// (src/queue/deliver.ts), so it goes out once however many passes and workers see it. A task
// given to another body that cannot be reached either is told again (the lead is in the id).
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import type { Task } from '../core/task.js';
import { type Unaddressed, unaddressedTasks } from '../core/unaddressed.js';
import { type OutgoingMessage, messageIdFor } from '../mail/message.js';
import { deliverMail } from '../queue/deliver.js';
import type { JobContext } from '../queue/job-context.js';
import { ADMIN_LOG } from '../queue/names.js';
import type { RedisClient } from '../store/redis.js';

export interface UnaddressedPass {
  /** How many open tasks nobody can be reminded of now. */
  count: number;
  /** Reports sent by this pass, and those already handled before. */
  sent: string[];
  done: string[];
  /** Set when there is nobody to tell (no delivery.admin_email). */
  noAdmin?: true;
}

export const unaddressedKey = (prefix: string): string => `${prefix}:unaddressed`;

/** The report's id: a job id BullMQ accepts ([a-z0-9-] task ids, [A-Za-z0-9_-] codes). */
export const unaddressedReportId = (u: Pick<Unaddressed, 'taskId' | 'lead'>): string => `unaddressed-${u.taskId}-${u.lead}`;

/** What /metrics reports: the count of the latest pass (0 before the first). */
export async function readUnaddressedCount(redis: RedisClient, prefix: string): Promise<number> {
  const raw = await redis.get(unaddressedKey(prefix));
  if (raw === null) return 0;
  try {
    const ids = (JSON.parse(raw) as { ids?: unknown }).ids;
    return Array.isArray(ids) ? ids.length : 0;
  } catch {
    return 0;
  }
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The admin's mail about one task, in Vietnamese, with what to do. */
export function unaddressedReportMessage(u: Unaddressed, task: Task, id: string, admin: string, loaded: LoadedConfig, now: number): OutgoingMessage {
  const zone = loaded.calendar.zone;
  const lines = [
    'Kính gửi: Quản trị hệ thống dondoc',
    '',
    'Nhiệm vụ dưới đây đang thực hiện nhưng không ai nhận được thư nhắc, thư báo cáo quá hạn của nhiệm vụ này:',
    '',
    `Nhiệm vụ: ${task.title}`,
    `Mã nhiệm vụ: ${task.id}`,
    `Văn bản: số ${task.source.number} của ${task.source.issuer}`,
    `Đơn vị chủ trì: ${task.lead}`,
    `Lý do: ${u.message}`,
    '',
    'Cập nhật danh bạ cơ quan (đơn vị kế thừa, địa chỉ thư) rồi chạy: dondoc config reload và dondoc task follow-successors,',
    'hoặc giao lại nhiệm vụ cho đơn vị đang thực hiện. Danh sách: dondoc task list --status unaddressed, hoặc trang /office.',
    '',
    '--',
    `Thư gửi tự động bởi ${loaded.config.mail.from.name} lúc ${zone.formatInstant(now)}. Mã thông báo: ${id}.`,
  ];
  const text = `${lines.join('\n')}\n`;
  return {
    messageId: messageIdFor(id, loaded.config.mail.messageIdDomain),
    from: loaded.config.mail.from,
    to: [{ name: 'Quản trị hệ thống dondoc', address: admin }],
    cc: [],
    subject: `[dondoc] Nhiệm vụ không ai nhận được thư nhắc: ${task.title}`,
    text,
    html: `<!doctype html><html><body><pre style="font-family: sans-serif; white-space: pre-wrap">${escapeHtml(text)}</pre></body></html>`,
    headers: { 'X-Dondoc-Notification': id, 'X-Dondoc-Kind': 'unaddressed-report', 'X-Dondoc-Task': task.id },
  };
}

/** One step of the accountability pass (jobs/accountability.ts). */
export async function reportUnaddressed(
  ctx: JobContext & { redis: RedisClient },
  a: { loaded: LoadedConfig; tasks: readonly Task[]; now: number; job: Job; token: string | undefined; log: Logger },
): Promise<UnaddressedPass> {
  const { loaded, now, log } = a;
  const found = unaddressedTasks(a.tasks, loaded.org, loaded.calendar, now);
  await ctx.redis.set(unaddressedKey(ctx.store.keys.prefix), JSON.stringify({ at: now, ids: found.map((u) => u.taskId) }));
  const pass: UnaddressedPass = { count: found.length, sent: [], done: [] };
  if (!found.length) return pass;
  const admin = loaded.config.delivery.admin_email;
  if (!admin) {
    log.warn({ count: found.length, tasks: found.slice(0, 20).map((u) => u.taskId) }, 'open tasks nobody can be reminded of, and delivery.admin_email is not set: see dondoc task list --status unaddressed');
    return { ...pass, noAdmin: true };
  }
  const handled = await ctx.log.handledIds(ADMIN_LOG);
  const byId = new Map(a.tasks.map((t) => [t.id, t]));
  for (const u of found) {
    const id = unaddressedReportId(u);
    if (handled.has(id)) {
      pass.done.push(id);
      continue;
    }
    // To the admin alone: one person, one mail, no copies to fan out.
    const o = await deliverMail(ctx, {
      mailId: id,
      items: [{ id, taskId: ADMIN_LOG, kind: 'unaddressed_report', level: 0, to: [admin], cc: [], plannedAt: now, reportOf: u.taskId }],
      build: () => unaddressedReportMessage(u, byId.get(u.taskId)!, id, admin, loaded, now),
      job: a.job,
      token: a.token,
      log: log.child({ id, taskId: u.taskId }),
    });
    // A permanent failure is recorded failed (and listed) by deliverMail; the pass goes on.
    if (o.sent.length) pass.sent.push(id);
    else if (o.done.length) pass.done.push(id);
  }
  return pass;
}
