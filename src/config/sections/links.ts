// Config section `links`: the signed reply links of issue 6 (src/core/links.ts).
//
//   links:
//     public_base_url: https://dondoc.thainguyen.gov.vn   # links are on when this is set
//     secret: …                     # or secrets: [new, old] (rotation: the first signs);
//                                   # better: DONDOC_LINK_SECRET=new,old in the environment
//     ttl: 30 days                  # how long a link in a mail stays valid
//     one_time: true                # a link is spent by its first successful POST
//     auto_confirm_completion: false  # true: a reported completion needs no confirmation
//
// A secret in the environment keeps it out of the config file (and its hash). Links that are on
// without any secret are a warning (`config check` prints it): mail goes out without them.
import { z } from 'zod';

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** At least 32 characters: `openssl rand -base64 32` gives 44. */
export const MIN_SECRET_LENGTH = 32;
export const LINK_SECRET_ENV = 'DONDOC_LINK_SECRET';

const secret = z
  .string({ error: (iss) => `expected a secret (text of at least ${MIN_SECRET_LENGTH} characters), got ${shown(iss.input)}` })
  .transform((s) => s.trim())
  .refine((s) => s.length >= MIN_SECRET_LENGTH, { error: `expected at least ${MIN_SECRET_LENGTH} characters; make one with: openssl rand -base64 32` });

const UNIT_MS: Record<string, number> = {
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};
const MIN_TTL = 3_600_000;
const MAX_TTL = 366 * 86_400_000;

/** "30 days", "12h", "2 weeks" → ms (1 hour to 366 days). */
const ttl = z.unknown().transform((v, ctx): number => {
  const m = typeof v === 'string' ? /^\s*(\d{1,4})\s*([a-z]+)\s*$/i.exec(v) : null;
  const unit = m ? UNIT_MS[m[2]!.toLowerCase()] : undefined;
  const ms = m && unit ? Number(m[1]) * unit : NaN;
  if (!(ms >= MIN_TTL && ms <= MAX_TTL)) {
    ctx.issues.push({ code: 'custom', input: v, message: `expected a time from 1 hour to 366 days, like "30 days", "2 weeks" or "12h", got ${shown(v)}` });
    return z.NEVER;
  }
  return ms;
});

const baseUrl = z.string({ error: (iss) => `expected a URL like https://dondoc.thainguyen.gov.vn, got ${shown(iss.input)}` }).transform((s, ctx) => {
  let u: URL | undefined;
  try {
    u = new URL(s.trim());
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || u.search || u.hash || u.username || u.password) {
    ctx.issues.push({ code: 'custom', input: s, message: `expected an http(s) URL without query, fragment or credentials, like https://dondoc.thainguyen.gov.vn, got ${shown(s)}` });
    return z.NEVER;
  }
  // Links are `${public_base_url}/r/<token>`: no trailing slash kept.
  return u.toString().replace(/\/+$/, '');
});

const bool = (what: string) => z.boolean({ error: (iss) => `expected true or false (${what}), got ${shown(iss.input)}` });

export const linksSchema = z
  .strictObject({
    public_base_url: baseUrl.optional(),
    secret: secret.optional(),
    secrets: z.array(secret, { error: (iss) => `expected a list of secrets, the newest first, got ${shown(iss.input)}` }).min(1, { error: 'name at least one secret, or leave secrets out' }).optional(),
    ttl: ttl.prefault('30 days'),
    one_time: bool('one_time').default(true),
    auto_confirm_completion: bool('auto_confirm_completion').default(false),
  })
  .superRefine((l, ctx) => {
    if (l.secret !== undefined && l.secrets !== undefined) ctx.addIssue({ code: 'custom', path: ['secrets'], message: 'give secret or secrets, not both' });
  })
  .prefault({})
  .transform((l) => ({
    public_base_url: l.public_base_url,
    /** Newest first; empty until a secret is given here or in DONDOC_LINK_SECRET (withLinkSecrets). */
    secrets: l.secrets ?? (l.secret !== undefined ? [l.secret] : []),
    ttl: l.ttl,
    one_time: l.one_time,
    auto_confirm_completion: l.auto_confirm_completion,
  }));

export type LinksConfig = z.output<typeof linksSchema>;

/** What the link code needs, present only when links are on and signed. */
export interface LinkSettings {
  baseUrl: string;
  secrets: readonly string[];
  ttlMs: number;
  oneTime: boolean;
  autoConfirmCompletion: boolean;
}

export function linkSettings(c: LinksConfig | undefined): LinkSettings | null {
  if (!c?.public_base_url || c.secrets.length === 0) return null;
  return { baseUrl: c.public_base_url, secrets: c.secrets, ttlMs: c.ttl, oneTime: c.one_time, autoConfirmCompletion: c.auto_confirm_completion };
}

/**
 * The secrets from DONDOC_LINK_SECRET ("new,old") when the file names none, and what an admin
 * should hear: links on without a usable secret send mail without links.
 */
export function withLinkSecrets(c: LinksConfig, env: Record<string, string | undefined> | undefined): { links: LinksConfig; warnings: string[] } {
  const warnings: string[] = [];
  let secrets = c.secrets;
  const fromEnv = (env?.[LINK_SECRET_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (secrets.length === 0 && fromEnv.length > 0) {
    const short = fromEnv.filter((s) => s.length < MIN_SECRET_LENGTH).length;
    if (short) warnings.push(`${LINK_SECRET_ENV}: ${short} secret${short > 1 ? 's are' : ' is'} shorter than ${MIN_SECRET_LENGTH} characters and ignored (openssl rand -base64 32)`);
    secrets = fromEnv.filter((s) => s.length >= MIN_SECRET_LENGTH);
  }
  if (c.public_base_url && secrets.length === 0) {
    warnings.push(`links.public_base_url is set but there is no secret to sign links with: reminders go out WITHOUT reply links. Set ${LINK_SECRET_ENV} (openssl rand -base64 32) or links.secret.`);
  }
  return { links: { ...c, secrets }, warnings };
}
