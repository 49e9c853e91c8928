// Tells the admin (delivery.admin_email) about a delivery that failed for good, or that some
// recipients refused (issue 5: "never retried forever, never dropped silently"). The report is
// itself a notification — id failure-<id>, its own record under _admin — so it goes out once
// however often it is enqueued. A report that cannot be sent is recorded failed and stays on
// the failed list with an error in the log; nobody reports on the reports.
import type { Job } from 'bullmq';
import type { LoadedConfig } from '../src/config/load.js';
import { type OutgoingMessage, messageIdFor } from '../src/mail/message.js';
import type { DeliveryRecord } from '../src/store/delivery-log.js';
import { deliver } from '../src/queue/deliver.js';
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

/** The report about one record, in Vietnamese for the admin, with what to do next. */
export function failureReportMessage(rec: DeliveryRecord, reportId: string, admin: string, loaded: LoadedConfig): OutgoingMessage {
  const zone = loaded.calendar.zone;
  const partial = rec.state === 'sent';
  const what = `${KIND_VN[rec.kind] ?? rec.kind}${rec.kind === 'escalation' ? ` cấp ${rec.level}` : ''}`;
  const subject = partial
    ? `[dondoc] Một số người nhận từ chối thư: ${rec.subject ?? rec.id}`
    : `[dondoc] Không gửi được thư: ${rec.subject ?? rec.id}`;
  const lines = [
    'Kính gửi: Quản trị hệ thống dondoc',
    '',
    partial
      ? 'Thư dưới đây đã được gửi, nhưng máy chủ thư từ chối một số người nhận. Những người này chưa nhận được thư.'
      : 'Thư dưới đây không gửi được và đã được ghi nhận là thất bại; hệ thống sẽ không tự gửi lại.',
    '',
    `Mã thông báo: ${rec.id}`,
    rec.taskId === DIGEST_LOG ? 'Loại: tổng hợp hằng ngày' : `Nhiệm vụ: ${rec.taskId}`,
    `Loại thư: ${what}`,
    ...(rec.subject ? [`Tiêu đề: ${rec.subject}`] : []),
    `Gửi đến: ${rec.to.join(', ') || '(không có địa chỉ)'}`,
    ...(rec.cc.length ? [`Đồng gửi: ${rec.cc.join(', ')}`] : []),
    `Thời điểm dự kiến: ${zone.formatInstant(rec.plannedAt)}`,
    `Số lần thử: ${rec.attempts}`,
    `Lỗi: ${rec.error ?? '(không rõ)'}`,
    '',
    partial
      ? 'Hãy kiểm tra địa chỉ của những người nhận bị từ chối trong danh bạ cơ quan (org directory).'
      : `Sau khi khắc phục nguyên nhân, gửi lại bằng lệnh: dondoc delivery retry ${rec.id}`,
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
    headers: { 'X-Dondoc-Notification': reportId, 'X-Dondoc-Kind': 'failure-report', ...(rec.taskId.startsWith('_') ? {} : { 'X-Dondoc-Task': rec.taskId }) },
  };
}

export function makeReportFailure(ctx: JobContext) {
  return async (job: Job, token?: string): Promise<string> => {
    const data = parsePayload(reportPayload, job, ctx.logger);
    const log = ctx.logger.child({ jobId: job.id, taskId: data.taskId, kind: 'failure_report' });
    const rec = await ctx.log.get(data.taskId, data.id);
    if (!rec || !(rec.state === 'failed' || (rec.state === 'sent' && rec.error))) {
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
    const id = failureReportId(rec.id, rec.retries ?? 0);
    const r = await deliver(ctx, {
      base: { id, taskId: ADMIN_LOG, kind: 'failure_report', level: 0, to: [admin], cc: [], plannedAt: rec.updatedAt, reportOf: `${rec.taskId}|${rec.id}` },
      build: () => failureReportMessage(rec, id, admin, loaded),
      job,
      token,
      log,
    });
    // A report that itself failed (an earlier run) leaves the failure unreported: listed, logged.
    if (r.record.state === 'sent') await ctx.log.markReported(rec.taskId, rec.id, ctx.now());
    return r.outcome;
  };
}
