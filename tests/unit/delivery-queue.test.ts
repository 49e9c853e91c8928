// The pure parts of the delivery engine: the retry backoff, job ids, payload checks, and the
// reasons recorded when a notification is not sent.
import { UnrecoverableError } from 'bullmq';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { TaskNotification } from '../../src/core/notification.js';
import { backoffDelay } from '../../src/queue/backoff.js';
import { scrubAddresses } from '../../src/queue/deliver.js';
import { failureReportId, isJobId } from '../../src/queue/names.js';
import { parsePayload, sendPayload } from '../../src/queue/payloads.js';
import { skipReasonOf } from '../../src/queue/records.js';

const retry = { attempts: 8, backoff_initial: 30_000, backoff_max: 1_800_000, jitter: 0.2 };

describe('backoff', () => {
  it('doubles from backoff_initial up to backoff_max', () => {
    const mid = (): number => 0.5; // no jitter
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => backoffDelay(retry, n, mid))).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000, 1_800_000]);
  });

  it('spreads each wait by ±jitter', () => {
    expect(backoffDelay(retry, 1, () => 0)).toBe(24_000);
    expect(backoffDelay(retry, 1, () => 1)).toBe(36_000);
    expect(backoffDelay({ ...retry, jitter: 0 }, 3, Math.random)).toBe(120_000);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(retry, 2);
      expect(d).toBeGreaterThanOrEqual(48_000);
      expect(d).toBeLessThanOrEqual(72_000);
    }
  });
});

describe('job ids', () => {
  it('are what BullMQ accepts: no ":", not all digits', () => {
    expect(isJobId('1510-ubnd-th-20220416-9-syt_once_e1-a1wd_20220630')).toBe(true);
    expect(isJobId('digest-20220701')).toBe(true);
    expect(isJobId('12345')).toBe(false);
    expect(isJobId('a:b')).toBe(false);
    expect(isJobId('')).toBe(false);
    expect(failureReportId('x_once_r-d_20220705')).toBe('failure-x_once_r-d_20220705');
    expect(failureReportId('x_once_r-d_20220705', 2)).toBe('failure-x_once_r-d_20220705-r2');
  });
});

describe('payloads', () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  const job = (data: unknown) => ({ id: 'j1', name: 'send', data });

  it('a good one parses', () => {
    const data = { taskId: '1510-ubnd-th-20220416-9-syt', id: '1510-ubnd-th-20220416-9-syt_once_e1-a1wd_20220630', kind: 'escalation', level: 1, at: 1_656_635_400_000 };
    expect(parsePayload(sendPayload, job(data), logger)).toEqual(data);
  });

  it('a bad one is an UnrecoverableError and a log line naming every problem', () => {
    lines.length = 0;
    expect(() => parsePayload(sendPayload, job({ taskId: 'Bad Id', id: '123', kind: 'memo', level: 1.5, at: 'soon', more: 1 }), logger)).toThrow(UnrecoverableError);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, jobId: 'j1', job: 'send', msg: 'bad job payload: dropped without retry' });
    expect((lines[0]!.problems as string[]).map((p) => p.split(':')[0])).toEqual(['taskId', 'id', 'kind', 'level', 'at', 'data']);
    expect(() => parsePayload(sendPayload, job('a string'), logger)).toThrow(/bad send payload: data: /);
  });
});

describe('skip reasons', () => {
  const n = (state: TaskNotification['state'], reason?: string) => ({ state, ...(reason ? { reason } : {}) }) as TaskNotification;
  it('name the category the metrics count and the words the log keeps', () => {
    expect(skipReasonOf(n('cancelled', 'completed at 2022-07-05T07:25:00+07:00'))).toEqual({ category: 'completed', reason: 'completed at 2022-07-05T07:25:00+07:00' });
    expect(skipReasonOf(n('cancelled', 'cancelled at 2022-07-05T07:25:00+07:00'))).toEqual({ category: 'cancelled', reason: 'cancelled at 2022-07-05T07:25:00+07:00' });
    expect(skipReasonOf(n('superseded', 'deadline extended to 15/07/2022'))).toEqual({ category: 'extended', reason: 'extended: deadline extended to 15/07/2022' });
    expect(skipReasonOf(n('superseded', 'a later step of the same ladder was due'))).toEqual({ category: 'superseded', reason: 'superseded: a later step of the same ladder was due' });
    expect(skipReasonOf(n('backfilled', 'fell due before the go-live date 01/07/2022')).category).toBe('backfilled');
    expect(skipReasonOf(undefined)).toEqual({ category: 'superseded', reason: 'superseded: no longer in the plan (the task was changed)' });
  });

  it('log lines keep no recipient address', () => {
    expect(scrubAddresses('all recipients rejected (giamdoc.syt@thainguyen.gov.vn, vp@x.vn): 550 5.1.1 <vp@x.vn>: unknown')).toBe(
      'all recipients rejected (<address>, <address>): 550 5.1.1 <<address>>: unknown',
    );
  });
});
