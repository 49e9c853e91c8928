// Reusable zod field types whose error messages tell an admin what to write
// ("expected a date YYYY-MM-DD, got \"26/4\"") rather than what went wrong inside zod.
import { z } from 'zod';
import { type Day, MAX_YEAR, MIN_YEAR, parseIsoDay } from '../core/day.js';

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** A plain date YYYY-MM-DD within the years dondoc's calendar covers (1900–2199), parsed to a day number. */
export const isoDay = z.unknown().transform((v, ctx): Day => {
  const d = typeof v === 'string' ? parseIsoDay(v) : null;
  const y = typeof v === 'string' ? Number(v.trim().slice(0, 4)) : NaN;
  if (d === null || !(y >= MIN_YEAR && y <= MAX_YEAR)) {
    ctx.issues.push({ code: 'custom', input: v, message: `expected a date YYYY-MM-DD${d === null ? '' : ` between ${MIN_YEAR} and ${MAX_YEAR}`}, got ${shown(v)}` });
    return z.NEVER;
  }
  return d;
});

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A wall-clock time HH:MM, parsed to minutes since midnight. */
export const clockTime = z.unknown().transform((v, ctx): number => {
  const m = typeof v === 'string' ? HHMM.exec(v.trim()) : null;
  if (!m) {
    ctx.issues.push({ code: 'custom', input: v, message: `expected a time HH:MM (24-hour), got ${shown(v)}` });
    return z.NEVER;
  }
  return Number(m[1]) * 60 + Number(m[2]);
});

// C0/C1 controls, DEL and the Unicode line separators: a name with CR/LF would reach the
// "Kính gửi" line, mail headers and log lines.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const controlIn = (s: string): string => `U+${s.match(CONTROL)![0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Non-empty one-line text, normalised to NFC (Vietnamese may arrive decomposed). */
export const text = z
  .string({ error: (iss) => `expected text, got ${shown(iss.input)}` })
  .max(1000, { error: 'too long (at most 1000 characters)' })
  .transform((s) => s.normalize('NFC').trim())
  .refine((s) => s.length > 0, { message: 'must not be empty' })
  .refine((s) => !CONTROL.test(s), { error: (iss) => `must be one line without control characters (found ${controlIn(String(iss.input))})` });

/** An e-mail address (kept simple on purpose: the SMTP server is the final judge). */
export const email = z
  .string({ error: (iss) => `expected an e-mail address, got ${shown(iss.input)}` })
  .transform((s) => s.normalize('NFC').trim())
  // No control characters either (NUL, NEL, U+2028…): the address goes into To/Cc headers.
  .refine((s) => s.length <= 254 && /^[^\s@<>(),;:"\\\u0000-\u001f\u007f-\u009f\u2028\u2029]+@[^\s@<>(),;:"\\\u0000-\u001f\u007f-\u009f\u2028\u2029]+\.[^\s@<>(),;:"\\\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/.test(s), {
    error: (iss) => `expected an e-mail address, got ${shown(iss.input)}`,
  });

export const year = z
  .number({ error: (iss) => `expected a year like 2026, got ${shown(iss.input)}` })
  .int({ error: (iss) => `expected a year like 2026, got ${shown(iss.input)}` })
  .min(1900, { error: 'expected a year between 1900 and 2199' })
  .max(2199, { error: 'expected a year between 1900 and 2199' });
