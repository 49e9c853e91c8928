// A copy as a mail message: the OutgoingMessage the mailers send (src/mail/message.ts) — To the
// one person it is for — and its raw RFC 5322 bytes (.eml) built with nodemailer's MailComposer,
// used by simulate and by anything that wants the exact message on disk. The Message-ID comes
// from the mail's id (messageIdFor), so a resend carries the same one and the .eml written by
// simulate matches what delivery would send.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Notification, Recipient } from '../core/notification.js';
import { type Address, type OutgoingMessage, prepareMessage, toNodemailer } from './message.js';
import type { RenderedMessage } from './render.js';

export interface MailIdentity {
  from: { name: string; address: string };
  /** Message-IDs are <notification-id@messageIdDomain>. */
  messageIdDomain: string;
}

const address = (r: Pick<Recipient, 'title' | 'email'>): Address => ({ name: r.title, address: r.email });

export interface CopyMessageArgs {
  /** "<id@domain>": the mail's (messageIdFor of its id, or the one an earlier claim kept). */
  messageId: string;
  /** The one person the copy goes to. */
  recipient: Pick<Recipient, 'title' | 'email'>;
  rendered: RenderedMessage;
  identity: MailIdentity;
  /** X-Dondoc-Notification: the notification, or for a list the bundle's mail id. */
  notification: string;
  kind: string;
  /** The delivery records the mail carries (copy ids): X-Dondoc-Items. */
  items: readonly string[];
  taskId?: string;
}

/** One person's mail: To that person only; the others are named in the body ("Kính gửi", "Đồng gửi"). */
export function copyMessage(a: CopyMessageArgs): OutgoingMessage {
  return {
    messageId: a.messageId,
    from: { name: a.identity.from.name, address: a.identity.from.address },
    to: [address(a.recipient)],
    cc: [],
    subject: a.rendered.subject,
    text: a.rendered.text,
    html: a.rendered.html,
    headers: {
      'X-Dondoc-Notification': a.notification,
      ...(a.taskId ? { 'X-Dondoc-Task': a.taskId } : {}),
      'X-Dondoc-Kind': a.kind,
      'X-Dondoc-Items': a.items.join(' '),
    },
  };
}

/** X-Dondoc-Kind of a notification: "reminder", "escalation-2", "digest", … */
export const kindHeader = (n: Notification): string => (n.kind === 'escalation' ? `escalation-${n.level}` : n.kind);

/** The raw message (.eml): valid MIME, UTF-8, multipart/alternative text + HTML, dated `date`. */
export function buildEml(msg: OutgoingMessage, date: Date): Promise<Buffer> {
  const options = { ...toNodemailer(prepareMessage(msg)), date };
  return new Promise((resolve, reject) => {
    new MailComposer(options).compile().build((err, message) => (err ? reject(err) : resolve(message)));
  });
}
