// The working-day calendar for civil servants: which days count, working-day arithmetic
// (Civil Code 2015 Art. 147–148) and office hours. Pure: built from a spec, no I/O, no clock.
// Inside it is two typed arrays over 1900–2199 — a working flag per day and a running count
// of working days — so is-working is one array read and add/count are O(log n).
import { type Day, MAX_YEAR, MIN_YEAR, dayFromYmd, formatIsoDay, isoWeekday, ymdFromDay } from './day.js';
import {
  type DayOffEntry,
  type OfficialYear,
  type RecurringHoliday,
  type StatutoryHoliday,
  type WorkingDayEntry,
  resolveYear,
} from './holidays.js';
import { type Zone, makeZone } from './zone.js';

/** Office hours as half-open minute intervals [open, close), e.g. 07:30–11:30, 13:30–17:00. */
export interface OfficeHours {
  intervals: ReadonlyArray<readonly [number, number]>;
}

export interface CalendarSpec {
  zone: string;
  officeHours: OfficeHours;
  officialYears: readonly OfficialYear[];
  recurringHolidays?: readonly RecurringHoliday[];
  extraDaysOff?: readonly DayOffEntry[];
  extraWorkingDays?: readonly WorkingDayEntry[];
}

export interface DayStatus {
  working: boolean;
  /** Why: a holiday's name, "làm bù …", "Thứ Bảy", "Chủ nhật", or "ngày làm việc". */
  reason: string;
  source?: string;
  approximate?: boolean;
}

export interface YearNote {
  year: number;
  /** Holidays of that year computed by rule because no official data covers them. */
  fromRule: StatutoryHoliday[];
  approximate: boolean;
}

export interface Calendar {
  readonly zone: Zone;
  readonly officeHours: OfficeHours;
  readonly firstDay: Day;
  readonly lastDay: Day;
  isWorkingDay(day: Day): boolean;
  status(day: Day): DayStatus;
  /** The n-th working day after d (n < 0: before); add(d, 0) = d. */
  add(day: Day, n: number): Day;
  /** Working days in (from, to] when to ≥ from; −(working days in [to, from)) otherwise. */
  count(from: Day, to: Day): number;
  /** Art. 148: a period ending on a day off ends on the next working day. */
  effectiveEnd(day: Day): Day;
  /** The first instant at or after `instant` inside office hours on a working day. */
  nextOfficeInstant(instant: number): number;
  /** Whether an instant is inside office hours on a working day. */
  isOfficeInstant(instant: number): boolean;
  /** The opening instant of office hours on a day (first interval). */
  openingOf(day: Day): number;
  /** Days off on weekdays and worked weekend days of a year, in date order. */
  exceptions(year: number): Array<{ day: Day } & DayStatus>;
  /** Per-year notes on rule-based holidays (years without complete official data). */
  yearNote(year: number): YearNote;
}

const WEEKEND_REASON: Record<number, string> = { 6: 'Thứ Bảy', 7: 'Chủ nhật' };

export function checkRange(day: Day, first: Day, last: Day): void {
  if (!(day >= first && day <= last)) {
    throw new RangeError(`date ${formatIsoDay(day)} is outside the supported range ${MIN_YEAR}–${MAX_YEAR}`);
  }
}

export function makeCalendar(spec: CalendarSpec): Calendar {
  const zone = makeZone(spec.zone);
  const intervals = [...spec.officeHours.intervals].sort((a, b) => a[0] - b[0]);
  if (intervals.length === 0) throw new RangeError('office hours need at least one interval');
  const officeHours = { intervals };
  const firstDay = dayFromYmd(MIN_YEAR, 1, 1);
  const lastDay = dayFromYmd(MAX_YEAR, 12, 31);
  const size = lastDay - firstDay + 1;
  const working = new Uint8Array(size);
  // cum[i] = number of working days in [firstDay, firstDay + i)
  const cum = new Int32Array(size + 1);
  const special = new Map<Day, DayStatus>();
  const notes = new Map<number, YearNote>();
  const officialByYear = new Map(spec.officialYears.map((o) => [o.year, o]));

  for (let year = MIN_YEAR; year <= MAX_YEAR; year++) {
    const y = resolveYear(
      year,
      officialByYear.get(year),
      spec.recurringHolidays ?? [],
      spec.extraDaysOff ?? [],
      spec.extraWorkingDays ?? [],
    );
    notes.set(year, { year, fromRule: y.fromRule, approximate: y.approximate });
    const start = dayFromYmd(year, 1, 1);
    const end = dayFromYmd(year + 1, 1, 1);
    for (let d = start; d < end; d++) working[d - firstDay] = isoWeekday(d) <= 5 ? 1 : 0;
    for (const [d, e] of y.off) {
      working[d - firstDay] = 0;
      special.set(d, { working: false, reason: e.name, source: e.source, ...(e.approximate ? { approximate: true } : {}) });
    }
    for (const [d, e] of y.working) {
      working[d - firstDay] = 1;
      special.set(d, { working: true, reason: e.name, source: e.source });
    }
  }
  for (let i = 0; i < size; i++) cum[i + 1] = cum[i]! + working[i]!;

  const idx = (day: Day): number => {
    checkRange(day, firstDay, lastDay);
    return day - firstDay;
  };
  const isWorkingDay = (day: Day): boolean => working[idx(day)] === 1;

  // Smallest i in [lo, hi] with cum[i] >= target (cum is non-decreasing).
  const lowerBound = (target: number, lo: number, hi: number): number => {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! >= target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  const add = (day: Day, n: number): Day => {
    const i = idx(day);
    if (n === 0) return day;
    // The working day x we want has cum[x + 1] === target and working[x] === 1,
    // so it is lowerBound(target) − 1.
    const target = n > 0 ? cum[i + 1]! + n : cum[i]! + n + 1;
    if (target < 1 || target > cum[size]!) throw new RangeError(`adding ${n} working days to ${formatIsoDay(day)} leaves the supported range`);
    return firstDay + lowerBound(target, 1, size) - 1;
  };

  const count = (from: Day, to: Day): number => {
    const f = idx(from);
    const t = idx(to);
    return t >= f ? cum[t + 1]! - cum[f + 1]! : -(cum[f]! - cum[t]!);
  };

  const effectiveEnd = (day: Day): Day => (isWorkingDay(day) ? day : add(day, 1));

  const status = (day: Day): DayStatus => {
    idx(day);
    const s = special.get(day);
    if (s) return s;
    const wd = isoWeekday(day);
    return wd >= 6 ? { working: false, reason: WEEKEND_REASON[wd]! } : { working: true, reason: 'ngày làm việc' };
  };

  const openingOf = (day: Day): number => zone.instantAt(day, intervals[0]![0]);

  const isOfficeInstant = (instant: number): boolean => {
    const day = zone.dayOf(instant);
    if (!isWorkingDay(day)) return false;
    const m = zone.minuteOfDay(instant);
    return intervals.some(([a, b]) => m >= a && m < b);
  };

  const nextOfficeInstant = (instant: number): number => {
    const day = zone.dayOf(instant);
    if (isWorkingDay(day)) {
      const m = zone.minuteOfDay(instant);
      for (const [a, b] of intervals) {
        if (m < a) return zone.instantAt(day, a);
        if (m < b) return instant;
      }
    }
    return openingOf(add(day, 1));
  };

  const exceptions = (year: number): Array<{ day: Day } & DayStatus> => {
    const out: Array<{ day: Day } & DayStatus> = [];
    for (let d = dayFromYmd(year, 1, 1), end = dayFromYmd(year + 1, 1, 1); d < end; d++) {
      const s = special.get(d);
      const weekend = isoWeekday(d) >= 6;
      if (s && s.working === weekend) out.push({ day: d, ...s });
      else if (!weekend && !isWorkingDay(d)) out.push({ day: d, ...status(d) });
    }
    return out;
  };

  const yearNote = (year: number): YearNote => {
    const n = notes.get(year);
    if (!n) throw new RangeError(`year ${year} is outside the supported range ${MIN_YEAR}–${MAX_YEAR}`);
    return n;
  };

  return {
    zone,
    officeHours,
    firstDay,
    lastDay,
    isWorkingDay,
    status,
    add,
    count,
    effectiveEnd,
    nextOfficeInstant,
    isOfficeInstant,
    openingOf,
    exceptions,
    yearNote,
  };
}

export const yearOf = (day: Day): number => ymdFromDay(day).year;
