// Config section `org` (where the directory is, which entries play the special roles of
// 7176/UBND-NC) and the shape of the directory file itself (leaders and bodies).
// Entries are validated one by one, so one bad body does not hide the problems of the others.
import { z } from 'zod';
import { BODY_KINDS } from '../../core/org.js';
import { email, isoDay, text } from '../fields.js';

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** A directory code: letters, digits, "-" and "_"; compared without regard to case. */
export const orgCode = z
  .string({ error: (iss) => (iss.input === undefined ? 'missing: give a code from the org directory, like STC' : `expected a code like STC or P-PDP, got ${shown(iss.input)}`) })
  .transform((s) => s.trim())
  .refine((s) => /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(s), {
    error: (iss) => `expected a code of letters, digits, "-" or "_" (at most 32), like STC or P-PDP, got ${shown(iss.input)}`,
  });

const rolesSchema = z.strictObject(
  {
    /** Văn phòng UBND tỉnh: follows up and urges (7176 §4); a body code. */
    provincial_office: orgCode,
    /** Sở Nội vụ: ratings and repeat lateness (7176 §5); a body code. */
    home_affairs: orgCode,
    /** The chairman's mailbox: a leader code. */
    chairman: orgCode,
    /** Thanh tra tỉnh (7176 §6); a body code. */
    inspectorate: orgCode,
  },
  { error: 'expected the four roles: provincial_office, home_affairs, chairman, inspectorate' },
);

const issuerCode = z.string({ error: 'expected a code like UBND' }).transform((s) => s.normalize('NFC').trim().toUpperCase()).refine((s) => /^[A-ZĐ0-9]{1,20}$/.test(s), { error: 'expected a code of capital letters, like UBND or VPUBND' });

/** "UBND tỉnh Thái Nguyên" → the forms its letters use for itself and its chairman. */
function shortForms(name: string): { short: string[]; chairman: string[] } {
  const m = /^(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(tỉnh|thành phố)\b/iu.exec(name);
  if (!m) return { short: [], chairman: [] };
  const level = m[1]!.toLocaleLowerCase('vi');
  return { short: [`UBND ${level}`, `Ủy ban nhân dân ${level}`], chairman: [`Chủ tịch UBND ${level}`, `Chủ tịch Ủy ban nhân dân ${level}`] };
}

/** The committee itself (`org.issuer`): a name, or the name with its codes and short forms. */
export const issuerSchema = z
  .union(
    [
      text.transform((name) => ({ name, codes: ['UBND'], short: [] as string[], chairman: [] as string[], also: [] as Array<{ name: string; codes: string[] }> })),
      z.strictObject({
        name: text,
        /** Codes in its document numbers ("UBND" in 1510/UBND-TH, 08/KH-UBND). */
        codes: z.array(issuerCode).min(1).default(['UBND']),
        short: z.array(text).default([]),
        chairman: z.array(text).default([]),
        also: z.array(z.strictObject({ name: text, codes: z.array(issuerCode).min(1) })).default([]),
      }),
    ],
    { error: 'expected the committee\'s name ("UBND tỉnh Thái Nguyên") or { name, codes, short, chairman, also }' },
  )
  .transform((i) => {
    const derived = shortForms(i.name);
    return { ...i, short: i.short.length ? i.short : derived.short, chairman: i.chairman.length ? i.chairman : derived.chairman };
  });

export const orgSectionSchema = z.strictObject(
  {
    /** The directory file, relative to the config file. */
    directory: text,
    roles: rolesSchema,
    /** The committee itself: the issuer of rows whose number carries its code. */
    issuer: issuerSchema.optional(),
  },
  { error: 'expected an org section with `directory: org.yaml` and `roles:` (see the shipped config/dondoc.yaml)' },
);

export type OrgSection = z.output<typeof orgSectionSchema>;

/** The directory file: two lists, each entry checked on its own by the schemas below. */
export const orgFileSchema = z.strictObject(
  {
    leaders: z.array(z.unknown(), { error: 'expected a list of leaders (- code: CT …)' }),
    bodies: z.array(z.unknown(), { error: 'expected a list of bodies (- code: STC …)' }),
  },
  { error: 'expected a directory with `leaders:` and `bodies:` lists' },
);

export const leaderSchema = z.strictObject({
  code: orgCode,
  /** "Chủ tịch UBND tỉnh", "Phó Chủ tịch UBND tỉnh". */
  title: text,
  name: text.optional(),
  email: z
    .custom<unknown>((v) => v !== undefined, { error: 'missing: every leader needs an address (the mailbox of the post, not of a person)' })
    .pipe(email),
  /** The fields this leader is in charge of ("Tài chính, ngân sách"). */
  fields: z.array(text).default([]),
});

const tenureSchema = z
  .strictObject({ name: text, title: text.optional(), from: isoDay, to: isoDay.optional() })
  .superRefine((t, ctx) => {
    if (t.to !== undefined && t.to < t.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  });

const bodyKind = z.enum(BODY_KINDS, {
  error: (iss) => `expected one of ${BODY_KINDS.join(', ')}, got ${shown(iss.input)}`,
});

export const bodySchema = z
  .strictObject({
    code: orgCode,
    /** The full Vietnamese name, as in "Kính gửi: Giám đốc Sở Tài chính". */
    name: text,
    kind: bodyKind,
    /** The head's post; `email` may be left out only for a body that has ended (checked later). */
    head: z.strictObject({ title: text, email: email.optional() }, { error: 'expected head: { title: …, email: … }' }),
    /** An acting head ("Phụ trách Sở") is a normal case. */
    acting: z.boolean({ error: 'expected true or false' }).default(false),
    head_tenures: z.array(tenureSchema).default([]),
    /** The clerical office (văn thư), cc'd on mail to the head. */
    clerical: z.strictObject({ title: text.optional(), email }).optional(),
    /** Code of the leader in charge. */
    leader: orgCode.optional(),
    valid_from: isoDay.optional(),
    valid_to: isoDay.optional(),
    successor: orgCode.optional(),
    /** Why a body that ended has no successor (a district split among communes): no warning then. */
    no_successor: text.optional(),
    aliases: z.array(text).default([]),
    /** The document that creates, names or ends the body (DOMAIN.md: data cites its source). */
    source: text.optional(),
    /** What about the entry is not checked against its source (DOMAIN.md: unconfirmed data). */
    unconfirmed: z.union([z.literal(true), text], { error: 'expected true or a note of what to check' }).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.valid_from !== undefined && b.valid_to !== undefined && b.valid_to < b.valid_from) {
      ctx.addIssue({ code: 'custom', path: ['valid_to'], message: 'must not be before valid_from' });
    }
    if (b.successor !== undefined && b.no_successor !== undefined) ctx.addIssue({ code: 'custom', path: ['no_successor'], message: 'give successor or no_successor, not both' });
  });

export type LeaderEntry = z.output<typeof leaderSchema>;
export type BodyEntry = z.output<typeof bodySchema>;
