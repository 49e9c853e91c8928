// Bodies and leaders named in a sheet, resolved against the org directory. Bodies go through
// the directory's matcher (code, name or alias; any case, diacritics, NFC/NFD) on the day of
// the letter, so a 2022 letter finds the district committees that existed then. Results are
// cached: a register names the same few dozen bodies over thousands of rows.
import { type Day, formatVnDay } from '../core/day.js';
import { type Body, type Leader, type OrgDirectory, foldName } from '../core/org.js';
import { type BodyMatcher, codeKey, editDistance, makeBodyMatcher } from '../core/org-match.js';
import { quote } from './text.js';

export type Resolved<T> = { ok: true; value: T; note?: string } | { ok: false; message: string };

export interface Resolver {
  body(text: string, onDay: Day | undefined): Resolved<Body>;
  /** One entry of a ";"/new-line list, which may still hold several bodies separated by commas. */
  list(entry: string, onDay: Day | undefined): ListHit[];
  leader(text: string): Resolved<Leader>;
  /** The body a phrase names on a day (its successor if it had ended), or undefined; no suggestions, cached. */
  find(text: string, onDay: Day | undefined): Body | undefined;
}

export type ListHit = { text: string } & Resolved<Body>;

/**
 * "Các sở, ngành liên quan", "UBND các huyện, thành phố": a clerk's way of saying "whoever
 * is concerned" in the coordinating column, not a body. Only tolerated there.
 */
export function isGenericBodies(text: string): boolean {
  const f = foldName(text);
  return /^(cac|toan the|moi) /.test(f) || /\bcac (so|ban|nganh|co quan|don vi|dia phuong|huyen|xa|phuong)\b/.test(f) || /\blien quan$/.test(f);
}

export function makeResolver(org: OrgDirectory): Resolver {
  const match: BodyMatcher = makeBodyMatcher(org);
  const bodies = new Map<string, Resolved<Body>>();
  const leaders = new Map<string, Resolved<Leader>>();
  const leaderList = [...org.leaders.values()];

  const body = (text: string, onDay: Day | undefined): Resolved<Body> => {
    const key = `${text}\u0000${onDay ?? ''}`;
    let r = bodies.get(key);
    if (r === undefined) {
      const m = match(text, onDay);
      if (m.ok) {
        const ended = m.body.code === m.named.code && onDay !== undefined && m.named.validTo !== undefined && m.named.validTo < onDay;
        r =
          m.body.code !== m.named.code
            ? { ok: true, value: m.body, note: `vào ngày ban hành văn bản, ${m.named.name} đã được thay bằng ${m.body.name} (${m.body.code}): nhiệm vụ giao cho đơn vị này` }
            : ended
              ? {
                  ok: true,
                  value: m.body,
                  // Not silently re-coded: the letter names a body that no longer exists.
                  note: `${m.named.name} (${m.named.code}) đã kết thúc hoạt động ngày ${formatVnDay(m.named.validTo!)}, trước ngày ban hành văn bản (${formatVnDay(onDay!)}), và không có đơn vị kế thừa: nhiệm vụ vẫn được ghi cho đơn vị này và được liệt kê là không có ai nhận thư nhắc cho đến khi giao cho một đơn vị đang hoạt động`,
                }
              : { ok: true, value: m.body };
      } else {
        r = { ok: false, message: `không có đơn vị ${quote(text)} trong danh bạ${m.suggestions.length ? `; gần nhất: ${m.suggestions.join('; ')}` : ''}` };
      }
      bodies.set(key, r);
    }
    return r;
  };

  // Leaders are few: by code, or by a name or title the text contains ("PCT Nguyễn Văn A").
  const leader = (text: string): Resolved<Leader> => {
    let r = leaders.get(text);
    if (r === undefined) {
      const byCode = leaderList.find((l) => codeKey(l.code) === codeKey(text));
      const f = foldName(text);
      const named = byCode ?? leaderList.filter((l) => l.name && f.includes(foldName(l.name)));
      const titled = Array.isArray(named) && named.length === 0 ? leaderList.filter((l) => foldName(l.title) === f) : named;
      if (!Array.isArray(titled)) r = { ok: true, value: titled };
      else if (titled.length === 1) r = { ok: true, value: titled[0]! };
      else {
        const near = [...leaderList]
          .sort((a, b) => editDistance(f, foldName(a.name ?? a.title)) - editDistance(f, foldName(b.name ?? b.title)))
          .slice(0, 3)
          .map((l) => `${l.code} (${[l.title, l.name].filter(Boolean).join(' ')})`);
        r = { ok: false, message: `${titled.length > 1 ? 'không rõ lãnh đạo nào' : 'không có lãnh đạo'} ${quote(text)}${near.length ? `; trong danh bạ có: ${near.join('; ')}` : ''}` };
      }
      leaders.set(text, r);
    }
    return r;
  };

  /**
   * Clerks also separate bodies with commas, but names contain commas ("Sở Văn hóa, Thể thao
   * và Du lịch"): when the whole entry names no body, the longest comma-joined runs that do
   * are taken, left to right; if some part names none, the entry is unknown as a whole.
   */
  const list = (entry: string, onDay: Day | undefined): ListHit[] => {
    const whole = body(entry, onDay);
    if (whole.ok || !entry.includes(',')) return [{ text: entry, ...whole }];
    const parts = entry
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const out: ListHit[] = [];
    for (let i = 0; i < parts.length; ) {
      let j = parts.length;
      for (; j > i; j--) {
        const t = parts.slice(i, j).join(', ');
        const r = body(t, onDay);
        if (r.ok) {
          out.push({ text: t, ...r });
          break;
        }
      }
      if (j === i) return [{ text: entry, ...whole }];
      i = j;
    }
    return out;
  };

  const found = new Map<string, Body | null>();
  const find = (text: string, onDay: Day | undefined): Body | undefined => {
    const key = `${text}\u0000${onDay ?? ''}`;
    let r = found.get(key);
    if (r === undefined) {
      const m = match(text, onDay, { suggest: false });
      found.set(key, (r = m.ok ? m.body : null));
    }
    return r ?? undefined;
  };

  return { body, list, leader, find };
}
