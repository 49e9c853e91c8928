// The rule the mails cite (docs/DOMAIN.md "The rule cited"): each province has its own letter on
// accountability — Thái Nguyên's is Công văn 7176/UBND-NC of 04/12/2024 — and a mail cites the
// one in force on the day it is sent, never a letter that did not exist yet. So the letters are
// config (`policy.basis`), each with the day it took effect and the passages mails quote, by
// what they are quoted for; templates get them as data and name no letter themselves.
// Pure: no I/O.
import type { Day } from './day.js';

/** What a passage is quoted for; each letter names the section it is in. */
export const BASIS_PURPOSES = [
  /** The heads' duty: finish on time, report difficulties to the leader in charge (7176 §3). */
  'duty',
  /** Coordination between bodies; the lead body reports bodies that do not cooperate (7176 §3). */
  'coordination',
  /** The Provincial Office follows up and urges (7176 §4). */
  'follow_up',
  /** The Office with Sở Nội vụ reports late bodies and heads for review (7176 §4). */
  'review',
  /** Sở Nội vụ ties results to the annual rating of bodies and heads (7176 §5). */
  'rating',
] as const;
export type BasisPurpose = (typeof BASIS_PURPOSES)[number];

export interface BasisPassage {
  /** The section as the letter numbers it: "3", "4", "II.2". */
  section: string;
  /** The words quoted, verbatim. */
  text: string;
}

export interface BasisLetter {
  number: string;
  date: Day;
  issuer: string;
  /** "V/v …" */
  subject?: string;
  /** From this day on, mails cite this letter. */
  inForceFrom: Day;
  passages: Partial<Readonly<Record<BasisPurpose, BasisPassage>>>;
}

/** The letter in force on `day`: the latest to take effect by then; none before the first. */
export function basisOn(letters: readonly BasisLetter[], day: Day): BasisLetter | undefined {
  let best: BasisLetter | undefined;
  for (const l of letters) if (l.inForceFrom <= day && (!best || l.inForceFrom >= best.inForceFrom)) best = l;
  return best;
}
