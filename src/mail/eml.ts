// A notification as a mail message: the OutgoingMessage the mailers send (src/mail/message.ts),
// and its raw RFC 5322 bytes (.eml) built with nodemailer's MailComposer — used by simulate
// and by anything that wants the exact message on disk. The Message-ID comes from the
// notification id (messageIdFor), so a resend carries the same one and the .eml written by
// simulate matches what delivery would send.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Notification, Recipient } from '../core/notification.js';
import { type Address, type OutgoingMessage, messageIdFor, prepareMessage, toNodemailer } from './message.js';
import type { RenderedMessage } from './render.js';

export interface MailIdentity {
  from: { name: string; address: string };
  /** Message-IDs are <notification-id@messageIdDomain>. */
  messageIdDomain: string;
}

const address = (r: Recipient): Address => ({ name: r.title, address: r.email });

/** The message for a rendered notification; prepareMessage() cleans and checks it on the way out. */
export function outgoingMessageFor(n: Notification, rendered: RenderedMessage, identity: MailIdentity): OutgoingMessage {
  return {
    messageId: messageIdFor(n.id, identity.messageIdDomain),
    from: { name: identity.from.name, address: identity.from.address },
    to: n.to.map(address),
    cc: n.cc.map(address),
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    headers: {
      'X-Dondoc-Notification': n.id,
      ...(n.kind !== 'digest' ? { 'X-Dondoc-Task': n.taskId } : {}),
      'X-Dondoc-Kind': n.kind === 'escalation' ? `escalation-${n.level}` : n.kind,
    },
  };
}

/** The raw message (.eml): valid MIME, UTF-8, multipart/alternative text + HTML, dated `date`. */
export function buildEml(msg: OutgoingMessage, date: Date): Promise<Buffer> {
  const options = { ...toNodemailer(prepareMessage(msg)), date };
  return new Promise((resolve, reject) => {
    new MailComposer(options).compile().build((err, message) => (err ? reject(err) : resolve(message)));
  });
}
