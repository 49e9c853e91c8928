/**
 * Vietnamese lunisolar calendar (âm lịch) conversion.
 *
 * This is an implementation of the public algorithm described by Hồ Ngọc Đức
 * ("Computing the Vietnamese lunar calendar", https://www.informatik.uni-leipzig.de/~duc/amlich/):
 *
 *  - New moons are computed with the truncated series from Jean Meeus,
 *    "Astronomical Algorithms" (accurate to a few minutes for 1900–2199).
 *  - The sun's apparent longitude is computed with Meeus' low-precision formula.
 *  - A lunar month starts on the local civil day that contains the new moon.
 *  - Month 11 is the month containing the winter solstice (sun longitude 270°).
 *  - If there are 13 new moons between two consecutive month-11 starts, the year
 *    has a leap month: the first month (after month 11) that contains no major
 *    solar term (trung khí, a multiple of 30° of sun longitude) is the leap month,
 *    and it repeats the number of the month before it.
 *
 * Everything depends on the *time zone* used to decide which civil day a new moon
 * or solar term falls on. Vietnam uses UTC+7 and China UTC+8; the two calendars
 * differ in some years (e.g. Tết 1985: 21/01 in Vietnam, 20/02 in China).
 *
 * The module is pure: no I/O, no clock, no `Date`. Days are integer Julian day
 * numbers (JDN; the JDN of a date is the Julian date at noon UT of that date).
 */

export const LUNAR_MIN_YEAR = 1900;
export const LUNAR_MAX_YEAR = 2199;

export interface LunarDate {
  day: number;
  month: number;
  year: number;
  leap: boolean;
}

export interface SolarDate {
  year: number;
  month: number;
  day: number;
}

/** Default time zone: Vietnam (UTC+7). */
const VN_TZ = 7;

/** Mean synodic month in days (Meeus). */
const SYNODIC_MONTH = 29.530588853;

/**
 * Julian date of the mean new moon with index k = 0 (1900-01-01 ≈13:51 UT) in Meeus'
 * numbering as used by Hồ Ngọc Đức; used to map a day number to a lunation index.
 */
const NEW_MOON_EPOCH = 2415021.076998695;

const DEG = Math.PI / 180;

// ---------------------------------------------------------------------------
// Julian day numbers
// ---------------------------------------------------------------------------

/** Julian day number of a proleptic Gregorian date (integer). */
export function jdFromDate(d: SolarDate): number {
  // Standard Fliegel–Van Flandern style formula: shift the year to start in
  // March so the leap day is the last day of the (shifted) year.
  const a = Math.floor((14 - d.month) / 12);
  const y = d.year + 4800 - a;
  const m = d.month + 12 * a - 3;
  return (
    d.day +
    Math.floor((153 * m + 2) / 5) +
    365 * y +
    Math.floor(y / 4) -
    Math.floor(y / 100) +
    Math.floor(y / 400) -
    32045
  );
}

/** Proleptic Gregorian date of an integer Julian day number (inverse of {@link jdFromDate}). */
export function dateFromJd(jd: number): SolarDate {
  const a = jd + 32044;
  const b = Math.floor((4 * a + 3) / 146097);
  const c = a - Math.floor((146097 * b) / 4);
  const d = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * d) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  return {
    day: e - Math.floor((153 * m + 2) / 5) + 1,
    month: m + 3 - 12 * Math.floor(m / 10),
    year: b * 100 + d - 4800 + Math.floor(m / 10),
  };
}

// ---------------------------------------------------------------------------
// Astronomy (Meeus)
// ---------------------------------------------------------------------------

/**
 * Julian date (UT, fractional) of the k-th new moon after the 1900-01-01 new moon.
 * Meeus, "Astronomical Algorithms", 1st ed., ch. 47 (truncated series).
 */
function newMoonJd(k: number): number {
  const T = k / 1236.85; // Julian centuries since 1900-01-00.5
  const T2 = T * T;
  const T3 = T2 * T;
  // Mean new moon.
  let jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd1 += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * DEG);
  // Sun's mean anomaly, moon's mean anomaly, moon's argument of latitude.
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3;
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3;
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3;
  // Periodic corrections for the true (not mean) conjunction.
  let c1 = (0.1734 - 0.000393 * T) * Math.sin(M * DEG) + 0.0021 * Math.sin(2 * DEG * M);
  c1 = c1 - 0.4068 * Math.sin(Mpr * DEG) + 0.0161 * Math.sin(DEG * 2 * Mpr);
  c1 = c1 - 0.0004 * Math.sin(DEG * 3 * Mpr);
  c1 = c1 + 0.0104 * Math.sin(DEG * 2 * F) - 0.0051 * Math.sin(DEG * (M + Mpr));
  c1 = c1 - 0.0074 * Math.sin(DEG * (M - Mpr)) + 0.0004 * Math.sin(DEG * (2 * F + M));
  c1 = c1 - 0.0004 * Math.sin(DEG * (2 * F - M)) - 0.0006 * Math.sin(DEG * (2 * F + Mpr));
  c1 = c1 + 0.001 * Math.sin(DEG * (2 * F - Mpr)) + 0.0005 * Math.sin(DEG * (2 * Mpr + M));
  // ΔT = TT − UT (days): the series above yields dynamical time, calendars use civil time.
  let deltaT: number;
  if (T < -11) {
    deltaT = 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3;
  } else {
    deltaT = -0.000278 + 0.000265 * T + 0.000262 * T2;
  }
  return jd1 + c1 - deltaT;
}

/**
 * Apparent ecliptic longitude of the sun, in radians normalised to [0, 2π),
 * at the (fractional) Julian date `jd`. Meeus ch. 24, low accuracy (~0.01°).
 */
function sunLongitudeRad(jd: number): number {
  const T = (jd - 2451545.0) / 36525; // Julian centuries since J2000.0
  const T2 = T * T;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2; // mean anomaly
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2; // mean longitude
  // Equation of centre.
  let DL = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(DEG * M);
  DL += (0.019993 - 0.000101 * T) * Math.sin(DEG * 2 * M) + 0.00029 * Math.sin(DEG * 3 * M);
  const L = (L0 + DL) * DEG;
  const twoPi = 2 * Math.PI;
  return L - twoPi * Math.floor(L / twoPi);
}

/**
 * Which 30° sector (0..11) the sun is in at local midnight starting day `jdn`.
 * Sector s covers longitudes [30s°, 30(s+1)°); each boundary is a major solar
 * term (trung khí). Sector 9 begins at the winter solstice (270°).
 */
function sunSectorAtDayStart(jdn: number, tz: number): number {
  // JDN n is noon UT of that day; local midnight is n − 0.5 − tz/24.
  return Math.floor((sunLongitudeRad(jdn - 0.5 - tz / 24) / Math.PI) * 6);
}

/** JDN of the local civil day on which the k-th new moon falls. */
function newMoonDay(k: number, tz: number): number {
  return Math.floor(newMoonJd(k) + 0.5 + tz / 24);
}

/** Index k of the lunation whose new moon is nearest to day `jdn` (rounded). */
function lunationIndexNear(jdn: number): number {
  return Math.floor((jdn - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5);
}

// ---------------------------------------------------------------------------
// Month 11 and leap month (memoised per (year, tz))
// ---------------------------------------------------------------------------

/**
 * Data for the lunar "year" (tuế) running from the month 11 that contains the
 * winter solstice of solar year Y to the month 11 of solar year Y + 1.
 */
interface SuiInfo {
  /** JDN of the first day of month 11 of solar year Y. */
  a11: number;
  /** JDN of the first day of month 11 of solar year Y + 1. */
  b11: number;
  /**
   * 0 when the span a11..b11 has 12 months. Otherwise the offset (1..12, in months after
   * month 11) of the leap month: the first month containing no major solar term.
   */
  leapOffset: number;
}

const month11Cache = new Map<string, number>();
const suiCache = new Map<string, SuiInfo>();

/** JDN of the first day of lunar month 11 of solar year `year`: the month containing the winter solstice. */
function month11Start(year: number, tz: number): number {
  const key = `${year}|${tz}`;
  const hit = month11Cache.get(key);
  if (hit !== undefined) return hit;
  // Take the last new moon before 31 December: the solstice (~21–22 Dec) falls in
  // that month unless the new moon itself came after the solstice, in which case
  // the solstice lies in the previous month.
  const off = jdFromDate({ year, month: 12, day: 31 }) - NEW_MOON_EPOCH;
  const k = Math.floor(off / SYNODIC_MONTH);
  let nm = newMoonDay(k, tz);
  if (sunSectorAtDayStart(nm, tz) >= 9) {
    // Sun already at ≥ 270° when this month began → the solstice is in the month before.
    nm = newMoonDay(k - 1, tz);
  }
  month11Cache.set(key, nm);
  return nm;
}

/** Month-11-to-month-11 data starting at month 11 of solar year `year` (memoised). */
function suiInfo(year: number, tz: number): SuiInfo {
  const key = `${year}|${tz}`;
  const hit = suiCache.get(key);
  if (hit !== undefined) return hit;
  const a11 = month11Start(year, tz);
  const b11 = month11Start(year + 1, tz);
  let leapOffset = 0;
  // 12 lunations ≈ 354 days, 13 ≈ 384: more than 365 days means 13 months, one is leap.
  if (b11 - a11 > 365) {
    const k = lunationIndexNear(a11);
    // A month has no major term when the sun is in the same sector at its start
    // and at the start of the next month. Month 11 (offset 0) always contains
    // the solstice, so begin with the month after it.
    let i = 1;
    let sector = sunSectorAtDayStart(newMoonDay(k + i, tz), tz);
    let previous: number;
    do {
      previous = sector;
      i++;
      sector = sunSectorAtDayStart(newMoonDay(k + i, tz), tz);
    } while (sector !== previous && i < 14);
    leapOffset = i - 1;
  }
  const info: SuiInfo = { a11, b11, leapOffset };
  suiCache.set(key, info);
  return info;
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

const MIN_JD = jdFromDate({ year: LUNAR_MIN_YEAR, month: 1, day: 1 });
const MAX_JD = jdFromDate({ year: LUNAR_MAX_YEAR, month: 12, day: 31 });

function checkTz(tz: number): void {
  if (!Number.isFinite(tz) || tz < -12 || tz > 14) {
    throw new RangeError(`Invalid time zone offset: ${tz} (expected hours in [-12, 14])`);
  }
}

function checkSolar(d: SolarDate): number {
  if (!Number.isInteger(d.year) || !Number.isInteger(d.month) || !Number.isInteger(d.day)) {
    throw new RangeError(`Invalid solar date: ${JSON.stringify(d)}`);
  }
  const jd = jdFromDate(d);
  const back = dateFromJd(jd);
  if (back.year !== d.year || back.month !== d.month || back.day !== d.day) {
    throw new RangeError(`Invalid solar date: ${d.year}-${d.month}-${d.day}`);
  }
  if (jd < MIN_JD || jd > MAX_JD) {
    throw new RangeError(
      `Solar date ${d.year}-${d.month}-${d.day} outside supported range ${LUNAR_MIN_YEAR}-01-01..${LUNAR_MAX_YEAR}-12-31`,
    );
  }
  return jd;
}

// ---------------------------------------------------------------------------
// Public conversions
// ---------------------------------------------------------------------------

/** tzHours defaults to 7 (Vietnam). Throws RangeError outside 1900-01-01..2199-12-31 solar. */
export function solarToLunar(d: SolarDate, tzHours: number = VN_TZ): LunarDate {
  checkTz(tzHours);
  const jd = checkSolar(d);

  // Start of the lunar month containing jd: the latest new-moon day ≤ jd.
  // The mean-lunation estimate of k can be off by one because a true new moon
  // deviates from the mean one by up to ~14 hours, so adjust in both directions.
  // (The original published code only tries k and k + 1, which yields "day 0"
  // on the eve of a late new moon, e.g. 2009-03-26 at UTC+8.)
  let k = Math.floor((jd - NEW_MOON_EPOCH) / SYNODIC_MONTH);
  while (newMoonDay(k, tzHours) > jd) k--;
  while (newMoonDay(k + 1, tzHours) <= jd) k++;
  const monthStart = newMoonDay(k, tzHours);

  // Find the month-11-to-month-11 span containing this month.
  let suiYear = d.year;
  let sui = suiInfo(suiYear, tzHours);
  if (sui.a11 > monthStart) {
    suiYear -= 1;
    sui = suiInfo(suiYear, tzHours);
  }
  // (If monthStart ≥ b11 we would need year + 1, but month 11 of year Y always
  // starts before 31 Dec of Y, and monthStart ≤ jd ≤ 31 Dec, so that never happens.)

  // Months elapsed since month 11; lunar months are 29 or 30 days, so dividing
  // by 29 and flooring is exact for up to 13 months.
  const diff = Math.floor((monthStart - sui.a11) / 29);
  let month = diff + 11;
  let leap = false;
  if (sui.leapOffset > 0 && diff >= sui.leapOffset) {
    // At or after the leap month, month numbers lag one behind the month count;
    // the leap month itself repeats the number of the preceding month.
    month = diff + 10;
    leap = diff === sui.leapOffset;
  }
  if (month > 12) month -= 12;

  // Months 11 and 12 at the start of the span belong to the lunar year that began
  // early in solar year `suiYear`; months 1..10 belong to lunar year suiYear + 1.
  // (Month numbers ≥ 11 only occur within the first 3 months of the span.)
  const year = month >= 11 && diff < 4 ? suiYear : suiYear + 1;

  return { day: jd - monthStart + 1, month, year, leap };
}

/**
 * Returns null when the requested date does not exist: the requested leap month does not
 * exist in that lunar year, or day 30 was requested in a 29-day month.
 * Throws RangeError outside the valid range (result before 1900-01-01 or after 2199-12-31 solar,
 * or a malformed lunar date).
 */
export function lunarToSolar(l: LunarDate, tzHours: number = VN_TZ): SolarDate | null {
  checkTz(tzHours);
  if (
    !Number.isInteger(l.year) ||
    !Number.isInteger(l.month) ||
    !Number.isInteger(l.day) ||
    l.month < 1 ||
    l.month > 12 ||
    l.day < 1 ||
    l.day > 30
  ) {
    throw new RangeError(`Invalid lunar date: ${JSON.stringify(l)}`);
  }
  // Lunar year 1899 still has months 11–12 overlapping January 1900; anything
  // outside [MIN-1, MAX] certainly falls outside the solar range.
  if (l.year < LUNAR_MIN_YEAR - 1 || l.year > LUNAR_MAX_YEAR) {
    throw new RangeError(`Lunar year ${l.year} outside supported range`);
  }

  // Months 11–12 of lunar year Y start after month 11 of solar year Y;
  // months 1–10 of lunar year Y start after month 11 of solar year Y − 1.
  const sui = suiInfo(l.month < 11 ? l.year - 1 : l.year, tzHours);
  let off = l.month - 11;
  if (off < 0) off += 12;

  if (sui.leapOffset > 0) {
    // The leap month has the number of the month before it (offset leapOffset − 1 → +11).
    let leapMonth = sui.leapOffset - 2;
    if (leapMonth < 0) leapMonth += 12;
    if (l.leap && l.month !== leapMonth) return null;
    if (l.leap || off >= sui.leapOffset) off += 1;
  } else if (l.leap) {
    return null;
  }

  const k = lunationIndexNear(sui.a11);
  const monthStart = newMoonDay(k + off, tzHours);
  const jd = monthStart + l.day - 1;
  if (l.day === 30 && newMoonDay(k + off + 1, tzHours) <= jd) {
    return null; // 29-day month: there is no day 30
  }
  if (jd < MIN_JD || jd > MAX_JD) {
    throw new RangeError(`Lunar date ${l.day}/${l.month}/${l.year} outside supported range`);
  }
  return dateFromJd(jd);
}

/** Solar date of lunar new year (1/1) of the given lunar year. */
export function lunarNewYear(lunarYear: number, tzHours: number = VN_TZ): SolarDate {
  const d = lunarToSolar({ day: 1, month: 1, year: lunarYear, leap: false }, tzHours);
  // Month 1 is never a leap month and day 1 always exists, so null is impossible.
  if (d === null) throw new Error(`internal error: no lunar new year for ${lunarYear}`);
  return d;
}
