// The whole dondoc config file: one strict zod schema assembled from one module per section.
// Unknown keys are errors, so a typo ("ofice_hours") is reported instead of silently ignored.
import { z } from 'zod';
import { calendarSchema, officeHoursSchema, timezoneSchema } from './sections/calendar.js';
import { orgSectionSchema } from './sections/org.js';

export const configSchema = z.strictObject({
  timezone: timezoneSchema,
  office_hours: officeHoursSchema,
  calendar: calendarSchema,
  /** Absent: the org section of the shipped config/dondoc.yaml (the embedded default). */
  org: orgSectionSchema.optional(),
});

export type DondocConfig = z.output<typeof configSchema>;
