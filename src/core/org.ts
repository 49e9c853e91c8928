// The org directory: bodies (sở, ban, ngành, UBND xã/phường…) and leaders, as data.
// Bodies merge and are renamed (2025 reorganisation), so every body has validity dates and a
// successor; open tasks of a body that ended follow its successor. Emails address a role
// ("Giám đốc Sở Tài chính"), never a person.
import type { Day } from './day.js';

export const BODY_KINDS = ['so', 'ban', 'nganh', 'ubnd_tinh', 'ubnd_huyen', 'ubnd_xa', 'ubnd_phuong', 'van_phong', 'khac'] as const;
export type BodyKind = (typeof BODY_KINDS)[number];

export interface Mailbox {
  /** The role as addressed in "Kính gửi: …", e.g. "Giám đốc Sở Tài chính", "Phụ trách Sở". */
  title: string;
  email: string;
}

/** Who held the head's post, and when — 7176 §5 and the rating rules look at persons. */
export interface HeadTenure {
  name: string;
  title?: string;
  from: Day;
  to?: Day;
}

export interface Body {
  code: string;
  name: string;
  kind: BodyKind;
  /**
   * The head's mailbox. `email` is missing only for a body that has ended (its mailbox is
   * gone; tasks follow the successor): the loader rejects a body valid today without one.
   */
  head: { title: string; email?: string };
  /** True when the head is acting ("Phụ trách"); a normal case, not an error. */
  acting: boolean;
  headTenures: readonly HeadTenure[];
  /** The clerical office (văn thư), cc'd on mail to the head. */
  clerical?: Mailbox;
  /** Code of the leader in charge of this body's field. */
  leader?: string;
  validFrom?: Day;
  validTo?: Day;
  successor?: string;
  /** Why a body that ended has no successor (its tasks must be reassigned by hand). */
  noSuccessor?: string;
  /** Other names clerks write for it (abbreviations, former names). */
  aliases: readonly string[];
  /** The document that creates, names or ends it. */
  source?: string;
  /** What about the entry is not checked against its source, when something is not. */
  unconfirmed?: string;
}

export interface Leader {
  code: string;
  title: string;
  name?: string;
  email: string;
  fields: readonly string[];
}

/** The special roles of 7176, pointing at directory entries (never hard-coded). */
export interface OrgRoles {
  /** Văn phòng UBND tỉnh: follows up, first escalation target, receives digests. */
  provincialOffice: string;
  /** Sở Nội vụ: ratings, repeat lateness. */
  homeAffairs: string;
  /** The chairman's mailbox: a leader code. */
  chairman: string;
  /** Thanh tra tỉnh. */
  inspectorate: string;
}

/**
 * The committee the installation serves, as its own letters name it: documents whose number
 * carries one of its codes (…/UBND-TH, …/KH-UBND) are its own, so a register need not repeat
 * the issuer on every row. Config `org.issuer`; absent, nothing is assumed.
 */
export interface OwnIssuer {
  /** "UBND tỉnh Thái Nguyên": the issuer recorded on its tasks. */
  name: string;
  /** Codes in its document numbers: "UBND" in 1510/UBND-TH and 08/KH-UBND. */
  codes: readonly string[];
  /** How its letters name it: "UBND tỉnh", "Ủy ban nhân dân tỉnh". */
  short: readonly string[];
  /** How its letters name its chairman: "Chủ tịch UBND tỉnh". */
  chairman: readonly string[];
  /** Other offices issuing in its house, e.g. Văn phòng UBND tỉnh (…/TB-VPUBND). */
  also: ReadonlyArray<{ name: string; codes: readonly string[] }>;
}

export interface OrgDirectory {
  bodies: ReadonlyMap<string, Body>;
  leaders: ReadonlyMap<string, Leader>;
  roles: OrgRoles;
  issuer?: OwnIssuer;
}

export function isBodyValidOn(body: Body, day: Day): boolean {
  return (body.validFrom === undefined || body.validFrom <= day) && (body.validTo === undefined || day <= body.validTo);
}

/**
 * The body that carries a task on `day`: the body itself while valid, else its successor
 * chain. Returns the chain walked (first = the given body) so callers can record history.
 */
export function successorChain(org: OrgDirectory, code: string, day: Day): Body[] {
  const chain: Body[] = [];
  const seen = new Set<string>();
  let b = org.bodies.get(code);
  while (b && !seen.has(b.code)) {
    chain.push(b);
    seen.add(b.code);
    if (isBodyValidOn(b, day) || !b.successor) break;
    b = org.bodies.get(b.successor);
  }
  return chain;
}

export function currentBody(org: OrgDirectory, code: string, day: Day): Body | undefined {
  const chain = successorChain(org, code, day);
  return chain[chain.length - 1];
}

/** The head in office on a day, if the directory records tenures. */
export function headOn(body: Body, day: Day): HeadTenure | undefined {
  return body.headTenures.find((t) => t.from <= day && (t.to === undefined || day <= t.to));
}

/** Folds a Vietnamese name for matching: NFC→NFD, strips marks, đ→d, lower case, single spaces. */
export function foldName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9&]+/g, ' ')
    .trim();
}
