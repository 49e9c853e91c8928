// The repeat-lateness notice (7176 §5): when a body crosses a step of the rule, Sở Nội vụ and
// the Provincial Office (config `accountability.lateness.to/cc`) get one letter listing the
// late tasks and the heads in office when each fell due. The engine sends it once under its
// id (lateness-<body>-<window>-<step>), which latenessCrossings() makes deterministic.
import type { Calendar } from '../core/calendar.js';
import { formatVnDay, ymdFromDay } from '../core/day.js';
import type { LatenessCrossing, LateTask, RatingWindow } from '../core/lateness.js';
import type { OrgDirectory } from '../core/org.js';
import type { LatenessConfig } from '../config/sections/accountability.js';
import type { BasisLetter } from '../core/basis.js';
import { basisView, citeDocument, formatDeadlineVn } from '../mail/view.js';
import { type LetterMessage, buildLetter } from './letter.js';

const ROMAN = ['I', 'II', 'III', 'IV'];

/** "năm 2022", "quý II năm 2022", "tháng 06/2022", "12 tháng từ 15/03/2021 đến 14/03/2022". */
export function windowText(w: RatingWindow): string {
  const { year, month } = ymdFromDay(w.from);
  switch (w.kind) {
    case 'calendar_year':
      return `năm ${year}`;
    case 'quarter':
      return `quý ${ROMAN[Math.floor((month - 1) / 3)]} năm ${year}`;
    case 'month':
      return `tháng ${String(month).padStart(2, '0')}/${year}`;
    case 'rolling_12_months':
      return `12 tháng từ ${formatVnDay(w.from)} đến ${formatVnDay(w.to)}`;
  }
}

function taskLine(t: LateTask, calendar: Calendar): string {
  const cite = `${citeDocument(t.source)}${t.source.item ? `, mục ${t.source.item}` : ''}`;
  const moved = t.effectiveDay !== t.deadline.day ? ` (kết thúc ngày ${formatVnDay(t.effectiveDay)})` : '';
  const outcome =
    t.status === 'late'
      ? `hoàn thành ngày ${formatVnDay(calendar.zone.dayOf(t.completedAt!))}, chậm ${t.workingDaysLate} ngày làm việc`
      : `chưa hoàn thành, quá hạn ${t.workingDaysLate} ngày làm việc`;
  return `${t.title} — ${cite} — thời hạn ${formatDeadlineVn(t.deadline)}${moved} — ${outcome}${t.head ? ` — người đứng đầu: ${t.head}` : ''}`;
}

export function latenessNotice(
  c: LatenessCrossing,
  cfg: Pick<LatenessConfig, 'to' | 'cc'>,
  org: OrgDirectory,
  calendar: Calendar,
  opts: { now: number; senderName?: string; basis?: readonly BasisLetter[] },
): LetterMessage {
  const rating = basisView(opts.basis, calendar.zone.dayOf(opts.now))?.passages.rating;
  const period = windowText(c.window);
  const first = c.step === c.threshold;
  const head = c.head ? `${c.head.name}${c.head.title ? ` (${c.head.title})` : ''}` : undefined;
  const blocks = [
    {
      p:
        `${c.bodyName} có ${c.count} nhiệm vụ hoàn thành quá hạn hoặc đang thực hiện quá hạn trong ${period} (tính theo ngày đến hạn), ` +
        (first
          ? `đạt ngưỡng ${c.threshold} nhiệm vụ được xác định là chậm, muộn nhiều lần.`
          : `đạt mức ${c.step} nhiệm vụ (ngưỡng chậm, muộn nhiều lần là ${c.threshold}).`),
    },
    ...(head ? [{ p: `Người đứng đầu tại thời điểm đạt mức này (ngày đến hạn ${formatVnDay(c.reachedOn)}): ${head}.` }] : []),
    ...(c.heads.length ? [{ p: `Số nhiệm vụ theo người đứng đầu tại ngày đến hạn: ${c.heads.map((h) => `${h.name}: ${h.count}`).join('; ')}.` }] : []),
    { p: 'Danh sách nhiệm vụ:' },
    { list: c.tasks.map((t) => taskLine(t, calendar)) },
    // The rule in force (policy.basis), quoted; none before the province's letter took effect.
    ...(rating ? [{ p: `${rating.cite.charAt(0).toUpperCase()}${rating.cite.slice(1)} giao: “${rating.text}”` }] : []),
  ];
  return buildLetter({
    id: c.id,
    to: cfg.to,
    cc: cfg.cc,
    about: c.body,
    org,
    day: calendar.zone.dayOf(opts.now),
    subject: `[Chậm, muộn nhiều lần] ${c.bodyName}: ${c.count} nhiệm vụ quá hạn trong ${period}`,
    blocks,
    ...(opts.senderName ? { senderName: opts.senderName } : {}),
  });
}
