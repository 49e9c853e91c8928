// Classifies a failed send as transient (retry with backoff: the same message may go through
// later) or permanent (record it as failed and report it to the admin; retrying cannot help).
// RFC 5321 §4.2.1: a 4yz reply is a transient negative completion, a 5yz reply a permanent one.
//
// Decisions (issue 5, "Mail"):
// - Network failures (refused, reset, timeouts, a socket closed mid-DATA, a closed pool) are
//   transient: nothing says the message itself is bad.
// - 503 "bad sequence of commands" is transient, as nodemailer marks it: the session was in the
//   wrong state, the same message can pass on a new connection.
// - Authentication failures (535, EAUTH) are transient although 5xx: the message is fine and the
//   fix is the SMTP_URL, so every queued notification must not be failed for good at once; the
//   retry budget still bounds them, and the reason names the credentials.
// - All recipients rejected with 5xx → permanent; with 4xx (greylisting) → transient.
// - Some recipients rejected (partial): the message WAS delivered to the accepted ones and counts
//   as sent — resending would duplicate it for them. partialRejection() reports the refused
//   addresses so the job records them and tells the admin; it never resends to the accepted.
// - Anything unknown is transient: the retry budget ends it, so it is never retried forever
//   and, once the budget is spent, it is recorded and reported like a permanent failure.
import { isDondocError } from '../errors.js';
import type { RecipientRejection, SendResult } from './message.js';

export type FailureKind = 'transient' | 'permanent';

export interface SmtpFailure {
  kind: FailureKind;
  /** The SMTP reply code when the server answered, e.g. 451 or 550. */
  code?: number;
  /** One line for the delivery log and the admin report; never contains credentials. */
  reason: string;
  /** The recipients the failure applies to, when the server named them. */
  rejected?: string[];
}

interface ErrorLike {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  message?: unknown;
  timeoutType?: unknown;
  rejected?: unknown;
  rejectedErrors?: unknown;
}

// Node and nodemailer codes for a connection that failed or ended: always worth another try.
const NETWORK_CODES = new Set([
  'ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'EPROXY', 'EPROTOCOL', 'EABORT', 'EREQUIRETLS', 'ESTREAM',
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN',
  'ENOTFOUND', 'EAI_AGAIN', 'ESERVFAIL', 'ETIMEOUT', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_PREMATURE_CLOSE',
]);
// Problems of the message itself: sending it again fails the same way.
const MESSAGE_CODES = new Set(['EENVELOPE', 'EMAXRECIPIENTS', 'EFILEACCESS', 'EURLACCESS', 'EOTP']);
// Problems of our own configuration: the message is fine; fixed by the operator, not by time.
const CONFIG_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ECONFIG']);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim().slice(0, 300);

/** Reply classes per RFC 5321, with the 503 and auth exceptions above. */
export function classifyReplyCode(code: number): FailureKind {
  if (code >= 500 && code < 600 && code !== 503 && code !== 530 && code !== 534 && code !== 535) return 'permanent';
  return 'transient';
}

function describeNetwork(e: ErrorLike, code: string): string {
  const original = str(e.originalCode);
  if (e.timeoutType === 'GREETING_TIMEOUT') return 'timed out waiting for the SMTP greeting';
  if (e.timeoutType === 'CONNECT_TIMEOUT') return 'timed out connecting to the SMTP server';
  if (e.timeoutType === 'SOCKET_TIMEOUT' || (code === 'ETIMEDOUT' && !original)) return 'the SMTP server stopped answering (socket timeout)';
  if (original === 'ECONNREFUSED' || code === 'ECONNREFUSED') return 'connection refused by the SMTP server';
  const msg = str(e.message);
  return oneLine(`network error ${original ?? code}${msg ? `: ${msg}` : ''}`);
}

export function classifySmtpError(err: unknown): SmtpFailure {
  if (isDondocError(err)) {
    // A message refused before it left (bad address, bad Message-ID): the same input fails again.
    const detail = err.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    return { kind: err.code === 'INPUT_REJECTED' ? 'permanent' : 'transient', reason: oneLine(detail ? `${err.message}: ${detail}` : err.message) };
  }
  const e: ErrorLike = typeof err === 'object' && err !== null ? (err as ErrorLike) : { message: String(err) };
  const code = str(e.code) ?? '';
  const responseCode = typeof e.responseCode === 'number' && e.responseCode >= 200 && e.responseCode < 600 ? e.responseCode : undefined;
  const response = str(e.response);
  const rejected = Array.isArray(e.rejected) ? e.rejected.filter((r): r is string => typeof r === 'string') : undefined;
  const withRejected = (f: SmtpFailure): SmtpFailure => (rejected?.length ? { ...f, rejected } : f);

  if (responseCode !== undefined && responseCode >= 400) {
    const kind = CONFIG_CODES.has(code) ? 'transient' : classifyReplyCode(responseCode);
    const command = str(e.command);
    const what = CONFIG_CODES.has(code)
      ? 'SMTP authentication failed (check the user and password in SMTP_URL)'
      : rejected?.length
        ? `all recipients rejected (${rejected.join(', ')})`
        : command
          ? `server refused ${command.split(' ')[0]}`
          : 'server refused the message';
    return withRejected({ kind, code: responseCode, reason: oneLine(`${what}: ${response ?? responseCode}`) });
  }
  if (CONFIG_CODES.has(code)) {
    return { kind: 'transient', reason: oneLine(`SMTP authentication failed (check SMTP_URL): ${str(e.message) ?? code}`) };
  }
  if (MESSAGE_CODES.has(code)) {
    return withRejected({ kind: 'permanent', reason: oneLine(`message refused before sending (${code}): ${str(e.message) ?? ''}`) });
  }
  const original = str(e.originalCode);
  if (NETWORK_CODES.has(code) || (original && NETWORK_CODES.has(original))) {
    return { kind: 'transient', ...(responseCode === 421 ? { code: 421 } : {}), reason: describeNetwork(e, code || original!) };
  }
  return { kind: 'transient', reason: oneLine(`unexpected error${code ? ` ${code}` : ''}: ${str(e.message) ?? String(err)}`) };
}

/** Classifies each rejected recipient of a send that nodemailer reports as rejectedErrors. */
export function recipientRejections(rejected: readonly string[], rejectedErrors: unknown): RecipientRejection[] {
  const errors = Array.isArray(rejectedErrors) ? (rejectedErrors as ErrorLike[]) : [];
  return rejected.map((address) => {
    const e = errors.find((x) => str((x as { recipient?: unknown }).recipient) === address);
    const f = e ? classifySmtpError(e) : { kind: 'permanent' as const, reason: 'recipient rejected' };
    return { address, kind: f.kind, ...(f.code !== undefined ? { code: f.code } : {}), reason: f.reason };
  });
}

/**
 * A send that reached some recipients but not all: counts as sent (see the decisions above);
 * this is what to record and report for the others. Null when every recipient was accepted.
 * Permanent if any refusal was permanent, so the admin hears of it at once.
 */
export function partialRejection(result: SendResult): SmtpFailure | null {
  if (result.rejected.length === 0) return null;
  const rejections: RecipientRejection[] = result.rejections?.length ? result.rejections : result.rejected.map((address) => ({ address, kind: 'permanent', reason: 'recipient rejected' }));
  const kind: FailureKind = rejections.some((r) => r.kind === 'permanent') ? 'permanent' : 'transient';
  const codes = rejections.map((r) => r.code).filter((c): c is number => c !== undefined);
  return {
    kind,
    ...(codes[0] !== undefined ? { code: codes[0] } : {}),
    reason: oneLine(`delivered to ${result.accepted.length}, refused for ${rejections.map((r) => `${r.address} (${r.reason})`).join(', ')}`),
    rejected: [...result.rejected],
  };
}
