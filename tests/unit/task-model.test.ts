import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { formatIsoDay, parseIsoDay } from '../../src/core/day.js';
import type { OrgDirectory } from '../../src/core/org.js';
import { taskStatus } from '../../src/core/status.js';
import { occurrencesOf } from '../../src/core/task.js';
import { deriveTaskId, taskInputSchema } from '../../src/core/task-codec.js';
import { buildTask, cancelTask, completeTask, extendTask, reopenTask, updateTask } from '../../src/core/task-ops.js';
import { DondocError } from '../../src/errors.js';

const { calendar } = loadConfig({ file: 'config/dondoc.yaml', env: {} });
const day = (s: string): number => parseIsoDay(s)!;
const at = (s: string): number => Date.parse(s);
const org: OrgDirectory = {
  bodies: new Map([
    ['SYT', { code: 'SYT', name: 'Sở Y tế', kind: 'so', head: { title: 'Giám đốc Sở Y tế', email: 'gd.syt@example.gov.vn' }, acting: false, headTenures: [], leader: 'PCT-VX', aliases: [] }],
  ]),
  leaders: new Map(),
  roles: { provincialOffice: 'VP', homeAffairs: 'SNV', chairman: 'CT', inspectorate: 'TTT' },
};
const input = (over: Record<string, unknown> = {}) =>
  taskInputSchema.parse({
    title: 'Tiêm vắc-xin phòng COVID-19 cho trẻ em từ 5 đến dưới 12 tuổi',
    source: { number: '1510/UBND-TH', date: '2022-04-16', issuer: 'UBND tỉnh Thái Nguyên', item: '9' },
    lead: 'SYT',
    deadline: '2022-06-30',
    ...over,
  });
const actor = { by: 'test', now: at('2022-04-20T09:00:00+07:00') };

describe('task ids', () => {
  it('derive from document number, date, item and lead body only', () => {
    expect(deriveTaskId({ number: '1510/UBND-TH', date: day('2022-04-16'), item: '9' }, 'SYT')).toBe('1510-ubnd-th-20220416-9-syt');
    const a = buildTask(input(), calendar, org, actor).task;
    const b = buildTask(input({ title: 'Sửa lỗi chính tả', deadline: '2022-07-15' }), calendar, org, actor).task;
    expect(a.id).toBe(b.id);
    expect(a.id).toMatch(/^[a-z0-9-]+$/);
  });

  it('NFD and NFC document numbers give the same id', () => {
    const nfd = 'Số 12/QĐ-UBND'.normalize('NFD');
    expect(deriveTaskId({ number: nfd, date: day('2022-01-01') }, 'SYT')).toBe(deriveTaskId({ number: 'Số 12/QĐ-UBND', date: day('2022-01-01') }, 'SYT'));
  });
});

describe('building a task from input', () => {
  it('fills defaults: leader from the lead body, assigned on the document date', () => {
    const { task, events, warnings } = buildTask(input(), calendar, org, actor);
    expect(task.leader).toBe('PCT-VX');
    expect(formatIsoDay(task.assignedOn)).toBe('2022-04-16');
    expect(events.map((e) => e.type)).toEqual(['created']);
    expect(warnings).toEqual([]);
  });

  it('a deadline before the assignment is a warning, not an error', () => {
    const { warnings } = buildTask(input({ deadline: '2022-04-01' }), calendar, org, actor);
    expect(warnings[0]).toMatch(/sớm hơn ngày giao/);
  });

  it('applies status events at their own time', () => {
    const { task, events } = buildTask(
      input({ events: [{ type: 'extended', on: '2022-06-20', deadline: '2022-07-29', document: 'Công văn số 99/UBND-TH', approved_by: 'PCT UBND tỉnh' }, { type: 'completed', on: '2022-07-20' }] }),
      calendar,
      org,
      { by: 'test', now: at('2022-08-01T09:00:00+07:00') },
    );
    expect(events.map((e) => e.type)).toEqual(['created', 'extended', 'completed']);
    expect(taskStatus(task, calendar, at('2022-08-01T09:00:00+07:00')).status).toBe('on_time');
  });

  it('refuses events in the future', () => {
    expect(() => buildTask(input({ events: [{ type: 'completed', on: '2022-05-01' }] }), calendar, org, actor)).toThrow(/in the future/);
  });
});

describe('derived status (Government Office convention)', () => {
  const t = buildTask(input(), calendar, org, actor).task;
  it.each([
    ['2022-06-01T09:00:00+07:00', 'within_deadline', 21],
    ['2022-06-27T09:00:00+07:00', 'due_soon', 3],
    ['2022-06-30T16:00:00+07:00', 'due_soon', 0],
    ['2022-07-01T00:00:00+07:00', 'overdue', -1], // a date deadline ends at 24:00
    ['2022-07-05T09:00:00+07:00', 'overdue', -3],
  ])('at %s: %s (%i working days left)', (now, status, left) => {
    expect(taskStatus(t, calendar, at(now))).toMatchObject({ status, daysLeft: left });
  });

  it('done on time, done late, cancelled, no deadline', () => {
    const onTime = completeTask(t, calendar, { by: 'x', now: at('2022-07-10T09:00:00+07:00') }, { completedAt: at('2022-06-30T23:59:00+07:00') }).task;
    expect(taskStatus(onTime, calendar, at('2022-07-10T09:00:00+07:00')).status).toBe('on_time');
    const late = completeTask(t, calendar, { by: 'x', now: at('2022-07-10T09:00:00+07:00') }, { completedAt: at('2022-07-01T08:00:00+07:00') }).task;
    expect(taskStatus(late, calendar, at('2022-07-10T09:00:00+07:00')).status).toBe('late');
    const cancelled = cancelTask(t, actor, { reason: 'thu hồi' }).task;
    expect(taskStatus(cancelled, calendar, actor.now).status).toBe('cancelled');
    const none = buildTask(input({ deadline: null }), calendar, org, actor).task;
    expect(taskStatus(none, calendar, actor.now).status).toBe('no_deadline');
  });

  it('a deadline on a day off runs to the end of the next working day (Art. 148)', () => {
    // 2022-04-30 was a Saturday and a holiday; 1/5 Sunday; 2/5 and 3/5 compensation days.
    const sat = buildTask(input({ deadline: '2022-04-30' }), calendar, org, actor).task;
    expect(taskStatus(sat, calendar, at('2022-05-03T12:00:00+07:00')).status).toBe('due_soon');
    expect(formatIsoDay(taskStatus(sat, calendar, at('2022-05-03T12:00:00+07:00')).effectiveDay!)).toBe('2022-05-04');
  });
});

describe('changes refuse nonsense', () => {
  const t = buildTask(input(), calendar, org, actor).task;
  const later = { by: 'x', now: at('2022-06-01T09:00:00+07:00') };
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (e) {
      return e instanceof DondocError ? e.code : 'other';
    }
    return undefined;
  };

  it('a completion date in the future', () => {
    expect(code(() => completeTask(t, calendar, later, { completedAt: at('2022-06-02T09:00:00+07:00') }))).toBe('TASK_CONFLICT');
  });
  it('extending a completed or cancelled task, or to an earlier date', () => {
    const done = completeTask(t, calendar, later, { completedAt: later.now }).task;
    expect(code(() => extendTask(done, calendar, later, { deadline: { day: day('2022-07-30') }, document: 'CV', approvedBy: 'PCT' }))).toBe('TASK_CONFLICT');
    const cancelled = cancelTask(t, later, { reason: 'r' }).task;
    expect(code(() => extendTask(cancelled, calendar, later, { deadline: { day: day('2022-07-30') }, document: 'CV', approvedBy: 'PCT' }))).toBe('TASK_CONFLICT');
    expect(code(() => extendTask(t, calendar, later, { deadline: { day: day('2022-06-15') }, document: 'CV', approvedBy: 'PCT' }))).toBe('TASK_CONFLICT');
  });
  it('every change bumps the revision and is recorded', () => {
    const ext = extendTask(t, calendar, later, { deadline: { day: day('2022-07-29') }, document: 'Công văn số 99/UBND-TH', approvedBy: 'PCT' });
    expect(ext.task.revision).toBe(t.revision + 1);
    expect(ext.event).toMatchObject({ type: 'extended', revision: 2, document: 'Công văn số 99/UBND-TH' });
    const done = completeTask(ext.task, calendar, later, { completedAt: later.now });
    const reopened = reopenTask(done.task, later, { reason: 'chưa đạt' });
    expect(reopened.task.occurrences.once?.completedAt).toBeUndefined();
    expect(reopened.task.revision).toBe(4);
  });
  it('an update records exactly what changed, and nothing when nothing did', () => {
    const moved = buildTask(input({ deadline: '2022-07-15' }), calendar, org, actor).task;
    const u = updateTask(t, moved, later)!;
    expect(Object.keys(u.event.type === 'updated' ? u.event.changes : {})).toEqual(['deadline']);
    expect(updateTask(t, buildTask(input(), calendar, org, actor).task, later)).toBeNull();
  });
});

describe('recurring duties', () => {
  it('yield one occurrence per period, clamped to the month end', () => {
    const yearly = buildTask(input({ deadline: null, recurrence: { freq: 'yearly', month: 12, day: 15, from: '2023-01-01', until: '2025-12-31' } }), calendar, org, actor).task;
    expect(occurrencesOf(yearly, day('2020-01-01'), day('2030-01-01')).map((o) => `${o.key}:${formatIsoDay(o.deadline.day)}`)).toEqual([
      '2023:2023-12-15',
      '2024:2024-12-15',
      '2025:2025-12-15',
    ]);
    const monthly = buildTask(input({ deadline: null, recurrence: { freq: 'monthly', day: 31 } }), calendar, org, actor).task;
    expect(occurrencesOf(monthly, day('2022-05-01'), day('2022-07-31')).map((o) => formatIsoDay(o.deadline.day))).toEqual(['2022-05-31', '2022-06-30', '2022-07-31']);
  });

  it('status follows the earliest open occurrence', () => {
    const monthly = buildTask(input({ deadline: null, recurrence: { freq: 'monthly', day: 20 } }), calendar, org, actor).task;
    const now = at('2022-06-25T09:00:00+07:00');
    expect(taskStatus(monthly, calendar, now)).toMatchObject({ occurrence: '2022-04', status: 'overdue' });
    const done = completeTask(monthly, calendar, { by: 'x', now }, { completedAt: now, occurrence: '2022-04' }).task;
    const done2 = completeTask(done, calendar, { by: 'x', now }, { completedAt: now, occurrence: '2022-05' }).task;
    expect(taskStatus(done2, calendar, now)).toMatchObject({ occurrence: '2022-06', status: 'overdue' });
  });
});
