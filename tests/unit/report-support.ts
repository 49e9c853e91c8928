// Shared by the report and lateness tests: the fixture config and task file
// (tests/fixtures/report/), tasks built as an import would build them, and the history events
// the reply links will add (not expressible in a task file).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LoadedConfig, loadConfig } from '../../src/config/load.js';
import type { EscalationCounts, HistoryEventLike, ReportInput } from '../../src/core/report.js';
import { type TaskInputJson, taskInputSchema } from '../../src/core/task-codec.js';
import { buildTask } from '../../src/core/task-ops.js';
import { parseInstant } from '../../src/core/zone.js';
import { readTaskFile } from '../../src/import/read-task-file.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPORT_CONFIG = path.join(ROOT, 'tests/fixtures/report/dondoc.yaml');
export const REPORT_TASKS = path.join(ROOT, 'tests/fixtures/report/tasks-2022-06.yaml');

export const at = (iso: string): number => parseInstant(iso, 'Asia/Ho_Chi_Minh')!;

/** The day the fixture's June report is run: after the month, before nothing else changes. */
export const RUN_AT = at('2022-07-15T09:00');

let cached: LoadedConfig | undefined;
export function reportConfig(): LoadedConfig {
  cached ??= loadConfig({ file: REPORT_CONFIG, env: {} });
  return cached;
}

/** The fixture's tasks with the history an import writes (created + status events). */
export async function fixtureInputs(now = RUN_AT): Promise<ReportInput[]> {
  const cfg = reportConfig();
  const r = await readTaskFile(REPORT_TASKS, { org: cfg.org, zone: cfg.config.timezone });
  if (r.problems.length) throw new Error(JSON.stringify(r.problems));
  return r.rows.map((row) => {
    const built = buildTask(row.input, cfg.calendar, cfg.org, { by: 'test', now });
    return { task: built.task, history: [...built.events] };
  });
}

/** Events the reply links will record (see the fixture's header). */
export const LINK_EVENTS: Record<string, HistoryEventLike[]> = {
  'rpt-t4': [{ type: 'noncooperation_reported', at: at('2022-06-22T10:00'), by: 'link:giamdoc.stc', coordinator: 'STNMT', reason: 'Chưa cung cấp số liệu đất đai' }],
  'rpt-t14': [{ type: 'noncooperation_reported', at: at('2022-06-10T10:00'), by: 'link:giamdoc.sgddt', coordinator: 'SYT' }],
  'rpt-t9': [{ type: 'extension_requested', at: at('2022-06-20T15:00'), by: 'link:giamdoc.syt', occurrence: 'once' }],
  'rpt-t7': [{ type: 'extension_requested', at: at('2022-06-27T09:00'), by: 'link:giamdoc.stc', occurrence: 'once' }],
};

export const ESCALATIONS = new Map<string, EscalationCounts>([
  ['rpt-t4', { level1: 1, level2: 1, level3: 0 }],
  ['rpt-t5', { level1: 1, level2: 1, level3: 1 }],
  ['rpt-t6', { level1: 1, level2: 0, level3: 0 }],
]);

export function withLinkEvents(inputs: ReportInput[]): ReportInput[] {
  return inputs.map((i) => ({ task: i.task, history: [...(i.history ?? []), ...(LINK_EVENTS[i.task.id] ?? [])] }));
}

/** A task built from a few fields, for tables of cases. */
export function makeInput(json: Partial<TaskInputJson> & { id: string; lead: string }, now: number): ReportInput {
  const cfg = reportConfig();
  const input = taskInputSchema.parse({
    title: `Nhiệm vụ ${json.id}`,
    source: { number: '100/UBND-TH', date: '2021-01-05', issuer: 'UBND tỉnh Thái Nguyên', item: json.id },
    ...json,
  });
  const built = buildTask(input, cfg.calendar, cfg.org, { by: 'test', now });
  return { task: built.task, history: [...built.events] };
}
