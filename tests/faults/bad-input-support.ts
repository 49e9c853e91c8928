// Shared by the bad-input properties (tests/faults/bad-input-*.test.ts): the run budget and the
// hostile values thrown at every edge — wrong types, impossible dates, control characters and
// CRLF, HTML and script, decomposed (NFD) Vietnamese, unknown bodies, oversized text.
//
// CI runs each property with a fixed seed and a small number of runs, so a file takes seconds
// and a failure replays exactly. The long run (docs/SECURITY.md) raises the runs, and may move
// the seed to explore new inputs:
//
//   DONDOC_FUZZ_RUNS=5000 DONDOC_FUZZ_SEED=$RANDOM npx vitest run tests/faults/bad-input-
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { isValidYmd } from '../../src/core/day.js';

const envInt = (name: string): number | undefined => {
  const v = process.env[name];
  return v !== undefined && /^\d{1,9}$/.test(v.trim()) ? Number(v) : undefined;
};

/** Runs per property when DONDOC_FUZZ_RUNS is set (the long run), else undefined. */
export const LONG_RUNS = envInt('DONDOC_FUZZ_RUNS');
const SEED = envInt('DONDOC_FUZZ_SEED');

/** fast-check parameters: the property's own seed and CI budget unless the long run says otherwise. */
export function fuzz(seed: number, ciRuns: number): { seed: number; numRuns: number; endOnFailure: true } {
  return { seed: SEED ?? seed, numRuns: LONG_RUNS ?? ciRuns, endOnFailure: true };
}

/** A test's time limit: ample for the CI budget, unbounded enough for the long run. */
export const fuzzTimeout = (ciMs = 30_000): number => (LONG_RUNS ? Math.max(ciMs, LONG_RUNS * 500) : ciMs);

// --- hostile text ---------------------------------------------------------------------------

/** Line breaks and control characters, the C1 set, Unicode separators, bidi overrides. */
export const CONTROL_PIECES = ['\r\n', '\n', '\r', '\u0000', '\t', '\u0007', '\u001b[31m', '\u007f', '\u0085', '\u009b', '\u2028', '\u2029', '\u202e', '\ufeff', '\u200b'] as const;

/** What a header injection looks like when CR/LF survive into a header. */
export const INJECTION_PIECES = [
  '\r\nBcc: attacker@evil.test',
  '\nTo: victim@evil.test',
  '\r\nCc: spy@evil.test\r\n',
  '\r\n\r\n<html>body swap</html>',
  '\nSubject: second subject',
  '\r\nContent-Type: text/html',
  '%0d%0aBcc: encoded@evil.test',
  '=?utf-8?q?=0D=0ABcc=3A_ew@evil.test?=',
] as const;

/** HTML that would run, or change the page, if it came out unescaped. */
export const HTML_PIECES = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.test/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<svg/onload=alert(1)>',
  '"><script>alert(2)</script>',
  "'><img src=x onerror='alert(3)'>",
  '<a href="javascript:alert(4)">bấm vào đây</a>',
  'javascript:alert(5)',
  '<iframe src="data:text/html,<script>alert(6)</script>">',
  '</td></tr></table><form action=//evil.test>',
  '<style>body{display:none}</style>',
  '<!--',
  '<![CDATA[x]]>',
  '{{constructor.constructor("alert(7)")()}}',
  '{{{raw}}}',
  '&lt;script&gt;',
  '<meta http-equiv="refresh" content="0;url=//evil.test">',
  '<base href=//evil.test/>',
] as const;

/** Vietnamese as it arrives from a Mac or a PDF: decomposed. */
export const VN_WORDS = ['Sở Y tế', 'Báo cáo', 'tiêm vắc-xin', 'Ủy ban nhân dân tỉnh', 'Quyết định', 'đường giao thông', 'Nguyễn Thị Hường', 'hoàn thành', 'chỉ đạo'] as const;
export const NFD_WORDS = VN_WORDS.map((w) => w.normalize('NFD'));

/** Text built from every kind of hostile piece, with ordinary words between. */
export const hostileText = (maxPieces = 6): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...VN_WORDS, ...NFD_WORDS) },
        { weight: 2, arbitrary: fc.constantFrom(...HTML_PIECES) },
        { weight: 2, arbitrary: fc.constantFrom(...CONTROL_PIECES, ...INJECTION_PIECES) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
      ),
      { minLength: 1, maxLength: maxPieces },
    )
    .map((parts) => parts.join(' '));

/** Hostile text that still has letters in it (so a field is not simply empty after cleaning). */
export const hostileWords = (maxPieces = 6): fc.Arbitrary<string> => fc.tuple(fc.constantFrom(...VN_WORDS, ...NFD_WORDS), hostileText(maxPieces)).map(([w, t]) => `${w} ${t}`);

/** C0/C1 controls, DEL and the Unicode line/paragraph separators: none belongs in one-line text. */
export const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** C0 controls but TAB and LF, and DEL: none belongs in multi-line text (content, notes). */
export const CONTROL_BUT_LF_RE = /[\u0000-\u0008\u000b-\u001f\u007f]/;

// --- wrong types and impossible dates ---------------------------------------------------------

/** A JSON value that is not a string (and not null: several fields are nullable). */
export const notAString: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant([]),
  fc.array(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 3 }),
  fc.constant({}),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { minKeys: 1, maxKeys: 2 }),
);

/** A JSON value that is not an object. */
export const notAnObject: fc.Arbitrary<unknown> = fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 8 }), fc.array(fc.integer(), { maxLength: 2 }));

/** Dates no calendar has: 31/02, 30/02, 29/02 of a common year, month 13, day 0, years 0 and 99999. */
export const FIXED_BAD_DATES = [
  '31/02/2022',
  '30/02/2024',
  '29/02/2023',
  '2022-02-31',
  '2023-02-29',
  '31/04/2022',
  '32/01/2022',
  '00/01/2022',
  '15/13/2022',
  '2022-00-10',
  '01/01/0000',
  '0000-01-01',
  '1/1/0',
  '01/01/99999',
  '99999-01-01',
  '31/12/1899',
  '1899-12-31',
  '01/01/2200',
  '2200-01-01',
  'ngày 31 tháng 2 năm 2022',
  '30/6/22',
  '2022/06/30',
  'ba mươi tháng sáu',
  '2022-06-30T25:00',
  '30/06/2022 24:61',
] as const;

/** A day/month/year with at least one impossible part, written dd/mm/yyyy or YYYY-MM-DD. */
export const badDate: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...FIXED_BAD_DATES),
  fc
    .record({
      d: fc.integer({ min: 0, max: 40 }),
      m: fc.integer({ min: 0, max: 14 }),
      y: fc.oneof(fc.constantFrom(0, 1, 99, 999, 1899, 2200, 9999, 99999), fc.integer({ min: 1900, max: 2199 })),
      iso: fc.boolean(),
    })
    .filter(({ d, m, y }) => !(y >= 1900 && y <= 2199 && isValidYmd(y, m, d)))
    .map(({ d, m, y, iso }) => {
      const p = (n: number, w = 2): string => String(n).padStart(w, '0');
      return iso ? `${p(y, 4)}-${p(m)}-${p(d)}` : `${p(d)}/${p(m)}/${p(y, 4)}`;
    }),
);

/** Body names and codes no directory has. */
export const unknownBody: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('Sở Không Tồn Tại', 'SYTT', 'Sở Y tế <script>', 'UBND huyện Atlantis', 'Bộ Ngoại giao', 'XYZ-999', 'Sở Tài\r\nchính giả'),
  fc.stringMatching(/^[A-Z]{6,10}$/).map((s) => `Q${s}`),
);

/** Ten mebibytes of text: the "oversized string" of issue 7, built once. */
export const TEN_MB = 10 * 1024 * 1024;
let tenMb: string | undefined;
export const tenMegabytes = (): string => (tenMb ??= 'Nội dung quá dài '.repeat(Math.ceil(TEN_MB / 17)).slice(0, TEN_MB));

// --- checks ----------------------------------------------------------------------------------

const TAG_RE = /<\/?([A-Za-z][A-Za-z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
const ATTR_RE = /([^\s=/"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background', 'srcset']);

/** Tags and attribute names of an HTML document, in order: what must not change when text changes. */
export function htmlShape(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(TAG_RE)) {
    const attrs = [...m[2]!.matchAll(ATTR_RE)].map((a) => a[1]!.toLowerCase());
    out.push(`${m[0].startsWith('</') ? '/' : ''}${m[1]!.toLowerCase()}${attrs.length ? `[${attrs.join(',')}]` : ''}`);
  }
  return out;
}

/**
 * What must never be in HTML built from task text: a script element, an event-handler
 * attribute, a javascript: URL in a URL attribute. Attributes are read as a browser reads
 * them, so escaped text inside a quoted value ("&lt;img onerror=…") is not taken for one.
 */
export function activeHtml(html: string): string[] {
  const found: string[] = [];
  if (/<script/i.test(html)) found.push('<script');
  for (const m of html.matchAll(TAG_RE)) {
    const tag = m[1]!.toLowerCase();
    for (const a of m[2]!.matchAll(ATTR_RE)) {
      const attr = a[1]!.toLowerCase();
      const value = (a[2] ?? a[3] ?? a[4] ?? '').replace(/[\s\u0000-\u001f]/g, '');
      if (/^on[a-z]+$/.test(attr)) found.push(`<${tag} ${attr}=`);
      if (URL_ATTRS.has(attr) && /^javascript:/i.test(value)) found.push(`<${tag} ${attr}="javascript:`);
    }
  }
  return found;
}

// --- the store -------------------------------------------------------------------------------

/** Every key of the (private) Redis with its serialized value: "nothing was written" compares two of these. */
export async function redisSnapshot(redis: Redis): Promise<Record<string, string>> {
  const keys = (await redis.keys('*')).sort();
  if (keys.length === 0) return {};
  const p = redis.pipeline();
  for (const k of keys) p.dumpBuffer(k);
  const dumps = (await p.exec()) ?? [];
  return Object.fromEntries(keys.map((k, i) => [k, (dumps[i]?.[1] as Buffer | null)?.toString('base64') ?? '(gone)']));
}
