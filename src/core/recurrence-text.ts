// Recurring duties written as people write them, in task files and the API: "yearly",
// "hằng năm 15/12", "quarterly", "hằng quý ngày 20", "monthly 25", "hằng tháng ngày 25"
// (letters say "định kỳ hằng năm … trước ngày 15/12"). Without a day the occurrence is due at
// the end of its period: 31/12, the last day of the quarter, the last day of the month (a day
// past a month's end is clamped, task.ts). The object form { freq, month, day } says the same.
import { foldName } from './org.js';

export type RecurrenceFreq = 'yearly' | 'quarterly' | 'monthly';

export interface RecurrenceParts {
  freq: RecurrenceFreq;
  /** yearly: 1–12; quarterly: the month within the quarter, 1–3. */
  month?: number;
  day: number;
}

export const RECURRENCE_FORMS = '"yearly", "hằng năm 15/12", "quarterly", "hằng quý ngày 20", "monthly 25" or "hằng tháng ngày 25"';

const WORDS: Array<[RegExp, RecurrenceFreq]> = [
  [/^(?:dinh ky )?(?:yearly|annually|every year|hang nam|hang nam)\b/, 'yearly'],
  [/^(?:dinh ky )?(?:quarterly|every quarter|hang quy)\b/, 'quarterly'],
  [/^(?:dinh ky )?(?:monthly|every month|hang thang)\b/, 'monthly'],
];

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The parts a short form names, or a message saying what is wrong with it. */
export function parseRecurrenceText(text: string): { ok: true; value: RecurrenceParts } | { ok: false; message: string } {
  const f = foldName(text).replace(/(\d) (\d)/g, '$1/$2');
  const hit = WORDS.find(([re]) => re.test(f));
  if (!hit) return { ok: false, message: `expected ${RECURRENCE_FORMS}, or { freq, month, day }, got ${JSON.stringify(text)}` };
  const freq = hit[1];
  // What follows the word: nothing, or a day ("ngày 20", "truoc ngay 15/12", "on 25", "15/12").
  const rest = f.replace(hit[0], '').replace(/^[\s,:-]*(?:(?:truoc |vao |on |by |before )?(?:ngay |day )?)/, '').trim();
  const defaults: Record<RecurrenceFreq, RecurrenceParts> = { yearly: { freq, month: 12, day: 31 }, quarterly: { freq, month: 3, day: 31 }, monthly: { freq, day: 31 } };
  if (rest === '') return { ok: true, value: defaults[freq] };
  const dm = /^(\d{1,2})(?:[/.-](\d{1,2}))?$/.exec(rest.replace(/\s+/g, ''));
  if (!dm) return { ok: false, message: `${JSON.stringify(text)}: after "${freq}" write a day, like ${freq === 'yearly' ? '"15/12"' : '"ngày 20"'} (or nothing: the end of each period)` };
  const day = Number(dm[1]);
  const month = dm[2] === undefined ? undefined : Number(dm[2]);
  if (freq === 'yearly') {
    if (month === undefined) return { ok: false, message: `${JSON.stringify(text)}: a yearly duty needs the day and the month, like "hằng năm 15/12"` };
    if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return { ok: false, message: `${JSON.stringify(text)}: ${day}/${month} is not a day of the year` };
    return { ok: true, value: { freq, month, day } };
  }
  if (month !== undefined) {
    if (freq === 'monthly') return { ok: false, message: `${JSON.stringify(text)}: a monthly duty takes a day of the month only, like "hằng tháng ngày 25"` };
    if (month < 1 || month > 3) return { ok: false, message: `${JSON.stringify(text)}: for a quarterly duty the month is 1–3 within the quarter, like "hằng quý 20/3"` };
  }
  if (day < 1 || day > 31) return { ok: false, message: `${JSON.stringify(text)}: ${day} is not a day of the month` };
  return { ok: true, value: freq === 'quarterly' ? { freq, month: month ?? 3, day } : { freq, day } };
}
