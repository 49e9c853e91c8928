// Reports from the live registry, for the CLI, the API and the weekly mail: reads every task
// with its history, the escalations sent for the tasks in scope (delivery records), builds the
// report with the pure core, and uses or makes a frozen snapshot.
//
// Escalations come from the delivery log (docs/DELIVERY.md): P:delivery:{ID} is a hash of
// notification id → JSON record; an escalation counts when `kind` is "escalation", `state` is
// "sent" and it was sent (sentAt, else plannedAt) by the end of the range. When no task in
// scope has any delivery record, the report says there is no data rather than "0".
import type { Calendar } from '../core/calendar.js';
import { type Day, formatIsoDay } from '../core/day.js';
import { makeBodyMatcher } from '../core/org-match.js';
import type { OrgDirectory } from '../core/org.js';
import { type EscalationCounts, type Report, type ReportInput, buildReport } from '../core/report.js';
import { DondocError, usageError } from '../errors.js';
import { guard, type RedisClient } from '../store/redis.js';
import type { TaskStore } from '../store/task-store.js';
import { freezeReport, readSnapshot, snapshotKey } from './snapshot.js';

export interface ReportRequest {
  from: Day;
  to: Day;
  /** A body code (resolve names first with resolveBody). */
  body?: string;
  /** Store the report as the snapshot of this closed period. */
  freeze?: boolean;
}

export interface ReportResult {
  report: Report;
  /** none: computed now; used: an earlier snapshot; created: frozen by this call. */
  snapshot: 'none' | 'used' | 'created';
}

export interface ReportServiceDeps {
  store: TaskStore;
  /** The store's Redis connection: snapshots and delivery records. Without it, neither. */
  redis?: RedisClient;
  /** REDIS_URL for messages. */
  url?: string;
  calendar: Calendar;
  org: OrgDirectory;
  now: () => number;
}

export interface ReportService {
  /** A body code or name → its code; INPUT_REJECTED naming the closest bodies. */
  resolveBody(text: string): string;
  /** Every task with its history. */
  inputs(): Promise<ReportInput[]>;
  /** Escalations sent by `asOf` per task; undefined when none of the tasks has delivery records. */
  escalations(ids: readonly string[], asOf: number): Promise<Map<string, EscalationCounts> | undefined>;
  get(req: ReportRequest): Promise<ReportResult>;
}

interface DeliveryRecordLike {
  kind?: unknown;
  level?: unknown;
  state?: unknown;
  sentAt?: unknown;
  plannedAt?: unknown;
}

/** A body code or name (any case, with or without diacritics) → the code of the body named. */
export function resolveReportBody(org: OrgDirectory, text: string): string {
  const m = makeBodyMatcher(org)(text);
  if (m.ok) return m.named.code;
  const message = `unknown body ${JSON.stringify(text)}${m.suggestions.length ? `; did you mean: ${m.suggestions.join('; ')}?` : ''}`;
  throw new DondocError('INPUT_REJECTED', message, [{ path: 'body', message }]);
}

export function makeReportService(deps: ReportServiceDeps): ReportService {
  const { store, redis, calendar, org, now } = deps;
  const prefix = store.keys.prefix;
  const run = <T>(op: () => Promise<T>): Promise<T> => guard(deps.url ?? 'redis', op);

  const service: ReportService = {
    resolveBody: (text) => resolveReportBody(org, text),

    async inputs() {
      const out: ReportInput[] = [];
      for await (const ids of store.ids()) {
        const found = await Promise.all(ids.map((id) => store.getWithHistory(id)));
        for (const f of found) if (f) out.push({ task: f.task, history: f.history });
      }
      // SCAN order is arbitrary; the report sorts, but a stable input order keeps runs identical.
      return out.sort((a, b) => (a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0));
    },

    async escalations(ids, asOf) {
      if (!redis || ids.length === 0) return undefined;
      const hashes = await run(() => Promise.all(ids.map((id) => redis.hgetall(`${prefix}:delivery:{${id}}`))));
      let any = false;
      const out = new Map<string, EscalationCounts>();
      hashes.forEach((h, i) => {
        const values = Object.values(h);
        if (values.length) any = true;
        const counts: EscalationCounts = { level1: 0, level2: 0, level3: 0 };
        for (const raw of values) {
          let rec: DeliveryRecordLike;
          try {
            rec = JSON.parse(raw) as DeliveryRecordLike;
          } catch {
            continue;
          }
          if (rec?.kind !== 'escalation' || rec.state !== 'sent' || typeof rec.level !== 'number') continue;
          const at = typeof rec.sentAt === 'number' ? rec.sentAt : typeof rec.plannedAt === 'number' ? rec.plannedAt : undefined;
          if (at === undefined || at > asOf) continue;
          const level = Math.min(3, Math.max(1, Math.trunc(rec.level)));
          counts[`level${level}` as keyof EscalationCounts]++;
        }
        if (counts.level1 + counts.level2 + counts.level3 > 0) out.set(ids[i]!, counts);
      });
      return any ? out : undefined;
    },

    async get(req) {
      if (req.to < req.from) throw usageError(`the end of the range (${formatIsoDay(req.to)}) is before its start (${formatIsoDay(req.from)})`);
      const t = now();
      const key = snapshotKey(prefix, req.from, req.to, req.body);
      if (redis) {
        const existing = await run(() => readSnapshot(redis, key));
        if (existing) return { report: existing, snapshot: 'used' };
      }
      if (req.freeze) {
        if (!redis) throw new DondocError('ENVIRONMENT', 'freezing a report needs Redis');
        if (t < calendar.zone.startOfDay(req.to + 1)) {
          throw new DondocError('INPUT_REJECTED', `the period ends on ${formatIsoDay(req.to)} and has not ended yet: only a closed period can be frozen`, [
            { path: 'to', message: 'not yet ended' },
          ]);
        }
      }
      const inputs = await service.inputs();
      const opts = { from: req.from, to: req.to, now: t, ...(req.body !== undefined ? { body: req.body } : {}) };
      // First pass finds the tasks in scope; their delivery records are read for the second.
      const draft = buildReport(inputs, calendar, org, opts);
      const escalations = await service.escalations([...new Set(draft.rows.map((r) => r.taskId))], draft.asOf);
      const report = escalations ? buildReport(inputs, calendar, org, { ...opts, escalations }) : draft;
      if (!req.freeze) return { report, snapshot: 'none' };
      const frozen = await run(() => freezeReport(redis!, key, report, t));
      return { report: frozen.report, snapshot: frozen.created ? 'created' : 'used' };
    },
  };
  return service;
}
