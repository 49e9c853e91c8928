// The weekly summary to Sở Nội vụ (config `accountability.reports.weekly`): when it is due and
// what it says. It covers the Monday–Sunday before the week it is sent in, goes out on the
// configured weekday at the configured time — on a day off, at that time on the next working
// day, inside office hours (mail to people goes out on working days only) — and carries the
// week's figures with the xlsx attached. The id names the week, so the engine sends it once.
import type { Calendar } from '../core/calendar.js';
import { type Day, formatIsoDay, formatVnDay, isoWeekday } from '../core/day.js';
import type { OrgDirectory } from '../core/org.js';
import { type Report, lateRows, previousWeek } from '../core/report.js';
import type { WeeklyReportConfig } from '../config/sections/accountability.js';
import { type LetterMessage, buildLetter } from './letter.js';
import { renderReport } from './render.js';
import { asOfText } from './view.js';

export interface WeeklySlot {
  /** weekly-report-<Monday of the week covered>. */
  id: string;
  /** When it goes out (epoch ms). */
  at: number;
  from: Day;
  to: Day;
}

/** The slot of the summary sent in the ISO week holding `day`. */
export function weeklySlotOfWeek(day: Day, cfg: Pick<WeeklyReportConfig, 'weekday' | 'minute'>, calendar: Calendar): WeeklySlot {
  const monday = day - (isoWeekday(day) - 1);
  let send = monday + cfg.weekday - 1;
  if (!calendar.isWorkingDay(send)) send = calendar.add(send, 1);
  const at = calendar.nextOfficeInstant(calendar.zone.instantAt(send, cfg.minute));
  const { from, to } = previousWeek(monday);
  return { id: `weekly-report-${formatIsoDay(from)}`, at, from, to };
}

const WEEK_MS = 7 * 86_400_000;

/**
 * The slots due in the week up to `now` (at most a few): the engine sends those whose id it
 * has not sent. A holiday can push one week's slot onto the next week's (Tết 2026: both on
 * Monday 23/02), so there may be two; a first start sends only the latest week's.
 */
export function dueWeeklySlots(cfg: WeeklyReportConfig, calendar: Calendar, now: number): WeeklySlot[] {
  if (!cfg.enabled) return [];
  const today = calendar.zone.dayOf(now);
  const out: WeeklySlot[] = [];
  for (const back of [21, 14, 7, 0]) {
    const s = weeklySlotOfWeek(today - back, cfg, calendar);
    if (s.at <= now && s.at > now - WEEK_MS && !out.some((o) => o.id === s.id)) out.push(s);
  }
  return out;
}

/** The first slot after `now`, for scheduling the next wake-up; null when disabled. */
export function nextWeeklySlot(cfg: WeeklyReportConfig, calendar: Calendar, now: number): WeeklySlot | null {
  if (!cfg.enabled) return null;
  const today = calendar.zone.dayOf(now);
  for (let w = -7; w <= 21; w += 7) {
    const s = weeklySlotOfWeek(today + w, cfg, calendar);
    if (s.at > now) return s;
  }
  return null;
}

/** The summary mail for a week's report, with the xlsx attached. */
export async function weeklyReportMail(
  report: Report,
  slot: Pick<WeeklySlot, 'id'>,
  cfg: Pick<WeeklyReportConfig, 'to' | 'cc'>,
  org: OrgDirectory,
  calendar: Calendar,
  opts: { now: number; senderName?: string },
): Promise<LetterMessage> {
  const t = report.totals;
  const xlsx = await renderReport(report, 'xlsx');
  const week = `tuần từ ngày ${formatVnDay(report.from)} đến ngày ${formatVnDay(report.to)}`;
  // What happened in the week, whatever each deadline's own period (core/week-activity.ts);
  // a snapshot frozen before that existed has only the figures of the tasks due in the week.
  const a = report.activity;
  const late = a ? a.totals.completedLate : t.late;
  const overdue = a ? a.totals.newlyOverdue + a.totals.stillOverdue : t.overdue;
  const worst = a
    ? a.bodies.filter((b) => b.completedLate + b.newlyOverdue + b.stillOverdue > 0).map((b) => ({ name: b.name, late: b.completedLate, overdue: b.newlyOverdue + b.stillOverdue }))
    : report.bodies.filter((b) => b.late + b.overdue > 0).map((b) => ({ name: b.name, late: b.late, overdue: b.overdue }));
  worst.sort((x, y) => y.late + y.overdue - (x.late + x.overdue));
  const dueFigures = [
    `Tổng số nhiệm vụ: ${t.assigned}`,
    `Hoàn thành đúng hạn: ${t.onTime}`,
    `Hoàn thành quá hạn: ${t.late}`,
    `Đang thực hiện trong hạn: ${t.withinDeadline}`,
    `Đang thực hiện quá hạn: ${t.overdue}`,
    `Không thời hạn: ${t.noDeadline}`,
    `Được gia hạn: ${t.extensionsApproved} lượt; đề nghị gia hạn: ${t.extensionsRequested} lượt`,
    `Báo cáo đơn vị phối hợp chưa phối hợp: ${t.noncooperation}`,
    `Đôn đốc quá hạn: cấp 1: ${t.escalations.level1}, cấp 2: ${t.escalations.level2}, cấp 3: ${t.escalations.level3}`,
    `Số ngày làm việc chậm bình quân: ${t.averageWorkingDaysLate === null ? 'không có nhiệm vụ chậm' : t.averageWorkingDaysLate.toFixed(2).replace('.', ',')}`,
  ];
  const blocks = [
    { p: `Tổng hợp tình hình thực hiện nhiệm vụ được giao ${week} (số liệu tính đến ${asOfText(report)}):` },
    ...(a
      ? [
          { p: 'Trong tuần:' },
          {
            list: [
              `Hoàn thành đúng hạn: ${a.totals.completedOnTime}`,
              `Hoàn thành quá hạn: ${a.totals.completedLate}`,
              `Mới quá hạn (hết hạn trong tuần, chưa hoàn thành): ${a.totals.newlyOverdue}`,
              `Vẫn quá hạn (quá hạn từ trước tuần, chưa hoàn thành): ${a.totals.stillOverdue}`,
            ],
          },
          { p: 'Nhiệm vụ có thời hạn trong tuần (và nhiệm vụ quá hạn từ trước chưa hoàn thành):' },
        ]
      : []),
    { list: dueFigures },
    ...(worst.length
      ? [{ p: 'Cơ quan, đơn vị có nhiệm vụ chậm, muộn:' }, { list: worst.map((b) => `${b.name}: ${b.late} hoàn thành quá hạn, ${b.overdue} đang quá hạn`) }]
      : [{ p: 'Trong tuần không có nhiệm vụ chậm, muộn.' }]),
    { p: `Danh sách ${lateRows(report).length} nhiệm vụ chậm, muộn và toàn bộ số liệu chi tiết xem tại tệp đính kèm ${xlsx.fileName}.` },
  ];
  return buildLetter({
    id: slot.id,
    to: cfg.to,
    cc: cfg.cc,
    about: org.roles.homeAffairs,
    org,
    day: calendar.zone.dayOf(opts.now),
    subject: `Báo cáo tình hình thực hiện nhiệm vụ ${week}: ${overdue} quá hạn, ${late} hoàn thành quá hạn`,
    blocks,
    attachments: [{ filename: xlsx.fileName, content: xlsx.content, contentType: xlsx.contentType }],
    ...(opts.senderName ? { senderName: opts.senderName } : {}),
  });
}
