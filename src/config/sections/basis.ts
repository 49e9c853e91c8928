// Config section `policy.basis`: the letters mails cite (src/core/basis.ts), each with the day it
// took effect and the passages quoted, by purpose. Absent: mails cite no letter. The shipped
// config/dondoc.yaml names Thái Nguyên's Công văn 7176/UBND-NC of 04/12/2024.
//
//   policy:
//     basis:
//       - number: 7176/UBND-NC
//         date: 2024-12-04
//         issuer: UBND tỉnh Thái Nguyên
//         subject: V/v chấn chỉnh việc thực hiện nhiệm vụ …
//         in_force_from: 2024-12-04        # default: the letter's date
//         passages:
//           duty: { section: "3", text: "Trường hợp đến hạn chưa hoàn thành, …" }
//           follow_up: { section: "4", text: "…" }
import { z } from 'zod';
import { BASIS_PURPOSES, type BasisLetter, type BasisPassage, type BasisPurpose } from '../../core/basis.js';
import { isoDay, text } from '../fields.js';

const passage = z.strictObject({
  section: z.union([z.string(), z.number()], { error: 'expected the section as the letter numbers it, like "3" or "II.2"' }).transform((s) => String(s).trim()),
  text: z
    .string({ error: 'expected the words quoted from the letter' })
    .max(4000, { error: 'too long (at most 4000 characters)' })
    .transform((s) => s.normalize('NFC').replace(/\s+/g, ' ').trim())
    .refine((s) => s.length > 0, { message: 'must not be empty' }),
});

const passages = z.strictObject(Object.fromEntries(BASIS_PURPOSES.map((p) => [p, passage.optional()])) as Record<BasisPurpose, z.ZodOptional<typeof passage>>);

const letter = z
  .strictObject({
    number: text.refine((s) => /^[^\s/]+\/[^\s]+$/.test(s), { error: 'expected a document number like 7176/UBND-NC (number/symbol, no spaces)' }),
    date: isoDay,
    issuer: text,
    subject: text.optional(),
    in_force_from: isoDay.optional(),
    passages: passages.prefault({}),
  })
  .transform((l): BasisLetter => {
    const quoted: Partial<Record<BasisPurpose, BasisPassage>> = {};
    for (const p of BASIS_PURPOSES) if (l.passages[p]) quoted[p] = l.passages[p];
    return Object.freeze({
      number: l.number,
      date: l.date,
      issuer: l.issuer,
      ...(l.subject !== undefined ? { subject: l.subject } : {}),
      inForceFrom: l.in_force_from ?? l.date,
      passages: Object.freeze(quoted),
    });
  });

export const basisSchema = z.array(letter, { error: 'expected a list of letters (- number: 7176/UBND-NC …)' }).default([]);
