// PDF with a text layer through pdfjs-dist (Mozilla's PDF.js; the 5.6 line is the last that
// runs on Node 20). Text items are grouped into lines by their baseline, lines into
// paragraphs by the gap above them, a first-line indent or a list mark; two columns on one
// line (the title block: issuer | motto, number | place and date) stay apart.
import type { Block } from './letter-text.js';

interface Item {
  str: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export class PdfTextError extends Error {
  constructor(
    readonly reason: 'encrypted' | 'unreadable' | 'no-text',
    message: string,
  ) {
    super(message);
  }
}

const LIST_MARK = /^(?:[-–•+]\s|\d{1,2}[.)]\s|[a-zđ]\)\s|[IVX]{1,4}\.\s)/u;

/** Text items of one page → blocks, in reading order. */
export function pageBlocks(items: readonly Item[]): Block[] {
  const lines: Array<{ y: number; h: number; parts: Item[] }> = [];
  for (const it of [...items].filter((i) => i.str.trim() !== '').sort((a, b) => b.y - a.y || a.x - b.x)) {
    const line = lines.find((l) => Math.abs(l.y - it.y) <= Math.max(2, it.h * 0.3));
    if (line) line.parts.push(it);
    else lines.push({ y: it.y, h: it.h, parts: [it] });
  }
  // Segments: a wide horizontal gap on one line separates columns.
  type Seg = { y: number; h: number; x: number; text: string };
  const segs: Seg[] = [];
  for (const l of lines) {
    const parts = l.parts.sort((a, b) => a.x - b.x);
    let cur: Seg | undefined;
    let right = -Infinity;
    for (const p of parts) {
      const gap = p.x - right;
      if (!cur || gap > Math.max(4 * l.h, 30)) {
        if (cur) segs.push(cur);
        cur = { y: l.y, h: l.h, x: p.x, text: p.str };
      } else cur.text += (gap > l.h * 0.15 && !/\s$/.test(cur.text) && !/^\s/.test(p.str) ? ' ' : '') + p.str;
      right = p.x + p.w;
    }
    if (cur) segs.push(cur);
  }
  // Paragraphs grow per column: a title block's two columns interleave line by line.
  const open: Array<{ x: number; y: number; h: number; text: string; done: boolean }> = [];
  for (const s of segs) {
    const t = s.text.trim();
    const para = open.find((p) => !p.done && Math.abs(p.x - s.x) <= 40 && p.y - s.y <= Math.max(p.h, s.h) * 1.7 && !LIST_MARK.test(t));
    // A paragraph below in the same column closes the ones it passes.
    for (const p of open) if (p !== para && !p.done && Math.abs(p.x - s.x) <= 40) p.done = true;
    if (para) {
      para.text += ` ${t}`;
      para.y = s.y;
    } else open.push({ x: s.x, y: s.y, h: s.h, text: t, done: false });
  }
  return open.map((p) => ({ text: p.text }));
}

export async function pdfBlocks(buf: Buffer): Promise<Block[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let doc;
  try {
    doc = await pdfjs.getDocument({ data: new Uint8Array(buf), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0, stopAtErrors: true }).promise;
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'PasswordException') throw new PdfTextError('encrypted', 'the PDF is protected by a password');
    throw new PdfTextError('unreadable', `not a readable PDF (${(e as Error).message})`);
  }
  try {
    const blocks: Block[] = [];
    let chars = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const items: Item[] = [];
      for (const it of content.items) {
        if (!('str' in it)) continue;
        chars += it.str.trim().length;
        items.push({ str: it.str, x: it.transform[4] as number, y: it.transform[5] as number, w: it.width, h: it.height || Math.abs(it.transform[3] as number) });
      }
      blocks.push(...pageBlocks(items));
      page.cleanup();
    }
    if (chars < 20) throw new PdfTextError('no-text', `the PDF has no text layer (${doc.numPages} page${doc.numPages > 1 ? 's' : ''} of images: a scan)`);
    return blocks;
  } catch (e) {
    if (e instanceof PdfTextError) throw e;
    throw new PdfTextError('unreadable', `not a readable PDF (${(e as Error).message})`);
  } finally {
    await doc.destroy();
  }
}
