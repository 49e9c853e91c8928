// How one item becomes rows. An item names its lead once ("4. Giao Chánh Văn phòng UBND
// tỉnh", then its duties as bullets): one row. An item whose points each name their own body
// ("VI.1 … trong đó: - Sở Kế hoạch và Đầu tư: chủ trì …; - Sở Giao thông vận tải: …") is one
// row per point, under the item's number (a lettered point keeps its letter: "1.a").
import { titleFromContent } from '../import/rows.js';
import type { Item } from './items.js';
import { displayText } from './letter-text.js';
import type { PartyContext } from './parties.js';
import { type LeadFound, findLead } from './roles.js';

export interface RowPlan {
  number: string;
  /** The text the row's roles, deadline and period are read from. */
  from: number;
  to: number;
  /** End of the item's opening text, whose deadline a point without one inherits. */
  introTo?: number;
  lead?: LeadFound;
  title: string;
  content: string;
}

export function itemRows(text: string, folded: string, item: Item, ctx: PartyContext): RowPlan[] {
  const introEnd = item.parts[0]?.start ?? item.end;
  const intro = text.slice(item.textStart, introEnd).trim();
  const introLead = findLead(text, folded, item.textStart, introEnd, ctx);
  const own = item.parts.map((p) => ({ p, lead: findLead(text, folded, p.textStart, p.end, ctx) }));
  const owning = own.filter((o) => o.lead && o.lead.parties.some((x) => x.kind !== 'unknown'));
  const whole = (): RowPlan => {
    // "Giao Chánh Văn phòng UBND tỉnh" and nothing else: the duties are the points.
    const headOnly = introLead && introLead.end >= item.textStart + intro.replace(/[:.]$/, '').length - 1;
    const titleText = headOnly && item.parts[0] ? text.slice(item.parts[0].textStart, item.parts[0].end) : intro || text.slice(item.textStart, item.end);
    return {
      number: item.number,
      from: item.textStart,
      to: item.end,
      ...(introLead ? { lead: introLead } : {}),
      title: titleFromContent(displayText(titleText)),
      content: text.slice(item.textStart, item.end),
    };
  };
  if (owning.length === 0) return [whole()];
  const rows: RowPlan[] = [];
  const rest = own.filter((o) => !owning.includes(o));
  if ((introLead && !/:\s*$/.test(intro)) || rest.length > 0) {
    const base = whole();
    const content = [intro, ...rest.map((o) => text.slice(o.p.start, o.p.end))].join('\n');
    rows.push({ ...base, to: introEnd, content, ...(rest[0] && !introLead ? { title: titleFromContent(displayText(text.slice(rest[0].p.textStart, rest[0].p.end))) } : {}) });
  }
  for (const { p, lead } of owning) {
    const body = text.slice(p.textStart, p.end);
    rows.push({
      number: p.letter ? `${item.number}.${p.letter}` : item.number,
      from: p.textStart,
      to: p.end,
      introTo: introEnd,
      lead: lead!,
      title: titleFromContent(displayText(body)),
      content: intro ? `${intro}\n${text.slice(p.start, p.end)}` : body,
    });
  }
  return rows;
}
