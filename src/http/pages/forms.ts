// The seven reply forms (issue 6): for each link action, the form a GET shows, how a POST's
// fields are read (Vietnamese messages naming the field, the input kept on error), what it does
// through the reply service, and the page that says it was done.
import type { Calendar } from '../../core/calendar.js';
import { type Day, formatIsoDay, formatVnDay, parseIsoDay } from '../../core/day.js';
import type { LinkAction, LinkClaims } from '../../core/links.js';
import type { OrgDirectory } from '../../core/org.js';
import { currentBody } from '../../core/org.js';
import { deadlineInstant } from '../../core/status.js';
import type { CompletionReport, Deadline, ExtensionRequest, Occurrence, Task } from '../../core/task.js';
import { type BasisView, formatDeadlineVn } from '../../mail/view.js';
import type { ReplyService, ReplyWho } from '../../store/reply-service.js';
import type { ApplyResult } from '../../store/task-store.js';
import { type Html, html } from '../office/html.js';

export interface FormContext {
  task: Task;
  occ: Occurrence;
  claims: LinkClaims;
  calendar: Calendar;
  org: OrgDirectory;
  now: number;
  today: Day;
  /** The pending completion report (confirm/reject forms). */
  report?: CompletionReport;
  /** The pending extension request (approve/reject forms). */
  request?: ExtensionRequest;
  /** The letter in force today (policy.basis), for the forms' references to it. */
  basis: BasisView | undefined;
}

export type Fields = Record<string, string>;
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

export interface ReplyForm<T> {
  title: string;
  /** The fields (without the CSRF token and the submit button), prefilled with `values`. */
  fields(c: FormContext, values: Fields, errors: Record<string, string>): Html;
  button: string;
  danger?: boolean;
  parse(body: Fields, c: FormContext): Parsed<T>;
  act(service: ReplyService, c: FormContext, value: T, who: ReplyWho): Promise<ApplyResult>;
  /** The page after success: what happened and what comes next. */
  done(c: FormContext, r: ApplyResult, value: T): { title: string; text: string };
}

// Text from a form: NFC (Vietnamese may arrive decomposed), control characters other than line
// breaks removed, trimmed, capped.
const clean = (v: string | undefined, max: number): string =>
  (v ?? '')
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .trim()
    .slice(0, max);

const MAX_TEXT = 2000;
const MAX_DOC = 300;

const vnDay = (d: Day): string => formatVnDay(d);
const bodyName = (c: FormContext, code: string): string => currentBody(c.org, code, c.today)?.name ?? code;
const leaderTitle = (c: FormContext): string => {
  const code = c.task.leader ?? currentBody(c.org, c.task.lead, c.today)?.leader;
  return (code && c.org.leaders.get(code)?.title) || 'lãnh đạo UBND tỉnh phụ trách lĩnh vực';
};
const deadlinePassed = (c: FormContext): boolean => c.now >= deadlineInstant(c.occ.deadline, c.calendar);

const errorLine = (errors: Record<string, string>, name: string): Html | string => (errors[name] ? html`<p class="err">${errors[name]}</p>` : '');

function textField(name: string, label: string, values: Fields, errors: Record<string, string>, o: { hint?: string; max: number; required?: boolean }): Html {
  return html`<label for="${name}">${label}</label><input type="text" id="${name}" name="${name}" maxlength="${o.max}" value="${values[name] ?? ''}"${o.required ? html` required` : ''}>${o.hint ? html`<p class="hint">${o.hint}</p>` : ''}${errorLine(errors, name)}`;
}

function areaField(name: string, label: string, values: Fields, errors: Record<string, string>, o: { hint?: string; required?: boolean }): Html {
  return html`<label for="${name}">${label}</label><textarea id="${name}" name="${name}" maxlength="${MAX_TEXT}"${o.required ? html` required` : ''}>${values[name] ?? ''}</textarea>${o.hint ? html`<p class="hint">${o.hint}</p>` : ''}${errorLine(errors, name)}`;
}

function dateField(name: string, label: string, values: Fields, errors: Record<string, string>, o: { min?: Day; max?: Day; hint?: string }): Html {
  return html`<label for="${name}">${label}</label><input type="date" id="${name}" name="${name}" required value="${values[name] ?? ''}"${o.min !== undefined ? html` min="${formatIsoDay(o.min)}"` : ''}${o.max !== undefined ? html` max="${formatIsoDay(o.max)}"` : ''}>${o.hint ? html`<p class="hint">${o.hint}</p>` : ''}${errorLine(errors, name)}`;
}

/** A date typed as YYYY-MM-DD (type=date) or dd/mm/yyyy (browsers without a date picker). */
function readDay(v: string | undefined): Day | null {
  const s = (v ?? '').trim();
  const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  return parseIsoDay(vn ? `${vn[3]}-${vn[2]!.padStart(2, '0')}-${vn[1]!.padStart(2, '0')}` : s);
}

/**
 * The report as the Office must judge it: the completion date the head claims beside the day the
 * report was made, so a back-dated "on time" — finished "before the deadline", reported after
 * it — is plain before anyone confirms it.
 */
function reportBox(c: FormContext): Html {
  const r = c.report!;
  const zone = c.calendar.zone;
  const deadline = deadlineInstant(c.occ.deadline, c.calendar);
  const claimed = zone.dayOf(r.completedAt);
  const reported = zone.dayOf(r.at);
  const gap = c.calendar.count(claimed, reported);
  const backdated = r.completedAt <= deadline && r.at > deadline;
  return html`<dl><dt>Ngày hoàn thành đơn vị báo cáo</dt><dd><strong>${vnDay(claimed)}</strong> (${r.completedAt <= deadline ? 'trong hạn' : 'sau thời hạn'})</dd>
<dt>Ngày gửi báo cáo</dt><dd><strong>${vnDay(reported)}</strong>${r.at > deadline ? ' (sau thời hạn)' : ''}</dd>
<dt>Thời hạn</dt><dd>${formatDeadlineVn(c.occ.deadline)}</dd>
${r.document ? html`<dt>Văn bản báo cáo</dt><dd>${r.document}</dd>` : ''}${r.note ? html`<dt>Ghi chú của đơn vị</dt><dd>${r.note}</dd>` : ''}</dl>
${gap > 0 ? html`<div class="box${backdated ? ' bad' : ''}">Ngày hoàn thành được báo cáo sớm hơn ngày gửi báo cáo ${gap} ngày làm việc${backdated ? ': báo cáo gửi sau thời hạn nhưng đề nghị ghi nhận hoàn thành trong hạn' : ''}. Đề nghị kiểm tra văn bản chứng minh trước khi xác nhận.</div>` : ''}`;
}

function requestBox(c: FormContext): Html {
  const r = c.request!;
  return html`<dl><dt>Đề nghị gia hạn đến</dt><dd><strong>${formatDeadlineVn(r.deadline)}</strong></dd>
<dt>Khó khăn, vướng mắc</dt><dd>${r.reason}</dd>
<dt>Ngày đề nghị</dt><dd>${vnDay(c.calendar.zone.dayOf(r.at))}${r.late ? ' — gửi sau thời hạn' : ''}</dd></dl>`;
}

const reasonOnly = (body: Fields, missing: string): Parsed<{ reason: string }> => {
  const reason = clean(body.reason, MAX_TEXT);
  return reason ? { ok: true, value: { reason } } : { ok: false, errors: { reason: missing } };
};

const complete: ReplyForm<{ completedOn: Day; note?: string; document?: string }> = {
  title: 'Báo cáo hoàn thành nhiệm vụ',
  fields: (c, v, e) => html`${dateField('completed_on', 'Ngày hoàn thành', { completed_on: formatIsoDay(c.today), ...v }, e, { max: c.today, min: c.task.assignedOn, hint: 'Không được sau ngày hôm nay.' })}
${textField('document', 'Số, ký hiệu văn bản báo cáo (nếu có)', v, e, { max: MAX_DOC, hint: 'Ví dụ: 123/BC-SYT' })}
${areaField('note', 'Ghi chú (nếu có)', v, e, {})}
<p class="hint">Sau khi gửi, hệ thống tạm dừng nhắc hạn đối với nhiệm vụ này trong khi chờ Văn phòng UBND tỉnh xác nhận.</p>`,
  button: 'Gửi báo cáo hoàn thành',
  parse(body, c) {
    const errors: Record<string, string> = {};
    const day = readDay(body.completed_on);
    if (day === null) errors.completed_on = 'Vui lòng chọn ngày hoàn thành (ngày/tháng/năm).';
    else if (day > c.today) errors.completed_on = `Ngày hoàn thành không được sau ngày hôm nay (${vnDay(c.today)}).`;
    else if (day < c.task.assignedOn) errors.completed_on = `Ngày hoàn thành không được trước ngày giao nhiệm vụ (${vnDay(c.task.assignedOn)}).`;
    if (Object.keys(errors).length) return { ok: false, errors };
    const note = clean(body.note, MAX_TEXT);
    const document = clean(body.document, MAX_DOC);
    return { ok: true, value: { completedOn: day!, ...(note ? { note } : {}), ...(document ? { document } : {}) } };
  },
  act: (s, c, v, who) => s.reportCompletion(c.task.id, { occurrence: c.occ.key, ...v }, who),
  done(c, r) {
    const state = r.task.occurrences[c.occ.key] ?? {};
    if (state.completedAt !== undefined) {
      const onTime = state.completedAt <= deadlineInstant(c.occ.deadline, c.calendar);
      return { title: 'Đã ghi nhận hoàn thành', text: `Nhiệm vụ được ghi nhận hoàn thành ${onTime ? 'đúng hạn' : 'quá hạn'}. Văn phòng UBND tỉnh được thông báo.` };
    }
    return { title: 'Đã gửi báo cáo hoàn thành', text: 'Báo cáo đã được ghi nhận và gửi Văn phòng UBND tỉnh để xác nhận. Trong thời gian chờ xác nhận, hệ thống tạm dừng nhắc hạn đối với nhiệm vụ này.' };
  },
};

const extend: ReplyForm<{ deadline: Deadline; reason: string }> = {
  title: 'Đề nghị gia hạn / báo cáo khó khăn',
  fields: (c, v, e) => html`${deadlinePassed(c) ? html`<div class="box">Thời hạn đã qua. Đề nghị vẫn được tiếp nhận nhưng được ghi nhận là gửi sau thời hạn${c.basis?.passages.duty ? ` (${c.basis.passages.duty.ref} yêu cầu báo cáo kịp thời khi đến hạn)` : ''}.</div>` : ''}
${areaField('reason', 'Khó khăn, vướng mắc', v, e, { required: true, hint: 'Nêu rõ nguyên nhân chưa hoàn thành được đúng hạn.' })}
${dateField('deadline', 'Đề nghị gia hạn đến ngày', v, e, { min: Math.max(c.today, c.occ.deadline.day + 1), hint: `Thời hạn hiện tại: ${formatDeadlineVn(c.occ.deadline)}.` })}
<p class="hint">Đề nghị được gửi ngay đến ${leaderTitle(c)} (lãnh đạo UBND tỉnh phụ trách lĩnh vực), đồng gửi Văn phòng UBND tỉnh.</p>`,
  button: 'Gửi đề nghị',
  parse(body, c) {
    const errors: Record<string, string> = {};
    const reason = clean(body.reason, MAX_TEXT);
    if (!reason) errors.reason = 'Vui lòng nêu khó khăn, vướng mắc.';
    const day = readDay(body.deadline);
    // A date: the end of that day (a deadline given as a date, DOMAIN.md "Time").
    const deadline: Deadline | undefined = day === null ? undefined : { day };
    if (!deadline) errors.deadline = 'Vui lòng chọn ngày đề nghị gia hạn đến (ngày/tháng/năm).';
    else if (deadlineInstant(deadline, c.calendar) <= deadlineInstant(c.occ.deadline, c.calendar)) errors.deadline = `Thời hạn đề nghị phải sau thời hạn hiện tại (${formatDeadlineVn(c.occ.deadline)}).`;
    else if (deadline.day < c.today) errors.deadline = `Thời hạn đề nghị không được trước ngày hôm nay (${vnDay(c.today)}).`;
    return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: { deadline: deadline!, reason } };
  },
  act: (s, c, v, who) => s.requestExtension(c.task.id, { occurrence: c.occ.key, ...v }, who),
  done: (c, r) => {
    const late = r.events.some((e) => e.type === 'extension_requested' && e.late);
    return {
      title: 'Đã gửi đề nghị gia hạn',
      text: `Đề nghị đã được ghi nhận và gửi ${leaderTitle(c)}, đồng gửi Văn phòng UBND tỉnh.${late ? ' Đề nghị được ghi nhận là gửi sau thời hạn.' : ''} Kết quả sẽ được thông báo qua thư điện tử; trong khi chờ, thời hạn hiện tại vẫn giữ nguyên.`,
    };
  },
};

const noncoop: ReplyForm<{ coordinator: string; reason: string }> = {
  title: 'Báo cáo đơn vị phối hợp chưa phối hợp',
  fields: (c, v, e) => html`<fieldset style="border:0;padding:0;margin:0"><legend style="font-weight:600;margin-top:14px">Đơn vị phối hợp chưa phối hợp</legend>
${c.task.coordinators.map((code) => html`<label class="choice"><input type="radio" name="coordinator" value="${code}"${v.coordinator === code || c.task.coordinators.length === 1 ? html` checked` : ''} required> ${bodyName(c, code)}</label>`)}
${errorLine(e, 'coordinator')}</fieldset>
${areaField('reason', 'Nội dung báo cáo', v, e, { required: true, hint: 'Nêu rõ nội dung chưa phối hợp (ví dụ: chưa cung cấp số liệu đã đề nghị tại văn bản số …).' })}
<p class="hint">Báo cáo được gửi đến ${leaderTitle(c)} và Văn phòng UBND tỉnh${c.basis?.passages.coordination ? ` (${c.basis.passages.coordination.ref})` : ''} và được tính vào số liệu tổng hợp của đơn vị được nêu.</p>`,
  button: 'Gửi báo cáo',
  parse(body, c) {
    const errors: Record<string, string> = {};
    const coordinator = (body.coordinator ?? '').trim();
    if (!c.task.coordinators.includes(coordinator)) errors.coordinator = 'Vui lòng chọn một đơn vị phối hợp của nhiệm vụ.';
    const reason = clean(body.reason, MAX_TEXT);
    if (!reason) errors.reason = 'Vui lòng nêu nội dung chưa phối hợp.';
    return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: { coordinator, reason } };
  },
  act: (s, c, v, who) => s.reportNoncooperation(c.task.id, { occurrence: c.occ.key, ...v }, who),
  done: (c, _r, v) => ({ title: 'Đã gửi báo cáo', text: `Báo cáo về ${bodyName(c, v.coordinator)} đã được ghi nhận và gửi ${leaderTitle(c)} và Văn phòng UBND tỉnh.` }),
};

const confirmCompletion: ReplyForm<Record<string, never>> = {
  title: 'Xác nhận hoàn thành nhiệm vụ',
  fields: (c) => html`${reportBox(c)}<p class="hint">Khi xác nhận, nhiệm vụ được ghi nhận hoàn thành vào ngày được báo cáo và không còn thư nhắc.</p>`,
  button: 'Xác nhận hoàn thành',
  parse: () => ({ ok: true, value: {} }),
  act: (s, c, _v, who) => s.confirmCompletion(c.task.id, { occurrence: c.occ.key }, who),
  done(c, r) {
    const at = r.task.occurrences[c.occ.key]?.completedAt ?? 0;
    const onTime = at <= deadlineInstant(c.occ.deadline, c.calendar);
    return { title: 'Đã xác nhận hoàn thành', text: `Nhiệm vụ được ghi nhận hoàn thành ngày ${vnDay(c.calendar.zone.dayOf(at))} (${onTime ? 'đúng hạn' : 'quá hạn'}). Đơn vị chủ trì được thông báo.` };
  },
};

const rejectCompletion: ReplyForm<{ reason: string }> = {
  title: 'Không xác nhận hoàn thành',
  fields: (c, v, e) => html`${reportBox(c)}${areaField('reason', 'Lý do không xác nhận', v, e, { required: true })}<p class="hint">Đơn vị chủ trì được thông báo lý do; việc nhắc hạn được tiếp tục.</p>`,
  button: 'Không xác nhận',
  danger: true,
  parse: (body) => reasonOnly(body, 'Vui lòng nêu lý do không xác nhận.'),
  act: (s, c, v, who) => s.rejectCompletion(c.task.id, { occurrence: c.occ.key, reason: v.reason }, who),
  done: () => ({ title: 'Đã ghi nhận', text: 'Báo cáo hoàn thành không được xác nhận. Đơn vị chủ trì được thông báo lý do và việc nhắc hạn được tiếp tục.' }),
};

const approveExtension: ReplyForm<{ deadline?: Deadline; document?: string }> = {
  title: 'Cho ý kiến về đề nghị gia hạn: đồng ý',
  fields: (c, v, e) => html`${requestBox(c)}
${dateField('deadline', 'Gia hạn đến ngày', { deadline: formatIsoDay(c.request!.deadline.day), ...v }, e, { min: c.occ.deadline.day + 1, hint: `Thời hạn hiện tại: ${formatDeadlineVn(c.occ.deadline)}. Có thể chọn ngày khác ngày đơn vị đề nghị.` })}
${textField('document', 'Số, ký hiệu văn bản cho ý kiến (nếu có)', v, e, { max: MAX_DOC })}
<p class="hint">Khi đồng ý, thời hạn mới được áp dụng ngay và lịch nhắc việc được tính lại; đơn vị chủ trì và Văn phòng UBND tỉnh được thông báo.</p>`,
  button: 'Đồng ý gia hạn',
  parse(body, c) {
    const day = readDay(body.deadline);
    if (day === null) return { ok: false, errors: { deadline: 'Vui lòng chọn ngày gia hạn đến (ngày/tháng/năm).' } };
    const deadline: Deadline = day === c.request!.deadline.day ? c.request!.deadline : { day };
    if (deadlineInstant(deadline, c.calendar) <= deadlineInstant(c.occ.deadline, c.calendar)) return { ok: false, errors: { deadline: `Thời hạn mới phải sau thời hạn hiện tại (${formatDeadlineVn(c.occ.deadline)}).` } };
    const document = clean(body.document, MAX_DOC);
    return { ok: true, value: { deadline, ...(document ? { document } : {}) } };
  },
  act: (s, c, v, who) => s.approveExtension(c.task.id, c.claims.request!, v, who),
  done: (_c, _r, v) => ({ title: 'Đã đồng ý gia hạn', text: `Nhiệm vụ được gia hạn đến ${formatDeadlineVn(v.deadline!)}; lịch nhắc việc được tính lại. Đơn vị chủ trì và Văn phòng UBND tỉnh được thông báo.` }),
};

const rejectExtension: ReplyForm<{ reason: string }> = {
  title: 'Cho ý kiến về đề nghị gia hạn: không đồng ý',
  fields: (c, v, e) => html`${requestBox(c)}${areaField('reason', 'Lý do không đồng ý', v, e, { required: true })}<p class="hint">Đơn vị chủ trì được thông báo; thời hạn hiện tại (${formatDeadlineVn(c.occ.deadline)}) giữ nguyên.</p>`,
  button: 'Không đồng ý gia hạn',
  danger: true,
  parse: (body) => reasonOnly(body, 'Vui lòng nêu lý do không đồng ý.'),
  act: (s, c, v, who) => s.rejectExtension(c.task.id, c.claims.request!, v, who),
  done: () => ({ title: 'Đã ghi nhận', text: 'Đề nghị gia hạn không được đồng ý. Đơn vị chủ trì và Văn phòng UBND tỉnh được thông báo.' }),
};

export const FORMS: Record<LinkAction, ReplyForm<never>> = {
  complete,
  extend,
  noncoop,
  'confirm-completion': confirmCompletion,
  'reject-completion': rejectCompletion,
  'approve-extension': approveExtension,
  'reject-extension': rejectExtension,
} as unknown as Record<LinkAction, ReplyForm<never>>;

