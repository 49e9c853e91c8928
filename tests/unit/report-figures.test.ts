// Report figures for the fixture (tests/fixtures/report/tasks-2022-06.yaml), against the
// expectations counted by hand in its header: every figure per body and in total, the list of
// late tasks, the scope rules (Art. 148, carried-over overdue tasks, no-deadline tasks,
// cancelled ones, recurring duties), status as of the end of the range, and a range not ended.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseIsoDay } from '../../src/core/day.js';
import { type Figures, type Report, buildReport, lateRows, previousWeek, reportEnd } from '../../src/core/report.js';
import { ESCALATIONS, RUN_AT, at, fixtureInputs, reportConfig, withLinkEvents } from './report-support.js';

const d = (s: string): number => parseIsoDay(s)!;
const JUNE = { from: d('2022-06-01'), to: d('2022-06-30') };

type Row = [assigned: number, onTime: number, late: number, within: number, overdue: number, noDeadline: number, extReq: number, extAppr: number, noncoop: number, e1: number, e2: number, e3: number, days: number, avg: number | null];
const fig = (f: Figures): Row => [
  f.assigned,
  f.onTime,
  f.late,
  f.withinDeadline,
  f.overdue,
  f.noDeadline,
  f.extensionsRequested,
  f.extensionsApproved,
  f.noncooperation,
  f.escalations.level1,
  f.escalations.level2,
  f.escalations.level3,
  f.workingDaysLate,
  f.averageWorkingDaysLate,
];

let report: Report;
beforeAll(async () => {
  const cfg = reportConfig();
  report = buildReport(withLinkEvents(await fixtureInputs()), cfg.calendar, cfg.org, { ...JUNE, now: RUN_AT, escalations: ESCALATIONS });
});

describe('June 2022, run on 15/07/2022 (hand-counted in the fixture)', () => {
  it('takes statuses at 24:00 of 30/06 and counts overdue days to 30/06', () => {
    expect(report.asOf).toBe(at('2022-07-01T00:00'));
    expect(report.endDay).toBe(d('2022-06-30'));
    expect(report.generatedAt).toBe(RUN_AT);
  });

  it('has every figure per body, in directory order', () => {
    expect(report.bodies.map((b) => [b.code, ...fig(b)])).toEqual([
      ['STC', 5, 2, 1, 0, 2, 0, 0, 0, 0, 2, 2, 1, 40, 13.33],
      ['STNMT', 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1],
      ['SGDDT', 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 26, 26],
      ['SYT', 4, 1, 0, 0, 2, 1, 1, 1, 0, 0, 0, 0, 5, 2.5],
    ]);
    expect(report.bodies.map((b) => b.name)).toEqual(['Sở Tài chính', 'Sở Tài nguyên và Môi trường', 'Sở Giáo dục và Đào tạo', 'Sở Y tế']);
  });

  it('has the totals, which are the sums of the bodies', () => {
    expect(fig(report.totals)).toEqual([12, 4, 2, 0, 5, 1, 1, 1, 1, 2, 2, 1, 72, 10.29]);
    const t = report.totals;
    expect(t.assigned).toBe(t.onTime + t.late + t.withinDeadline + t.overdue + t.noDeadline);
    for (const k of ['assigned', 'onTime', 'late', 'overdue', 'noDeadline', 'noncooperation', 'workingDaysLate'] as const) {
      expect(report.bodies.reduce((s, b) => s + b[k], 0)).toBe(t[k]);
    }
    expect(report.excluded).toEqual({ cancelled: 1 });
    expect(report.sources).toEqual({ extensionRequests: true, noncooperation: true, escalations: true });
  });

  it('lists the late tasks with D, completion and working days late', () => {
    const late = lateRows(report).map((r) => [r.taskId, r.occurrence, r.status, r.effectiveDay, r.completedOn ?? null, r.workingDaysLate, r.carriedOver]);
    expect(late).toEqual([
      ['rpt-t5', 'once', 'overdue', d('2022-05-20'), null, 29, true],
      ['rpt-t3', 'once', 'late', d('2022-06-15'), d('2022-06-20'), 3, false],
      ['rpt-t4', 'once', 'overdue', d('2022-06-20'), null, 8, false],
      ['rpt-t16', 'once', 'late', d('2022-06-07'), d('2022-06-07'), 1, false],
      ['rpt-t15', '2022-05', 'overdue', d('2022-05-25'), null, 26, true],
      ['rpt-t9', 'once', 'overdue', d('2022-06-24'), null, 4, false],
      ['rpt-t10', 'once', 'overdue', d('2022-06-29'), null, 1, false],
    ]);
  });

  it('applies Art. 148 (a deadline on a day off ends on the next working day)', () => {
    const t2 = report.rows.find((r) => r.taskId === 'rpt-t2')!;
    expect(t2.deadline).toEqual({ day: d('2022-06-11') });
    expect(t2.effectiveDay).toBe(d('2022-06-13'));
    expect(t2.status).toBe('on_time');
    const t15 = report.rows.find((r) => r.taskId === 'rpt-t15' && r.occurrence === '2022-06')!;
    expect([t15.effectiveDay, t15.status]).toEqual([d('2022-06-27'), 'on_time']);
  });

  it('does not see what happened after the end of the range', () => {
    const t9 = report.rows.find((r) => r.taskId === 'rpt-t9')!;
    expect(t9.deadline).toEqual({ day: d('2022-06-24') });
    expect(t9.extensionsApproved).toBe(0);
    const t10 = report.rows.find((r) => r.taskId === 'rpt-t10')!;
    expect(t10.completedAt).toBeUndefined();
    expect(report.rows.some((r) => r.taskId === 'rpt-t7')).toBe(false);
  });

  it('leaves out what is not in scope', () => {
    const ids = new Set(report.rows.map((r) => r.taskId));
    for (const id of ['rpt-t6', 'rpt-t7', 'rpt-t12', 'rpt-t13', 'rpt-t14']) expect(ids.has(id)).toBe(false);
    expect(report.rows.filter((r) => r.taskId === 'rpt-t15').map((r) => r.occurrence)).toEqual(['2022-05', '2022-06']);
  });

  it('attributes rows to the head in office on D, extensions and escalations to their rows', () => {
    const t4 = report.rows.find((r) => r.taskId === 'rpt-t4')!;
    expect(t4.head).toBe('Lê Văn C');
    expect(t4.escalations).toEqual({ level1: 1, level2: 1, level3: 0 });
    const t8 = report.rows.find((r) => r.taskId === 'rpt-t8')!;
    expect([t8.extensionsApproved, t8.originalDeadline, t8.deadline]).toEqual([1, { day: d('2022-06-08') }, { day: d('2022-06-17') }]);
    expect(report.noncooperation).toEqual([
      { taskId: 'rpt-t4', body: 'STNMT', reportedBy: 'STC', at: at('2022-06-22T10:00'), reason: 'Chưa cung cấp số liệu đất đai' },
    ]);
  });
});

describe('one body', () => {
  it('reports its tasks, and the non-cooperation reports naming it', async () => {
    const cfg = reportConfig();
    const inputs = withLinkEvents(await fixtureInputs());
    const stnmt = buildReport(inputs, cfg.calendar, cfg.org, { ...JUNE, now: RUN_AT, body: 'STNMT', escalations: ESCALATIONS });
    expect(stnmt.body).toEqual({ code: 'STNMT', name: 'Sở Tài nguyên và Môi trường' });
    expect(stnmt.rows.map((r) => r.taskId)).toEqual(['rpt-t16']);
    expect(fig(stnmt.totals)).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1]);
    const sgddt = buildReport(inputs, cfg.calendar, cfg.org, { ...JUNE, now: RUN_AT, body: 'SGDDT' });
    expect(fig(sgddt.totals)).toEqual([2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 26, 26]);
    expect(sgddt.excluded.cancelled).toBe(1);
    const snv = buildReport(inputs, cfg.calendar, cfg.org, { ...JUNE, now: RUN_AT, body: 'SNV' });
    expect(snv.bodies.map((b) => [b.code, b.assigned])).toEqual([['SNV', 0]]);
    expect(snv.totals.averageWorkingDaysLate).toBeNull();
  });
});

describe('a range not yet ended (10:00 on 22/06/2022)', () => {
  it('takes statuses now and counts overdue days to today (hand-counted in the fixture)', async () => {
    const cfg = reportConfig();
    const now = at('2022-06-22T10:00');
    const r = buildReport(await fixtureInputs(), cfg.calendar, cfg.org, { ...JUNE, now });
    expect([r.asOf, r.endDay]).toEqual([now, d('2022-06-22')]);
    expect(r.bodies.map((b) => [b.code, b.assigned, b.onTime, b.late, b.withinDeadline, b.overdue, b.noDeadline, b.workingDaysLate])).toEqual([
      ['STC', 6, 2, 1, 1, 2, 0, 28],
      ['STNMT', 1, 0, 1, 0, 0, 0, 1],
      ['SGDDT', 2, 0, 0, 1, 1, 0, 20],
      ['SYT', 4, 1, 0, 2, 0, 1, 0],
    ]);
    expect(fig(r.totals)).toEqual([13, 3, 2, 4, 3, 1, 0, 1, 0, 0, 0, 0, 49, 9.8]);
    expect(r.sources).toEqual({ extensionRequests: false, noncooperation: false, escalations: false });
    expect(r.rows.find((x) => x.taskId === 'rpt-t7')).toMatchObject({ status: 'within_deadline', deadline: { day: d('2022-06-30') } });
  });
});

describe('helpers', () => {
  it('reportEnd: 24:00 of the last day once it has passed, else now', () => {
    const cal = reportConfig().calendar;
    expect(reportEnd(d('2022-06-30'), at('2022-07-01T00:00'), cal)).toEqual({ asOf: at('2022-07-01T00:00'), endDay: d('2022-06-30') });
    expect(reportEnd(d('2022-06-30'), at('2022-06-30T23:59'), cal)).toEqual({ asOf: at('2022-06-30T23:59'), endDay: d('2022-06-30') });
  });

  it('previousWeek: the Monday–Sunday before the week of the day', () => {
    expect(previousWeek(d('2022-06-13'))).toEqual({ from: d('2022-06-06'), to: d('2022-06-12') });
    expect(previousWeek(d('2022-06-19'))).toEqual({ from: d('2022-06-06'), to: d('2022-06-12') });
    expect(previousWeek(d('2022-01-03'))).toEqual({ from: d('2021-12-27'), to: d('2022-01-02') });
  });

  it('refuses a range that ends before it starts', async () => {
    const cfg = reportConfig();
    expect(() => buildReport([], cfg.calendar, cfg.org, { from: JUNE.to, to: JUNE.from, now: RUN_AT })).toThrow(RangeError);
  });
});
