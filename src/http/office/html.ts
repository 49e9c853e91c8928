// HTML built on the server with escaping by default: `html` is a tagged template in which
// every interpolated value is escaped unless it is already Html (made by `html` itself or,
// for text known to be safe, by `raw`). Task titles, notes and names come from clerks'
// registers and reply forms, so a title with <script> must come out as text (7176 pages are
// read by the Provincial Office with its session open).

export interface Html {
  readonly __html: string;
}

const isHtml = (v: unknown): v is Html => typeof v === 'object' && v !== null && typeof (v as Html).__html === 'string';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text → HTML text or attribute value (quoted attributes only). */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Marks a string as HTML: only for constants and strings built from escaped parts. */
export const raw = (s: string): Html => ({ __html: s });

const piece = (v: unknown): string => {
  if (v === null || v === undefined || v === false) return '';
  if (isHtml(v)) return v.__html;
  if (Array.isArray(v)) return v.map(piece).join('');
  return esc(String(v));
};

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1]!;
  return raw(out);
}

/** A query string from parameters, empty values left out: `?body=STC&doc=1510`. */
export function queryString(params: Record<string, string | readonly string[] | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const x of typeof v === 'string' ? [v] : v) if (x !== '') q.append(k, x);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
