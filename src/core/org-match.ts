// Finding a body from what a clerk wrote: its code, its name or an alias — whatever the case,
// diacritics (NFC or NFD), spacing and punctuation — plus two shorthands clerks always use:
// "UBND" for "Ủy ban nhân dân", and a department named without "Sở" when only one fits.
// A name of a body that has ended leads to its successor on the given day (2025
// reorganisation), so tasks imported from old letters land where the work now is.
import type { Day } from './day.js';
import { type Body, type OrgDirectory, currentBody, foldName, isBodyValidOn } from './org.js';

export type BodyMatch =
  /** `body` carries the work on the day asked; `named` is the body the text named. */
  | { ok: true; body: Body; named: Body }
  /** Up to 3 known names closest to the text, best first. */
  | { ok: false; suggestions: string[] };

/** `suggest: false` skips the closest-name search, for callers probing many phrases (letters). */
export type BodyMatcher = (text: string, onDay?: Day, opts?: { suggest?: boolean }) => BodyMatch;

const EXPANSIONS: Readonly<Record<string, readonly string[]>> = { ubnd: ['uy', 'ban', 'nhan', 'dan'] };

function words(s: string): string[] {
  return foldName(s)
    .split(' ')
    .filter(Boolean)
    .flatMap((w) => EXPANSIONS[w] ?? [w]);
}

/** The key a name is matched on: folded, "UBND" spelled out, spaces and punctuation dropped. */
export function nameKey(s: string): string {
  return words(s).join('');
}

/**
 * The key a name is matched on exactly: diacritics kept (Vietnamese has places whose names
 * differ only in them — xã Văn Lăng, xã Văn Lang), but not where a tone mark is written ("Hòa"
 * and "Hoà", "Thủy" and "Thuỷ" are the same word): each word's tone marks go to its end.
 */
export function exactKey(s: string): string {
  const TONES = /[\u0300\u0301\u0303\u0309\u0323]/g;
  return s
    .normalize('NFC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}&]+/u)
    .filter(Boolean)
    .flatMap((w) => (w === 'ubnd' ? ['ủy', 'ban', 'nhân', 'dân'] : [w]))
    .map((w) => {
      const d = w.normalize('NFD');
      return d.replace(TONES, '') + (d.match(TONES) ?? []).join('');
    })
    .join('');
}

/** The key without a leading "Sở", or undefined when the name does not start with it. */
function keyWithoutSo(s: string): string | undefined {
  const w = words(s);
  return w.length > 1 && w[0] === 'so' ? w.slice(1).join('') : undefined;
}

export const codeKey = (s: string): string => s.normalize('NFC').trim().toUpperCase();

/** Every name the body is known by: its name and its aliases. */
export const namesOf = (b: Body): string[] => [b.name, ...b.aliases];

/** Levenshtein distance, two rows. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

function push(map: Map<string, Body[]>, key: string, body: Body): void {
  if (!key) return;
  const list = map.get(key);
  if (!list) map.set(key, [body]);
  else if (!list.includes(body)) list.push(body);
}

/**
 * Among bodies sharing a name (the directory allows this only for periods that do not
 * overlap), the one valid on the day; without a day, or if none is, the latest to end.
 */
function pick(cands: readonly Body[], onDay: Day | undefined): Body | undefined {
  if (cands.length <= 1) return cands[0];
  if (onDay !== undefined) {
    const valid = cands.find((b) => isBodyValidOn(b, onDay));
    if (valid) return valid;
  }
  const end = (b: Body): number => b.validTo ?? Infinity;
  return [...cands].sort((x, y) => end(y) - end(x))[0];
}

/** Whether two bodies were ever in force on the same day (no dates = always). */
export function periodsOverlap(a: Body, b: Body): boolean {
  return (a.validFrom ?? -Infinity) <= (b.validTo ?? Infinity) && (b.validFrom ?? -Infinity) <= (a.validTo ?? Infinity);
}

export function makeBodyMatcher(org: OrgDirectory): BodyMatcher {
  const byCode = new Map<string, Body>();
  const byExact = new Map<string, Body[]>();
  const byName = new Map<string, Body[]>();
  const byShortName = new Map<string, Body[]>();
  const suggestKeys: Array<{ key: string; body: Body }> = [];
  for (const b of org.bodies.values()) {
    byCode.set(codeKey(b.code), b);
    suggestKeys.push({ key: b.code.toLowerCase(), body: b });
    for (const n of namesOf(b)) {
      push(byExact, exactKey(n), b);
      push(byName, nameKey(n), b);
      const short = keyWithoutSo(n);
      if (short !== undefined) push(byShortName, short, b);
      suggestKeys.push({ key: nameKey(n), body: b });
    }
  }

  // The shorthand is used only when it names one body (per day, as for full names).
  const unique = (cands: readonly Body[] | undefined, onDay: Day | undefined): Body | undefined => {
    if (!cands?.length) return undefined;
    const chosen = pick(cands, onDay);
    const rivals = cands.filter((b) => b !== chosen && (onDay === undefined ? periodsOverlap(b, chosen!) : isBodyValidOn(b, onDay)));
    return rivals.length ? undefined : chosen;
  };

  function find(text: string, onDay: Day | undefined): Body | undefined {
    const code = byCode.get(codeKey(text));
    if (code) return code;
    const key = nameKey(text);
    if (!key) return undefined;
    return (
      pick(byExact.get(exactKey(text)) ?? [], onDay) ??
      // Without diacritics two bodies may share a name: then it names neither.
      unique(byName.get(key), onDay) ??
      unique(byShortName.get(key), onDay) ??
      // "Sở Thanh tra" for a body named without "Sở".
      (keyWithoutSo(text) !== undefined ? unique(byName.get(keyWithoutSo(text)!), onDay) : undefined)
    );
  }

  function suggest(text: string): string[] {
    const key = nameKey(text) || text.toLowerCase();
    const best = new Map<Body, number>();
    for (const s of suggestKeys) {
      const d = editDistance(key, s.key);
      if (d < (best.get(s.body) ?? Infinity)) best.set(s.body, d);
    }
    const ranked = [...best].sort((x, y) => x[1] - y[1] || x[0].name.localeCompare(y[0].name, 'vi'));
    return [...new Set(ranked.map(([b]) => b.name))].slice(0, 3);
  }

  return (text, onDay, opts) => {
    const named = find(text.normalize('NFC'), onDay);
    if (!named) return { ok: false, suggestions: opts?.suggest === false ? [] : suggest(text) };
    const body = onDay === undefined ? named : (currentBody(org, named.code, onDay) ?? named);
    return { ok: true, body, named };
  };
}
