import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  LUNAR_MAX_YEAR,
  LUNAR_MIN_YEAR,
  dateFromJd,
  jdFromDate,
  lunarNewYear,
  lunarToSolar,
  solarToLunar,
  type SolarDate,
} from '../../src/core/lunar.js';

const sd = (year: number, month: number, day: number): SolarDate => ({ year, month, day });
const MIN_JD = jdFromDate(sd(LUNAR_MIN_YEAR, 1, 1));
const MAX_JD = jdFromDate(sd(LUNAR_MAX_YEAR, 12, 31));

describe('Julian day numbers', () => {
  it('matches well-known JDNs', () => {
    expect(jdFromDate(sd(2000, 1, 1))).toBe(2451545);
    expect(jdFromDate(sd(1970, 1, 1))).toBe(2440588);
    expect(jdFromDate(sd(1900, 1, 1))).toBe(2415021);
    expect(dateFromJd(2451545)).toEqual(sd(2000, 1, 1));
  });

  it('round-trips and handles Gregorian leap years', () => {
    expect(jdFromDate(sd(2000, 3, 1)) - jdFromDate(sd(2000, 2, 28))).toBe(2); // 2000 is leap
    expect(jdFromDate(sd(1900, 3, 1)) - jdFromDate(sd(1900, 2, 28))).toBe(1); // 1900 is not
    fc.assert(
      fc.property(fc.integer({ min: MIN_JD - 1000, max: MAX_JD + 1000 }), (jd) => {
        expect(jdFromDate(dateFromJd(jd))).toBe(jd);
      }),
      { seed: 20250407, numRuns: 2000 },
    );
  });
});

describe('Tết (lunar 1/1) at UTC+7', () => {
  const tet: Array<[number, SolarDate]> = [
    [2019, sd(2019, 2, 5)],
    [2020, sd(2020, 1, 25)],
    [2021, sd(2021, 2, 12)],
    [2022, sd(2022, 2, 1)],
    [2023, sd(2023, 1, 22)],
    [2024, sd(2024, 2, 10)],
    [2025, sd(2025, 1, 29)],
    [2026, sd(2026, 2, 17)],
    [2027, sd(2027, 2, 6)],
    [2028, sd(2028, 1, 26)],
    [2029, sd(2029, 2, 13)],
  ];
  it.each(tet)('Tết %i', (year, expected) => {
    expect(lunarNewYear(year)).toEqual(expected);
    expect(lunarNewYear(year, 7)).toEqual(expected);
    expect(lunarToSolar({ day: 1, month: 1, year, leap: false })).toEqual(expected);
    expect(solarToLunar(expected)).toEqual({ day: 1, month: 1, year, leap: false });
  });
});

describe('Vietnamese (UTC+7) vs Chinese (UTC+8) calendar', () => {
  const cases: Array<[number, SolarDate, SolarDate]> = [
    [1985, sd(1985, 1, 21), sd(1985, 2, 20)],
    [2007, sd(2007, 2, 17), sd(2007, 2, 18)],
    [2030, sd(2030, 2, 2), sd(2030, 2, 3)],
  ];
  it.each(cases)('Tết %i', (year, vn, cn) => {
    expect(lunarNewYear(year)).toEqual(vn);
    expect(lunarNewYear(year, 7)).toEqual(vn);
    expect(lunarNewYear(year, 8)).toEqual(cn);
  });

  it('1985: 21/01 is Tết in Vietnam but still month 12 in China', () => {
    expect(solarToLunar(sd(1985, 1, 21), 7)).toEqual({ day: 1, month: 1, year: 1985, leap: false });
    // At UTC+8 the month starting 21/01/1985 is still month 12 of 1984; Tết comes a month later.
    expect(solarToLunar(sd(1985, 1, 21), 8)).toMatchObject({ year: 1984, month: 12, leap: false });
  });

  it('the two calendars agree in ordinary years', () => {
    expect(lunarNewYear(2026, 8)).toEqual(lunarNewYear(2026, 7));
  });
});

describe('solarToLunar', () => {
  it('the eve of Tết Bính Ngọ is 29/12/2025 (month 12 of Ất Tỵ has 29 days)', () => {
    expect(solarToLunar(sd(2026, 2, 16))).toEqual({ day: 29, month: 12, year: 2025, leap: false });
    expect(solarToLunar(sd(2026, 2, 17))).toEqual({ day: 1, month: 1, year: 2026, leap: false });
  });

  it('dates before Tết belong to the previous lunar year', () => {
    expect(solarToLunar(sd(2025, 1, 1))).toEqual({ day: 2, month: 12, year: 2024, leap: false });
    expect(solarToLunar(sd(1900, 1, 1))).toEqual({ day: 1, month: 12, year: 1899, leap: false });
  });

  it('never returns day 0 on the eve of a new moon that is late relative to the mean one', () => {
    // Regression: the published reference code only tries lunations k and k+1 and
    // returns day 0 on these dates.
    expect(solarToLunar(sd(2054, 5, 7))).toEqual({ day: 30, month: 3, year: 2054, leap: false });
    expect(solarToLunar(sd(2054, 5, 8))).toEqual({ day: 1, month: 4, year: 2054, leap: false });
    expect(solarToLunar(sd(2062, 4, 9))).toEqual({ day: 30, month: 2, year: 2062, leap: false });
    expect(solarToLunar(sd(2009, 3, 26), 8)).toEqual({ day: 30, month: 2, year: 2009, leap: false });
    expect(solarToLunar(sd(2009, 3, 27), 8)).toEqual({ day: 1, month: 3, year: 2009, leap: false });
  });

  it('works at the end of the range', () => {
    expect(solarToLunar(sd(2199, 12, 31))).toEqual({ day: 14, month: 11, year: 2199, leap: false });
  });
});

describe('leap months', () => {
  it('2023 has leap month 2 starting 2023-03-22', () => {
    expect(solarToLunar(sd(2023, 2, 20))).toEqual({ day: 1, month: 2, year: 2023, leap: false });
    expect(solarToLunar(sd(2023, 3, 21))).toEqual({ day: 30, month: 2, year: 2023, leap: false });
    expect(solarToLunar(sd(2023, 3, 22))).toEqual({ day: 1, month: 2, year: 2023, leap: true });
    expect(solarToLunar(sd(2023, 4, 20))).toEqual({ day: 1, month: 3, year: 2023, leap: false });
    expect(lunarToSolar({ day: 1, month: 2, year: 2023, leap: true })).toEqual(sd(2023, 3, 22));
    expect(lunarToSolar({ day: 1, month: 2, year: 2023, leap: false })).toEqual(sd(2023, 2, 20));
  });

  it('2020 has leap month 4 starting 2020-05-23', () => {
    expect(solarToLunar(sd(2020, 4, 23))).toEqual({ day: 1, month: 4, year: 2020, leap: false });
    expect(solarToLunar(sd(2020, 5, 23))).toEqual({ day: 1, month: 4, year: 2020, leap: true });
    expect(lunarToSolar({ day: 1, month: 4, year: 2020, leap: true })).toEqual(sd(2020, 5, 23));
  });

  it('2025 has leap month 6 starting 2025-07-25', () => {
    expect(solarToLunar(sd(2025, 6, 25))).toEqual({ day: 1, month: 6, year: 2025, leap: false });
    expect(solarToLunar(sd(2025, 7, 25))).toEqual({ day: 1, month: 6, year: 2025, leap: true });
    expect(lunarToSolar({ day: 1, month: 6, year: 2025, leap: true })).toEqual(sd(2025, 7, 25));
  });

  it('2033 has leap month 11 (the first month without a major term after the solstice month)', () => {
    // The "2033 problem": naive rules put the leap month after month 7; the correct rule
    // (count months between two month-11s) gives a leap 11th month.
    expect(solarToLunar(sd(2033, 11, 22))).toEqual({ day: 1, month: 11, year: 2033, leap: false });
    expect(solarToLunar(sd(2033, 12, 22))).toEqual({ day: 1, month: 11, year: 2033, leap: true });
    expect(solarToLunar(sd(2034, 1, 20))).toEqual({ day: 1, month: 12, year: 2033, leap: false });
    expect(lunarNewYear(2034)).toEqual(sd(2034, 2, 19));
  });

  it('returns null for a leap month that does not exist', () => {
    expect(lunarToSolar({ day: 1, month: 3, year: 2023, leap: true })).toBeNull();
    expect(lunarToSolar({ day: 1, month: 6, year: 2024, leap: true })).toBeNull(); // 2024: no leap month
  });

  it('returns null for day 30 of a 29-day month', () => {
    expect(lunarToSolar({ day: 29, month: 12, year: 2025, leap: false })).toEqual(sd(2026, 2, 16));
    expect(lunarToSolar({ day: 30, month: 12, year: 2025, leap: false })).toBeNull();
    expect(lunarToSolar({ day: 30, month: 2, year: 2023, leap: false })).toEqual(sd(2023, 3, 21));
    expect(lunarToSolar({ day: 30, month: 2, year: 2023, leap: true })).toBeNull();
  });
});

describe('Giỗ Tổ Hùng Vương (10/3 lunar)', () => {
  it.each([
    [2025, sd(2025, 4, 7)],
    [2026, sd(2026, 4, 26)],
  ])('%i', (year, expected) => {
    expect(lunarToSolar({ day: 10, month: 3, year, leap: false })).toEqual(expected);
  });
});

describe('range and input validation', () => {
  it('accepts the first and last supported solar days', () => {
    expect(() => solarToLunar(sd(1900, 1, 1))).not.toThrow();
    expect(() => solarToLunar(sd(2199, 12, 31))).not.toThrow();
    expect(lunarToSolar({ day: 1, month: 12, year: 1899, leap: false })).toEqual(sd(1900, 1, 1));
  });

  it('throws RangeError for years 1899 and 2200', () => {
    expect(() => solarToLunar(sd(1899, 12, 31))).toThrow(RangeError);
    expect(() => solarToLunar(sd(2200, 1, 1))).toThrow(RangeError);
    expect(() => solarToLunar(sd(1899, 6, 1), 8)).toThrow(RangeError);
    expect(() => lunarNewYear(1899)).toThrow(RangeError); // Tết 1899 is in February 1899
    expect(() => lunarNewYear(2200)).toThrow(RangeError);
    expect(() => lunarToSolar({ day: 1, month: 1, year: 2200, leap: false })).toThrow(RangeError);
    expect(() => lunarToSolar({ day: 1, month: 6, year: 1899, leap: false })).toThrow(RangeError);
    // Month 12 of lunar 2199 starts in January 2200.
    expect(() => lunarToSolar({ day: 1, month: 12, year: 2199, leap: false })).toThrow(RangeError);
  });

  it('throws RangeError for malformed dates and time zones', () => {
    expect(() => solarToLunar(sd(2025, 2, 29))).toThrow(RangeError);
    expect(() => solarToLunar(sd(2025, 13, 1))).toThrow(RangeError);
    expect(() => solarToLunar(sd(2025, 1, 1.5))).toThrow(RangeError);
    expect(() => solarToLunar(sd(2025, 1, 1), Number.NaN)).toThrow(RangeError);
    expect(() => lunarToSolar({ day: 31, month: 1, year: 2025, leap: false })).toThrow(RangeError);
    expect(() => lunarToSolar({ day: 1, month: 13, year: 2025, leap: false })).toThrow(RangeError);
    expect(() => lunarToSolar({ day: 0, month: 1, year: 2025, leap: false })).toThrow(RangeError);
  });
});

describe('properties over the whole range', () => {
  const anyJd = fc.integer({ min: MIN_JD, max: MAX_JD });
  const tz = fc.constantFrom(7, 8);

  it('lunarToSolar(solarToLunar(d)) == d', () => {
    fc.assert(
      fc.property(anyJd, tz, (jd, tzHours) => {
        const d = dateFromJd(jd);
        const l = solarToLunar(d, tzHours);
        expect(l.day).toBeGreaterThanOrEqual(1);
        expect(l.day).toBeLessThanOrEqual(30);
        expect(l.month).toBeGreaterThanOrEqual(1);
        expect(l.month).toBeLessThanOrEqual(12);
        expect(lunarToSolar(l, tzHours)).toEqual(d);
      }),
      { seed: 7176, numRuns: 3000 },
    );
  });

  it('consecutive days advance the lunar day by one or start a new 29/30-day month', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_JD, max: MAX_JD - 1 }), tz, (jd, tzHours) => {
        const a = solarToLunar(dateFromJd(jd), tzHours);
        const b = solarToLunar(dateFromJd(jd + 1), tzHours);
        if (b.day === 1) {
          expect([29, 30]).toContain(a.day);
        } else {
          expect(b).toEqual({ ...a, day: a.day + 1 });
        }
      }),
      { seed: 112, numRuns: 3000 },
    );
  });

  it('Tết always falls between 21 January and 20 February', () => {
    fc.assert(
      fc.property(fc.integer({ min: LUNAR_MIN_YEAR, max: LUNAR_MAX_YEAR }), tz, (year, tzHours) => {
        const t = lunarNewYear(year, tzHours);
        expect(t.year).toBe(year);
        const jd = jdFromDate(t);
        expect(jd).toBeGreaterThanOrEqual(jdFromDate(sd(year, 1, 21)));
        expect(jd).toBeLessThanOrEqual(jdFromDate(sd(year, 2, 20)));
        expect(solarToLunar(t, tzHours)).toEqual({ day: 1, month: 1, year, leap: false });
      }),
      { seed: 1985, numRuns: 600 },
    );
  });
});
