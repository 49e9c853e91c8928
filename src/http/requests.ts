// The shapes of API requests (zod, strict: an unknown field is an error naming it) and the
// conversion of zod issues to `{ path, message }` problems with field paths like
// `source.date` or `coordinators[1]`.
import { z } from 'zod';
import { formatPath } from '../config/load.js';
import { TASK_STATUSES, type TaskStatus } from '../core/status.js';
import { dayString, deadlineString, instantString, nfcLongText, nfcText, taskInputSchema } from '../core/task-codec.js';
import { DondocError, type Problem } from '../errors.js';

export function zodToProblems(error: z.ZodError, prefix = ''): Problem[] {
  return error.issues.map((i) => {
    let message = i.message;
    if (i.code === 'unrecognized_keys') message = `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')} (check the spelling)`;
    if (i.code === 'invalid_type' && i.input === undefined) message = 'required';
    const p = formatPath(i.path);
    return { path: prefix ? (p === '(top level)' ? prefix : `${prefix}.${p}`) : p, message };
  });
}

/** Parses with a schema or throws INPUT_REJECTED listing every problem. */
export function parseOr400<S extends z.ZodType>(schema: S, data: unknown, what: string): z.output<S> {
  // reportInput: without it zod 4 leaves `input` out of every issue, and a field of the wrong
  // type would be reported as "required" below.
  const r = schema.safeParse(data ?? {}, { reportInput: true });
  if (r.success) return r.data;
  const problems = zodToProblems(r.error, what === 'body' ? '' : what);
  throw new DondocError('INPUT_REJECTED', `invalid ${what}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}

const occurrence = z.string().regex(/^(once|\d{4}(-Q[1-4]|-\d{2})?)$/, { error: 'expected an occurrence like once, 2026, 2026-Q2 or 2026-06' });

export const completeBody = z
  .strictObject({
    completed_at: instantString.optional(),
    completed_on: dayString.optional(),
    note: nfcLongText.optional(),
    document: nfcText(300).optional(),
    occurrence: occurrence.optional(),
  })
  .refine((b) => b.completed_at === undefined || b.completed_on === undefined, { message: 'give completed_at or completed_on, not both', path: ['completed_on'] });

export const extendBody = z.strictObject({
  deadline: deadlineString,
  document: nfcText(300),
  approved_by: nfcText(200),
  occurrence: occurrence.optional(),
});

export const cancelBody = z.strictObject({
  reason: nfcText(1000),
  occurrence: occurrence.optional(),
});

export const taskBody = taskInputSchema;

const statusList = z.string().transform((s, ctx): TaskStatus[] => {
  const parts = s.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = parts.filter((p) => !(TASK_STATUSES as readonly string[]).includes(p));
  if (bad.length || !parts.length) {
    ctx.issues.push({ code: 'custom', input: s, message: `expected one or more of ${TASK_STATUSES.join(', ')} (comma-separated), got ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return parts as TaskStatus[];
});

export const listQuery = z.strictObject({
  status: statusList.optional(),
  body: z.string().min(1).max(300).optional(),
  due_before: dayString.optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, { error: 'expected a number from 1 to 1000' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, { error: 'expected a number from 1 to 1000' })
    .optional(),
  cursor: z.string().max(20).optional(),
});

export const idParam = z.strictObject({
  id: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?$/, { error: 'expected a task id of a–z, 0–9 and "-"' }),
});

/** If-Match: `"3"`, `W/"3"` or `3`; `*` (or absent) means no check. */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const v = (Array.isArray(header) ? header.join(',') : header).trim();
  if (v === '*' || v === '') return undefined;
  const m = /^(?:W\/)?"?(\d{1,12})"?$/.exec(v);
  if (!m) throw new DondocError('INPUT_REJECTED', `If-Match: expected the task's revision (the ETag, e.g. "3"), got ${JSON.stringify(v)}`, [{ path: 'If-Match', message: 'expected a revision' }]);
  return Number(m[1]);
}

