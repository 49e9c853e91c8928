// Civil dates as integer day numbers (days since 1970-01-01, the date only, no zone).
// The core does all date arithmetic on these integers; strings appear only at the edges.
// Conversion uses Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).

export type Day = number;

export interface Ymd {
  year: number;
  month: number;
  day: number;
}

export const MIN_YEAR = 1900;
export const MAX_YEAR = 2199;

export function dayFromYmd(year: number, month: number, day: number): Day {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function ymdFromDay(d: Day): Ymd {
  const z = d + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function daysInMonth(year: number, month: number): number {
  return dayFromYmd(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - dayFromYmd(year, month, 1);
}

export function isValidYmd(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/** 1 = Monday … 7 = Sunday (ISO). 1970-01-01 was a Thursday. */
export function isoWeekday(d: Day): number {
  return ((((d + 3) % 7) + 7) % 7) + 1;
}

export const isWeekend = (d: Day): boolean => isoWeekday(d) >= 6;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Strict YYYY-MM-DD; returns null for anything else, including 2026-02-30. */
export function parseIsoDay(s: string): Day | null {
  const m = ISO_DATE.exec(s.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isValidYmd(y, mo, d) ? dayFromYmd(y, mo, d) : null;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function formatIsoDay(d: Day): string {
  const { year, month, day } = ymdFromDay(d);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** The Vietnamese official form dd/mm/yyyy. */
export function formatVnDay(d: Day): string {
  const { year, month, day } = ymdFromDay(d);
  return `${pad2(day)}/${pad2(month)}/${year}`;
}

export const yearOfDay = (d: Day): number => ymdFromDay(d).year;
