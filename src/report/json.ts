// The report as JSON, in the API's conventions: snake_case, dates YYYY-MM-DD, instants ISO with
// the zone's offset. Carries the statement of scope and the notes, as the other formats do.
import { formatIsoDay } from '../core/day.js';
import type { Figures, Report, ReportRow } from '../core/report.js';
import { formatDeadline } from '../core/task-codec.js';
import { makeZone } from '../core/zone.js';
import { REPORT_TITLE, ROW_STATUS_LABELS, citeSource, noteLines, scopeLines } from './view.js';

const figuresJson = (f: Figures): Record<string, unknown> => ({
  assigned: f.assigned,
  on_time: f.onTime,
  late: f.late,
  within_deadline: f.withinDeadline,
  overdue: f.overdue,
  no_deadline: f.noDeadline,
  extensions_requested: f.extensionsRequested,
  extensions_approved: f.extensionsApproved,
  noncooperation: f.noncooperation,
  escalations: { ...f.escalations },
  working_days_late: f.workingDaysLate,
  average_working_days_late: f.averageWorkingDaysLate,
});

export function reportToJson(r: Report): Record<string, unknown> {
  const zone = makeZone(r.zone);
  const names = new Map(r.bodies.map((b) => [b.code, b.name]));
  const row = (x: ReportRow): Record<string, unknown> => ({
    id: x.taskId,
    occurrence: x.occurrence,
    title: x.title,
    kind: x.kind,
    body: x.body,
    body_name: names.get(x.body) ?? x.body,
    coordinators: x.coordinators,
    source: {
      number: x.source.number,
      date: formatIsoDay(x.source.date),
      issuer: x.source.issuer,
      ...(x.source.subject ? { subject: x.source.subject } : {}),
      ...(x.source.item ? { item: x.source.item } : {}),
      citation: citeSource(x),
    },
    assigned_on: formatIsoDay(x.assignedOn),
    deadline: x.deadline ? formatDeadline(x.deadline) : null,
    ...(x.originalDeadline ? { original_deadline: formatDeadline(x.originalDeadline) } : {}),
    effective_deadline: x.effectiveDay === undefined ? null : formatIsoDay(x.effectiveDay),
    status: x.status,
    status_label: ROW_STATUS_LABELS[x.status],
    carried_over: x.carriedOver,
    completed_at: x.completedAt === undefined ? null : zone.formatInstant(x.completedAt),
    completed_on: x.completedOn === undefined ? null : formatIsoDay(x.completedOn),
    working_days_late: x.workingDaysLate ?? null,
    head: x.head ?? null,
    extensions_requested: x.extensionsRequested,
    extensions_approved: x.extensionsApproved,
    escalations: { ...x.escalations },
  });
  return {
    report: 'dondoc.report',
    version: r.version,
    title: REPORT_TITLE,
    from: formatIsoDay(r.from),
    to: formatIsoDay(r.to),
    ...(r.body ? { body: r.body } : {}),
    as_of: zone.formatInstant(r.asOf),
    end_day: formatIsoDay(r.endDay),
    generated_at: zone.formatInstant(r.generatedAt),
    ...(r.frozen ? { frozen: { at: zone.formatInstant(r.frozen.at), key: r.frozen.key } } : {}),
    scope: scopeLines(r),
    notes: noteLines(r),
    totals: figuresJson(r.totals),
    bodies: r.bodies.map((b) => ({ code: b.code, name: b.name, ...figuresJson(b) })),
    late_tasks: r.rows.filter((x) => x.status === 'late' || x.status === 'overdue').map(row),
    tasks: r.rows.map(row),
    noncooperation: r.noncooperation.map((n) => ({
      task: n.taskId,
      ...(n.occurrence !== undefined ? { occurrence: n.occurrence } : {}),
      body: n.body,
      reported_by: n.reportedBy,
      at: zone.formatInstant(n.at),
      ...(n.reason ? { reason: n.reason } : {}),
    })),
    excluded: { ...r.excluded },
  };
}

export const renderJson = (r: Report): string => `${JSON.stringify(reportToJson(r), null, 2)}\n`;
