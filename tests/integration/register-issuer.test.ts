// A clerk's register with the README's headers and no "Cơ quan ban hành" column, on the
// shipped config: every row is the committee's own letter (…/UBND-TH, …/UBND-NC, …/QĐ-UBND,
// …/KH-UBND), so the issuer comes from `org.issuer`, the same way through import,
// preview --tasks and simulate --tasks.
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { makeTaskStore } from '../../src/store/task-store.js';
import { ROOT, runCliCaptured } from '../support/cli.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';
import { parseInstant } from '../../src/core/zone.js';

const REGISTER = path.join(ROOT, 'tests/fixtures/letters/register-no-issuer.csv');
const now = () => parseInstant('2026-03-02T09:00', 'Asia/Ho_Chi_Minh')!;
let server: PrivateRedis;

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.stop();
});

describe('a register without an issuer column, shipped config', () => {
  it('imports with zero problems, each task issued by the committee (or its office)', async () => {
    const prefix = randomPrefix('iss');
    const env = { REDIS_URL: server.url, DONDOC_KEY_PREFIX: prefix, USER: 'vanthu' };
    const r = await runCliCaptured(['import', REGISTER, '--json'], { env, now });
    const out = JSON.parse(r.stdout) as { summary: Record<string, number>; problems: unknown[] };
    expect(out.problems).toEqual([]);
    expect(r.code).toBe(0);
    expect(out.summary).toMatchObject({ created: 6, rejected: 0 });

    const redis = new Redis(server.url);
    try {
      const store = makeTaskStore({ redis, url: server.url, prefix, calendar: loadConfig({ env: {} }).calendar, now });
      const issuers: string[] = [];
      for await (const ids of store.ids()) for (const id of ids) issuers.push((await store.get(id))!.source.issuer);
      expect(issuers).toEqual(Array(6).fill('UBND tỉnh Thái Nguyên'));
    } finally {
      redis.disconnect();
    }
  });

  it('plans the same rows through preview --tasks and simulate --tasks', async () => {
    const p = await runCliCaptured(['preview', '--tasks', REGISTER, '--json'], { env: {}, now });
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const s = await runCliCaptured(['simulate', '--tasks', REGISTER, '--from', '2026-01-01', '--to', '2026-07-31', '--json'], { env: {}, now });
    expect(s.stderr).toBe('');
    expect(s.code).toBe(0);
    expect((JSON.parse(s.stdout) as { tasks: number }).tasks).toBe(6);
  });
});
