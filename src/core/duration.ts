// Durations as people write them in a policy: "5 working days", "2 days", "3 hours",
// "30 minutes", or in Vietnamese "5 ngày làm việc", "2 ngày", "3 giờ", "30 phút".
// Working days are counted on the calendar (Civil Code Art. 147: the start day is not
// counted); plain days are calendar days; hours and minutes are wall-clock time.

export const DURATION_UNITS = ['working_day', 'day', 'hour', 'minute'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

export interface Duration {
  amount: number;
  unit: DurationUnit;
}

/** The largest amount accepted: a policy step years away is a typo, not a plan. */
export const MAX_DURATION_AMOUNT = 1000;

// Matched against the folded text (no diacritics, lower case, single spaces).
const UNIT_WORDS: Array<[RegExp, DurationUnit]> = [
  [/^(working|work|business) days?$|^wd$|^ngay lam viec$/, 'working_day'],
  [/^(calendar )?days?$|^d$|^ngay( lich)?$/, 'day'],
  [/^(hours?|hrs?|h)$|^(gio|tieng)$/, 'hour'],
  [/^(minutes?|mins?|m)$|^phut$/, 'minute'],
];

const fold = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

/** Parses "5 working days", "1 working day", "5 ngày làm việc", "30 phút"…; null if not a duration. */
export function parseDuration(text: string): Duration | null {
  const m = /^(\d{1,4})\s*(.+)$/.exec(fold(text));
  if (!m) return null;
  const amount = Number(m[1]);
  if (amount > MAX_DURATION_AMOUNT) return null;
  const words = m[2]!.trim();
  for (const [re, unit] of UNIT_WORDS) if (re.test(words)) return { amount, unit };
  return null;
}

const UNIT_TEXT: Record<DurationUnit, [string, string]> = {
  working_day: ['working day', 'working days'],
  day: ['day', 'days'],
  hour: ['hour', 'hours'],
  minute: ['minute', 'minutes'],
};

/** "5 working days", "1 hour": the canonical English form (round-trips through parseDuration). */
export function formatDuration(d: Duration): string {
  const [one, many] = UNIT_TEXT[d.unit];
  return `${d.amount} ${d.amount === 1 ? one : many}`;
}

/** Short form used inside notification ids: "5wd", "2d", "3h", "30m". */
export function durationCode(d: Duration): string {
  return `${d.amount}${{ working_day: 'wd', day: 'd', hour: 'h', minute: 'm' }[d.unit]}`;
}

export const isDayDuration = (d: Duration): boolean => d.unit === 'working_day' || d.unit === 'day';

/** Wall-clock milliseconds of an hour/minute duration. */
export function durationMs(d: Duration): number {
  if (d.unit === 'hour') return d.amount * 3_600_000;
  if (d.unit === 'minute') return d.amount * 60_000;
  throw new RangeError(`${formatDuration(d)} is counted in days, not milliseconds`);
}
