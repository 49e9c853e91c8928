// Dates as clerks enter them: day first (dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy),
// "ngày 16 tháng 4 năm 2022", ISO, Excel date cells and Excel serial numbers.
// exceljs hands date cells over as JS Dates holding the wall-clock fields in UTC, so they are
// read through the UTC getters only: local Date arithmetic would shift them by the host's zone.
import { type Day, MAX_YEAR, MIN_YEAR, dayFromYmd, isValidYmd, ymdFromDay } from '../core/day.js';
import { type Cell, cellText, fold } from './text.js';

export type DateParse = { ok: true; day: Day; minute?: number } | { ok: false; message: string };

/** Excel's 1900 date system counts 1900-02-29, which never was: serials after it are one off. */
const EXCEL_EPOCH_1900 = dayFromYmd(1899, 12, 30);
const EXCEL_EPOCH_1904 = dayFromYmd(1904, 1, 1);

const HINT = 'viết ngày theo dạng dd/mm/yyyy';

export function checkYmd(year: number, month: number, day: number): DateParse {
  if (!Number.isFinite(year) || year < MIN_YEAR || year > MAX_YEAR) return { ok: false, message: `năm ${year} nằm ngoài khoảng ${MIN_YEAR}–${MAX_YEAR}` };
  if (!isValidYmd(year, month, day)) return { ok: false, message: 'không phải một ngày có thật' };
  return { ok: true, day: dayFromYmd(year, month, day) };
}

export function fromExcelSerial(serial: number, date1904 = false): DateParse {
  if (!Number.isFinite(serial) || serial < 1) return { ok: false, message: `không phải là ngày (${HINT})` };
  const whole = Math.floor(serial);
  const day = date1904 ? EXCEL_EPOCH_1904 + whole : whole < 60 ? EXCEL_EPOCH_1900 + whole + 1 : EXCEL_EPOCH_1900 + whole;
  const minute = Math.round((serial - whole) * 1440);
  const { year } = ymdFromDay(day);
  if (year < MIN_YEAR || year > MAX_YEAR) return { ok: false, message: `năm ${year} nằm ngoài khoảng ${MIN_YEAR}–${MAX_YEAR}` };
  return minute > 0 && minute < 1440 ? { ok: true, day, minute } : { ok: true, day };
}

const withTime = (r: DateParse, h: string | undefined, mi: string | undefined): DateParse => {
  if (!r.ok || h === undefined) return r;
  const hh = Number(h);
  const mm = mi === undefined || mi === '' ? 0 : Number(mi);
  if (hh > 23 || mm > 59) return { ok: false, message: `không phải giờ hợp lệ ${h}:${mi ?? '00'}` };
  return { ok: true, day: r.day, minute: hh * 60 + mm };
};

const TIME = String.raw`(?:\s+(?:luc\s+)?(\d{1,2})\s*(?::|h|gio)\s*(\d{2})?(?:\s*phut)?(?::\d{2})?)?`;
const DMY = new RegExp(String.raw`^(?:ngay\s+)?(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{1,6})${TIME}$`);
const YMD = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?$`);
const WORDS = /^(?:ngay\s+)?(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{1,6})$/;

/**
 * A whole cell as a date (and maybe a time). Empty cells are the caller's business; this
 * answers for anything non-empty. Two-digit years are refused: "16/4/22" could be 1922.
 */
export function parseDateCell(c: Cell, opts: { date1904?: boolean } = {}): DateParse {
  if (c instanceof Date) {
    if (Number.isNaN(c.getTime())) return { ok: false, message: `không phải là ngày (${HINT})` };
    const r = checkYmd(c.getUTCFullYear(), c.getUTCMonth() + 1, c.getUTCDate());
    const minute = c.getUTCHours() * 60 + c.getUTCMinutes();
    return r.ok && minute > 0 ? { ...r, minute } : r;
  }
  if (typeof c === 'number') return fromExcelSerial(c, opts.date1904);
  const text = fold(cellText(c)).replace(/\s+/g, ' ').trim();
  if (text === '') return { ok: false, message: 'để trống' };
  let m = DMY.exec(text);
  if (m) {
    if (m[4]!.length !== 4) return m[4]!.length <= 2 ? { ok: false, message: 'viết năm đủ bốn chữ số (yyyy)' } : { ok: false, message: `năm ${Number(m[4])} nằm ngoài khoảng ${MIN_YEAR}–${MAX_YEAR}` };
    return withTime(checkYmd(Number(m[4]), Number(m[3]), Number(m[1])), m[5], m[6]);
  }
  m = YMD.exec(text);
  if (m) return withTime(checkYmd(Number(m[1]), Number(m[2]), Number(m[3])), m[4], m[5]);
  m = WORDS.exec(text);
  if (m) return m[3]!.length === 4 ? checkYmd(Number(m[3]), Number(m[2]), Number(m[1])) : { ok: false, message: `năm ${Number(m[3])} nằm ngoài khoảng ${MIN_YEAR}–${MAX_YEAR}` };
  // A serial number typed or exported as text ("44667"): Excel shows one when a date cell
  // loses its format.
  if (/^\d{5}(\.\d+)?$/.test(text)) return fromExcelSerial(Number(text), opts.date1904);
  return { ok: false, message: `không phải là ngày (${HINT})` };
}
