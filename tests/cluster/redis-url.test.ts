// REDIS_URL naming one server or a Redis Cluster (src/store/redis-url.ts; docs/SCALING.md):
// what is accepted, what each bad form is told, and that credentials never reach a message.
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { DondocError } from '../../src/errors.js';
import { parseRedisTarget, safeTarget } from '../../src/store/redis-url.js';
import { bullPrefix } from '../../src/queue/names.js';

describe('parseRedisTarget', () => {
  it.each([
    ['redis://127.0.0.1:6379', { kind: 'single', url: 'redis://127.0.0.1:6379' }],
    ['rediss://:secret@cache.example:6380/2', { kind: 'single', url: 'rediss://:secret@cache.example:6380/2' }],
    ['redis+cluster://h1:7000,h2:7001,h3:7002', { kind: 'cluster', nodes: [{ host: 'h1', port: 7000 }, { host: 'h2', port: 7001 }, { host: 'h3', port: 7002 }], tls: false }],
    ['redis+cluster://10.0.0.5', { kind: 'cluster', nodes: [{ host: '10.0.0.5', port: 6379 }], tls: false }],
    ['rediss+cluster://dondoc:p%40ss@a.example:7000,[::1]:7001/', { kind: 'cluster', nodes: [{ host: 'a.example', port: 7000 }, { host: '::1', port: 7001 }], username: 'dondoc', password: 'p@ss', tls: true }],
    ['redis+cluster://:only-password@h1:7000/0', { kind: 'cluster', nodes: [{ host: 'h1', port: 7000 }], password: 'only-password', tls: false }],
  ])('%s', (url, want) => {
    expect(parseRedisTarget(url)).toEqual(want);
  });

  it.each([
    ['redis+cluster://h1:7000/3', /a Redis Cluster has only database 0: remove "\/3" from the end of "redis\+cluster:\/\/h1:7000\/3"/],
    ['redis+cluster://h1:7000,,h2:7001', /expected HOST:PORT for each cluster node, got ""/],
    ['redis+cluster://h1:99999', /expected HOST:PORT for each cluster node, got "h1:99999"/],
    ['redis+cluster://u:secret@h1:x', /got "h1:x" in "redis\+cluster:\/\/h1:x"/],
    ['http://h1:6379', /expected a URL like redis:\/\/127\.0\.0\.1:6379 .*redis\+cluster:\/\/h1:7000,h2:7001 for a Redis Cluster/],
    ['memcached+cluster://h1:1', /expected redis\+cluster:\/\/HOST:PORT,HOST:PORT/],
  ])('refuses %s', (url, message) => {
    const t = parseRedisTarget(url);
    expect(t).toHaveProperty('error');
    expect((t as { error: string }).error).toMatch(message);
    expect((t as { error: string }).error).not.toContain('secret');
  });

  it('shows a URL without its credentials', () => {
    expect(safeTarget('redis+cluster://dondoc:secret@h1:7000,h2:7001')).toBe('redis+cluster://h1:7000,h2:7001');
    expect(safeTarget('rediss://:secret@h1:6380/1')).toBe('rediss://h1:6380/1');
  });
});

describe('REDIS_URL in the environment', () => {
  it('takes a cluster URL as given', () => {
    expect(parseEnv({ REDIS_URL: ' redis+cluster://h1:7000,h2:7001 ' }).redisUrl).toBe('redis+cluster://h1:7000,h2:7001');
  });

  it('names the variable and the problem', () => {
    let err: unknown;
    try {
      parseEnv({ REDIS_URL: 'redis+cluster://h1:7000/1' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DondocError);
    expect((err as DondocError).problems).toEqual([{ path: 'REDIS_URL', message: expect.stringMatching(/only database 0/) }]);
  });
});

describe("BullMQ's prefix", () => {
  it('is hash-tagged on a cluster, so every key of a queue is in one slot', () => {
    expect(bullPrefix('dondoc')).toBe('dondoc:bull');
    expect(bullPrefix('dondoc', true)).toBe('{dondoc}:bull');
  });
});
