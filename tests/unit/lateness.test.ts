// Repeat lateness (7176 §5): a body crossing the threshold in a window gets one notice per step,
// across a year boundary; a new year counts afresh; the head in office on each task's D is
// named; rolling windows re-arm when the count falls below the threshold.
import { beforeAll, describe, expect, it } from 'vitest';
import { type Day, formatIsoDay, parseIsoDay } from '../../src/core/day.js';
import { type LatenessCrossing, type LatenessRule, latenessCrossings, latenessNoticeId, rollingStart, windowOf } from '../../src/core/lateness.js';
import type { ReportInput } from '../../src/core/report.js';
import { at, makeInput, reportConfig } from './report-support.js';

const d = (s: string): Day => parseIsoDay(s)!;
const BUILT_AT = at('2024-01-01T00:00');
const YEAR: LatenessRule = { threshold: 3, window: 'calendar_year', steps: [3, 5, 10] };

const done = (on: string) => [{ type: 'completed' as const, on }];

/** Sở Tài chính around New Year 2022 (heads: Nguyễn Văn A to 31/12/2021, Trần Thị B from 01/01/2022). */
function stcAroundNewYear(): ReportInput[] {
  const t = (id: string, deadline: string, events: unknown[] = []) => makeInput({ id, lead: 'STC', deadline, events: events as never }, BUILT_AT);
  return [
    t('a', '2021-12-10', done('2021-12-15')), // late
    t('b', '2021-12-20', done('2021-12-20')), // on time: not counted
    t('c', '2021-12-24'), // overdue from 25/12/2021
    t('d', '2021-12-31'), // overdue from 00:00 01/01/2022 — still a 2021 task
    t('e', '2022-01-12', done('2022-01-14')), // late
    t('f', '2022-01-13'),
    t('g', '2022-01-14'),
    t('h', '2022-01-17'),
    t('i', '2022-01-18'),
    t('j', '2022-01-10', [{ type: 'extended', on: '2022-01-07', deadline: '2022-02-28', document: 'Công văn số 50/UBND-TH ngày 07/01/2022', approved_by: 'Chủ tịch UBND tỉnh' }]),
    t('k', '2022-01-11', [{ type: 'cancelled', on: '2022-01-10', reason: 'Thu hồi' }]),
    // Another body with two late tasks: below the threshold.
    makeInput({ id: 'y1', lead: 'SYT', deadline: '2021-12-15' }, BUILT_AT),
    makeInput({ id: 'y2', lead: 'SYT', deadline: '2021-12-16' }, BUILT_AT),
  ];
}

/** An engine that wakes at 00:30 and 08:00 every day and sends what is due, once per id. */
function runEngine(inputs: ReportInput[], rule: LatenessRule, from: string, to: string): Array<{ on: string; crossing: LatenessCrossing }> {
  const cfg = reportConfig();
  const sent = new Set<string>();
  const log: Array<{ on: string; crossing: LatenessCrossing }> = [];
  for (let day = d(from); day <= d(to); day++) {
    for (const minute of [30, 480]) {
      for (const c of latenessCrossings(inputs, cfg.calendar, cfg.org, rule, cfg.calendar.zone.instantAt(day, minute), sent)) {
        expect(sent.has(c.id)).toBe(false);
        sent.add(c.id);
        log.push({ on: formatIsoDay(day), crossing: c });
      }
    }
  }
  return log;
}

describe('calendar year, across New Year 2022', () => {
  const inputs = stcAroundNewYear();
  let log: ReturnType<typeof runEngine> = [];
  beforeAll(() => {
    log = runEngine(inputs, YEAR, '2021-12-01', '2022-02-10');
  });

  it('sends each crossing exactly once, when it happens', () => {
    expect(log.map((l) => [l.on, l.crossing.id])).toEqual([
      ['2022-01-01', 'lateness-STC-2021-3'],
      ['2022-01-15', 'lateness-STC-2022-3'],
      ['2022-01-19', 'lateness-STC-2022-5'],
    ]);
  });

  it('counts a task in the year of its deadline: the new year starts afresh', () => {
    const [y2021, y2022] = [log[0]!.crossing, log[1]!.crossing];
    expect(y2021).toMatchObject({ body: 'STC', bodyName: 'Sở Tài chính', count: 3, step: 3, threshold: 3, windowKey: '2021', reachedOn: d('2021-12-31') });
    expect(y2021.tasks.map((t) => [t.taskId, t.status])).toEqual([
      ['a', 'late'],
      ['c', 'overdue'],
      ['d', 'overdue'],
    ]);
    // c and d are still overdue in January, yet 2022 counts only 2022 deadlines.
    expect(y2022.tasks.map((t) => t.taskId)).toEqual(['e', 'f', 'g']);
    expect(log[2]!.crossing.tasks.map((t) => t.taskId)).toEqual(['e', 'f', 'g', 'h', 'i']);
    expect(log[2]!.crossing.count).toBe(5);
  });

  it('names the head in office on D', () => {
    expect(log[0]!.crossing.head).toEqual({ name: 'Nguyễn Văn A' });
    expect(log[0]!.crossing.heads).toEqual([{ name: 'Nguyễn Văn A', count: 3 }]);
    expect(log[1]!.crossing.head).toEqual({ name: 'Trần Thị B', title: 'Phó Giám đốc phụ trách Sở Tài chính' });
    expect(log[0]!.crossing.tasks.map((t) => t.head)).toEqual(['Nguyễn Văn A', 'Nguyễn Văn A', 'Nguyễn Văn A']);
    expect(log[0]!.crossing.tasks.map((t) => t.workingDaysLate)).toEqual([3, 5, 1]);
  });

  it('sends nothing more in the next year for windows already told', () => {
    const cfg = reportConfig();
    const sent = new Set(log.map((l) => l.crossing.id));
    expect(latenessCrossings(inputs, cfg.calendar, cfg.org, YEAR, at('2023-01-03T08:00'), sent)).toEqual([]);
  });
});

describe('steps', () => {
  const cfg = reportConfig();
  const inputs = stcAroundNewYear();
  const jan25 = at('2022-01-25T08:00');

  it('a jump past several steps is one notice, for the highest', () => {
    const got = latenessCrossings(inputs, cfg.calendar, cfg.org, YEAR, jan25, new Set(['lateness-STC-2021-3']));
    expect(got.map((c) => c.id)).toEqual(['lateness-STC-2022-5']);
  });

  it('a notice for a higher step covers the lower ones', () => {
    const sent = (id: string): boolean => id === 'lateness-STC-2022-5' || id === 'lateness-STC-2021-10';
    expect(latenessCrossings(inputs, cfg.calendar, cfg.org, YEAR, jan25, sent)).toEqual([]);
  });

  it('the threshold is configurable, and always the first step', () => {
    const got = latenessCrossings(inputs, cfg.calendar, cfg.org, { threshold: 2, window: 'calendar_year', steps: [5] }, at('2021-12-20T08:00'));
    expect(got.map((c) => [c.id, c.count])).toEqual([
      ['lateness-SYT-2021-2', 2],
    ]);
    expect(latenessNoticeId('SYT', '2021', 2)).toBe('lateness-SYT-2021-2');
  });
});

describe('windows', () => {
  it('keys calendar windows', () => {
    expect(windowOf('calendar_year', d('2022-05-17'))).toMatchObject({ key: '2022', from: d('2022-01-01'), to: d('2022-12-31') });
    expect(windowOf('quarter', d('2022-05-17'))).toMatchObject({ key: '2022-Q2', from: d('2022-04-01'), to: d('2022-06-30') });
    expect(windowOf('month', d('2022-02-17'))).toMatchObject({ key: '2022-02', from: d('2022-02-01'), to: d('2022-02-28') });
    expect(rollingStart(d('2024-02-29'))).toBe(d('2023-03-01'));
    expect(rollingStart(d('2022-03-10'))).toBe(d('2021-03-11'));
  });

  it('quarter: the crossing of Q4 2021 is told in Q1 2022', () => {
    const cfg = reportConfig();
    const got = latenessCrossings(stcAroundNewYear(), cfg.calendar, cfg.org, { threshold: 3, window: 'quarter', steps: [] }, at('2022-01-05T08:00'));
    expect(got.map((c) => c.id)).toEqual(['lateness-STC-2021-Q4-3']);
  });

  it('rolling 12 months: told once per stretch above the threshold, again after falling below', () => {
    const rule: LatenessRule = { threshold: 3, window: 'rolling_12_months', steps: [3, 5] };
    const inputs = ['2021-03-10', '2021-06-10', '2021-09-10', '2022-04-13'].map((dl, i) => makeInput({ id: `r${i}`, lead: 'STC', deadline: dl }, BUILT_AT));
    const log = runEngine(inputs, rule, '2021-03-01', '2022-06-30');
    expect(log.map((l) => [l.on, l.crossing.id, l.crossing.count])).toEqual([
      ['2021-09-11', 'lateness-STC-R2021-09-10-3', 3],
      ['2022-04-14', 'lateness-STC-R2022-04-13-3', 3],
    ]);
    expect(log[1]!.crossing.tasks.map((t) => t.taskId)).toEqual(['r1', 'r2', 'r3']);
    expect(log[1]!.crossing.window).toMatchObject({ from: d('2021-04-15'), to: d('2022-04-14') });
    expect(log[1]!.crossing.reachedOn).toBe(d('2022-04-13'));
  });
});
