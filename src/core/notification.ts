// What the planner decides: one Notification per step of a ladder (or per daily digest),
// with its id, its instant, its recipients and its state. The delivery side (BullMQ jobs)
// sends the `due` and `planned` ones at `at`; everything else is a record of why not.
import type { Day } from './day.js';
import { formatIsoDay } from './day.js';
import type { RecipientRole } from './policy.js';
import type { Deadline, SourceDocument } from './task.js';

export type NotificationKind = 'reminder' | 'coordinator_reminder' | 'escalation' | 'digest';

/**
 * - planned: in the future; send at `at`.
 * - due: its time has come and it is the latest due step of its ladder; send at `at` (now, or
 *   the next office-hours opening).
 * - done: the history says it was already handled (sent, or failed and reported).
 * - superseded: never sent because a later step of the same ladder was due (catch-up), or the
 *   deadline was extended and the ladder restarted.
 * - backfilled: fell due before the go-live date; recorded, never sent.
 * - cancelled: the task (or occurrence) was completed or cancelled before it went out.
 */
export const NOTIFICATION_STATES = ['planned', 'due', 'done', 'superseded', 'backfilled', 'cancelled'] as const;
export type NotificationState = (typeof NOTIFICATION_STATES)[number];

/** States whose notifications are still to be sent. */
export const isPending = (s: NotificationState): boolean => s === 'planned' || s === 'due';

export interface Recipient {
  role: RecipientRole;
  /** As addressed in "Kính gửi: …", e.g. "Giám đốc Sở Tài chính". */
  title: string;
  email: string;
  /** The body (code) or leader (code) the mailbox belongs to. */
  body?: string;
  leader?: string;
  /** The body's or leader's name, for "who else is informed". */
  name?: string;
}

interface NotificationBase {
  /**
   * Stable: "<task id>_<occurrence>_<step>_<deadline>", e.g.
   * "1510-ubnd-th-20220416-9-syt_once_r-b5wd_20220630" — never the instant or the recipients.
   * The deadline part is the deadline in force as written (D before Art. 148 moves it), so a
   * holiday added to the config — even on the deadline day — moves a notification without
   * renaming it, while an extension (a new deadline) makes new ones.
   * Only [A-Za-z0-9_-] (task ids never contain "_"): safe as a BullMQ job id (no ":", not all
   * digits) and as the local part of a Message-ID.
   */
  id: string;
  kind: NotificationKind;
  /** 0 reminders and digests; 1–3 escalation levels. */
  level: number;
  /** The policy step id, with "-xN" for the N-th repeat of level 3. */
  step: string;
  /** When the step falls by the policy (always inside office hours on a working day). */
  scheduledAt: number;
  /** When to send it: scheduledAt, or for a due catch-up the next office instant from now. */
  at: number;
  to: Recipient[];
  cc: Recipient[];
  template: string;
  state: NotificationState;
  /** Why it is not pending (superseded, cancelled, backfilled), in plain words. */
  reason?: string;
  /** Recipients that could not be resolved (a role without an address): reported, never silently skipped. */
  warnings?: string[];
}

export interface TaskNotification extends NotificationBase {
  kind: 'reminder' | 'coordinator_reminder' | 'escalation';
  taskId: string;
  /** "once", or the period of a recurring duty ("2026", "2026-Q2", "2026-06"). */
  occurrence: string;
  /** "lead", or "coord-<code>": catch-up picks one step per ladder. */
  ladder: string;
  /** 0, or the repeat number of a repeated level-3 step. */
  repeat: number;
  /** The body the ladder is about: the lead body, or the coordinating body. */
  body: string;
  /** The deadline in force as written (shown in mails together with D when they differ). */
  deadline: Deadline;
  /** D: the effective deadline date (Civil Code Art. 148). */
  effectiveDay: Day;
  /** The day the step falls on by the anchoring rule (before moving into office hours). */
  stepDay: Day;
  /** count(day of `at`, D): working days left; negative when overdue. */
  daysLeft: number;
}

export interface DigestItem {
  taskId: string;
  occurrence: string;
  title: string;
  source: SourceDocument;
  lead: string;
  deadline: Deadline;
  effectiveDay: Day;
  daysLeft: number;
  status: 'overdue' | 'due_soon';
}

export interface DigestGroup {
  body: string;
  name: string;
  items: DigestItem[];
}

export interface DigestNotification extends NotificationBase {
  kind: 'digest';
  day: Day;
  groups: DigestGroup[];
  counts: { overdue: number; dueSoon: number };
}

export type Notification = TaskNotification | DigestNotification;

/** "20220630", or "20220630t1700" for a timed deadline: the deadline part of an id. */
export function deadlineCode(d: Deadline): string {
  const day = formatIsoDay(d.day).replace(/-/g, '');
  if (d.minute === undefined) return day;
  return `${day}t${String(Math.floor(d.minute / 60)).padStart(2, '0')}${String(d.minute % 60).padStart(2, '0')}`;
}

/** The id of a body inside a notification id: org codes compare without case. */
export const codeForId = (code: string): string => code.toLowerCase().replace(/[^a-z0-9-]/g, '-');

export const digestId = (day: Day): string => `digest-${formatIsoDay(day).replace(/-/g, '')}`;
