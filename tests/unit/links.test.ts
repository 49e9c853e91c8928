// Signed link tokens (src/core/links.ts) and the `links` config section: what verifies and what
// does not — for all inputs where it matters (fast-check) — key rotation, expiry to the second,
// the deadline version, and what `config check` says when links are on without a secret.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { linkSettings, linksSchema, withLinkSecrets } from '../../src/config/sections/links.js';
import { type LinkClaims, ACTION_ROLE, LINK_ACTIONS, deadlineVersion, deriveNonce, linkActor, recipientHash, signLink, verifyLink } from '../../src/core/links.js';
import { ROOT, runCliCaptured } from '../support/cli.js';

const K1 = 'first-secret-0123456789-abcdefghijklmno';
const K2 = 'second-secret-0123456789-abcdefghijklmn';
const NOW = Date.parse('2022-07-01T10:00:00+07:00');
const claims: LinkClaims = {
  action: 'complete',
  taskId: '1510-ubnd-th-20220416-9-syt',
  occurrence: 'once',
  deadline: '20220630',
  role: 'head',
  recipient: recipientHash('giamdoc.syt@thainguyen.example.gov.vn'),
  expiresAt: Date.parse('2022-07-31T07:30:00+07:00'),
  nonce: deriveNonce(K1, ['n1', 'complete', 'x']),
};

describe('tokens', () => {
  it('round-trip: the claims come back, with a stable 16-character link id', () => {
    const t = signLink(claims, [K1]);
    const v = verifyLink(t, [K1], NOW);
    expect(v).toEqual({ ok: true, claims, id: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) });
    expect(verifyLink(t, [K1], NOW + 5000)).toEqual(v);
    expect(t.length).toBeLessThan(400);
    expect(t).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });

  it('every action carries its own role; a decision link carries its request', () => {
    for (const action of LINK_ACTIONS) {
      const c = { ...claims, action, role: ACTION_ROLE[action], ...(action.endsWith('extension') ? { request: 'l51vawrl' } : {}) };
      expect(verifyLink(signLink(c, [K1]), [K1], NOW)).toMatchObject({ ok: true, claims: c });
    }
    expect(() => signLink({ ...claims, role: 'leader' }, [K1])).toThrow(/invalid claims/);
  });

  it('expires at its instant, to the second', () => {
    const t = signLink(claims, [K1]);
    expect(verifyLink(t, [K1], claims.expiresAt - 1).ok).toBe(true);
    expect(verifyLink(t, [K1], claims.expiresAt)).toMatchObject({ ok: false, reason: 'expired', claims });
  });

  it('key rotation: signed with the first secret, verified by any; an unknown key is refused', () => {
    const old = signLink(claims, [K2]);
    expect(verifyLink(old, [K1, K2], NOW).ok).toBe(true);
    expect(verifyLink(old, [K1], NOW)).toEqual({ ok: false, reason: 'signature' });
    const fresh = signLink(claims, [K1, K2]);
    expect(verifyLink(fresh, [K1], NOW).ok).toBe(true);
    expect(verifyLink(fresh, [], NOW)).toEqual({ ok: false, reason: 'signature' });
  });

  it('property: any change to a token is refused (never accepted as other claims)', () => {
    const t = signLink(claims, [K1]);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(fc.nat({ max: t.length - 1 }), fc.constantFrom(...alphabet), (i, c) => {
        fc.pre(t[i] !== c);
        const changed = t.slice(0, i) + c + t.slice(i + 1);
        const v = verifyLink(changed, [K1], NOW);
        // base64url's last character may carry unused bits: the same bytes are the same token.
        if (v.ok) expect(Buffer.from(changed.split('.')[1] ?? '', 'base64url')).toEqual(Buffer.from(t.split('.')[1]!, 'base64url'));
        return !v.ok || (v.claims.taskId === claims.taskId && v.claims.action === claims.action);
      }),
      { numRuns: 500 },
    );
  });

  it('property: arbitrary strings never verify and never throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[A-Za-z0-9_-]{16,300}\.[A-Za-z0-9_-]{43}$/)), (s) => verifyLink(s, [K1], NOW).ok === false),
      { numRuns: 300 },
    );
    expect(verifyLink('x'.repeat(5000), [K1], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('a payload signed with the key but not ours in shape is malformed', () => {
    const body = Buffer.from(JSON.stringify({ v: 1, a: 'complete', t: 'X', o: 'once', d: 'x', r: 'head', e: 'e', x: 1 })).toString('base64url');
    const sig = createHmac('sha256', K1).update(`dondoc-link\0${body}`).digest('base64url');
    expect(verifyLink(`${body}.${sig}`, [K1], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('the deadline version is the deadline as written: the date, or date and time', () => {
    expect(deadlineVersion({ day: 19173 })).toMatch(/^\d{8}$/);
    expect(deadlineVersion({ day: 19173, minute: 17 * 60 })).toMatch(/^\d{8}t1700$/);
  });

  it('the recipient hash hides the address but not its identity; the actor names role and hash', () => {
    const h = recipientHash(' GiamDoc.SYT@thainguyen.example.gov.vn ');
    expect(h).toBe(recipientHash('giamdoc.syt@thainguyen.example.gov.vn'));
    expect(h).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(linkActor({ role: 'office', recipient: h })).toBe(`link:office:${h}`);
  });
});

describe('links config', () => {
  const parse = (v: unknown) => linksSchema.safeParse(v);
  const issues = (v: unknown): string[] => {
    const r = parse(v);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('is off by default; defaults: 30 days, one-time, confirmation by the Office', () => {
    const d = linksSchema.parse(undefined);
    expect(d).toEqual({ public_base_url: undefined, secrets: [], ttl: 30 * 86_400_000, one_time: true, auto_confirm_completion: false });
    expect(linkSettings(d)).toBeNull();
  });

  it('reads a secret or a list (newest first), a base URL without trailing slash, ttl in words', () => {
    const l = linksSchema.parse({ public_base_url: 'https://dondoc.thainguyen.gov.vn/', secrets: [K1, K2], ttl: '2 weeks', one_time: false });
    expect(linkSettings(l)).toEqual({ baseUrl: 'https://dondoc.thainguyen.gov.vn', secrets: [K1, K2], ttlMs: 14 * 86_400_000, oneTime: false, autoConfirmCompletion: false });
    expect(linksSchema.parse({ public_base_url: 'https://x.gov.vn/dondoc', secret: K1 }).public_base_url).toBe('https://x.gov.vn/dondoc');
  });

  it('says what to write', () => {
    expect(issues({ secret: 'short' })).toEqual(['secret: expected at least 32 characters; make one with: openssl rand -base64 32']);
    expect(issues({ secret: K1, secrets: [K2] })).toEqual(['secrets: give secret or secrets, not both']);
    expect(issues({ ttl: '5 minutes' })).toEqual(['ttl: expected a time from 1 hour to 366 days, like "30 days", "2 weeks" or "12h", got "5 minutes"']);
    expect(issues({ public_base_url: 'ftp://x' })[0]).toMatch(/^public_base_url: expected an http\(s\) URL/);
    expect(issues({ public_base_url: 'https://x.vn/?a=1' })[0]).toMatch(/without query/);
    expect(issues({ one_time: 'yes' })).toEqual(['one_time: expected true or false (one_time), got "yes"']);
    expect(issues({ secrett: K1 })[0]).toMatch(/secrett/);
  });

  it('takes DONDOC_LINK_SECRET ("new,old") when the file has none, and warns when links are on without a secret', () => {
    const on = linksSchema.parse({ public_base_url: 'https://x.gov.vn' });
    expect(withLinkSecrets(on, { DONDOC_LINK_SECRET: `${K1}, ${K2}` })).toEqual({ links: { ...on, secrets: [K1, K2] }, warnings: [] });
    const none = withLinkSecrets(on, {});
    expect(none.links.secrets).toEqual([]);
    expect(none.warnings).toEqual([
      'links.public_base_url is set but there is no secret to sign links with: reminders go out WITHOUT reply links. Set DONDOC_LINK_SECRET (openssl rand -base64 32) or links.secret.',
    ]);
    expect(withLinkSecrets(on, { DONDOC_LINK_SECRET: 'short' }).warnings[0]).toMatch(/DONDOC_LINK_SECRET: 1 secret is shorter than 32 characters and ignored/);
    // The file's own secret wins; links off need no secret.
    expect(withLinkSecrets({ ...on, secrets: [K2] }, { DONDOC_LINK_SECRET: K1 }).links.secrets).toEqual([K2]);
    expect(withLinkSecrets(linksSchema.parse({}), {}).warnings).toEqual([]);
  });
});

describe('dondoc config check', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dondoc-links-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const fixture = fs.readFileSync(path.join(ROOT, 'tests/fixtures/dondoc-2022.yaml'), 'utf8').replace('directory: org-2022-thai-nguyen.yaml', `directory: ${path.join(ROOT, 'tests/fixtures/org-2022-thai-nguyen.yaml')}`);
  const file = path.join(tmp, 'dondoc.yaml');
  fs.writeFileSync(file, `${fixture}\nlinks:\n  public_base_url: https://dondoc.thainguyen.gov.vn\n`);

  it('warns when links are on without a secret, and is quiet once DONDOC_LINK_SECRET is set', async () => {
    const bare = await runCliCaptured(['config', 'check', file]);
    expect(bare.code).toBe(0);
    expect(bare.stderr).toContain('warning: links.public_base_url is set but there is no secret to sign links with');
    const set = await runCliCaptured(['config', 'check', file], { env: { DONDOC_LINK_SECRET: K1 } });
    expect(set.code).toBe(0);
    expect(set.stderr).not.toContain('links.');
    expect(set.stdout).toBe('ok\n');
  });

  it('reports a bad links section with its path, like every section', () => {
    expect(() => loadConfigText(`${fixture}\nlinks:\n  ttl: forever\n`, 'x.yaml', path.join(ROOT, 'tests/fixtures'))).toThrow(
      expect.objectContaining({ problems: [{ path: 'x.yaml: links.ttl', message: 'expected a time from 1 hour to 366 days, like "30 days", "2 weeks" or "12h", got "forever"', line: expect.any(Number) }] }),
    );
  });
});
