// CSRF protection of the reply forms (issue 6): a random form-session id in a cookie
// (HttpOnly, SameSite=Strict, Secure over https, scoped to the pages' path) and, in the form, an
// HMAC of the link's id and that session id. A POST must carry both and they must agree: a
// page on another site can neither read the cookie nor compute the HMAC, and SameSite keeps the
// browser from sending the cookie with a cross-site POST at all.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const FORM_COOKIE = 'dondoc_reply';
const SID_RE = /^[A-Za-z0-9_-]{22}$/;
/** A form may stay open this long before it must be opened again. */
export const FORM_MAX_AGE_S = 12 * 3600;

export const newFormSession = (): string => randomBytes(16).toString('base64url');

const mac = (secret: string, linkId: string, sid: string): Buffer => createHmac('sha256', secret).update(`csrf\0${linkId}\0${sid}`, 'utf8').digest();

/** The hidden form field for this link and session (signed with the newest secret). */
export function formToken(secrets: readonly string[], linkId: string, sid: string): string {
  return mac(secrets[0]!, linkId, sid).toString('base64url');
}

/** Constant time against every secret (a rotation between GET and POST still passes). */
export function checkFormToken(secrets: readonly string[], linkId: string, sid: string | undefined, presented: unknown): boolean {
  if (!sid || !SID_RE.test(sid) || typeof presented !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(presented)) return false;
  const got = Buffer.from(presented, 'base64url');
  let ok = false;
  for (const s of secrets) ok = timingSafeEqual(mac(s, linkId, sid), got) || ok;
  return ok;
}

export function readFormSession(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === FORM_COOKIE) {
      const v = part.slice(i + 1).trim();
      return SID_RE.test(v) ? v : undefined;
    }
  }
  return undefined;
}

export function formCookie(sid: string, opts: { path: string; secure: boolean }): string {
  return `${FORM_COOKIE}=${sid}; Path=${opts.path}; Max-Age=${FORM_MAX_AGE_S}; HttpOnly; SameSite=Strict${opts.secure ? '; Secure' : ''}`;
}
