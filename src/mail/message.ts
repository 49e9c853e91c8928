// The mail port: what a job hands to a Mailer, and what it gets back. Both mailers (SMTP and
// the .eml outbox) run every message through prepareMessage() first, so header injection is
// impossible whichever way the mail leaves: CR/LF and other control characters in a subject or
// display name become spaces, a bad address or Message-ID is refused (never "cleaned" into a
// different recipient), and all text is NFC (Vietnamese may arrive decomposed).
import { createHash } from 'node:crypto';
import { DondocError, type Problem } from '../errors.js';

export interface Address {
  name?: string;
  address: string;
}

export interface Attachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface OutgoingMessage {
  /** "<id@domain>", deterministic per notification (messageIdFor), so a resend after a crash carries the same one. */
  messageId: string;
  from: Address;
  to: Address[];
  cc: Address[];
  replyTo?: Address;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  attachments?: Attachment[];
}

/** A recipient the server refused while others were accepted (see smtp-errors.ts). */
export interface RecipientRejection {
  address: string;
  kind: 'transient' | 'permanent';
  code?: number;
  reason: string;
}

export interface SendResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
  /** The server's final reply, e.g. "250 2.0.0 OK". */
  response: string;
  /** Why each rejected recipient was refused; empty when all were accepted. */
  rejections?: RecipientRejection[];
}

export interface Mailer {
  send(msg: OutgoingMessage): Promise<SendResult>;
  /** Checks the server answers and accepts the credentials (or that the outbox is writable). */
  verify(): Promise<void>;
  /** Lets sends in flight finish (bounded), then releases connections; later sends fail transiently. */
  close(): Promise<void>;
  readonly kind: 'smtp' | 'outbox';
  /** Where mail goes, for logs and `dondoc start`: never contains a password. */
  describe(): string;
}

// C0, DEL, C1 and the Unicode line/paragraph separators: none belongs in a header.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** Header text (subject, display name): NFC, control characters and line breaks → one space. */
export function cleanHeaderText(s: string): string {
  return s.normalize('NFC').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/** Body text: NFC and CRLF/CR → LF (nodemailer writes the line ends the wire needs). */
const cleanBody = (s: string): string => s.normalize('NFC').replace(/\r\n?/g, '\n');

// Deliberately simple (the server is the final judge) but strict about what could break a
// header or an SMTP command: no whitespace, controls, brackets, commas, quotes or second "@".
// C1 controls (NEL U+0085…) and U+2028/2029 too: mail software drops or breaks lines on them.
const ADDRESS = /^[^\s@<>()[\],;:"\\\u0000-\u001f\u007f-\u009f\u2028\u2029]{1,64}@[^\s@<>()[\],;:"\\\u0000-\u001f\u007f-\u009f\u2028\u2029]{1,253}$/;

/** "<local@domain>": dot-atom-ish text, no spaces, controls or nested brackets. */
const MESSAGE_ID = /^<[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]{1,200}@[A-Za-z0-9.-]{1,253}>$/;

export const isMessageId = (s: string): boolean => MESSAGE_ID.test(s);

const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
export const isMessageIdDomain = (s: string): boolean => DOMAIN.test(s);

/**
 * The Message-ID of a notification: the same id always gives the same Message-ID (the one
 * duplicate window of issue 5 relies on it). Characters outside [A-Za-z0-9_-] are written as
 * "=XX" (UTF-8 hex), which keeps distinct ids distinct; a very long id is hashed instead.
 */
export function messageIdFor(notificationId: string, domain: string): string {
  if (!isMessageIdDomain(domain)) {
    throw new DondocError('CONFIG_INVALID', `message id domain: expected a host name like dondoc.thainguyen.gov.vn, got ${JSON.stringify(domain)}`);
  }
  const encoded = Array.from(Buffer.from(notificationId.normalize('NFC'), 'utf8'))
    .map((b) => (/[A-Za-z0-9_-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  const local = encoded.length > 0 && encoded.length <= 160 ? encoded : `h-${createHash('sha256').update(notificationId, 'utf8').digest('hex')}`;
  return `<${local}@${domain.toLowerCase()}>`;
}

// Headers the mailer writes itself: a template may not set or override them.
const RESERVED = new Set([
  'from', 'to', 'cc', 'bcc', 'sender', 'reply-to', 'subject', 'message-id', 'date', 'mime-version',
  'return-path', 'received', 'content-type', 'content-transfer-encoding', 'content-disposition', 'content-id',
  'dkim-signature', 'x-mailer',
]);
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,75}$/;
const CONTENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}$/;

function cleanAddress(a: Address | undefined, where: string, problems: Problem[]): Address | undefined {
  const address = typeof a?.address === 'string' ? a.address.normalize('NFC').trim() : '';
  if (!ADDRESS.test(address)) {
    problems.push({ path: where, message: `expected an e-mail address, got ${JSON.stringify(a?.address ?? null)}` });
    return undefined;
  }
  const name = a?.name === undefined ? '' : cleanHeaderText(a.name);
  return name ? { name, address } : { address };
}

/**
 * Validates and cleans a message; throws DondocError('INPUT_REJECTED') listing every problem
 * (a permanent failure: sending the same message again would fail the same way).
 */
export function prepareMessage(msg: OutgoingMessage): OutgoingMessage {
  const problems: Problem[] = [];
  const messageId = typeof msg.messageId === 'string' ? msg.messageId.trim() : '';
  if (!isMessageId(messageId)) problems.push({ path: 'messageId', message: `expected "<id@domain>" without spaces or control characters, got ${JSON.stringify(msg.messageId)}` });
  const from = cleanAddress(msg.from, 'from', problems);
  const to = (msg.to ?? []).map((a, i) => cleanAddress(a, `to[${i}]`, problems)).filter((a): a is Address => a !== undefined);
  const cc = (msg.cc ?? []).map((a, i) => cleanAddress(a, `cc[${i}]`, problems)).filter((a): a is Address => a !== undefined);
  if ((msg.to ?? []).length === 0) problems.push({ path: 'to', message: 'a message needs at least one recipient' });
  const replyTo = msg.replyTo ? cleanAddress(msg.replyTo, 'replyTo', problems) : undefined;

  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(msg.headers ?? {})) {
    if (!HEADER_NAME.test(key)) problems.push({ path: `headers.${key}`, message: 'expected a header name of letters, digits and "-"' });
    else if (RESERVED.has(key.toLowerCase())) problems.push({ path: `headers.${key}`, message: 'is written by the mailer and cannot be set' });
    else headers[key] = cleanHeaderText(String(value));
  }
  // RFC 3834: automatic notices say so, which keeps out-of-office replies from answering them.
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'auto-submitted')) headers['Auto-Submitted'] = 'auto-generated';

  const attachments = (msg.attachments ?? []).map((a, i) => {
    if (!Buffer.isBuffer(a.content)) problems.push({ path: `attachments[${i}].content`, message: 'expected the content as a Buffer' });
    if (!CONTENT_TYPE.test(a.contentType ?? '')) problems.push({ path: `attachments[${i}].contentType`, message: `expected a MIME type like application/pdf, got ${JSON.stringify(a.contentType)}` });
    const filename = cleanHeaderText(a.filename ?? '').replace(/[\\/]/g, '_');
    if (!filename) problems.push({ path: `attachments[${i}].filename`, message: 'must not be empty' });
    return { filename, content: a.content, contentType: a.contentType };
  });

  if (problems.length) {
    throw new DondocError('INPUT_REJECTED', `message ${JSON.stringify(msg.messageId)}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
  }
  return {
    messageId,
    from: from!,
    to,
    cc,
    ...(replyTo ? { replyTo } : {}),
    subject: cleanHeaderText(msg.subject ?? ''),
    text: cleanBody(msg.text ?? ''),
    html: cleanBody(msg.html ?? ''),
    headers,
    ...(attachments.length ? { attachments } : {}),
  };
}

/** nodemailer's message options for a prepared message (shared by the SMTP and outbox mailers). */
export function toNodemailer(msg: OutgoingMessage): {
  messageId: string;
  from: Address;
  to: Address[];
  cc: Address[];
  replyTo?: Address;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  attachments: { filename: string; content: Buffer; contentType: string }[];
} {
  return {
    // Set exactly as given: nodemailer writes it verbatim, so a resend carries the same id.
    messageId: msg.messageId,
    from: msg.from,
    to: msg.to,
    cc: msg.cc,
    ...(msg.replyTo ? { replyTo: msg.replyTo } : {}),
    subject: msg.subject,
    text: msg.text,
    html: msg.html,
    headers: msg.headers ?? {},
    attachments: (msg.attachments ?? []).map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
  };
}
