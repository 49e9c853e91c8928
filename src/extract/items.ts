// The items of a document's body, with their numbers as written: "1.", "**1.**", "#### 4.",
// "a)", "-"/"+" bullets under an item, and the Roman sections of plans ("VI. TỔ CHỨC THỰC
// HIỆN" → "VI.1" … "VI.8"). Sections that describe rather than assign (purpose, content,
// criteria, awards) are found but are not tasks. A paragraph after the last item that closes
// the letter ("Yêu cầu … nghiêm túc triển khai thực hiện") belongs to no item. A body with no
// numbered item is read paragraph by paragraph: each directive is an item P1, P2, …
import type { LetterText } from './letter-text.js';
import { foldSame } from './letter-text.js';

export interface Part {
  /** Span of the whole part in the letter's text, marker included. */
  start: number;
  end: number;
  /** Where the text after the marker starts. */
  textStart: number;
  /** "a" for "a)", undefined for a bullet or a plain paragraph. */
  letter?: string;
}

export interface Item {
  /** As written, qualified by its section: "12", "VI.1", "III.1.a", "P2". */
  number: string;
  start: number;
  end: number;
  textStart: number;
  /** Sub-parts: lettered points and bullets, in order (continuation paragraphs are not parts). */
  parts: Part[];
  section?: { number: string; title: string };
  /** False for items of descriptive sections; `reason` says why. */
  task: boolean;
  reason?: string;
  /** Unnumbered directive (P1 …) rather than a numbered item. */
  paragraph?: boolean;
}

const ROMAN = /^((?:X{0,3})(?:IX|IV|V?I{0,3}))[.)]\s+(.+)$/;
const NUMBERED = /^(\d{1,2}(?:\.\d{1,2})*)\s?[.)](?:\s+|$)/;
const LETTERED = /^([a-zđ])\)\s*/;
const BULLET = /^[-–•+]\s*/;

/** Sections of a plan that assign work, and those that only describe it. */
const TASK_SECTION = /nhiem vu|giai phap|to chuc thuc hien|tien do|phan cong|trach nhiem|lo trinh/;
const DESCRIPTIVE_SECTION = /muc dich|yeu cau|can cu|noi dung|doi tuong|tieu chi|hinh thuc|tieu chuan|khen thuong|quan diem|muc tieu|tinh hinh|ket qua|danh gia/;

/** Closing formulas: the letter's last paragraph asks everyone to comply; no task of its own. */
export const CLOSING =
  /nghiem tuc (?:to chuc )?(?:trien khai|thuc hien)|nhan duoc (?:cong van|van ban|thong bao|ke hoach) nay|trong qua trinh (?:to chuc )?(?:trien khai )?thuc hien,? neu co kho khan|thong bao (?:de|cho) (?:cac )?(?:co quan|don vi|so|dong chi)[^.]{0,80}biet|(?:de|xin) (?:bao cao|biet)[^.]{0,30}\/\.|de (?:cac co quan,? don vi )?biet,? (?:thuc hien|phoi hop)/;

export function romanValue(s: string): number {
  const v: Record<string, number> = { I: 1, V: 5, X: 10 };
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const a = v[s[i]!]!;
    const b = v[s[i + 1]!] ?? 0;
    n += a < b ? -a : a;
  }
  return n;
}

interface Line {
  block: number;
  start: number;
  end: number;
  text: string;
  folded: string;
}

export function findItems(letter: LetterText, bodyStart: number, bodyEnd: number): { items: Item[]; numbered: boolean; closingFrom?: number } {
  const lines: Line[] = [];
  for (let bi = bodyStart; bi < bodyEnd; bi++) {
    const b = letter.blocks[bi]!;
    // A block is a paragraph; a title-block-like block may keep line breaks: each line stands.
    let at = b.start;
    for (const text of b.text.split('\n')) {
      lines.push({ block: bi, start: at, end: at + text.length, text, folded: foldSame(text) });
      at += text.length + 1;
    }
  }
  const items: Item[] = [];
  let section: { number: string; title: string; task: boolean } | undefined;
  let current: Item | undefined;
  let sub: string | undefined; // "1" of "III.1" while its lettered points are items of their own
  let closingFrom: number | undefined;
  const close = (end: number): void => {
    if (current) current.end = end;
  };
  const seenRomans: number[] = [];
  for (const line of lines) {
    const r = ROMAN.exec(line.text);
    if (r && r[1] && isHeading(r[2]!) && romanValue(r[1]) === (seenRomans.at(-1) ?? 0) + 1) {
      close(prevEnd(lines, line));
      current = undefined;
      sub = undefined;
      seenRomans.push(romanValue(r[1]));
      const title = r[2]!.trim();
      const f = foldSame(title);
      section = { number: r[1], title, task: TASK_SECTION.test(f) || !DESCRIPTIVE_SECTION.test(f) };
      continue;
    }
    const n = NUMBERED.exec(line.text);
    if (n && !/^\d{1,2}[.)]\d/.test(line.text)) {
      close(prevEnd(lines, line));
      const num = section ? `${section.number}.${n[1]}` : n[1]!;
      current = {
        number: num,
        start: line.start,
        end: line.end,
        textStart: line.start + n[0].length,
        parts: [],
        ...(section ? { section: { number: section.number, title: section.title } } : {}),
        task: section ? section.task : true,
        ...(section && !section.task ? { reason: `mục ${section.number} (${section.title}) mô tả, không giao việc` } : {}),
      };
      items.push(current);
      sub = num;
      continue;
    }
    if (!current) continue;
    const l = LETTERED.exec(line.text);
    const bullet = BULLET.exec(line.text);
    if (l || bullet) {
      current.parts.push({ start: line.start, end: line.end, textStart: line.start + (l ?? bullet)![0].length, ...(l ? { letter: l[1]! } : {}) });
      current.end = line.end;
      continue;
    }
    // A plain paragraph after the last item that closes the letter ends the items.
    if (CLOSING.test(line.folded) && line.text.length < 400) {
      close(prevEnd(lines, line));
      current = undefined;
      closingFrom ??= line.start;
      continue;
    }
    current.end = line.end;
    if (current.parts.length) current.parts[current.parts.length - 1]!.end = line.end;
  }
  void sub;
  if (items.length > 0) return { items, numbered: true, ...(closingFrom !== undefined ? { closingFrom } : {}) };
  return { items: paragraphItems(lines), numbered: false };
}

function prevEnd(lines: Line[], line: Line): number {
  const i = lines.indexOf(line);
  return i > 0 ? lines[i - 1]!.end : line.start;
}

/** "VI. TỔ CHỨC THỰC HIỆN": a short heading, mostly capitals. */
function isHeading(s: string): boolean {
  const letters = s.replace(/[^\p{L}]/gu, '');
  const upper = letters.replace(/[^\p{Lu}]/gu, '');
  return s.length <= 160 && letters.length > 0 && upper.length / letters.length > 0.6;
}

/** Context: what the committee received, the legal basis, "có ý kiến chỉ đạo như sau". */
const CONTEXT =
  /^(?:can cu|thuc hien|theo de nghi|xet de nghi|sau khi xem xet|thoi gian qua|nham|ngay \d|vao ngay|tham du|ubnd tinh nhan duoc|uy ban nhan dan tinh nhan duoc)|nhan duoc (?:cong van|van ban|to trinh|bao cao|de nghi)|co y kien(?: chi dao)? nhu sau|ket luan nhu sau|chi dao nhu sau|y kien nhu sau|nhu sau\s?:\s?$/;
/** Directive: a body is told to act ("Giao …", "… chủ trì", "Yêu cầu …", a body and a duty). */
export const DIRECTIVE_START = /^(?:giao|yeu cau|de nghi)\s|(?:^|[,;.]\s)giao (?:cho )?(?:so|ban|van phong|cong an|thanh tra|ubnd|uy ban|chanh|giam doc|truong|cac|bo chi huy|trung tam|chu tich)\b|\bchu tri\b/;
export const DUTY = /^\s?(?::\s?)?(?:co trach nhiem|to chuc|ra soat|bao cao|don doc|tham muu|tong hop|chu tri|phoi hop|khan truong|thuc hien|trien khai|huong dan|kiem tra|xay dung|chu dong|tiep tuc|theo doi|gui|cung cap|nghien cuu|de xuat|chi dao|hoan thanh|tap trung|tang cuong|day manh|khan truong|can cu)\b/;

/** A body without numbered items: every directive paragraph or bullet is an item, P1, P2, … */
function paragraphItems(lines: Line[]): Item[] {
  const items: Item[] = [];
  for (const line of lines) {
    const bullet = BULLET.exec(line.text);
    const textStart = line.start + (bullet ? bullet[0].length : 0);
    const f = line.folded.slice(bullet ? bullet[0].length : 0).trim();
    if (!f) continue;
    const directive = DIRECTIVE_START.test(f) || bodyDuty(f);
    const context = CONTEXT.test(f);
    if (!directive || (context && !/(?:^|[,;.]\s)giao\s/.test(f))) continue;
    items.push({ number: `P${items.length + 1}`, start: line.start, end: line.end, textStart, parts: [], task: true, paragraph: true });
  }
  return items;
}

/** "Sở Y tổng hợp, …", "UBND các huyện rà soát …": a name of two to twelve words, then a duty. */
function bodyDuty(f: string): boolean {
  const m = /^((?:so|ban|van phong|cong an|thanh tra|ubnd|uy ban nhan dan|cac|bo chi huy|trung tam)\b[^,;:.]{0,90}?)\s(co trach nhiem|to chuc|ra soat|bao cao|don doc|tham muu|tong hop|chu tri|khan truong|chu dong|phoi hop|huong dan|kiem tra|thuc hien)\b/.exec(f);
  return m !== null;
}
