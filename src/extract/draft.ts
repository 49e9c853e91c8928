// A letter's text → the register rows a clerk would enter, each field with where it came from
// and how sure the reader is. Pure: the org directory and the options come in, nothing is
// read or written. An item addressed to all the letter's addressees stays one "ALL" row
// unless the clerk asks (`expandAll`): then one row per body of those groups in force on the
// letter's date. A list of named bodies is one row per body (as the importer does).
import type { Day } from '../core/day.js';
import type { Body, BodyKind, OrgDirectory } from '../core/org.js';
import type { Deadline } from '../core/task.js';
import { makeResolver } from '../import/bodies.js';
import { ownIssuerOf } from '../import/own-issuer.js';
import { readDeadline } from './deadlines.js';
import { readDocuments } from './documents.js';
import { type Drafted, type Flag, drafted } from './drafted.js';
import { type Item, findItems } from './items.js';
import { type LetterText, displayText, foldSame, spanOf } from './letter-text.js';
import { type Meeting, readMeeting } from './meeting.js';
import { type Party, type PartyContext, bodiesOfKinds, makePartyContext, partiesAt } from './parties.js';
import { type Freq, readRecurrence } from './recurrence.js';
import { findCoordinators, findLead, findReportTo } from './roles.js';
import type { TitleBlock } from './title-block.js';
import { itemRows, type RowPlan } from './item-rows.js';

export interface DraftOptions {
  /** One row per body for items addressed to all the addressees. */
  expandAll?: boolean;
}

export type Lead = { code: string; name: string } | { all: true; list: string[]; kinds: BodyKind[] } | { unknown: string };

export interface DraftRow {
  document: number;
  number?: string;
  date?: Day;
  issuer?: string;
  subject?: string;
  item: Drafted<string>;
  title: string;
  content: string;
  lead: Drafted<Lead | undefined>;
  coordinators: Drafted<Array<{ code: string; name: string }>>;
  deadline: Drafted<Deadline | null | undefined>;
  recurrence?: Drafted<{ freq: Freq; month?: number; day?: number }>;
  reportTo?: Drafted<{ code?: string; name: string }>;
  signer?: string;
  flags: Flag[];
}

export interface DraftDocument {
  title: TitleBlock;
  meeting?: Meeting;
  items: Array<{ number: string; task: boolean; reason?: string; rows: number }>;
}

export interface Draft {
  documents: DraftDocument[];
  rows: DraftRow[];
}

export function draftLetter(letter: LetterText, org: OrgDirectory, opts: DraftOptions = {}): Draft {
  const folded = foldSame(letter.text);
  const resolver = makeResolver(org);
  const documents: DraftDocument[] = [];
  const rows: DraftRow[] = [];
  readDocuments(letter).forEach((part, di) => {
    const t = part.title;
    const day = t.date?.value;
    const ctx = makePartyContext(org, day, resolver);
    const issuer = t.issuer ?? (t.number && ownIssuerOf(t.number.value, org.issuer) ? drafted(ownIssuerOf(t.number.value, org.issuer)!, 'high', t.number.from, 'cơ quan ban hành theo cấu hình (org.issuer)') : undefined);
    const { items } = findItems(letter, t.bodyStart, t.bodyEnd);
    const doc: DraftDocument = { title: t, items: [] };
    if (t.kind === 'thong_bao') {
      const firstItem = items[0]?.start ?? letter.blocks[t.bodyEnd - 1]?.end ?? letter.text.length;
      doc.meeting = readMeeting(letter, letter.blocks[t.bodyStart]?.start ?? 0, firstItem, t.subject, t.flags);
    }
    const addressees = addresseeParties(letter, folded, t, ctx);
    const docFlags: Flag[] = t.flags.filter((f) => ['number', 'date'].includes(f.field));
    if (!issuer) docFlags.push({ field: 'issuer', message: `không rõ cơ quan ban hành${t.number ? ` (số ${t.number.value} không mang mã của ${org.issuer?.name ?? 'UBND tỉnh (chưa đặt org.issuer)'})` : ''}` });
    for (const item of items) {
      const before = rows.length;
      if (item.task) {
        const plans = itemRows(letter.text, folded, item, ctx);
        if (t.kind === 'thong_bao' && !item.paragraph && plans.every((p) => !p.lead)) {
          doc.items.push({ number: item.number, task: false, reason: 'kết luận không giao việc cho cơ quan nào', rows: 0 });
          continue;
        }
        for (const plan of plans) rows.push(...draftRows(letter, folded, di, t, issuer, item, plan, addressees, ctx, org, day, docFlags, opts));
      }
      doc.items.push({ number: item.number, task: item.task, ...(item.reason ? { reason: item.reason } : {}), rows: rows.length - before });
    }
    documents.push(doc);
  });
  return { documents, rows };
}

function addresseeParties(letter: LetterText, folded: string, t: TitleBlock, ctx: PartyContext): Party[] {
  const out: Party[] = [];
  for (const a of t.addressees) {
    if (!a.from) continue;
    const at = letter.text.indexOf(a.value, a.from.start);
    if (at < 0) continue;
    const r = partiesAt(letter.text, folded, at, ctx);
    out.push(...(r.parties.length ? r.parties : [{ kind: 'unknown' as const, start: at, end: at + a.value.length }]));
  }
  return out;
}

const bodyRef = (b: Body): { code: string; name: string } => ({ code: b.code, name: b.name });

function draftRows(
  letter: LetterText,
  folded: string,
  di: number,
  t: TitleBlock,
  issuer: Drafted<string> | undefined,
  item: Item,
  plan: RowPlan,
  addressees: Party[],
  ctx: PartyContext,
  org: OrgDirectory,
  day: Day | undefined,
  docFlags: Flag[],
  opts: DraftOptions,
): DraftRow[] {
  const flags: Flag[] = [...docFlags];
  const quote = (p: { start: number; end: number }): string => letter.text.slice(p.start, p.end);
  const lead = plan.lead;
  let parties: Party[] = lead?.parties ?? [];
  let fromAddressees = false;
  if (!lead) {
    parties = addressees;
    fromAddressees = addressees.length > 0;
  }
  const leadSpan = lead ? spanOf(letter, lead.start, lead.end) : undefined;
  const bodies = parties.flatMap((p) => (p.kind === 'body' ? [p.body] : []));
  const groups = parties.flatMap((p) => (p.kind === 'group' ? [p] : []));
  const unknown = parties.filter((p) => p.kind === 'unknown');
  const own = parties.filter((p) => p.kind === 'committee' || p.kind === 'chairman' || p.kind === 'leader');

  const leads: Array<Drafted<Lead | undefined>> = [];
  if (parties.length === 0) {
    flags.push({ field: 'lead', message: 'không thấy cơ quan chủ trì, văn bản cũng không có "Kính gửi"' });
    leads.push(drafted(undefined, 'low'));
  } else if (unknown.length > 0) {
    const text = unknown.map(quote).join('; ');
    flags.push({ field: 'lead', message: `cơ quan chủ trì «${text}» không có trong danh bạ (org directory)` });
    leads.push(drafted({ unknown: text }, 'low', leadSpan ?? spanOf(letter, unknown[0]!.start, unknown[0]!.end)));
  } else if (own.length > 0 && bodies.length === 0 && groups.length === 0) {
    flags.push({ field: 'lead', message: `việc của chính ${quote(own[0]!)}: không giao cho cơ quan nào` });
    leads.push(drafted({ unknown: quote(own[0]!) }, 'low', leadSpan));
  } else if (groups.length > 0) {
    const concerned = groups.some((g) => g.concerned);
    const list = fromAddressees || t.addressees.length > 0 ? t.addressees.map((a) => a.value) : groups.map(quote);
    const kinds = [...new Set(groups.flatMap((g) => g.kinds))];
    const whence = fromAddressees ? 'mục không nêu cơ quan: giao cho các nơi nhận ở "Kính gửi"' : undefined;
    if (concerned) {
      flags.push({ field: 'lead', message: `cơ quan chủ trì không nêu tên («${groups.map(quote).join('; ')}»)` });
      leads.push(drafted({ unknown: groups.map(quote).join('; ') }, 'low', leadSpan));
    } else if (opts.expandAll) {
      const all = [...new Map([...bodies, ...bodiesOfKinds(org, kinds, day)].map((b) => [b.code, b])).values()];
      if (all.length === 0) {
        flags.push({ field: 'lead', message: `danh bạ không có cơ quan nào thuộc «${list.join('; ')}» vào ngày văn bản` });
        leads.push(drafted({ all: true, list, kinds }, 'low', leadSpan));
      }
      for (const b of all) leads.push(drafted(bodyRef(b), 'medium', leadSpan, `một trong ${all.length} cơ quan của «${list.join('; ')}» (--expand-all)`));
    } else {
      flags.push({ field: 'lead', message: `giao chung cho tất cả «${list.join('; ')}»: chạy lại với --expand-all để có một dòng cho mỗi cơ quan` });
      leads.push(drafted({ all: true, list, kinds }, 'medium', leadSpan, whence));
    }
  } else {
    for (const b of bodies) leads.push(drafted(bodyRef(b), lead?.explicit || bodies.length === 1 ? 'high' : 'medium', leadSpan, bodies.length > 1 ? `một trong ${bodies.length} cơ quan được nêu tên` : undefined));
  }

  // Coordinators, deadline, destination and period: from the row's own text.
  const c = findCoordinators(letter.text, folded, plan.from, plan.to, ctx);
  const coordinators = c.parties.flatMap((p) => (p.kind === 'body' ? [bodyRef(p.body)] : []));
  let coordConfidence: Drafted<unknown>['confidence'] = 'high';
  const vague = c.parties.filter((p) => p.kind !== 'body');
  if (vague.length) {
    coordConfidence = 'low';
    flags.push({ field: 'coordinators', message: `đơn vị phối hợp không nêu tên («${vague.map(quote).join('; ')}»): ghi tên cụ thể để được nhắc` });
  }
  for (const u of c.unknown) {
    coordConfidence = 'low';
    flags.push({ field: 'coordinators', message: `đơn vị phối hợp «${quote(u)}» không có trong danh bạ (org directory)` });
  }
  const coordSpan = c.parties[0] ? spanOf(letter, c.parties[0].start, c.parties[c.parties.length - 1]!.end) : c.unknown[0] ? spanOf(letter, c.unknown[0].start, c.unknown[0].end) : undefined;

  const dl = readDeadline(letter, folded, plan.from, plan.to, day);
  const dlIntro = dl.deadline.value === undefined && plan.introTo !== undefined ? readDeadline(letter, folded, item.textStart, plan.introTo, day) : undefined;
  const deadline = dlIntro && dlIntro.deadline.value !== undefined ? dlIntro : dl;
  flags.push(...deadline.flags);

  const to = findReportTo(letter.text, folded, plan.from, plan.to, ctx);
  const reportTo = to ? drafted(partyName(to, org), 'high', spanOf(letter, to.start, to.end)) : undefined;

  const freq = readRecurrence(letter, folded, plan.from, plan.to);
  let recurrence: DraftRow['recurrence'];
  if (deadline.recurrence) recurrence = drafted({ ...deadline.recurrence }, 'high', deadline.deadline.from);
  else if (freq) {
    recurrence = drafted({ freq: freq.value }, 'low', freq.from, 'văn bản không nêu ngày');
    flags.push({ field: 'recurrence', message: `nhiệm vụ định kỳ («${freq.from?.text}»${reportTo ? `, báo cáo về ${reportTo.value.name}` : ''}) nhưng không nêu ngày: ghi ngày, ví dụ «Hằng năm, trước ngày 15/12»` });
  }

  return leads.map((l) => ({
    document: di,
    ...(t.number ? { number: t.number.value } : {}),
    ...(day !== undefined ? { date: day } : {}),
    ...(issuer ? { issuer: issuer.value } : {}),
    ...(t.subject ? { subject: t.subject.value } : {}),
    item: drafted(plan.number, item.paragraph ? 'medium' : 'high', spanOf(letter, item.start, Math.min(item.end, item.textStart + 1)), item.paragraph ? 'đoạn không đánh số' : undefined),
    title: plan.title,
    content: displayText(plan.content),
    lead: l,
    coordinators: drafted(coordinators.filter((x) => !('code' in (l.value ?? {})) || x.code !== (l.value as { code: string }).code), coordConfidence, coordSpan),
    deadline: deadline.deadline,
    ...(recurrence ? { recurrence } : {}),
    ...(reportTo ? { reportTo } : {}),
    ...(t.signer ? { signer: [t.signer.value.title, t.signer.value.name].filter(Boolean).join(' ') } : {}),
    flags: [...flags],
  }));
}

function partyName(p: Party, org: OrgDirectory): { code?: string; name: string } {
  if (p.kind === 'body') return bodyRef(p.body);
  if (p.kind === 'committee') return { name: org.issuer?.name ?? 'UBND tỉnh' };
  if (p.kind === 'chairman') return { name: org.issuer?.chairman[0] ?? 'Chủ tịch UBND tỉnh', code: org.roles.chairman };
  return { name: 'Lãnh đạo UBND tỉnh phụ trách lĩnh vực' };
}
