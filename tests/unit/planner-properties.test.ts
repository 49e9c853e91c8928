// Rules that must hold for every task and every moment (fast-check, fixed seed, bounded runs):
// mail to people only inside office hours on working days, never in the past; ids stable
// across runs, independent of `now`, and unchanged when a holiday is added to the config.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import type { Calendar } from '../../src/core/calendar.js';
import { formatIsoDay } from '../../src/core/day.js';
import { isPending } from '../../src/core/notification.js';
import { planNotifications } from '../../src/core/planner.js';
import type { Policy } from '../../src/core/policy.js';
import { ISSUER, day, makeOrg, makePolicy, makeTask, shippedCalendar } from './planner-fixtures.js';

const org = makeOrg();
const plain = shippedCalendar();
const withLunch = loadConfigText('office_hours: { open: "07:00", close: "17:00", lunch: { from: "11:30", to: "13:30" } }\n', 'lunch.yaml', 'config').calendar;
const policies: Policy[] = [
  makePolicy(),
  // Steps that name times (one inside the lunch break, one after close) and hour offsets.
  makePolicy({
    reminders: [{ before: '3 working days', at: '12:00' }, { before: '2 days' }, { before: '90 minutes' }, { on: 'deadline', at: '18:30' }],
    coordinators: [{ before: '1 working day', at: '06:00' }],
    escalations: [{ level: 1, after: '5 hours' }, { level: 2, after: '4 days' }, { level: 3, after: '7 working days', repeat: { every: '3 days', times: 2 } }],
  }),
];
const FIRST = day('2025-01-01');
const SPAN = day('2026-12-31') - FIRST;
const BODIES = ['STC', 'SYT', 'SGDDT', 'SNV', 'SKHDT'];

const taskArb = fc.record({
  lead: fc.constantFrom(...BODIES),
  coordinators: fc.subarray(BODIES, { maxLength: 3 }),
  deadlineOffset: fc.integer({ min: 40, max: SPAN - 10 }),
  leadTime: fc.integer({ min: 0, max: 90 }),
  minute: fc.option(fc.integer({ min: 0, max: 24 * 60 - 1 }), { nil: undefined }),
});
type TaskSpec = typeof taskArb extends fc.Arbitrary<infer T> ? T : never;

const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const build = (calendar: Calendar, s: TaskSpec) => {
  const deadline = FIRST + s.deadlineOffset;
  return makeTask(calendar, org, {
    title: 'Nhiệm vụ',
    source: { number: '1510/UBND-TH', date: formatIsoDay(deadline - s.leadTime - 5), issuer: ISSUER, item: String(s.deadlineOffset) },
    lead: s.lead,
    coordinators: s.coordinators.filter((c) => c !== s.lead),
    assigned_on: formatIsoDay(deadline - s.leadTime),
    deadline: `${formatIsoDay(deadline)}${s.minute === undefined ? '' : `T${hhmm(s.minute)}`}`,
  });
};

describe('planner properties', () => {
  it('never plans mail to a person outside office hours, on a day off, or in the past', () => {
    fc.assert(
      fc.property(taskArb, fc.integer({ min: 0, max: SPAN * 24 * 60 }), fc.boolean(), fc.constantFrom(0, 1), (spec, nowMinute, lunch, p) => {
        const calendar = lunch ? withLunch : plain;
        const now = calendar.zone.startOfDay(FIRST) + nowMinute * 60_000;
        const plan = planNotifications(build(calendar, spec), undefined, policies[p]!, calendar, org, now);
        expect(plan.length).toBeGreaterThan(0);
        for (const n of plan) {
          expect(calendar.isOfficeInstant(n.scheduledAt)).toBe(true);
          if (!isPending(n.state)) continue;
          expect(calendar.isWorkingDay(calendar.zone.dayOf(n.at))).toBe(true);
          expect(calendar.isOfficeInstant(n.at)).toBe(true);
          expect(n.at).toBeGreaterThanOrEqual(now);
        }
        // At most one due step per ladder (catch-up).
        const due = plan.filter((n) => n.state === 'due').map((n) => `${n.occurrence}/${n.ladder}`);
        expect(new Set(due).size).toBe(due.length);
      }),
      { seed: 7176, numRuns: 300 },
    );
  });

  it('gives the same ids on every run and whatever the time of planning', () => {
    fc.assert(
      fc.property(taskArb, fc.integer({ min: 0, max: SPAN * 24 * 60 }), fc.integer({ min: 0, max: SPAN * 24 * 60 }), fc.constantFrom(0, 1), (spec, m1, m2, p) => {
        const task = build(plain, spec);
        const t1 = plain.zone.startOfDay(FIRST) + m1 * 60_000;
        const t2 = plain.zone.startOfDay(FIRST) + m2 * 60_000;
        const a = planNotifications(task, undefined, policies[p]!, plain, org, t1);
        const again = planNotifications(build(plain, spec), undefined, policies[p]!, plain, org, t1);
        expect(again).toEqual(a);
        const b = planNotifications(task, undefined, policies[p]!, plain, org, t2);
        expect(b.map((n) => n.id).sort()).toEqual(a.map((n) => n.id).sort());
        for (const n of a) expect(n.id).toMatch(/^[A-Za-z0-9_-]+$/);
      }),
      { seed: 148, numRuns: 200 },
    );
  });

  it('keeps every id when a holiday is added to the config; only the instants move', () => {
    fc.assert(
      fc.property(
        taskArb.map((s) => ({ ...s, leadTime: 90, deadlineOffset: Math.min(s.deadlineOffset, SPAN - 120) })),
        fc.integer({ min: -12, max: 20 }),
        (spec, k) => {
          // A new day off near the deadline: on it, or on a day a step would fall.
          const holiday = FIRST + spec.deadlineOffset + k;
          const extra = loadConfigText(`calendar:\n  days_off:\n    - { date: ${formatIsoDay(holiday)}, name: Nghỉ lễ mới }\n`, 'extra.yaml', 'config').calendar;
          const now = plain.zone.startOfDay(FIRST);
          const before = planNotifications(build(plain, spec), undefined, policies[0]!, plain, org, now);
          const after = planNotifications(build(extra, spec), undefined, policies[0]!, extra, org, now);
          expect(after.map((n) => n.id).sort()).toEqual(before.map((n) => n.id).sort());
          for (const n of after) expect(extra.zone.dayOf(n.at)).not.toBe(holiday);
        },
      ),
      { seed: 2025, numRuns: 25 },
    );
  });
});
