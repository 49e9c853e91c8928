// The embedded default when SMTP_URL is unset (issue 5): each message is written as an .eml
// file into var/outbox/, built by nodemailer exactly as the SMTP mailer would send it.
//
// The file name comes from the Message-ID, so the outbox behaves like a mail system that drops
// duplicates by Message-ID: writing the same id twice leaves one file, the first one. A file
// appears whole or not at all: written to a temp name, flushed, then hard-linked into place —
// link() refuses to replace an existing file, so two workers racing on one id cannot both win.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { type Mailer, type OutgoingMessage, type SendResult, prepareMessage, toNodemailer } from './message.js';

export interface OutboxOptions {
  /** Directory of the .eml files; created on first use. Default var/outbox. */
  dir?: string;
}

export const DEFAULT_OUTBOX_DIR = path.join('var', 'outbox');

/**
 * "<a=3Ab@dondoc.example>" → "a=3Ab@dondoc.example.eml". Characters a file name should not
 * carry become "%XX" (so distinct ids stay distinct); a name too long for a file system is hashed.
 */
export function outboxFileName(messageId: string): string {
  const bare = messageId.trim().replace(/^<|>$/g, '');
  const safe = Array.from(Buffer.from(bare, 'utf8'))
    .map((b) => (/[A-Za-z0-9._@=+-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('')
    .replace(/^\./, '%2E');
  if (safe.length > 0 && safe.length <= 200) return `${safe}.eml`;
  return `h-${createHash('sha256').update(bare, 'utf8').digest('hex')}.eml`;
}

const allRecipients = (m: OutgoingMessage): string[] => [...m.to, ...m.cc].map((a) => a.address);

async function fsyncDir(dir: string): Promise<void> {
  // Makes the new directory entry durable on Linux; not supported everywhere (Windows), and a
  // failure there costs durability on power loss only, never correctness.
  try {
    const h = await fs.promises.open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    /* not supported on this platform */
  }
}

/** Writes data to file unless it exists; true when this call created it. */
async function writeOnce(dir: string, file: string, data: Buffer): Promise<boolean> {
  const final = path.join(dir, file);
  const tmp = path.join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}.eml`);
  const h = await fs.promises.open(tmp, 'wx');
  try {
    await h.writeFile(data);
    await h.sync();
  } finally {
    await h.close();
  }
  try {
    await fs.promises.link(tmp, final);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: rename is still atomic, only the no-replace guard is lost.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
      if (fs.existsSync(final)) return false;
      await fs.promises.rename(tmp, final);
      return true;
    }
    throw e;
  } finally {
    await fs.promises.rm(tmp, { force: true });
    await fsyncDir(dir);
  }
}

export function makeOutboxMailer(opts: OutboxOptions = {}): Mailer {
  const dir = opts.dir ?? DEFAULT_OUTBOX_DIR;
  // The same composer as SMTP (CRLF line ends, as on the wire): the .eml is what would be sent.
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows', disableFileAccess: true, disableUrlAccess: true });
  let closed = false;
  let ready: Promise<unknown> | undefined;

  return {
    kind: 'outbox',
    describe: () => `outbox: .eml files in ${dir}`,
    async send(input: OutgoingMessage): Promise<SendResult> {
      if (closed) throw Object.assign(new Error('mailer was closed'), { code: 'ECONNECTION' });
      const msg = prepareMessage(input);
      const file = outboxFileName(msg.messageId);
      ready ??= fs.promises.mkdir(dir, { recursive: true });
      await ready;
      let created: boolean;
      if (fs.existsSync(path.join(dir, file))) created = false;
      else {
        const info = await composer.sendMail(toNodemailer(msg));
        created = await writeOnce(dir, file, info.message as Buffer);
      }
      const where = path.join(dir, file);
      return {
        messageId: msg.messageId,
        accepted: allRecipients(msg),
        rejected: [],
        response: created ? `250 written to ${where}` : `250 already in ${where} (same Message-ID)`,
        rejections: [],
      };
    },
    async verify(): Promise<void> {
      await fs.promises.mkdir(dir, { recursive: true });
      await fs.promises.access(dir, fs.constants.W_OK);
    },
    async close(): Promise<void> {
      closed = true;
      composer.close();
    },
  };
}
