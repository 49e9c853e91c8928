// Who does what in one item or point of a letter: the lead ("Giao X chủ trì", "X: chủ trì …",
// "X có trách nhiệm …"), the coordinators ("phối hợp với …") and where the result goes
// ("báo cáo về Sở X", "gửi Văn phòng UBND tỉnh", "báo cáo UBND tỉnh"). Spans point into the
// letter; parties come from parties.ts (the org directory through the importer's resolver).
import { type Party, type PartyContext, partiesAt, partyAt } from './parties.js';
import { DUTY } from './items.js';

export interface LeadFound {
  parties: Party[];
  /** Where the lead's words are (for an unknown lead: the phrase). */
  start: number;
  end: number;
  /** "Giao …", "Yêu cầu …", "X: …", "X chủ trì": the letter says who, in so many words. */
  explicit: boolean;
}

const ADVERBIAL = /^(?:(?:dinh ky\s)?hang\s(?:nam|quy|thang),\s?|dong thoi,\s?|ngoai ra,\s?|truoc mat,\s?)/;
const INTRO = /^(?:giao nhiem vu cho|giao cho|giao|yeu cau|de nghi)\s/;

/** The lead named at the start of [from, to), or by "X chủ trì" in its first sentence. */
export function findLead(text: string, folded: string, from: number, to: number, ctx: PartyContext): LeadFound | undefined {
  let pos = from;
  const skip = (re: RegExp): boolean => {
    const m = re.exec(folded.slice(pos, to));
    if (m) pos += m[0].length;
    return m !== null;
  };
  skip(ADVERBIAL);
  const explicit = skip(INTRO);
  const { parties, end } = partiesAt(text, folded, pos, ctx);
  const after = folded.slice(end, Math.min(to, end + 40));
  if (parties.length > 0 && (explicit || DUTY.test(after) || /^\s?:/.test(after) || end >= to - 1)) {
    return { parties, start: pos, end, explicit: explicit || /^\s?:/.test(after) };
  }
  if (explicit) {
    const rest = folded.slice(pos, Math.min(to, pos + 160));
    const stop = /\s(?:chu tri|co trach nhiem|khan truong|phoi hop|thuc hien|tham muu|to chuc|tiep tuc|tang cuong|lam ro|bao cao)\b|[:;.]/.exec(rest);
    // The phrase without a dangling "và các", ", các" cut off by the stop word.
    const e = pos + (stop ? stop.index : rest.length) - (/(?:[\s,]+(?:va|cac|cung))+[\s,]*$/.exec(rest.slice(0, stop ? stop.index : rest.length))?.[0].length ?? 0);
    return { parties: [{ kind: 'unknown', start: pos, end: e }], start: pos, end: e, explicit };
  }
  // "…, Sở Tài chính chủ trì, phối hợp …" further into the first sentence.
  const sentence = folded.slice(from, to).split(/[.](?:\s|$)/)[0]!;
  for (const m of sentence.matchAll(/\s(?:la co quan\s)?chu tri\b/g)) {
    const clause = Math.max(sentence.lastIndexOf(',', m.index), sentence.lastIndexOf(';', m.index), -1) + 1;
    const at = from + clause + (sentence.slice(clause).length - sentence.slice(clause).trimStart().length);
    const r = partiesAt(text, folded, at, ctx);
    if (r.parties.some((p) => p.kind === 'body') && r.end >= from + m.index - 1) return { parties: r.parties, start: at, end: r.end, explicit: true };
  }
  // "Các doanh nghiệp …", "Ủy ban Mặt trận …": a subject the directory does not know. Only
  // when a duty verb follows soon; an imperative ("Tăng cường …") names nobody.
  const head = /^(cac\s[a-z ]{2,60}?|uy ban mat tran[a-z ]{0,60}?)(?=\s(?:co trach nhiem|dua|to chuc|thuc hien|xay dung|chu dong|ung dung|tap trung|tiep tuc|tham gia|phoi hop|ra soat|bao cao))/.exec(folded.slice(pos, to));
  if (head && !partyAt(text, folded, pos, ctx)) return { parties: [{ kind: 'unknown', start: pos, end: pos + head[1]!.length }], start: pos, end: pos + head[1]!.length, explicit: false };
  return undefined;
}

export interface Coordinators {
  parties: Party[];
  /** "phối hợp với …" naming nothing the directory knows, as spans. */
  unknown: Array<{ start: number; end: number }>;
}

/** Every "phối hợp (với) …" of [from, to). */
export function findCoordinators(text: string, folded: string, from: number, to: number, ctx: PartyContext): Coordinators {
  const out: Coordinators = { parties: [], unknown: [] };
  const slice = folded.slice(from, to);
  for (const m of slice.matchAll(/phoi hop(?:\s(?:chat che|cung))?(\s(?:voi|cung))?\s/g)) {
    const at = from + m.index + m[0].length;
    const r = partiesAt(text, folded, at, ctx);
    if (r.parties.length) out.parties.push(...r.parties);
    else if (m[1]) {
      const rest = folded.slice(at, Math.min(to, at + 120));
      const stop = /\s(?:de|trong|thuc hien|tham muu|xay dung|day manh|to chuc|trien khai|kiem tra|bao cao|huong dan)\s|[,;:.]/.exec(rest);
      out.unknown.push({ start: at, end: at + (stop ? stop.index : rest.length) });
    }
  }
  return out;
}

/** Where the result goes: the first body, the committee or the leader after "báo cáo"/"gửi". */
export function findReportTo(text: string, folded: string, from: number, to: number, ctx: PartyContext): Party | undefined {
  const slice = folded.slice(from, to);
  for (const m of slice.matchAll(/(?<![a-z])(?:bao cao|gui)(?![a-z])/g)) {
    let at = from + m.index + m[0].length;
    const stop = Math.min(to, at + 160);
    while (at < stop) {
      const ch = folded[at]!;
      if (ch === ';' || ch === '.' || ch === '\n') break;
      if (/[a-z0-9]/.test(ch) && !/[a-z0-9]/.test(folded[at - 1] ?? ' ')) {
        const p = partyAt(text, folded, at, ctx);
        if (p && p.kind !== 'group' && p.kind !== 'unknown') return p;
      }
      at++;
    }
  }
  return undefined;
}
