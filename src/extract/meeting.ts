// A Thông báo kết luận (…/TB-UBND, …/TB-VPUBND) records what the chairman or a vice-chairman
// concluded at a meeting: its chair and date are the document's ("Ngày 28/02/2024, Phó Chủ
// tịch UBND tỉnh Nguyễn Văn A chủ trì cuộc họp …", or the subject "Kết luận của Phó Chủ tịch
// UBND tỉnh Nguyễn Văn A tại cuộc họp …"). What the notice does not say is flagged.
import type { Day } from '../core/day.js';
import { parseDateCell } from '../import/dates.js';
import { type Drafted, type Flag, drafted } from './drafted.js';
import { type LetterText, foldSame, spanOf } from './letter-text.js';

export interface Meeting {
  chair?: Drafted<string>;
  date?: Drafted<Day>;
}

const CHAIR = /((?:dong chi\s)?(?:pho\s)?chu tich(?:\sthuong truc)?\s(?:ubnd|uy ban nhan dan)\s(?:tinh|thanh pho)(?:\s[a-z]+){0,4}?)\s(?:da\s)?chu tri\b/;
const OF = /ket luan cua\s((?:dong chi\s)?(?:pho\s)?chu tich(?:\sthuong truc)?\s(?:ubnd|uy ban nhan dan)\s(?:tinh|thanh pho)(?:\s[a-z]+){0,4}?)\s(?:tai|ve)\b/;
const DATE = /(?:^|\s)(?:vao\s)?ngay\s?(\d{1,2}\s?\/\s?\d{1,2}\s?\/\s?\d{4}|\d{1,2}\sthang\s\d{1,2}\snam\s\d{4})/;

export function readMeeting(letter: LetterText, from: number, to: number, subject: Drafted<string> | undefined, flags: Flag[]): Meeting {
  const text = letter.text.slice(from, to);
  const folded = foldSame(text);
  const meeting: Meeting = {};
  const c = CHAIR.exec(folded);
  if (c) meeting.chair = drafted(text.slice(c.index + c[0].indexOf(c[1]!), c.index + c[0].indexOf(c[1]!) + c[1]!.length), 'high', spanOf(letter, from + c.index, from + c.index + c[0].length));
  else if (subject?.from) {
    const s = OF.exec(foldSame(subject.value));
    if (s) meeting.chair = drafted(subject.value.slice(s.index + 'ket luan cua '.length, s.index + 'ket luan cua '.length + s[1]!.length), 'high', subject.from);
  }
  // The meeting's date: in the paragraph that says who chaired, or that mentions the meeting.
  for (const para of text.split('\n\n')) {
    const pf = foldSame(para);
    if (!/chu tri|cuoc hop|hoi nghi|buoi lam viec/.test(pf)) continue;
    const d = DATE.exec(pf);
    if (!d) continue;
    const r = parseDateCell(d[1]!.replace(/\s?\/\s?/g, '/'));
    if (!r.ok) continue;
    const start = from + text.indexOf(para) + d.index;
    meeting.date = drafted(r.day, 'high', spanOf(letter, start, start + d[0].length));
    break;
  }
  if (!meeting.chair) flags.push({ field: 'chair', message: 'thông báo kết luận không nêu ai chủ trì cuộc họp' });
  if (!meeting.date) flags.push({ field: 'meeting_date', message: 'thông báo kết luận không nêu ngày họp' });
  return meeting;
}
