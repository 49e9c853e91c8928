// The frame of the accountability mail (repeat-lateness notices, the weekly summary), built in
// the same shape as the notification layout (templates/layout.*): "Kính gửi: …", the body,
// "Đồng gửi: …", and a footer naming the message id. Returns a message ready for the engine to
// address and send; every value in the HTML part is escaped.
import { type Day, formatVnDay } from '../core/day.js';
import type { Recipient } from '../core/notification.js';
import type { OrgDirectory } from '../core/org.js';
import type { RecipientRole } from '../core/policy.js';
import { resolveRecipients } from '../core/recipients.js';
import { cleanSubject } from '../mail/render.js';
import { escapeHtml } from './html.js';

export interface LetterAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

/** A message for the engine to send once under `id` (its Message-ID is derived from it). */
export interface LetterMessage {
  id: string;
  to: Recipient[];
  cc: Recipient[];
  subject: string;
  text: string;
  html: string;
  attachments: LetterAttachment[];
  /** Recipients that could not be resolved (no address in the directory…). */
  warnings: string[];
}

/** A paragraph (plain text) or a numbered list of lines. */
export type Block = { p: string } | { list: string[] };

export interface LetterInput {
  id: string;
  to: readonly RecipientRole[];
  cc: readonly RecipientRole[];
  /** The body the letter is about (for the roles head and leader). */
  about: string;
  org: OrgDirectory;
  day: Day;
  subject: string;
  blocks: readonly Block[];
  senderName?: string;
  attachments?: LetterAttachment[];
}

export function buildLetter(l: LetterInput): LetterMessage {
  const r = resolveRecipients(l.to, l.cc, { org: l.org, task: { id: l.id, lead: l.about }, day: l.day });
  const kinhGui = r.to.map((x) => x.title).join('; ');
  const informed = r.cc.map((x) => x.title).join('; ');
  const footer = `Thư gửi tự động ngày ${formatVnDay(l.day)} bởi ${l.senderName ?? 'dondoc'}. Mã thông báo: ${l.id}.`;

  const textBlocks = l.blocks.map((b) => ('p' in b ? b.p : b.list.map((x, i) => `${i + 1}. ${x}`).join('\n')));
  const text = [`Kính gửi: ${kinhGui}`, ...textBlocks, ...(informed ? [`Đồng gửi: ${informed}`] : []), `--\n${footer}`].join('\n\n').normalize('NFC');

  const htmlBlocks = l.blocks.map((b) => ('p' in b ? `<p>${escapeHtml(b.p)}</p>` : `<ol>${b.list.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ol>`));
  const html = [
    '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"></head><body style="font-family: \'Times New Roman\', Times, serif; font-size: 13pt;">',
    `<p><b>Kính gửi:</b> ${escapeHtml(kinhGui)}</p>`,
    ...htmlBlocks,
    ...(informed ? [`<p><b>Đồng gửi:</b> ${escapeHtml(informed)}</p>`] : []),
    `<hr><p style="font-size: 10pt; color: #555;">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ]
    .join('\n')
    .normalize('NFC');

  return { id: l.id, to: r.to, cc: r.cc, subject: cleanSubject(l.subject), text, html, attachments: l.attachments ?? [], warnings: r.warnings };
}
