// The letter a task comes from, when a sheet does not give it in separate columns: a
// "Văn bản giao nhiệm vụ" cell ("Công văn số 1510/UBND-TH ngày 16/4/2022 của UBND tỉnh V/v …")
// or the title block above the header ("Số: 1510 /UBND-TH", "Thái Nguyên, ngày 16 tháng 4
// năm 2022", "ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN").
import { fold, oneLine } from './text.js';

export interface DocumentRef {
  number?: string;
  /** The date as written ("16/4/2022"), parsed by the caller so it can report it. */
  date?: string;
  issuer?: string;
  subject?: string;
}

/** "Số: 1510 /UBND-TH" → "1510/UBND-TH": the citation form has no spaces (DOMAIN.md). */
export function cleanNumber(s: string): string {
  return oneLine(s)
    .replace(/^(?:số|so)\s*[:.]?\s*/i, '')
    .replace(/\s+/g, '');
}

const NUMBER = /(?:^|\s|số\s*:?\s*)(\d+[A-Za-z]?\s?\/\s?[0-9A-Za-zĐđ][0-9A-Za-zĐđ./-]*)/u;
const DATE = /ngày\s+(\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})/iu;
const SUBJECT = /(?:\bV\/v\b|về việc)\s*:?\s*(.+)$/iu;

/** Reads a citation of a letter out of a sentence. */
export function parseDocumentRef(text: string): DocumentRef {
  const s = oneLine(text);
  const ref: DocumentRef = {};
  const n = NUMBER.exec(s);
  if (n) ref.number = cleanNumber(n[1]!);
  const d = DATE.exec(s);
  if (d) ref.date = d[1]!.replace(/\s+/g, ' ');
  const v = SUBJECT.exec(s);
  if (v) ref.subject = `V/v ${v[1]!.trim()}`;
  return ref;
}

const titleCase = (s: string): string =>
  s
    .toLocaleLowerCase('vi')
    .split(' ')
    .map((w) => (w ? w[0]!.toLocaleUpperCase('vi') + w.slice(1) : w))
    .join(' ');

/** "ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN" → "UBND tỉnh Thái Nguyên". */
export function issuerFromHeading(line: string): string | undefined {
  const words = oneLine(line).split(' ');
  const folded = fold(words.join(' '));
  const m = /^(uy ban nhan dan|ubnd) (tinh|thanh pho) (.+)$/.exec(folded);
  if (!m) return undefined;
  const skip = m[1]!.split(' ').length + m[2]!.split(' ').length;
  const place = titleCase(words.slice(skip).join(' '));
  return `UBND ${m[2] === 'tinh' ? 'tỉnh' : 'thành phố'} ${place}`;
}

/** What the title block says about the letter: its number, date and issuer, where written. */
export function documentFromTitle(lines: readonly string[]): DocumentRef {
  const ref: DocumentRef = {};
  for (const line of lines) {
    ref.issuer ??= issuerFromHeading(line);
    const r = parseDocumentRef(line);
    // "Số: 1510 /UBND-TH" stands alone; "Kèm theo Công văn số …" cites it in a sentence.
    if (r.number && /(?:^|\s)(?:số|so)(?=[\s:.]|$)/iu.test(line)) ref.number ??= r.number;
    if (r.date) ref.date ??= r.date;
    if (r.subject && !ref.subject) ref.subject = r.subject;
  }
  return ref;
}
