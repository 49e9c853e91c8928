// The committee's own letters name no issuer in a clerk's register: every row is the
// province's own. A number whose sign carries one of the committee's codes — 1510/UBND-TH,
// 7176/UBND-NC, 12/QĐ-UBND, 08/KH-UBND; for the Provincial Office 45/TB-VPUBND — is its own,
// so the issuer comes from config (`org.issuer`). Order of precedence (README): an issuer
// column, then the letter's title block, then this default.
import type { OwnIssuer } from '../core/org.js';

/** The sign of a number ("UBND-TH" in "1510/UBND-TH", "QĐ-UBND" in "12/2024/QĐ-UBND"), as codes. */
export function signCodes(number: string): string[] {
  const sign = number.normalize('NFC').replace(/\s+/g, '').split('/').slice(1).pop() ?? '';
  return sign
    .toUpperCase()
    .split(/[-–.]/)
    .filter(Boolean);
}

/** The issuer of one of the committee's own numbers, or undefined when the number is not its own. */
export function ownIssuerOf(number: string, own: OwnIssuer | undefined): string | undefined {
  if (!own || !number) return undefined;
  const codes = signCodes(number);
  // The office's codes are more specific ("VPUBND" is not "UBND"), so they are tried first.
  for (const other of own.also) if (other.codes.some((c) => codes.includes(c))) return other.name;
  return own.codes.some((c) => codes.includes(c)) ? own.name : undefined;
}
