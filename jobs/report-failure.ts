// Tells the admin (delivery.admin_email) about a mail that failed for good ("never retried
// forever, never dropped silently"): one report per failed mail, listing every item it carried
// (a bundle's), or the one copy. The report is itself a mail — id failure-<mail id>, its own
// record under _admin — so it goes out once however often it is enqueued, by whichever of the
// mail's items asked first. A report that cannot be sent is recorded failed and stays on the
// failed list with an error in the log; nobody reports on the reports.
import type { Job } from 'bullmq';
import type { LoadedConfig } from '../src/config/load.js';
import { type OutgoingMessage, messageIdFor } from '../src/mail/message.js';
import { type DeliveryRecord, splitMember } from '../src/store/delivery-log.js';
import { deliverMail, settleJob } from '../src/queue/deliver.js';
import type { JobContext } from '../src/queue/job-context.js';
import { ADMIN_LOG, DIGEST_LOG, failureReportId } from '../src/queue/names.js';
import { parsePayload, reportPayload } from '../src/queue/payloads.js';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const KIND_VN: Record<string, string> = {
  reminder: 'Nhắc hạn',
  coordinator_reminder: 'Nhắc đơn vị phối hợp',
  escalation: 'Báo cáo quá hạn',
  digest: 'Tổng hợp hằng ngày',
};

/** The report about one failed mail (its items' records), in Vietnamese for the admin, with what to do next. */
export function failureReportMessage(recs: readonly DeliveryRecord[], reportId: string, admin: string, loaded: LoadedConfig): OutgoingMessage {
  const zone = loaded.calendar.zone;
  const rec = recs[0]!;
  const what = `${KIND_VN[rec.kind] ?? rec.kind}${rec.kind === 'escalation' ? ` cấp ${rec.level}` : ''}`;
  const many = recs.length > 1;
  const subject = `[dondoc] Không gửi được thư: ${rec.subject ?? rec.id}`;
  const item = (r: DeliveryRecord): string[] => [
    `Mã thông báo: ${r.id}`,
    r.taskId === DIGEST_LOG ? 'Loại: tổng hợp hằng ngày' : r.taskId.startsWith('_') ? `Sổ: ${r.taskId}` : `Nhiệm vụ: ${r.taskId}`,
    ...(r.subject && many ? [`Tiêu đề: ${r.subject}`] : []),
  ];
  const lines = [
    'Kính gửi: Quản trị hệ thống dondoc',
    '',
    'Thư dưới đây không gửi được và đã được ghi nhận là thất bại; hệ thống sẽ không tự gửi lại.',
    '',
    `Loại thư: ${what}${many ? ` (danh sách ${recs.length} mục)` : ''}`,
    ...(rec.subject ? [`Tiêu đề: ${rec.subject}`] : []),
    `Gửi đến: ${rec.to.join(', ') || '(không có địa chỉ)'}${rec.title ? ` (${rec.title})` : ''}`,
    `Thời điểm dự kiến: ${zone.formatInstant(rec.plannedAt)}`,
    `Số lần thử: ${rec.attempts}`,
    `Lỗi: ${rec.error ?? '(không rõ)'}`,
    '',
    ...(many ? [`Các mục trong thư (${recs.length}):`, ...recs.flatMap((r, i) => [`${i + 1}.`, ...item(r).map((l) => `   ${l}`)]), ''] : [...item(rec), '']),
    `Sau khi khắc phục nguyên nhân, gửi lại bằng lệnh: dondoc delivery retry ${many ? '--all-failed' : rec.id}`,
    '',
    '--',
    `Thư gửi tự động bởi ${loaded.config.mail.from.name}. Mã thông báo: ${reportId}.`,
  ];
  const text = `${lines.join('\n')}\n`;
  return {
    messageId: messageIdFor(reportId, loaded.config.mail.messageIdDomain),
    from: loaded.config.mail.from,
    to: [{ name: 'Quản trị hệ thống dondoc', address: admin }],
    cc: [],
    subject,
    text,
    html: `<!doctype html><html><body><pre style="font-family: sans-serif; white-space: pre-wrap">${escapeHtml(text)}</pre></body></html>`,
    headers: { 'X-Dondoc-Notification': reportId, 'X-Dondoc-Kind': 'failure-report', 'X-Dondoc-Items': reportId, ...(rec.taskId.startsWith('_') ? {} : { 'X-Dondoc-Task': rec.taskId }) },
  };
}

export function makeReportFailure(ctx: JobContext) {
  return async (job: Job, token?: string): Promise<string> => {
    const data = parsePayload(reportPayload, job, ctx.logger);
    const log = ctx.logger.child({ jobId: job.id, taskId: data.taskId, kind: 'failure_report' });
    const rec = await ctx.log.get(data.taskId, data.id);
    if (!rec || rec.state !== 'failed') {
      log.info({ state: rec?.state }, 'nothing to report any more (retried meanwhile?)');
      return 'nothing';
    }
    if (rec.reportedAt !== undefined) return 'done';
    const loaded = ctx.config();
    const admin = loaded.config.delivery.admin_email;
    if (!admin) {
      log.error({ notification: rec.id }, 'delivery failed and delivery.admin_email is not set: it stays on the failed list');
      return 'no admin';
    }
    // Every item of the mail that failed: the report is about the mail, once.
    const refs = rec.mailItems ?? [`${rec.taskId}|${rec.id}`];
    const recs = (await Promise.all(refs.map((m) => splitMember(m)).map(({ taskId, id }) => ctx.log.get(taskId, id)))).filter(
      (r): r is DeliveryRecord => r?.state === 'failed' && (r.mail ?? r.id) === (rec.mail ?? rec.id),
    );
    if (recs.length === 0) recs.push(rec);
    const id = failureReportId(rec.mail ?? rec.id, rec.retries ?? 0);
    const o = await deliverMail(ctx, {
      mailId: id,
      items: [{ id, taskId: ADMIN_LOG, kind: 'failure_report', level: 0, to: [admin], cc: [], plannedAt: rec.updatedAt, reportOf: `${rec.taskId}|${rec.id}` }],
      build: () => failureReportMessage(recs, id, admin, loaded),
      job,
      token,
      log,
    });
    // A report that itself failed (an earlier run) leaves the failure unreported: listed, logged.
    if (o.sent.length > 0 || o.done.some((r) => r.state === 'sent')) await Promise.all(recs.map((r) => ctx.log.markReported(r.taskId, r.id, ctx.now())));
    return settleJob(job, token, ctx.now(), o);
  };
}
