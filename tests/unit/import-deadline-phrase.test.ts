import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIsoDay } from '../../src/core/day.js';
import { parseDeadlinePhrase } from '../../src/import/deadline-phrase.js';

const read = (s: string): string => {
  const r = parseDeadlinePhrase(s);
  if (!r.ok) return `error: ${r.message}`;
  if (r.recurrence) return `${r.recurrence.freq} ${r.recurrence.month ?? '-'}/${r.recurrence.day}`;
  if (r.deadline === null) return 'none';
  return formatIsoDay(r.deadline.day) + (r.deadline.minute !== undefined ? ` ${r.deadline.minute}` : '');
};

describe('parseDeadlinePhrase', () => {
  it.each([
    // Quarters (letter 1510/UBND-TH: "hoàn thành trong quý II năm 2022" = by 30/06/2022).
    ['Quý II/2022', '2022-06-30'],
    ['quý II năm 2022', '2022-06-30'],
    ['Quý 2/2022', '2022-06-30'],
    ['QUÝ II NĂM 2022', '2022-06-30'],
    ['Q2/2022', '2022-06-30'],
    ['Quý I/2023', '2023-03-31'],
    ['Quý III/2022', '2022-09-30'],
    ['Quý IV năm 2022', '2022-12-31'],
    ['hoàn thành trong quý II năm 2022', '2022-06-30'],
    ['Quý II/2022'.normalize('NFD'), '2022-06-30'],
    // Months, halves, years.
    ['Tháng 6/2022', '2022-06-30'],
    ['tháng 6 năm 2022', '2022-06-30'],
    ['Tháng 2/2024', '2024-02-29'],
    ['6 tháng đầu năm 2022', '2022-06-30'],
    ['6 tháng cuối năm 2022', '2022-12-31'],
    ['Năm 2022', '2022-12-31'],
    ['trong năm 2022', '2022-12-31'],
    ['2022', '2022-12-31'],
    // Dates, in a sentence too; a time makes the deadline that instant.
    ['15/12/2022', '2022-12-15'],
    ['5/1/2023', '2023-01-05'],
    ['2022-06-30', '2022-06-30'],
    ['trước ngày 15/12/2022', '2022-12-15'],
    ['ngày 15 tháng 12 năm 2022', '2022-12-15'],
    ['trước 17h00 ngày 15/12/2022', '2022-12-15 1020'],
    ['15/12/2022 16:30', '2022-12-15 990'],
    ['24h ngày 30/6/2022', '2022-06-30'],
    // The deadline is the date the cue words point at, not a cited document's date.
    ['Theo Nghị quyết 50/NQ-CP ngày 08/4/2022, hoàn thành trước ngày 30/6/2022', '2022-06-30'],
    ['Theo Nghị quyết 50/NQ-CP ngày 08/4/2022, hoàn thành trong quý III năm 2022', '2022-09-30'],
    // No fixed deadline; periodic duties.
    ['Thường xuyên', 'none'],
    ['thường xuyên', 'none'],
    ['THƯỜNG XUYÊN', 'none'],
    ['Không thời hạn', 'none'],
    ['Hằng năm, trước ngày 15/12', 'yearly 12/15'],
    ['định kỳ hàng năm trước 15/12', 'yearly 12/15'],
    ['Hằng tháng, trước ngày 20', 'monthly -/20'],
    ['Hằng quý', 'quarterly 3/31'],
  ])('%j → %s', (text, expected) => {
    expect(read(text)).toBe(expected);
  });

  it.each([
    ['31/02/2022', 'không phải một ngày có thật'],
    ['01/01/0', 'viết năm đủ bốn chữ số'],
    ['01/01/0000', 'nằm ngoài khoảng'],
    ['01/01/99999', 'năm 99999 nằm ngoài khoảng'],
    ['abc', 'không phải ngày hay cụm từ chỉ thời hạn'],
    ['', 'để trống'],
    ['Quý II', 'ghi thêm năm'],
    ['Quý V/2022', 'không phải ngày hay cụm từ chỉ thời hạn'],
    ['tháng 13/2022', 'không có tháng 13'],
    ['đầu tháng 7/2022', 'không chỉ rõ ngày nào'],
    ['trước 25h00 ngày 15/12/2022', 'không phải giờ hợp lệ'],
    ['15/12/22', 'viết năm đủ bốn chữ số'],
  ])('%j is refused: %s', (text, message) => {
    const r = parseDeadlinePhrase(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('says which phrase it read', () => {
    expect(parseDeadlinePhrase('Phấn đấu hoàn thành trong quý II năm 2022.')).toMatchObject({ ok: true, matched: 'quy ii nam 2022' });
  });

  it('never throws, and answers ok or a message, for any string', () => {
    const vietnamese = fc.constantFrom('quý', 'Quý II', 'tháng', 'năm', 'ngày', '/', '-', ' ', 'h', 'giờ', 'trước', 'hằng năm', 'thường xuyên', '2022', '31', '02', '99999', 'IV', '\u0301', '.', ':');
    const phrase = fc.oneof(fc.string({ maxLength: 60 }), fc.array(vietnamese, { maxLength: 12 }).map((a) => a.join('')), fc.string({ unit: 'binary', maxLength: 40 }));
    fc.assert(
      fc.property(phrase, (s) => {
        const r = parseDeadlinePhrase(s);
        return r.ok ? r.deadline === null || Number.isInteger(r.deadline.day) : r.message.length > 0;
      }),
      { seed: 1510, numRuns: 1000 },
    );
  });
});
