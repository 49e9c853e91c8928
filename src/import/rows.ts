// One register row → the tasks it assigns. Every cell is checked and every problem of the row
// is reported (never only the first), naming the column and the value as the clerk wrote them.
// An item addressed to several lead bodies becomes one task per lead body (issue 3, item 2).
import type { Day } from '../core/day.js';
import type { Body, OwnIssuer } from '../core/org.js';
import { deriveTaskId, slug } from '../core/task-codec.js';
import type { Zone } from '../core/zone.js';
import { type Resolver, isGenericBodies } from './bodies.js';
import { type DateParse, parseDateCell } from './dates.js';
import { parseDeadlinePhrase } from './deadline-phrase.js';
import { type DocumentRef, cleanNumber, parseDocumentRef } from './document.js';
import { ownIssuerOf } from './own-issuer.js';
import { type RowReport, iso, readStatusEvents } from './events.js';
import { type Column, type Field, FIELD_LABEL } from './headers.js';
import type { ImportedRow, RowProblem } from './problems.js';
import type { SheetRecord } from './sheet.js';
import { cellText, fold, oneLine, splitList } from './text.js';
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

export function readRecord(rec: SheetRecord, ctx: RowContext): RowOutcome {
  const { file, columns } = ctx;
  const problems: RowProblem[] = [];
  const warnings: RowProblem[] = [];
  const row = rec.row;
  const texts = new Map<Field, string>();
  const text = (f: Field): string => {
    let t = texts.get(f);
    if (t === undefined) texts.set(f, (t = cellText(rec.cells.get(f) ?? null)));
    return t;
  };
  const header = (f: Field): string | undefined => columns.get(f)?.header;
  const at = (f: Field | undefined, message: string, value?: string): RowProblem => {
    const column = f ? header(f) : undefined;
    const v = value ?? (f ? text(f) : '');
    return { file, row, ...(column !== undefined ? { column } : {}), ...(v !== '' ? { value: v } : {}), message };
  };
  // What the schema check at the end need not repeat: the task fields already reported.
  const reported = new Set<string>();
  const bad = (f: Field | undefined, message: string, value?: string, key = f ? SCHEMA_KEY[f] : undefined): void => {
    problems.push(at(f, message, value));
    if (key) reported.add(key);
  };
  const warn = (f: Field | undefined, message: string, value?: string): void => void warnings.push(at(f, message, value));
  const report: RowReport = { text, header, has: (f) => columns.has(f), bad, warn };
  const dateOf = (f: Field): DateParse | undefined => (rec.cells.has(f) ? parseDateCell(rec.cells.get(f)!, { date1904: ctx.date1904 }) : undefined);

  // The letter: own columns, else a combined "Văn bản" cell, else the title block.
  const docCell = text('document') ? parseDocumentRef(text('document')) : {};
  const numberField: Field | undefined = text('number') ? 'number' : docCell.number ? 'document' : undefined;
  const number = text('number') ? cleanNumber(text('number')) : (docCell.number ?? ctx.title.number ?? '');
  if (!number) bad(columns.has('document') && !columns.has('number') ? 'document' : 'number', `missing: the number of the letter that assigns the task, e.g. 1510/UBND-TH${columns.has('number') || columns.has('document') ? '' : ` (add a column "${FIELD_LABEL('number')}")`}`, undefined, 'source.number');
  let docDay: Day | undefined;
  const dateField: Field | undefined = rec.cells.has('date') ? 'date' : docCell.date ? 'document' : undefined;
  const docDate = dateField === 'date' ? dateOf('date')! : docCell.date ? parseDateCell(docCell.date) : ctx.title.date ? parseDateCell(ctx.title.date) : undefined;
  if (docDate === undefined) bad('date', `missing: the date of the letter (dd/mm/yyyy)${columns.has('date') ? '' : ` (add a column "${FIELD_LABEL('date')}")`}`);
  else if (!docDate.ok) bad(dateField, docDate.message, dateField ? undefined : ctx.title.date, 'source.date');
  else docDay = docDate.day;
  const issuer = text('issuer') || ctx.issuer || ctx.title.issuer || ownIssuerOf(number, ctx.own) || '';
  if (!issuer) {
    const hint = ctx.own ? `; only numbers carrying ${ctx.own.codes.join('/')} are taken as ${ctx.own.name}'s own` : '; or set org.issuer in the config';
    bad('issuer', `missing: who issued the letter, e.g. "UBND tỉnh Thái Nguyên"${columns.has('issuer') ? '' : ` (add a column "${FIELD_LABEL('issuer')}"${hint})`}`);
  }
  const subject = oneLine(text('subject')) || docCell.subject || undefined;
  const itemField: Field | undefined = text('item') ? 'item' : text('stt') ? 'stt' : undefined;
  const item = itemField ? oneLine(text(itemField)).replace(/[.)]+$/, '') : undefined;

  // What is to be done.
  const rawContent = text('content');
  const notes = text('notes');
  let title = oneLine(text('title'));
  let body = rawContent;
  if (!title && rawContent) {
    const split = splitItemText(rawContent);
    title = split.title;
    body = split.content ?? '';
  }
  if (!title) bad(columns.has('title') ? 'title' : 'content', `must not be empty: write what is to be done${columns.has('title') || columns.has('content') ? '' : ` (add a column "${FIELD_LABEL('content')}")`}`, undefined, 'title');
  const contentParts = [body !== title ? body : '', notes ? `${header('notes') ?? 'Ghi chú'}: ${notes}` : ''].filter(Boolean);
  const content = contentParts.join('\n\n') || undefined;

  let kind: 'task' | 'procedure' | 'casefile' = 'task';
  if (text('kind')) {
    const k = KINDS.find(([re]) => re.test(fold(oneLine(text('kind')))));
    if (k) kind = k[1];
    else bad('kind', 'expected "Nhiệm vụ" (task), "Thủ tục hành chính" (procedure) or "Hồ sơ công việc" (casefile)');
  }

  // Bodies, as they were on the day of the letter.
  const bodiesIn = (f: 'lead' | 'coordinators'): Body[] => {
    const found: Body[] = [];
    for (const part of splitList(text(f))) {
      const r = ctx.resolver.list(part, docDay);
      for (const x of r) {
        if (x.ok) {
          if (!found.includes(x.value)) found.push(x.value);
          if (x.note) warn(f, x.note, x.text);
          // Issue 3: a body without an address is reported at import, never skipped silently.
          if (!x.value.head.email) warn(f, `${x.value.name} (${x.value.code}) has no address in the org directory: no reminder can reach it; set its head.email`, x.text);
        } else if (f === 'coordinators' && isGenericBodies(x.text)) {
          warn(f, 'names no particular body ("the bodies concerned"): not recorded as a coordinator; name the bodies to have them reminded', x.text);
        } else bad(f, x.message, x.text);
      }
    }
    return found;
  };
  const leads = bodiesIn('lead');
  if (!text('lead')) bad('lead', `missing: the lead body (đơn vị chủ trì)${columns.has('lead') ? '' : ` (add a column "${FIELD_LABEL('lead')}")`}`);
  const coordinators = bodiesIn('coordinators');

  let leader: string | undefined;
  if (text('leader')) {
    const r = ctx.resolver.leader(oneLine(text('leader')));
    if (r.ok) leader = r.value.code;
    else bad('leader', r.message);
  }

  let assignedOn: Day | undefined;
  const assigned = dateOf('assigned_on');
  if (assigned && !assigned.ok) bad('assigned_on', assigned.message);
  else if (assigned?.ok) assignedOn = assigned.day;

  let receivedAt: string | undefined;
  const received = dateOf('received_at');
  if (received && !received.ok) bad('received_at', received.message);
  else if (received?.ok) receivedAt = ctx.zone.formatInstant(ctx.zone.instantAt(received.day, received.minute ?? 0));

  // The deadline: a date cell, a date, or a phrase ("Quý II/2022", "Thường xuyên").
  let deadline: string | null | undefined;
  let deadlineDay: Day | undefined;
  let recurrence: { freq: 'yearly' | 'quarterly' | 'monthly'; month?: number; day: number } | undefined;
  const dl = rec.cells.get('deadline');
  let deadlineBad = false;
  if (dl !== undefined) {
    const r = typeof dl === 'string' ? parseDeadlinePhrase(dl) : parseDateCell(dl, { date1904: ctx.date1904 });
    deadlineBad = !r.ok;
    if (!r.ok) bad('deadline', r.message);
    else if ('deadline' in r) {
      deadline = r.deadline ? iso(r.deadline.day, r.deadline.minute) : null;
      deadlineDay = r.deadline?.day;
      if (r.recurrence) recurrence = r.recurrence;
    } else {
      deadline = iso(r.day, r.minute);
      deadlineDay = r.day;
    }
  } else if (title) warn('deadline', 'no deadline given: the task will have none (write "Thường xuyên" to say so)');
  const assignedDay = assignedOn ?? docDay;
  if (deadlineDay !== undefined && assignedDay !== undefined && deadlineDay < assignedDay) {
    // Not an error (issue 3): letters do set deadlines already past, e.g. to regularise.
    warn('deadline', `the deadline is before the assignment (${iso(assignedDay)})`);
  }

  const events = readStatusEvents(rec, report, { date1904: ctx.date1904, zone: ctx.zone, deadlineDay, deadlineBad, assignedDay });

  let idBase: string | undefined;
  if (text('id')) {
    idBase = slug(text('id'));
    if (!idBase) bad('id', 'an id needs letters or digits');
  }

  // Every row goes through the task schema too, even one already refused, so its other
  // faults (a text too long, a malformed code) are reported in the same pass.
  const rows: ImportedRow[] = [];
  for (const lead of leads.length > 0 ? leads : [undefined]) {
    const source = { number, date: docDay === undefined ? '' : iso(docDay), issuer, ...(subject ? { subject } : {}), ...(item ? { item } : {}) };
    const leadCode = lead?.code ?? '';
    const id = idBase ? (leads.length > 1 ? `${idBase}-${slug(leadCode)}` : idBase) : docDay === undefined ? undefined : deriveTaskId({ ...source, date: docDay }, leadCode);
    const json = {
      ...(id ? { id } : {}),
      kind,
      title,
      ...(content ? { content } : {}),
      source,
      lead: leadCode,
      coordinators: coordinators.filter((c) => c !== lead).map((c) => c.code),
      ...(leader ? { leader } : {}),
      ...(assignedOn !== undefined ? { assigned_on: iso(assignedOn) } : {}),
      ...(receivedAt ? { received_at: receivedAt } : {}),
      ...(deadline !== undefined ? { deadline } : {}),
      ...(recurrence ? { recurrence } : {}),
      events,
    };
    const checked = checkTaskInput(json);
    if (checked.ok) rows.push({ row, input: checked.input });
    else {
      for (const issue of checked.issues) {
        const key = issue.path[0] === 'source' ? `source.${String(issue.path[1])}` : String(issue.path[0]);
        if (!reported.has(key)) problems.push(at(fieldOfIssue(issue, columns, { numberField, dateField, itemField }), issue.message));
      }
    }
  }
  // One row, one verdict: a row that fails for one of its lead bodies imports for none.
  return problems.length > 0 ? { rows: [], problems: dedupe(problems), warnings } : { rows, problems, warnings };
}

/** The task field (schema path) a column feeds, so the schema check does not repeat a problem. */
const SCHEMA_KEY: Record<Field, string> = {
  id: 'id',
  item: 'source.item',
  stt: 'source.item',
  number: 'source.number',
  date: 'source.date',
  document: 'source.number',
  issuer: 'source.issuer',
  subject: 'source.subject',
  title: 'title',
  content: 'content',
  kind: 'kind',
  lead: 'lead',
  coordinators: 'coordinators',
  leader: 'leader',
  assigned_on: 'assigned_on',
  received_at: 'received_at',
  deadline: 'deadline',
  completed: 'events',
  extended_to: 'events',
  extension_document: 'events',
  extension_approver: 'events',
  notes: 'content',
};

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
