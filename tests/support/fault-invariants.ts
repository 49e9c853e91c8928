// The delivery promise as one check (docs/DELIVERY.md; issue 7, "Fault suite"): given what the
// SMTP server received, the delivery log and the notifications that were due, every due
// notification was
//   - delivered exactly once (one message with its Message-ID, and a `sent` record saying so), or
//   - recorded `failed`, reported (reportedAt set) and its failure report received exactly once;
// nothing else went out (no mail that was not due, no notification recorded sent that was not
// due); nothing is doubled — except a notification listed in `crashWindow`, where a crash between
// the server's 250 and the `sent` record makes a second copy unavoidable: it may arrive twice,
// always with the same Message-ID (counting by Message-ID guarantees that).
//
// A failure prints a table of every notification involved — due or not, state, claims, copies
// received — with the broken rule on each line, so a red run says what went wrong, not "2 ≠ 1".
// Other mail (daily digests, accountability mail) is checked for "at most once" only: its
// due-ness is not the task planner's (the fault suite's config turns it off).
import type { RedisClient } from '../../src/store/redis.js';
import type { LoadedConfig } from '../../src/config/load.js';
import { isPending } from '../../src/core/notification.js';
import type { Task } from '../../src/core/task.js';
import { planFor } from '../../src/queue/job-context.js';
import { failureReportId } from '../../src/queue/names.js';
import { type DeliveryRecord, deliveryKeys } from '../../src/store/delivery-log.js';
import type { ReceivedMessage } from './smtp-server.js';

export interface DeliveryFacts {
  received: readonly Pick<ReceivedMessage, 'messageId'>[];
  /** Every record of the delivery log under the test's prefix (readDeliveryLog). */
  records: readonly DeliveryRecord[];
  /** The notification ids that fell due (dueIds). */
  due: Iterable<string>;
  /** The Message-ID domain (mail.messageIdDomain). */
  domain: string;
  /** Ids that may arrive twice (a crash between the SMTP 250 and the record): same Message-ID. */
  crashWindow?: Iterable<string>;
}

export interface Verdict {
  ok: boolean;
  problems: string[];
  /** One line per notification id involved, problems marked; for the failure message. */
  table: string;
  counts: { due: number; sent: number; failed: number; received: number };
}

/** The local part of "<id@domain>" when the domain is ours. */
const localPart = (messageId: string | undefined, domain: string): string | undefined => {
  const m = /^<(.+)@([^@>]+)>$/.exec(messageId ?? '');
  return m && m[2] === domain ? m[1] : undefined;
};

export function checkDeliveryInvariant(f: DeliveryFacts): Verdict {
  const due = new Set(f.due);
  const window = new Set(f.crashWindow ?? []);
  const copies = new Map<string, number>();
  const foreign: string[] = [];
  for (const m of f.received) {
    const id = localPart(m.messageId, f.domain);
    if (id === undefined) foreign.push(m.messageId ?? '(no Message-ID)');
    else copies.set(id, (copies.get(id) ?? 0) + 1);
  }
  // Task notifications, failure reports (under _admin) and other mail (daily digests under
  // _digest, accountability mail under _reports…), each by its own id.
  const byId = new Map<string, DeliveryRecord>();
  const reports = new Map<string, DeliveryRecord>();
  const other = new Map<string, DeliveryRecord>();
  for (const r of f.records) {
    if (r.taskId === '_admin') reports.set(r.id, r);
    else if (r.taskId.startsWith('_')) other.set(r.id, r);
    else byId.set(r.id, r);
  }

  const problems: string[] = [];
  const rows: string[] = [];
  const seen = new Set<string>();
  const ids = [...new Set([...due, ...byId.keys(), ...copies.keys()])].filter((id) => !id.startsWith('failure-') && !other.has(id)).sort();
  let sent = 0;
  let failed = 0;
  for (const id of ids) {
    const rec = byId.get(id);
    const n = copies.get(id) ?? 0;
    const wrong: string[] = [];
    const allowed = window.has(id) ? 2 : 1;
    if (due.has(id)) {
      if (rec?.state === 'sent') {
        sent++;
        if (n === 0) wrong.push('LOST: recorded sent, never received');
        if (n > allowed) wrong.push(`DOUBLED: received ${n} times`);
        if (rec.messageId !== `<${id}@${f.domain}>`) wrong.push(`record's Message-ID is ${rec.messageId}`);
      } else if (rec?.state === 'failed') {
        failed++;
        const reportId = failureReportId(id, rec.retries ?? 0);
        const reportCopies = copies.get(reportId) ?? 0;
        seen.add(reportId);
        if (rec.reportedAt === undefined) wrong.push('NOT REPORTED: failed, reportedAt unset');
        if (reportCopies !== 1 && !(window.has(reportId) && reportCopies === 2)) wrong.push(`failure report ${reportId} received ${reportCopies} times`);
        if (n > 0 && !window.has(id)) wrong.push(`recorded failed, yet received ${n} times`);
      } else {
        wrong.push(`LOST: due, record ${rec ? `is ${rec.state}${rec.error ? ` (${rec.error})` : ''}${rec.reason ? ` (${rec.reason})` : ''}` : 'missing'}, received ${n}`);
      }
    } else {
      if (n > 0) wrong.push(`NOT DUE, yet received ${n} times`);
      if (rec?.state === 'sent') wrong.push('NOT DUE, yet recorded sent');
      if (rec?.state === 'failed') wrong.push('NOT DUE, yet recorded failed');
    }
    const state = rec ? `${rec.state}×${rec.attempts}` : '—';
    rows.push(`${wrong.length ? '✗' : ' '} ${id.padEnd(52)} ${(due.has(id) ? 'due' : 'not due').padEnd(8)} ${state.padEnd(12)} received ${n}${wrong.length ? `   ← ${wrong.join('; ')}` : ''}`);
    for (const w of wrong) problems.push(`${id}: ${w}`);
  }
  // Other failure reports (of a failure an operator's retry has since repaired): each one a
  // report the log shows sent, about a due notification, received once.
  for (const [id, n] of copies) {
    if (!id.startsWith('failure-') || seen.has(id)) continue;
    const r = reports.get(id);
    const about = r?.reportOf?.slice(r.reportOf.indexOf('|') + 1);
    const wrong =
      r?.state !== 'sent' ? `received ${n} times, but its record is ${r ? r.state : 'missing'}`
      : !about || !due.has(about) ? `received ${n} times, about ${about ?? 'nothing'}, which was not due`
      : n > (window.has(id) ? 2 : 1) ? `DOUBLED: received ${n} times`
      : undefined;
    rows.push(`${wrong ? '✗' : ' '} ${id.padEnd(52)} ${'report'.padEnd(8)} ${(r ? `${r.state}×${r.attempts}` : '—').padEnd(12)} received ${n}${wrong ? `   ← ${wrong}` : ''}`);
    if (wrong) problems.push(`${id}: ${wrong}`);
  }
  // Other mail is not the planner's to say due, but it too goes out at most once, and what is
  // recorded sent was received.
  for (const [id, r] of other) {
    const n = copies.get(id) ?? 0;
    const wrong =
      r.state === 'sent' && n === 0 ? 'LOST: recorded sent, never received'
      : n > (window.has(id) ? 2 : 1) ? `DOUBLED: received ${n} times`
      : n > 0 && r.state !== 'sent' ? `received ${n} times, but recorded ${r.state}`
      : undefined;
    rows.push(`${wrong ? '✗' : ' '} ${id.padEnd(52)} ${r.taskId.padEnd(8)} ${`${r.state}×${r.attempts}`.padEnd(12)} received ${n}${wrong ? `   ← ${wrong}` : ''}`);
    if (wrong) problems.push(`${id}: ${wrong}`);
  }
  for (const m of foreign) problems.push(`received a message with a foreign Message-ID: ${m}`);
  const counts = { due: due.size, sent, failed, received: f.received.length };
  // A long table shows its broken lines only.
  const shown = rows.length > 25 ? [...rows.filter((r) => r.startsWith('✗')), `  … and ${rows.filter((r) => !r.startsWith('✗')).length} more, all as promised`] : rows;
  const table = [`  ${'notification'.padEnd(52)} ${'plan'.padEnd(8)} ${'record'.padEnd(12)} SMTP`, ...shown].join('\n');
  return { ok: problems.length === 0, problems, table, counts };
}

/** Throws with the table when the promise is broken; returns the verdict otherwise. */
export function assertDeliveryInvariant(f: DeliveryFacts): Verdict {
  const v = checkDeliveryInvariant(f);
  if (!v.ok) {
    throw new Error(
      `delivery invariant broken (${v.problems.length} problem${v.problems.length > 1 ? 's' : ''}; due ${v.counts.due}, sent ${v.counts.sent}, failed ${v.counts.failed}, messages received ${v.counts.received}):\n` +
        `${v.problems.map((p) => `  - ${p}`).join('\n')}\n\n${v.table}`,
    );
  }
  return v;
}

/** Every record of the delivery log under a prefix (task hashes, _digest and _admin). */
export async function readDeliveryLog(redis: RedisClient, prefix: string): Promise<DeliveryRecord[]> {
  const keys = deliveryKeys(prefix);
  const out: DeliveryRecord[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', keys.pattern, 'COUNT', 500);
    cursor = next;
    for (const key of found) for (const v of await redis.hvals(key)) out.push(JSON.parse(v) as DeliveryRecord);
  } while (cursor !== '0');
  return out;
}

/**
 * The ids that fall due, by the planner, for these tasks at these instants in order (each with
 * the config in force then): at each instant, what is pending and whose time has come, given
 * that everything due at the earlier instants was handled. One instant after a clock jump
 * gives only the latest step of each ladder (catch-up), as the scheduler must.
 */
export function dueIds(tasks: readonly Task[], instants: ReadonlyArray<{ now: number; config: LoadedConfig }>): Set<string> {
  const due = new Set<string>();
  for (const task of tasks) {
    const handled = new Set<string>();
    for (const { now, config } of instants) {
      for (const n of planFor(config, task, handled, now)) {
        if (isPending(n.state) && n.at <= now) {
          due.add(n.id);
          handled.add(n.id);
        }
      }
    }
  }
  return due;
}

/** Polls until every due id has a terminal record (sent, or failed and reported) or the time is up. */
export async function settled(redis: RedisClient, prefix: string, due: Iterable<string>, timeoutMs: number): Promise<DeliveryRecord[]> {
  const want = new Set(due);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await readDeliveryLog(redis, prefix);
    const done = records.filter((r) => want.has(r.id) && (r.state === 'sent' || (r.state === 'failed' && r.reportedAt !== undefined)));
    if (done.length >= want.size || Date.now() > deadline) return records;
    await new Promise((r) => setTimeout(r, 100));
  }
}
