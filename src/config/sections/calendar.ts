// Config sections: timezone, office_hours, calendar — and the shipped yearly schedules
// (data/calendar/YYYY.yaml), which use the same entry shapes.
import { z } from 'zod';
import { STATUTORY_HOLIDAYS } from '../../core/holidays.js';
import { isValidZone } from '../../core/zone.js';
import { clockTime, isoDay, text, year } from '../fields.js';

export const timezoneSchema = z
  .string()
  .refine(isValidZone, { error: (iss) => `expected an IANA time zone like Asia/Ho_Chi_Minh, got ${JSON.stringify(iss.input)}` })
  .default('Asia/Ho_Chi_Minh');

export const officeHoursSchema = z
  .strictObject({
    open: clockTime.prefault('07:30'),
    close: clockTime.prefault('17:00'),
    /** Optional lunch break, e.g. { from: "11:30", to: "13:30" }. */
    lunch: z.strictObject({ from: clockTime, to: clockTime }).optional(),
  })
  .superRefine((o, ctx) => {
    if (o.close <= o.open) ctx.addIssue({ code: 'custom', path: ['close'], message: 'must be later than open' });
    if (o.lunch && !(o.open < o.lunch.from && o.lunch.from < o.lunch.to && o.lunch.to < o.close)) {
      ctx.addIssue({ code: 'custom', path: ['lunch'], message: 'must lie inside office hours, from before to' });
    }
  })
  .prefault({})
  .transform((o) => ({
    ...o,
    intervals: (o.lunch
      ? [
          [o.open, o.lunch.from],
          [o.lunch.to, o.close],
        ]
      : [[o.open, o.close]]) as Array<[number, number]>,
  }));

const holidayKey = z.enum(STATUTORY_HOLIDAYS, {
  error: (iss) => `expected one of ${STATUTORY_HOLIDAYS.join(', ')}, got ${JSON.stringify(iss.input)}`,
});

/** A day off, one date or an inclusive range. */
export const dayOffEntrySchema = z
  .strictObject({
    date: isoDay.optional(),
    from: isoDay.optional(),
    to: isoDay.optional(),
    name: text,
    holiday: holidayKey.optional(),
    source: text.optional(),
  })
  .superRefine((e, ctx) => {
    const single = e.date !== undefined;
    const range = e.from !== undefined || e.to !== undefined;
    if (single === range) ctx.addIssue({ code: 'custom', message: 'give either date, or from and to' });
    else if (range && (e.from === undefined || e.to === undefined)) ctx.addIssue({ code: 'custom', message: 'a range needs both from and to' });
    else if (range && e.to! < e.from!) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    else if (range && e.to! - e.from! > 366) ctx.addIssue({ code: 'custom', path: ['to'], message: 'a range of days off cannot exceed a year' });
  });

export const workingDayEntrySchema = z.strictObject({ date: isoDay, name: text, source: text.optional() });

/** A swap: a weekday off paid back by working another (usually Saturday) day. */
export const swapSchema = z.strictObject({ day_off: isoDay, work_on: isoDay, name: text.optional(), source: text.optional() });

export const recurringHolidaySchema = z
  .strictObject({
    name: text,
    /** "MM-DD" of the solar year, or of the lunar year with lunar: true. */
    date: z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { error: 'expected a month and day MM-DD, e.g. 11-24' }),
    lunar: z.boolean().default(false),
    from_year: year.default(1900),
    to_year: year.default(2199),
    compensate: z.boolean().default(true),
    source: text.optional(),
  })
  .superRefine((h, ctx) => {
    if (h.to_year < h.from_year) ctx.addIssue({ code: 'custom', path: ['to_year'], message: 'must not be before from_year' });
  });

export const calendarSchema = z
  .strictObject({
    /** Directory of official yearly schedules; default: the data/calendar shipped with dondoc. */
    official_data: z.string().optional(),
    /** New recurring holidays (e.g. Ngày Văn hóa Việt Nam 24/11) — no code change needed. */
    holidays: z.array(recurringHolidaySchema).default([]),
    /** Extra days off (a provincial day off, a newly announced break). */
    days_off: z.array(dayOffEntrySchema).default([]),
    /** Extra working days (a worked Saturday). */
    working_days: z.array(workingDayEntrySchema).default([]),
    swaps: z.array(swapSchema).default([]),
  })
  .prefault({});

export const officialYearFileSchema = z.strictObject({
  year,
  covers: z.array(holidayKey).default([]),
  days_off: z.array(dayOffEntrySchema).default([]),
  working_days: z.array(workingDayEntrySchema).default([]),
});

export type CalendarSection = z.output<typeof calendarSchema>;
export type OfficeHoursSection = z.output<typeof officeHoursSchema>;
export type DayOffEntryInput = z.output<typeof dayOffEntrySchema>;
