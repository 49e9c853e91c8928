// The `delivery:` config section: defaults, time spans, and messages that say what to write.
import { describe, expect, it } from 'vitest';
import { deliverySchema, parseMs } from '../../src/config/sections/delivery.js';
import { mailerOptionsFrom } from '../../src/mail/transport.js';

const issues = (input: unknown): string[] => {
  const r = deliverySchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('delivery section', () => {
  it('has defaults of seconds, not minutes, and works when absent', () => {
    const d = deliverySchema.parse(undefined);
    expect(d).toEqual({
      send_rate_per_second: null,
      max_connections: 5,
      max_messages_per_connection: 100,
      connection_timeout: 10_000,
      greeting_timeout: 10_000,
      socket_timeout: 30_000,
      retry: { attempts: 8, backoff_initial: 30_000, backoff_max: 1_800_000, jitter: 0.2 },
      outbox_dir: 'var/outbox',
      lease: 120_000,
      lookahead: 600_000,
      bundle_gather: 5000,
      scheduler_tick: 1000,
      reconcile_every: 600_000,
      concurrency: 20,
    });
    expect(mailerOptionsFrom(d, undefined)).toMatchObject({ sendRatePerSecond: null, connectionTimeoutMs: 10_000, socketTimeoutMs: 30_000, outboxDir: 'var/outbox' });
  });

  it('reads time spans as "10s", "2m", "500ms", "10 seconds" or milliseconds', () => {
    expect(['10s', '2m', '500ms', '10 seconds', '1.5s', '1h', 2500, ' 3 minutes '].map(parseMs)).toEqual([10_000, 120_000, 500, 10_000, 1500, 3_600_000, 2500, 180_000]);
    expect(['ten', '10 fortnights', '-5s', '', true, -1].map(parseMs)).toEqual([null, null, null, null, null, null]);
    const d = deliverySchema.parse({ socket_timeout: '2m', connection_timeout: 5000, send_rate_per_second: 2.5, retry: { backoff_initial: '1s', backoff_max: '1m' } });
    expect([d.socket_timeout, d.connection_timeout, d.send_rate_per_second, d.retry.backoff_initial, d.retry.backoff_max]).toEqual([120_000, 5000, 2.5, 1000, 60_000]);
  });

  it('leaves the sender to the mail section, and wants a lease longer than a whole SMTP exchange', () => {
    expect(issues({ from: { address: 'vp@x.vn' } })).toEqual([': Unrecognized key: "from"']);
    expect(issues({ message_id_domain: 'x.vn' })).toEqual([': Unrecognized key: "message_id_domain"']);
    expect(issues({ lease: '30s', socket_timeout: '20s' })).toEqual([
      'lease: must be longer than connection_timeout + greeting_timeout + socket_timeout (40s), or a slow send could be overtaken and sent twice',
    ]);
    expect(deliverySchema.parse({ lease: '5m', lookahead: '1m', concurrency: 50 })).toMatchObject({ lease: 300_000, lookahead: 60_000, concurrency: 50 });
  });

  it('reports every problem with its path and what to write', () => {
    expect(
      issues({
        send_rate_per_second: -1,
        max_connections: 0,
        socket_timeout: '10 fortnights',
        greeting_timeout: 5,
        retry: { attempts: 2.5, backoff_initial: '1m', backoff_max: '10s', jitter: 2 },
        admin_email: 'not-an-email',
        outbox: 'x',
      }),
    ).toEqual([
      'send_rate_per_second: expected messages per second (a number above 0, at most 10000, e.g. 0.5 or 20) or "unlimited", got -1',
      'max_connections: expected a number of connections from 1 to 100',
      'greeting_timeout: expected a time between 100ms and 10m, like "10s", "2m" or a number of milliseconds, got 5',
      'socket_timeout: expected a time between 100ms and 60m, like "10s", "2m" or a number of milliseconds, got "10 fortnights"',
      'retry.attempts: expected a number of attempts (a whole number from 1 to 50), got 2.5',
      'retry.jitter: expected a fraction from 0 to 1, like 0.2',
      'admin_email: expected an e-mail address, got "not-an-email"',
      ': Unrecognized key: "outbox"',
    ]);
    expect(issues({ retry: { backoff_initial: '1m', backoff_max: '10s' } })).toEqual(['retry.backoff_max: must not be shorter than backoff_initial']);
  });
});
