// Periodic duties: "Định kỳ hằng năm, các cơ quan, đơn vị báo cáo … về Sở Nội vụ" (Lạng Sơn
// plan 08/KH-UBND, VI.8) is a yearly report to Sở Nội vụ. The period is read; a day the
// letter does not give is not invented (the row is flagged until the clerk sets it).
import { type Drafted, drafted } from './drafted.js';
import { type LetterText, spanOf } from './letter-text.js';

export type Freq = 'yearly' | 'quarterly' | 'monthly';

const PERIODIC = /(?:^|[.;,:]\s?|\s)(dinh ky\s)?(?:hang|hàng)\s(nam|quy|thang)\b/g;
const FREQ: Record<string, Freq> = { nam: 'yearly', quy: 'quarterly', thang: 'monthly' };

/**
 * "Định kỳ hằng năm …" anywhere, or "hằng năm/quý/tháng" opening a clause: a periodic duty.
 * "khen thưởng hằng năm" in the middle of a clause describes, it does not schedule.
 */
export function readRecurrence(letter: LetterText, folded: string, from: number, to: number): Drafted<Freq> | undefined {
  const text = folded.slice(from, to);
  for (const m of text.matchAll(PERIODIC)) {
    const opens = m.index === 0 || /^[.;,:]/.test(m[0]) || m[1] !== undefined;
    if (!opens) continue;
    const lead = m[0].length - m[0].trimStart().length + (/^[.;,:]/.test(m[0]) ? 1 : 0);
    const start = from + m.index + lead;
    return drafted(FREQ[m[2]!]!, m[1] ? 'high' : 'medium', spanOf(letter, start, from + m.index + m[0].length));
  }
  return undefined;
}
