// The retry wait after a transient failure (issue 5: exponential backoff with jitter), as a
// BullMQ custom backoff strategy. `delivery.retry`: backoff_initial before the 2nd attempt,
// doubled for each further one up to backoff_max, each spread by ±jitter so that many workers
// hit by the same outage do not all come back in the same second.
import type { DeliveryConfig } from '../config/sections/delivery.js';

export const BACKOFF_TYPE = 'dondoc';

/** Milliseconds to wait before attempt `attemptsMade + 1` (attemptsMade ≥ 1). */
export function backoffDelay(retry: DeliveryConfig['retry'], attemptsMade: number, random: () => number = Math.random): number {
  const n = Math.max(1, attemptsMade);
  const base = Math.min(retry.backoff_max, retry.backoff_initial * 2 ** Math.min(n - 1, 40));
  const spread = retry.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base * (1 + spread)));
}
