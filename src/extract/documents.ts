// One file may hold more than one document: a cover letter forwarding a plan (79/VKS-VP
// forwards Kế hoạch 08/KH-UBND of UBND tỉnh Lạng Sơn, pages of both in one scan). A document
// ends at its signature after "Nơi nhận:"; what follows with a title block of its own is the
// next. An attachment without its own "Số:" takes the number the cover letter cites for a
// document of its kind and date ("Kế hoạch số 08/KH-UBND ngày 10/01/2023 của UBND tỉnh …").
import { parseDateCell } from '../import/dates.js';
import { cleanNumber } from '../import/document.js';
import { drafted } from './drafted.js';
import { type LetterText, foldSame, spanOf } from './letter-text.js';
import { RECIPIENTS, type TitleBlock, readTitleBlock } from './title-block.js';

const NAME = /^\p{Lu}\p{Ll}*(?:\s\p{Lu}\p{Ll}*){1,5}$/u;
const START = /(?:^|\n)[^\n]{0,40}ngay\s*(?:\d{1,2}|[.…]+)?\s*thang\s*(?:\d{1,2}|[.…]+)?\s*nam\s*\d{4}\s*$|^(?:ke hoach|thong bao|quyet dinh|chi thi)$/m;

/** [from, to) block ranges, one per document. */
export function splitDocuments(letter: LetterText): Array<[number, number]> {
  const n = letter.blocks.length;
  const out: Array<[number, number]> = [];
  let from = 0;
  for (let i = 0; i < n; i++) {
    if (!RECIPIENTS.test(foldSame(letter.blocks[i]!.text))) continue;
    // The signer's name closes the document; look a few blocks on.
    let end = -1;
    for (let j = i + 1; j < Math.min(n, i + 12); j++) {
      if (letter.blocks[j]!.text.split('\n').some((l) => NAME.test(l.trim()) && l !== l.toLocaleUpperCase('vi'))) {
        end = j + 1;
        break;
      }
    }
    if (end < 0) continue;
    const restStarts = letter.blocks.slice(end, end + 6).some((b) => START.test(foldSame(b.text)));
    if (end < n && restStarts) {
      out.push([from, end]);
      from = end;
      i = end - 1;
    }
  }
  out.push([from, n]);
  return out;
}

const CITED = /(ke hoach|thong bao|quyet dinh|chi thi|cong van) so\s?(\d+[a-z]?\s?\/\s?[a-z0-9đ./-]+)\s?ngay\s?(\d{1,2}\s?\/\s?\d{1,2}\s?\/\s?\d{4})(?:\s?cua\s?((?:ubnd|uy ban nhan dan) (?:tinh|thanh pho) [a-z ]+?))?(?=$|[,;.]|\sve\b|\sv\/v\b)/g;
const KIND_WORDS: Record<string, TitleBlock['kind']> = { 'ke hoach': 'ke_hoach', 'thong bao': 'thong_bao', 'quyet dinh': 'quyet_dinh', 'chi thi': 'chi_thi', 'cong van': 'cong_van' };

/** Gives an attachment without a number the one its cover letter cites for its kind and date. */
export function numberFromCover(letter: LetterText, cover: TitleBlock, coverRange: [number, number], attached: TitleBlock): void {
  if (attached.number || attached.date === undefined) return;
  const from = letter.blocks[coverRange[0]]!.start;
  const to = letter.blocks[coverRange[1] - 1]!.end;
  const folded = foldSame(letter.text.slice(from, to));
  for (const m of folded.matchAll(CITED)) {
    const d = parseDateCell(m[3]!.replace(/\s/g, ''));
    if (KIND_WORDS[m[1]!] !== attached.kind || !d.ok || d.day !== attached.date.value) continue;
    const start = from + m.index;
    const span = spanOf(letter, start, start + m[0].length);
    const raw = letter.text.slice(start + m[0].indexOf(m[2]!), start + m[0].indexOf(m[2]!) + m[2]!.length);
    attached.number = drafted(cleanNumber(raw), 'medium', span, `số lấy từ văn bản kèm theo (${cover.number?.value ?? 'công văn chuyển'}), trùng loại và ngày`);
    attached.flags = attached.flags.filter((f) => f.field !== 'number');
    if (!attached.issuer && m[4]) {
      const iss = letter.text.slice(start + m[0].indexOf(m[4]), start + m[0].indexOf(m[4]) + m[4].length);
      attached.issuer = drafted(iss.replace(/^Ủy ban nhân dân|^Uỷ ban nhân dân/u, 'UBND'), 'medium', span, 'cơ quan ban hành lấy từ văn bản kèm theo');
    }
    return;
  }
}

export interface DocumentPart {
  range: [number, number];
  title: TitleBlock;
}

export function readDocuments(letter: LetterText): DocumentPart[] {
  const parts = splitDocuments(letter).map((range) => ({ range, title: readTitleBlock(letter, range[0], range[1]) }));
  for (let i = 1; i < parts.length; i++) numberFromCover(letter, parts[0]!.title, parts[0]!.range, parts[i]!.title);
  return parts;
}
