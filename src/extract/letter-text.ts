// A letter as dondoc reads it, whatever file it came in: paragraphs (blocks) of NFC text, in
// reading order, joined into one text so that every drafted field can cite the span it came
// from. Readers (.md/.txt, .docx, .pdf) produce blocks; everything after them is pure.
// Non-breaking spaces, zero-width characters, tabs and runs of spaces become one space;
// "Uỷ"/"Ủy" and other tone placements are the same to the matching (it folds diacritics).

export interface Block {
  /** The paragraph, NFC, one space between words; lines of a title block kept apart by "\n". */
  text: string;
  /** A heading in the source (markdown "#", Word heading style). */
  heading?: boolean;
  /** The number Word's automatic list numbering gave it (mammoth drops it from the text). */
  listNumber?: string;
}

export interface LetterText {
  /** The blocks joined by "\n\n": what spans point into. */
  text: string;
  blocks: ReadonlyArray<Block & { start: number; end: number }>;
}

const SPACES = /[\u00a0\u2007\u202f\t\u2000-\u200a\u3000 ]+/g;
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\u00ad\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** One line as the rest of the reader expects it: NFC, single spaces, no invisible characters. */
export function cleanLine(s: string): string {
  return s.normalize('NFC').replace(INVISIBLE, '').replace(SPACES, ' ').trim();
}

const LOWER_START = /^[a-zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/u;

/**
 * Blocks → the letter's text. A paragraph that starts in lower case continues the one before
 * it: a page break of the scan or of the PDF cut it ("… đẩy mạnh" / "tốc độ phục hồi …").
 */
export function joinBlocks(raw: readonly Block[]): LetterText {
  const merged: Block[] = [];
  for (const b of raw) {
    const text = b.text
      .split('\n')
      .map(cleanLine)
      .filter(Boolean)
      .join('\n');
    if (!text) continue;
    const prev = merged[merged.length - 1];
    if (prev && LOWER_START.test(text) && !b.listNumber) {
      prev.text = `${prev.text} ${text}`;
      continue;
    }
    merged.push({ ...b, text });
  }
  const blocks: Array<Block & { start: number; end: number }> = [];
  let at = 0;
  for (const b of merged) {
    blocks.push({ ...b, start: at, end: at + b.text.length });
    at += b.text.length + 2;
  }
  return { text: merged.map((b) => b.text).join('\n\n'), blocks };
}

/**
 * Folds for matching without moving offsets: each character becomes one character (its base
 * letter, lower case, đ → d), so an index found in the folded text is an index in the text.
 */
export function foldSame(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === 'đ' || ch === 'Đ') {
      out += 'd';
      continue;
    }
    const base = ch.normalize('NFD')[0]!;
    const lower = base.toLowerCase();
    const one = lower.length === 1 ? lower : base;
    // Astral characters are two UTF-16 units: keep the width.
    out += ch.length === 2 ? `${one}_`.slice(0, 2) : one;
  }
  return out.replace(/[–—]/g, '-');
}

/** A span of the letter's text: where a drafted field came from. */
export interface Span {
  start: number;
  end: number;
  text: string;
}

export const spanOf = (letter: { text: string }, start: number, end: number): Span => ({ start, end, text: letter.text.slice(start, end) });

/** Display form of a stretch of the letter: paragraphs on their own lines, spaces single. */
export const displayText = (s: string): string =>
  s
    .split(/\n+/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
