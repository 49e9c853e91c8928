// Maps instants (epoch milliseconds) to civil days and minutes in one IANA time zone.
// luxon answers the offset question; answers are cached per day because the core asks it
// millions of times. Asia/Ho_Chi_Minh has had a fixed UTC+7 since 1975, but nothing here
// assumes it, so another zone (or an older date) still gets the right offset.
import { DateTime, IANAZone } from 'luxon';
import { type Day, formatIsoDay, ymdFromDay } from './day.js';

export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

export interface Zone {
  readonly name: string;
  /** The instant at which the civil day starts (00:00 local). */
  startOfDay(day: Day): number;
  /** The instant of a local wall-clock minute of a day (e.g. 7*60+30 for 07:30). */
  instantAt(day: Day, minuteOfDay: number): number;
  /** The local civil day an instant falls on. */
  dayOf(instant: number): Day;
  /** Minutes since local midnight, fractional (keeps seconds). */
  minuteOfDay(instant: number): number;
  /** ISO-8601 with the zone's offset, e.g. 2026-02-06T07:30:00+07:00. */
  formatInstant(instant: number): string;
}

/** Names known to be IANA zones without asking ICU (the first DateTimeFormat costs ≈ 30 ms). */
const KNOWN_ZONES: ReadonlySet<string> = new Set(['Asia/Ho_Chi_Minh', 'UTC']);

export function isValidZone(name: string): boolean {
  // IANA names are short (the longest has 32 characters); luxon takes seconds over a long string.
  if (name.length > 64) return false;
  // The shipped zone needs no check: `dondoc calendar is-working` never asks ICU at all.
  return KNOWN_ZONES.has(name) || IANAZone.isValidZone(name);
}

export function makeZone(name: string): Zone {
  if (!isValidZone(name)) throw new RangeError(`unknown time zone "${name}"`);
  // Made at the first instant asked for: counting working days needs no zone at all.
  let iana: IANAZone | undefined;
  const zoneOf = (): IANAZone => (iana ??= IANAZone.create(name));
  const offsetByDay = new Map<number, number>();

  // Offset (minutes) in force at local noon of a day: safe for zones whose transitions
  // happen at night, which is all of them in practice.
  const offsetOfDay = (day: Day): number => {
    let off = offsetByDay.get(day);
    if (off === undefined) {
      off = zoneOf().offset(day * MS_PER_DAY + 12 * 3_600_000);
      offsetByDay.set(day, off);
    }
    return off;
  };

  const startOfDay = (day: Day): number => day * MS_PER_DAY - offsetOfDay(day) * MS_PER_MINUTE;

  const dayOf = (instant: number): Day => {
    const guess = Math.floor(instant / MS_PER_DAY);
    return Math.floor((instant + offsetOfDay(guess) * MS_PER_MINUTE) / MS_PER_DAY);
  };

  return {
    name,
    startOfDay,
    instantAt: (day, minuteOfDay) => startOfDay(day) + minuteOfDay * MS_PER_MINUTE,
    dayOf,
    minuteOfDay: (instant) => (instant - startOfDay(dayOf(instant))) / MS_PER_MINUTE,
    formatInstant: (instant) =>
      DateTime.fromMillis(instant, { zone: zoneOf() }).toISO({ suppressMilliseconds: true }) ??
      `${formatIsoDay(dayOf(instant))}`,
  };
}

/** Parses an ISO date-time (with or without offset; without → local to the zone). */
export function parseInstant(text: string, zoneName: string): number | null {
  const dt = DateTime.fromISO(text.trim(), { zone: zoneName, setZone: false });
  return dt.isValid ? dt.toMillis() : null;
}

/** Local wall time → instant, for edges that hold a date and a time separately. */
export function instantOfLocal(zoneName: string, day: Day, hour: number, minute: number): number {
  const { year, month, day: d } = ymdFromDay(day);
  return DateTime.fromObject({ year, month, day: d, hour, minute }, { zone: zoneName }).toMillis();
}

