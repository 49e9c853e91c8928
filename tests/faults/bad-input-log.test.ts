// No secret and no recipient address reaches the log (issue 7, item 3), whatever shape the
// logged value takes: random SMTP passwords, API tokens, session cookies and mailboxes, under
// secret-looking or innocent keys, at any depth, in arrays, in messages, in errors and their
// stacks and causes, in an environment dump — in JSON and pretty output. Then the same through
// the real HTTP app with its logger on: bearer tokens, login forms, cookies, tokens pasted
// into a URL, and the capability tokens of reply links (/r/<token>).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseEnv } from '../../src/config/env.js';
import { loadConfig } from '../../src/config/load.js';
import { buildApp } from '../../src/http/app.js';
import { makeLogger } from '../../src/log.js';
import { makeSmtpMailer, parseSmtpUrl, redactSmtpUrl } from '../../src/mail/transport.js';
import { connectRedis } from '../../src/store/redis.js';
import { makeTaskStore } from '../../src/store/task-store.js';
import { ROOT } from '../support/cli.js';
import { type PrivateRedis, randomPrefix, startRedis } from '../support/redis-server.js';
import { fuzz, fuzzTimeout } from './bad-input-support.js';

// The CI budget runs in seconds; the long run (DONDOC_FUZZ_RUNS) needs longer.
vi.setConfig({ testTimeout: fuzzTimeout(60_000) });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function capture(format: 'json' | 'pretty') {
  const lines: string[] = [];
  const logger = makeLogger({ format, level: 'trace', sink: { write: (t) => void lines.push(t), isTTY: false } });
  return { logger, text: () => lines.join('') };
}

// Secrets are long and random, so finding one in the output is never a coincidence.
const secretChars = fc.constantFrom(...'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'.split(''));
const secret = (min: number) => fc.array(secretChars, { minLength: min, maxLength: min + 20 }).map((a) => a.join(''));
/** What a password may hold, %-escaped in a URL as it must be. */
const password = fc.tuple(secret(10), fc.constantFrom('', '!', '#', '$', '%', '&', '*', '+', '=', '?', '@', ':', '/', ' ', '"', "'", 'đ')).map(([s, special]) => `${s.slice(0, 5)}${special}${s.slice(5)}`);
// (Addresses with Vietnamese letters are allowed by the config: SMTPUTF8 mailboxes.)
const localPart = fc.tuple(secret(8), fc.constantFrom('', '.', '_', '-', '+tag', 'đốc', 'Giám.đốc')).map(([s, sep]) => `rcpt${s.slice(0, 4)}${sep}${s.slice(4)}`);
const domain = fc.constantFrom('thainguyen.gov.vn', 'syt.thainguyen.gov.vn', 'mail.example.gov.vn', 'gmail.com', 'Bac-Kan.GOV.vn');

interface Secrets {
  pass: string;
  token: string;
  mailbox: string;
  cookie: string;
}

/** Ways a careless line of code puts a value in the log: object first, then the message. */
const placements: Array<(s: Secrets, key: string) => [Json, string]> = [
  (s) => [{ smtp: `smtp://dondoc:${encodeURIComponent(s.pass)}@mail.thainguyen.gov.vn:587` }, 'connecting'],
  (s) => [{}, `connecting to smtps://dondoc:${encodeURIComponent(s.pass)}@mail.thainguyen.gov.vn:465 failed`],
  (s) => [{ auth: { user: 'dondoc', pass: s.pass } }, 'smtp options'],
  (s) => [{ options: { transport: { auth: { user: 'dondoc', password: s.pass } } } }, 'deep'],
  (s) => [{ env: { SMTP_URL: `smtp://dondoc:${encodeURIComponent(s.pass)}@mail:587`, DONDOC_API_TOKENS: `ops:admin:${s.token}`, SMTP_PASSWORD: s.pass } }, 'environment'],
  (s) => [{ req: { headers: { authorization: `Bearer ${s.token}`, cookie: `dondoc_office=${s.cookie}` } } }, 'request'],
  (s) => [{}, `Authorization: Bearer ${s.token}`],
  (s) => [{ apiToken: s.token, apiTokens: [s.token], accessToken: s.token }, 'tokens'],
  (s) => [{ url: `/office?token=${s.token}&body=SYT` }, 'pasted a token into the address'],
  (s) => [{ to: [s.mailbox], cc: s.mailbox }, 'sending'],
  (s) => [{ recipients: [{ name: 'Giám đốc', address: s.mailbox }] }, 'sending'],
  (s) => [{}, `550 5.1.1 <${s.mailbox}>: Recipient address rejected`],
  (s) => [{ response: `250 OK queued for ${s.mailbox.toUpperCase()}` }, 'sent'],
  (s, key) => [{ [key]: { nested: [{ deeper: `to ${s.mailbox} via smtp://u:${encodeURIComponent(s.pass)}@h` }] } }, 'nested'],
  (s) => [{ err: Object.assign(new Error(`Invalid login for smtp://dondoc:${encodeURIComponent(s.pass)}@mail: 535 (${s.mailbox})`), { code: 'EAUTH' }) }, 'smtp failed'],
  (s) => [{ err: new Error('wrapped', { cause: new Error(`Bearer ${s.token} refused for ${s.mailbox}`) }) }, 'with a cause'],
  (s) => [{ link: `https://dondoc.thainguyen.gov.vn/r/${s.cookie}.${s.token}` }, 'reply link'],
];

describe('the logger', () => {
  it('never writes a password, token, session cookie or mailbox, however it is logged', () => {
    fc.assert(
      fc.property(
        fc.record({ pass: password, token: secret(24), mailbox: fc.tuple(localPart, domain).map(([l, d]) => `${l}@${d}`), cookie: secret(30) }),
        fc.subarray(placements.map((_, i) => i), { minLength: 1 }),
        fc.constantFrom('json', 'pretty'),
        fc.constantFrom('data', 'job', 'ctx', 'x'),
        (s, which, format, key) => {
          const { logger, text } = capture(format);
          const child = logger.child({ jobId: 'j1', taskId: '1510-ubnd-th-20220416-9-syt' });
          for (const i of which) {
            const [obj, msg] = placements[i]!(s, key);
            child.warn(obj, msg);
          }
          const out = text();
          expect(out.length).toBeGreaterThan(0);
          const local = s.mailbox.slice(0, s.mailbox.indexOf('@'));
          for (const [what, value] of [
            ['password', s.pass],
            ['password (escaped)', encodeURIComponent(s.pass)],
            ['token', s.token],
            ['cookie', s.cookie],
            ['mailbox', local],
            ['mailbox', local.toUpperCase()],
            ['start of a mailbox', local.slice(0, 8)],
          ] as const) {
            expect(out.includes(value), `${what} ${JSON.stringify(value)} leaked:\n${out}`).toBe(false);
          }
          // Still useful: the job and the mailbox's domain stay.
          expect(out).toContain('1510-ubnd-th-20220416-9-syt');
        },
      ),
      fuzz(7176_41, 150),
    );
  });

  it('an SMTP URL is never shown with its password: describe(), redaction, and the errors of a bad URL', () => {
    fc.assert(
      fc.property(password, fc.constantFrom('', '?require_tls=maybe', '?colour=red', '/path', ':99999'), (pass, tail) => {
        const url = `smtp://dondoc:${encodeURIComponent(pass)}@mail.thainguyen.gov.vn${tail}`;
        const shown: string[] = [redactSmtpUrl(url)];
        try {
          const endpoint = parseSmtpUrl(url);
          const mailer = makeSmtpMailer(endpoint);
          shown.push(mailer.describe());
          void mailer.close();
        } catch (e) {
          shown.push(String((e as Error).message), JSON.stringify((e as { problems?: unknown }).problems ?? []));
        }
        for (const s of shown) {
          expect(s).not.toContain(pass);
          expect(s).not.toContain(encodeURIComponent(pass));
        }
      }),
      fuzz(7176_42, 100),
    );
  });
});

describe('the HTTP app with its logger on', () => {
  const ADMIN = 'admin-token-log-test-7d2c9e4b1a6f3805';
  let server: PrivateRedis;
  let app: FastifyInstance;
  let redis: Awaited<ReturnType<typeof connectRedis>>;
  const lines: string[] = [];
  beforeAll(async () => {
    server = await startRedis();
    redis = await connectRedis(server.url, { role: 'service', timeoutMs: 1000 });
    const cfg = loadConfig({ file: path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml') });
    const env = parseEnv({ DONDOC_API_TOKENS: `ops:admin:sha256:${createHash('sha256').update(ADMIN).digest('hex')}` });
    const now = () => Date.parse('2022-05-10T09:00:00+07:00');
    const store = makeTaskStore({ redis, url: server.url, prefix: randomPrefix('log'), calendar: cfg.calendar, now });
    const logger = makeLogger({ format: 'json', level: 'trace', sink: { write: (t) => void lines.push(t) } });
    app = buildApp({ store, redis, calendar: cfg.calendar, org: cfg.org, tokens: env.apiTokens, now, logger });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    redis?.disconnect();
    await server?.stop();
  });

  it('logs requests without the tokens, forms, cookies or link tokens they carry', async () => {
    await fc.assert(
      fc.asyncProperty(secret(24), secret(40), fc.tuple(localPart, domain).map(([l, d]) => `${l}@${d}`), async (token, link, mailbox) => {
        lines.length = 0;
        const bearer = { authorization: `Bearer ${token}` };
        await app.inject({ method: 'GET', url: '/api/tasks', headers: bearer });
        await app.inject({ method: 'GET', url: `/api/tasks?token=${token}&access_token=${token}`, headers: { authorization: `Bearer ${ADMIN}` } });
        await app.inject({ method: 'GET', url: `/office?token=${token}`, headers: { cookie: `dondoc_office=${link}` } });
        await app.inject({ method: 'POST', url: '/office/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${token}&next=/office` });
        await app.inject({ method: 'POST', url: '/api/tasks', headers: { authorization: `Bearer ${ADMIN}` }, payload: { title: mailbox, lead: mailbox, source: { number: '1/UBND', date: '2022-04-16', issuer: token } } });
        await app.inject({ method: 'GET', url: `/r/${link}.${token}` });
        await app.inject({ method: 'POST', url: `/r/${link}.${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `csrf=${token}` });
        const out = lines.join('');
        expect(out).toContain('incoming request');
        const local = mailbox.slice(0, mailbox.indexOf('@'));
        for (const [what, value] of [['token', token], ['link or cookie', link], ['admin token', ADMIN], ['mailbox', local.slice(0, 8)]] as const) {
          expect(out.includes(value), `${what} leaked:\n${out}`).toBe(false);
        }
      }),
      fuzz(7176_43, 25),
    );
  });
});
