// Builds a .docx and a .pdf of a letter from its Markdown (the seed letters), the way an office
// would have them: Word paragraphs with bold and italic runs and headings; a PDF with a real
// text layer in an embedded Unicode font (DejaVu Sans, from npm), so Vietnamese diacritics
// survive the round trip. Tests only: dondoc reads these files, it never writes them.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import PDFDocument from 'pdfkit';

const require = createRequire(import.meta.url);
export const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');

/** Markdown paragraphs → [text runs with bold/italic, heading?] per line. */
function paragraphs(md: string): Array<{ heading: boolean; lines: Array<Array<{ text: string; bold: boolean; italics: boolean }>> }> {
  return md
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .filter((p) => p.trim())
    .map((p) => {
      const heading = /^#{1,6}\s/.test(p.trim());
      const lines = p.split('\n').map((line) => {
        const runs: Array<{ text: string; bold: boolean; italics: boolean }> = [];
        let bold = false;
        let italics = false;
        for (const part of line.replace(/^#{1,6}\s+/, '').replace(/\s+$/, '').split(/(\*\*|\*)/)) {
          if (part === '**') bold = !bold;
          else if (part === '*') italics = !italics;
          else if (part) runs.push({ text: part, bold, italics });
        }
        return runs;
      });
      return { heading, lines };
    });
}

export async function docxFromMarkdown(md: string): Promise<Buffer> {
  const children = paragraphs(md).map(
    (p) =>
      new Paragraph({
        ...(p.heading ? { heading: HeadingLevel.HEADING_3 } : {}),
        children: p.lines.flatMap((runs, i) => [...(i > 0 ? [new TextRun({ text: '', break: 1 })] : []), ...runs.map((r) => new TextRun(r))]),
      }),
  );
  return Buffer.from(await Packer.toBuffer(new Document({ sections: [{ children }] })));
}

/** The PDF: one paragraph after another, wrapped, pages as needed; the title block's first two
 *  paragraphs side by side as a real letter has them (issuer | motto). */
export function pdfFromMarkdown(md: string, opts: { encrypt?: boolean } = {}): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: 'letter' }, ...(opts.encrypt ? { userPassword: 'secret', ownerPassword: 'secret' } : {}) });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  doc.font(FONT).fontSize(11);
  const paras = paragraphs(md).map((p) => p.lines.map((runs) => runs.map((r) => r.text).join('')).join('\n'));
  if (paras.length >= 2) {
    const y = doc.y;
    doc.text(paras[0]!, 56, y, { width: 200 });
    const left = doc.y;
    doc.text(paras[1]!, 300, y, { width: 240 });
    doc.y = Math.max(left, doc.y) + 11;
    doc.x = 56;
  }
  for (const p of paras.slice(2)) {
    doc.text(p, 56, undefined, { width: 483 });
    doc.moveDown(0.8);
  }
  doc.end();
  return new Promise((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
}

export const writeFile = (file: string, buf: Buffer | string): string => (fs.writeFileSync(file, buf), file);
