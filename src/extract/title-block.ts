// The title block of a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP, form of
// documents): issuer, national motto, number ("Số: 1510 /UBND-TH", spaces and italics as real
// letters carry them), place and date ("Thái Nguyên, ngày 16 tháng 4 năm 2022"), the kind for
// documents with a name (KẾ HOẠCH, THÔNG BÁO, QUYẾT ĐỊNH), the subject ("V/v …"), the
// addressees ("Kính gửi:"); and, after "Nơi nhận:", the signer. What is missing is flagged.
import { checkYmd } from '../import/dates.js';
import { cleanNumber, issuerFromHeading } from '../import/document.js';
import type { Day } from '../core/day.js';
import { type Drafted, type Flag, drafted } from './drafted.js';
import { type LetterText, type Span, foldSame, spanOf } from './letter-text.js';

export type DocumentKind = 'cong_van' | 'ke_hoach' | 'thong_bao' | 'quyet_dinh' | 'chi_thi' | 'cong_dien' | 'bao_cao';

const KINDS: Record<string, DocumentKind> = { 'ke hoach': 'ke_hoach', 'thong bao': 'thong_bao', 'quyet dinh': 'quyet_dinh', 'chi thi': 'chi_thi', 'cong dien': 'cong_dien', 'bao cao': 'bao_cao', 'cong van': 'cong_van' };
/** The kind a number's sign says: "…/KH-UBND" is a plan, "…/TB-VPUBND" a notice. */
const SIGN_KINDS: Record<string, DocumentKind> = { KH: 'ke_hoach', TB: 'thong_bao', QĐ: 'quyet_dinh', CT: 'chi_thi', CĐ: 'cong_dien', BC: 'bao_cao' };

export interface TitleBlock {
  kind: DocumentKind;
  number?: Drafted<string>;
  date?: Drafted<Day>;
  place?: Drafted<string>;
  issuer?: Drafted<string>;
  subject?: Drafted<string>;
  addressees: Array<Drafted<string>>;
  signer?: Drafted<{ capacity?: string; title: string; name?: string }>;
  /** Block indexes: the body is [bodyStart, bodyEnd). */
  bodyStart: number;
  bodyEnd: number;
  flags: Flag[];
}

const isUpper = (s: string): boolean => /\p{Lu}/u.test(s) && s === s.toLocaleUpperCase('vi');
const MOTTO = /^(?:cong hoa xa hoi chu nghia viet nam|doc lap\s?-\s?tu do\s?-\s?hanh phuc)/;
const NUMBER = /^so\s*[:.]?\s*(.*)$/;
const PLACE_DATE = /^(.*?)[,\s]*ngay\s*([0-9]{1,2}|[.…]+)?\s*thang\s*([0-9]{1,2}|[.…]+)?\s*nam\s*([0-9]{4})\s*$/;
const SUBJECT = /^v\/v\b/;
const ADDRESSEES = /^kinh gui\s*:?\s*/;
const STAMP = /^(?:den|de|đen)\s*so\s*:|^ngay\s*:\s*\d|^chuyen\s*:\s*$/;
export const RECIPIENTS = /^(?:noi nhan|noi gui)\s*:?/;
const SIGN_TITLE = /^(?:(?:tm|kt|tl|tuq|q)\.\s*)?(?:chu tich|pho chu tich|chanh van phong|pho chanh van phong|giam doc|pho giam doc|vien truong|pho vien truong|truong ban|pho truong ban|uy ban nhan dan|ubnd|chanh thanh tra)\b/;
const NAME = /^\p{Lu}\p{Ll}*(?:\s\p{Lu}\p{Ll}*){1,5}$/u;

export function readTitleBlock(letter: LetterText, from: number, to: number): TitleBlock {
  const flags: Flag[] = [];
  const t: TitleBlock = { kind: 'cong_van', addressees: [], bodyStart: to, bodyEnd: to, flags };
  const lineSpan = (bi: number, line: string, offset: number): Span => spanOf(letter, letter.blocks[bi]!.start + offset, letter.blocks[bi]!.start + offset + line.length);
  let expectSubjectAfterKind = false;
  let inAddressees = false;
  for (let bi = from; bi < to; bi++) {
    const block = letter.blocks[bi]!;
    const f = foldSame(block.text);
    if (RECIPIENTS.test(f)) break;
    const lines = block.text.split('\n');
    let offset = 0;
    let consumed = true;
    let subject: { start: number; parts: string[] } | undefined;
    for (let li = 0; li < lines.length; li++) {
      const line = lines[li]!;
      const fl = foldSame(line).trim();
      const here = offset;
      offset += line.length + 1;
      if (expectSubjectAfterKind) {
        expectSubjectAfterKind = false;
        t.subject = drafted(lines.slice(li).join(' '), 'high', spanOf(letter, block.start + here, block.end));
        break;
      }
      if (MOTTO.test(fl) || STAMP.test(fl)) continue;
      if (subject && !NUMBER.test(fl) && !PLACE_DATE.test(fl) && !ADDRESSEES.test(fl)) {
        subject.parts.push(line);
        continue;
      }
      if (/^(?:uy ban nhan dan|ubnd)\b/.test(fl) && isUpper(line) && !t.issuer) {
        const heading = [line, ...lines.slice(li + 1).filter(isUpper)].join(' ');
        const office = /\bvan phong\b/.test(foldSame(heading));
        const base = issuerFromHeading(heading.replace(/\s*VĂN PHÒNG\s*$/u, ''));
        if (base) t.issuer = drafted(office ? `Văn phòng ${base}` : base, 'high', spanOf(letter, block.start + here, block.end));
        break;
      }
      const n = NUMBER.exec(fl);
      if (n && /\d|\//.test(n[1]!) && !t.number) {
        const after = line.slice(line.length - n[1]!.length);
        // The number ends where its sign does; a PDF may run the subject ("V/v …") on after it.
        const token = /^\d+[A-Za-z]?\s?\/\s?(?:\d{4}\s?\/\s?)?[\p{L}0-9][\p{L}0-9.&-]*/u.exec(after);
        const raw = token ? token[0] : after;
        const rest = after.slice(raw.length).trim();
        if (rest && SUBJECT.test(foldSame(rest))) subject = { start: here + line.indexOf(rest, line.length - after.length + raw.length), parts: [rest] };
        const value = cleanNumber(raw);
        const ok = /^\d+[A-Za-z]?(?:\/\d{4})?\/[\p{L}0-9][\p{L}0-9.&-]*$/u.test(value);
        const note = /\s/.test(raw.trim()) ? `khoảng trắng thừa đã bỏ: «${raw.trim()}»` : undefined;
        t.number = drafted(value, ok ? 'high' : 'low', lineSpan(bi, line, here), note);
        if (!ok) flags.push({ field: 'number', message: `số văn bản không đọc được: «${raw.trim()}»` });
        continue;
      }
      const pd = PLACE_DATE.exec(fl);
      if (pd && !t.date) {
        readPlaceDate(t, line, pd, lineSpan(bi, line, here), flags);
        continue;
      }
      if (SUBJECT.test(fl)) {
        subject = { start: here, parts: [line] };
        continue;
      }
      const a = ADDRESSEES.exec(fl);
      if (a) {
        inAddressees = true;
        const rest = line.slice(a[0].length).trim();
        if (rest) t.addressees.push(...addressees(rest, lineSpan(bi, line, here)));
        continue;
      }
      if (inAddressees && /^[-–+•]/.test(fl)) {
        t.addressees.push(...addressees(line, lineSpan(bi, line, here)));
        continue;
      }
      const k = KINDS[fl];
      if (k && isUpper(line)) {
        t.kind = k;
        expectSubjectAfterKind = true;
        continue;
      }
      if (isUpper(line) && line.length < 120) continue; // a heading of the form, a stamp
      consumed = false;
      break;
    }
    if (subject) t.subject = drafted(subject.parts.join(' ').replace(/\s+/g, ' '), 'high', spanOf(letter, block.start + subject.start, block.start + subject.start + subject.parts.join('\n').length));
    if (!consumed && block.text.length >= 40) {
      t.bodyStart = bi;
      break;
    }
    if (!consumed) inAddressees = false;
  }
  if (t.bodyStart === to) t.bodyStart = Math.min(to, from + 1);
  // The body ends at "Nơi nhận:" (or the signature when a letter has none).
  t.bodyEnd = to;
  for (let bi = t.bodyStart; bi < to; bi++) {
    if (RECIPIENTS.test(foldSame(letter.blocks[bi]!.text))) {
      t.bodyEnd = bi;
      break;
    }
  }
  t.signer = readSigner(letter, t.bodyEnd, to);
  if (t.number) {
    const sign = t.number.value.split('/').pop()!.split('-')[0]!.toUpperCase();
    if (t.kind === 'cong_van' && SIGN_KINDS[sign]) t.kind = SIGN_KINDS[sign]!;
  }
  if (!t.number) flags.push({ field: 'number', message: 'không thấy số văn bản ("Số: …") trong phần đầu' });
  if (!t.date) flags.push({ field: 'date', message: 'không thấy ngày ban hành ("…, ngày … tháng … năm …")' });
  if (!t.signer) flags.push({ field: 'signer', message: 'không thấy người ký sau "Nơi nhận"' });
  return t;
}

function readPlaceDate(t: TitleBlock, line: string, m: RegExpExecArray, span: Span, flags: Flag[]): void {
  const place = line.slice(0, m[1]!.length).replace(/[,\s…]+$/u, '').replace(/^[.…\s]+/u, '').trim();
  if (place && /\p{L}/u.test(place)) t.place = drafted(place, 'high', span);
  else flags.push({ field: 'place', message: `địa danh bị bỏ trống: «${line.trim()}»` });
  const day = Number(m[2]);
  const month = Number(m[3]);
  if (!m[2] || !m[3] || !Number.isFinite(day) || !Number.isFinite(month)) {
    flags.push({ field: 'date', message: `ngày ban hành chưa đủ (ngày hoặc tháng để trống): «${line.trim()}»` });
    return;
  }
  const r = checkYmd(Number(m[4]), month, day);
  if (r.ok) t.date = drafted(r.day, 'high', span);
  else flags.push({ field: 'date', message: `ngày ban hành không có thật (${r.message}): «${line.trim()}»` });
}

function addressees(line: string, span: Span): Array<Drafted<string>> {
  return line
    .replace(/^[-–+•]\s*/, '')
    .split(/;\s*/)
    .map((s) => s.replace(/[.;,]+$/, '').trim())
    .filter(Boolean)
    .map((s) => drafted(s, 'high', span));
}

function readSigner(letter: LetterText, from: number, to: number): TitleBlock['signer'] {
  let found: { title: string; capacity?: string; span: Span; name?: string } | undefined;
  for (let bi = from; bi < to; bi++) {
    const b = letter.blocks[bi]!;
    const lines = b.text.split('\n');
    let offset = 0;
    for (const line of lines) {
      const f = foldSame(line).trim();
      const here = offset;
      offset += line.length + 1;
      if (isUpper(line) && SIGN_TITLE.test(f)) {
        const span = spanOf(letter, b.start + here, b.start + here + line.length);
        const stripped = line.trim();
        if (found && !found.name && /^(?:TM|KT|TL|TUQ|Q)\./u.test(found.title)) found = { capacity: found.title, title: stripped, span };
        else found = { title: stripped, span };
      } else if (found && !found.name && NAME.test(line.trim()) && !isUpper(line)) {
        found.name = line.trim();
        found.span = spanOf(letter, found.span.start, b.start + here + line.length);
      }
    }
  }
  if (!found) return undefined;
  const title = found.title.replace(/^(?:TM|KT|TL|TUQ|Q)\.\s*/u, '');
  return drafted({ ...(found.capacity ? { capacity: found.capacity } : {}), title, ...(found.name ? { name: found.name } : {}) }, found.name ? 'high' : 'medium', found.span, found.name ? undefined : 'không thấy tên người ký');
}
