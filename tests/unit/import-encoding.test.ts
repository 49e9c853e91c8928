import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// Legacy Vietnamese encodings are refused with a message that says what to do.
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { readCsvGrid } from '../../src/import/csv.js';
import { decodeText, fromTcvn3, looksLikeTcvn3 } from '../../src/import/encoding.js';
import { readTaskFile } from '../../src/import/read-task-file.js';
import { assertNoTcvn3 } from '../../src/import/sheet.js';
import { DondocError } from '../../src/errors.js';
import { ZONE, fixture, org2022 } from './import-support.js';

const rejection = async (file: string): Promise<DondocError> => {
  const e = await readTaskFile(file, { org: org2022, zone: ZONE }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DondocError);
  expect((e as DondocError).code).toBe('IMPORT_REJECTED');
  return e as DondocError;
};

describe('TCVN3 (.VnTime) text', () => {
  it.each(['Së Tµi chÝnh', 'Néi dung nhiÖm vô cña Së', 'TËp trung gi¶i ng©n vèn ®Çu t­ c«ng', 'Thêi h¹n hoµn thµnh'])('%j có vẻ là chữ TCVN3', (s) => {
    expect(looksLikeTcvn3(s)).toBe(true);
  });

  it('sums the evidence over a sheet of short cells', () => {
    const grid = (rows: string[][]) => ({ rows, date1904: false });
    expect(() => assertNoTcvn3(grid([['STT', 'Đơn vị chủ trì'], ['1', 'Së Y tÕ'], ['2', 'Së X©y dùng']]), 'f.csv')).toThrow(/dòng 3, cột B có vẻ là chữ TCVN3/);
    expect(() => assertNoTcvn3(grid([['STT', 'Ghi chú'], ['1', 'Zürich'], ['2', 'Sở Y tế']]), 'f.csv')).not.toThrow();
  });

  it.each([
    'Sở Tài chính',
    'Sở Tài chính'.normalize('NFD'),
    'Nhiệt độ 30°C, độ ẩm 80%',
    'Nhiet do 30°C',
    'Café « chez Paul » © 2022',
    'Tỷ lệ ½ và ¼',
    'So Tai chinh',
    'Báo cáo § 3',
  ])('%j does not', (s) => {
    expect(looksLikeTcvn3(s)).toBe(false);
  });

  it('shows what the text says', () => {
    expect(fromTcvn3('Së Tµi chÝnh')).toBe('Sở Tài chính');
    expect(fromTcvn3('§¬n vÞ chñ tr×')).toBe('Đơn vị chủ trì');
  });

  it('in a CSV saved in the TCVN3 code page', async () => {
    const e = await rejection(fixture('import', 'tcvn3.csv'));
    expect(e.message).toContain('có vẻ là chữ TCVN3 (.VnTime)');
    expect(e.message).toContain('hãy chuyển tệp sang Unicode (UTF-8) trước');
    expect(e.message).toContain('công cụ chuyển mã của Unikey');
    expect(e.message).toContain('Số, ký hiệu văn bản');
  });

  it('in a UTF-8 CSV and in a workbook (typed with a .VnTime font), naming the cell', async () => {
    for (const f of ['tcvn3-as-utf8.csv', 'tcvn3.xlsx']) {
      const e = await rejection(fixture('import', f));
      expect(e.message).toMatch(/dòng 1, cột B có vẻ là chữ TCVN3 \(\.VnTime\)/);
    }
  });
});

describe('other encodings', () => {
  it('refuses Windows-1258, saying so', async () => {
    const e = await rejection(fixture('import', 'windows-1258.csv'));
    expect(e.message).toContain('không phải văn bản UTF-8: có vẻ là Windows-1258');
    expect(e.message).toContain('CSV UTF-8');
  });

  it('reads UTF-8 with or without BOM, and UTF-16 with a BOM', () => {
    const text = 'STT;Đơn vị chủ trì\n1;Sở Y tế\n';
    const utf8 = Buffer.from(text, 'utf8');
    expect(decodeText(utf8, 'f.csv')).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]), 'f.csv')).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]), 'f.csv')).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf16be')]), 'f.csv')).toBe(text);
  });

  it('reads UTF-16 without a BOM as UTF-16, not as a legacy code page', async () => {
    const text = 'STT;Số, ký hiệu văn bản;Ngày ban hành;Nội dung nhiệm vụ;Đơn vị chủ trì;Thời hạn\n1;1510/UBND-TH;16/04/2022;Chuẩn bị tiêm vắc-xin;Sở Y tế;Quý II/2022\n';
    expect(decodeText(iconv.encode(text, 'utf16le'), 'f.csv')).toBe(text);
    expect(decodeText(iconv.encode(text, 'utf16be'), 'f.csv')).toBe(text);
    // Plain UTF-8 and Windows-1258 are not taken for UTF-16.
    expect(decodeText(Buffer.from(text, 'utf8'), 'f.csv')).toBe(text);
    const e = await rejection(fixture('import', 'windows-1258.csv'));
    expect(e.message).toContain('Windows-1258');
    // Through the importer: the rows are read, not refused.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-utf16-'));
    const file = path.join(dir, 'utf16le.csv');
    fs.writeFileSync(file, iconv.encode(text, 'utf16le'));
    const grid = readCsvGrid(fs.readFileSync(file), file);
    expect(grid.rows[1]).toEqual(['1', '1510/UBND-TH', '16/04/2022', 'Chuẩn bị tiêm vắc-xin', 'Sở Y tế', 'Quý II/2022']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
