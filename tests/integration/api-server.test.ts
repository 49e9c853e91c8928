// The environment dondoc's API and store read (defaults, every bad variable reported, token
// formats), and startApi() really listening: a real HTTP request over a socket.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { loadConfig } from '../../src/config/load.js';
import { DondocError } from '../../src/errors.js';
import { startApi } from '../../src/http/server.js';
import { ROOT } from '../support/cli.js';
import { type PrivateRedis, freePort, randomPrefix, startRedis } from '../support/redis-server.js';

describe('parseEnv', () => {
  it('has defaults for everything', () => {
    expect(parseEnv({})).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      keyPrefix: 'dondoc',
      httpPort: 8080,
      httpHost: '127.0.0.1',
      bodyLimit: 1 << 20,
      redisTimeoutMs: 2000,
      apiTokens: [],
    });
  });

  it('reads sizes and both token forms, and never keeps a token in clear', () => {
    const plain = 'a-long-enough-development-token';
    const env = parseEnv({ DONDOC_HTTP_BODY_LIMIT: '512KiB', DONDOC_API_TOKENS: `ops:admin:${plain}, board:viewer:sha256:${'ab'.repeat(32)}` });
    expect(env.bodyLimit).toBe(512 * 1024);
    expect(env.apiTokens.map((t) => [t.name, t.role])).toEqual([
      ['ops', 'admin'],
      ['board', 'viewer'],
    ]);
    expect(env.apiTokens[0]!.hash.equals(createHash('sha256').update(plain).digest())).toBe(true);
    expect(JSON.stringify(env)).not.toContain(plain);
  });

  it('reports every bad variable together, by name, without echoing secrets', () => {
    const err = (() => {
      try {
        parseEnv({ REDIS_URL: 'localhost:6379', DONDOC_KEY_PREFIX: 'dd{x}', DONDOC_HTTP_PORT: '80800', DONDOC_HTTP_BODY_LIMIT: '2GB', DONDOC_API_TOKENS: 'ops:root:short-secret,x:viewer:sha256:zz' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(DondocError);
    const problems = (err as DondocError).problems;
    expect(problems.map((p) => p.path)).toEqual(['REDIS_URL', 'DONDOC_KEY_PREFIX', 'DONDOC_HTTP_PORT', 'DONDOC_HTTP_BODY_LIMIT', 'DONDOC_API_TOKENS[0] (ops)', 'DONDOC_API_TOKENS[0] (ops)', 'DONDOC_API_TOKENS[1] (x)']);
    expect(problems[0]!.message).toMatch(/redis:\/\/127\.0\.0\.1:6379/);
    expect(JSON.stringify(problems)).not.toContain('short-secret');
  });
});

describe('startApi', () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('listens on DONDOC_HTTP_HOST:DONDOC_HTTP_PORT and serves health and tasks over HTTP', async () => {
    const port = await freePort();
    const token = 'http-test-token-0123456789';
    const api = await startApi({
      env: { REDIS_URL: server.url, DONDOC_KEY_PREFIX: randomPrefix('http'), DONDOC_HTTP_PORT: String(port), DONDOC_API_TOKENS: `t:viewer:${token}` },
      config: loadConfig({ file: path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml') }),
    });
    try {
      expect(api.address).toBe(`http://127.0.0.1:${port}`);
      const health = await fetch(`${api.address}/api/health`);
      expect(await health.json()).toEqual({ status: 'ok', redis: 'ok' });
      const list = await fetch(`${api.address}/api/tasks`, { headers: { authorization: `Bearer ${token}` } });
      expect(list.status).toBe(200);
      expect(await list.json()).toEqual({ items: [], next_cursor: null });
    } finally {
      await api.close();
    }
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
  });

  it('refuses to start when Redis is not there (exit 3 for `dondoc start`)', async () => {
    const err = await startApi({
      env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, DONDOC_REDIS_TIMEOUT_MS: '300' },
      config: loadConfig({ file: path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml') }),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'REDIS_UNAVAILABLE', exitCode: 3 });
  });
});
