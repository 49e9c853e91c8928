// Who a sentence of a letter names: bodies of the org directory (by name, alias, code or the
// head's title — "Giao Chánh Văn phòng UBND tỉnh", "Giám đốc Sở Nội vụ"), groups that stand
// for many bodies ("các sở, ban, ngành", "UBND các huyện, thành phố"), the committee and its
// chairman ("báo cáo UBND tỉnh"), the leader in charge, or something the directory does not
// know. Bodies go through the importer's resolver (src/import/bodies.ts), on the letter's day.
import type { Day } from '../core/day.js';
import { type Body, type BodyKind, type OrgDirectory, foldName, isBodyValidOn } from '../core/org.js';
import { nameKey } from '../core/org-match.js';
import { type Resolver, makeResolver } from '../import/bodies.js';
import { foldSame } from './letter-text.js';

export type Party =
  | { kind: 'body'; body: Body; start: number; end: number }
  /** Many bodies at once; `concerned`: "… liên quan", which names none of them. */
  | { kind: 'group'; kinds: BodyKind[]; concerned: boolean; start: number; end: number }
  | { kind: 'committee' | 'chairman' | 'leader'; start: number; end: number }
  | { kind: 'unknown'; start: number; end: number };

export interface PartyContext {
  org: OrgDirectory;
  resolver: Resolver;
  day: Day | undefined;
  /** Head titles ("chánh văn phòng ubnd tỉnh") → the body, on the day. */
  heads: Map<string, Body>;
  committee: RegExp;
  chairman: RegExp;
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function makePartyContext(org: OrgDirectory, day: Day | undefined, resolver: Resolver = makeResolver(org)): PartyContext {
  const heads = new Map<string, Body>();
  for (const b of org.bodies.values()) {
    if (day !== undefined && !isBodyValidOn(b, day)) continue;
    heads.set(nameKey(b.head.title), b);
  }
  const forms = (list: readonly string[] | undefined, fallback: string[]): string =>
    [...new Set([...(list ?? []), ...fallback].map((s) => esc(foldName(s)).replace(/ /g, '\\s')))].sort((a, b) => b.length - a.length).join('|');
  const committee = new RegExp(`^(?:${forms(org.issuer?.short, ['UBND tỉnh', 'Ủy ban nhân dân tỉnh', 'UBND thành phố', 'Ủy ban nhân dân thành phố'])})(?![a-z0-9])`);
  const chairman = new RegExp(`^(?:${forms(org.issuer?.chairman, ['Chủ tịch UBND tỉnh', 'Chủ tịch Ủy ban nhân dân tỉnh', 'Chủ tịch UBND thành phố'])})(?![a-z0-9])`);
  return { org, resolver, day, heads, committee, chairman };
}

const UNIT: Record<string, BodyKind[]> = {
  so: ['so'],
  ban: ['ban'],
  nganh: ['nganh'],
  'co quan': ['so', 'ban', 'nganh', 'van_phong'],
  'don vi': ['so', 'ban', 'nganh', 'van_phong'],
  'dia phuong': ['ubnd_huyen', 'ubnd_xa', 'ubnd_phuong'],
  huyen: ['ubnd_huyen'],
  'thanh pho': ['ubnd_huyen'],
  'thi xa': ['ubnd_huyen'],
  xa: ['ubnd_xa'],
  phuong: ['ubnd_phuong'],
  'thi tran': ['ubnd_xa'],
};
const UNITS = 'so|ban|nganh|co quan|don vi|dia phuong|huyen|thanh pho|thi xa|xa|phuong|thi tran';
const HEAD = '(?:(?:thu truong|chu tich|giam doc|lanh dao|nguoi dung dau)\\s)?';
const COMMITTEE = '(?:(?:ubnd|uy ban nhan dan)\\s)?';
const GROUP = new RegExp(
  `^${HEAD}${COMMITTEE}cac\\s(?:${UNITS})(?![a-z])(?:(?:,\\s?|\\sva\\s)${HEAD}${COMMITTEE}(?:cac\\s)?(?:${UNITS})(?![a-z]))*((?:\\s(?:cua tinh|tinh|co lien quan|lien quan|trong tinh|tren dia ban tinh|tren dia ban|truc thuoc|chuyen mon))*)`,
);
const LEADER = /^lanh dao (?:ubnd|uy ban nhan dan) (?:tinh )?phu trach(?: linh vuc)?/;
const TITLES = /^(?:thu truong|giam doc|pho giam doc phu trach|pho giam doc|chanh van phong|chanh|truong ban|truong|chu tich|chi huy truong|nguoi dung dau|dong chi)\s/;

/** The party a letter names at `pos` of its (folded) text, or undefined. */
export function partyAt(text: string, folded: string, pos: number, ctx: PartyContext): Party | undefined {
  const rest = folded.slice(pos, pos + 200);
  const best: Party[] = [];
  const g = GROUP.exec(rest);
  if (g) {
    const kinds = [...new Set([...g[0].matchAll(new RegExp(`(?<![a-z])(${UNITS})(?![a-z])`, 'g'))].flatMap((m) => UNIT[m[1]!] ?? []))];
    best.push({ kind: 'group', kinds, concerned: /lien quan/.test(g[1] ?? ''), start: pos, end: pos + g[0].length });
  }
  for (const [kind, re] of [['leader', LEADER], ['chairman', ctx.chairman], ['committee', ctx.committee]] as const) {
    const m = re.exec(rest);
    if (m) best.push({ kind, start: pos, end: pos + m[0].length });
  }
  const body = bodyAt(text, pos, ctx);
  if (body) best.push(body);
  best.sort((a, b) => b.end - a.end);
  return best[0];
}

/** Word ends after `pos`, up to 14 words: the candidate ends of a body's name. */
function wordEnds(text: string, pos: number): number[] {
  const ends: number[] = [];
  const re = /[\p{L}\p{N}&]+/gu;
  re.lastIndex = pos;
  for (let m = re.exec(text); m && ends.length < 14; m = re.exec(text)) {
    if (m.index > pos && /[.;:\n]/.test(text.slice(ends.at(-1) ?? pos, m.index))) break;
    ends.push(m.index + m[0].length);
  }
  return ends;
}

function bodyAt(text: string, pos: number, ctx: PartyContext): Party | undefined {
  if (!/[\p{L}\p{N}]/u.test(text[pos] ?? '')) return undefined;
  for (const end of wordEnds(text, pos).reverse()) {
    const phrase = text.slice(pos, end);
    const b = resolve(phrase, ctx);
    if (b) return { kind: 'body', body: b, start: pos, end };
  }
  return undefined;
}

function resolve(phrase: string, ctx: PartyContext): Body | undefined {
  const key = nameKey(phrase);
  if (key.length < 3) return undefined;
  const direct = ctx.resolver.find(phrase, ctx.day);
  if (direct) return direct;
  const head = ctx.heads.get(key);
  if (head) return head;
  const f = foldName(phrase);
  const t = TITLES.exec(f);
  if (t) {
    const words = phrase.trim().split(/\s+/).slice(t[0].trim().split(' ').length).join(' ');
    return words ? ctx.resolver.find(words, ctx.day) : undefined;
  }
  return undefined;
}

const SEPARATOR = /^\s*(?:,|;|\bva\b|\bcung\b)\s*/;

/**
 * The list of parties starting at `pos` ("Sở Tài chính, Sở Xây dựng và UBND các huyện"),
 * separated by ",", ";" or "và". "Các Sở: Y tế, Khoa học và Công nghệ, …" names departments
 * without "Sở". Stops at the first thing that is not a party; `end` is where the list ends.
 */
export function partiesAt(text: string, folded: string, pos: number, ctx: PartyContext): { parties: Party[]; end: number } {
  const parties: Party[] = [];
  let at = pos;
  const lead = /^cac so\s?:\s?/.exec(folded.slice(at, at + 12));
  if (lead) at += lead[0].length;
  for (;;) {
    const p = partyAt(text, folded, at, ctx);
    if (!p) break;
    parties.push(p);
    at = p.end;
    const sep = SEPARATOR.exec(folded.slice(at, at + 8));
    if (!sep) break;
    const next = partyAt(text, folded, at + sep[0].length, ctx);
    if (!next) break;
    at += sep[0].length;
  }
  return { parties, end: parties.length ? parties[parties.length - 1]!.end : pos };
}

export const foldedOf = (text: string): string => foldSame(text);

/** Bodies of a group in force on the day, in directory order: what "ALL" expands to. */
export function bodiesOfKinds(org: OrgDirectory, kinds: readonly BodyKind[], day: Day | undefined): Body[] {
  return [...org.bodies.values()].filter((b) => kinds.includes(b.kind) && (day === undefined || isBodyValidOn(b, day)));
}
