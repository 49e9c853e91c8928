// Status columns of a register → the status events of the task shape: "Ngày hoàn thành" is a
// completion; "Gia hạn đến" with "Văn bản gia hạn" (and "Người duyệt gia hạn") an extension —
// the body asks in writing and whoever assigned decides, so the approving document is required.
import { type Day, formatIsoDay } from '../core/day.js';
import type { Zone } from '../core/zone.js';
import { parseDateCell } from './dates.js';
import { parseDeadlinePhrase } from './deadline-phrase.js';
import { parseDocumentRef } from './document.js';
import { type Field, FIELD_LABEL } from './headers.js';
import type { SheetRecord } from './sheet.js';
import { oneLine } from './text.js';

/** Who approved an extension when the sheet does not say: whoever assigned, the committee. */
export const DEFAULT_APPROVER = 'UBND tỉnh';

/** How a row's reader lets helpers read cells and report on them. */
export interface RowReport {
  text(f: Field): string;
  header(f: Field): string | undefined;
  has(f: Field): boolean;
  bad(f: Field | undefined, message: string, value?: string, key?: string): void;
  warn(f: Field | undefined, message: string, value?: string): void;
}

/** YYYY-MM-DD, or YYYY-MM-DDTHH:MM with a time. */
export const iso = (d: Day, minute?: number): string =>
  minute === undefined ? formatIsoDay(d) : `${formatIsoDay(d)}T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

const HAS_DATE = /\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{4}|\d{4}-\d{2}-\d{2}/;

export function readStatusEvents(
  rec: SheetRecord,
  r: RowReport,
  ctx: { date1904: boolean; zone: Zone; deadlineDay: Day | undefined; deadlineBad: boolean; assignedDay: Day | undefined },
): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [];
  const { deadlineDay, assignedDay } = ctx;

  // The extension first: a task extended, then completed, was completed after it.
  const extTo = rec.cells.get('extended_to');
  const extDoc = oneLine(r.text('extension_document'));
  if (extTo !== undefined) {
    const p = typeof extTo === 'string' ? parseDeadlinePhrase(extTo) : parseDateCell(extTo, { date1904: ctx.date1904 });
    const to = !p.ok ? undefined : 'deadline' in p ? p.deadline : { day: p.day, ...(p.minute !== undefined ? { minute: p.minute } : {}) };
    if (!p.ok) r.bad('extended_to', p.message);
    else if (!to) r.bad('extended_to', 'gia hạn cần có thời hạn mới');
    else if (deadlineDay === undefined && !ctx.deadlineBad) r.bad('extended_to', 'nhiệm vụ không có thời hạn cố định để gia hạn');
    else if (deadlineDay !== undefined && to.day <= deadlineDay) r.bad('extended_to', `không muộn hơn thời hạn (${iso(deadlineDay)})`);
    if (!extDoc) {
      const where = r.has('extension_document') ? 'extension_document' : 'extended_to';
      r.bad(where, `thiếu văn bản đồng ý gia hạn${r.has('extension_document') ? '' : ` (thêm cột "${FIELD_LABEL('extension_document')}")`}`);
    }
    if (p.ok && to && extDoc) {
      // Approved on the date of its document, when the citation gives one.
      const approvedOn = parseDocumentRef(extDoc).date;
      const on = approvedOn ? parseDateCell(approvedOn) : undefined;
      events.push({
        type: 'extended',
        deadline: iso(to.day, to.minute),
        document: extDoc,
        approved_by: oneLine(r.text('extension_approver')) || DEFAULT_APPROVER,
        ...(on?.ok ? { on: iso(on.day) } : {}),
      });
    }
  } else if (extDoc) r.bad('extension_document', `có văn bản gia hạn nhưng không có thời hạn mới: điền cột "${r.header('extended_to') ?? FIELD_LABEL('extended_to')}"`);

  const done = rec.cells.get('completed');
  if (done !== undefined) {
    let d = parseDateCell(done, { date1904: ctx.date1904 });
    if (!d.ok && typeof done === 'string') {
      // "Đã hoàn thành ngày 20/6/2022".
      const p = parseDeadlinePhrase(done);
      if (p.ok && p.deadline && HAS_DATE.test(p.matched)) d = { ok: true, day: p.deadline.day, ...(p.deadline.minute !== undefined ? { minute: p.deadline.minute } : {}) };
    }
    if (!d.ok) r.bad('completed', `${d.message}: ghi ngày hoàn thành`);
    else {
      events.push(d.minute === undefined ? { type: 'completed', on: iso(d.day) } : { type: 'completed', at: ctx.zone.formatInstant(ctx.zone.instantAt(d.day, d.minute)) });
      if (assignedDay !== undefined && d.day < assignedDay) r.bad('completed', `trước ngày giao nhiệm vụ (${iso(assignedDay)})`);
    }
  }
  return events;
}
