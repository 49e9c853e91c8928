// What `dondoc start` warns about the Redis it is given (src/redis/checks.ts): eviction and
// persistence, each with the setting to use; unknown facts are not guessed at.
import { describe, expect, it } from 'vitest';
import { redisWarnings } from '../../src/redis/checks.js';

describe('redisWarnings', () => {
  it.each([
    [{ maxmemoryPolicy: 'noeviction', aofEnabled: true, save: '' }, []],
    [{ maxmemoryPolicy: 'allkeys-lru', aofEnabled: true, save: '' }, [/maxmemory-policy is allkeys-lru.*noeviction/]],
    [{ maxmemoryPolicy: 'noeviction', aofEnabled: false, save: '' }, [/no persistence.*appendonly yes/]],
    [{ maxmemoryPolicy: 'noeviction', aofEnabled: false, save: '3600 1 300 100' }, [/RDB snapshots only/]],
    [{ maxmemoryPolicy: 'volatile-lru', aofEnabled: false, save: '' }, [/volatile-lru/, /no persistence/]],
    // CONFIG refused (managed Redis): unknown RDB rules are not reported as "no persistence".
    [{ maxmemoryPolicy: 'noeviction', aofEnabled: false }, []],
  ])('%j', (facts, expected) => {
    const w = redisWarnings(facts);
    expect(w).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(w[i]).toMatch(re));
  });
});
