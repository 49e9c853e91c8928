// The notification policy of letter 7176/UBND-NC as data: which steps remind and escalate,
// when (anchored on the effective deadline date D), to whom and with which template.
// The config section (src/config/sections/policy.ts) parses the admin's YAML into this shape;
// the planner only ever sees this. Pure types and helpers, no I/O.
import type { BasisLetter } from './basis.js';
import type { Day } from './day.js';
import { type Duration, durationCode } from './duration.js';
import type { TaskKind } from './task.js';

/** Who a step writes to, resolved through the org directory for each task. */
export const RECIPIENT_ROLES = [
  /** The lead body's head (Thủ trưởng, e.g. Giám đốc Sở). */
  'head',
  /** The lead body's clerical office (văn thư). */
  'clerical',
  /** The leader of UBND tỉnh in charge of the field (task's, else the lead body's). */
  'leader',
  /** Văn phòng UBND tỉnh (7176 §4). */
  'provincial_office',
  /** Sở Nội vụ (7176 §5). */
  'home_affairs',
  /** The chairman's mailbox. */
  'chairman',
  /** Thanh tra tỉnh (7176 §6). */
  'inspectorate',
  /** In coordinator steps: the coordinating body's head and clerical office. */
  'coordinator_head',
  'coordinator_clerical',
] as const;
export type RecipientRole = (typeof RECIPIENT_ROLES)[number];

export type StepKind = 'reminder' | 'coordinator_reminder' | 'escalation';

export const TEMPLATE_NAMES = ['reminder', 'coordinator-reminder', 'escalation-1', 'escalation-2', 'escalation-3', 'digest', 'reminder-list', 'coordinator-reminder-list', 'escalation-list'] as const;

/**
 * Where a step falls relative to D. "On the deadline day" is `before 0 working days`.
 * Day units land on a day (at office opening unless the step names a time); hour and minute
 * units count from the deadline's time, or from the close of office hours on D.
 */
export interface StepOffset {
  direction: 'before' | 'after';
  duration: Duration;
}

export interface PolicyStep {
  /** Stable id, part of every notification id: derived from the step's definition, never its position. */
  id: string;
  kind: StepKind;
  /** 0 for reminders; 1–3 for the escalation levels ("quá hạn" 1, 2, 3). */
  level: number;
  offset: StepOffset;
  /** A wall-clock time for day-unit steps (minutes after midnight); default: office opening. */
  minute?: number;
  to: readonly RecipientRole[];
  cc: readonly RecipientRole[];
  template: string;
  /** Level 3 is repeated while the task stays open: `times` more, each `every` after the last. */
  repeat?: { every: Duration; times: number };
}

export interface KindPolicy {
  reminders: readonly PolicyStep[];
  coordinators: readonly PolicyStep[];
  escalations: readonly PolicyStep[];
  /** What "assigned" means for the steps-before-assignment rule: the assignment day or the receipt. */
  countFrom: 'assigned' | 'received';
  /** Minutes after midnight: a dossier received at or after it counts from the next working day. */
  receivedCutoff?: number;
  /** For count_from received: the processing period, giving D when the task itself has no deadline. */
  period?: Duration;
}

export interface DigestPolicy {
  enabled: boolean;
  /** Minutes after midnight (default 08:00), working days only. */
  minute: number;
  to: readonly RecipientRole[];
  cc: readonly RecipientRole[];
  template: string;
}

export interface Policy {
  /** Steps due before this day are recorded as backfilled and never sent. */
  goLive?: Day;
  /** "Due soon": 0 ≤ working days left ≤ this, and not done. */
  dueSoon: number;
  digest: DigestPolicy;
  /** The policy of each task kind (defaults already merged in). */
  kinds: Readonly<Record<TaskKind, KindPolicy>>;
  /** One mail per person, kind and send window (src/core/bundle.ts). */
  bundle: BundlePolicy;
  /** The letters mails cite, each from the day it took effect (src/core/basis.ts). */
  basis: readonly BasisLetter[];
}

export function policyForKind(policy: Policy, kind: TaskKind): KindPolicy {
  return policy.kinds[kind];
}

/** "r-b5wd", "r-d", "c-b2wd", "e1-a1wd", "e3-a10wd", "r-d-t1400": the default id of a step. */
export function defaultStepId(kind: StepKind, level: number, offset: StepOffset, minute?: number): string {
  const prefix = kind === 'reminder' ? 'r' : kind === 'coordinator_reminder' ? 'c' : `e${level}`;
  const at =
    offset.duration.amount === 0 && offset.direction === 'before' ? 'd' : `${offset.direction === 'before' ? 'b' : 'a'}${durationCode(offset.duration)}`;
  const time = minute === undefined ? '' : `-t${String(Math.floor(minute / 60)).padStart(2, '0')}${String(minute % 60).padStart(2, '0')}`;
  return `${prefix}-${at}${time}`;
}

/** The largest reach of any step after D, in working days, so planners know how far back to look. */
export function maxReachWorkingDays(k: KindPolicy): number {
  let max = 0;
  for (const s of [...k.reminders, ...k.coordinators, ...k.escalations]) {
    const { amount, unit } = s.offset.duration;
    const days = unit === 'hour' ? Math.ceil(amount / 24) + 1 : unit === 'minute' ? Math.ceil(amount / 1440) + 1 : amount;
    let reach = s.offset.direction === 'after' ? days : 0;
    if (s.repeat) reach += s.repeat.every.amount * s.repeat.times;
    max = Math.max(max, reach);
  }
  return max;
}

/** policy.bundle: one mail per person, kind and send window (src/core/bundle.ts). */
export interface BundlePolicy {
  enabled: boolean;
  /** Working days per window. */
  windowDays: number;
  /** Most items in one mail. */
  maxItems: number;
}
