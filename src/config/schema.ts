// The whole dondoc config file: one strict zod schema assembled from one module per section.
// Unknown keys are errors, so a typo ("ofice_hours") is reported instead of silently ignored.
import { z } from 'zod';
import { accountabilitySchema } from './sections/accountability.js';
import { calendarSchema, officeHoursSchema, timezoneSchema } from './sections/calendar.js';
import { deliverySchema } from './sections/delivery.js';
import { linksSchema } from './sections/links.js';
import { mailSchema } from './sections/mail.js';
import { orgSectionSchema } from './sections/org.js';
import { policySchema } from './sections/policy.js';

export const configSchema = z.strictObject({
  timezone: timezoneSchema,
  office_hours: officeHoursSchema,
  calendar: calendarSchema,
  /** The reminder and escalation ladder; the defaults are the 7176 ladder. */
  policy: policySchema,
  /** Sender identity, Message-ID domain, the admin's template directory. */
  mail: mailSchema,
  /** How mail leaves and failures are retried and reported; scheduler and worker pacing. */
  delivery: deliverySchema,
  /** Absent: the org section of the shipped config/dondoc.yaml (the embedded default). */
  org: orgSectionSchema.optional(),
  /** Repeat lateness (7176 §5) and the weekly summary to Sở Nội vụ; all defaults. */
  accountability: accountabilitySchema,
  /** Signed reply links in mails and the pages they open (issue 6); off without public_base_url. */
  links: linksSchema,
});

export type DondocConfig = z.output<typeof configSchema>;
