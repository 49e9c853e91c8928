// Properties of reports over random task sets (fast-check): the categories add up, the bodies
// add up to the total, every late row is at least one working day late, and — what makes a
// closed period's report stable — nothing that happens after the end of the range changes it.
// Repeat lateness: an engine that evaluates every day sends each notice id at most once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Day, formatIsoDay, parseIsoDay } from '../../src/core/day.js';
import { latenessCrossings } from '../../src/core/lateness.js';
import { type Report, type ReportInput, buildReport } from '../../src/core/report.js';
import { at, makeInput, reportConfig } from './report-support.js';

const d = (s: string): Day => parseIsoDay(s)!;
const BASE = d('2022-05-01');
const BUILT_AT = at('2023-06-01T00:00');

const taskArb = fc.record({
  lead: fc.constantFrom('STC', 'SYT', 'SGDDT'),
  deadline: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
  doneAfter: fc.option(fc.integer({ min: -10, max: 40 }), { nil: undefined }),
  extendBy: fc.option(fc.integer({ min: 7, max: 30 }), { nil: undefined }),
  cancelAfter: fc.option(fc.integer({ min: -5, max: 30 }), { nil: undefined }),
});

type Spec = typeof taskArb extends fc.Arbitrary<infer T> ? T : never;

function inputsOf(specs: readonly Spec[]): ReportInput[] {
  return specs.map((s, i) => {
    const events: unknown[] = [];
    const deadline = s.deadline === undefined ? undefined : BASE + s.deadline;
    if (deadline !== undefined && s.extendBy !== undefined) {
      events.push({ type: 'extended', on: formatIsoDay(deadline - 2), deadline: formatIsoDay(deadline + s.extendBy), document: 'Công văn số 1/UBND-TH', approved_by: 'Chủ tịch UBND tỉnh' });
    }
    const ref = deadline ?? BASE + 30;
    if (s.doneAfter !== undefined) events.push({ type: 'completed', on: formatIsoDay(Math.max(ref + s.doneAfter, d('2022-04-21'))) });
    else if (s.cancelAfter !== undefined) events.push({ type: 'cancelled', on: formatIsoDay(Math.max(ref + s.cancelAfter, d('2022-04-21'))), reason: 'Thu hồi' });
    return makeInput(
      {
        id: `p${i}`,
        lead: s.lead,
        deadline: deadline === undefined ? null : formatIsoDay(deadline),
        assigned_on: deadline === undefined ? formatIsoDay(BASE + (i % 90)) : '2022-04-20',
        events: events as never,
      },
      BUILT_AT,
    );
  });
}

const withoutClock = (r: Report): Omit<Report, 'generatedAt'> => {
  const { generatedAt: _g, ...rest } = r;
  return rest;
};

describe('report properties', () => {
  it('adds up, and does not change with what happens after the range', () => {
    const cfg = reportConfig();
    fc.assert(
      fc.property(fc.array(taskArb, { maxLength: 25 }), fc.integer({ min: 0, max: 400 }), (specs, laterDays) => {
        const inputs = inputsOf(specs);
        const range = { from: d('2022-06-01'), to: d('2022-06-30') };
        const r = buildReport(inputs, cfg.calendar, cfg.org, { ...range, now: at('2022-07-01T00:00') });
        const later = buildReport(inputs, cfg.calendar, cfg.org, { ...range, now: at('2022-07-01T00:00') + laterDays * 86_400_000 });
        expect(withoutClock(later)).toEqual(withoutClock(r));

        const t = r.totals;
        expect(t.assigned).toBe(t.onTime + t.late + t.withinDeadline + t.overdue + t.noDeadline);
        expect(t.assigned).toBe(r.rows.length);
        expect(t.withinDeadline).toBe(0); // a closed range: everything due in it is done or overdue
        for (const k of ['assigned', 'onTime', 'late', 'overdue', 'noDeadline', 'workingDaysLate'] as const) {
          expect(r.bodies.reduce((s, b) => s + b[k], 0)).toBe(t[k]);
        }
        for (const row of r.rows) {
          if (row.status === 'late' || row.status === 'overdue') expect(row.workingDaysLate).toBeGreaterThanOrEqual(1);
          else expect(row.workingDaysLate).toBeUndefined();
          if (row.effectiveDay !== undefined && !row.carriedOver) expect(row.effectiveDay >= range.from && row.effectiveDay <= range.to).toBe(true);
          if (row.carriedOver) expect(row.status).toBe('overdue');
        }
      }),
      { numRuns: 60 },
    );
  });

  it('sends each lateness notice at most once, whatever the tasks', () => {
    const cfg = reportConfig();
    const rule = cfg.config.accountability.lateness;
    fc.assert(
      fc.property(fc.array(taskArb, { maxLength: 20 }), (specs) => {
        const inputs = inputsOf(specs);
        const sent = new Set<string>();
        for (let day = d('2022-05-01'); day <= d('2022-10-01'); day += 3) {
          for (const c of latenessCrossings(inputs, cfg.calendar, cfg.org, rule, cfg.calendar.zone.instantAt(day, 480), sent)) {
            expect(sent.has(c.id)).toBe(false);
            expect(c.count).toBeGreaterThanOrEqual(c.step);
            expect(c.tasks).toHaveLength(c.count);
            sent.add(c.id);
          }
        }
      }),
      { numRuns: 30 },
    );
  });
});
