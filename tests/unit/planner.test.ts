// The 7176 ladder on tasks of the seed letters, across Tết 2026 and the 2025 swapped days:
// the exact instants and recipients of each reminder and escalation. Expected dates are
// worked out by hand from the official schedules (data/calendar/2025.yaml, 2026.yaml).
import { describe, expect, it } from 'vitest';
import type { TaskNotification } from '../../src/core/notification.js';
import { planNotifications } from '../../src/core/planner.js';
import { ISSUER, makeOrg, makePolicy, makeTask, shippedCalendar } from './planner-fixtures.js';

const calendar = shippedCalendar();
const org = makeOrg();
const policy = makePolicy();
const iso = (t: number): string => calendar.zone.formatInstant(t);
const at = (s: string): number => Date.parse(s);

const SOURCE_7176 = { number: '7176/UBND-NC', date: '2024-12-04', issuer: ISSUER, subject: 'V/v chấn chỉnh việc thực hiện nhiệm vụ giải quyết hồ sơ, công việc; kỷ luật, kỷ cương hành chính', item: '3' };

/** step → [instant, to, cc] for the pending notifications of a plan. */
const table = (plan: TaskNotification[]): Record<string, [string, string[], string[]]> =>
  Object.fromEntries(
    plan.map((n) => [n.ladder === 'lead' ? n.step : `${n.step}-${n.body}`, [iso(n.at), n.to.map((r) => r.email), n.cc.map((r) => r.email)]]),
  );

const E = {
  stc: 'giamdoc.stc@thainguyen.example.gov.vn',
  stcVt: 'vanthu.stc@thainguyen.example.gov.vn',
  syt: 'giamdoc.syt@thainguyen.example.gov.vn',
  sytVt: 'vanthu.syt@thainguyen.example.gov.vn',
  snv: 'giamdoc.snv@thainguyen.example.gov.vn',
  skhdt: 'giamdoc.skhdt@thainguyen.example.gov.vn',
  sgddt: 'giamdoc.sgddt@thainguyen.example.gov.vn',
  vp: 'chanhvanphong.vpubnd@thainguyen.example.gov.vn',
  ct: 'ct.ubnd@thainguyen.example.gov.vn',
  pct1: 'pct1.ubnd@thainguyen.example.gov.vn',
  pct4: 'pct4.ubnd@thainguyen.example.gov.vn',
};

describe('the 7176 ladder across Tết 2026', () => {
  // Due Friday 13/02/2026, the last working day before Tết (nghỉ 14/02–22/02/2026).
  const task = makeTask(calendar, org, {
    title: 'Rà soát các nhiệm vụ giao có thời hạn, báo cáo kết quả',
    source: SOURCE_7176,
    lead: 'STC',
    coordinators: ['SYT'],
    assigned_on: '2026-01-05',
    deadline: '2026-02-13',
  });

  it('plans every reminder and level at the office opening of the right working day, to the right people', () => {
    const plan = planNotifications(task, undefined, policy, calendar, org, at('2026-01-20T09:00:00+07:00'));
    expect(plan.every((n) => n.state === 'planned')).toBe(true);
    expect(table(plan)).toEqual({
      // 5 working days before: 12, 11, 10, 9, 6 February.
      'r-b5wd': ['2026-02-06T07:30:00+07:00', [E.stc], [E.stcVt]],
      'r-b2wd': ['2026-02-11T07:30:00+07:00', [E.stc], [E.stcVt]],
      // Each coordinating body gets its own message 2 working days before D.
      'c-b2wd-SYT': ['2026-02-11T07:30:00+07:00', [E.syt], [E.sytVt]],
      'r-d': ['2026-02-13T07:30:00+07:00', [E.stc], [E.stcVt]],
      // Level 1 on the first working day after Tết.
      'e1-a1wd': ['2026-02-23T07:30:00+07:00', [E.stc], [E.vp]],
      'e2-a3wd': ['2026-02-25T07:30:00+07:00', [E.stc], [E.vp, E.pct1]],
      'e3-a10wd': ['2026-03-06T07:30:00+07:00', [E.ct, E.snv], [E.vp, E.pct1, E.stc]],
      // Repeated every 10 working days, 3 times, each counted as level 3.
      'e3-a10wd-x1': ['2026-03-20T07:30:00+07:00', [E.ct, E.snv], [E.vp, E.pct1, E.stc]],
      'e3-a10wd-x2': ['2026-04-03T07:30:00+07:00', [E.ct, E.snv], [E.vp, E.pct1, E.stc]],
      'e3-a10wd-x3': ['2026-04-17T07:30:00+07:00', [E.ct, E.snv], [E.vp, E.pct1, E.stc]],
    });
    expect(plan.filter((n) => n.kind === 'escalation').map((n) => n.level)).toEqual([1, 2, 3, 3, 3, 3]);
    expect(plan.map((n) => n.daysLeft)).toEqual([5, 2, 2, 0, -1, -3, -10, -20, -30, -40]);
  });

  it('moves a deadline that falls inside Tết to the next working day (Art. 148) and anchors the steps there', () => {
    const inTet = makeTask(calendar, org, { title: 'Báo cáo', source: SOURCE_7176, lead: 'SYT', assigned_on: '2026-01-05', deadline: '2026-02-17' });
    const plan = planNotifications(inTet, undefined, policy, calendar, org, at('2026-01-20T09:00:00+07:00'));
    expect(plan[0]).toMatchObject({ deadline: { day: expect.any(Number) }, effectiveDay: calendar.effectiveEnd(plan[0]!.deadline.day) });
    expect(calendar.zone.formatInstant(calendar.zone.startOfDay(plan[0]!.effectiveDay))).toBe('2026-02-23T00:00:00+07:00');
    expect(Object.fromEntries(Object.entries(table(plan)).map(([k, v]) => [k, v[0]]))).toEqual({
      'r-b5wd': '2026-02-09T07:30:00+07:00',
      'r-b2wd': '2026-02-12T07:30:00+07:00',
      'r-d': '2026-02-23T07:30:00+07:00',
      'e1-a1wd': '2026-02-24T07:30:00+07:00',
      'e2-a3wd': '2026-02-26T07:30:00+07:00',
      'e3-a10wd': '2026-03-09T07:30:00+07:00',
      'e3-a10wd-x1': '2026-03-23T07:30:00+07:00',
      'e3-a10wd-x2': '2026-04-06T07:30:00+07:00',
      'e3-a10wd-x3': '2026-04-20T07:30:00+07:00',
    });
  });

  it('counts the worked Saturday 10/01/2026 and skips Friday 02/01/2026', () => {
    const t = makeTask(calendar, org, { title: 'Báo cáo đầu năm', source: SOURCE_7176, lead: 'SYT', assigned_on: '2025-12-15', deadline: '2026-01-13' });
    const byStep = table(planNotifications(t, undefined, policy, calendar, org, at('2025-12-20T09:00:00+07:00')));
    // Before Tue 13/01: 12 (Mon), 10 (Sat, làm bù), 9, 8, 7 → the 5th is Wednesday 07/01.
    expect(byStep['r-b5wd']![0]).toBe('2026-01-07T07:30:00+07:00');
    expect(byStep['r-b2wd']![0]).toBe('2026-01-10T07:30:00+07:00');
  });
});

describe('the 7176 ladder across the 2025 swapped days', () => {
  // 2025: Saturday 26/04 was worked; Friday 02/05 was off (30/04–04/05 holiday).
  it('sends the 2-day reminder on the worked Saturday 26/04/2025', () => {
    const t = makeTask(calendar, org, { title: 'Báo cáo chuyên đề', source: SOURCE_7176, lead: 'SYT', coordinators: ['STC'], assigned_on: '2025-03-01', deadline: '2025-04-29' });
    expect(table(planNotifications(t, undefined, policy, calendar, org, at('2025-04-01T09:00:00+07:00')))).toMatchObject({
      'r-b5wd': ['2025-04-23T07:30:00+07:00', [E.syt], [E.sytVt]],
      'r-b2wd': ['2025-04-26T07:30:00+07:00', [E.syt], [E.sytVt]],
      'c-b2wd-STC': ['2025-04-26T07:30:00+07:00', [E.stc], [E.stcVt]],
      'r-d': ['2025-04-29T07:30:00+07:00', [E.syt], [E.sytVt]],
      // 30/04, 01/05 and the swapped 02/05 are off, 03–04/05 the weekend.
      'e1-a1wd': ['2025-05-05T07:30:00+07:00', [E.syt], [E.vp]],
      'e2-a3wd': ['2025-05-07T07:30:00+07:00', [E.syt], [E.vp, E.pct4]],
      'e3-a10wd': ['2025-05-16T07:30:00+07:00', [E.ct, E.snv], [E.vp, E.pct4, E.syt]],
    });
  });

  it('escalates level 1 on the worked Saturday when the deadline is Friday 25/04/2025', () => {
    const t = makeTask(calendar, org, { title: 'Báo cáo chuyên đề', source: SOURCE_7176, lead: 'SYT', assigned_on: '2025-03-01', deadline: '2025-04-25' });
    const byStep = table(planNotifications(t, undefined, policy, calendar, org, at('2025-04-01T09:00:00+07:00')));
    expect(byStep['r-b5wd']![0]).toBe('2025-04-18T07:30:00+07:00');
    expect(byStep['e1-a1wd']![0]).toBe('2025-04-26T07:30:00+07:00');
    expect(byStep['e2-a3wd']![0]).toBe('2025-04-29T07:30:00+07:00');
    expect(byStep['e3-a10wd']![0]).toBe('2025-05-13T07:30:00+07:00');
  });

  it('writes to the successor after a merger (Sở KH&ĐT → Sở Tài chính from 01/03/2025), to the old body before', () => {
    const t = makeTask(calendar, org, { title: 'Giải ngân vốn đầu tư công', source: SOURCE_7176, lead: 'SKHDT', assigned_on: '2025-01-06', deadline: '2025-03-03' });
    const byStep = table(planNotifications(t, undefined, policy, calendar, org, at('2025-01-10T09:00:00+07:00')));
    // Before Mon 03/03: 28, 27, 26, 25, 24 February → still Sở Kế hoạch và Đầu tư (no văn thư on file).
    expect(byStep['r-b5wd']).toEqual(['2025-02-24T07:30:00+07:00', [E.skhdt], []]);
    expect(byStep['r-d']).toEqual(['2025-03-03T07:30:00+07:00', [E.stc], [E.stcVt]]);
    expect(byStep['e2-a3wd']).toEqual(['2025-03-06T07:30:00+07:00', [E.stc], [E.vp, E.pct1]]);
  });
});

describe('recipients', () => {
  it('never puts an address in both to and cc, nor twice', () => {
    // Sở Nội vụ leads: level 3 goes to it (home_affairs) and its leader is the chairman.
    const t = makeTask(calendar, org, { title: 'Đánh giá, xếp loại', source: SOURCE_7176, lead: 'SNV', assigned_on: '2026-03-02', deadline: '2026-03-31' });
    const l3 = planNotifications(t, undefined, policy, calendar, org, at('2026-03-03T09:00:00+07:00')).find((n) => n.step === 'e3-a10wd')!;
    expect(l3.to.map((r) => r.email)).toEqual([E.ct, E.snv]);
    expect(l3.cc.map((r) => r.email)).toEqual([E.vp]);
    expect(l3.warnings).toBeUndefined();
  });

  it('reports a role without an address instead of dropping it silently', () => {
    const t = makeTask(calendar, org, { title: 'Kỳ thi', source: SOURCE_7176, lead: 'SGDDT', leader: 'PCT9', assigned_on: '2026-03-02', deadline: '2026-03-31' });
    const l2 = planNotifications(t, undefined, policy, calendar, org, at('2026-03-03T09:00:00+07:00')).find((n) => n.level === 2)!;
    // The acting head is addressed by the post's title.
    expect(l2.to).toEqual([expect.objectContaining({ title: 'Phó Giám đốc phụ trách Sở Giáo dục và Đào tạo', email: E.sgddt })]);
    expect(l2.warnings).toEqual(['leader: "PCT9" is not in the directory']);
  });
});

describe('notification ids', () => {
  const task = makeTask(calendar, org, { title: 'Báo cáo', source: SOURCE_7176, lead: 'STC', coordinators: ['SYT'], assigned_on: '2026-01-05', deadline: '2026-02-13' });

  it('are task id, occurrence, step and deadline, safe as BullMQ job ids and Message-ID local parts', () => {
    const plan = planNotifications(task, undefined, policy, calendar, org, at('2026-01-20T09:00:00+07:00'));
    expect(plan.map((n) => n.id)).toContain('7176-ubnd-nc-20241204-3-stc_once_r-b5wd_20260213');
    expect(plan.map((n) => n.id)).toContain('7176-ubnd-nc-20241204-3-stc_once_c-b2wd-syt_20260213');
    for (const n of plan) {
      expect(n.id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(n.id).not.toMatch(/^\d+$/);
    }
    expect(new Set(plan.map((n) => n.id)).size).toBe(plan.length);
  });

  it('do not depend on now or on the recipients', () => {
    const a = planNotifications(task, undefined, policy, calendar, org, at('2026-01-20T09:00:00+07:00'));
    const b = planNotifications(task, undefined, policy, calendar, org, at('2026-02-10T15:00:00+07:00'));
    const moved = { ...org, bodies: new Map([...org.bodies].map(([k, v]) => [k, k === 'STC' ? { ...v, head: { ...v.head, email: 'new.head@thainguyen.example.gov.vn' } } : v])) };
    const c = planNotifications(task, undefined, policy, calendar, moved, at('2026-01-20T09:00:00+07:00'));
    expect(b.map((n) => n.id).sort()).toEqual(a.map((n) => n.id).sort());
    expect(c.map((n) => n.id)).toEqual(a.map((n) => n.id));
    expect(c[0]!.to[0]!.email).toBe('new.head@thainguyen.example.gov.vn');
  });

  it('carry the occurrence of a recurring duty', () => {
    const monthly = makeTask(calendar, org, {
      title: 'Báo cáo tình hình thực hiện nhiệm vụ hằng tháng',
      source: SOURCE_7176,
      lead: 'STC',
      assigned_on: '2026-01-05',
      recurrence: { freq: 'monthly', day: 20 },
    });
    const plan = planNotifications(monthly, undefined, policy, calendar, org, at('2026-03-02T09:00:00+07:00'), { horizonDays: 40 });
    const march = plan.filter((n) => n.occurrence === '2026-03');
    expect(march.find((n) => n.step === 'r-d')).toMatchObject({ id: '7176-ubnd-nc-20241204-3-stc_2026-03_r-d_20260320' });
    expect(iso(march.find((n) => n.step === 'r-b5wd')!.at)).toBe('2026-03-13T07:30:00+07:00');
    // The earlier months are past: February's ladder is still running (level 2 due at once).
    expect(plan.find((n) => n.occurrence === '2026-02' && n.state === 'due')).toMatchObject({ step: 'e2-a3wd', at: at('2026-03-02T09:00:00+07:00') });
  });
});
