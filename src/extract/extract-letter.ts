// A letter file → its draft: read (read-letter.ts), then the pure drafting (draft.ts). A letter
// in which nothing directs a body — only context, the legal basis, "có ý kiến như sau" — is
// refused: there is nothing to register, and saying so beats an empty sheet.
import type { OrgDirectory } from '../core/org.js';
import { DondocError } from '../errors.js';
import { type Draft, type DraftOptions, draftLetter } from './draft.js';
import type { LetterText } from './letter-text.js';
import { type LetterFormat, type ReadLetterOptions, readLetter } from './read-letter.js';

export interface ExtractedLetter {
  file: string;
  format: LetterFormat;
  letter: LetterText;
  draft: Draft;
  warnings: string[];
}

/** Throws when the letter assigns nothing; `draft` is returned otherwise. */
export function requireDirectives(file: string, letter: LetterText, draft: Draft): void {
  const tasks = draft.documents.flatMap((d) => d.items.filter((i) => i.task && i.rows > 0));
  if (tasks.length > 0) return;
  const found = draft.documents.flatMap((d) => d.items).length;
  const paragraphs = letter.blocks.length;
  const message = found
    ? `no task to register: the ${found} item${found > 1 ? 's' : ''} found direct no body (descriptive sections or conclusions without a directive)`
    : `no directive found: none of its ${paragraphs} paragraphs assigns a task ("Giao Sở X chủ trì …", "Sở X có trách nhiệm …", "Yêu cầu …", or numbered items); a letter of context only has nothing to register`;
  throw new DondocError('IMPORT_REJECTED', `${file}: ${message}`, [{ path: file, message }]);
}

export async function extractLetter(file: string, org: OrgDirectory, opts: DraftOptions & ReadLetterOptions = {}): Promise<ExtractedLetter> {
  const { format, letter, warnings } = await readLetter(file, opts);
  const draft = draftLetter(letter, org, opts);
  requireDirectives(file, letter, draft);
  return { file, format, letter, draft, warnings };
}
