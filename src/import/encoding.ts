// Legacy Vietnamese encodings. Many provincial offices still keep sheets typed in TCVN3
// (ABC, the .VnTime fonts): the bytes are Latin-1 letters, so "Sở Tài chính" shows as
// "Së Tµi chÝnh". Others save CSV in Windows-1258. Either would import as gibberish, with body
// names that match nothing; we refuse the file with a message that says what to do instead.
import iconv from 'iconv-lite';
import { DondocError } from '../errors.js';
import { quote } from './text.js';

/** TCVN3 (ABC) code points 0xA1–0xFE → Unicode; used only to show the clerk what the text says. */
const TCVN3: Record<string, string> = Object.fromEntries(
  (
    '¡Ă ¢Â £Ê ¤Ô ¥Ơ ¦Ư §Đ ¨ă ©â ªê «ô ¬ơ \u00adư ®đ µà ¶ả ·ã ¸á ¹ạ »ằ ¼ẳ ½ẵ ¾ắ Æặ Çầ Èẩ Éẫ Êấ Ëậ Ìè Îẻ Ïẽ Ðé Ñẹ Òề Óể Ôễ Õế Öệ ×ì Øỉ Üĩ Ýí Þị ßò áỏ âõ ãó äọ åồ æổ çỗ èố éộ êờ ëở ìỡ íớ îợ ïù ñủ òũ óú ôụ õừ öử ÷ữ øứ ùự úỳ ûỷ üỹ ýý þỵ'
  )
    .split(' ')
    .map((pair) => [pair[0]!, pair.slice(1)]),
);

/**
 * Latin-1 characters TCVN3 uses for Vietnamese letters that Unicode Vietnamese never needs
 * (not ° ² ½ «…», which do turn up in Unicode text, and not à á â ã è é ê ì í ò ó ô õ ù ú ý).
 */
const MARKER = /[\u00a1-\u00a8\u00a9-\u00ae\u00b5-\u00b9\u00bb-\u00be\u00c6\u00c7\u00cb\u00ce\u00cf\u00d0\u00d1\u00d6\u00d7\u00d8\u00dc\u00de\u00df\u00e4-\u00e7\u00eb\u00ee\u00ef\u00f1\u00f6-\u00f8\u00fb\u00fc\u00fe]/;
const MARKER_NEAR_LETTER = new RegExp(`(?<=[A-Za-z\u00c0-\u00ff])${MARKER.source}|${MARKER.source}(?=[A-Za-z\u00c0-\u00ff])`, 'g');
/** Letters only Unicode Vietnamese has (ă đ ơ ư, the precomposed toned vowels, combining marks). */
const GENUINE = /[\u0102\u0103\u0110\u0111\u01a0\u01a1\u01af\u01b0\u0300-\u0323\u1ea0-\u1ef9]/;

/** How TCVN3-like a text is: TCVN3 letters inside words; 0 when it has real Vietnamese letters. */
export function tcvn3Score(s: string): number {
  if (GENUINE.test(s)) return 0;
  return s.match(MARKER_NEAR_LETTER)?.length ?? 0;
}

/** True when a text reads like TCVN3 shown in a Unicode font. */
export function looksLikeTcvn3(s: string): boolean {
  return tcvn3Score(s) >= 2;
}

/** What a TCVN3 text says, for the error message. */
export function fromTcvn3(s: string): string {
  return [...s].map((ch) => TCVN3[ch] ?? ch).join('');
}

export function tcvn3Error(file: string, where: string, sample: string): DondocError {
  const shown = sample.length > 40 ? sample.slice(0, 40) : sample;
  return new DondocError(
    'IMPORT_REJECTED',
    `${file}: ${where} có vẻ là chữ TCVN3 (.VnTime), ví dụ ${quote(shown)} (= ${quote(fromTcvn3(shown))}): ` +
      `hãy chuyển tệp sang Unicode (UTF-8) trước, ví dụ bằng công cụ chuyển mã của Unikey (TCVN3 → Unicode)`,
    [{ path: `${file}: ${where}`, message: 'có vẻ là chữ TCVN3 (.VnTime)' }],
  );
}

/**
 * UTF-16 without a BOM (some exports write "Unicode text" without one): the text of a register
 * is mostly ASCII — digits, separators, spaces — whose UTF-16 code units have a zero high byte,
 * so one half of the byte positions is mostly zero and the other almost never is.
 */
export function sniffUtf16(buf: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(buf.length, 8192) & ~1;
  if (n < 8) return undefined;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i += 2) {
    if (buf[i] === 0) zeroEven++;
    if (buf[i + 1] === 0) zeroOdd++;
  }
  const pairs = n / 2;
  if (zeroOdd >= pairs * 0.3 && zeroEven <= pairs * 0.02) return 'utf-16le';
  if (zeroEven >= pairs * 0.3 && zeroOdd <= pairs * 0.02) return 'utf-16be';
  return undefined;
}

/**
 * Bytes of a text file → string. UTF-8 with or without BOM, or UTF-16 with a BOM (Excel's
 * "Unicode text") or without one (sniffUtf16); anything else is a legacy code page and is refused, naming it.
 */
export function decodeText(buf: Uint8Array, file: string): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return iconv.decode(Buffer.from(buf.subarray(2)), 'utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) return iconv.decode(Buffer.from(buf.subarray(2)), 'utf16be');
  const utf16 = sniffUtf16(buf);
  if (utf16) {
    try {
      return new TextDecoder(utf16, { fatal: true }).decode(buf.length % 2 ? buf.subarray(0, buf.length - 1) : buf);
    } catch {
      throw new DondocError('IMPORT_REJECTED', `${file} có vẻ là văn bản UTF-16 (${utf16 === 'utf-16le' ? 'little' : 'big'}-endian, không có BOM) nhưng không giải mã được: hãy lưu lại thành "CSV UTF-8"`, [
        { path: file, message: 'UTF-16 bị lỗi' },
      ]);
    }
  }
  const body = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    // Not UTF-8: the legacy encodings differ in how they spell Vietnamese, so guess which.
    const latin1 = iconv.decode(Buffer.from(body), 'latin1');
    const line = latin1.split(/\r?\n/).find(looksLikeTcvn3);
    if (line !== undefined) throw tcvn3Error(file, 'tệp', line.trim());
    const sample = iconv.decode(Buffer.from(body), 'windows-1258').split(/\r?\n/).find((l) => /[^\x00-\x7f]/.test(l)) ?? '';
    throw new DondocError(
      'IMPORT_REJECTED',
      `${file} không phải văn bản UTF-8: có vẻ là Windows-1258 (hoặc một bảng mã cũ khác)${sample ? `, ví dụ ${quote(sample.trim())}` : ''}: ` +
        `hãy chuyển sang Unicode (UTF-8) trước, ví dụ trong Excel "Save As → CSV UTF-8", hoặc bằng công cụ chuyển mã của Unikey`,
      [{ path: file, message: 'không phải UTF-8 (bảng mã cũ)' }],
    );
  }
}
