// The logger: pino, one JSON object per line on stderr (stdout is the commands' output), or
// pino-pretty's coloured lines when stderr is a terminal. Built once by the composition root
// (src/main.ts); everything else gets it, or a child of it, as a dependency.
//
// Redaction happens on the finished line, so it covers everything that reaches the log —
// fields, messages, error messages and stacks, fastify's request logs — whoever wrote them:
//   - values of secret-looking keys (password, pass, token, authorization, secret, cookie…);
//   - credentials in URLs (smtp://user:pass@host → smtp://user:***@host);
//   - bearer tokens in text ("Bearer abc…" → "Bearer ***");
//   - secrets in query strings (?token=…, &password=…) and the capability token of a reply
//     link (/r/<token> → /r/***), in free text and in fastify's request logs alike;
//   - e-mail addresses (the recipients of a job; the person behind a mailbox is personal data):
//     giamdoc.syt@thainguyen.gov.vn → ***@thainguyen.gov.vn, which still tells the body apart.
//     Message-IDs under keys like messageId are kept whole: they are how an operator finds a
//     message in the mail server's log (in free text they look like addresses and are scrubbed).
import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';

export interface LogSink {
  write(text: string): unknown;
  /** A terminal gets the pretty format unless DONDOC_LOG_FORMAT says otherwise. */
  isTTY?: boolean;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Default: pretty when the sink is a terminal, else JSON. */
  format?: LogFormat;
  /** Default: process.stderr. */
  sink?: LogSink;
  /** Bound to every line, e.g. { role: 'worker' }. */
  base?: Record<string, unknown>;
}

const SECRET_KEY = /^(?:pass(?:word|wd)?|secret|client_?secret|token|tokens|api_?tokens?|access_?token|refresh_?token|authorization|proxy-authorization|cookie|set-cookie|smtp_?pass(?:word)?|auth)$/i;
// A key made of words, one of them secret: DONDOC_API_TOKENS, smtpPassword, x-auth-token.
const SECRET_WORDS = new Set(['pass', 'password', 'passwd', 'secret', 'secrets', 'token', 'tokens', 'authorization', 'cookie', 'cookies', 'auth', 'credential', 'credentials', 'apikey']);
const isSecretKey = (key: string): boolean =>
  SECRET_KEY.test(key) ||
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .some((w) => SECRET_WORDS.has(w));
const MESSAGE_ID_KEY = /^(?:message_?id|msg_?id|in-reply-to|references)$/i;

// scheme://user:password@host — the password part, whatever the scheme.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"]*):([^\s@/"]+)@/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const QUERY_SECRET = /([?&;](?:[a-z_]*token|password|passwd|pass|secret|csrf|sig|signature|api_?key)=)[^&#\s"\\]+/gi;
// A reply link's token is the capability to act on a task (issue 6): never in a log.
const REPLY_LINK = /\/r\/[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]+)?/g;
// Letters of any script: a mailbox may be Vietnamese (SMTPUTF8), "giám.đốc@…".
const EMAIL = /(^|[^\p{L}\p{M}\p{N}._%+-])([\p{L}\p{M}\p{N}._%+-]+)@([\p{L}\p{M}\p{N}-]+(?:\.[\p{L}\p{M}\p{N}-]+)+)/gu;
/** Scrubs one string value of a log line (see the header for what goes). */
export function scrubText(text: string): string {
  return text
    .replace(URL_CREDENTIALS, '$1:***@')
    .replace(BEARER, '$1 ***')
    .replace(QUERY_SECRET, '$1***')
    .replace(REPLY_LINK, '/r/***')
    .replace(EMAIL, (_m, before: string, _local: string, domain: string) => `${before}***@${domain}`);
}

// A JSON string token, optionally followed by ":" (then it is a key).
const JSON_STRING = /"((?:[^"\\]|\\.)*)"(\s*:)?/g;

/**
 * Scrubs one serialized JSON log line. Each string token is judged by the key it belongs to
 * (the nearest key before it, so array elements follow their array's key).
 */
export function scrubLogLine(line: string): string {
  let key = '';
  return line.replace(JSON_STRING, (whole, body: string, colon: string | undefined) => {
    if (colon) {
      key = body;
      return whole;
    }
    if (isSecretKey(key)) return '"[redacted]"';
    if (MESSAGE_ID_KEY.test(key)) return whole;
    return `"${scrubText(body)}"`;
  });
}

function parseFormat(env: Record<string, string | undefined>): LogFormat | undefined {
  const f = env.DONDOC_LOG_FORMAT?.trim().toLowerCase();
  return f === 'json' || f === 'pretty' ? f : undefined;
}

function parseLevel(env: Record<string, string | undefined>): LogLevel | undefined {
  const l = env.DONDOC_LOG_LEVEL?.trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(l ?? '') ? (l as LogLevel) : undefined;
}

/** Options from DONDOC_LOG_LEVEL / DONDOC_LOG_FORMAT (validated in src/config/env.ts). */
export function loggerOptionsFromEnv(env: Record<string, string | undefined>): Pick<LoggerOptions, 'level' | 'format'> {
  const level = parseLevel(env);
  const format = parseFormat(env);
  return { ...(level ? { level } : {}), ...(format ? { format } : {}) };
}

export function makeLogger(opts: LoggerOptions = {}): Logger {
  const sink: LogSink = opts.sink ?? process.stderr;
  const format = opts.format ?? (sink.isTTY ? 'pretty' : 'json');
  // pino-pretty as a plain function on the already-scrubbed line: synchronous, no worker
  // thread to flush at exit, and the last lines before a crash are not lost.
  const pretty = format === 'pretty' ? prettyFactory({ colorize: Boolean(sink.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) : undefined;
  const stream = {
    write(line: string): void {
      const clean = scrubLogLine(line);
      sink.write(pretty ? pretty(clean) : clean);
    },
  };
  return pino(
    {
      level: opts.level ?? 'info',
      base: { pid: process.pid, ...(opts.base ?? {}) },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    stream,
  );
}

/** For connection 'error' events: each distinct message once, then at most every 30 s. */
export function connectionErrorLogger(logger: Logger, what: string): (err: Error) => void {
  let last = '';
  let at = 0;
  return (err) => {
    const t = performance.now();
    if (err.message === last && t - at < 30_000) return;
    last = err.message;
    at = t;
    logger.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, `${what}: connection error (reconnecting)`);
  };
}
