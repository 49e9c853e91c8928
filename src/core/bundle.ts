// Bundles: leaders read lists, not piles (docs/DOMAIN.md "Who may decide what"). Every copy of
// the same kind (reminder, coordinator reminder, escalation) that falls due for the same person
// in the same send window goes out in one mail — "Danh sách N nhiệm vụ quá hạn …" — so a
// chairman with ten overdue items gets one mail a morning, not ten.
//
// The rule, shared by the running service (src/store/bundles.ts, in Lua) and by simulate
// (src/core/delivery-run.ts), so both send the same mails:
//   - a window is `windowDays` working days (default 1: one working day's office hours);
//   - the first copy due in a window opens its bundle, which goes out at that copy's time plus
//     a short gather delay (delivery.bundle_gather: an import's items all make it in);
//   - a copy due at or before that send time joins (as does any copy while a bundle whose time
//     has come has not gone yet); one due later in the window (a step timed later in the day, a
//     task added in the afternoon) joins the next window's bundle, sent at that window's
//     opening: one mail of a kind per person per window (a window whose bundle sent nothing —
//     all skipped, muted or failed — is free again);
//   - a bundle with more than `maxItems` items goes as several mails ("phần 2", …).
// With bundling off every copy is its own mail, at its own time. Pure: no I/O, no clock.
import type { Calendar } from './calendar.js';
import { type Day, formatIsoDay } from './day.js';
import type { TaskNotification } from './notification.js';
import type { BundlePolicy } from './policy.js';

export type { BundlePolicy };

export const DEFAULT_BUNDLE: BundlePolicy = Object.freeze({ enabled: true, windowDays: 1, maxItems: 50 });

export type BundleKind = TaskNotification['kind'];

const KIND_CODE: Readonly<Record<BundleKind, string>> = { reminder: 'rem', coordinator_reminder: 'coord', escalation: 'esc' };

/** The first working day of the window an instant falls in (windows are aligned on the calendar's first working day). */
export function windowOf(at: number, calendar: Calendar, windowDays: number): Day {
  const day = calendar.effectiveEnd(calendar.zone.dayOf(at));
  if (windowDays <= 1) return day;
  // count(firstDay, day) ≥ 1 numbers the working days from 1; windows start at 1, 1+N, 1+2N, …
  const index = calendar.count(calendar.firstDay, day);
  return calendar.add(calendar.firstDay, index - ((index - 1) % windowDays));
}

export const nextWindow = (window: Day, calendar: Calendar, windowDays: number): Day => calendar.add(window, Math.max(1, windowDays));

/** The bundle of one person's copies of one kind in one window: "b-esc-20220715-r0a1b2c3d4e5f". */
export const bundleId = (kind: BundleKind, window: Day, key: string): string => `b-${KIND_CODE[kind]}-${formatIsoDay(window).replace(/-/g, '')}-r${key}`;

/** With bundling off, a copy is a bundle of its own. */
export const singleBundleId = (copyId: string): string => `b-${copyId}`;

/** The id of the k-th mail (0-based) of a bundle: its own id, then "-p2", "-p3", … */
export const bundleMailId = (bundle: string, part: number): string => (part === 0 ? bundle : `${bundle}-p${part + 1}`);

export interface BundleCandidate {
  id: string;
  window: Day;
  /** Its send time if this copy is the one that opens it. */
  fireAtIfNew: number;
}

/**
 * Where a copy due at `at` may go, in order: its own window's bundle, then the next two (a
 * bundle is joined only while open and when the copy is due by its send time; see the file
 * comment). With bundling off: one bundle of its own.
 */
export function bundleCandidates(
  copy: { id: string; key: string },
  kind: BundleKind,
  at: number,
  calendar: Calendar,
  bundle: BundlePolicy,
  gatherMs: number,
): BundleCandidate[] {
  if (!bundle.enabled) return [{ id: singleBundleId(copy.id), window: calendar.zone.dayOf(at), fireAtIfNew: at }];
  const out: BundleCandidate[] = [];
  let w = windowOf(at, calendar, bundle.windowDays);
  for (let i = 0; i < 3; i++) {
    out.push({ id: bundleId(kind, w, copy.key), window: w, fireAtIfNew: Math.max(at, calendar.openingOf(w)) + gatherMs });
    w = nextWindow(w, calendar, bundle.windowDays);
  }
  return out;
}

/**
 * Whether a copy due at `at` may join an existing bundle (the same test as the Lua script's):
 * while it is open, if the copy is due by its send time — or that time has passed and the
 * bundle has not gone yet (a backlog, a clock that jumped): it goes in the mail about to leave.
 */
export const mayJoin = (b: { closed: boolean; fireAt: number }, at: number, now: number): boolean => !b.closed && (at <= b.fireAt || b.fireAt <= now);

/** Splits a bundle's items into mails of at most maxItems, in the order given. */
export function splitMails<T>(items: readonly T[], maxItems: number): T[][] {
  const size = Math.max(1, maxItems);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
