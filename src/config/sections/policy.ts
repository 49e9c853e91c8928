// Config section `policy`: the reminder and escalation ladder of letter 7176/UBND-NC.
// The defaults below ARE the 7176 ladder (README: "The 7176 ladder"); admins change any of it.
// Every step counts from the task's effective deadline date D (Civil Code Art. 148):
// "N working days before" fires on add(D, −N), "on: deadline" on D, "after N working days"
// on add(D, N), at the opening of office hours unless the step names a time (`at`).
import { z } from 'zod';
import { type Duration, formatDuration, isDayDuration, parseDuration } from '../../core/duration.js';
import {
  type KindPolicy,
  type Policy,
  type PolicyStep,
  type RecipientRole,
  type StepKind,
  RECIPIENT_ROLES,
  defaultStepId,
} from '../../core/policy.js';
import { TASK_KINDS, type TaskKind } from '../../core/task.js';
import { clockTime, isoDay } from '../fields.js';
import { basisSchema } from './basis.js';
import { bundleSchema } from './bundle.js';

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** A duration as people write it; the message names what to write. */
export const durationField = z.unknown().transform((v, ctx): Duration => {
  const d = typeof v === 'string' ? parseDuration(v) : null;
  if (!d) {
    ctx.issues.push({ code: 'custom', input: v, message: `expected a duration like '3 working days', got ${shown(v)}` });
    return z.NEVER;
  }
  return d;
});

const role = z.enum(RECIPIENT_ROLES, { error: (iss) => `expected one of ${RECIPIENT_ROLES.join(', ')}, got ${shown(iss.input)}` });
const roles = z.array(role, { error: (iss) => `expected a list of roles like [head, provincial_office], got ${shown(iss.input)}` });

const stepId = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, { error: (iss) => `expected an id of a–z, 0–9 and "-" (at most 32), got ${shown(iss.input)}` });
const templateName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, { error: (iss) => `expected a template name like reminder or escalation-1, got ${shown(iss.input)}` });

const stepFields = {
  before: durationField.optional(),
  after: durationField.optional(),
  /** `on: deadline` — on the day D itself. */
  on: z.literal('deadline', { error: (iss) => `expected "deadline", got ${shown(iss.input)}` }).optional(),
  /** A wall-clock time for the step instead of the office opening, e.g. "14:00". */
  at: clockTime.optional(),
  to: roles.optional(),
  cc: roles.optional(),
  id: stepId.optional(),
  template: templateName.optional(),
};

const repeatSchema = z.strictObject({
  every: durationField.refine(isDayDuration, { error: 'a repeat counts in days or working days, e.g. "10 working days"' }),
  times: z.number({ error: 'expected a whole number of repeats' }).int().min(0).max(50),
});

interface StepDefaults {
  kind: StepKind;
  to: RecipientRole[];
  cc: RecipientRole[];
  template: (level: number) => string;
  allowed: Array<'before' | 'after' | 'on'>;
}

type StepInput = {
  before?: Duration | undefined;
  after?: Duration | undefined;
  on?: 'deadline' | undefined;
  at?: number | undefined;
  to?: RecipientRole[] | undefined;
  cc?: RecipientRole[] | undefined;
  id?: string | undefined;
  template?: string | undefined;
  level?: number | undefined;
  repeat?: { every: Duration; times: number } | undefined;
};

const anchorsText = (d: StepDefaults, sep: string): string => d.allowed.map((k) => (k === 'on' ? 'on: deadline' : k)).join(sep);

/** Checks one step (all problems reported together with the rest of the config). */
function checkStep(s: StepInput, d: StepDefaults, ctx: z.RefinementCtx): void {
  const given = (['before', 'after', 'on'] as const).filter((k) => s[k] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `give exactly one of ${anchorsText(d, ', ')}` });
    return;
  }
  const which = given[0]!;
  if (!d.allowed.includes(which)) {
    ctx.addIssue({ code: 'custom', path: [which], message: `${d.kind.replace('_', ' ')} steps take ${anchorsText(d, ' or ')}` });
    return;
  }
  const duration = which === 'on' ? undefined : s[which]!;
  if (d.kind === 'escalation' && duration?.amount === 0) {
    ctx.addIssue({ code: 'custom', path: [which], message: 'an escalation comes after the deadline has passed: use at least 1 working day' });
  }
  if (s.at !== undefined && duration && !isDayDuration(duration)) {
    ctx.addIssue({ code: 'custom', path: ['at'], message: `a time of day only applies to steps in days (this one is ${formatDuration(duration)})` });
  }
}

function toStep(s: StepInput, d: StepDefaults): PolicyStep {
  const which = s.after !== undefined ? 'after' : 'before';
  const duration: Duration = s.on !== undefined ? { amount: 0, unit: 'working_day' } : (s.after ?? s.before)!;
  const offset = { direction: which, duration } as const;
  const level = s.level ?? 0;
  return {
    id: s.id ?? defaultStepId(d.kind, level, offset, s.at),
    kind: d.kind,
    level,
    offset,
    ...(s.at !== undefined ? { minute: s.at } : {}),
    to: s.to ?? d.to,
    cc: s.cc ?? d.cc,
    template: s.template ?? d.template(level),
    ...(s.repeat ? { repeat: s.repeat } : {}),
  };
}

const REMINDER: StepDefaults = { kind: 'reminder', to: ['head'], cc: ['clerical'], template: () => 'reminder', allowed: ['before', 'on'] };
const COORDINATOR: StepDefaults = {
  kind: 'coordinator_reminder',
  to: ['coordinator_head'],
  cc: ['coordinator_clerical'],
  template: () => 'coordinator-reminder',
  allowed: ['before', 'on'],
};
const ESCALATION: StepDefaults = { kind: 'escalation', to: ['head'], cc: ['provincial_office'], template: (l) => `escalation-${l}`, allowed: ['after'] };

const levelField = z.union([z.literal(1), z.literal(2), z.literal(3)], { error: (iss) => `expected a level 1, 2 or 3, got ${shown(iss.input)}` });

const plainStep = z.strictObject(stepFields);
const escalationStep = z.strictObject({ ...stepFields, level: levelField, repeat: repeatSchema.optional() });

/** Two steps of one list may not share an id (ids name notifications). */
function uniqueIds(list: Array<PolicyStep | undefined>, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  list.forEach((s, i) => {
    if (typeof s?.id !== 'string') return; // the step itself was rejected
    const prev = seen.get(s.id);
    if (prev !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: `same step id "${s.id}" as step ${prev}: give one of them an explicit id` });
    seen.set(s.id, i);
  });
}

const plainStepList = (d: StepDefaults, example: string) =>
  z
    .array(plainStep.superRefine((s, ctx) => checkStep(s, d, ctx)).transform((s) => toStep(s, d)), { error: `expected a list of steps (- ${example})` })
    .superRefine(uniqueIds);

const remindersField = plainStepList(REMINDER, 'before: 5 working days');
const coordinatorsField = plainStepList(COORDINATOR, 'before: 2 working days');
const escalationsField = z
  .array(escalationStep.superRefine((s, ctx) => checkStep(s, ESCALATION, ctx)).transform((s) => toStep(s, ESCALATION)), {
    error: 'expected a list of steps (- level: 1, after: 1 working day)',
  })
  .superRefine(uniqueIds);

// The 7176 ladder (letter 7176/UBND-NC §3–§5; DOMAIN.md): the head is reminded 5 and 2
// working days before D and on D (cc văn thư); coordinating bodies 2 working days before D;
// then "quá hạn" level 1 on the 1st working day after D (cc Văn phòng UBND tỉnh), level 2 on
// the 3rd (cc also the leader in charge), level 3 on the 10th to the chairman's office and
// Sở Nội vụ, repeated every 10 working days, 3 times, while the task stays open.
export const DEFAULT_REMINDERS: z.input<typeof remindersField> = [{ before: '5 working days' }, { before: '2 working days' }, { on: 'deadline' }];
export const DEFAULT_COORDINATORS: z.input<typeof coordinatorsField> = [{ before: '2 working days' }];
export const DEFAULT_ESCALATIONS: z.input<typeof escalationsField> = [
  { level: 1, after: '1 working day', to: ['head'], cc: ['provincial_office'] },
  { level: 2, after: '3 working days', to: ['head'], cc: ['provincial_office', 'leader'] },
  {
    level: 3,
    after: '10 working days',
    to: ['chairman', 'home_affairs'],
    cc: ['provincial_office', 'leader', 'head'],
    repeat: { every: '10 working days', times: 3 },
  },
];

const kindSchema = z.strictObject({
  reminders: remindersField.optional(),
  coordinators: coordinatorsField.optional(),
  escalations: escalationsField.optional(),
  /** `received`: the steps-before-assignment rule starts from the receipt (procedures). */
  count_from: z.enum(['assigned', 'received'], { error: (iss) => `expected assigned or received, got ${shown(iss.input)}` }).optional(),
  /** "Received after 15:00 counts from the next working day." */
  received_cutoff: clockTime.optional(),
  /** The processing period from receipt, used when such a task has no deadline of its own. */
  period: durationField.refine(isDayDuration, { error: 'a processing period counts in days or working days' }).optional(),
});

const dueSoon = z.unknown().transform((v, ctx): number => {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 30) return v;
  const d = typeof v === 'string' ? parseDuration(v) : null;
  if (d?.unit === 'working_day' && d.amount <= 30) return d.amount;
  ctx.issues.push({ code: 'custom', input: v, message: `expected a number of working days like 3 (or '3 working days'), got ${shown(v)}` });
  return z.NEVER;
});

export const policySchema = z
  .strictObject({
    /** Steps that fell due before this date are recorded as backfilled and never sent. Unset by default. */
    go_live: isoDay.optional(),
    due_soon: dueSoon.prefault(3),
    digest: z
      .strictObject({
        enabled: z.boolean({ error: 'expected true or false' }).default(true),
        at: clockTime.prefault('08:00'),
        to: roles.default(['provincial_office']),
        cc: roles.default([]),
        template: templateName.default('digest'),
      })
      .prefault({}),
    reminders: remindersField.prefault(DEFAULT_REMINDERS),
    coordinators: coordinatorsField.prefault(DEFAULT_COORDINATORS),
    escalations: escalationsField.prefault(DEFAULT_ESCALATIONS),
    kinds: z
      .strictObject({ task: kindSchema.optional(), procedure: kindSchema.prefault({}), casefile: kindSchema.optional() })
      .prefault({}),
    bundle: bundleSchema,
    basis: basisSchema,
  })
  .prefault({})
  .transform((p): Policy => {
    const kinds = {} as Record<TaskKind, KindPolicy>;
    for (const kind of TASK_KINDS) {
      const k = p.kinds[kind];
      // Administrative procedures (TTHC) are counted from receipt; a dossier received at or
      // after 15:00 counts from the next working day (DOMAIN.md "Time"; configurable).
      const countFrom = k?.count_from ?? (kind === 'procedure' ? 'received' : 'assigned');
      const cutoff = k?.received_cutoff ?? (countFrom === 'received' ? 15 * 60 : undefined);
      kinds[kind] = {
        reminders: k?.reminders ?? p.reminders,
        coordinators: k?.coordinators ?? p.coordinators,
        escalations: k?.escalations ?? p.escalations,
        countFrom,
        ...(cutoff !== undefined ? { receivedCutoff: cutoff } : {}),
        ...(k?.period ? { period: k.period } : {}),
      };
    }
    return {
      ...(p.go_live !== undefined ? { goLive: p.go_live } : {}),
      dueSoon: p.due_soon,
      digest: { enabled: p.digest.enabled, minute: p.digest.at, to: p.digest.to, cc: p.digest.cc, template: p.digest.template },
      kinds,
      bundle: p.bundle,
      basis: p.basis,
    };
  });

export type PolicySection = z.input<typeof policySchema>;
