// The deadline of an item, in the phrases letters use — the importer's phrase rules
// (src/import/deadline-phrase.ts: "trước ngày 30/6/2022", "trong quý II năm 2022", "trong tháng
// 01 năm 2023", "năm 2025", "giai đoạn 2023–2025", "thường xuyên"/"kịp thời" = no fixed
// deadline) — chosen the way a clerk would: a phrase marked as a deadline ("trước", "hoàn
// thành", "trong", "vào") wins; the date of a cited document ("Nghị quyết số 10/NQ-CP ngày
// 28/01/2022") and a vision horizon ("tầm nhìn đến năm 2045") never count; an unmarked date is
// offered but flagged. "trước ngày 8/4" takes the letter's year, the next one when that day
// had passed on the letter's date (flagged: the clerk confirms).
import { type Day, dayFromYmd, formatVnDay, isValidYmd, ymdFromDay } from '../core/day.js';
import type { Deadline } from '../core/task.js';
import { type Candidate, phraseCandidates } from '../import/deadline-phrase.js';
import { type Drafted, type Flag, drafted } from './drafted.js';
import { type LetterText, spanOf } from './letter-text.js';

export interface DeadlineDraft {
  /** undefined: none stated; null: no fixed deadline ("thường xuyên"); else the deadline. */
  deadline: Drafted<Deadline | null | undefined>;
  /** A periodic duty found by the phrase rules ("hằng năm, trước ngày 15/12"). */
  recurrence?: { freq: 'yearly' | 'quarterly' | 'monthly'; month?: number; day: number };
  flags: Flag[];
}

const CUE = /(?<![a-z])(?:truoc|han|cham nhat|hoan thanh|xong|den|trong|toi|vao|ket thuc|truoc ngay)\s?(?:ngay\s?)?(?:,\s?)?$/;
const CITATION = /(?:\d+[a-z]?\s?\/\s?[a-z0-9.-]+(?:\/[a-z0-9.-]+)?|so \d+)\s(?:cua [^,;]{0,60}\s)?(?:ngay\s?)?$/;
const HORIZON = /(?:tam nhin|nhiem ky|thoi ky)\s(?:den\s)?(?:nam\s)?$/;
const NO_YEAR = /(?<![\d/.-])(\d{1,2})\s?\/\s?(\d{1,2})(?!\s?[/.-]?\s?\d)/g;

/**
 * `folded` is the letter's text folded with foldSame (same offsets); [from, to) the item.
 * `letterDay` is the letter's date, for a deadline written without its year.
 */
export function readDeadline(letter: LetterText, folded: string, from: number, to: number, letterDay: Day | undefined): DeadlineDraft {
  const text = folded.slice(from, to).replace(/\s/g, ' ');
  const flags: Flag[] = [];
  const candidates = phraseCandidates(text).filter((c) => {
    const pre = text.slice(Math.max(0, c.index - 50), c.index);
    // "phấn đấu năm 2022" is a goal, not "đầu năm"; cited documents and horizons never count.
    return !CITATION.test(pre) && !HORIZON.test(pre.slice(-25)) && !(/phan $/.test(pre) && text.startsWith('dau', c.index));
  });
  const at = (c: { index: number; length: number }) => spanOf(letter, from + c.index, from + c.index + c.length);
  const cued = (c: Candidate) => CUE.test(text.slice(Math.max(0, c.index - 25), c.index));
  const fixed = candidates.filter((c) => c.result.ok && c.result.deadline);
  const periodic = candidates.find((c) => c.result.ok && c.result.recurrence);
  const bad = candidates.find((c) => !c.result.ok && cued(c));
  const dated = fixed.filter(cued);

  // "trước ngày 8/4": no year; the letter's year, or the next.
  for (const m of text.matchAll(NO_YEAR)) {
    const pre = text.slice(Math.max(0, m.index - 25), m.index);
    if (!/(?:truoc|han|cham nhat|hoan thanh|den|vao)\s?(?:ngay\s?)?$|ngay\s?$/.test(pre) || CITATION.test(text.slice(Math.max(0, m.index - 50), m.index)) || letterDay === undefined) continue;
    if (fixed.some((c) => c.index <= m.index && m.index < c.index + c.length) || periodic) continue;
    const d = Number(m[1]);
    const mo = Number(m[2]);
    const { year } = ymdFromDay(letterDay);
    if (!isValidYmd(year, mo, d) && !isValidYmd(year + 1, mo, d)) continue;
    let day = isValidYmd(year, mo, d) ? dayFromYmd(year, mo, d) : dayFromYmd(year + 1, mo, d);
    const c = { index: m.index, length: m[0].length };
    if (day < letterDay) {
      day = dayFromYmd(year + 1, mo, d);
      flags.push({ field: 'deadline', message: `thời hạn «${letter.text.slice(from + c.index, from + c.index + c.length)}» không ghi năm và đã qua vào ngày văn bản: lấy năm sau (${formatVnDay(day)}), cần xác nhận` });
      dated.push({ ...c, result: { ok: true, deadline: { day }, matched: '' } });
    } else {
      dated.push({ ...c, result: { ok: true, deadline: { day }, matched: '' } });
      (dated[dated.length - 1] as Candidate & { yearFromLetter?: boolean }).yearFromLetter = true;
    }
  }
  dated.sort((a, b) => a.index - b.index);

  if (dated.length > 0) {
    const first = dated[0]! as Candidate & { yearFromLetter?: boolean };
    const dl = (first.result as { deadline: Deadline }).deadline;
    const distinct = [...new Set(dated.map((c) => (c.result as { deadline: Deadline }).deadline.day))];
    if (distinct.length > 1) flags.push({ field: 'deadline', message: `mục đặt ${distinct.length} thời hạn (${distinct.map(formatVnDay).join(', ')}): tách thành các dòng, mỗi dòng một thời hạn` });
    const noted = first.yearFromLetter ? 'không ghi năm: lấy năm của văn bản' : undefined;
    const yearFlag = flags.some((f) => f.field === 'deadline' && /năm sau/.test(f.message));
    return { deadline: drafted(dl, yearFlag ? 'low' : first.yearFromLetter ? 'medium' : 'high', at(first), noted), flags };
  }
  if (bad) {
    flags.push({ field: 'deadline', message: `thời hạn «${letter.text.slice(from + bad.index, from + bad.index + bad.length)}» không đọc được: ${(bad.result as { message: string }).message}` });
    return { deadline: drafted(undefined, 'low', at(bad)), flags };
  }
  if (periodic && periodic.result.ok) {
    return { deadline: drafted(null, 'high', at(periodic), 'nhiệm vụ định kỳ'), recurrence: periodic.result.recurrence!, flags };
  }
  const open = candidates.find((c) => c.result.ok && c.result.deadline === null);
  if (open) return { deadline: drafted(null, 'medium', at(open), 'không có thời hạn cố định'), flags };
  if (fixed.length > 0) {
    // A date the letter does not mark as the deadline is shown to the clerk, not filled in.
    const c = fixed[0]!;
    flags.push({ field: 'deadline', message: `có mốc «${letter.text.slice(from + c.index, from + c.index + c.length)}» nhưng văn bản không nói đó là thời hạn: nếu đúng, ghi vào cột Thời hạn` });
    return { deadline: drafted(undefined, 'low', at(c)), flags };
  }
  return { deadline: drafted(undefined, 'medium', undefined, 'văn bản không nêu thời hạn'), flags };
}
