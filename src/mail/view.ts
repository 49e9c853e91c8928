// What a template sees: plain strings, already formatted the Vietnamese official way
// (dates dd/mm/yyyy, documents cited "Công văn số 1510/UBND-TH ngày 16/04/2022 của UBND tỉnh
// Thái Nguyên"). Pure: the templates do no logic beyond choosing a sentence.
import { type BasisLetter, type BasisPurpose, basisOn } from '../core/basis.js';
import type { Calendar } from '../core/calendar.js';
import { type Day, formatVnDay } from '../core/day.js';
import type { DigestNotification, Notification, Recipient, TaskNotification } from '../core/notification.js';
import { currentBody, type OrgDirectory } from '../core/org.js';
import type { Deadline, SourceDocument, Task } from '../core/task.js';

// Nghị định 30/2020/NĐ-CP: a document with a type name carries its abbreviation first in the
// ký hiệu ("08/KH-UBND"); a công văn carries only the issuer and unit ("1510/UBND-TH").
const DOCUMENT_TYPES: Record<string, string> = {
  NQ: 'Nghị quyết',
  QĐ: 'Quyết định',
  CT: 'Chỉ thị',
  QC: 'Quy chế',
  QyĐ: 'Quy định',
  TB: 'Thông báo',
  HD: 'Hướng dẫn',
  CTr: 'Chương trình',
  KH: 'Kế hoạch',
  PA: 'Phương án',
  ĐA: 'Đề án',
  BC: 'Báo cáo',
  TTr: 'Tờ trình',
  KL: 'Kết luận',
  CĐ: 'Công điện',
  GM: 'Giấy mời',
};

/** "Công văn", "Kế hoạch", … from a document number like "1510/UBND-TH" or "08/KH-UBND". */
export function documentType(number: string): string {
  const symbol = number.normalize('NFC').split('/')[1] ?? '';
  const first = symbol.split('-')[0] ?? '';
  return DOCUMENT_TYPES[first] ?? 'Công văn';
}

/** "Công văn số 1510/UBND-TH ngày 16/04/2022 của UBND tỉnh Thái Nguyên". */
export function citeDocument(s: SourceDocument): string {
  return `${documentType(s.number)} số ${s.number} ngày ${formatVnDay(s.date)} của ${s.issuer}`;
}

const hhmm = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** "30/06/2022" or "17:00 ngày 30/06/2022". */
export function formatDeadlineVn(d: Deadline): string {
  return d.minute === undefined ? formatVnDay(d.day) : `${hhmm(d.minute)} ngày ${formatVnDay(d.day)}`;
}

/** "còn 5 ngày làm việc", "hôm nay là ngày đến hạn", "đã quá hạn 3 ngày làm việc". */
export function daysLeftText(daysLeft: number): string {
  if (daysLeft > 0) return `còn ${daysLeft} ngày làm việc`;
  if (daysLeft === 0) return 'hôm nay là ngày đến hạn';
  return `đã quá hạn ${-daysLeft} ngày làm việc`;
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

const titles = (rs: readonly Recipient[]): string => rs.map((r) => r.title).join('; ');

export interface ViewContext {
  org: OrgDirectory;
  calendar: Calendar;
  /** The task of a task notification (its current record). */
  task?: Task;
  /** The sender's name, shown under the message. */
  senderName?: string;
  /** policy.basis: the letters mails cite, the one in force on the send day is shown. */
  basis?: readonly BasisLetter[];
}

export interface MessageView {
  [key: string]: unknown;
}

export interface BasisView {
  /** "Công văn số 7176/UBND-NC ngày 04/12/2024 của UBND tỉnh Thái Nguyên". */
  citation: string;
  /** "Công văn số 7176/UBND-NC". */
  short: string;
  /** "về việc …" */
  about?: string;
  /** By purpose: the section, the words, "mục 3 Công văn số 7176/UBND-NC" (ref) and the same with date and issuer (cite). */
  passages: Partial<Record<BasisPurpose, { section: string; text: string; ref: string; cite: string }>>;
}

/** The letter in force on `day` as templates see it; undefined before the first (templates then cite none). */
export function basisView(letters: readonly BasisLetter[] | undefined, day: Day): BasisView | undefined {
  const l = basisOn(letters ?? [], day);
  if (!l) return undefined;
  const short = `${documentType(l.number)} số ${l.number}`;
  const passages: BasisView['passages'] = {};
  for (const [purpose, p] of Object.entries(l.passages) as Array<[BasisPurpose, { section: string; text: string }]>) {
    passages[purpose] = { section: p.section, text: p.text, ref: `mục ${p.section} ${short}`, cite: `mục ${p.section} ${short} ngày ${formatVnDay(l.date)} của ${l.issuer}` };
  }
  return {
    citation: `${short} ngày ${formatVnDay(l.date)} của ${l.issuer}`,
    short,
    ...(l.subject ? { about: l.subject.replace(/^V\/v\s*/i, 'về việc ') } : {}),
    passages,
  };
}

function baseView(n: Notification, ctx: ViewContext): MessageView {
  return {
    kinhGui: titles(n.to),
    to: n.to.map((r) => ({ title: r.title, email: r.email })),
    cc: n.cc.map((r) => ({ title: r.title, email: r.email })),
    informed: titles(n.cc),
    hasInformed: n.cc.length > 0,
    sentOn: formatVnDay(ctx.calendar.zone.dayOf(n.at)),
    senderName: ctx.senderName ?? 'Hệ thống nhắc việc dondoc',
    notificationId: n.id,
    level: n.level,
    basis: basisView(ctx.basis, ctx.calendar.zone.dayOf(n.at)),
  };
}

function taskView(n: TaskNotification, ctx: ViewContext): MessageView {
  const task = ctx.task;
  if (!task || task.id !== n.taskId) throw new Error(`rendering ${n.id}: the task ${n.taskId} is needed`);
  const day = ctx.calendar.zone.dayOf(n.at);
  const nameOf = (code: string): string => currentBody(ctx.org, code, day)?.name ?? code;
  const leaderCode = task.leader ?? currentBody(ctx.org, task.lead, day)?.leader;
  const leader = leaderCode ? ctx.org.leaders.get(leaderCode) : undefined;
  const moved = n.effectiveDay !== n.deadline.day;
  const extensions = task.extensions.filter((e) => e.occurrence === n.occurrence);
  const last = extensions[extensions.length - 1];
  // Object.assign, not a spread: a literal spreading one object and adding twenty more keys is
  // built key by key in V8's slow mode, 5× the cost of the whole view (bench/delivery-wave.ts).
  return Object.assign(baseView(n, ctx), {
    task: {
      id: task.id,
      title: task.title,
      content: task.content,
      lead: nameOf(task.lead),
      coordinators: task.coordinators.map(nameOf).join('; '),
      hasCoordinators: task.coordinators.length > 0,
      leader: leader?.title,
      occurrence: n.occurrence === 'once' ? undefined : n.occurrence,
    },
    /** The body this message is about: the lead body, or the coordinating body for coordinators. */
    body: nameOf(n.body),
    source: {
      citation: citeDocument(task.source),
      number: task.source.number,
      subject: task.source.subject,
      /** The subject as it continues a citation: "V/v …" → "về việc …". */
      about: task.source.subject?.replace(/^V\/v\s*/i, 'về việc '),
      item: task.source.item,
    },
    deadline: formatDeadlineVn(n.deadline),
    effectiveDeadline: formatVnDay(n.effectiveDay),
    // Civil Code Art. 148: a period ending on a day off ends on the next working day; mails show both dates.
    deadlineMoved: moved,
    deadlineMovedReason: moved ? ctx.calendar.status(n.deadline.day).reason : undefined,
    extended: last
      ? { previous: formatDeadlineVn(extensions[0]!.previous), document: last.document, approvedBy: last.approvedBy }
      : undefined,
    daysLeft: n.daysLeft,
    daysOverdue: Math.max(0, -n.daysLeft),
    daysLeftText: daysLeftText(n.daysLeft),
    daysLeftTextCap: capitalise(daysLeftText(n.daysLeft)),
    isDueToday: n.daysLeft === 0,
    isOverdue: n.daysLeft < 0,
    repeat: n.repeat,
    repeatOrdinal: n.repeat + 1,
  });
}

function digestView(n: DigestNotification, ctx: ViewContext): MessageView {
  let stt = 0;
  return Object.assign(baseView(n, ctx), {
    day: formatVnDay(n.day),
    overdue: n.counts.overdue,
    dueSoon: n.counts.dueSoon,
    groups: n.groups.map((g) => ({
      body: g.name,
      items: g.items.map((i) => ({
        stt: ++stt,
        title: i.title,
        citation: citeDocument(i.source),
        item: i.source.item,
        deadline: formatDeadlineVn(i.deadline),
        effectiveDeadline: formatVnDay(i.effectiveDay),
        deadlineMoved: i.effectiveDay !== i.deadline.day,
        overdue: i.status === 'overdue',
        statusText: i.status === 'overdue' ? `Quá hạn ${-i.daysLeft} ngày làm việc` : i.daysLeft === 0 ? 'Đến hạn hôm nay' : `Còn ${i.daysLeft} ngày làm việc`,
      })),
    })),
  });
}

export function notificationView(n: Notification, ctx: ViewContext): MessageView {
  return n.kind === 'digest' ? digestView(n, ctx) : taskView(n, ctx);
}
