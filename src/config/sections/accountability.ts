// Config section `accountability` (letter 7176/UBND-NC §4–§5): when a body counts as late
// "many times", who hears of it, and the weekly summary to Sở Nội vụ. No national rule fixes
// "many times" (DOMAIN.md), so the threshold, the rating window and the further steps are data.
//
//   accountability:
//     lateness:
//       threshold: 3              # tasks finished late or still overdue in one window
//       window: calendar_year     # calendar_year | quarter | month | rolling_12_months
//       steps: [3, 5, 10]         # a notice at each; the threshold is always the first
//       to: [home_affairs]
//       cc: [provincial_office]
//     reports:
//       weekly: { enabled: true, day: monday, at: "08:00", to: [home_affairs], cc: [provincial_office] }
import { z } from 'zod';
import { LATENESS_WINDOWS } from '../../core/lateness.js';
import { clockTime } from '../fields.js';

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** Who may receive accountability mail: the 7176 roles, plus the late body's head and its leader in charge. */
export const ACCOUNTABILITY_ROLES = ['home_affairs', 'provincial_office', 'chairman', 'inspectorate', 'head', 'leader'] as const;
export type AccountabilityRole = (typeof ACCOUNTABILITY_ROLES)[number];
/** The weekly summary is about every body, so it goes to the provincial roles only. */
const REPORT_ROLES = ['home_affairs', 'provincial_office', 'chairman', 'inspectorate'] as const;

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

const count = (what: string) =>
  z
    .number({ error: (iss) => `expected ${what} (a whole number from 1 to 1000), got ${shown(iss.input)}` })
    .int({ error: (iss) => `expected ${what} (a whole number from 1 to 1000), got ${shown(iss.input)}` })
    .min(1, { error: `expected ${what} from 1 to 1000` })
    .max(1000, { error: `expected ${what} from 1 to 1000` });

const roleList = <T extends readonly [string, ...string[]]>(allowed: T) =>
  z.array(z.enum(allowed, { error: (iss) => `expected one of ${allowed.join(', ')}, got ${shown(iss.input)}` }), {
    error: (iss) => `expected a list of roles like [${allowed[0]}], got ${shown(iss.input)}`,
  });

const DEFAULT_STEPS = [3, 5, 10];

const latenessSchema = z
  .strictObject({
    threshold: count('a number of late tasks').default(3),
    window: z.enum(LATENESS_WINDOWS, { error: (iss) => `expected one of ${LATENESS_WINDOWS.join(', ')}, got ${shown(iss.input)}` }).default('calendar_year'),
    /** Absent: 3, 5, 10 above the threshold. */
    steps: z.array(count('a step'), { error: (iss) => `expected a list of counts like [3, 5, 10], got ${shown(iss.input)}` }).optional(),
    to: roleList(ACCOUNTABILITY_ROLES).min(1, { error: 'name at least one recipient role' }).default(['home_affairs']),
    cc: roleList(ACCOUNTABILITY_ROLES).default(['provincial_office']),
  })
  .superRefine((l, ctx) => {
    if (!l.steps) return;
    l.steps.forEach((s, i) => {
      if (i > 0 && s <= l.steps![i - 1]!) ctx.addIssue({ code: 'custom', path: ['steps', i], message: `steps must increase: ${s} does not come after ${l.steps![i - 1]}` });
      if (s < l.threshold) ctx.addIssue({ code: 'custom', path: ['steps', i], message: `${s} is below the threshold ${l.threshold}: a body is not "late many times" before the threshold` });
    });
  })
  .prefault({})
  .transform((l) => {
    // The threshold is always the first step: the first notice goes out when it is reached.
    const given = l.steps ?? DEFAULT_STEPS.filter((s) => s > l.threshold);
    const steps = [...new Set([l.threshold, ...given])].sort((a, b) => a - b);
    return { threshold: l.threshold, window: l.window, steps, to: l.to, cc: l.cc };
  });

const weeklySchema = z
  .strictObject({
    enabled: z.boolean({ error: (iss) => `expected true or false, got ${shown(iss.input)}` }).default(true),
    day: z.enum(WEEKDAYS, { error: (iss) => `expected a weekday in English like monday, got ${shown(iss.input)}` }).default('monday'),
    /** Local time; on a day off the summary goes out at this time on the next working day. */
    at: clockTime.prefault('08:00'),
    to: roleList(REPORT_ROLES).min(1, { error: 'name at least one recipient role' }).default(['home_affairs']),
    cc: roleList(REPORT_ROLES).default(['provincial_office']),
  })
  .prefault({})
  .transform((w) => ({ enabled: w.enabled, weekday: WEEKDAYS.indexOf(w.day) + 1, day: w.day, minute: w.at, to: w.to, cc: w.cc }));

export const accountabilitySchema = z
  .strictObject({
    lateness: latenessSchema,
    reports: z.strictObject({ weekly: weeklySchema }).prefault({}),
  })
  .prefault({});

export type AccountabilityConfig = z.output<typeof accountabilitySchema>;
export type LatenessConfig = AccountabilityConfig['lateness'];
export type WeeklyReportConfig = AccountabilityConfig['reports']['weekly'];
