// Frozen reports: a report for a closed period, stored once in Redis so that later edits
// (a completion entered late, a corrected deadline, a directory change) do not change what was
// sent to Sở Nội vụ — those figures feed ratings (Nghị định 335/2025/NĐ-CP) and must stay
// auditable. A snapshot is written with SET NX and never overwritten; a second freeze returns
// the first one.
//
//   P:report:snapshot:<from>:<to>:<body code | all>   STRING   {"version":1,"report":{…}}
import type { RedisClient } from '../store/redis.js';
import { type Day, formatIsoDay } from '../core/day.js';
import type { Report } from '../core/report.js';
import { DondocError } from '../errors.js';

export function snapshotKey(prefix: string, from: Day, to: Day, body?: string): string {
  return `${prefix}:report:snapshot:${formatIsoDay(from)}:${formatIsoDay(to)}:${body ?? 'all'}`;
}


function parse(key: string, raw: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    data = undefined;
  }
  const report = (data as { version?: unknown; report?: Report } | undefined)?.report;
  if ((data as { version?: unknown } | undefined)?.version !== 1 || !report || report.version !== 1 || !Array.isArray(report.rows) || !report.totals) {
    throw new DondocError('ENVIRONMENT', `${key}: not a dondoc report snapshot (version 1); remove the key or restore it from a backup`);
  }
  return report;
}

export async function readSnapshot(redis: RedisClient, key: string): Promise<Report | null> {
  const raw = await redis.get(key);
  return raw === null ? null : parse(key, raw);
}

/**
 * Stores the report under `key` unless a snapshot is there already; returns the snapshot in
 * force (ours, or the earlier one) and whether this call created it.
 */
export async function freezeReport(redis: RedisClient, key: string, report: Report, at: number): Promise<{ report: Report; created: boolean }> {
  const frozen: Report = { ...report, frozen: { at, key } };
  const ok = await redis.set(key, JSON.stringify({ version: 1, report: frozen }), 'NX');
  if (ok === 'OK') return { report: frozen, created: true };
  const existing = await readSnapshot(redis, key);
  if (!existing) throw new DondocError('ENVIRONMENT', `${key}: the snapshot vanished while being frozen; try again`);
  return { report: existing, created: false };
}
