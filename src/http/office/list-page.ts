// GET /office: the tasks by status in the trackers' colours, the filters (body, leader,
// document, status), the count of each status as links, and the chart of on-time vs late by
// body. Rendering only: the route gathers, filters and sorts (routes.ts).
import type { OrgDirectory } from '../../core/org.js';
import { type OccurrenceStatus, TASK_STATUSES, type TaskStatus } from '../../core/status.js';
import type { Task } from '../../core/task.js';
import type { Principal } from '../auth.js';
import type { ParsedFilter } from './filters.js';
import { type Html, html, queryString } from './html.js';
import { STATUS_CLASS, STATUS_LABELS, STATUS_ORDER, bodyName, daysLeftText, deadlineNow, leaderName, leaderOf, vnDay, vnDeadline } from './labels.js';
import { layout } from './layout.js';

export interface ListRow {
  task: Task;
  status: OccurrenceStatus;
}

export interface ListPageData {
  rows: readonly ListRow[];
  /** Tasks matching every filter (rows may be fewer: the page shows at most a limit). */
  total: number;
  /** Per status, tasks matching the body/leader/document filters. */
  counts: Record<TaskStatus, number>;
  parsed: ParsedFilter;
  chart: Html;
  chartCaption: string;
  org: OrgDirectory;
  principal?: Principal;
  footer: string;
  /** Open tasks nobody can be reminded of today, with why (core/unaddressed.ts). */
  unaddressed: ReadonlyArray<{ task: Task; message: string }>;
}

function unaddressedBox(d: ListPageData): Html | string {
  if (!d.unaddressed.length) return '';
  return html`<section class="unaddressed" id="unaddressed" role="alert">
<h2>Nhiệm vụ không ai nhận được thư nhắc: ${String(d.unaddressed.length)}</h2>
<p>Đơn vị chủ trì của các nhiệm vụ này không còn hoạt động, không có trong danh bạ hoặc chưa có địa chỉ thư: cập nhật danh bạ cơ quan hoặc giao lại nhiệm vụ.</p>
<ul>${d.unaddressed.map((u) => html`<li data-task="${u.task.id}"><a href="/office/tasks/${encodeURIComponent(u.task.id)}">${u.task.title}</a> — ${u.message}</li>`)}</ul>
</section>`;
}

function filterForm(d: ListPageData): Html {
  const { form } = d.parsed;
  const bodies = [...d.org.bodies.values()];
  const leaders = [...d.org.leaders.values()];
  const selected = (yes: boolean) => (yes ? html` selected` : '');
  return html`<form class="filters" method="get" action="/office" role="search">
<label>Đơn vị (chủ trì hoặc phối hợp)
<select name="body"><option value="">— Tất cả —</option>${bodies.map((b) => html`<option value="${b.code}"${selected(d.parsed.filter.body === b.code)}>${b.name}</option>`)}</select></label>
<label>Lãnh đạo phụ trách
<select name="leader"><option value="">— Tất cả —</option>${leaders.map((l) => html`<option value="${l.code}"${selected(d.parsed.filter.leader === l.code)}>${leaderName(d.org, l.code)}</option>`)}</select></label>
<label>Số văn bản
<input type="search" name="doc" value="${form.doc}" placeholder="VD: 1510/UBND-TH" maxlength="200"></label>
<fieldset><legend>Trạng thái</legend>${TASK_STATUSES.map(
    (s) => html`<label><input type="checkbox" name="status" value="${s}"${form.status.includes(s) ? html` checked` : ''}> ${STATUS_LABELS[s]}</label>`,
  )}</fieldset>
<button class="primary" type="submit">Lọc</button> <a href="/office">Bỏ lọc</a>
</form>`;
}

function counts(d: ListPageData): Html {
  const { form } = d.parsed;
  const base = { body: form.body || undefined, leader: form.leader || undefined, doc: form.doc || undefined };
  return html`<ul class="counts" aria-label="Số nhiệm vụ theo trạng thái">${STATUS_ORDER.filter((s) => d.counts[s] > 0).map(
    (s) => html`<li><a class="${STATUS_CLASS[s]}" data-status="${s}" href="/office${queryString({ ...base, status: s })}">${STATUS_LABELS[s]}: ${d.counts[s]}</a></li>`,
  )}</ul>`;
}

function row(r: ListRow, i: number, org: OrgDirectory): Html {
  const t = r.task;
  const s = r.status;
  const src = t.source;
  const days = s.status === 'overdue' || s.status === 'due_soon' || s.status === 'within_deadline' ? daysLeftText(s.daysLeft) : undefined;
  const inForce = deadlineNow(t);
  const deadline = t.recurrence ? (s.effectiveDay !== undefined ? `Kỳ ${s.occurrence}: ${vnDay(s.effectiveDay)}` : 'Định kỳ') : inForce ? vnDeadline(inForce) : 'Không thời hạn';
  const extended = !t.recurrence && t.deadline && t.extensions.length > 0 ? `gia hạn; ban đầu ${vnDeadline(t.deadline)}` : undefined;
  // data-label: on a narrow screen each row is a card, and each cell says what it is (assets.ts).
  return html`<tr class="${STATUS_CLASS[s.status]}" data-task="${t.id}" data-status="${s.status}">
<td class="num">${i + 1}</td>
<td class="task"><a class="title" href="/office/tasks/${encodeURIComponent(t.id)}">${t.title}</a>
<span class="doc">Văn bản ${src.number} ngày ${vnDay(src.date)}${src.item ? `, mục ${src.item}` : ''}</span></td>
<td data-label="Chủ trì">${bodyName(org, t.lead)}</td>
<td data-label="Phối hợp">${t.coordinators.map((c) => bodyName(org, c)).join('; ')}</td>
<td data-label="Lãnh đạo phụ trách">${leaderName(org, leaderOf(t, org)) ?? ''}</td>
<td data-label="Thời hạn">${deadline}${extended ? html`<span class="days">${extended}</span>` : ''}</td>
<td data-label="Trạng thái"><span class="badge ${STATUS_CLASS[s.status]}">${STATUS_LABELS[s.status]}</span>${days ? html`<span class="days">${days}</span>` : ''}</td>
</tr>`;
}

export function listPage(d: ListPageData): string {
  const shown = d.rows.length;
  const main = html`<h1>Nhiệm vụ do UBND tỉnh giao</h1>
${d.parsed.problems.length ? html`<div class="problems" role="alert"><p>Bộ lọc chưa đúng:</p><ul>${d.parsed.problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
${unaddressedBox(d)}
${filterForm(d)}
${counts(d)}
<p class="muted" id="result-count">${shown < d.total ? `Hiển thị ${shown}/${d.total} nhiệm vụ — lọc thêm để thu hẹp.` : `${d.total} nhiệm vụ.`}</p>
${
  shown === 0
    ? html`<p class="empty">Không có nhiệm vụ nào khớp bộ lọc.</p>`
    : html`<table class="tasks">
<thead><tr><th>#</th><th>Nhiệm vụ</th><th>Đơn vị chủ trì</th><th>Đơn vị phối hợp</th><th>Lãnh đạo phụ trách</th><th>Thời hạn</th><th>Trạng thái</th></tr></thead>
<tbody>${d.rows.map((r, i) => row(r, i, d.org))}</tbody>
</table>`
}
<h2>${d.chartCaption}</h2>
<div class="chart-box">${d.chart}</div>`;
  return layout({ title: 'Nhiệm vụ', main, footer: d.footer, ...(d.principal ? { principal: d.principal } : {}) });
}
