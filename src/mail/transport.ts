// The Mailer the workers use (issue 5, "Mail"): SMTP_URL set → ONE pooled nodemailer transport
// with a configurable send rate and timeouts of seconds; unset → the .eml outbox (outbox.ts).
// Importing this module connects to nothing; makeMailer() is called by the composition root.
//
// Retries belong to the job queue, where each attempt is recorded and waits with backoff and
// jitter. The pool's own requeue (maxRequeues) is kept small but not off: nodemailer 10 requeues
// a message only when its connection closed before any of it was sent (a pooled connection the
// server had dropped while idle, a close before the greeting), so it saves a queue retry without
// risking a duplicate (mail-smtp.test.ts checks a drop mid-DATA and a lost reply are not resent).
//
// The send rate is paced here, not by nodemailer's rateLimit/rateDelta: those gate only the reuse
// of a connection, so each new connection sends at once and a burst of maxConnections messages
// passes any limit. Credentials never leave this module: describe() and every error message show
// the URL with the password replaced by ***.
import nodemailer from 'nodemailer';
import type { DeliveryConfig } from '../config/sections/delivery.js';
import { DondocError } from '../errors.js';
import { type Mailer, type OutgoingMessage, type SendResult, prepareMessage, toNodemailer } from './message.js';
import { makeOutboxMailer } from './outbox.js';
import { recipientRejections } from './smtp-errors.js';

export interface SmtpEndpoint {
  host: string;
  port: number;
  /** smtps:// — TLS from the first byte (usually port 465); smtp:// upgrades with STARTTLS when offered. */
  secure: boolean;
  user?: string;
  pass?: string;
  /** ?require_tls=true: refuse to send over a connection that did not upgrade to TLS. */
  requireTls: boolean;
  /** ?reject_unauthorized=false: accept a self-signed certificate (an internal relay). */
  rejectUnauthorized: boolean;
}

export interface MailerOptions {
  /** SMTP_URL; undefined or empty selects the outbox. */
  smtpUrl?: string | undefined;
  /** Outbox directory (default var/outbox). */
  outboxDir?: string;
  /** Messages per second; null/undefined for no limit. */
  sendRatePerSecond?: number | null;
  maxConnections?: number;
  maxMessages?: number;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
  /** Resends inside the pool of a message not one byte of which was sent (see above); default 2. */
  maxRequeues?: number;
  /** How long close() waits for sends in flight before cutting them off (default socketTimeoutMs). */
  closeTimeoutMs?: number;
  /** Transport-level errors that belong to no send (for the logger); sends report their own. */
  onError?: (err: Error) => void;
}

export const MAILER_DEFAULTS = {
  maxConnections: 5,
  maxMessages: 100,
  connectionTimeoutMs: 10_000,
  greetingTimeoutMs: 10_000,
  socketTimeoutMs: 30_000,
  maxRequeues: 2,
} as const;

const invalidUrl = (shown: string, message: string): DondocError =>
  new DondocError('CONFIG_INVALID', `SMTP_URL: ${message}`, [{ path: 'SMTP_URL', message: `${message}, got ${shown}` }]);

const BOOL: Record<string, boolean> = { true: true, '1': true, yes: true, false: false, '0': false, no: false };

/** The URL as it may be shown: the password, if any, replaced by ***. */
export function redactSmtpUrl(url: string): string {
  try {
    const u = new URL(url.trim());
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    // Not a URL: nothing tells where a password would be, so none of it is shown.
    return `a value that is not a URL (${url.length} characters, not shown: it may hold a password)`;
  }
}

/** smtp://user:pass@host:587, smtps://host:465, with ?require_tls=true / ?reject_unauthorized=false. */
export function parseSmtpUrl(url: string): SmtpEndpoint {
  const shown = redactSmtpUrl(url);
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw invalidUrl(shown, 'expected a URL like smtp://user:password@mail.example.gov.vn:587 or smtps://…:465');
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw invalidUrl(shown, 'expected smtp:// or smtps://');
  if (!u.hostname) throw invalidUrl(shown, 'the URL names no host');
  if (u.pathname && u.pathname !== '/') throw invalidUrl(shown, 'expected no path after the host');
  const secure = u.protocol === 'smtps:';
  const flags: Record<string, boolean> = { require_tls: false, reject_unauthorized: true };
  for (const [key, value] of u.searchParams) {
    if (!(key in flags)) throw invalidUrl(shown, `unknown option ${JSON.stringify(key)} (known: require_tls, reject_unauthorized)`);
    const b = BOOL[value.toLowerCase()];
    if (b === undefined) throw invalidUrl(shown, `${key} must be true or false`);
    flags[key] = b;
  }
  let user: string | undefined;
  let pass: string | undefined;
  try {
    user = u.username ? decodeURIComponent(u.username) : undefined;
    pass = u.password ? decodeURIComponent(u.password) : undefined;
  } catch {
    throw invalidUrl(shown, 'the user or password has a bad %-escape (write special characters as %XX)');
  }
  if (pass !== undefined && user === undefined) throw invalidUrl(shown, 'a password without a user');
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(user !== undefined ? { user } : {}),
    ...(pass !== undefined ? { pass } : {}),
    requireTls: flags.require_tls!,
    rejectUnauthorized: flags.reject_unauthorized!,
  };
}

/** Milliseconds between the starts of two sends for a rate per second; undefined for no limit. */
export function paceInterval(perSecond: number | null | undefined): number | undefined {
  return perSecond && perSecond > 0 ? 1000 / perSecond : undefined;
}

interface Pacer {
  /** Resolves at this send's slot; false when the pacer was stopped (the mailer closing) first. */
  wait(): Promise<boolean>;
  stop(): void;
}

/** Evenly spaced slots, one per send: slot n starts n × interval after the first (no bursts). */
function makePacer(intervalMs: number | undefined): Pacer {
  let next = 0;
  const sleepers = new Set<{ timer: NodeJS.Timeout; wake: (ok: boolean) => void }>();
  let stopped = false;
  return {
    wait() {
      if (intervalMs === undefined) return Promise.resolve(!stopped);
      const now = performance.now();
      const slot = Math.max(now, next);
      next = slot + intervalMs;
      if (slot - now < 1) return Promise.resolve(!stopped);
      return new Promise((resolve) => {
        const sleeper = {
          wake: (ok: boolean) => {
            clearTimeout(sleeper.timer);
            sleepers.delete(sleeper);
            resolve(ok && !stopped);
          },
          timer: setTimeout(() => sleeper.wake(true), slot - now),
        };
        sleepers.add(sleeper);
      });
    },
    stop() {
      stopped = true;
      for (const s of [...sleepers]) s.wake(false);
    },
  };
}

/** The mailer options a `delivery:` config section and SMTP_URL give. */
export function mailerOptionsFrom(delivery: DeliveryConfig, smtpUrl: string | undefined): MailerOptions {
  return {
    smtpUrl,
    outboxDir: delivery.outbox_dir,
    sendRatePerSecond: delivery.send_rate_per_second,
    maxConnections: delivery.max_connections,
    maxMessages: delivery.max_messages_per_connection,
    connectionTimeoutMs: delivery.connection_timeout,
    greetingTimeoutMs: delivery.greeting_timeout,
    socketTimeoutMs: delivery.socket_timeout,
  };
}

// Same code as nodemailer's own closed pool, so classifySmtpError calls it transient.
const closedError = (): Error => Object.assign(new Error('mailer was closed'), { code: 'ECONNECTION' });

const addressOf = (a: unknown): string => (typeof a === 'string' ? a : typeof a === 'object' && a && 'address' in a ? String((a as { address: unknown }).address) : String(a));

export function makeSmtpMailer(endpoint: SmtpEndpoint, opts: Omit<MailerOptions, 'smtpUrl' | 'outboxDir'> = {}): Mailer {
  const o = { ...MAILER_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as typeof MAILER_DEFAULTS & MailerOptions;
  const pacer = makePacer(paceInterval(o.sendRatePerSecond));
  const transport = nodemailer.createTransport({
    pool: true,
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.secure,
    ...(endpoint.user !== undefined ? { auth: { user: endpoint.user, pass: endpoint.pass ?? '' } } : {}),
    requireTLS: endpoint.requireTls,
    tls: { rejectUnauthorized: endpoint.rejectUnauthorized },
    maxConnections: o.maxConnections,
    maxMessages: o.maxMessages,
    maxRequeues: o.maxRequeues,
    connectionTimeout: o.connectionTimeoutMs,
    greetingTimeout: o.greetingTimeoutMs,
    socketTimeout: o.socketTimeoutMs,
    // Messages carry Buffers only: never let message content make nodemailer read a file or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  // An unhandled 'error' event would crash the worker; each send reports its own failure.
  transport.on('error', (err: Error) => o.onError?.(err));

  const where = `smtp${endpoint.secure ? 's' : ''}://${endpoint.user !== undefined ? `${encodeURIComponent(endpoint.user)}${endpoint.pass !== undefined ? ':***' : ''}@` : ''}${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
  const inFlight = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;

  return {
    kind: 'smtp',
    describe: () =>
      `${where} (pool of ${o.maxConnections}, ${o.sendRatePerSecond ? `${o.sendRatePerSecond}/s` : 'no rate limit'}, timeouts ${o.connectionTimeoutMs}/${o.greetingTimeoutMs}/${o.socketTimeoutMs} ms)`,
    send(input: OutgoingMessage): Promise<SendResult> {
      if (closing) return Promise.reject(closedError());
      const p = (async (): Promise<SendResult> => {
        const msg = prepareMessage(input);
        if (!(await pacer.wait())) throw closedError();
        const info = await transport.sendMail(toNodemailer(msg));
        const rejected = (info.rejected ?? []).map(addressOf);
        return {
          messageId: msg.messageId,
          accepted: (info.accepted ?? []).map(addressOf),
          rejected,
          response: info.response,
          rejections: recipientRejections(rejected, (info as { rejectedErrors?: unknown }).rejectedErrors),
        };
      })();
      // In flight from the call on, so close() waits for a send made just before it.
      inFlight.add(p);
      p.then(
        () => inFlight.delete(p),
        () => inFlight.delete(p),
      );
      return p;
    },
    async verify(): Promise<void> {
      await transport.verify();
    },
    close(): Promise<void> {
      closing ??= (async () => {
        // New sends and sends waiting for their rate slot fail now (transient: the queue retries
        // them); sends handed to the pool may finish, bounded by closeTimeoutMs, then are cut.
        pacer.stop();
        const pending = Promise.allSettled([...inFlight]);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          pending.then(() => false),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), o.closeTimeoutMs ?? o.socketTimeoutMs))),
        ]);
        clearTimeout(timer);
        transport.close({ force: timedOut });
        await pending;
      })();
      return closing;
    },
  };
}

/** The mailer SMTP_URL selects: pooled SMTP when set, the .eml outbox when unset or empty. */
export function makeMailer(opts: MailerOptions = {}): Mailer {
  const url = opts.smtpUrl?.trim();
  if (!url) return makeOutboxMailer({ ...(opts.outboxDir ? { dir: opts.outboxDir } : {}) });
  const { smtpUrl: _u, outboxDir: _d, ...rest } = opts;
  return makeSmtpMailer(parseSmtpUrl(url), rest);
}
