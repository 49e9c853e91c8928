// The delivery promise as one check (docs/DELIVERY.md, "Fault suite"): given what the SMTP
// server received, the delivery log and the copies that were due — one per recipient of each
// due notification — every due copy was
//   - delivered exactly once, to its own person only (a mail carrying it, alone on its envelope,
//     with a `sent` record naming that mail's Message-ID), whether it went alone or in a bundle, or
//   - recorded `failed`, reported (reportedAt set) and the failure report of its mail received
//     exactly once;
// nothing else went out (no copy that was not due, none recorded sent that was not due);
// nothing is doubled — except a copy carried by a mail listed in `crashWindow`, where a crash
// between the server's 250 and the `sent` records makes a second delivery unavoidable: it may
// arrive twice, always under the same Message-ID.
// The items a mail carries are read from its X-Dondoc-Items header.
//
// A failure prints a table of every copy involved — due or not, state, claims, times received —
// with the broken rule on each line, so a red run says what went wrong, not "2 ≠ 1".
// Other mail (daily digests, accountability mail) is checked for "at most once" only: its
// due-ness is not the task planner's (the fault suite's config turns it off).
import { type RedisClient, scanKeys } from '../../src/store/redis.js';
import type { LoadedConfig } from '../../src/config/load.js';
import { copiesOf, recipientKey, splitCopyId } from '../../src/core/copies.js';
import { isPending } from '../../src/core/notification.js';
import type { Task } from '../../src/core/task.js';
import { planFor } from '../../src/queue/job-context.js';
import { failureReportId } from '../../src/queue/names.js';
import { type DeliveryRecord, deliveryKeys } from '../../src/store/delivery-log.js';
import type { ReceivedMessage } from './smtp-server.js';

export type Received = Pick<ReceivedMessage, 'messageId'> & Partial<Pick<ReceivedMessage, 'items' | 'envelope'>>;

export interface DeliveryFacts {
  received: readonly Received[];
  /** Every record of the delivery log under the test's prefix (readDeliveryLog). */
  records: readonly DeliveryRecord[];
  /** The copies that fell due (dueIds): one per recipient of each due notification. */
  due: Iterable<string>;
  /** The Message-ID domain (mail.messageIdDomain). */
  domain: string;
  /** Mails (Message-ID local parts) that may arrive twice (a crash between the SMTP 250 and the records): same Message-ID. */
  crashWindow?: Iterable<string>;
}

export interface Verdict {
  ok: boolean;
  problems: string[];
  /** One line per copy involved, problems marked; for the failure message. */
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
  const problems: string[] = [];
  const rows: string[] = [];
  // Each item (a copy, a report, …) → the Message-IDs of the mails that carried it.
  const carried = new Map<string, string[]>();
  const windowed = new Set<string>();
  for (const m of f.received) {
    const mail = localPart(m.messageId, f.domain);
    if (mail === undefined) {
      problems.push(`received a message with a foreign Message-ID: ${m.messageId ?? '(no Message-ID)'}`);
      continue;
    }
    const items = m.items && m.items.length > 0 ? m.items : [mail];
    // One person per message: a copy only ever reaches the address it was made for.
    if (m.envelope && m.envelope.to.length !== 1) problems.push(`${mail}: NOT ONE PERSON: sent to ${m.envelope.to.length} addresses`);
    for (const item of items) {
      const copy = item.startsWith('failure-') ? null : splitCopyId(item);
      const rcpt = m.envelope?.to[0];
      if (copy && rcpt !== undefined && recipientKey(rcpt) !== copy.key) problems.push(`${item}: WRONG PERSON: carried in a mail to another address`);
      let list = carried.get(item);
      if (!list) carried.set(item, (list = []));
      list.push(m.messageId!);
      if (window.has(mail)) windowed.add(item);
    }
  }
  // Copy records of tasks; failure reports (under _admin); other mail (daily digests under
  // _digest, accountability mail under _reports…). Releases are not deliveries.
  const byId = new Map<string, DeliveryRecord>();
  const reports = new Map<string, DeliveryRecord>();
  const other = new Map<string, DeliveryRecord>();
  for (const r of f.records) {
    if (r.state === 'released') continue;
    if (r.taskId === '_admin') reports.set(r.id, r);
    else if (r.taskId.startsWith('_')) other.set(r.id, r);
    else byId.set(r.id, r);
  }
  const allowed = (id: string): number => (windowed.has(id) ? 2 : 1);
  const sameMessageId = (id: string): boolean => new Set(carried.get(id) ?? []).size <= 1;

  const seen = new Set<string>();
  const ids = [...new Set([...due, ...byId.keys(), ...carried.keys()])].filter((id) => !id.startsWith('failure-') && !other.has(id)).sort();
  let sent = 0;
  let failed = 0;
  for (const id of ids) {
    const rec = byId.get(id);
    const n = carried.get(id)?.length ?? 0;
    const wrong: string[] = [];
    if (due.has(id)) {
      if (rec?.state === 'sent') {
        sent++;
        if (n === 0) wrong.push('LOST: recorded sent, never received');
        if (n > allowed(id)) wrong.push(`DOUBLED: received ${n} times`);
        if (!sameMessageId(id)) wrong.push(`RESENT UNDER ANOTHER Message-ID: ${[...new Set(carried.get(id))].join(', ')}`);
        else if (n > 0 && rec.messageId !== carried.get(id)![0]) wrong.push(`record's Message-ID is ${rec.messageId}, received as ${carried.get(id)![0]}`);
      } else if (rec?.state === 'failed') {
        failed++;
        const reportId = failureReportId(rec.mail ?? id, rec.retries ?? 0);
        const reportCopies = carried.get(reportId)?.length ?? 0;
        seen.add(reportId);
        if (rec.reportedAt === undefined) wrong.push('NOT REPORTED: failed, reportedAt unset');
        if (reportCopies !== 1 && !(windowed.has(reportId) && reportCopies === 2)) wrong.push(`failure report ${reportId} received ${reportCopies} times`);
        if (n > 0 && !windowed.has(id)) wrong.push(`recorded failed, yet received ${n} times`);
      } else {
        wrong.push(`LOST: due, record ${rec ? `is ${rec.state}${rec.error ? ` (${rec.error})` : ''}${rec.reason ? ` (${rec.reason})` : ''}` : 'missing'}, received ${n}`);
      }
    } else {
      if (n > 0) wrong.push(`NOT DUE, yet received ${n} times`);
      if (rec?.state === 'sent') wrong.push('NOT DUE, yet recorded sent');
      if (rec?.state === 'failed') wrong.push('NOT DUE, yet recorded failed');
    }
    const state = rec ? `${rec.state}×${rec.attempts}` : '—';
    rows.push(`${wrong.length ? '✗' : ' '} ${id.padEnd(64)} ${(due.has(id) ? 'due' : 'not due').padEnd(8)} ${state.padEnd(12)} received ${n}${wrong.length ? `   ← ${wrong.join('; ')}` : ''}`);
    for (const w of wrong) problems.push(`${id}: ${w}`);
  }
  // Other failure reports (of a failure an operator's retry has since repaired): each one a
  // report the log shows sent, about a due copy, received once.
  for (const [id, list] of carried) {
    if (!id.startsWith('failure-') || seen.has(id)) continue;
    const n = list.length;
    const r = reports.get(id);
    const about = r?.reportOf?.slice(r.reportOf.indexOf('|') + 1);
    const wrong =
      r?.state !== 'sent' ? `received ${n} times, but its record is ${r ? r.state : 'missing'}`
      : !about || !due.has(about) ? `received ${n} times, about ${about ?? 'nothing'}, which was not due`
      : n > allowed(id) ? `DOUBLED: received ${n} times`
      : undefined;
    rows.push(`${wrong ? '✗' : ' '} ${id.padEnd(64)} ${'report'.padEnd(8)} ${(r ? `${r.state}×${r.attempts}` : '—').padEnd(12)} received ${n}${wrong ? `   ← ${wrong}` : ''}`);
    if (wrong) problems.push(`${id}: ${wrong}`);
  }
  // Other mail is not the planner's to say due, but it too goes out at most once, and what is
  // recorded sent was received.
  for (const [id, r] of other) {
    const n = carried.get(id)?.length ?? 0;
    const wrong =
      r.state === 'sent' && n === 0 ? 'LOST: recorded sent, never received'
      : n > allowed(id) ? `DOUBLED: received ${n} times`
      : n > 0 && r.state !== 'sent' ? `received ${n} times, but recorded ${r.state}`
      : undefined;
    rows.push(`${wrong ? '✗' : ' '} ${id.padEnd(64)} ${r.taskId.padEnd(8)} ${`${r.state}×${r.attempts}`.padEnd(12)} received ${n}${wrong ? `   ← ${wrong}` : ''}`);
    if (wrong) problems.push(`${id}: ${wrong}`);
  }
  const counts = { due: due.size, sent, failed, received: f.received.length };
  // A long table shows its broken lines only.
  const shown = rows.length > 25 ? [...rows.filter((r) => r.startsWith('✗')), `  … and ${rows.filter((r) => !r.startsWith('✗')).length} more, all as promised`] : rows;
  const table = [`  ${'copy'.padEnd(64)} ${'plan'.padEnd(8)} ${'record'.padEnd(12)} SMTP`, ...shown].join('\n');
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

/** Every record of the delivery log under a prefix (task hashes, _digest and _admin), on a single Redis or a Cluster. */
export async function readDeliveryLog(redis: RedisClient, prefix: string): Promise<DeliveryRecord[]> {
  const keys = deliveryKeys(prefix);
  const out: DeliveryRecord[] = [];
  for await (const found of scanKeys(redis, keys.pattern, 500)) {
    for (const key of found) for (const v of await redis.hvals(key)) out.push(JSON.parse(v) as DeliveryRecord);
  }
  return out;
}

/**
 * The copies that fall due, by the planner, for these tasks at these instants in order (each
 * with the config in force then): at each instant, what is pending and whose time has come,
 * given that everything due at the earlier instants was handled — one copy per recipient of
 * each. One instant after a clock jump gives only the latest step of each ladder (catch-up),
 * as the scheduler must.
 */
export function dueIds(tasks: readonly Task[], instants: ReadonlyArray<{ now: number; config: LoadedConfig }>): Set<string> {
  const due = new Set<string>();
  for (const task of tasks) {
    const handled = new Set<string>();
    for (const { now, config } of instants) {
      for (const n of planFor(config, task, handled, now)) {
        if (isPending(n.state) && n.at <= now) {
          for (const c of copiesOf(n)) due.add(c.id);
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
