// Letters as text: Markdown (a conversion of the scan or of the Word file, as the seeds are)
// or plain text. Paragraphs are separated by blank lines; emphasis, heading marks and escapes
// are dropped — "Số: *7176* /UBND-NC" and "**1.** Quán triệt" read as the letter does.
import type { Block } from './letter-text.js';

const EMPHASIS = /(?:\*{1,3}|_{2,3})(?=\S)|(?<=\S)(?:\*{1,3}|_{2,3})/g;

/** One source line without its Markdown: heading marks, emphasis, escapes, hard-break spaces. */
export function plainLine(line: string): { text: string; heading: boolean } {
  let s = line.replace(/\s+$/, '');
  const heading = /^\s{0,3}#{1,6}\s/.test(s);
  if (heading) s = s.replace(/^\s{0,3}#{1,6}\s+/, '');
  s = s.replace(/^\s{0,3}>\s?/, '');
  s = s.replace(EMPHASIS, '').replace(/\\([\\`*_{}[\]()#+\-.!/])/g, '$1');
  return { text: s, heading };
}

export function markdownBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  for (const para of source.replace(/\r\n?/g, '\n').split(/\n[ \t\u00a0]*\n/)) {
    const lines = para.split('\n').map(plainLine);
    const text = lines.map((l) => l.text).join('\n');
    if (!text.trim()) continue;
    blocks.push({ text, ...(lines.some((l) => l.heading) ? { heading: true } : {}) });
  }
  return blocks;
}
