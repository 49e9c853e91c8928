// Deadlines as clerks and letters write them. Letter 1510/UBND-TH: "hoàn thành trong quý II
// năm 2022" means by 30/06/2022, "năm 2022" by 31/12/2022; registers also say "Tháng 6/2022",
// "trước ngày 15/12/2022", "Thường xuyên" (no fixed deadline) and, for periodic duties,
// "hằng năm, trước ngày 15/12". The phrase may sit inside a sentence, so we search for it.
import { daysInMonth } from '../core/day.js';
import type { Deadline } from '../core/task.js';
import { checkYmd } from './dates.js';
import { cleanText, fold } from './text.js';

export interface PhraseRecurrence {
  freq: 'yearly' | 'quarterly' | 'monthly';
  month?: number;
  day: number;
}

export type DeadlinePhrase =
  | { ok: true; deadline: Deadline | null; recurrence?: PhraseRecurrence; matched: string }
  | { ok: false; message: string };

const HELP = 'viết ngày dd/mm/yyyy hoặc cụm từ như "Quý II/2022", "Tháng 6/2022", "Năm 2022", "Thường xuyên"';

export interface Candidate {
  /** Where the phrase starts and how long it is, in the text given. */
  index: number;
  length: number;
  result: DeadlinePhrase;
}

const ROMAN: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4, '1': 1, '2': 2, '3': 3, '4': 4 };

const endOfMonth = (year: number, month: number): DeadlinePhrase => {
  const r = checkYmd(year, month, 1);
  if (!r.ok) return { ok: false, message: r.message };
  return { ok: true, deadline: { day: r.day + daysInMonth(year, month) - 1 }, matched: '' };
};

const dated = (y: string, mo: string, d: string, h?: string, mi?: string): DeadlinePhrase => {
  if (y.length !== 4) return { ok: false, message: y.length <= 2 ? 'viết năm đủ bốn chữ số (yyyy)' : `năm ${Number(y)} nằm ngoài khoảng 1900–2199` };
  const r = checkYmd(Number(y), Number(mo), Number(d));
  if (!r.ok) return { ok: false, message: r.message };
  if (h === undefined) return { ok: true, deadline: { day: r.day }, matched: '' };
  // "24h ngày …" is the end of the day, which is what a bare date already means.
  const hh = Number(h);
  const mm = mi ? Number(mi) : 0;
  if (hh === 24 && mm === 0) return { ok: true, deadline: { day: r.day }, matched: '' };
  if (hh > 23 || mm > 59) return { ok: false, message: `không phải giờ hợp lệ ${h}:${mi ?? '00'}` };
  return { ok: true, deadline: { day: r.day, minute: hh * 60 + mm }, matched: '' };
};

const B = String.raw`(?<![a-z0-9])`;
const E = String.raw`(?![a-z0-9])`;
const TIME_BEFORE = String.raw`(?:(\d{1,2})\s?(?:h|gio|:)\s?(\d{2})?\s?(?:phut\s?)?,?\s?(?:ngay\s?)?)?`;
const SEP = String.raw`\s?([/.-])\s?`;

type Rule = [RegExp, (m: RegExpExecArray) => DeadlinePhrase];

const RULES: Rule[] = [
  [new RegExp(`${B}(?:thuong xuyen|khong (?:co )?thoi han|lien tuc|kip thoi)${E}`, 'g'), () => ({ ok: true, deadline: null, matched: '' })],
  // A periodic duty without its day ("Định kỳ hằng năm, báo cáo …"): the day is not guessed.
  [
    new RegExp(`${B}(?:dinh ky )?hang (nam|thang)${E}`, 'g'),
    (m) => ({ ok: false, message: `a periodic duty needs its day: write e.g. "${m[1] === 'nam' ? 'Hằng năm, trước ngày 15/12' : 'Hằng tháng, trước ngày 20'}"` }),
  ],
  // Periodic duties: "hằng năm, trước ngày 15/12", "hằng tháng, trước ngày 20", "hằng quý".
  [
    new RegExp(`${B}(?:dinh ky )?hang nam\\b[^0-9]{0,40}?(\\d{1,2})\\s?[/.-]\\s?(\\d{1,2})(?!\\s?[/.-]\\s?\\d)`, 'g'),
    (m) => {
      const day = Number(m[1]);
      const month = Number(m[2]);
      return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(2024, month)
        ? { ok: true, deadline: null, recurrence: { freq: 'yearly', month, day }, matched: '' }
        : { ok: false, message: 'không phải một ngày có thật trong năm' };
    },
  ],
  [
    new RegExp(`${B}(?:dinh ky )?hang thang\\b[^0-9]{0,40}?(?:ngay|truoc)\\s?(\\d{1,2})${E}(?!\\s?[/.-])`, 'g'),
    (m) => (Number(m[1]) >= 1 && Number(m[1]) <= 31 ? { ok: true, deadline: null, recurrence: { freq: 'monthly', day: Number(m[1]) }, matched: '' } : { ok: false, message: 'không phải một ngày có thật trong tháng' }),
  ],
  [
    new RegExp(`${B}(?:dinh ky )?hang quy\\b(?:[^0-9]{0,40}?(?:ngay|truoc)\\s?(\\d{1,2})${E})?`, 'g'),
    (m) => {
      const day = m[1] === undefined ? 31 : Number(m[1]);
      return day >= 1 && day <= 31 ? { ok: true, deadline: null, recurrence: { freq: 'quarterly', month: 3, day }, matched: '' } : { ok: false, message: 'không phải một ngày có thật trong tháng' };
    },
  ],
  // A date, with an optional time before ("17h00 ngày 15/12/2022") or after ("15/12/2022 17:00").
  [
    new RegExp(`${B}${TIME_BEFORE}(\\d{1,2})${SEP}(\\d{1,2})\\4\\s?(\\d{1,6})(?:\\s(\\d{1,2})\\s?(?::|h|gio)\\s?(\\d{2}))?${E}`, 'g'),
    (m) => (m[1] !== undefined ? dated(m[6]!, m[5]!, m[3]!, m[1], m[2]) : dated(m[6]!, m[5]!, m[3]!, m[7], m[8])),
  ],
  [new RegExp(`${B}(\\d{4})-(\\d{2})-(\\d{2})(?:[t ](\\d{2}):(\\d{2}))?${E}`, 'g'), (m) => dated(m[1]!, m[2]!, m[3]!, m[4], m[5])],
  [new RegExp(`${B}(?:ngay\\s?)?(\\d{1,2}) thang (\\d{1,2}),? nam (\\d{1,6})${E}`, 'g'), (m) => dated(m[3]!, m[2]!, m[1]!)],
  // Quarters: "Quý II/2022", "quý II năm 2022", "Quý 2/2022", "Q2/2022".
  [
    new RegExp(`${B}(?:quy\\s?(iv|iii|ii|i|[1-4])|q([1-4]))${E}\\s?(?:[/-]|,?\\s?nam)?\\s?(\\d{1,6})?`, 'g'),
    (m) => {
      const q = ROMAN[m[1] ?? m[2]!]!;
      if (m[3] === undefined) return { ok: false, message: `ghi thêm năm của quý, ví dụ "Quý ${['I', 'II', 'III', 'IV'][q - 1]}/2022"` };
      if (m[3].length !== 4) return { ok: false, message: `năm ${Number(m[3])} nằm ngoài khoảng 1900–2199` };
      return endOfMonth(Number(m[3]), q * 3);
    },
  ],
  // Phases of plans: "giai đoạn 2023 - 2025", "Giai đoạn 1 (từ 2023 - 2025)" → the phase's last day.
  [
    new RegExp(`${B}giai doan\\s?(?:\\d\\s?)?\\(?\\s?(?:tu\\s?)?(?:nam\\s?)?(\\d{4})\\s?-\\s?(?:nam\\s?)?(\\d{4})${E}`, 'g'),
    (m) => (Number(m[2]) >= Number(m[1]) ? endOfMonth(Number(m[2]), 12) : { ok: false, message: `the phase ${m[1]}–${m[2]} ends before it starts` }),
  ],
  // Halves: "6 tháng đầu năm 2022" → 30/06, "6 tháng cuối năm 2022" → 31/12.
  [
    new RegExp(`${B}(?:6 thang|nua) (dau|cuoi) nam\\s?(\\d{4})${E}`, 'g'),
    (m) => endOfMonth(Number(m[2]), m[1] === 'dau' ? 6 : 12),
  ],
  // "đầu/giữa tháng 7/2022" names no day: refuse rather than guess.
  [new RegExp(`${B}(?:dau|giua) (?:thang|nam)${E}`, 'g'), () => ({ ok: false, message: `"đầu/giữa tháng" không chỉ rõ ngày nào: ${HELP}` })],
  [
    new RegExp(`${B}thang\\s?(\\d{1,2})\\s?(?:[/-]|,?\\s?nam)\\s?(\\d{1,6})${E}`, 'g'),
    (m) => {
      const month = Number(m[1]);
      if (month < 1 || month > 12) return { ok: false, message: `không có tháng ${month}` };
      if (m[2]!.length !== 4) return { ok: false, message: `năm ${Number(m[2])} nằm ngoài khoảng 1900–2199` };
      return endOfMonth(Number(m[2]), month);
    },
  ],
  [
    new RegExp(`${B}nam\\s?(\\d{1,6})${E}(?!\\s?[-–]\\s?\\d)`, 'g'),
    (m) => (m[1]!.length === 4 ? endOfMonth(Number(m[1]), 12) : { ok: false, message: `năm ${Number(m[1])} nằm ngoài khoảng 1900–2199` }),
  ],
];

/** Words that mark the deadline among other dates in a sentence ("theo NQ ngày 08/4/2022, hoàn thành trước …"). */
const CUE = /(?<![a-z])(?:truoc|han|cham nhat|hoan thanh|xong|den|trong|toi)\s?(?:ngay\s?)?$/;

/**
 * Reads a deadline from a cell or a sentence. Never throws: anything unreadable is
 * `{ ok: false, message }`. `deadline: null` means no fixed deadline ("Thường xuyên") or a
 * periodic duty (then `recurrence` is set).
 */
export function parseDeadlinePhrase(input: string): DeadlinePhrase {
  const text = fold(cleanText(String(input)).slice(0, 4000))
    .replace(/[–—]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return { ok: false, message: 'để trống' };
  // A bare year cell: "2022".
  if (/^\d{4}$/.test(text)) {
    const r = endOfMonth(Number(text), 12);
    return r.ok ? { ...r, matched: text } : r;
  }
  const found = phraseCandidates(text);
  if (found.length === 0) return { ok: false, message: `không phải ngày hay cụm từ chỉ thời hạn: ${HELP}` };
  const cued = found.filter((c) => CUE.test(text.slice(Math.max(0, c.index - 25), c.index)));
  const pool = cued.length > 0 ? cued : found;
  pool.sort((a, b) => a.index - b.index || b.length - a.length);
  const best = pool[0]!;
  return best.result.ok ? { ...best.result, matched: text.slice(best.index, best.index + best.length).trim() } : best.result;
}

/**
 * Every deadline phrase in a text already folded (no diacritics, lower case, dashes as "-",
 * single spaces), in rule order; the letter reader (src/extract) chooses among them itself.
 */
export function phraseCandidates(text: string): Candidate[] {
  const found: Candidate[] = [];
  for (const [re, make] of RULES) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      found.push({ index: m.index, length: m[0].length, result: make(m) });
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return found;
}

/** The words that mark a deadline among other dates ("hoàn thành trước …"), for other readers. */
export const DEADLINE_CUE = CUE;
