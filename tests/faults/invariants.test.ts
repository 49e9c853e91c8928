// The fault suite's invariant checker (tests/support/fault-invariants.ts) must catch each way the
// delivery promise can break — a check that passes everything proves nothing — and its message
// must say which notification broke which rule. Pure: synthetic records and messages.
import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../src/store/delivery-log.js';
import { copyId, recipientKey } from '../../src/core/copies.js';
import { assertDeliveryInvariant, checkDeliveryInvariant } from '../support/fault-invariants.js';

const D = 'dondoc.test.example.gov.vn';
const mid = (id: string): { messageId: string } => ({ messageId: `<${id}@${D}>` });
const rec = (id: string, over: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  id, taskId: id.slice(0, id.indexOf('_')), kind: 'escalation', level: 1, to: ['a@x.vn'], cc: [], plannedAt: 1, state: 'sent', attempts: 1, messageId: `<${id}@${D}>`, updatedAt: 2, ...over,
});
const report = (about: DeliveryRecord, over: Partial<DeliveryRecord> = {}): DeliveryRecord =>
  rec(`failure-${about.id}`, { taskId: '_admin', kind: 'failure_report', reportOf: `${about.taskId}|${about.id}`, ...over });

const A = 't-a_once_e1-a1wd_20220630';
const B = 't-b_once_e1-a1wd_20220630';
const C = 't-c_once_r-d_20220705';

describe('the delivery invariant checker', () => {
  it('passes: each due one sent once, or failed with one report', () => {
    const failed = rec(B, { state: 'failed', reportedAt: 5, messageId: undefined });
    const v = assertDeliveryInvariant({
      received: [mid(A), mid(`failure-${B}`)],
      records: [rec(A), failed, report(failed), rec(C, { state: 'skipped', reason: 'completed' })],
      due: [A, B],
      domain: D,
    });
    expect(v.counts).toEqual({ due: 2, sent: 1, failed: 1, received: 2 });
  });

  it.each([
    ['lost: due, never recorded', { received: [], records: [], due: [A] }, `${A}: LOST: due, record missing, received 0`],
    ['lost: due, left sending', { received: [], records: [rec(A, { state: 'sending' })], due: [A] }, `${A}: LOST: due, record is sending, received 0`],
    ['lost: recorded sent, never received', { received: [], records: [rec(A)], due: [A] }, `${A}: LOST: recorded sent, never received`],
    ['doubled', { received: [mid(A), mid(A)], records: [rec(A)], due: [A] }, `${A}: DOUBLED: received 2 times`],
    ['not due, yet sent', { received: [mid(C)], records: [rec(C)], due: [] }, `${C}: NOT DUE, yet received 1 times`],
    ['failed, not reported', { received: [], records: [rec(B, { state: 'failed' })], due: [B] }, `${B}: NOT REPORTED: failed, reportedAt unset`],
    ['failed, report received twice', { received: [mid(`failure-${B}`), mid(`failure-${B}`)], records: [rec(B, { state: 'failed', reportedAt: 3 })], due: [B] }, `${B}: failure report failure-${B} received 2 times`],
    ['a foreign Message-ID', { received: [{ messageId: '<x@elsewhere.vn>' }], records: [], due: [] }, 'received a message with a foreign Message-ID: <x@elsewhere.vn>'],
  ])('fails: %s', (_what, facts, problem) => {
    const v = checkDeliveryInvariant({ ...facts, domain: D });
    expect(v.ok).toBe(false);
    expect(v.problems).toContain(problem);
    expect(() => assertDeliveryInvariant({ ...facts, domain: D })).toThrow(/delivery invariant broken/);
  });

  it('allows a second copy, and only one, of a notification in the crash window', () => {
    const facts = { records: [rec(A, { attempts: 2 })], due: [A], domain: D, crashWindow: [A] };
    expect(checkDeliveryInvariant({ ...facts, received: [mid(A), mid(A)] }).ok).toBe(true);
    expect(checkDeliveryInvariant({ ...facts, received: [mid(A), mid(A), mid(A)] }).problems).toEqual([`${A}: DOUBLED: received 3 times`]);
  });

  it('accepts the report of a failure an operator has since retried and delivered', () => {
    const retried = rec(B, { retries: 1 });
    const v = checkDeliveryInvariant({ received: [mid(`failure-${B}`), mid(B)], records: [retried, report(retried)], due: [B], domain: D });
    expect(v.problems).toEqual([]);
  });

  it('counts each item of a bundle, and wants every copy in a mail to its own person alone', () => {
    const head = 'gd@x.vn';
    const office = 'vp@x.vn';
    const a = copyId(A, recipientKey(head));
    const b = copyId(B, recipientKey(head));
    const bundle = 'b-esc-20220701-r' + recipientKey(head);
    const list = { messageId: `<${bundle}@${D}>`, items: [a, b], envelope: { from: 'n@x.vn', to: [head] } };
    const recs = [rec(a, { messageId: `<${bundle}@${D}>` }), rec(b, { messageId: `<${bundle}@${D}>` })];
    expect(checkDeliveryInvariant({ received: [list], records: recs, due: [a, b], domain: D }).problems).toEqual([]);
    // The same item in a second mail: doubled, under another Message-ID.
    const again = { messageId: `<${a}@${D}>`, items: [a], envelope: { from: 'n@x.vn', to: [head] } };
    expect(checkDeliveryInvariant({ received: [list, again], records: recs, due: [a, b], domain: D }).problems).toEqual([
      `${a}: DOUBLED: received 2 times`,
      `${a}: RESENT UNDER ANOTHER Message-ID: <${bundle}@${D}>, <${a}@${D}>`,
    ]);
    // A mail to two people, or a copy in a mail to someone else.
    expect(checkDeliveryInvariant({ received: [{ ...list, envelope: { from: 'n@x.vn', to: [head, office] } }], records: recs, due: [a, b], domain: D }).problems).toContain(
      `${bundle}: NOT ONE PERSON: sent to 2 addresses`,
    );
    expect(checkDeliveryInvariant({ received: [{ ...list, envelope: { from: 'n@x.vn', to: [office] } }], records: recs, due: [a, b], domain: D }).problems).toEqual([
      `${a}: WRONG PERSON: carried in a mail to another address`,
      `${b}: WRONG PERSON: carried in a mail to another address`,
    ]);
  });

  it('prints the table with the broken line marked', () => {
    expect(() => assertDeliveryInvariant({ received: [mid(A), mid(A)], records: [rec(A), rec(C, { state: 'skipped' })], due: [A], domain: D })).toThrow(
      new RegExp(`✗ ${A} +due +sent×1 +received 2 +← DOUBLED: received 2 times`),
    );
  });
});

describe('other mail (digests, accountability mail)', () => {
  const other = (id: string, over: Partial<DeliveryRecord> = {}): DeliveryRecord => rec(id, { taskId: '_reports', kind: 'weekly_report', ...over });
  it('is held to "at most once, and received if recorded sent", not to the task planner', () => {
    expect(checkDeliveryInvariant({ received: [mid('weekly-report-2022-06-20')], records: [other('weekly-report-2022-06-20')], due: [], domain: D }).problems).toEqual([]);
    expect(checkDeliveryInvariant({ received: [mid('weekly-report-2022-06-20'), mid('weekly-report-2022-06-20')], records: [other('weekly-report-2022-06-20')], due: [], domain: D }).problems).toEqual([
      'weekly-report-2022-06-20: DOUBLED: received 2 times',
    ]);
    expect(checkDeliveryInvariant({ received: [], records: [other('digest-20220701', { taskId: '_digest' })], due: [], domain: D }).problems).toEqual(['digest-20220701: LOST: recorded sent, never received']);
  });
});
