// Security headers of every office page, and the same-origin check of its POST forms.
// The pages carry no script at all: the CSP allows none, styles only from /office/assets, and
// no framing (clickjacking), no referrer (task ids and filters stay off other sites' logs).
import type { FastifyReply, FastifyRequest } from 'fastify';

export const OFFICE_CSP = ["default-src 'none'", "script-src 'none'", "style-src 'self'", "img-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"].join('; ');

export function setSecurityHeaders(reply: FastifyReply): void {
  void reply
    .header('Content-Security-Policy', OFFICE_CSP)
    .header('X-Frame-Options', 'DENY')
    .header('Referrer-Policy', 'no-referrer')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cross-Origin-Opener-Policy', 'same-origin')
    .header('Cross-Origin-Resource-Policy', 'same-origin')
    .header('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
  // Task data is not for shared caches or the back button of a shared computer.
  if (!reply.hasHeader('Cache-Control')) void reply.header('Cache-Control', 'no-store');
}

/** Whether the request came over https (directly, or through a proxy that says so). */
export function isHttps(req: FastifyRequest): boolean {
  // Trusting X-Forwarded-Proto here only adds the Secure flag: a forged header can make the
  // cookie stricter for the one who forged it, never weaker for anyone else.
  const fwd = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim().toLowerCase();
  return req.protocol === 'https' || first === 'https';
}

/**
 * A form POST must come from the page itself: browsers send Sec-Fetch-Site and Origin on
 * POST, so a cross-site form (login CSRF, forced logout) is refused. Clients that send
 * neither (curl, tests) are not browsers carrying someone's cookie.
 */
export function isCrossSiteRequest(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return false;
  if (origin === 'null') return true;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}
