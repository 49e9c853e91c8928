// Reads a letter file into its text: .docx, .pdf (with a text layer), .md, .txt. Every way a
// file can be unfit — too large, encrypted, cut short, a scan without text — is one message
// naming the file and what to do, as an IMPORT_REJECTED error (exit 1); nothing is written.
import fs from 'node:fs/promises';
import path from 'node:path';
import { DondocError, usageError } from '../errors.js';
import { decodeText } from '../import/encoding.js';
import { docxBlocks } from './read-docx.js';
import { markdownBlocks } from './read-markdown.js';
import { PdfTextError, pdfBlocks } from './read-pdf.js';
import { type LetterText, joinBlocks } from './letter-text.js';

export type LetterFormat = 'docx' | 'pdf' | 'md' | 'txt';

export const LETTER_EXTENSIONS: Readonly<Record<string, LetterFormat>> = { '.docx': 'docx', '.pdf': 'pdf', '.md': 'md', '.markdown': 'md', '.txt': 'txt' };

/** A letter with its annexes is a few MB at most; anything larger is not read into memory. */
export const MAX_LETTER_BYTES = 20 * 1024 * 1024;

export function letterFormatOf(file: string): LetterFormat {
  const ext = path.extname(file).toLowerCase();
  const f = LETTER_EXTENSIONS[ext];
  if (f) return f;
  if (ext === '.doc') throw usageError(`${file}: old .doc files are not read: open it in Word and save it as .docx`);
  throw usageError(`${file}: unknown letter type "${ext}": expected .docx, .pdf, .md or .txt`);
}

const rejected = (file: string, message: string, cause?: unknown): DondocError =>
  new DondocError('IMPORT_REJECTED', `${file}: ${message}`, [{ path: file, message }], cause === undefined ? undefined : { cause });

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

export interface ReadLetterOptions {
  maxBytes?: number;
}

export async function readLetter(file: string, opts: ReadLetterOptions = {}): Promise<{ format: LetterFormat; letter: LetterText; warnings: string[] }> {
  const format = letterFormatOf(file);
  const max = opts.maxBytes ?? MAX_LETTER_BYTES;
  let size: number;
  try {
    size = (await fs.stat(file)).size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw rejected(file, `cannot read the file (${code === 'ENOENT' ? 'not found' : (code ?? (e as Error).message)})`, e);
  }
  if (size > max) throw rejected(file, `${mb(size)} is too large for a letter (at most ${mb(max)}): save the letter without its annexes, or split them off`);
  if (size === 0) throw rejected(file, 'the file is empty');
  const buf = await fs.readFile(file);
  const warnings: string[] = [];

  if (format === 'docx') {
    // An encrypted Office file is an OLE container, not a zip (so is an old .doc renamed).
    if (buf.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) throw rejected(file, 'the .docx is encrypted (or is an old .doc renamed): open it in Word, remove the password and save it as .docx');
    if (!buf.subarray(0, 2).equals(Buffer.from('PK'))) throw rejected(file, 'not a .docx file (a .docx is a zip archive): save the letter from Word as .docx');
    try {
      const r = await docxBlocks(buf);
      warnings.push(...r.warnings.map((w) => `${file}: ${w}`));
      return { format, letter: joinBlocks(r.blocks), warnings };
    } catch (e) {
      throw rejected(file, `not a readable .docx (${(e as Error).message}); the file may be cut short: save it again from Word`, e);
    }
  }
  if (format === 'pdf') {
    if (!buf.subarray(0, 1024).includes('%PDF-')) throw rejected(file, 'not a PDF file (no %PDF header)');
    // A PDF ends with %%EOF; a download cut short does not, and PDF.js would read what it can.
    if (!buf.subarray(Math.max(0, buf.length - 2048)).includes('%%EOF')) throw rejected(file, 'the PDF is cut short (it does not end with %%EOF): download or copy it again');
    try {
      return { format, letter: joinBlocks(await pdfBlocks(buf)), warnings };
    } catch (e) {
      if (!(e instanceof PdfTextError)) throw e;
      if (e.reason === 'encrypted') throw rejected(file, `${e.message}: open it and save a copy without the password (Print → Save as PDF), then extract again`, e);
      if (e.reason === 'no-text') {
        throw rejected(
          file,
          `${e.message}. Give it a text layer first — with OCR: \`ocrmypdf -l vie ${path.basename(file)} out.pdf\` (Debian: apt-get install ocrmypdf tesseract-ocr-vie) — or export the letter from Word as PDF, then extract again`,
          e,
        );
      }
      throw rejected(file, e.message, e);
    }
  }
  const text = decodeText(buf, file);
  return { format, letter: joinBlocks(markdownBlocks(text)), warnings };
}
