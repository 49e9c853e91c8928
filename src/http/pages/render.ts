// The reply pages' HTML (issue 6): Vietnamese, plain HTML and one small stylesheet, no script,
// readable on a phone. Every value from a task or a form is escaped (office/html.ts `html`).
import type { Calendar } from '../../core/calendar.js';
import { formatVnDay } from '../../core/day.js';
import type { OrgDirectory } from '../../core/org.js';
import { currentBody } from '../../core/org.js';
import { STATUS_LABELS, taskStatus } from '../../core/status.js';
import type { Occurrence, Task } from '../../core/task.js';
import { citeDocument, formatDeadlineVn } from '../../mail/view.js';
import { type Html, html } from '../office/html.js';

export const REPLY_CSS = `*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#111;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
main{max-width:640px;margin:0 auto;padding:12px}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:16px 18px;margin:0 0 14px}
h1{font-size:1.25rem;line-height:1.3;margin:0 0 10px}
h2{font-size:1rem;margin:0 0 6px}
.brand{color:#555;font-size:.85rem;margin:4px 0 10px}
dl{margin:0}
dt{color:#555;font-size:.85rem;margin-top:8px}
dd{margin:0;overflow-wrap:anywhere;white-space:pre-line}
label{display:block;font-weight:600;margin:14px 0 4px}
input[type=text],input[type=date],textarea{width:100%;font:inherit;padding:10px;border:1px solid #999;border-radius:6px;background:#fff}
textarea{min-height:120px;resize:vertical}
.choice{display:flex;gap:10px;align-items:flex-start;font-weight:400;margin:10px 0}
.choice input{margin-top:5px;width:20px;height:20px}
button{display:block;width:100%;margin:20px 0 4px;padding:14px;font:inherit;font-weight:600;border:0;border-radius:6px;background:#0b5cab;color:#fff;cursor:pointer}
button.danger{background:#a61b1b}
.hint{color:#555;font-size:.85rem;margin:4px 0 0}
.err{color:#a61b1b;font-weight:600;margin:4px 0 0}
.box{padding:10px 12px;border-radius:6px;border:1px solid #f0c36d;background:#fff7e6;margin:10px 0}
.box.ok{background:#e9f7ef;border-color:#7cc79a}
.box.bad{background:#fdecec;border-color:#e69a9a}
.st-overdue{color:#a61b1b;font-weight:600}
.st-due_soon{color:#b35900;font-weight:600}
footer{color:#666;font-size:.8rem;text-align:center;margin:6px 0 24px}
`;

export function page(title: string, body: Html): string {
  return html`<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${title} – dondoc</title>
<link rel="stylesheet" href="assets/reply.css">
</head>
<body>
<main>
<p class="brand">Hệ thống nhắc việc dondoc · Văn phòng UBND tỉnh</p>
${body}
<footer>Trang này không dùng mã chạy (script) và không lưu thông tin trên máy của bạn ngoài một cookie bảo vệ biểu mẫu.</footer>
</main>
</body>
</html>
`.__html;
}

/** A result or refusal: a title, a coloured box with the explanation, and the task if known. */
export function messagePage(tone: 'ok' | 'bad' | 'warn', title: string, text: string, summary?: Html): string {
  return page(title, html`<section class="card"><h1>${title}</h1><div class="box${tone === 'warn' ? '' : ` ${tone}`}">${text}</div></section>${summary ?? ''}`);
}

export interface SummaryContext {
  task: Task;
  occ: Occurrence;
  calendar: Calendar;
  org: OrgDirectory;
  now: number;
}

/** The task as the reminders show it: title, source, bodies, deadline in force, status. */
export function taskSummary(c: SummaryContext): Html {
  const { task, occ, calendar, org } = c;
  const day = calendar.zone.dayOf(c.now);
  const name = (code: string): string => currentBody(org, code, day)?.name ?? code;
  const D = calendar.effectiveEnd(occ.deadline.day);
  const st = taskStatus(task, calendar, c.now);
  const left = st.daysLeft === undefined ? '' : st.daysLeft < 0 ? ` (quá hạn ${-st.daysLeft} ngày làm việc)` : st.daysLeft === 0 ? ' (hôm nay là ngày đến hạn)' : ` (còn ${st.daysLeft} ngày làm việc)`;
  return html`<section class="card"><h2>Nhiệm vụ</h2><dl>
<dt>Nội dung</dt><dd><strong>${task.title}</strong>${occ.key !== 'once' ? ` (kỳ ${occ.key})` : ''}</dd>
<dt>Văn bản giao nhiệm vụ</dt><dd>${citeDocument(task.source)}${task.source.item ? ` (mục ${task.source.item})` : ''}</dd>
<dt>Đơn vị chủ trì</dt><dd>${name(task.lead)}</dd>
${task.coordinators.length ? html`<dt>Đơn vị phối hợp</dt><dd>${task.coordinators.map(name).join('; ')}</dd>` : ''}
<dt>Thời hạn</dt><dd>${formatDeadlineVn(occ.deadline)}${D !== occ.deadline.day ? ` (ngày nghỉ; kết thúc ngày ${formatVnDay(D)} theo Điều 148 Bộ luật Dân sự)` : ''}${occ.extended ? ' — đã gia hạn' : ''}</dd>
<dt>Tình trạng</dt><dd class="st-${st.status}">${STATUS_LABELS[st.status]}${left}</dd>
</dl></section>`;
}
