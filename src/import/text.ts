// Text as it comes out of a cell: NFC (Vietnamese typed on a Mac or pasted from a PDF is often
// decomposed, NFD), no control characters, and a folded key for matching headers and values
// without caring for case, diacritics, spacing or punctuation.

/** One cell's value, as the readers hand it over: CSV gives strings, exceljs also numbers and dates. */
export type Cell = string | number | boolean | Date | null;

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\ufeff]/g;

/** NFC, no control characters, non-breaking spaces as spaces, trimmed; keeps line breaks. */
const NEEDS_CLEANING = /[\u0000-\u001f\u007f\u00a0\u2007\u202f\u200b\ufeff]| \n/;

export function cleanText(s: string): string {
  // Most cells need nothing but NFC; skip the replacements for them (100,000-row registers).
  if (!NEEDS_CLEANING.test(s)) return s.normalize('NFC').trim();
  return s
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '')
    .replace(/[\u00a0\u2007\u202f\t]/g, ' ')
    .replace(/[ ]+\n/g, '\n')
    .trim();
}

/** Single-line form of a cell: line breaks and runs of spaces become one space. */
export function oneLine(s: string): string {
  return cleanText(s).replace(/\s+/g, ' ');
}

/** Strips diacritics, đ→d, lower case; keeps letters and digits only (for header keys). */
export function foldKey(s: string): string {
  return fold(s).replace(/[^a-z0-9]+/g, '');
}

/** Strips diacritics, đ→d, lower case, keeps other characters (for phrase search). */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}

/** A cell as the clerk sees it, for messages and for text fields. */
export function cellText(c: Cell | undefined): string {
  if (c === null || c === undefined) return '';
  if (typeof c === 'string') return cleanText(c);
  if (typeof c === 'number') return Number.isInteger(c) ? String(c) : String(Number(c.toPrecision(12)));
  if (typeof c === 'boolean') return c ? 'TRUE' : 'FALSE';
  if (Number.isNaN(c.getTime())) return '';
  const p = (n: number): string => String(n).padStart(2, '0');
  const date = `${p(c.getUTCDate())}/${p(c.getUTCMonth() + 1)}/${c.getUTCFullYear()}`;
  const hm = c.getUTCHours() * 60 + c.getUTCMinutes();
  return hm === 0 ? date : `${date} ${p(c.getUTCHours())}:${p(c.getUTCMinutes())}`;
}

export const isBlank = (c: Cell | undefined): boolean => cellText(c) === '';

/** Splits a list of bodies: ";" or line breaks (names contain commas: "Sở Văn hóa, Thể thao và Du lịch"). */
export function splitList(s: string): string[] {
  return s
    .split(/[;\n]+/)
    .map((x) => oneLine(x).replace(/^[-–•+*]\s*/, '').replace(/[.,]$/, '').trim())
    .filter((x) => x.length > 0);
}

/** A value quoted for a message, shortened. */
export function quote(s: string, max = 60): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}
