// Spent one-time reply links (issue 6): one key per nonce, set on the first successful POST
// with SET NX and an expiry just past the link's own (an expired link is refused anyway, so the
// key need not outlive it). `spend` is the claim: of two simultaneous POSTs only one gets it;
// an action that then fails gives the nonce back, so the head can correct the form and retry.
//   P:link:spent:NONCE   STRING  JSON {at, linkId}
import type { RedisClient } from './redis.js';

export interface LinkNonces {
  isSpent(nonce: string): Promise<boolean>;
  /** true: this caller spent it now; false: it was spent before. */
  spend(nonce: string, info: { at: number; linkId: string }, expiresAt: number): Promise<boolean>;
  /** Undo a spend whose action did not happen. */
  release(nonce: string): Promise<void>;
}

const DAY = 86_400_000;

export const spentKey = (prefix: string, nonce: string): string => `${prefix}:link:spent:${nonce}`;

export function makeLinkNonces(redis: RedisClient, prefix: string): LinkNonces {
  return {
    isSpent: async (nonce) => (await redis.exists(spentKey(prefix, nonce))) === 1,
    async spend(nonce, info, expiresAt) {
      // A day beyond the link's expiry: clocks of several processes may differ a little.
      const ttl = Math.max(60_000, expiresAt - info.at + DAY);
      return (await redis.set(spentKey(prefix, nonce), JSON.stringify(info), 'PX', ttl, 'NX')) === 'OK';
    },
    release: async (nonce) => void (await redis.del(spentKey(prefix, nonce))),
  };
}
