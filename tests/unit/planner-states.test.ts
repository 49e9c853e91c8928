// How the plan follows what happens: catch-up after time passed with nothing running, history,
// completion, cancellation, extension, go-live backfill, the assignment cut-off, per-kind
// policy (procedures counted from receipt, the 15:00 rule), hour steps and the daily digest.
import { describe, expect, it } from 'vitest';
import { planDigest } from '../../src/core/digest.js';
import type { TaskNotification } from '../../src/core/notification.js';
import { planNotifications } from '../../src/core/planner.js';
import { cancelTask, completeTask, extendTask } from '../../src/core/task-ops.js';
import { ISSUER, day, makeOrg, makePolicy, makeTask, shippedCalendar } from './planner-fixtures.js';

const calendar = shippedCalendar();
const org = makeOrg();
const policy = makePolicy();
const iso = (t: number): string => calendar.zone.formatInstant(t);
const at = (s: string): number => Date.parse(s);
const SOURCE = { number: '1510/UBND-TH', date: '2022-04-16', issuer: ISSUER, subject: 'V/v tập trung thực hiện một số nhiệm vụ trọng tâm trong quý II năm 2022', item: '9' };

// Due Friday 13/02/2026; ladder: 06/02, 11/02 (+ coordinator), 13/02, L1 23/02, L2 25/02, L3 06/03, 20/03, 03/04, 17/04.
const base = () =>
  makeTask(calendar, org, { title: 'Tiêm vắc-xin cho trẻ em từ 5 đến dưới 12 tuổi', source: SOURCE, lead: 'STC', coordinators: ['SYT'], assigned_on: '2026-01-05', deadline: '2026-02-13' });

const states = (plan: TaskNotification[]): Record<string, string> => Object.fromEntries(plan.map((n) => [n.ladder === 'lead' ? n.step : `${n.step}-${n.body}`, n.state]));

describe('catch-up', () => {
  it('sends only the latest due step of each ladder, at once inside office hours; the earlier ones are superseded', () => {
    const now = at('2026-02-26T10:00:00+07:00');
    const plan = planNotifications(base(), undefined, policy, calendar, org, now);
    expect(states(plan)).toEqual({
      'r-b5wd': 'superseded',
      'r-b2wd': 'superseded',
      // A reminder that could only arrive after the deadline is never sent.
      'c-b2wd-SYT': 'superseded',
      'r-d': 'superseded',
      'e1-a1wd': 'superseded',
      'e2-a3wd': 'due',
      'e3-a10wd': 'planned',
      'e3-a10wd-x1': 'planned',
      'e3-a10wd-x2': 'planned',
      'e3-a10wd-x3': 'planned',
    });
    const due = plan.find((n) => n.state === 'due')!;
    expect(iso(due.at)).toBe('2026-02-26T10:00:00+07:00');
    expect(iso(due.scheduledAt)).toBe('2026-02-25T07:30:00+07:00');
    expect(due.daysLeft).toBe(-4);
    expect(plan.find((n) => n.step === 'e1-a1wd')!.reason).toBe('a later step of the same ladder was due');
  });

  it('outside office hours, the due step waits for the next opening', () => {
    // Saturday 28/02/2026, 22:00 → Monday 02/03 07:30.
    const plan = planNotifications(base(), undefined, policy, calendar, org, at('2026-02-28T22:00:00+07:00'));
    const due = plan.filter((n) => n.state === 'due');
    expect(due.map((n) => [n.step, iso(n.at)])).toEqual([['e2-a3wd', '2026-03-02T07:30:00+07:00']]);
  });

  it('a step falling due by the next opening is the one sent', () => {
    // Thursday 05/03 at 20:00: level 3 falls at the opening of Friday 06/03, so level 2 is superseded.
    const plan = planNotifications(base(), undefined, policy, calendar, org, at('2026-03-05T20:00:00+07:00'));
    expect(states(plan)).toMatchObject({ 'e2-a3wd': 'superseded', 'e3-a10wd': 'due' });
    expect(iso(plan.find((n) => n.state === 'due')!.at)).toBe('2026-03-06T07:30:00+07:00');
  });

  it('what the history says was sent is done, and nothing earlier than it is due', () => {
    const sent = new Set(['1510-ubnd-th-20220416-9-stc_once_e2-a3wd_20260213']);
    const plan = planNotifications(base(), sent, policy, calendar, org, at('2026-02-26T10:00:00+07:00'));
    expect(states(plan)).toMatchObject({ 'e1-a1wd': 'superseded', 'e2-a3wd': 'done', 'e3-a10wd': 'planned' });
    expect(plan.some((n) => n.state === 'due')).toBe(false);
  });
});

describe('completion, cancellation and extension', () => {
  const actor = (s: string) => ({ by: 'test', now: at(s) });

  it('a completed task gets nothing further', () => {
    const done = completeTask(base(), calendar, actor('2026-02-12T10:00:00+07:00'), { completedAt: at('2026-02-12T10:00:00+07:00') }).task;
    const sent = new Set(['r-b5wd', 'r-b2wd', 'c-b2wd-syt'].map((s) => `1510-ubnd-th-20220416-9-stc_once_${s}_20260213`));
    const plan = planNotifications(done, sent, policy, calendar, org, at('2026-02-12T11:00:00+07:00'));
    expect(states(plan)).toEqual({
      'r-b5wd': 'done',
      'r-b2wd': 'done',
      'c-b2wd-SYT': 'done',
      'r-d': 'cancelled',
      'e1-a1wd': 'cancelled',
      'e2-a3wd': 'cancelled',
      'e3-a10wd': 'cancelled',
      'e3-a10wd-x1': 'cancelled',
      'e3-a10wd-x2': 'cancelled',
      'e3-a10wd-x3': 'cancelled',
    });
    expect(plan.find((n) => n.step === 'r-d')!.reason).toBe('completed at 2026-02-12T10:00:00+07:00');
  });

  it('a cancelled task gets nothing further', () => {
    const cancelled = cancelTask(base(), actor('2026-03-10T09:00:00+07:00'), { reason: 'Thu hồi theo Công văn số 99/UBND-TH' }).task;
    const plan = planNotifications(cancelled, undefined, policy, calendar, org, at('2026-03-10T09:00:00+07:00'));
    expect(plan.filter((n) => n.state === 'planned' || n.state === 'due')).toEqual([]);
    expect(plan.find((n) => n.step === 'e3-a10wd-x1')).toMatchObject({ state: 'cancelled', reason: 'cancelled at 2026-03-10T09:00:00+07:00' });
  });

  it('an extension restarts the ladder from the new deadline under new ids', () => {
    const ext = extendTask(base(), calendar, actor('2026-02-12T15:00:00+07:00'), {
      deadline: { day: day('2026-03-13') },
      document: 'Công văn số 555/UBND-TH ngày 12/02/2026 của UBND tỉnh Thái Nguyên',
      approvedBy: 'Chủ tịch UBND tỉnh',
    }).task;
    const plan = planNotifications(ext, undefined, policy, calendar, org, at('2026-02-12T15:30:00+07:00'));
    const old = plan.filter((n) => n.id.endsWith('_20260213'));
    const fresh = plan.filter((n) => n.id.endsWith('_20260313'));
    expect(old.filter((n) => n.scheduledAt > at('2026-02-12T15:00:00+07:00'))).toHaveLength(7);
    expect(old.filter((n) => n.scheduledAt > at('2026-02-12T15:00:00+07:00')).every((n) => n.state === 'superseded' && n.reason === 'deadline extended to 13/03/2026')).toBe(true);
    expect(fresh.map((n) => [n.step, iso(n.at), n.state])).toEqual([
      ['r-b5wd', '2026-03-06T07:30:00+07:00', 'planned'],
      ['c-b2wd', '2026-03-11T07:30:00+07:00', 'planned'],
      ['r-b2wd', '2026-03-11T07:30:00+07:00', 'planned'],
      ['r-d', '2026-03-13T07:30:00+07:00', 'planned'],
      ['e1-a1wd', '2026-03-16T07:30:00+07:00', 'planned'],
      ['e2-a3wd', '2026-03-18T07:30:00+07:00', 'planned'],
      ['e3-a10wd', '2026-03-27T07:30:00+07:00', 'planned'],
      ['e3-a10wd-x1', '2026-04-10T07:30:00+07:00', 'planned'],
      ['e3-a10wd-x2', '2026-04-24T07:30:00+07:00', 'planned'],
      // 27/04 (Giỗ Tổ, compensated), 30/04 and 01/05 are off.
      ['e3-a10wd-x3', '2026-05-13T07:30:00+07:00', 'planned'],
    ]);
  });

  it('a late extension does not plan new-ladder steps from before it was granted', () => {
    // Granted on Monday 02/03 (level 1 and 2 already passed) to Wednesday 04/03.
    const ext = extendTask(base(), calendar, actor('2026-03-02T09:00:00+07:00'), { deadline: { day: day('2026-03-04') }, document: 'CV 1/UBND', approvedBy: 'PCT' }).task;
    const fresh = planNotifications(ext, undefined, policy, calendar, org, at('2026-03-02T09:30:00+07:00')).filter((n) => n.id.endsWith('_20260304'));
    expect(fresh.map((n) => n.step)).toEqual(['r-d', 'e1-a1wd', 'e2-a3wd', 'e3-a10wd', 'e3-a10wd-x1', 'e3-a10wd-x2', 'e3-a10wd-x3']);
  });
});

describe('assignment and go-live', () => {
  it('does not plan steps that would fall before the task was assigned', () => {
    const late = makeTask(calendar, org, { title: 'Báo cáo gấp', source: SOURCE, lead: 'STC', coordinators: ['SYT'], assigned_on: '2026-02-10', deadline: '2026-02-13' });
    const plan = planNotifications(late, undefined, policy, calendar, org, at('2026-02-10T08:00:00+07:00'));
    expect(plan.map((n) => n.step).slice(0, 3)).toEqual(['c-b2wd', 'r-b2wd', 'r-d']);
  });

  it('records steps due before the go-live date as backfilled, never sent', () => {
    const live = makePolicy({ go_live: '2026-02-24' });
    const plan = planNotifications(base(), undefined, live, calendar, org, at('2026-02-24T08:00:00+07:00'));
    expect(states(plan)).toMatchObject({ 'r-b5wd': 'backfilled', 'r-d': 'backfilled', 'c-b2wd-SYT': 'backfilled', 'e1-a1wd': 'backfilled', 'e2-a3wd': 'planned' });
    expect(plan.find((n) => n.step === 'e1-a1wd')!.reason).toBe('fell due before the go-live date 24/02/2026');
    expect(plan.some((n) => n.state === 'due')).toBe(false);
  });
});

describe('per-kind policy: administrative procedures', () => {
  const procedurePolicy = makePolicy({ kinds: { procedure: { period: '10 working days' } } });
  const dossier = (received: string, deadline?: string) =>
    makeTask(calendar, org, {
      kind: 'procedure',
      title: 'Hồ sơ cấp phép',
      source: { number: '12/SYT-NVY', date: '2026-03-02', issuer: 'Sở Y tế tỉnh Thái Nguyên' },
      lead: 'SYT',
      received_at: received,
      ...(deadline ? { deadline } : {}),
    });
  const reminderDay = (t: ReturnType<typeof dossier>, step: string) =>
    iso(planNotifications(t, undefined, procedurePolicy, calendar, org, at('2026-03-06T08:00:00+07:00')).find((n) => n.step === step)!.at);

  it('counts the period from receipt; received after 15:00 counts from the next working day', () => {
    // Friday 06/03/2026 at 14:59 → counts from Friday: 10 working days → Friday 20/03.
    expect(reminderDay(dossier('2026-03-06T14:59:00+07:00'), 'r-d')).toBe('2026-03-20T07:30:00+07:00');
    // At 15:00 or later → counts from Monday 09/03 → Monday 23/03.
    expect(reminderDay(dossier('2026-03-06T15:00:00+07:00'), 'r-d')).toBe('2026-03-23T07:30:00+07:00');
  });

  it('does not plan reminders from before the (adjusted) receipt', () => {
    // Received Wed 04/03 at 16:00 → counts from Thu 05/03; due Mon 09/03.
    const t = dossier('2026-03-04T16:00:00+07:00', '2026-03-09');
    const steps = planNotifications(t, undefined, procedurePolicy, calendar, org, at('2026-03-04T16:00:00+07:00')).map((n) => n.step);
    expect(steps).not.toContain('r-b5wd');
    expect(steps).toContain('r-b2wd');
  });
});

describe('steps that name a time, and hour steps', () => {
  const timed = makePolicy({ reminders: [{ on: 'deadline', at: '14:00' }, { before: '3 hours' }], coordinators: [], escalations: [{ level: 1, after: '2 hours' }] });
  const plan = (deadline: string) =>
    planNotifications(makeTask(calendar, org, { title: 'Họp', source: SOURCE, lead: 'STC', assigned_on: '2026-03-02', deadline }), undefined, timed, calendar, org, at('2026-03-02T08:00:00+07:00')).map(
      (n) => [n.step, iso(n.at), n.state],
    );

  it('a date deadline: hours count from the close of office hours on D; after it, the next opening', () => {
    expect(plan('2026-03-10')).toEqual([
      ['r-b3h', '2026-03-10T14:00:00+07:00', 'planned'],
      ['r-d-t1400', '2026-03-10T14:00:00+07:00', 'planned'],
      ['e1-a2h', '2026-03-11T07:30:00+07:00', 'planned'],
    ]);
  });

  it('a timed deadline: hours count from its time', () => {
    expect(plan('2026-03-10T11:00')).toEqual([
      ['r-b3h', '2026-03-10T08:00:00+07:00', 'planned'],
      ['e1-a2h', '2026-03-10T13:00:00+07:00', 'planned'],
      // 14:00 on D is after the 11:00 deadline: a reminder after the deadline is never sent.
      ['r-d-t1400', '2026-03-10T14:00:00+07:00', 'superseded'],
    ]);
  });
});

describe('the daily digest for the Provincial Office', () => {
  const tasks = () => [
    base(), // D 13/02/2026
    makeTask(calendar, org, { title: 'Báo cáo quý I', source: { ...SOURCE, item: '2' }, lead: 'SYT', assigned_on: '2026-01-05', deadline: '2026-03-04' }),
    makeTask(calendar, org, { title: 'Báo cáo năm', source: { ...SOURCE, item: '3' }, lead: 'SYT', assigned_on: '2026-01-05', deadline: '2026-12-31' }),
  ];

  it('lists overdue and due-soon tasks grouped by body, at 08:00 on working days', () => {
    const d = planDigest(tasks(), policy, calendar, org, day('2026-02-27'))!;
    expect(iso(d.at)).toBe('2026-02-27T08:00:00+07:00');
    expect(d.id).toBe('digest-20260227');
    expect(d.to.map((r) => r.email)).toEqual(['chanhvanphong.vpubnd@thainguyen.example.gov.vn']);
    expect(d.counts).toEqual({ overdue: 1, dueSoon: 1 });
    // Sorted by name (Vietnamese collation): Sở Tài chính, Sở Y tế.
    expect(d.groups.map((g) => [g.body, g.items.map((i) => [i.status, i.daysLeft])])).toEqual([
      ['STC', [['overdue', -5]]],
      ['SYT', [['due_soon', 3]]],
    ]);
  });

  it('sends nothing on a day off or when there is nothing to say', () => {
    expect(planDigest(tasks(), policy, calendar, org, day('2026-02-28'))).toBeNull(); // Saturday
    expect(planDigest(tasks().slice(2), policy, calendar, org, day('2026-02-27'))).toBeNull();
    expect(planDigest(tasks(), makePolicy({ digest: { enabled: false } }), calendar, org, day('2026-02-27'))).toBeNull();
  });
});
