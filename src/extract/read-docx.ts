// .docx through mammoth (kept, widely used; reads the document body as semantic HTML). The
// HTML mammoth writes is small and regular — p, h1–h6, ol/ul/li, table/tr/td, strong, em,
// br, a — so it is walked here rather than through a full HTML parser. Word's automatic list
// numbers are not text in the file: an ordered list item gets its number counted here, and
// the reader marks it (numbers of lists that Word restarts or continues are not in the HTML).
import mammoth from 'mammoth';
import type { Block } from './letter-text.js';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
const decode = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENTITIES[e.toLowerCase()] ?? m;
  });

/** mammoth's HTML → blocks: each paragraph, heading, list item and table cell paragraph is one. */
export function htmlBlocks(html: string): Block[] {
  const blocks: Block[] = [];
  const lists: Array<{ ordered: boolean; n: number }> = [];
  let text = '';
  let heading = false;
  // The number or bullet of a list item, put in front of its first paragraph.
  let prefix: { number?: string; bullet?: boolean } | undefined;
  const flush = (): void => {
    if (text.trim()) {
      if (prefix?.number) blocks.push({ text: `${prefix.number} ${text.trim()}`, listNumber: prefix.number, ...(heading ? { heading } : {}) });
      else blocks.push({ text: prefix?.bullet ? `- ${text.trim()}` : text, ...(heading ? { heading } : {}) });
      prefix = undefined;
    }
    text = '';
    heading = false;
  };
  for (const m of html.matchAll(/<(\/?)([a-z0-9]+)[^>]*>|([^<]+)/gi)) {
    if (m[3] !== undefined) {
      text += decode(m[3]);
      continue;
    }
    const close = m[1] === '/';
    const tag = m[2]!.toLowerCase();
    if (tag === 'br') text += '\n';
    else if (tag === 'ol' || tag === 'ul') {
      flush();
      if (close) lists.pop();
      else lists.push({ ordered: tag === 'ol', n: 0 });
    } else if (tag === 'li') {
      flush();
      const list = lists[lists.length - 1];
      if (!close && list) {
        list.n++;
        prefix = list.ordered ? { number: `${list.n}.` } : { bullet: true };
      }
    } else if (/^(p|h[1-6]|td|th|tr|table)$/.test(tag)) {
      flush();
      if (!close && /^h[1-6]$/.test(tag)) heading = true;
    }
  }
  flush();
  return blocks;
}

export async function docxBlocks(buf: Buffer): Promise<{ blocks: Block[]; warnings: string[] }> {
  const r = await mammoth.convertToHtml({ buffer: buf });
  return { blocks: htmlBlocks(r.value), warnings: r.messages.filter((m) => m.type === 'error').map((m) => m.message) };
}
