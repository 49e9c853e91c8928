// One register row → the tasks it assigns. Every cell is checked and every problem of the row
// is reported (never only the first), naming the column and the value as the clerk wrote them.
// An item addressed to several lead bodies becomes one task per lead body (issue 3, item 2).
import type { Day } from '../core/day.js';
import type { Body, OwnIssuer } from '../core/org.js';
import { deriveTaskId, slug } from '../core/task-codec.js';
import type { Zone } from '../core/zone.js';
import { type Resolver, isGenericBodies } from './bodies.js';
import { parseDateCell } from './dates.js';
import { parseDeadlinePhrase } from './deadline-phrase.js';
import { type DocumentRef, cleanNumber, parseDocumentRef } from './document.js';
import { ownIssuerOf } from './own-issuer.js';
import { iso, readStatusEvents } from './events.js';
import { type Column, type Field, FIELD_LABEL } from './headers.js';
import type { ImportedRow, RowProblem } from './problems.js';
import type { SheetRecord } from './sheet.js';
import { fold, oneLine, splitList } from './text.js';
import { type RowCells, rowCells } from './row-cells.js';
import { type SchemaIssue, checkTaskInput } from './validate.js';

export interface RowContext {
  file: string;
  resolver: Resolver;
  zone: Zone;
  /** Default issuer: a column wins, then this (the command line), then the title block, then `own`. */
  issuer?: string;
  /** The committee itself (config `org.issuer`): the issuer of its own numbers. */
  own?: OwnIssuer;
  date1904: boolean;
  columns: Map<Field, Column>;
  /** The letter as the title block gives it, for sheets without document columns. */
  title: DocumentRef;
}

export interface RowOutcome {
  rows: ImportedRow[];
  problems: RowProblem[];
  warnings: RowProblem[];
}

const KINDS: Array<[RegExp, 'task' | 'procedure' | 'casefile']> = [
  [/^(nhiem vu|nv|task|nhiem vu duoc giao)$/, 'task'],
  [/^(thu tuc hanh chinh|tthc|ho so tthc|ho so thu tuc hanh chinh|procedure)$/, 'procedure'],
  [/^(ho so cong viec|hscv|casefile)$/, 'casefile'],
];

/** An item's text as title (its first sentence) and content (the whole text, when longer). */
export function splitItemText(text: string): { title: string; content?: string } {
  const title = titleFromContent(text);
  return text.replace(/[.;:]$/, '') === title ? { title } : { title, content: text };
}

/** The first sentence of an item, as its title; the whole text stays in `content`. */
export function titleFromContent(content: string): string {
  // At most 2,000 characters go through the regex: a 10 MB cell would overflow its stack.
  const first = content.split('\n', 1)[0]!.slice(0, 2000).trim();
  const sentence = /^(.{20,}?)[.;:!?](?:\s|$)/u.exec(first)?.[1] ?? first.replace(/[.;:]$/, '');
  return sentence.length <= 300 ? sentence : `${sentence.slice(0, 300).replace(/\s+\S*$/u, '')}…`;
}

/**
 * One row, step by step: its cells (each read once, every problem collected with the column and
 * the value), the letter, what is to be done, the bodies, the leader, the dates, the deadline,
 * the status events, the id; then one task per lead body, each through the task schema.
 */
export function readRecord(rec: SheetRecord, ctx: RowContext): RowOutcome {
  const cells = rowCells(rec, ctx);
  const letter = readLetter(cells, ctx);
  const what = readWhat(cells);
  const leads = readBodies(cells, ctx, 'lead', letter.day);
  if (!cells.text('lead')) cells.bad('lead', `thiếu đơn vị chủ trì${cells.has('lead') ? '' : ` (thêm cột "${FIELD_LABEL('lead')}")`}`);
  const coordinators = readBodies(cells, ctx, 'coordinators', letter.day);
  const leader = readLeader(cells, ctx);
  const dates = readDates(cells, ctx);
  const assignedDay = dates.assignedOn ?? letter.day;
  const deadline = readDeadline(cells, ctx, what.title, assignedDay);
  const events = readStatusEvents(rec, cells, { date1904: ctx.date1904, zone: ctx.zone, deadlineDay: deadline.day, deadlineBad: deadline.bad, assignedDay });
  const idBase = readIdBase(cells);

  // Every row goes through the task schema too, even one already refused, so its other
  // faults (a text too long, a malformed code) are reported in the same pass.
  const rows: ImportedRow[] = [];
  for (const lead of leads.length > 0 ? leads : [undefined]) {
    const json = taskJson({ letter, what, lead, leads, coordinators, leader, dates, deadline, events, idBase });
    const checked = checkTaskInput(json);
    if (checked.ok) rows.push({ row: rec.row, input: checked.input });
    else {
      for (const issue of checked.issues) {
        const key = issue.path[0] === 'source' ? `source.${String(issue.path[1])}` : String(issue.path[0]);
        if (!cells.reported.has(key)) cells.problems.push(cells.at(fieldOfIssue(issue, ctx.columns, letter.fields), issue.message));
      }
    }
  }
  // One row, one verdict: a row that fails for one of its lead bodies imports for none.
  const { problems, warnings } = cells;
  return problems.length > 0 ? { rows: [], problems: dedupe(problems), warnings } : { rows, problems, warnings };
}

interface Letter {
  number: string;
  day: Day | undefined;
  issuer: string;
  subject?: string;
  item?: string;
  /** The columns the number, date and item came from (for schema problems). */
  fields: { numberField: Field | undefined; dateField: Field | undefined; itemField: Field | undefined };
}

/** The letter: its own columns, else a combined "Văn bản" cell, else the title block. */
function readLetter(c: RowCells, ctx: RowContext): Letter {
  const docCell = c.text('document') ? parseDocumentRef(c.text('document')) : {};
  const numberField: Field | undefined = c.text('number') ? 'number' : docCell.number ? 'document' : undefined;
  const number = c.text('number') ? cleanNumber(c.text('number')) : (docCell.number ?? ctx.title.number ?? '');
  if (!number) c.bad(c.has('document') && !c.has('number') ? 'document' : 'number', `thiếu số, ký hiệu văn bản giao nhiệm vụ, ví dụ 1510/UBND-TH${c.has('number') || c.has('document') ? '' : ` (thêm cột "${FIELD_LABEL('number')}")`}`, undefined, 'source.number');
  let day: Day | undefined;
  const dateField: Field | undefined = c.rec.cells.has('date') ? 'date' : docCell.date ? 'document' : undefined;
  const docDate = dateField === 'date' ? c.dateOf('date')! : docCell.date ? parseDateCell(docCell.date) : ctx.title.date ? parseDateCell(ctx.title.date) : undefined;
  if (docDate === undefined) c.bad('date', `thiếu ngày ban hành văn bản (dd/mm/yyyy)${c.has('date') ? '' : ` (thêm cột "${FIELD_LABEL('date')}")`}`);
  else if (!docDate.ok) c.bad(dateField, docDate.message, dateField ? undefined : ctx.title.date, 'source.date');
  else day = docDate.day;
  const issuer = c.text('issuer') || ctx.issuer || ctx.title.issuer || ownIssuerOf(number, ctx.own) || '';
  if (!issuer) {
    const hint = ctx.own ? `; chỉ số ký hiệu có ${ctx.own.codes.join('/')} mới được coi là của ${ctx.own.name}` : '; hoặc đặt org.issuer trong cấu hình';
    c.bad('issuer', `thiếu cơ quan ban hành văn bản, ví dụ "UBND tỉnh Thái Nguyên"${c.has('issuer') ? '' : ` (thêm cột "${FIELD_LABEL('issuer')}"${hint})`}`);
  }
  const subject = oneLine(c.text('subject')) || docCell.subject || undefined;
  const itemField: Field | undefined = c.text('item') ? 'item' : c.text('stt') ? 'stt' : undefined;
  const item = itemField ? oneLine(c.text(itemField)).replace(/[.)]+$/, '') : undefined;
  return { number, day, issuer, ...(subject ? { subject } : {}), ...(item ? { item } : {}), fields: { numberField, dateField, itemField } };
}

interface What {
  title: string;
  content?: string;
  kind: 'task' | 'procedure' | 'casefile';
}

/** What is to be done: a title (else the item text's first sentence), the content, the kind. */
function readWhat(c: RowCells): What {
  const rawContent = c.text('content');
  const notes = c.text('notes');
  let title = oneLine(c.text('title'));
  let body = rawContent;
  if (!title && rawContent) {
    const split = splitItemText(rawContent);
    title = split.title;
    body = split.content ?? '';
  }
  if (!title) c.bad(c.has('title') ? 'title' : 'content', `không được để trống: ghi nội dung nhiệm vụ${c.has('title') || c.has('content') ? '' : ` (thêm cột "${FIELD_LABEL('content')}")`}`, undefined, 'title');
  const contentParts = [body !== title ? body : '', notes ? `${c.header('notes') ?? 'Ghi chú'}: ${notes}` : ''].filter(Boolean);
  const content = contentParts.join('\n\n') || undefined;

  let kind: What['kind'] = 'task';
  if (c.text('kind')) {
    const k = KINDS.find(([re]) => re.test(fold(oneLine(c.text('kind')))));
    if (k) kind = k[1];
    else c.bad('kind', 'cần là "Nhiệm vụ", "Thủ tục hành chính" hoặc "Hồ sơ công việc"');
  }
  return { title, ...(content ? { content } : {}), kind };
}

/** The lead or coordinating bodies, as they were on the day of the letter. */
function readBodies(c: RowCells, ctx: RowContext, f: 'lead' | 'coordinators', letterDay: Day | undefined): Body[] {
  const found: Body[] = [];
  for (const part of splitList(c.text(f))) {
    for (const x of ctx.resolver.list(part, letterDay)) {
      if (x.ok) {
        if (!found.includes(x.value)) found.push(x.value);
        if (x.note) c.warn(f, x.note, x.text);
        // Issue 3: a body without an address is reported at import, never skipped silently (one
        // that has ended is reported by the import as unaddressed, knowing today's date).
        if (!x.value.head.email && x.value.validTo === undefined) c.warn(f, `${x.value.name} (${x.value.code}) chưa có địa chỉ thư trong danh bạ cơ quan: không thư nhắc nào đến được; điền head.email`, x.text);
      } else if (f === 'coordinators' && isGenericBodies(x.text)) {
        c.warn(f, 'không chỉ rõ đơn vị nào ("các đơn vị liên quan"): không ghi là đơn vị phối hợp; ghi rõ tên các đơn vị để họ được nhắc', x.text);
      } else c.bad(f, x.message, x.text);
    }
  }
  return found;
}

function readLeader(c: RowCells, ctx: RowContext): string | undefined {
  if (!c.text('leader')) return undefined;
  const r = ctx.resolver.leader(oneLine(c.text('leader')));
  if (r.ok) return r.value.code;
  c.bad('leader', r.message);
  return undefined;
}

interface Dates {
  assignedOn?: Day;
  receivedAt?: string;
}

/** When it was assigned (default: the letter's date) and, for procedures, received. */
function readDates(c: RowCells, ctx: RowContext): Dates {
  const out: Dates = {};
  const assigned = c.dateOf('assigned_on');
  if (assigned && !assigned.ok) c.bad('assigned_on', assigned.message);
  else if (assigned?.ok) out.assignedOn = assigned.day;
  const received = c.dateOf('received_at');
  if (received && !received.ok) c.bad('received_at', received.message);
  else if (received?.ok) out.receivedAt = ctx.zone.formatInstant(ctx.zone.instantAt(received.day, received.minute ?? 0));
  return out;
}

interface DeadlineCell {
  /** YYYY-MM-DD[THH:MM], null for none ("Thường xuyên"), undefined when the cell is empty. */
  text?: string | null;
  day?: Day;
  recurrence?: { freq: 'yearly' | 'quarterly' | 'monthly'; month?: number; day: number };
  bad: boolean;
}

/** The deadline: a date cell, a date, or a phrase ("Quý II/2022", "Thường xuyên", "hằng năm …"). */
function readDeadline(c: RowCells, ctx: RowContext, title: string, assignedDay: Day | undefined): DeadlineCell {
  const dl = c.rec.cells.get('deadline');
  const out: DeadlineCell = { bad: false };
  if (dl === undefined) {
    if (title) c.warn('deadline', 'không có thời hạn: nhiệm vụ sẽ không có thời hạn (ghi "Thường xuyên" nếu đúng như vậy)');
    return out;
  }
  const r = typeof dl === 'string' ? parseDeadlinePhrase(dl) : parseDateCell(dl, { date1904: ctx.date1904 });
  if (!r.ok) {
    c.bad('deadline', r.message);
    return { bad: true };
  }
  if ('deadline' in r) {
    out.text = r.deadline ? iso(r.deadline.day, r.deadline.minute) : null;
    if (r.deadline) out.day = r.deadline.day;
    if (r.recurrence) out.recurrence = r.recurrence;
  } else {
    out.text = iso(r.day, r.minute);
    out.day = r.day;
  }
  if (out.day !== undefined && assignedDay !== undefined && out.day < assignedDay) {
    // Not an error (issue 3): letters do set deadlines already past, e.g. to regularise.
    c.warn('deadline', `thời hạn sớm hơn ngày giao (${iso(assignedDay)})`);
  }
  return out;
}

function readIdBase(c: RowCells): string | undefined {
  if (!c.text('id')) return undefined;
  const base = slug(c.text('id'));
  if (!base) c.bad('id', 'mã nhiệm vụ cần có chữ hoặc số');
  return base || undefined;
}

/** The task shape (task-codec) for one lead body of the row. */
function taskJson(r: {
  letter: Letter;
  what: What;
  lead: Body | undefined;
  leads: readonly Body[];
  coordinators: readonly Body[];
  leader: string | undefined;
  dates: Dates;
  deadline: DeadlineCell;
  events: Array<Record<string, unknown>>;
  idBase: string | undefined;
}): Record<string, unknown> {
  const { letter, what, lead, dates, deadline } = r;
  const source = { number: letter.number, date: letter.day === undefined ? '' : iso(letter.day), issuer: letter.issuer, ...(letter.subject ? { subject: letter.subject } : {}), ...(letter.item ? { item: letter.item } : {}) };
  const leadCode = lead?.code ?? '';
  const id = r.idBase ? (r.leads.length > 1 ? `${r.idBase}-${slug(leadCode)}` : r.idBase) : letter.day === undefined ? undefined : deriveTaskId({ ...source, date: letter.day }, leadCode);
  return {
    ...(id ? { id } : {}),
    kind: what.kind,
    title: what.title,
    ...(what.content ? { content: what.content } : {}),
    source,
    lead: leadCode,
    coordinators: r.coordinators.filter((c) => c !== lead).map((c) => c.code),
    ...(r.leader ? { leader: r.leader } : {}),
    ...(dates.assignedOn !== undefined ? { assigned_on: iso(dates.assignedOn) } : {}),
    ...(dates.receivedAt ? { received_at: dates.receivedAt } : {}),
    ...(deadline.text !== undefined ? { deadline: deadline.text } : {}),
    ...(deadline.recurrence ? { recurrence: deadline.recurrence } : {}),
    events: r.events,
  };
}

function fieldOfIssue(issue: SchemaIssue, columns: Map<Field, Column>, used: { numberField: Field | undefined; dateField: Field | undefined; itemField: Field | undefined }): Field | undefined {
  const [a, b] = issue.path;
  const has = (f: Field): Field | undefined => (columns.has(f) ? f : undefined);
  switch (a) {
    case 'title':
      return has('title') ?? has('content');
    case 'source':
      if (b === 'number') return used.numberField;
      if (b === 'date') return used.dateField;
      if (b === 'item') return used.itemField;
      return has(b as Field);
    case 'events':
      return has('completed') ?? has('extended_to');
    case 'recurrence':
      return has('deadline');
    case 'id':
      return has('id') ?? used.itemField;
    default:
      return typeof a === 'string' && columns.has(a as Field) ? (a as Field) : undefined;
  }
}

function dedupe(ps: RowProblem[]): RowProblem[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.column}\u0000${p.value}\u0000${p.message}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
