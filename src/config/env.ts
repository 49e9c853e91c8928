// The environment variables dondoc reads, parsed once with zod: every problem is reported
// together, named by the variable, with what to write instead. Defaults live here.
//
//   REDIS_URL                redis://127.0.0.1:6379   redis:// or rediss:// URL (AOF on, noeviction); a Redis Cluster
//                                                     as redis+cluster://h1:7000,h2:7001,h3:7002 (rediss+cluster:// for
//                                                     TLS): seed nodes, the rest is discovered (docs/SCALING.md)
//   DONDOC_KEY_PREFIX        dondoc                   prefix of every Redis key (no braces: they are hash tags)
//   DONDOC_HTTP_PORT         8080                     port of the HTTP API (`dondoc start`)
//   DONDOC_HTTP_HOST         127.0.0.1                address the API listens on (0.0.0.0 in a container)
//   DONDOC_HTTP_BODY_LIMIT   1MiB                     largest request body: bytes, or with KiB/MiB
//   DONDOC_API_TOKENS        (none: API refuses all)  NAME:ROLE:TOKEN, comma-separated; see below
//   DONDOC_REDIS_TIMEOUT_MS  2000                     connect and command timeout
//   SMTP_URL                 (none: .eml outbox)      smtp://user:pass@host:587 or smtps://host:465 (src/mail/transport.ts)
//   DONDOC_OUTBOX_DIR        delivery.outbox_dir      where .eml files go when SMTP_URL is unset (default var/outbox)
//   DONDOC_REDIS_PROBE_PORT  6379                     with REDIS_URL unset: the local port tried before starting a private redis-server
//   DONDOC_REDIS_DIR         var/redis                data directory of that private redis-server
//   DONDOC_LOG_LEVEL         info                     fatal, error, warn, info, debug, trace or silent
//   DONDOC_LOG_FORMAT        (pretty on a terminal)   json or pretty
//   DONDOC_METRICS_PORT      (none)                   also serve /metrics and /api/health on this port, in any role
//                                                     (a worker-only process has no API to serve them)
//   DONDOC_FAKE_NOW          (none)                   TESTS AND DEMOS ONLY: the clock starts at this instant
//                                                     (2022-06-30T09:00 in the config's zone, or with +07:00) and
//                                                     runs on in real time. Never set it in production: mail would
//                                                     go out by a clock that is not the real one.
//
// REDIS_URL unset is not the same as REDIS_URL=redis://127.0.0.1:6379: unset lets `dondoc start`
// fall back to a private redis-server (src/redis/private-server.ts).
//
// DONDOC_API_TOKENS: `ops:admin:sha256:<64 hex>,board:viewer:sha256:<64 hex>`. ROLE is admin
// (reads and writes) or viewer (reads). TOKEN is `sha256:` + the hex SHA-256 of the token, so
// the config holds no secret (make one: `printf %s "$TOKEN" | sha256sum`); a plain token of at
// least 20 characters is accepted too, for development.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DondocError, type Problem } from '../errors.js';
import { parseSmtpUrl } from '../mail/transport.js';
import { parseRedisTarget } from '../store/redis-url.js';

export const API_ROLES = ['admin', 'viewer'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface ApiToken {
  name: string;
  role: ApiRole;
  /** SHA-256 of the token (32 bytes): compared in constant time, never the token itself. */
  hash: Buffer;
}

export interface DondocEnv {
  redisUrl: string;
  keyPrefix: string;
  httpPort: number;
  httpHost: string;
  bodyLimit: number;
  apiTokens: readonly ApiToken[];
  redisTimeoutMs: number;
  /** REDIS_URL was given (else redisUrl is the default and `dondoc start` may start its own). */
  redisUrlSet: boolean;
  /** SMTP_URL, validated; undefined selects the .eml outbox. */
  smtpUrl?: string;
  outboxDir?: string;
  redisProbePort: number;
  redisDir?: string;
  logLevel?: string;
  logFormat?: 'json' | 'pretty';
  metricsPort?: number;
  /** DONDOC_FAKE_NOW as written (the zone comes from the config); tests and demos only. */
  fakeNow?: string;
}

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

export const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

const redisUrl = z.string().transform((s, ctx) => {
  const t = parseRedisTarget(s);
  if ('error' in t) {
    ctx.issues.push({ code: 'custom', input: s, message: t.error });
    return z.NEVER;
  }
  return s.trim();
});

const keyPrefix = z
  .string()
  .transform((s) => s.trim())
  .refine((s) => /^[A-Za-z0-9_.:-]{1,64}$/.test(s), {
    error: (iss) => `expected letters, digits, "_", ".", ":" or "-" (at most 64; no braces, they are Redis Cluster hash tags), got ${shown(iss.input)}`,
  });

const intIn = (what: string, min: number, max: number) =>
  z.string().transform((s, ctx) => {
    const t = s.trim();
    if (!/^\d{1,9}$/.test(t) || Number(t) < min || Number(t) > max) {
      ctx.issues.push({ code: 'custom', input: s, message: `expected ${what} between ${min} and ${max}, got ${shown(s)}` });
      return z.NEVER;
    }
    return Number(t);
  });

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1 << 20, mb: 1 << 20, mib: 1 << 20 };
const bodyLimit = z.string().transform((s, ctx) => {
  const m = /^\s*(\d{1,9})\s*([a-z]*)\s*$/i.exec(s);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  const bytes = m && unit ? Number(m[1]) * unit : NaN;
  if (!(bytes >= 1024 && bytes <= 64 << 20)) {
    ctx.issues.push({ code: 'custom', input: s, message: `expected a size between 1KiB and 64MiB, like 1MiB or 524288, got ${shown(s)}` });
    return z.NEVER;
  }
  return bytes;
});

/** Parses DONDOC_API_TOKENS; problems name the entry by position and name, never the secret. */
export function parseApiTokens(text: string, problems: Problem[]): ApiToken[] {
  const tokens: ApiToken[] = [];
  const entries = text.split(/[,\s]+/).filter(Boolean);
  entries.forEach((entry, i) => {
    const where = `DONDOC_API_TOKENS[${i}]`;
    const [name = '', role = '', ...rest] = entry.split(':');
    const secret = rest.join(':');
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) problems.push({ path: where, message: `expected NAME:ROLE:TOKEN with a name of letters, digits, "_", "." or "-", got name ${shown(name)}` });
    if (!(API_ROLES as readonly string[]).includes(role)) problems.push({ path: `${where} (${name})`, message: `expected role admin or viewer, got ${shown(role)}` });
    let hash: Buffer | undefined;
    if (secret.startsWith('sha256:')) {
      const hex = secret.slice(7);
      if (/^[0-9a-fA-F]{64}$/.test(hex)) hash = Buffer.from(hex, 'hex');
      else problems.push({ path: `${where} (${name})`, message: 'expected sha256: followed by 64 hex digits (printf %s "$TOKEN" | sha256sum)' });
    } else if (secret.length >= 20) hash = sha256(secret);
    else problems.push({ path: `${where} (${name})`, message: 'expected a token of at least 20 characters, or sha256:<64 hex digits> of it' });
    if (tokens.some((t) => t.name === name)) problems.push({ path: `${where} (${name})`, message: 'a second token with this name' });
    if (hash && (API_ROLES as readonly string[]).includes(role)) tokens.push({ name, role: role as ApiRole, hash });
  });
  return tokens;
}

const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const envSchema = z.object({
  REDIS_URL: redisUrl.prefault('redis://127.0.0.1:6379'),
  DONDOC_KEY_PREFIX: keyPrefix.prefault('dondoc'),
  DONDOC_HTTP_PORT: intIn('a port', 0, 65535).prefault('8080'),
  DONDOC_HTTP_HOST: z
    .string()
    .transform((s) => s.trim())
    .refine((s) => /^[A-Za-z0-9.:_-]{1,253}$/.test(s), { error: (iss) => `expected a host name or address like 0.0.0.0, got ${shown(iss.input)}` })
    .prefault('127.0.0.1'),
  DONDOC_HTTP_BODY_LIMIT: bodyLimit.prefault('1MiB'),
  DONDOC_REDIS_TIMEOUT_MS: intIn('milliseconds', 100, 600_000).prefault('2000'),
  DONDOC_API_TOKENS: z.string().prefault(''),
  SMTP_URL: z.string().optional(),
  DONDOC_OUTBOX_DIR: z.string().optional(),
  DONDOC_REDIS_PROBE_PORT: intIn('a port', 1, 65535).prefault('6379'),
  DONDOC_REDIS_DIR: z.string().optional(),
  DONDOC_LOG_LEVEL: z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .refine((s) => LOG_LEVELS.includes(s), { error: (iss) => `expected one of ${LOG_LEVELS.join(', ')}, got ${shown(iss.input)}` })
    .optional(),
  DONDOC_LOG_FORMAT: z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .refine((s): s is 'json' | 'pretty' => s === 'json' || s === 'pretty', { error: (iss) => `expected json or pretty, got ${shown(iss.input)}` })
    .optional(),
  DONDOC_METRICS_PORT: intIn('a port', 0, 65535).optional(),
  DONDOC_FAKE_NOW: z
    .string()
    .transform((s) => s.trim())
    .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/.test(s), {
      error: (iss) => `expected a date-time like 2022-06-30T09:00 or 2022-06-30T09:00:00+07:00, got ${shown(iss.input)}`,
    })
    .optional(),
});

/** SMTP_URL through the mail module's own parser, so both report the same problems. */
function checkSmtpUrl(url: string | undefined, problems: Problem[]): string | undefined {
  if (url === undefined) return undefined;
  try {
    parseSmtpUrl(url);
    return url.trim();
  } catch (e) {
    if (e instanceof DondocError) problems.push(...(e.problems.length ? e.problems : [{ path: 'SMTP_URL', message: e.message }]));
    else throw e;
    return undefined;
  }
}

/** Reads the environment; throws DondocError('CONFIG_INVALID') listing every bad variable. */
export function parseEnv(env: Record<string, string | undefined>): DondocEnv {
  // An empty variable means "unset" (docker-compose writes FOO= for blanks).
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => (k === 'REDIS_URL' || k === 'SMTP_URL' || k.startsWith('DONDOC_')) && v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  const problems: Problem[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ path: String(i.path[0] ?? 'environment'), message: i.message }));
  const apiTokens = parseApiTokens(parsed.success ? parsed.data.DONDOC_API_TOKENS : (present.DONDOC_API_TOKENS ?? ''), problems);
  const smtpUrl = checkSmtpUrl(present.SMTP_URL, problems);
  if (!parsed.success || problems.length) {
    throw new DondocError('CONFIG_INVALID', `environment: ${problems.length} problem${problems.length === 1 ? '' : 's'} in dondoc's variables`, problems);
  }
  const d = parsed.data;
  return Object.freeze({
    redisUrl: d.REDIS_URL,
    keyPrefix: d.DONDOC_KEY_PREFIX,
    httpPort: d.DONDOC_HTTP_PORT,
    httpHost: d.DONDOC_HTTP_HOST,
    bodyLimit: d.DONDOC_HTTP_BODY_LIMIT,
    apiTokens: Object.freeze(apiTokens),
    redisTimeoutMs: d.DONDOC_REDIS_TIMEOUT_MS,
    redisUrlSet: present.REDIS_URL !== undefined,
    ...(smtpUrl !== undefined ? { smtpUrl } : {}),
    ...(d.DONDOC_OUTBOX_DIR !== undefined ? { outboxDir: d.DONDOC_OUTBOX_DIR } : {}),
    redisProbePort: d.DONDOC_REDIS_PROBE_PORT,
    ...(d.DONDOC_REDIS_DIR !== undefined ? { redisDir: d.DONDOC_REDIS_DIR } : {}),
    ...(d.DONDOC_LOG_LEVEL !== undefined ? { logLevel: d.DONDOC_LOG_LEVEL } : {}),
    ...(d.DONDOC_LOG_FORMAT !== undefined ? { logFormat: d.DONDOC_LOG_FORMAT } : {}),
    ...(d.DONDOC_METRICS_PORT !== undefined ? { metricsPort: d.DONDOC_METRICS_PORT } : {}),
    ...(d.DONDOC_FAKE_NOW !== undefined ? { fakeNow: d.DONDOC_FAKE_NOW } : {}),
  });
}
