// The JSON shape of a task at the edges (API bodies, import files, the store), its zod schema,
// and the conversion to and from the core Task. Dates are YYYY-MM-DD, instants ISO-8601.
import { z } from 'zod';
import { type Day, formatIsoDay, parseIsoDay } from './day.js';
import { foldName } from './org.js';
import { RECURRENCE_FORMS, parseRecurrenceText } from './recurrence-text.js';
import { type Deadline, type Recurrence, type Task, TASK_KINDS } from './task.js';
import { type Zone, parseInstant } from './zone.js';

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v) : String(v));

/**
 * Strips control characters (CR, LF, TAB, NUL, C1, U+2028/2029…) that could break a mail header
 * or a log line, and the invisible zero-width space and BOM (as the importer does), so a text of
 * nothing else counts as empty.
 */
export const clean = (s: string): string =>
  s.normalize('NFC').replace(/[\u200b\ufeff]/g, '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').trim();

const MAX_TEXT = 20_000;

export const nfcText = (max = 2_000) =>
  z
    .string({ error: (iss) => `expected text, got ${shown(iss.input)}` })
    .max(max, { error: `too long (at most ${max} characters)` })
    .transform(clean)
    .refine((s) => s.length > 0, { message: 'must not be empty' });

/** Multi-line text (content, notes): keeps line breaks, strips other control characters. */
export const nfcLongText = z
  .string({ error: (iss) => `expected text, got ${shown(iss.input)}` })
  .max(MAX_TEXT, { error: `too long (at most ${MAX_TEXT} characters)` })
  .transform((s) => s.normalize('NFC').replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim());

export const dayString = z.string({ error: (iss) => `expected a date YYYY-MM-DD, got ${shown(iss.input)}` }).transform((s, ctx): Day => {
  const d = parseIsoDay(s);
  if (d === null || s.slice(0, 4) < '1900' || s.slice(0, 4) > '2199') {
    ctx.issues.push({ code: 'custom', input: s, message: `expected a date YYYY-MM-DD between 1900 and 2199, got ${shown(s)}` });
    return z.NEVER;
  }
  return d;
});

/** An instant: ISO date-time with or without offset (without: local time in the zone), checked later. */
export const instantString = z
  .string({ error: (iss) => `expected a date-time like 2026-02-06T07:30:00+07:00, got ${shown(iss.input)}` })
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/, {
    error: (iss) => `expected a date-time like 2026-02-06T07:30:00+07:00, got ${shown(iss.input)}`,
  });

/** "2022-06-30" (end of that day) or "2022-06-30T17:00" (local time). */
export const deadlineString = z.string({ error: (iss) => `expected a deadline YYYY-MM-DD or YYYY-MM-DDTHH:MM, got ${shown(iss.input)}` }).transform((s, ctx): Deadline => {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(s.trim());
  const day = m ? parseIsoDay(m[1]!) : null;
  const h = m?.[2] === undefined ? undefined : Number(m[2]);
  const mi = m?.[3] === undefined ? undefined : Number(m[3]);
  if (!m || day === null || (h !== undefined && (h > 23 || mi! > 59)) || m[1]! < '1900' || m[1]! > '2199-12-31') {
    ctx.issues.push({ code: 'custom', input: s, message: `expected a deadline YYYY-MM-DD or YYYY-MM-DDTHH:MM, got ${shown(s)}` });
    return z.NEVER;
  }
  return h === undefined ? { day } : { day, minute: h * 60 + mi! };
});

export const bodyCode = z
  .string({ error: (iss) => `expected a body code, got ${shown(iss.input)}` })
  .transform((s) => s.normalize('NFC').trim())
  .refine((s) => /^[A-Za-z0-9_.-]{1,40}$/.test(s), { error: (iss) => `expected a body code (letters, digits, - _ .), got ${shown(iss.input)}` });

export const TASK_ID_RE = /^[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?$/;
export const taskId = z.string().refine((s) => TASK_ID_RE.test(s), {
  error: (iss) => `expected a task id of a–z, 0–9 and "-" (at most 120), got ${shown(iss.input)}`,
});

const RECURRENCE_OBJECT = 'an object like { freq: yearly, month: 12, day: 15 }';
const wholeIn = (what: string, min: number, max: number) =>
  z
    .number({ error: (iss) => `expected ${what} (${min}–${max}), got ${shown(iss.input)}` })
    .int({ error: (iss) => `expected ${what} (${min}–${max}), got ${shown(iss.input)}` })
    .min(min, { error: (iss) => `expected ${what} (${min}–${max}), got ${shown(iss.input)}` })
    .max(max, { error: (iss) => `expected ${what} (${min}–${max}), got ${shown(iss.input)}` });

const recurrenceObject = z
  .strictObject(
    {
      freq: z.enum(['yearly', 'quarterly', 'monthly'], { error: (iss) => `expected freq yearly, quarterly or monthly, got ${shown(iss.input)}` }),
      month: wholeIn('a month (quarterly: the month within the quarter)', 1, 12).optional(),
      day: wholeIn('a day of the month', 1, 31),
      from: dayString.optional(),
      until: dayString.optional(),
    },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? `unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}: a recurrence has freq, month, day, from, until`
          : `expected ${RECURRENCE_FORMS}, or ${RECURRENCE_OBJECT}, got ${shown(iss.input)}`,
    },
  )
  .superRefine((r, ctx) => {
    if (r.freq === 'quarterly' && r.month !== undefined && r.month > 3) ctx.addIssue({ code: 'custom', path: ['month'], message: 'for quarterly, the month within the quarter (1–3)' });
    if (r.from !== undefined && r.until !== undefined && r.until < r.from) ctx.addIssue({ code: 'custom', path: ['until'], message: 'must not be before from' });
  });

/**
 * A periodic duty: a short form ("yearly", "hằng năm 15/12", "hằng quý ngày 20", "monthly 25";
 * recurrence-text.ts) or the object { freq, month, day, from, until }. Every refusal says what
 * to write, never a bare schema message.
 */
export const recurrenceSchema = z.unknown().transform((v, ctx): z.output<typeof recurrenceObject> => {
  if (typeof v === 'string') {
    const r = parseRecurrenceText(v);
    if (r.ok) return r.value;
    ctx.issues.push({ code: 'custom', input: v, message: r.message });
    return z.NEVER;
  }
  const r = recurrenceObject.safeParse(v);
  if (r.success) return r.data;
  for (const i of r.error.issues) ctx.issues.push({ code: 'custom', input: v, path: i.path, message: i.message });
  return z.NEVER;
});

export const sourceSchema = z.strictObject({
  number: nfcText(100).transform((s) => s.replace(/\s+/g, '')),
  date: dayString,
  issuer: nfcText(300),
  subject: nfcText(1000).optional(),
  item: nfcText(40).optional(),
});

/** Status events written into a task file (simulate fixtures, imports with a completion column). */
export const taskEventInputSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('completed'), on: z.union([dayString, instantString]).optional(), at: instantString.optional(), occurrence: z.string().optional(), note: nfcLongText.optional(), document: nfcText(200).optional() }),
  z.strictObject({ type: z.literal('extended'), at: instantString.optional(), on: dayString.optional(), occurrence: z.string().optional(), deadline: deadlineString, document: nfcText(300), approved_by: nfcText(200) }),
  z.strictObject({ type: z.literal('cancelled'), at: instantString.optional(), on: dayString.optional(), occurrence: z.string().optional(), reason: nfcText(1000) }),
]);

export const taskInputSchema = z.strictObject({
  id: taskId.optional(),
  kind: z.enum(TASK_KINDS).default('task'),
  title: nfcText(1000),
  content: nfcLongText.optional(),
  source: sourceSchema,
  lead: bodyCode,
  coordinators: z.array(bodyCode).max(200).default([]),
  leader: bodyCode.optional(),
  assigned_on: dayString.optional(),
  received_at: instantString.optional(),
  deadline: deadlineString.nullable().optional(),
  recurrence: recurrenceSchema.optional(),
  events: z.array(taskEventInputSchema).max(1000).default([]),
});

export type TaskInput = z.output<typeof taskInputSchema>;
export type TaskInputJson = z.input<typeof taskInputSchema>;
export type TaskEventInput = z.output<typeof taskEventInputSchema>;

/** Folds text into an id fragment: no diacritics, đ→d, [a-z0-9-] only (the org name fold, dashed). */
export function slug(s: string): string {
  return foldName(s)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * A task's id from what identifies it — document number, document date, item number, lead
 * body — never from its text or deadline, so fixing a typo or moving a deadline keeps the id.
 */
export function deriveTaskId(source: { number: string; date: Day; item?: string | undefined }, lead: string): string {
  const parts = [slug(source.number), formatIsoDay(source.date).replace(/-/g, ''), source.item ? slug(source.item) : '', slug(lead)];
  return parts.filter(Boolean).join('-').slice(0, 120).replace(/-+$/, '');
}

export function formatDeadline(d: Deadline): string {
  if (d.minute === undefined) return formatIsoDay(d.day);
  return `${formatIsoDay(d.day)}T${String(Math.floor(d.minute / 60)).padStart(2, '0')}:${String(d.minute % 60).padStart(2, '0')}`;
}

export function recurrenceToJson(r: Recurrence): Record<string, unknown> {
  return {
    freq: r.freq,
    ...(r.month !== undefined ? { month: r.month } : {}),
    day: r.day,
    ...(r.from !== undefined ? { from: formatIsoDay(r.from) } : {}),
    ...(r.until !== undefined ? { until: formatIsoDay(r.until) } : {}),
  };
}

/** Parses an instant field against the configured zone; null when it is not a real instant. */
export function toInstant(text: string, zone: Zone): number | null {
  return parseInstant(text, zone.name);
}

/** The JSON shape of a stored task (without derived status or history). */
export function taskToJson(t: Task, zone: Zone): Record<string, unknown> {
  return {
    id: t.id,
    revision: t.revision,
    kind: t.kind,
    title: t.title,
    ...(t.content ? { content: t.content } : {}),
    source: {
      number: t.source.number,
      date: formatIsoDay(t.source.date),
      issuer: t.source.issuer,
      ...(t.source.subject ? { subject: t.source.subject } : {}),
      ...(t.source.item ? { item: t.source.item } : {}),
    },
    lead: t.lead,
    coordinators: t.coordinators,
    ...(t.leader ? { leader: t.leader } : {}),
    assigned_on: formatIsoDay(t.assignedOn),
    ...(t.receivedAt !== undefined ? { received_at: zone.formatInstant(t.receivedAt) } : {}),
    deadline: t.deadline ? formatDeadline(t.deadline) : null,
    ...(t.recurrence ? { recurrence: recurrenceToJson(t.recurrence) } : {}),
    extensions: t.extensions.map((e) => ({
      occurrence: e.occurrence,
      previous: formatDeadline(e.previous),
      deadline: formatDeadline(e.deadline),
      document: e.document,
      approved_by: e.approvedBy,
      at: zone.formatInstant(e.at),
    })),
    occurrences: Object.fromEntries(
      Object.entries(t.occurrences).map(([k, o]) => [
        k,
        {
          ...(o.completedAt !== undefined ? { completed_at: zone.formatInstant(o.completedAt) } : {}),
          ...(o.completionNote ? { completion_note: o.completionNote } : {}),
          ...(o.cancelledAt !== undefined ? { cancelled_at: zone.formatInstant(o.cancelledAt) } : {}),
          ...(o.cancelReason ? { cancel_reason: o.cancelReason } : {}),
        },
      ]),
    ),
    ...(t.cancelledAt !== undefined ? { cancelled_at: zone.formatInstant(t.cancelledAt), cancel_reason: t.cancelReason } : {}),
    created_at: zone.formatInstant(t.createdAt),
    updated_at: zone.formatInstant(t.updatedAt),
  };
}
