import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayFromYmd, formatIsoDay, parseIsoDay } from '../../src/core/day.js';
import { loadConfig } from '../../src/config/load.js';
import { makeCalendar } from '../../src/core/calendar.js';
import { statutoryHolidaysByRule } from '../../src/core/holidays.js';

const { calendar } = loadConfig({ file: 'config/dondoc.yaml', env: {} });
const d = (s: string): number => {
  const v = parseIsoDay(s);
  if (v === null) throw new Error(s);
  return v;
};
const iso = formatIsoDay;
const exceptions = (year: number): string[] => calendar.exceptions(year).map((e) => `${iso(e.day)} ${e.working ? 'working' : 'off'}`);

describe('official schedules (DOMAIN.md)', () => {
  it('2025: every weekday off and the swapped Saturday', () => {
    expect(exceptions(2025)).toEqual([
      '2025-01-01 off',
      '2025-01-27 off', '2025-01-28 off', '2025-01-29 off', '2025-01-30 off', '2025-01-31 off',
      '2025-04-07 off',
      '2025-04-26 working',
      '2025-04-30 off', '2025-05-01 off', '2025-05-02 off',
      '2025-09-01 off', '2025-09-02 off',
    ]);
  });

  it('2026: every weekday off and the swapped Saturday; Quốc khánh by rule, marked approximate', () => {
    expect(exceptions(2026)).toEqual([
      '2026-01-01 off', '2026-01-02 off',
      '2026-01-10 working',
      '2026-02-16 off', '2026-02-17 off', '2026-02-18 off', '2026-02-19 off', '2026-02-20 off',
      '2026-04-27 off',
      '2026-04-30 off', '2026-05-01 off',
      '2026-09-01 off', '2026-09-02 off',
    ]);
    expect(calendar.status(d('2026-09-01')).approximate).toBe(true);
    expect(calendar.status(d('2026-02-17')).approximate).toBeUndefined();
    expect(calendar.yearNote(2026).fromRule).toEqual(['national_day']);
    expect(calendar.yearNote(2025).fromRule).toEqual([]);
  });

  it('weekend days inside a break carry the holiday name, which wins over "weekend"', () => {
    expect(calendar.status(d('2026-02-14'))).toMatchObject({ working: false, reason: 'Tết Nguyên Đán' });
    expect(calendar.status(d('2026-02-22'))).toMatchObject({ working: false, reason: 'Tết Nguyên Đán' });
    expect(calendar.status(d('2026-02-28'))).toMatchObject({ working: false, reason: 'Thứ Bảy' });
    expect(calendar.status(d('2026-03-01'))).toMatchObject({ working: false, reason: 'Chủ nhật' });
    expect(calendar.status(d('2026-01-10'))).toMatchObject({ working: true });
    expect(calendar.status(d('2026-01-10')).source).toContain('Bộ Nội vụ');
  });
});

describe('working-day arithmetic', () => {
  it.each([
    ['2026-02-13', 1, '2026-02-23'], // Fri before Tết → Mon after the 9-day break
    ['2026-02-12', 2, '2026-02-23'],
    ['2026-02-23', -1, '2026-02-13'],
    ['2026-02-18', 0, '2026-02-18'], // add(d, 0) = d even on a day off
    ['2026-02-14', 1, '2026-02-23'],
    ['2026-02-14', -1, '2026-02-13'],
    ['2025-04-25', 1, '2025-04-26'], // the worked Saturday counts
    ['2025-04-26', 1, '2025-04-28'],
    ['2025-04-29', 1, '2025-05-05'], // across 30/4–1/5 and the swapped Friday 2/5
    ['2025-05-05', -2, '2025-04-28'],
    ['2026-01-09', 1, '2026-01-10'],
    ['2025-12-31', 1, '2026-01-05'],
  ])('add(%s, %i) = %s', (from, n, to) => {
    expect(iso(calendar.add(d(from), n))).toBe(to);
  });

  it.each([
    ['2026-02-13', '2026-02-23', 1],
    ['2026-02-12', '2026-02-24', 3],
    ['2026-02-23', '2026-02-13', -1], // −(working days in [13/02, 23/02)) = −1
    ['2025-04-24', '2025-05-05', 5],
    ['2026-02-16', '2026-02-16', 0],
    ['2026-02-14', '2026-02-23', 1], // Art. 147: the start day is not counted
    ['2025-01-01', '2025-12-31', 250],
  ])('count(%s, %s) = %i', (from, to, n) => {
    expect(calendar.count(d(from), d(to))).toBe(n);
  });

  it('Art. 148: a period ending on a day off ends on the next working day', () => {
    expect(iso(calendar.effectiveEnd(d('2026-02-14')))).toBe('2026-02-23');
    expect(iso(calendar.effectiveEnd(d('2025-08-31')))).toBe('2025-09-03');
    expect(iso(calendar.effectiveEnd(d('2025-04-26')))).toBe('2025-04-26');
    expect(iso(calendar.effectiveEnd(d('2026-03-02')))).toBe('2026-03-02');
  });

  it('properties: add(d, n) is a working day for n ≠ 0 and count(d, add(d, n)) = n', () => {
    const lo = dayFromYmd(1912, 1, 1);
    const hi = dayFromYmd(2188, 12, 31);
    fc.assert(
      fc.property(fc.integer({ min: lo, max: hi }), fc.integer({ min: -2600, max: 2600 }), (day, n) => {
        const r = calendar.add(day, n);
        if (n !== 0) expect(calendar.isWorkingDay(r)).toBe(true);
        expect(calendar.count(day, r)).toBe(n);
        expect(Math.sign(r - day)).toBe(Math.sign(n));
      }),
      { seed: 20261123, numRuns: 5000 },
    );
  });

  it('property: count over a span equals the number of working days walked one by one', () => {
    fc.assert(
      fc.property(fc.integer({ min: dayFromYmd(1990, 1, 1), max: dayFromYmd(2100, 1, 1) }), fc.integer({ min: 0, max: 400 }), (from, len) => {
        let walked = 0;
        for (let x = from + 1; x <= from + len; x++) if (calendar.isWorkingDay(x)) walked++;
        expect(calendar.count(from, from + len)).toBe(walked);
      }),
      { seed: 7176, numRuns: 300 },
    );
  });

  it('refuses dates outside 1900–2199 with a RangeError', () => {
    expect(() => calendar.isWorkingDay(dayFromYmd(1899, 12, 31))).toThrow(RangeError);
    expect(() => calendar.add(dayFromYmd(2199, 12, 31), 5)).toThrow(RangeError);
  });
});

describe('statutory rules (fallback for years without official data)', () => {
  it('computes Tết on the Vietnamese lunar calendar, last day of the year plus four', () => {
    const tet = (y: number): string[] => statutoryHolidaysByRule(y).filter((e) => e.holiday === 'tet').map((e) => iso(e.day));
    expect(tet(2027)).toEqual(['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09']);
    // 1985: Vietnam's Tết was 21/01 (China's 20/02) — the rule must follow UTC+7.
    expect(tet(1985)[1]).toBe('1985-01-21');
    expect(tet(2030)[1]).toBe('2030-02-02');
  });

  it('Art. 111: a holiday on a weekend is compensated on the next working day', () => {
    // 2028: 30/4 is a Sunday → Mon 1/5 is itself a holiday → compensation on Tue 2/5.
    expect(calendar.status(d('2028-04-30')).reason).toBe('Ngày Chiến thắng');
    expect(calendar.status(d('2028-05-02'))).toMatchObject({ working: false, reason: 'Nghỉ bù Ngày Chiến thắng' });
    expect(calendar.isWorkingDay(d('2028-05-03'))).toBe(true);
  });

  it('the second National Day day reproduces the official choices of 2021–2025', () => {
    const nd = (y: number): string[] => statutoryHolidaysByRule(y).filter((e) => e.holiday === 'national_day').map((e) => iso(e.day)).sort();
    expect(nd(2021)).toEqual(['2021-09-02', '2021-09-03']);
    expect(nd(2022)).toEqual(['2022-09-01', '2022-09-02']);
    expect(nd(2024)).toEqual(['2024-09-02', '2024-09-03']);
    expect(nd(2025)).toEqual(['2025-09-01', '2025-09-02']);
    expect(nd(2019)).toEqual(['2019-09-02']);
  });
});

describe('office hours [open, close) with an optional lunch break', () => {
  const lunch = makeCalendar({
    zone: 'Asia/Ho_Chi_Minh',
    officeHours: { intervals: [[450, 690], [810, 1020]] },
    officialYears: [],
  });
  const at = (s: string): number => Date.parse(s);
  const show = (ms: number): string => lunch.zone.formatInstant(ms);

  it.each([
    ['2026-03-02T07:29:00+07:00', '2026-03-02T07:30:00+07:00'],
    ['2026-03-02T07:30:00+07:00', '2026-03-02T07:30:00+07:00'],
    ['2026-03-02T11:30:00+07:00', '2026-03-02T13:30:00+07:00'], // close is exclusive
    ['2026-03-02T12:15:00+07:00', '2026-03-02T13:30:00+07:00'],
    ['2026-03-02T16:59:59+07:00', '2026-03-02T16:59:59+07:00'],
    ['2026-03-02T17:00:00+07:00', '2026-03-03T07:30:00+07:00'],
    ['2026-02-13T17:30:00+07:00', '2026-02-23T07:30:00+07:00'], // no official data here: rule-based Tết 16–20/02
    ['2026-03-07T09:00:00+07:00', '2026-03-09T07:30:00+07:00'], // Saturday
    ['2026-03-01T23:00:00Z', '2026-03-02T07:30:00+07:00'], // 06:00 local
  ])('next office instant after %s is %s', (from, expected) => {
    expect(show(lunch.nextOfficeInstant(at(from)))).toBe(expected);
  });

  it('the shipped config skips the whole Tết break', () => {
    expect(calendar.zone.formatInstant(calendar.nextOfficeInstant(Date.parse('2026-02-13T17:30:00+07:00')))).toBe('2026-02-23T07:30:00+07:00');
    expect(calendar.isOfficeInstant(Date.parse('2026-02-23T07:30:00+07:00'))).toBe(true);
    expect(calendar.isOfficeInstant(Date.parse('2026-02-23T17:00:00+07:00'))).toBe(false);
  });
});
