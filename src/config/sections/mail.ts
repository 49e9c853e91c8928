// Config section `mail`: who the messages are from, the domain of their Message-IDs, and
// where admins keep their own templates. (Transport settings — SMTP, rate, timeouts — belong
// to the delivery work and are added here by it.)
import { z } from 'zod';
import { email, text } from '../fields.js';

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

const hostname = z
  .string({ error: (iss) => `expected a domain like dondoc.thainguyen.gov.vn, got ${shown(iss.input)}` })
  .transform((s) => s.trim().toLowerCase())
  .refine((s) => /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(s), {
    error: (iss) => `expected a domain like dondoc.thainguyen.gov.vn, got ${shown(iss.input)}`,
  });

export const mailSchema = z
  .strictObject({
    from: z
      .strictObject({
        name: text.default('Hệ thống nhắc việc dondoc'),
        address: email.default('dondoc@example.gov.vn'),
      })
      .prefault({}),
    /** Message-IDs are <notification-id@this-domain>; default: the domain of from.address. */
    message_id_domain: hostname.optional(),
    /** A directory of the admin's own templates (relative to the config file); files it lacks come from templates/. */
    templates: text.optional(),
  })
  .prefault({})
  .transform((m) => ({
    from: m.from,
    messageIdDomain: m.message_id_domain ?? m.from.address.slice(m.from.address.lastIndexOf('@') + 1).toLowerCase(),
    ...(m.templates !== undefined ? { templates: m.templates } : {}),
  }));

export type MailSection = z.output<typeof mailSchema>;
