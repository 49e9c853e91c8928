// Which days are off, and which weekend days are worked, for one year.
// Two sources, in this order of authority:
//  1. official yearly schedules (data/calendar/YYYY.yaml, shipped as data and extendable in
//     config): exactly what the Prime Minister / Ministry of Home Affairs announced;
//  2. the statutory rules of the Labour Code 2019 (Art. 111, 112) as a fallback for any
//     holiday a year's official schedule does not cover. Where the law leaves the placement
//     to a yearly decision (the 5 Tết days, the second National Day day) the rule is a stated
//     heuristic and its days are labelled approximate.
// Admin additions (config) apply on top of both.
import { type Day, dayFromYmd, isWeekend, ymdFromDay } from './day.js';
import { lunarNewYear, lunarToSolar } from './lunar.js';

/** The statutory holidays, named so an official schedule can say which ones it covers. */
export const STATUTORY_HOLIDAYS = ['new_year', 'tet', 'hung_kings', 'reunification', 'labour_day', 'national_day'] as const;
export type StatutoryHoliday = (typeof STATUTORY_HOLIDAYS)[number];

export const HOLIDAY_NAMES: Record<StatutoryHoliday, string> = {
  new_year: 'Tết Dương lịch',
  tet: 'Tết Nguyên Đán',
  hung_kings: 'Giỗ Tổ Hùng Vương',
  reunification: 'Ngày Chiến thắng',
  labour_day: 'Ngày Quốc tế Lao động',
  national_day: 'Quốc khánh',
};

export interface DayOffEntry {
  day: Day;
  name: string;
  /** The document it comes from, or the rule. */
  source: string;
  /** Which statutory holiday this entry belongs to, if any. */
  holiday?: StatutoryHoliday;
  /** True when the placement is a heuristic, not an official decision. */
  approximate?: boolean;
}

export interface WorkingDayEntry {
  day: Day;
  name: string;
  source: string;
}

/** One year's official schedule for civil servants. */
export interface OfficialYear {
  year: number;
  /** The holidays this schedule settles; the rest still come from the rules. */
  covers: readonly StatutoryHoliday[];
  daysOff: readonly DayOffEntry[];
  workingDays: readonly WorkingDayEntry[];
}

/** An admin-defined recurring holiday, e.g. Ngày Văn hóa Việt Nam 24/11 from some year. */
export interface RecurringHoliday {
  name: string;
  calendar: 'solar' | 'lunar';
  month: number;
  day: number;
  fromYear: number;
  toYear: number;
  /** Art. 111: a holiday on a weekend is compensated on the next working day. */
  compensate: boolean;
  source: string;
}

const LABOUR_CODE = 'Bộ luật Lao động 2019, Điều 112';
const COMPENSATION_SOURCE = 'Bộ luật Lao động 2019, Điều 111 (nghỉ bù)';

function lunarDay(year: number, month: number, day: number): Day {
  const s = lunarToSolar({ year, month, day, leap: false });
  if (!s) throw new RangeError(`no lunar date ${day}/${month}/${year}`);
  return dayFromYmd(s.year, s.month, s.day);
}

/**
 * Statutory holidays of a year by rule, before compensation, grouped by holiday.
 * Heuristics (approximate):
 *  - Tết: the last day of the lunar year plus the first four days of the new year, the most
 *    common placement in recent official schedules (2021, 2022, 2024, 2026).
 *  - National Day's second day (from 2021): 3/9 when 2/9 is a Monday or Thursday (to join a
 *    weekend), otherwise 1/9 — this reproduces the official choices of 2021–2026.
 */
export function statutoryHolidaysByRule(year: number): DayOffEntry[] {
  const out: DayOffEntry[] = [];
  const push = (holiday: StatutoryHoliday, day: Day, approximate = false): void => {
    out.push({ day, name: HOLIDAY_NAMES[holiday], source: LABOUR_CODE, holiday, ...(approximate ? { approximate } : {}) });
  };
  push('new_year', dayFromYmd(year, 1, 1));
  const ny = lunarNewYear(year);
  const tet = dayFromYmd(ny.year, ny.month, ny.day);
  for (let i = -1; i <= 3; i++) push('tet', tet + i, true);
  push('hung_kings', lunarDay(year, 3, 10));
  push('reunification', dayFromYmd(year, 4, 30));
  push('labour_day', dayFromYmd(year, 5, 1));
  const nd = dayFromYmd(year, 9, 2);
  push('national_day', nd);
  if (year >= 2021) {
    const weekday = ((((nd + 3) % 7) + 7) % 7) + 1;
    push('national_day', weekday === 1 || weekday === 4 ? nd + 1 : nd - 1, true);
  }
  return out;
}

export interface YearDays {
  /** Weekdays (and weekend holidays) that are off, keyed by day. */
  off: Map<Day, DayOffEntry>;
  /** Saturdays/Sundays that are working days (làm bù). */
  working: Map<Day, WorkingDayEntry>;
  /** Holidays of this year taken from the rule, for the "no official data" warning. */
  fromRule: StatutoryHoliday[];
  approximate: boolean;
}

/**
 * Art. 111: holidays falling on a weekly rest day are compensated on the next working
 * day(s). Applied to rule-based and admin-added holidays, never to official schedules
 * (those already state the days off).
 */
function compensate(entries: DayOffEntry[], isOff: (d: Day) => boolean): DayOffEntry[] {
  const extra: DayOffEntry[] = [];
  const taken = new Set(entries.map((e) => e.day));
  for (const e of [...entries].sort((a, b) => a.day - b.day)) {
    if (!isWeekend(e.day)) continue;
    let d = e.day + 1;
    while (isWeekend(d) || taken.has(d) || isOff(d)) d++;
    taken.add(d);
    extra.push({ ...e, day: d, name: `Nghỉ bù ${e.name}`, source: COMPENSATION_SOURCE });
  }
  return extra;
}

export function resolveYear(
  year: number,
  official: OfficialYear | undefined,
  recurring: readonly RecurringHoliday[],
  extraOff: readonly DayOffEntry[],
  extraWorking: readonly WorkingDayEntry[],
): YearDays {
  const off = new Map<Day, DayOffEntry>();
  const working = new Map<Day, WorkingDayEntry>();
  const covered = new Set<StatutoryHoliday>(official?.covers ?? []);
  const ruleEntries = statutoryHolidaysByRule(year).filter((e) => !covered.has(e.holiday!));
  const fromRule = [...new Set(ruleEntries.map((e) => e.holiday!))];

  for (const e of official?.daysOff ?? []) off.set(e.day, e);
  for (const e of official?.workingDays ?? []) working.set(e.day, e);

  const setOff = (e: DayOffEntry): void => {
    if (!off.has(e.day)) off.set(e.day, e);
  };
  for (const e of ruleEntries) setOff(e);
  for (const e of compensate(ruleEntries, (d) => off.has(d) && !isWeekend(d))) setOff(e);

  const adminHolidays: DayOffEntry[] = [];
  for (const r of recurring) {
    if (year < r.fromYear || year > r.toYear) continue;
    const day = r.calendar === 'solar' ? dayFromYmd(year, r.month, r.day) : lunarDay(year, r.month, r.day);
    adminHolidays.push({ day, name: r.name, source: r.source });
    if (r.compensate) adminHolidays.push(...compensate([{ day, name: r.name, source: r.source }], (d) => off.has(d)));
  }
  // Admin entries are the most specific knowledge: they win over rules and official data.
  for (const e of [...adminHolidays, ...extraOff]) {
    if (ymdFromDay(e.day).year !== year) continue;
    off.set(e.day, e);
    working.delete(e.day);
  }
  for (const e of extraWorking) {
    if (ymdFromDay(e.day).year !== year) continue;
    working.set(e.day, e);
    off.delete(e.day);
  }
  return { off, working, fromRule, approximate: ruleEntries.some((e) => e.approximate) };
}
