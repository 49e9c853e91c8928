// The task model: what the UBND tỉnh / its Chairman assigned, to which body, by when, and
// what happened since. Core types use day numbers and epoch-ms instants; the JSON shape used
// by the store, the API and import files is in task-codec.ts.
import { type Day, dayFromYmd, daysInMonth, ymdFromDay } from './day.js';

export const TASK_KINDS = ['task', 'procedure', 'casefile'] as const;
/** task: assigned by the committee/chairman; procedure: a TTHC dossier; casefile: hồ sơ công việc. */
export type TaskKind = (typeof TASK_KINDS)[number];

export interface SourceDocument {
  /** Number and issuer-unit code, e.g. "1510/UBND-TH" (no spaces). */
  number: string;
  date: Day;
  /** e.g. "UBND tỉnh Thái Nguyên". */
  issuer: string;
  /** "V/v …" */
  subject?: string;
  /** Item number inside the document, e.g. "9" or "II.3". */
  item?: string;
}

/** A deadline: a date means the end of that day (24:00); a time makes it that instant. */
export interface Deadline {
  day: Day;
  /** Minutes after local midnight; absent = end of the day. */
  minute?: number;
}

/** Periodic duties: one occurrence per period, e.g. a yearly report due 15/12. */
export interface Recurrence {
  freq: 'yearly' | 'quarterly' | 'monthly';
  /** yearly: the month (1–12); quarterly: the month within the quarter (1–3); monthly: unused. */
  month?: number;
  /** Day of month; clamped to the month's last day (31 → 30/06). */
  day: number;
  /** First and last day occurrences may fall on (the phase, e.g. 2023–2025). */
  from?: Day;
  until?: Day;
}

export interface Extension {
  occurrence: string;
  previous: Deadline;
  deadline: Deadline;
  /** The approving document, e.g. "Công văn số 123/UBND-TH ngày 01/06/2022". */
  document: string;
  approvedBy: string;
  at: number;
}

/** A completion the head reported through a reply link, awaiting the Provincial Office (issue 6). */
export interface CompletionReport {
  at: number;
  /** The completion instant as reported (a day: the close of office hours that day). */
  completedAt: number;
  note?: string;
  document?: string;
  by: string;
  linkId?: string;
}

/** A head's request for a new deadline, awaiting the leader in charge (issue 6; 7176 §3). */
export interface ExtensionRequest {
  /** [a-z0-9], unique within the task: /api/tasks/:id/extension-requests/:rid. */
  id: string;
  at: number;
  deadline: Deadline;
  reason: string;
  /** Made after the deadline in force had passed: accepted, but marked late. */
  late: boolean;
  by: string;
  linkId?: string;
}

/** Per-occurrence outcome; non-recurring tasks have one occurrence, ONCE. */
export interface OccurrenceState {
  completedAt?: number;
  completionNote?: string;
  cancelledAt?: number;
  cancelReason?: string;
  /** Reported, not yet confirmed: the planner pauses the ladder meanwhile (src/core/replies.ts). */
  completionReport?: CompletionReport;
  /** Pending requests only; decided ones live in the history. */
  extensionRequests?: ExtensionRequest[];
}

export const ONCE = 'once';

export interface Task {
  id: string;
  /** Bumped on every change; plans computed for an older revision are stale. */
  revision: number;
  kind: TaskKind;
  title: string;
  content?: string;
  source: SourceDocument;
  /** Code of the lead body (chủ trì). */
  lead: string;
  /** Codes of coordinating bodies (phối hợp). */
  coordinators: string[];
  /** Code of the leader in charge; defaults from the lead body in the directory. */
  leader?: string;
  assignedOn: Day;
  /** For procedures: when the dossier was received (counts may start from it). */
  receivedAt?: number;
  /** The deadline as assigned; the one in force is the last extension's. */
  deadline?: Deadline;
  recurrence?: Recurrence;
  extensions: Extension[];
  occurrences: Record<string, OccurrenceState>;
  /** Cancelled/withdrawn as a whole. */
  cancelledAt?: number;
  cancelReason?: string;
  createdAt: number;
  updatedAt: number;
}

export type TaskEvent =
  | { type: 'created'; at: number; by: string; revision: number }
  | { type: 'updated'; at: number; by: string; revision: number; changes: Record<string, { from: unknown; to: unknown }> }
  | { type: 'completed'; at: number; by: string; revision: number; occurrence: string; completedAt: number; note?: string; document?: string }
  | { type: 'extended'; at: number; by: string; revision: number; occurrence: string; previous: Deadline; deadline: Deadline; document: string; approvedBy: string }
  | { type: 'cancelled'; at: number; by: string; revision: number; occurrence?: string; reason: string }
  | { type: 'reopened'; at: number; by: string; revision: number; occurrence: string; reason: string }
  | { type: 'transferred'; at: number; by: string; revision: number; from: string; to: string; reason: string }
  // Replies through the signed links (issue 6); `linkId` names the link used (src/core/links.ts).
  | { type: 'completion_reported'; at: number; by: string; revision: number; occurrence: string; completedAt: number; note?: string; document?: string; linkId?: string }
  | { type: 'completion_confirmed'; at: number; by: string; revision: number; occurrence: string; completedAt: number; linkId?: string }
  | { type: 'completion_rejected'; at: number; by: string; revision: number; occurrence: string; reason: string; linkId?: string }
  | { type: 'extension_requested'; at: number; by: string; revision: number; occurrence: string; requestId: string; proposedDeadline: Deadline; reason: string; late: boolean; linkId?: string }
  | { type: 'extension_approved'; at: number; by: string; revision: number; occurrence: string; requestId: string; deadline: Deadline; document: string; linkId?: string }
  | { type: 'extension_rejected'; at: number; by: string; revision: number; occurrence: string; requestId: string; reason: string; linkId?: string }
  | { type: 'noncooperation_reported'; at: number; by: string; revision: number; occurrence: string; coordinator: string; reason: string; linkId?: string }
  /** A decision refused on the server: made by whoever asked for it, or by someone not holding the deciding role. */
  | { type: 'reply_refused'; at: number; by: string; revision: number; occurrence: string; action: string; reason: string; linkId?: string };

/** The history events the reply links add (issue 6). */
export type ReplyEventType = 'completion_reported' | 'completion_confirmed' | 'completion_rejected' | 'extension_requested' | 'extension_approved' | 'extension_rejected' | 'noncooperation_reported';

export interface Occurrence {
  /** ONCE, or the period: "2026", "2026-Q2", "2026-06". */
  key: string;
  /** The deadline in force for this occurrence (after extensions). */
  deadline: Deadline;
  /** The deadline as first set, before any extension. */
  originalDeadline: Deadline;
  state: OccurrenceState;
  extended: boolean;
}

const clampDay = (year: number, month: number, day: number): Day => dayFromYmd(year, month, Math.min(day, daysInMonth(year, month)));
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The deadline in force for one occurrence: the latest extension's, else the base one. */
export function deadlineInForce(task: Task, key: string, base: Deadline): Deadline {
  let d = base;
  for (const e of task.extensions) if (e.occurrence === key) d = e.deadline;
  return d;
}

/**
 * The occurrences of a task whose base deadline falls in [from, to] (recurring), or the
 * single one (not recurring; undefined when the task has no deadline).
 */
export function occurrencesOf(task: Task, from: Day, to: Day): Occurrence[] {
  const build = (key: string, base: Deadline): Occurrence => {
    const deadline = deadlineInForce(task, key, base);
    return { key, deadline, originalDeadline: base, state: task.occurrences[key] ?? {}, extended: deadline !== base };
  };
  const r = task.recurrence;
  if (!r) return task.deadline ? [build(ONCE, task.deadline)] : [];
  const lo = Math.max(from, r.from ?? task.assignedOn);
  const hi = Math.min(to, r.until ?? to);
  if (hi < lo) return [];
  const out: Occurrence[] = [];
  const { year: y0 } = ymdFromDay(lo);
  const { year: y1 } = ymdFromDay(hi);
  const minute = task.deadline?.minute;
  const push = (key: string, day: Day): void => {
    if (day >= lo && day <= hi) out.push(build(key, minute === undefined ? { day } : { day, minute }));
  };
  for (let y = y0; y <= y1; y++) {
    if (r.freq === 'yearly') push(String(y), clampDay(y, r.month ?? 12, r.day));
    else if (r.freq === 'quarterly') for (let q = 0; q < 4; q++) push(`${y}-Q${q + 1}`, clampDay(y, q * 3 + (r.month ?? 3), r.day));
    else for (let m = 1; m <= 12; m++) push(`${y}-${pad2(m)}`, clampDay(y, m, r.day));
  }
  return out;
}

export const isTaskCancelled = (t: Task): boolean => t.cancelledAt !== undefined;
