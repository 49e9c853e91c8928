// Bearer-token auth for the API. Tokens come from DONDOC_API_TOKENS (src/config/env.ts) as
// SHA-256 hashes; a presented token is hashed and compared with every configured hash in
// constant time (crypto.timingSafeEqual on equal-length digests, no early exit), so neither
// the config nor the timing gives a token away. admin writes and reads; viewer reads.
import { timingSafeEqual } from 'node:crypto';
import { type ApiRole, type ApiToken, sha256 } from '../config/env.js';
import { DondocError } from '../errors.js';

export interface Principal {
  name: string;
  role: ApiRole;
}

export type Authenticate = (authorization: string | undefined) => Principal;

export function makeAuthenticator(tokens: readonly ApiToken[]): Authenticate {
  return (authorization) => {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) throw new DondocError('UNAUTHORIZED', 'missing bearer token: send "Authorization: Bearer <token>" (tokens are set in DONDOC_API_TOKENS)');
    const presented = sha256(m[1]!);
    let found: ApiToken | undefined;
    for (const t of tokens) if (timingSafeEqual(presented, t.hash) && !found) found = t;
    if (!found) throw new DondocError('UNAUTHORIZED', 'unknown bearer token');
    return { name: found.name, role: found.role };
  };
}

/** viewer may read; writing needs admin. */
export function authorize(p: Principal, write: boolean): void {
  if (write && p.role !== 'admin') throw new DondocError('FORBIDDEN', `token "${p.name}" has role ${p.role}: only admin tokens may change tasks`);
}
