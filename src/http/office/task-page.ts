// GET /office/tasks/:id: one task's facts and its full timeline — assignment, history
// (office records and replies), deadline, notifications sent/failed/skipped and those still
// planned — with a marker at "now" between what happened and what is to come.
import type { OrgDirectory } from '../../core/org.js';
import type { OccurrenceStatus } from '../../core/status.js';
import type { Task } from '../../core/task.js';
import type { Zone } from '../../core/zone.js';
import type { Principal } from '../auth.js';
import { type Html, html } from './html.js';
import { STATUS_CLASS, STATUS_LABELS, bodyName, daysLeftText, deadlineNow, leaderName, leaderOf, vnDay, vnDeadline, vnInstant } from './labels.js';
import { layout } from './layout.js';
import type { EntryKind, TimelineEntry } from './timeline.js';

export interface TaskPageData {
  task: Task;
  status: OccurrenceStatus;
  timeline: readonly TimelineEntry[];
  /** Set when the planned notifications could not be shown (no policy), saying why. */
  planNote?: string;
  org: OrgDirectory;
  zone: Zone;
  now: number;
  principal?: Principal;
  footer: string;
}

const KIND_LABELS: Record<EntryKind, string> = {
  assignment: 'giao việc',
  event: 'sự kiện',
  reply: 'phản hồi',
  delivery: 'nhật ký gửi thư',
  planned: 'lịch gửi thư',
  deadline: 'thời hạn',
};

function entry(e: TimelineEntry, zone: Zone): Html {
  return html`<li class="tone-${e.tone}${e.future ? ' future' : ''}" data-kind="${e.kind}">
<div><span class="tl-when">${e.when ?? vnInstant(zone, e.at)}</span> <span class="tl-title">${e.title}</span><span class="tl-kind">${KIND_LABELS[e.kind]}</span></div>
${e.who ? html`<div class="muted">${e.who}</div>` : ''}
${e.lines.length ? html`<ul class="tl-lines">${e.lines.map((l) => html`<li>${l}</li>`)}</ul>` : ''}
</li>`;
}

export function taskPage(d: TaskPageData): string {
  const { task: t, status: s, org } = d;
  const src = t.source;
  const past = d.timeline.filter((e) => !e.future);
  const future = d.timeline.filter((e) => e.future);
  const days = daysLeftText(s.daysLeft);
  const inForce = deadlineNow(t);
  const main = html`<p><a href="/office">← Danh sách nhiệm vụ</a></p>
<h1>${t.title}</h1>
<dl class="facts">
<dt>Trạng thái</dt><dd><span class="badge ${STATUS_CLASS[s.status]}" id="task-status" data-status="${s.status}">${STATUS_LABELS[s.status]}</span>${days ? html` <span class="muted">${days}</span>` : ''}</dd>
<dt>Văn bản giao</dt><dd>Số ${src.number} ngày ${vnDay(src.date)} của ${src.issuer}${src.item ? `, mục ${src.item}` : ''}${src.subject ? html`<br><span class="muted">${src.subject}</span>` : ''}</dd>
${t.content && t.content !== t.title ? html`<dt>Nội dung</dt><dd>${t.content}</dd>` : ''}
<dt>Đơn vị chủ trì</dt><dd>${bodyName(org, t.lead)}</dd>
${t.coordinators.length ? html`<dt>Đơn vị phối hợp</dt><dd>${t.coordinators.map((c) => bodyName(org, c)).join('; ')}</dd>` : ''}
<dt>Lãnh đạo phụ trách</dt><dd>${leaderName(org, leaderOf(t, org)) ?? '—'}</dd>
<dt>Ngày giao</dt><dd>${vnDay(t.assignedOn)}</dd>
<dt>Thời hạn</dt><dd>${t.recurrence ? `Định kỳ${s.effectiveDay !== undefined ? `; kỳ ${s.occurrence}: ${vnDay(s.effectiveDay)}` : ''}` : inForce ? vnDeadline(inForce) : 'Không thời hạn'}${
    t.deadline && inForce && inForce !== t.deadline ? html` <span class="muted">(đã gia hạn; ban đầu ${vnDeadline(t.deadline)})</span>` : ''
  }${
    // Civil Code Art. 148: a deadline on a day off ends at the end of the next working day.
    s.effectiveDay !== undefined && inForce && !t.recurrence && s.effectiveDay !== inForce.day ? html` <span class="muted">(rơi vào ngày nghỉ, hết hạn cuối ngày ${vnDay(s.effectiveDay)})</span>` : ''
  }</dd>
</dl>
<h2>Diễn biến</h2>
${d.planNote ? html`<p class="muted">${d.planNote}</p>` : ''}
<ol class="timeline" id="timeline">
${past.map((e) => entry(e, d.zone))}
<li class="now" data-kind="now">Bây giờ: ${vnInstant(d.zone, d.now)}</li>
${future.map((e) => entry(e, d.zone))}
</ol>`;
  return layout({ title: t.title, main, footer: d.footer, ...(d.principal ? { principal: d.principal } : {}) });
}

export function notFoundPage(message: string, principal?: Principal): string {
  return layout({ title: 'Không tìm thấy', main: html`<h1>Không tìm thấy</h1><p>${message}</p><p><a href="/office">← Danh sách nhiệm vụ</a></p>`, ...(principal ? { principal } : {}) });
}

export function errorPage(title: string, message: string, principal?: Principal): string {
  return layout({ title, main: html`<h1>${title}</h1><p class="problems">${message}</p><p><a href="/office">← Danh sách nhiệm vụ</a></p>`, ...(principal ? { principal } : {}) });
}
