// The unit of delivery is one person: a notification addressed to a head, cc the Provincial
// Office and the leader in charge, goes out as one copy per recipient, each with its own
// envelope (To: that person only), its own delivery record and its own reply links — so a link
// in a mail can only ever be held by the person it was made for (docs/DOMAIN.md "Who may decide
// what"). The body still names everyone addressed and informed ("Kính gửi", "Đồng gửi").
//
// A copy's id is "<notification id>_r<key>", key = 12 hex digits of SHA-256 of the address:
// stable for an address, [A-Za-z0-9_-] (a BullMQ job id, a Message-ID local part), and never
// the address itself (records and logs name the address in their own fields).
// Pure: node:crypto only computes.
import { createHash } from 'node:crypto';
import type { LinkRole } from './links.js';
import type { Recipient } from './notification.js';
import type { RecipientRole } from './policy.js';

export interface MailCopy {
  /** "<notification id>_r<key>". */
  id: string;
  notificationId: string;
  recipient: Recipient;
  /** The recipient's place in the notification: addressed (to) or informed (cc, "đồng gửi"). */
  as: 'to' | 'cc';
  /** recipientKey() of the address. */
  key: string;
}

const keys = new Map<string, string>();

/** 12 hex digits of SHA-256 of the address (case and Unicode form do not matter). */
export function recipientKey(email: string): string {
  const folded = email.normalize('NFC').trim().toLowerCase();
  let k = keys.get(folded);
  if (k === undefined) {
    k = createHash('sha256').update(folded, 'utf8').digest('hex').slice(0, 12);
    // Addresses are few (the org directory); the cap only guards against a flood of bad input.
    if (keys.size > 100_000) keys.clear();
    keys.set(folded, k);
  }
  return k;
}

export const copyId = (notificationId: string, key: string): string => `${notificationId}_r${key}`;

const COPY_ID = /^(.+)_r([0-9a-f]{12})$/;

/** The notification and recipient key of a copy id; null for an id that is not a copy's. */
export function splitCopyId(id: string): { notificationId: string; key: string } | null {
  const m = COPY_ID.exec(id);
  return m ? { notificationId: m[1]!, key: m[2]! } : null;
}

/** One copy per recipient: the addressed first, then the informed (resolveRecipients never repeats an address). */
export function copiesOf(n: { id: string; to: readonly Recipient[]; cc: readonly Recipient[] }): MailCopy[] {
  const out: MailCopy[] = [];
  const seen = new Set<string>();
  for (const [as, list] of [['to', n.to], ['cc', n.cc]] as const) {
    for (const recipient of list) {
      const key = recipientKey(recipient.email);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ id: copyId(n.id, key), notificationId: n.id, recipient, as, key });
    }
  }
  return out;
}

/**
 * The reply-link role a recipient acts in, if any: the lead body's head reports (complete,
 * extend, non-cooperation), the Provincial Office confirms completion, the leader in charge —
 * or the chairman, who assigned the task — decides extensions. Everyone else is informed only.
 */
export function linkRoleOf(role: RecipientRole): LinkRole | undefined {
  switch (role) {
    case 'head':
      return 'head';
    case 'provincial_office':
      return 'office';
    case 'leader':
    case 'chairman':
      return 'leader';
    default:
      return undefined;
  }
}
