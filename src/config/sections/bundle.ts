// Config section `policy.bundle`: one mail per person, kind and send window (src/core/bundle.ts).
//
//   policy:
//     bundle:
//       enabled: true            # false: every notification is its own mail, at its own time
//       window: 1 working day    # N working days: one list per person and kind per window
//       max_items: 50            # more items than this go as several mails of the same window
//
// How long a bundle waits for the rest of its items after the first (an import's, a re-plan's)
// is delivery.bundle_gather: pacing, not policy.
import { z } from 'zod';
import { type BundlePolicy, DEFAULT_BUNDLE } from '../../core/bundle.js';
import { parseDuration } from '../../core/duration.js';

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

const windowField = z.unknown().transform((v, ctx): number => {
  const d = typeof v === 'string' ? parseDuration(v) : null;
  if (d?.unit === 'working_day' && d.amount >= 1 && d.amount <= 20) return d.amount;
  ctx.issues.push({ code: 'custom', input: v, message: `expected a window of working days like '1 working day' or '5 working days' (at most 20), got ${shown(v)}` });
  return z.NEVER;
});

export const bundleSchema = z
  .strictObject({
    enabled: z.boolean({ error: 'expected true or false' }).default(DEFAULT_BUNDLE.enabled),
    window: windowField.prefault('1 working day'),
    max_items: z
      .number({ error: (iss) => `expected a number of items from 2 to 500, got ${shown(iss.input)}` })
      .int({ error: 'expected a whole number of items from 2 to 500' })
      .min(2, { error: 'expected a number of items from 2 to 500' })
      .max(500, { error: 'expected a number of items from 2 to 500' })
      .default(DEFAULT_BUNDLE.maxItems),
  })
  .prefault({})
  .transform((b): BundlePolicy => Object.freeze({ enabled: b.enabled, windowDays: b.window, maxItems: b.max_items }));
