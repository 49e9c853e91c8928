// Signed reply links (issue 6): every reminder and escalation carries links that open small
// pages served by dondoc. A link is a token `<payload>.<signature>`:
//   payload    base64url of JSON {v, a action, t task, o occurrence, d deadline version,
//              r role, e recipient hash, x expiry (epoch s), n nonce (one-time links), q request}
//   signature  base64url HMAC-SHA256(secret, "dondoc-link\0" + payload)
// Key rotation: a list of secrets, the first signs, any verifies; every secret is tried, with a
// constant-time compare and no early exit, so timing tells nothing about which matched.
// The deadline version is the deadline in force as written (the notification ids' deadline
// part): editing a title leaves links valid, an extension (a new deadline) retires them.
// Pure: no I/O, the clock is an argument; node:crypto only computes.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { deadlineCode } from './notification.js';
import type { Deadline } from './task.js';

/** What a link lets its holder do; each action belongs to one role. */
export const LINK_ACTIONS = ['complete', 'extend', 'noncoop', 'confirm-completion', 'reject-completion', 'approve-extension', 'reject-extension'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

/** head: the lead body's head; office: the Provincial Office; leader: the leader in charge. */
export const LINK_ROLES = ['head', 'office', 'leader'] as const;
export type LinkRole = (typeof LINK_ROLES)[number];

export const ACTION_ROLE: Readonly<Record<LinkAction, LinkRole>> = {
  complete: 'head',
  extend: 'head',
  noncoop: 'head',
  'confirm-completion': 'office',
  'reject-completion': 'office',
  'approve-extension': 'leader',
  'reject-extension': 'leader',
};

export interface LinkClaims {
  action: LinkAction;
  taskId: string;
  occurrence: string;
  /** deadlineVersion() of the deadline in force when the link was made. */
  deadline: string;
  role: LinkRole;
  /** recipientHash() of the address the link was sent to. */
  recipient: string;
  /** Epoch ms, whole seconds. */
  expiresAt: number;
  /** One-time links: spent on the first successful POST (src/store/link-nonces.ts). */
  nonce?: string;
  /** Decision links: the extension request they decide. */
  request?: string;
}

export type LinkCheck =
  | { ok: true; claims: LinkClaims; id: string }
  /** malformed: not a token at all; signature: altered or signed with an unknown key; expired: genuine but too old. */
  | { ok: false; reason: 'malformed' | 'signature' | 'expired'; claims?: LinkClaims; id?: string };

const DOMAIN_TAG = 'dondoc-link\0';
const MAX_TOKEN = 2048;
const TOKEN_RE = /^([A-Za-z0-9_-]{16,1900})\.([A-Za-z0-9_-]{43})$/;

const b64url = (b: Buffer): string => b.toString('base64url');
const hmac = (secret: string, data: string): Buffer => createHmac('sha256', secret).update(data, 'utf8').digest();

/** The deadline part of a link: the same as in notification ids ("20220630", "20220630t1700"). */
export const deadlineVersion = (d: Deadline): string => deadlineCode(d);

/** Who a link was sent to, without the address: 16 base64url characters of SHA-256. */
export function recipientHash(email: string): string {
  return b64url(createHash('sha256').update(email.normalize('NFC').trim().toLowerCase(), 'utf8').digest()).slice(0, 16);
}

/** The id of a link in the history ("from which link"): 16 characters derived from its payload. */
export const linkIdOf = (payload: string): string => b64url(createHash('sha256').update(payload, 'ascii').digest()).slice(0, 16);

/** A nonce derived from what the link is about, so a resent mail carries the same links. */
export function deriveNonce(secret: string, parts: readonly string[]): string {
  return b64url(hmac(secret, `nonce\0${parts.join('\0')}`)).slice(0, 22);
}

const payloadSchema = z.strictObject({
  v: z.literal(1),
  a: z.enum(LINK_ACTIONS),
  t: z.string().regex(/^[a-z0-9][a-z0-9-]{0,199}$/),
  o: z.string().regex(/^[A-Za-z0-9-]{1,20}$/),
  d: z.string().regex(/^\d{8}(t\d{4})?$/),
  r: z.enum(LINK_ROLES),
  e: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
  x: z.number().int().positive(),
  n: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
  q: z.string().regex(/^[a-z0-9]{1,40}$/).optional(),
});

/** Signs with the first secret. Throws on claims no verifier would accept (a programming error). */
export function signLink(claims: LinkClaims, secrets: readonly string[]): string {
  const secret = secrets[0];
  if (!secret) throw new Error('signLink: no secret');
  const payload = {
    v: 1 as const,
    a: claims.action,
    t: claims.taskId,
    o: claims.occurrence,
    d: claims.deadline,
    r: claims.role,
    e: claims.recipient,
    x: Math.floor(claims.expiresAt / 1000),
    ...(claims.nonce !== undefined ? { n: claims.nonce } : {}),
    ...(claims.request !== undefined ? { q: claims.request } : {}),
  };
  const checked = payloadSchema.safeParse(payload);
  if (!checked.success || ACTION_ROLE[claims.action] !== claims.role) throw new Error(`signLink: invalid claims for ${claims.taskId} (${claims.action})`);
  const body = b64url(Buffer.from(JSON.stringify(payload), 'utf8'));
  return `${body}.${b64url(hmac(secret, DOMAIN_TAG + body))}`;
}

/** Checks a presented token: signature against every secret (constant time), then shape, then expiry. */
export function verifyLink(token: string, secrets: readonly string[], now: number): LinkCheck {
  if (typeof token !== 'string' || token.length > MAX_TOKEN) return { ok: false, reason: 'malformed' };
  const m = TOKEN_RE.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, body, sig] = m as unknown as [string, string, string];
  const presented = Buffer.from(sig, 'base64url');
  if (presented.length !== 32) return { ok: false, reason: 'malformed' };
  let match = false;
  for (const secret of secrets) {
    // No early exit: every configured secret costs the same whether or not one matched.
    const ok = timingSafeEqual(hmac(secret, DOMAIN_TAG + body), presented);
    match = match || ok;
  }
  if (!match || secrets.length === 0) return { ok: false, reason: 'signature' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const p = payloadSchema.safeParse(parsed);
  if (!p.success || ACTION_ROLE[p.data.a] !== p.data.r) return { ok: false, reason: 'malformed' };
  const d = p.data;
  const claims: LinkClaims = {
    action: d.a,
    taskId: d.t,
    occurrence: d.o,
    deadline: d.d,
    role: d.r,
    recipient: d.e,
    expiresAt: d.x * 1000,
    ...(d.n !== undefined ? { nonce: d.n } : {}),
    ...(d.q !== undefined ? { request: d.q } : {}),
  };
  const id = linkIdOf(body);
  if (now >= claims.expiresAt) return { ok: false, reason: 'expired', claims, id };
  return { ok: true, claims, id };
}

/** The history's `by` for an action through a link: role and recipient hash, never the address. */
export const linkActor = (c: Pick<LinkClaims, 'role' | 'recipient'>): string => `link:${c.role}:${c.recipient}`;
