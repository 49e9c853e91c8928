// Sessions of the Provincial Office page: after a login with an API token, the browser keeps
// an HMAC-signed session in an HttpOnly cookie, so the token itself never sits in the page,
// a URL or script-readable storage. The cookie holds
//
//   v1.<base64url JSON {n: token name, r: role, f: token fingerprint, e: expiry ms}>.<base64url HMAC>
//
// and nothing secret. The fingerprint is an HMAC of the token's hash under the session key:
// removing or rotating a token in DONDOC_API_TOKENS ends its sessions at once, and a stolen
// cookie reveals nothing about the token.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ApiRole, ApiToken } from '../../config/env.js';
import { sha256 } from '../../config/env.js';
import type { Principal } from '../auth.js';

export const SESSION_COOKIE = 'dondoc_office';
/** A working day and a bit: the office logs in each morning. */
export const DEFAULT_SESSION_TTL_MS = 10 * 60 * 60 * 1000;

export interface Sessions {
  /** The cookie value for a session of this token, valid until now + ttl. */
  issue(token: ApiToken, now: number): string;
  /** The principal of a valid, unexpired session whose token is still configured; else null. */
  verify(value: string | undefined, now: number): Principal | null;
  readonly ttlMs: number;
}

const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** The configured token a presented one is, compared in constant time (as the API's bearer check). */
export function findToken(tokens: readonly ApiToken[], presented: string): ApiToken | undefined {
  const h = sha256(presented);
  let found: ApiToken | undefined;
  for (const t of tokens) if (timingSafeEqual(h, t.hash) && !found) found = t;
  return found;
}

export function makeSessions(opts: { key: Buffer; tokens: readonly ApiToken[]; ttlMs?: number }): Sessions {
  const { key, tokens } = opts;
  const ttlMs = opts.ttlMs ?? DEFAULT_SESSION_TTL_MS;
  if (key.length < 32) throw new Error('office session key: expected at least 32 bytes');
  const mac = (data: string): Buffer => createHmac('sha256', key).update(`dondoc-office-session:${data}`).digest();
  const fingerprint = (t: ApiToken): string => b64(createHmac('sha256', key).update('dondoc-office-token:').update(t.hash).digest().subarray(0, 16));

  return {
    ttlMs,
    issue(token, now) {
      const payload = b64(JSON.stringify({ n: token.name, r: token.role, f: fingerprint(token), e: now + ttlMs }));
      return `v1.${payload}.${b64(mac(payload))}`;
    },
    verify(value, now) {
      if (!value || value.length > 1024) return null;
      const parts = value.split('.');
      if (parts.length !== 3 || parts[0] !== 'v1') return null;
      const [, payload, sig] = parts as [string, string, string];
      const given = Buffer.from(sig, 'base64url');
      const want = mac(payload);
      if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
      let p: { n?: unknown; r?: unknown; f?: unknown; e?: unknown };
      try {
        p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof p;
      } catch {
        return null;
      }
      if (typeof p.e !== 'number' || p.e <= now) return null;
      const token = tokens.find((t) => t.name === p.n);
      if (!token || token.role !== p.r || fingerprint(token) !== p.f) return null;
      return { name: token.name, role: token.role as ApiRole };
    },
  };
}

/** One cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Set-Cookie for the session: HttpOnly, SameSite=Strict, Secure over https, scoped to /office. */
export function sessionCookie(value: string, opts: { secure: boolean; maxAgeSeconds: number }): string {
  return [`${SESSION_COOKIE}=${value}`, 'Path=/office', `Max-Age=${opts.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict', ...(opts.secure ? ['Secure'] : [])].join('; ');
}

export const clearedSessionCookie = (secure: boolean): string => sessionCookie('', { secure, maxAgeSeconds: 0 });
