// Config section `delivery`: how mail leaves (rate, connections, timeouts), how failures are
// retried, who hears of them, and how the scheduler and workers pace themselves (docs/DELIVERY.md).
// The sender's identity (From, Message-ID domain) is the `mail` section's. Every key has a
// default, so a config without `delivery:` works (mail goes to var/outbox/ unless SMTP_URL is set).
//
// Times are written "500ms", "10s", "2m", "1h" (also "10 seconds", "2 minutes") or as a plain
// number of milliseconds; they come out as milliseconds. nodemailer's own defaults (2 minutes to
// connect, 10 minutes of socket silence) would stall a worker, hence seconds here (issue 5).
import { z } from 'zod';
import { email, text } from '../fields.js';

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

const UNIT_MS: Record<string, number> = {
  ms: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
};

/** Parses "10s", "2m", "1.5s", "10 seconds" or a number of ms; null if it is none of these. */
export function parseMs(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d{1,9}(?:\.\d{1,3})?)\s*([a-z]*)\s*$/i.exec(v);
  if (!m) return null;
  const unit = m[2] ? UNIT_MS[m[2].toLowerCase()] : 1;
  return unit === undefined ? null : Math.round(Number(m[1]) * unit);
}

const formatMs = (ms: number): string => (ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/** A time span between min and max milliseconds; the message says how to write one. */
export const msField = (min: number, max: number) =>
  z.unknown().transform((v, ctx): number => {
    const ms = parseMs(v);
    if (ms === null || ms < min || ms > max) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        message: `expected a time between ${formatMs(min)} and ${formatMs(max)}, like "10s", "2m" or a number of milliseconds, got ${shown(v)}`,
      });
      return z.NEVER;
    }
    return ms;
  });

const intIn = (what: string, min: number, max: number) =>
  z
    .number({ error: (iss) => `expected ${what} (a whole number from ${min} to ${max}), got ${shown(iss.input)}` })
    .int({ error: (iss) => `expected ${what} (a whole number from ${min} to ${max}), got ${shown(iss.input)}` })
    .min(min, { error: `expected ${what} from ${min} to ${max}` })
    .max(max, { error: `expected ${what} from ${min} to ${max}` });

/** Messages per second; 0 or "unlimited" → null (no limit). */
const sendRate = z.unknown().transform((v, ctx): number | null => {
  if (v === 0 || v === 'unlimited') return null;
  if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 10_000) return v;
  ctx.issues.push({ code: 'custom', input: v, message: `expected messages per second (a number above 0, at most 10000, e.g. 0.5 or 20) or "unlimited", got ${shown(v)}` });
  return z.NEVER;
});


const retrySchema = z
  .strictObject({
    /** Tries in all, the first included; a transient failure after the last is recorded as failed and reported. */
    attempts: intIn('a number of attempts', 1, 50).default(8),
    /** Wait before the second attempt; doubled for each further one, up to backoff_max. */
    backoff_initial: msField(100, 3_600_000).prefault('30s'),
    backoff_max: msField(100, 86_400_000).prefault('30m'),
    /** Random spread of each wait, as a fraction: 0.2 → ±20 % (many workers do not retry in step). */
    jitter: z
      .number({ error: (iss) => `expected a fraction from 0 to 1, like 0.2, got ${shown(iss.input)}` })
      .min(0, { error: 'expected a fraction from 0 to 1, like 0.2' })
      .max(1, { error: 'expected a fraction from 0 to 1, like 0.2' })
      .default(0.2),
  })
  .superRefine((r, ctx) => {
    if (r.backoff_max < r.backoff_initial) ctx.addIssue({ code: 'custom', path: ['backoff_max'], message: 'must not be shorter than backoff_initial' });
  })
  .prefault({});


export const deliverySchema = z
  .strictObject({
    send_rate_per_second: sendRate.prefault('unlimited'),
    max_connections: intIn('a number of connections', 1, 100).default(5),
    /** A connection is replaced after this many messages (nodemailer's pool default). */
    max_messages_per_connection: intIn('a number of messages', 1, 100_000).default(100),
    connection_timeout: msField(100, 600_000).prefault('10s'),
    greeting_timeout: msField(100, 600_000).prefault('10s'),
    socket_timeout: msField(100, 3_600_000).prefault('30s'),
    retry: retrySchema,
    /** Where failures are reported; without it they are recorded, listed and logged as errors. */
    admin_email: email.optional(),
    /** Where .eml files go when SMTP_URL is unset, relative to the working directory. */
    outbox_dir: text.default('var/outbox'),
    /**
     * How long a claimed send belongs to its worker (docs/DELIVERY.md, "claim protocol"). Longer
     * than a whole SMTP exchange can take plus BullMQ's 30 s job lock, so a live sender is never
     * overtaken; after a crash, the resend waits this long. Default: 2m, or the SMTP timeouts
     * plus one minute when they add up to more.
     */
    lease: msField(1000, 3_600_000).optional(),
    /** Notifications due within this span are handed to BullMQ as delayed jobs; later ones wait in the schedule index. */
    lookahead: msField(0, 86_400_000).prefault('10m'),
    /**
     * How long a bundle waits after its first item for the rest (src/core/bundle.ts): every item
     * an import or a re-plan makes due joins the same mail instead of starting a second one.
     */
    bundle_gather: msField(0, 3_600_000).prefault('5s'),
    /** How often the scheduler looks for tasks due for re-planning. */
    scheduler_tick: msField(50, 60_000).prefault('1s'),
    /** How often the reconcile job repairs drift (missing schedule entries, expired leases, a missed digest). */
    reconcile_every: msField(10_000, 86_400_000).prefault('10m'),
    /** Jobs one worker process runs at once; more than max_connections keeps the SMTP pool busy. */
    concurrency: intIn('a number of jobs', 1, 1000).default(20),
  })
  .prefault({})
  .transform((d, ctx) => {
    const send = d.connection_timeout + d.greeting_timeout + d.socket_timeout;
    if (d.lease !== undefined && d.lease <= send) {
      ctx.issues.push({
        code: 'custom',
        input: d.lease,
        path: ['lease'],
        message: `must be longer than connection_timeout + greeting_timeout + socket_timeout (${formatMs(send)}), or a slow send could be overtaken and sent twice`,
      });
      return z.NEVER;
    }
    return { ...d, lease: d.lease ?? Math.max(120_000, send + 60_000) };
  });

export type DeliveryConfig = z.output<typeof deliverySchema>;
