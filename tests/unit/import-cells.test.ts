// Cells: dates as clerks and Excel write them, headers as clerks write them, CSV separators.
import { describe, expect, it } from 'vitest';
import { formatIsoDay } from '../../src/core/day.js';
import { sniffDelimiter } from '../../src/import/csv.js';
import { parseDateCell } from '../../src/import/dates.js';
import { cleanNumber, documentFromTitle, issuerFromHeading, parseDocumentRef } from '../../src/import/document.js';
import { fieldOfHeader, findHeaderRow, isNumberingRow } from '../../src/import/headers.js';
import { cleanText, splitList } from '../../src/import/text.js';

const dateOf = (c: Parameters<typeof parseDateCell>[0], date1904 = false): string => {
  const r = parseDateCell(c, { date1904 });
  return r.ok ? formatIsoDay(r.day) + (r.minute !== undefined ? ` ${r.minute}` : '') : `error: ${r.message}`;
};

describe('parseDateCell', () => {
  it.each([
    ['16/04/2022', '2022-04-16'],
    ['16/4/2022', '2022-04-16'],
    ['6/4/2022', '2022-04-06'],
    ['16-04-2022', '2022-04-16'],
    ['16.04.2022', '2022-04-16'],
    [' 16 / 04 / 2022 ', '2022-04-16'],
    ['2022-04-16', '2022-04-16'],
    ['ngày 16 tháng 4 năm 2022', '2022-04-16'],
    ['16/04/2022 14:30', '2022-04-16 870'],
    ['16/04/2022 14h30', '2022-04-16 870'],
    ['2022-04-16T08:05', '2022-04-16 485'],
    ['44667', '2022-04-16'],
    ['29/02/2024', '2024-02-29'],
  ])('%j → %s', (text, expected) => expect(dateOf(text)).toBe(expected));

  it.each([
    ['31/02/2022', 'không phải một ngày có thật'],
    ['29/02/2023', 'không phải một ngày có thật'],
    ['01/13/2022', 'không phải một ngày có thật'],
    ['16/4/22', 'viết năm đủ bốn chữ số'],
    ['01/01/0', 'viết năm đủ bốn chữ số'],
    ['01/01/0000', 'năm 0 nằm ngoài khoảng'],
    ['01/01/99999', 'năm 99999 nằm ngoài khoảng'],
    ['abc', 'không phải là ngày'],
    ['16/04/2022 25:00', 'không phải giờ hợp lệ'],
  ])('%j is refused: %s', (text, message) => expect(dateOf(text)).toContain(message));

  it('reads Excel serial numbers in the 1900 system, counting its phantom 29/02/1900, and the 1904 one', () => {
    expect(dateOf(44667)).toBe('2022-04-16');
    expect(dateOf(44742)).toBe('2022-06-30');
    expect(dateOf(1)).toBe('1900-01-01');
    expect(dateOf(61)).toBe('1900-03-01');
    expect(dateOf(44667.75)).toBe('2022-04-16 1080');
    expect(dateOf(43205, true)).toBe('2022-04-16');
    expect(dateOf(0)).toContain('không phải là ngày');
    expect(dateOf(1e9)).toContain('nằm ngoài khoảng');
  });

  it('reads date cells through their UTC fields, whatever the host zone', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['Pacific/Kiritimati', 'America/Los_Angeles', 'Asia/Ho_Chi_Minh']) {
        process.env.TZ = tz;
        expect(dateOf(new Date(Date.UTC(2022, 3, 16)))).toBe('2022-04-16');
        expect(dateOf(new Date(Date.UTC(2022, 5, 29, 15, 45)))).toBe('2022-06-29 945');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    expect(dateOf(new Date(Date.UTC(1800, 0, 1)))).toContain('nằm ngoài khoảng');
    expect(dateOf(new Date(Number.NaN))).toContain('không phải là ngày');
  });
});

describe('headers', () => {
  it.each([
    ['STT', 'stt'],
    ['Số, ký hiệu văn bản', 'number'],
    ['SỐ, KÝ HIỆU VĂN BẢN', 'number'],
    ['so ky hieu van ban', 'number'],
    ['Số, ký hiệu văn bản'.normalize('NFD'), 'number'],
    ['Số ký hiệu\nvăn bản', 'number'],
    ['Ngày ban hành', 'date'],
    ['Trích yếu', 'subject'],
    ['Nội dung nhiệm vụ', 'content'],
    ['Nội dung nhiệm vụ được giao', 'content'],
    ['Đơn vị chủ trì', 'lead'],
    ['Đơn vị chủ trì thực hiện', 'lead'],
    ['Đơn vị phối hợp', 'coordinators'],
    ['Lãnh đạo phụ trách', 'leader'],
    ['Thời hạn', 'deadline'],
    ['Thời hạn hoàn thành (dd/mm/yyyy)', 'deadline'],
    ['Thời gian hoàn thành', 'deadline'],
    ['Ngày hoàn thành', 'completed'],
    ['Mã nhiệm vụ', 'id'],
    ['ID', 'id'],
    ['Loại', 'kind'],
    ['Cơ quan ban hành', 'issuer'],
    ['Ghi chú', 'notes'],
    ['Gia hạn đến', 'extended_to'],
    ['Thời hạn gia hạn', 'extended_to'],
    ['Văn bản gia hạn', 'extension_document'],
    ['Người duyệt gia hạn', 'extension_approver'],
    ['source.number', 'number'],
    ['assigned_on', 'assigned_on'],
    ['Coordinators', 'coordinators'],
  ])('%j → %s', (header, field) => expect(fieldOfHeader(header)).toBe(field));

  it('ignores what is not a header', () => {
    expect(fieldOfHeader('ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN')).toBeUndefined();
    expect(fieldOfHeader('')).toBeUndefined();
    expect(fieldOfHeader('(1)')).toBeUndefined();
  });

  it('finds the header row under a title block', () => {
    const rows = [['ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN'], ['DANH MỤC NHIỆM VỤ'], [], ['STT', 'Nội dung nhiệm vụ', 'Đơn vị chủ trì', 'Thời hạn'], ['(1)', '(2)', '(3)', '(4)']];
    const h = findHeaderRow(rows);
    expect(h?.index).toBe(3);
    expect([...h!.columns.keys()]).toEqual(['stt', 'content', 'lead', 'deadline']);
    expect(findHeaderRow([['a', 'b'], ['STT', 'x']])).toBeUndefined();
  });

  it('knows the numbering row', () => {
    expect(isNumberingRow(['(1)', '(2)', '(3)', null, '(5)'])).toBe(true);
    expect(isNumberingRow(['1', '2', '3'])).toBe(true);
    expect(isNumberingRow(['(1)', '(2)', '(4)=(2)+(3)'])).toBe(true);
    expect(isNumberingRow(['1', 'Sở Y tế', '30/06/2022'])).toBe(false);
    expect(isNumberingRow(['(1)'])).toBe(false);
  });
});

describe('text', () => {
  it('normalises to NFC and strips control characters, keeping line breaks', () => {
    expect(cleanText('Sở Y tế'.normalize('NFD'))).toBe('Sở Y tế');
    expect(cleanText(' Sở\u0000 Y\u00a0tế\u200b\r\nSở Tài chính \u0007')).toBe('Sở Y tế\nSở Tài chính');
  });

  it('splits bodies on ";" and new lines, not on the commas inside names', () => {
    expect(splitList('Sở Văn hóa, Thể thao và Du lịch; Sở Y tế\n- Công an tỉnh;\n\n')).toEqual(['Sở Văn hóa, Thể thao và Du lịch', 'Sở Y tế', 'Công an tỉnh']);
  });

  it('sniffs the CSV separator outside quotes', () => {
    expect(sniffDelimiter('a;b;c\n1;"x, y, z";3\n')).toBe(';');
    expect(sniffDelimiter('a,b,c\n1,"x; y; z",3\n')).toBe(',');
    expect(sniffDelimiter('a\tb\tc\n')).toBe('\t');
    expect(sniffDelimiter('single column\n')).toBe(',');
  });
});

describe('the letter, from a citation or the title block', () => {
  it('reads a citation', () => {
    expect(parseDocumentRef('Công văn số 1510/UBND-TH ngày 16/4/2022 của UBND tỉnh V/v tập trung thực hiện nhiệm vụ')).toEqual({
      number: '1510/UBND-TH',
      date: '16/4/2022',
      subject: 'V/v tập trung thực hiện nhiệm vụ',
    });
    expect(cleanNumber('Số: 1510 /UBND-TH')).toBe('1510/UBND-TH');
  });

  it('reads the issuer, number and date from a title block', () => {
    expect(issuerFromHeading('ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN')).toBe('UBND tỉnh Thái Nguyên');
    expect(issuerFromHeading('UBND THÀNH PHỐ HÀ NỘI')).toBe('UBND thành phố Hà Nội');
    expect(issuerFromHeading('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM')).toBeUndefined();
    expect(documentFromTitle(['UỶ BAN NHÂN DÂN TỈNH THÁI NGUYÊN', 'Số: 1510 /UBND-TH', 'Thái Nguyên, ngày 16 tháng 4 năm 2022'])).toEqual({
      issuer: 'UBND tỉnh Thái Nguyên',
      number: '1510/UBND-TH',
      date: '16 tháng 4 năm 2022',
    });
  });
});
